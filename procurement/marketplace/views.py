"""Marketplace blueprint: solutions and pilot projects (create, edit, curate, documents)."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue
from flask_login import login_required

from procurement.marketplace import models  # noqa: F401 - registers the tables

bp = Blueprint("marketplace", __name__)


@bp.route("/marketplace/mine")
@login_required
def my_entries() -> ResponseReturnValue:
    """The solutions or pilot projects of the user's organisation (placeholder)."""
    abort(404)


@bp.route("/marketplace/curation")
@login_required
def curation_queue() -> ResponseReturnValue:
    """Entries waiting for the Kompetenzzentrum (placeholder)."""
    abort(404)
