"""Public pages: the list of open tenders, a tender's notice page, bidder questions."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from procurement.tenders.blueprint import bp


@bp.get("/ausschreibungen/")
def public_list() -> ResponseReturnValue:
    """Placeholder until the public list of open tenders exists."""
    return ""
