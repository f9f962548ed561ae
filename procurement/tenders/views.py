"""Officers' pages of a tender: create, edit, lots, criteria, advisor, publish, cancel."""

from __future__ import annotations

from flask.typing import ResponseReturnValue
from flask_login import login_required

from procurement.tenders import models  # noqa: F401
from procurement.tenders.blueprint import bp


@bp.get("/vergaben/")
@login_required
def my_tenders() -> ResponseReturnValue:
    """Placeholder until the list of the municipality's tenders exists."""
    return ""
