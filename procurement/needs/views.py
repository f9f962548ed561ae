"""Needs blueprint: needs, bundling proposals, invitations, the municipality dashboard."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue
from flask_login import login_required

from procurement.needs import models  # noqa: F401 - registers the tables

bp = Blueprint("needs", __name__)


@bp.route("/needs/new")
@login_required
def new_need() -> ResponseReturnValue:
    """Draft a need; ``?solution=ID`` or ``?pilot=ID`` pre-fills it (placeholder)."""
    abort(404)


@bp.route("/dashboard")
@login_required
def dashboard() -> ResponseReturnValue:
    """The municipality's needs, proposals that concern it, pilot projects nearby (placeholder)."""
    abort(404)
