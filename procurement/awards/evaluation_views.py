"""The evaluation pages (routes register on ``procurement.awards.blueprint.bp``).

Officers of the lead (``can_view_evaluation``): the overview, the review of a bid, the ranking
of a lot, §56 requests, §60 explanations, quality points. Members of the tender without that
right (the lead's requesters, the participants) get 403; everyone else 404, so the tender's
internal state does not leak. Vendors answer their own requests on ``awards.vendor_request``
(404 for everyone else). Every POST is CSRF-protected; refused moves are a German 409.
"""

from __future__ import annotations

from typing import Any, Optional

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import select
from wtforms import ValidationError

from procurement.awards import evaluation as service
from procurement.awards import requests as request_service
from procurement.awards.blueprint import bp
from procurement.awards.evaluation_forms import (
    AdmitForm,
    AnswerForm,
    ExcludeForm,
    ExplanationForm,
    ReconsiderForm,
    RequestForm,
    ScoreForm,
    WithdrawRequestForm,
)
from procurement.awards.models import ExclusionGround, QualityScore, RequestStatus
from procurement.awards.permissions import can_manage_award, can_view_evaluation
from procurement.bids.labels import BID_FILE_KIND_LABELS, BID_STATUS_LABELS
from procurement.bids.models import Bid
from procurement.bids.opening import read_opened_bid
from procurement.bids.permissions import can_read_bid_content
from procurement.bids.upload import FieldPart, FilePart, MultipartError, iter_multipart
from procurement.database import utcnow
from procurement.errors import DomainError
from procurement.extensions import csrf, db
from procurement.marketplace.documents import format_size
from procurement.marketplace.views import UPLOAD_FORM_OVERHEAD
from procurement.tenders.models import Criterion, Lot, Tender
from procurement.tenders.permissions import can_view_tender


def _request_labels() -> dict[RequestStatus, str]:
    return {
        RequestStatus.open: _("offen"),
        RequestStatus.answered: _("beantwortet"),
        RequestStatus.lapsed: _("Frist abgelaufen ohne Antwort"),
        RequestStatus.withdrawn: _("zurückgezogen"),
    }


@bp.app_context_processor
def evaluation_helpers() -> dict[str, object]:
    """The vendor's bid page lists each bid's §56 requests with a link to answer them."""
    return {"document_requests_of": _visible_requests, "request_status_labels": _request_labels}


def _visible_requests(bid: Bid) -> list[Any]:
    if bid.status not in service.EVALUATED_STATES:
        return []
    return request_service.requests_of_bid(bid)


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _tender(tender_id: int) -> Tender:
    tender = db.get_or_404(Tender, tender_id)
    if not can_view_evaluation(current_user, tender):
        abort(403 if can_view_tender(current_user, tender) else 404)
    return tender


def _tender_to_change(tender_id: int) -> Tender:
    """A tender whose evaluation ``current_user`` may change: the lead's officers (whether the
    state allows it is the service's 409); readers such as auditors get 403 before any form."""
    tender = _tender(tender_id)
    if not can_manage_award(current_user, tender):
        abort(403)
    return tender


def _bid(tender: Tender, bid_id: int) -> Bid:
    try:
        return service.load_bid(current_user, tender, bid_id)
    except DomainError:
        abort(404)


def _version(form: Any) -> Optional[int]:
    return form.version.data if form.version.data is not None else None


# --- the overview --------------------------------------------------------------------------


@bp.get("/vergaben/<int:tender_id>/wertung")
@login_required
def evaluation(tender_id: int) -> ResponseReturnValue:
    tender = _tender(tender_id)
    overview = service.overview(current_user, tender, utcnow())
    return _private(
        Response(
            render_template(
                "awards/evaluation.html",
                tender=tender,
                overview=overview,
                status_labels=BID_STATUS_LABELS,
                ground_labels=service.EXCLUSION_GROUND_LABELS,
            )
        )
    )


# --- the review of one bid -------------------------------------------------------------------


def _review_page(
    tender: Tender,
    bid: Bid,
    forms: Optional[dict[str, Any]] = None,
    status: int = 200,
    errors: Optional[list[str]] = None,
) -> ResponseReturnValue:
    now = utcnow()
    content = read_opened_bid(current_user, bid, now) if can_read_bid_content(current_user, bid) else None
    forms = forms or {}
    version = {"version": bid.version}
    offers = {
        offer.lot_id: offer
        for offer in db.session.scalars(
            select(service.Offer).where(service.Offer.bid_id == bid.id).order_by(service.Offer.lot_id)
        )
    }
    flags = []
    for lot in tender.lots:
        flag = service.abnormal_flags(lot).get(bid.id)
        if flag is not None and lot.id in offers:
            flags.append((lot, offers[lot.id], flag))
    criteria = service.quality_criteria(tender)
    scores = service.scores_of_bid(bid)
    mine = {s.criterion_id: s for s in scores if s.evaluator_id == current_user.id}
    score_forms = {}
    for criterion in criteria:
        own: Optional[QualityScore] = mine.get(criterion.id)
        submitted = forms.get("score")
        if submitted is not None and submitted.criterion_id.data == criterion.id:
            score_forms[criterion.id] = submitted
        else:
            score_forms[criterion.id] = ScoreForm(
                formdata=None,
                criterion_id=criterion.id,
                seen=service.score_token(own),
                points=str(own.points).replace(".", ",") if own else "",
                justification=own.justification if own else "",
                prefix=f"c{criterion.id}",
            )
    explanation_forms = {
        lot.id: (
            forms["explanation"]
            if forms.get("explanation") is not None and forms["explanation"].lot_id.data == lot.id
            else ExplanationForm(
                formdata=None,
                lot_id=lot.id,
                explanation=offer.explanation,
                prefix=f"l{lot.id}",
                **version,
            )
        )
        for lot, offer, _flag in flags
    }
    requests = request_service.requests_of_bid(bid)
    return _private(
        Response(
            render_template(
                "awards/review.html",
                tender=tender,
                bid=bid,
                review=service.review_of(bid),
                content=content,
                offers=offers,
                flags=flags,
                criteria=criteria,
                scores=scores,
                score_forms=score_forms,
                explanation_forms=explanation_forms,
                requests=requests,
                can_evaluate=service.can_evaluate(current_user, tender),
                admit_form=forms.get("admit") or AdmitForm(formdata=None, **version),
                exclude_form=forms.get("exclude") or ExcludeForm(formdata=None, **version),
                reconsider_form=ReconsiderForm(formdata=None, **version),
                request_form=forms.get("request") or RequestForm(formdata=None),
                withdraw_forms={
                    r.id: WithdrawRequestForm(formdata=None, version=r.version) for r in requests
                },
                status_labels=BID_STATUS_LABELS,
                ground_labels=service.EXCLUSION_GROUND_LABELS,
                request_labels=_request_labels(),
                kind_labels=BID_FILE_KIND_LABELS,
                format_size=format_size,
                scale_of=service.scale_of,
                now=now,
                errors=errors or [],
            ),
            status,
        )
    )


@bp.get("/vergaben/<int:tender_id>/wertung/angebote/<int:bid_id>")
@login_required
def review_bid(tender_id: int, bid_id: int) -> ResponseReturnValue:
    tender = _tender(tender_id)
    return _review_page(tender, _bid(tender, bid_id))


def _back(tender: Tender, bid: Bid) -> ResponseReturnValue:
    return redirect(url_for("awards.review_bid", tender_id=tender.id, bid_id=bid.id))


def _form_error(tender: Tender, bid: Bid, name: str, form: Any, err: DomainError) -> ResponseReturnValue:
    """A rule refused the form's input (422): show the page again with the message at the form."""
    db.session.rollback()
    if err.status_code != 422:
        raise err
    return _review_page(tender, bid, {name: form}, status=422, errors=[err.message])


@bp.post("/vergaben/<int:tender_id>/wertung/angebote/<int:bid_id>/zulassen")
@login_required
def admit_bid(tender_id: int, bid_id: int) -> ResponseReturnValue:
    tender = _tender_to_change(tender_id)
    bid = _bid(tender, bid_id)
    form = AdmitForm()
    if not form.validate_on_submit():
        return _invalid(tender, bid, "admit", form)
    service.admit(current_user, tender, bid, form.reason.data or "", utcnow(), _version(form))
    flash(
        _("Das Angebot von %(vendor)s ist zur Wertung zugelassen.", vendor=bid.organisation.name), "success"
    )
    return _back(tender, bid)


def _invalid(tender: Tender, bid: Bid, name: str, form: Any) -> ResponseReturnValue:
    if "csrf_token" in form.errors:
        raise CSRFError("invalid CSRF token")
    return _review_page(tender, bid, {name: form}, status=422)


@bp.post("/vergaben/<int:tender_id>/wertung/angebote/<int:bid_id>/ausschliessen")
@login_required
def exclude_bid(tender_id: int, bid_id: int) -> ResponseReturnValue:
    tender = _tender_to_change(tender_id)
    bid = _bid(tender, bid_id)
    form = ExcludeForm()
    if not form.validate_on_submit():
        return _invalid(tender, bid, "exclude", form)
    try:
        service.exclude(
            current_user,
            tender,
            bid,
            ExclusionGround(form.ground.data),
            form.reason.data,
            utcnow(),
            _version(form),
        )
    except DomainError as err:
        return _form_error(tender, bid, "exclude", form, err)
    flash(_("Das Angebot von %(vendor)s ist ausgeschlossen.", vendor=bid.organisation.name), "success")
    return _back(tender, bid)


@bp.post("/vergaben/<int:tender_id>/wertung/angebote/<int:bid_id>/zuruecknehmen")
@login_required
def reconsider_bid(tender_id: int, bid_id: int) -> ResponseReturnValue:
    tender = _tender_to_change(tender_id)
    bid = _bid(tender, bid_id)
    form = ReconsiderForm()
    if not form.validate_on_submit():
        return _invalid(tender, bid, "reconsider", form)
    service.reconsider(current_user, tender, bid, utcnow(), _version(form))
    flash(_("Die Entscheidung ist zurückgenommen: das Angebot ist wieder ungeprüft."), "success")
    return _back(tender, bid)


@bp.post("/vergaben/<int:tender_id>/wertung/angebote/<int:bid_id>/nachforderung")
@login_required
def request_documents(tender_id: int, bid_id: int) -> ResponseReturnValue:
    tender = _tender_to_change(tender_id)
    bid = _bid(tender, bid_id)
    form = RequestForm()
    if not form.validate_on_submit():
        return _invalid(tender, bid, "request", form)
    deadline = form.deadline_utc()
    assert deadline is not None
    try:
        request_service.create_request(current_user, tender, bid, form.text.data, deadline, utcnow())
    except DomainError as err:
        return _form_error(tender, bid, "request", form, err)
    flash(_("Die Unterlagen sind nachgefordert; der Bieter ist per E-Mail benachrichtigt."), "success")
    return _back(tender, bid)


@bp.post("/vergaben/<int:tender_id>/wertung/nachforderungen/<int:request_id>/zurueckziehen")
@login_required
def withdraw_request(tender_id: int, request_id: int) -> ResponseReturnValue:
    tender = _tender_to_change(tender_id)
    try:
        request_ = request_service.load_request(current_user, tender, request_id)
    except DomainError:
        abort(404)
    form = WithdrawRequestForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            raise CSRFError("invalid CSRF token")
        abort(400)
    request_service.withdraw_request(current_user, tender, request_, utcnow(), _version(form))
    flash(_("Die Nachforderung ist zurückgezogen."), "success")
    return _back(tender, request_.bid)


@bp.get("/vergaben/<int:tender_id>/wertung/nachforderungen/<int:request_id>/dateien/<int:file_id>")
@login_required
def reply_file(tender_id: int, request_id: int, file_id: int) -> ResponseReturnValue:
    tender = _tender(tender_id)
    try:
        request_ = request_service.load_request(current_user, tender, request_id)
    except DomainError:
        abort(404)
    download = request_service.download_reply_file(current_user, tender, request_, file_id, utcnow())
    reply = download.reply_file
    response = Response(download.chunks, mimetype=reply.content_type, direct_passthrough=True)
    response.headers.set("Content-Disposition", "attachment", filename=reply.filename)
    response.headers["Content-Length"] = str(reply.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return _private(response)


@bp.post("/vergaben/<int:tender_id>/wertung/angebote/<int:bid_id>/punkte")
@login_required
def score_bid(tender_id: int, bid_id: int) -> ResponseReturnValue:
    tender = _tender_to_change(tender_id)
    bid = _bid(tender, bid_id)
    prefix = next((key.split("-", 1)[0] for key in request.form if key.endswith("-criterion_id")), "")
    form = ScoreForm(prefix=prefix)
    if not form.validate_on_submit():
        return _invalid(tender, bid, "score", form)
    criterion = db.session.get(Criterion, form.criterion_id.data)
    if criterion is None or criterion.tender_id != tender.id:
        abort(404)
    try:
        service.set_score(
            current_user,
            tender,
            bid,
            criterion,
            form.points.data,
            form.justification.data,
            utcnow(),
            seen=form.seen.data or None,
        )
    except DomainError as err:
        return _form_error(tender, bid, "score", form, err)
    flash(_("Ihre Punkte zu „%(criterion)s“ sind gespeichert.", criterion=criterion.name), "success")
    return _back(tender, bid)


@bp.post("/vergaben/<int:tender_id>/wertung/angebote/<int:bid_id>/aufklaerung")
@login_required
def record_explanation(tender_id: int, bid_id: int) -> ResponseReturnValue:
    tender = _tender_to_change(tender_id)
    bid = _bid(tender, bid_id)
    prefix = next((key.split("-", 1)[0] for key in request.form if key.endswith("-lot_id")), "")
    form = ExplanationForm(prefix=prefix)
    if not form.validate_on_submit():
        return _invalid(tender, bid, "explanation", form)
    offer = service.load_offer(tender, bid, form.lot_id.data)
    try:
        service.record_explanation(
            current_user,
            tender,
            offer,
            form.explanation.data,
            form.decision.data == "accept",
            utcnow(),
            exclusion_reason=form.reason.data or "",
            version=_version(form),
        )
    except DomainError as err:
        return _form_error(tender, bid, "explanation", form, err)
    if form.decision.data == "accept":
        flash(_("Die Aufklärung ist erfasst: das Angebot bleibt in der Wertung."), "success")
    else:
        flash(_("Die Aufklärung ist erfasst und das Angebot ausgeschlossen (§ 60 Abs. 3 VgV)."), "success")
    return _back(tender, bid)


# --- the ranking of a lot ----------------------------------------------------------------------


@bp.get("/vergaben/<int:tender_id>/wertung/lose/<int:lot_id>")
@login_required
def lot_ranking(tender_id: int, lot_id: int) -> ResponseReturnValue:
    tender = _tender(tender_id)
    lot = db.session.get(Lot, lot_id)
    if lot is None or lot.tender_id != tender.id:
        abort(404)
    page = service.ranking_page(current_user, tender, lot, utcnow())
    return _private(
        Response(
            render_template(
                "awards/ranking.html",
                tender=tender,
                page=page,
                scale_of=service.scale_of,
                spread_warning=service.spread_warning,
            )
        )
    )


# --- the vendor's answer ------------------------------------------------------------------------


def _vendor_request(request_id: int):  # type: ignore[no-untyped-def]
    try:
        return request_service.load_vendor_request(current_user, request_id)
    except DomainError:
        abort(404)


def _vendor_page(request_: Any, errors: Optional[list[str]] = None, text: str = "", status: int = 200):  # type: ignore[no-untyped-def]
    now = utcnow()
    form = AnswerForm(formdata=None, version=request_.version, text=text)
    return _private(
        Response(
            render_template(
                "awards/request.html",
                request_=request_,
                tender=request_.bid.tender,
                form=form,
                errors=errors or [],
                answerable=request_service.is_answerable(request_, now),
                request_labels=_request_labels(),
                format_size=format_size,
                max_file=format_size(current_app.config["MAX_BID_FILE_BYTES"]),
                max_total=format_size(current_app.config["MAX_BID_BYTES"]),
            ),
            status,
        )
    )


@bp.get("/nachforderungen/<int:request_id>")
@login_required
def vendor_request(request_id: int) -> ResponseReturnValue:
    return _vendor_page(_vendor_request(request_id))


# The body is parsed as a stream so the files are sealed as they arrive (never spooled in clear);
# the CSRF token must come before the first file part, as on the bid upload.
@bp.post("/nachforderungen/<int:request_id>")
@csrf.exempt
@login_required
def answer_request(request_id: int) -> ResponseReturnValue:
    request_ = _vendor_request(request_id)
    now = utcnow()
    request.max_content_length = current_app.config["MAX_BID_BYTES"] + UPLOAD_FORM_OVERHEAD
    boundary = request.mimetype_params.get("boundary", "")
    if request.mimetype != "multipart/form-data" or not boundary:
        abort(400)
    token_checked = False
    text = ""
    version: Optional[int] = None
    try:
        for part in iter_multipart(request.stream, boundary.encode("latin-1")):
            if isinstance(part, FieldPart):
                if part.name == "csrf_token":
                    try:
                        validate_csrf(part.value)
                    except ValidationError as err:
                        raise CSRFError(str(err)) from err
                    token_checked = True
                elif part.name == "text":
                    text = part.value
                elif part.name == "version":
                    try:
                        version = int(part.value)
                    except ValueError:
                        abort(400)
                continue
            assert isinstance(part, FilePart)
            if not token_checked:
                raise CSRFError("file before the CSRF token")
            if not part.filename:
                continue
            request_service.add_reply_file(current_user, request_, part.filename, part.reader, now)
        if not token_checked:
            raise CSRFError("no CSRF token")
        request_service.answer_request(current_user, request_, text, now, version)
    except MultipartError:
        abort(400)
    except DomainError as err:
        db.session.rollback()
        if err.status_code == 422 or err.status_code == 413:
            db.session.refresh(request_)
            return _vendor_page(request_, [err.message], text, err.status_code)
        raise
    count = len(request_.files)
    flash(
        ngettext(
            "Ihre Antwort ist eingegangen (%(num)d Datei, verschlüsselt gespeichert).",
            "Ihre Antwort ist eingegangen (%(num)d Dateien, verschlüsselt gespeichert).",
            count,
        ),
        "success",
    )
    return redirect(url_for("awards.vendor_request", request_id=request_.id))
