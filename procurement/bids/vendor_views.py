"""Vendors' bid pages: prepare, upload files, submit, withdraw, receipt."""

from __future__ import annotations

from flask import abort
from flask.typing import ResponseReturnValue
from flask_login import login_required

from procurement.bids import models  # noqa: F401
from procurement.bids.blueprint import bp


@bp.get("/ausschreibungen/<int:tender_id>/angebot")
@login_required
def bid(tender_id: int) -> ResponseReturnValue:
    abort(404)


@bp.get("/ausschreibungen/<int:tender_id>/angebot/<int:bid_id>/eingangsbestaetigung.pdf")
@login_required
def receipt_pdf(tender_id: int, bid_id: int) -> ResponseReturnValue:
    abort(404)
