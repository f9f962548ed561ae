"""Opening of the bids by two officers (§55 VgV), the opening record, opened bids.

All pages are the lead's officers' only. Members of the tender who are not the lead's officers
(the lead's requesters, the participants) get 403; everyone else 404 (they do not learn that
the tender exists internally).
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from procurement.accounts.forms import ActionForm
from procurement.bids import opening as service
from procurement.bids.blueprint import bp
from procurement.bids.labels import BID_FILE_KIND_LABELS, BID_STATUS_LABELS
from procurement.bids.permissions import can_view_opening
from procurement.bids.record import berlin_time
from procurement.database import utcnow
from procurement.extensions import db
from procurement.marketplace.documents import format_size
from procurement.tenders.models import Tender
from procurement.tenders.permissions import can_view_tender


def _tender_for_opening(tender_id: int) -> Tender:
    tender = db.get_or_404(Tender, tender_id)
    if not can_view_opening(current_user, tender):
        abort(403 if can_view_tender(current_user, tender) else 404)
    return tender


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/vergaben/<int:tender_id>/oeffnung")
@login_required
def opening(tender_id: int) -> ResponseReturnValue:
    """Before the deadline: nothing about bids. After it: the count and the confirmations."""
    tender = _tender_for_opening(tender_id)
    overview = service.opening_overview(current_user, tender, utcnow())
    response = Response(
        render_template(
            "bids/opening.html",
            tender=tender,
            overview=overview,
            action_form=ActionForm(formdata=None),
            berlin_time=berlin_time,
            status_labels=BID_STATUS_LABELS,
            format_size=format_size,
        )
    )
    return _private(response)


@bp.post("/vergaben/<int:tender_id>/oeffnung")
@login_required
def confirm_opening(tender_id: int) -> ResponseReturnValue:
    tender = _tender_for_opening(tender_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    opened = service.confirm_opening(current_user, tender, utcnow())
    if opened is None:
        flash(
            _(
                "Ihre Bestätigung ist gespeichert. Die Angebote werden geöffnet, sobald eine zweite "
                "Person der Vergabestelle bestätigt (§ 55 Abs. 2 VgV)."
            ),
            "success",
        )
    else:
        flash(_("Die Angebote sind geöffnet. Das Öffnungsprotokoll ist erstellt."), "success")
    return redirect(url_for("bids.opening", tender_id=tender.id))


@bp.get("/vergaben/<int:tender_id>/oeffnungsprotokoll.pdf")
@login_required
def opening_record(tender_id: int) -> ResponseReturnValue:
    """The stored opening record, as issued (checked against its SHA-256)."""
    tender = _tender_for_opening(tender_id)
    pdf = service.opening_record_pdf(current_user, tender, utcnow())
    response = Response(pdf, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=f"oeffnungsprotokoll-{tender.id}.pdf")
    return _private(response)


@bp.get("/vergaben/<int:tender_id>/angebote/<int:bid_id>")
@login_required
def opened_bid(tender_id: int, bid_id: int) -> ResponseReturnValue:
    tender = _tender_for_opening(tender_id)
    bid = service.load_opened_bid(current_user, tender, bid_id)
    content = service.read_opened_bid(current_user, bid, utcnow())
    response = Response(
        render_template(
            "bids/opened_bid.html",
            tender=tender,
            bid=bid,
            content=content,
            berlin_time=berlin_time,
            status_labels=BID_STATUS_LABELS,
            kind_labels=BID_FILE_KIND_LABELS,
            format_size=format_size,
        )
    )
    return _private(response)


@bp.get("/vergaben/<int:tender_id>/angebote/<int:bid_id>/dateien/<int:file_id>")
@login_required
def opened_file(tender_id: int, bid_id: int, file_id: int) -> ResponseReturnValue:
    """Stream the decrypted file (verified completely first, so a broken file is a clear 409)."""
    tender = _tender_for_opening(tender_id)
    bid = service.load_opened_bid(current_user, tender, bid_id)
    download = service.download_opened_file(current_user, bid, file_id, utcnow())
    response = Response(download.chunks, mimetype=download.bid_file.content_type, direct_passthrough=True)
    response.headers.set("Content-Disposition", "attachment", filename=download.bid_file.filename)
    response.headers["Content-Length"] = str(download.bid_file.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return _private(response)
