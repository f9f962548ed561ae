"""Search blueprint: public full-text search over published solutions and pilot projects."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue

from procurement.search import models  # noqa: F401 - registers the tables

bp = Blueprint("search", __name__)


@bp.route("/search")
def search() -> ResponseReturnValue:
    """Search page (placeholder)."""
    abort(404)
