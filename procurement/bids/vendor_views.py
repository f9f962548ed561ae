"""Vendors' bid pages: prepare, upload files, submit, withdraw, receipt.

Vendors see only their own organisation's bids (404 for everyone else). The upload parses the
request body as a stream and seals each file as it arrives (procurement.bids.upload); every
other form is an ordinary CSRF-protected POST.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from procurement.accounts.forms import ActionForm
from procurement.bids import (
    models,  # noqa: F401
    services,
)
from procurement.bids.blueprint import bp
from procurement.bids.forms import UploadForm, draft_form
from procurement.bids.labels import BID_FILE_KIND_LABELS, BID_STATUS_LABELS
from procurement.bids.models import Bid, BidFileKind
from procurement.bids.permissions import can_download_receipt, can_prepare_bid, is_vendor
from procurement.bids.receipt import render_receipt
from procurement.bids.upload import FieldPart, FilePart, MultipartError, iter_multipart
from procurement.database import utcnow
from procurement.errors import DomainError
from procurement.extensions import csrf, db
from procurement.marketplace.documents import format_size
from procurement.marketplace.views import UPLOAD_FORM_OVERHEAD
from procurement.tenders.deadlines import refresh
from procurement.tenders.models import Tender
from procurement.tenders.permissions import can_view_public
from workflows.bid import BidStatus
from workflows.tender import TenderStatus


@bp.app_context_processor
def bid_helpers() -> dict[str, object]:
    """Templates outside this blueprint (the public notice) ask who may prepare a bid."""
    return {"can_prepare_bid": can_prepare_bid}


def _tender_for_vendor(tender_id: int) -> Tender:
    """A tender the signed-in vendor may bid for or see its bids of (404 otherwise)."""
    if not is_vendor(current_user):
        abort(404)
    tender = db.get_or_404(Tender, tender_id)
    if not can_view_public(current_user, tender):
        abort(404)
    return tender


def _own_bid(tender: Tender, bid_id: int) -> Bid:
    try:
        return services.load_own_bid(current_user, tender.id, bid_id)
    except DomainError:
        abort(404)


def _page(
    tender: Tender,
    now: datetime,
    form: Any = None,
    upload_errors: Optional[list[str]] = None,
    draft_errors: Optional[list[str]] = None,
    status: int = 200,
) -> ResponseReturnValue:
    draft = services.current_draft(current_user, tender)
    open_for_bids = (
        tender.status is TenderStatus.published
        and tender.bid_deadline is not None
        and now < tender.bid_deadline
        and can_prepare_bid(current_user, tender)
    )
    if form is None and open_for_bids:
        content = services.draft_content(current_user, draft) if draft is not None else None
        form = draft_form(tender, content, formdata=None)
    bids = [
        bid
        for bid in services.bids_of_organisation(current_user, tender)
        if bid.status is not BidStatus.draft
    ]
    return (
        render_template(
            "bids/bid.html",
            tender=tender,
            draft=draft,
            form=form if open_for_bids else None,
            upload_form=UploadForm(formdata=None),
            upload_errors=upload_errors or [],
            draft_errors=draft_errors or [],
            action_form=ActionForm(formdata=None),
            bids=bids,
            open_for_bids=open_for_bids,
            status_labels=BID_STATUS_LABELS,
            kind_labels=BID_FILE_KIND_LABELS,
            format_size=format_size,
            max_file=format_size(current_app.config["MAX_BID_FILE_BYTES"]),
            max_bid=format_size(current_app.config["MAX_BID_BYTES"]),
        ),
        status,
    )


@bp.get("/ausschreibungen/<int:tender_id>/angebot")
@login_required
def bid(tender_id: int) -> ResponseReturnValue:
    """The vendor's bid for a tender: the draft, its files, the submitted bids and receipts."""
    tender = _tender_for_vendor(tender_id)
    now = utcnow()
    refresh(tender, now)
    return _page(tender, now)


@bp.post("/ausschreibungen/<int:tender_id>/angebot")
@login_required
def save(tender_id: int) -> ResponseReturnValue:
    """Save the draft: prices, answers, consortium; sealed at once."""
    tender = _tender_for_vendor(tender_id)
    now = utcnow()
    form = draft_form(tender)
    if not form.validate_on_submit():
        return _page(tender, now, form=form, status=422)
    draft = services.get_or_create_draft(current_user, tender, now)
    try:
        services.save_draft(current_user, draft, form.bid_data(), utcnow())
    except services.LateSubmission:
        raise
    except DomainError as err:
        db.session.rollback()
        return _page(
            tender, utcnow(), form=draft_form(tender), draft_errors=[err.message], status=err.status_code
        )
    flash(_("Der Entwurf ist verschlüsselt gespeichert."), "success")
    return redirect(url_for("bids.bid", tender_id=tender.id))


def _kind(value: str) -> BidFileKind:
    try:
        return BidFileKind(value)
    except ValueError:
        abort(400)


# The app-wide request limit (MAX_CONTENT_LENGTH) is for forms; this route raises it to the bid
# limit before the body is read. The body is parsed as a stream, so the CSRF check runs here on
# the token field, which the form sends before the files.
@bp.post("/ausschreibungen/<int:tender_id>/angebot/dateien")
@csrf.exempt
@login_required
def upload(tender_id: int) -> ResponseReturnValue:
    """Receive bid files as a stream and seal them as they arrive (§54 VgV: never kept in clear)."""
    tender = _tender_for_vendor(tender_id)
    now = utcnow()
    request.max_content_length = current_app.config["MAX_BID_BYTES"] + UPLOAD_FORM_OVERHEAD
    boundary = request.mimetype_params.get("boundary", "")
    if request.mimetype != "multipart/form-data" or not boundary:
        abort(400)
    token_checked = False
    kind = BidFileKind.other
    added = []
    draft: Optional[Bid] = None
    try:
        for part in iter_multipart(request.stream, boundary.encode("latin-1")):
            if isinstance(part, FieldPart):
                if part.name == "csrf_token":
                    try:
                        validate_csrf(part.value)
                    except ValidationError as err:
                        raise CSRFError(str(err)) from err
                    token_checked = True
                elif part.name == "kind":
                    kind = _kind(part.value)
                continue
            assert isinstance(part, FilePart)
            if not token_checked:
                raise CSRFError("file before the CSRF token")
            if not part.filename:
                continue  # an empty file input
            if draft is None:
                draft = services.get_or_create_draft(current_user, tender, now)
            added.append(services.add_file(current_user, draft, part.filename, part.reader, now, kind=kind))
    except MultipartError:
        abort(400)
    except services.LateSubmission:
        raise
    except DomainError as err:
        db.session.rollback()
        return _page(tender, utcnow(), upload_errors=[err.message], status=err.status_code)
    if not token_checked:
        raise CSRFError("no CSRF token")
    if not added:
        return _page(tender, utcnow(), upload_errors=[_("Bitte wählen Sie eine Datei aus.")], status=422)
    flash(
        ngettext(
            "%(num)d Datei verschlüsselt gespeichert: %(names)s.",
            "%(num)d Dateien verschlüsselt gespeichert: %(names)s.",
            len(added),
            names=", ".join(f.filename for f in added),
        ),
        "success",
    )
    return redirect(url_for("bids.bid", tender_id=tender.id))


@bp.post("/ausschreibungen/<int:tender_id>/angebot/<int:bid_id>/dateien/<int:file_id>/loeschen")
@login_required
def delete_file(tender_id: int, bid_id: int, file_id: int) -> ResponseReturnValue:
    tender = _tender_for_vendor(tender_id)
    bid = _own_bid(tender, bid_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    bid_file = services.load_file(bid, file_id)
    name = bid_file.filename
    services.delete_file(current_user, bid_file, utcnow())
    flash(_("Die Datei „%(name)s“ ist entfernt.", name=name), "success")
    return redirect(url_for("bids.bid", tender_id=tender.id))


@bp.post("/ausschreibungen/<int:tender_id>/angebot/<int:bid_id>/abgeben")
@login_required
def submit(tender_id: int, bid_id: int) -> ResponseReturnValue:
    """Submit the draft; the time of receipt is the server time after the request was read."""
    tender = _tender_for_vendor(tender_id)
    bid = _own_bid(tender, bid_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.submit_bid(current_user, bid, utcnow())
    flash(
        _(
            "Ihr Angebot ist eingegangen (Angebotsnummer %(id)s). Die Eingangsbestätigung finden Sie "
            "unten und in Ihrem Postfach.",
            id=bid.receipt_id,
        ),
        "success",
    )
    return redirect(url_for("bids.bid", tender_id=tender.id, _anchor=f"bid-{bid.id}"))


@bp.post("/ausschreibungen/<int:tender_id>/angebot/<int:bid_id>/zurueckziehen")
@login_required
def withdraw(tender_id: int, bid_id: int) -> ResponseReturnValue:
    tender = _tender_for_vendor(tender_id)
    bid = _own_bid(tender, bid_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.withdraw_bid(current_user, bid, utcnow())
    flash(_("Ihr Angebot ist zurückgezogen."), "success")
    return redirect(url_for("bids.bid", tender_id=tender.id))


@bp.get("/ausschreibungen/<int:tender_id>/angebot/<int:bid_id>/eingangsbestaetigung.pdf")
@login_required
def receipt_pdf(tender_id: int, bid_id: int) -> ResponseReturnValue:
    """The receipt as PDF (§10(1) Nr. 1 VgV): time of receipt, files with sizes and hashes."""
    tender = _tender_for_vendor(tender_id)
    bid = _own_bid(tender, bid_id)
    if not can_download_receipt(current_user, bid):
        abort(404)
    response = Response(render_receipt(bid), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="eingangsbestaetigung-{bid.receipt_id}.pdf"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/angebote")
@login_required
def my_bids() -> ResponseReturnValue:
    """The vendor organisation's bids over all tenders."""
    if not is_vendor(current_user):
        abort(404)
    now = utcnow()
    bids = services.bids_of_organisation(current_user)
    for tender in {bid.tender for bid in bids}:
        refresh(tender, now)
    return render_template("bids/my_bids.html", bids=bids, status_labels=BID_STATUS_LABELS, now=now)
