"""Public pages: the list of open tenders, a tender's notice page, bidder questions and the
extension of the bid deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Optional

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime, format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, func, or_, select
from werkzeug.routing import BuildError

from procurement.accounts.models import Organisation
from procurement.database import utcnow
from procurement.errors import Conflict, DomainError
from procurement.extensions import db
from procurement.tenders import questions as question_service
from procurement.tenders.advisor import BERLIN
from procurement.tenders.blueprint import bp
from procurement.tenders.deadlines import refresh
from procurement.tenders.documents import document_series
from procurement.tenders.labels import (
    CANCELLATION_REASON_LABELS,
    CONTRACT_NATURE_LABELS,
    CRITERION_KIND_LABELS,
    PROCEDURE_LABELS,
    SCORING_METHOD_LABELS,
)
from procurement.tenders.models import Lot, Question, Tender
from procurement.tenders.permissions import (
    PUBLIC_STATES,
    can_answer_questions,
    can_manage_tender,
    can_view_public,
    can_view_tender,
    is_public,
)
from procurement.tenders.public_forms import AnswerForm, ExtendDeadlineForm, QuestionForm, TenderFilterForm
from workflows.tender import TenderStatus

PAGE_SIZE = 20


# --- the public list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TenderRow:
    id: int
    title: str
    lead_authority: str
    cpv_code: str
    nuts_code: str
    procedure: str
    bid_deadline: Optional[datetime]
    status: TenderStatus


def _start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in German time, as UTC."""
    return datetime.combine(day, time(0), BERLIN).astimezone(UTC)


def _lot_matches(column: str, prefix: str) -> Any:
    return Tender.lots.any(getattr(Lot, column).startswith(prefix, autoescape=True))


def tender_query(form: TenderFilterForm, now: datetime) -> Select[Any]:
    """Published tenders matching the usable filters: open ones, or with ``past`` the others."""
    query = select(Tender, Organisation.name).join(
        Organisation, Organisation.id == Tender.lead_organisation_id
    )
    query = query.where(Tender.published_at.is_not(None), Tender.status.in_(PUBLIC_STATES))
    still_open = (Tender.status == TenderStatus.published) & (Tender.bid_deadline > now)
    past = bool(form.usable("past"))
    if past:
        query = query.where(~still_open).order_by(Tender.bid_deadline.desc(), Tender.id.desc())
    else:
        query = query.where(still_open).order_by(Tender.published_at.desc(), Tender.id.desc())
    if form.cpv_prefix:
        query = query.where(
            or_(
                Tender.cpv_code.startswith(form.cpv_prefix, autoescape=True),
                _lot_matches("cpv_code", form.cpv_prefix),
            )
        )
    if form.nuts_prefix:
        query = query.where(
            or_(
                Tender.nuts_code.startswith(form.nuts_prefix, autoescape=True),
                _lot_matches("nuts_code", form.nuts_prefix),
            )
        )
    start = form.usable("deadline_from")
    if start is not None:
        query = query.where(Tender.bid_deadline >= _start_of(start))
    until = form.usable("deadline_until")
    if until is not None:
        query = query.where(Tender.bid_deadline < _start_of(until + timedelta(days=1)))
    text = (form.usable("q") or "").lower()
    for word in text.split()[:10]:
        query = query.where(
            or_(
                func.lower(Tender.title).contains(word, autoescape=True),
                func.lower(Tender.description).contains(word, autoescape=True),
            )
        )
    return query


def _page_url(page: int) -> str:
    args: dict[str, Any] = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return url_for("tenders.public_list", **args)


@bp.get("/ausschreibungen/")
def public_list() -> ResponseReturnValue:
    """Published tenders still open for bids, newest first, with filters and pages."""
    form = TenderFilterForm(request.args)
    form.validate()
    now = utcnow()
    query = tender_query(form, now)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(form.page_number, pages)
    notices = form.notices()
    if form.page_number > pages:
        notices.append(_("Diese Seite gibt es nicht; gezeigt wird Seite %(page)d.", page=page))
    results = db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    rows = [
        TenderRow(
            id=tender.id,
            title=tender.title,
            lead_authority=lead_name,
            cpv_code=tender.cpv_code,
            nuts_code=tender.nuts_code,
            procedure=str(PROCEDURE_LABELS[tender.procedure]) if tender.procedure else "",
            bid_deadline=tender.bid_deadline,
            status=tender.status,
        )
        for tender, lead_name in results
    ]
    return render_template(
        "tenders/public_list.html",
        form=form,
        rows=rows,
        notices=notices,
        total=total,
        page=page,
        pages=pages,
        past=bool(form.usable("past")),
        previous_url=_page_url(page - 1) if page > 1 else None,
        next_url=_page_url(page + 1) if page < pages else None,
        page_urls=[(number, _page_url(number)) for number in _page_numbers(page, pages)],
    )


def _page_numbers(page: int, pages: int) -> list[int]:
    if pages <= 1:
        return []
    return sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})


# --- the notice page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LotRow:
    lot: Lot
    total_quantity: Decimal


def quantity(value: Decimal) -> str:
    return format_decimal(value, format="#,##0.###")


def _public_tender(tender_id: int) -> Tender:
    tender = db.session.get(Tender, tender_id)
    if tender is None or not can_view_public(current_user, tender):
        abort(404)
    refresh(tender, utcnow())
    return tender


def eforms_xml_url(tender: Tender) -> Optional[str]:
    """The eForms contract notice of an EU procedure, once the notices module offers it."""
    if (
        not tender.is_eu
        or not is_public(tender)
        or "tenders.public_notice_xml" not in current_app.view_functions
    ):
        return None
    try:
        return url_for("tenders.public_notice_xml", tender_id=tender.id)
    except BuildError:
        return None


def _question_form(
    tender: Tender, now: datetime, form: Optional[QuestionForm] = None
) -> Optional[QuestionForm]:
    if not question_service.may_ask_now(current_user, tender, now):
        return None
    return form or QuestionForm(formdata=None)


@bp.get("/ausschreibungen/<int:tender_id>")
def public_detail(tender_id: int) -> ResponseReturnValue:
    """The notice: what is bought, by whom, how; documents and published answers; no estimates."""
    tender = _public_tender(tender_id)
    now = utcnow()
    joined = tender.joined_participants
    return render_template(
        "tenders/public_detail.html",
        tender=tender,
        public=is_public(tender),
        participants=joined,
        lots=[LotRow(lot, sum((p.quantity_for(lot) for p in joined), Decimal(0))) for lot in tender.lots],
        quantity=quantity,
        documents=document_series(tender),
        answers=question_service.published_answers(tender),
        question_form=_question_form(tender, now),
        questions_open=question_service.questions_open(tender, now),
        eforms_url=eforms_xml_url(tender),
        procedure_labels=PROCEDURE_LABELS,
        nature_labels=CONTRACT_NATURE_LABELS,
        criterion_kind_labels=CRITERION_KIND_LABELS,
        scoring_labels=SCORING_METHOD_LABELS,
        cancellation_labels=CANCELLATION_REASON_LABELS,
        can_view_internal=can_view_tender(current_user, tender),
    )


# --- bidder questions ------------------------------------------------------------------------


def _member_or_public(tender_id: int) -> Tender:
    """A tender the user may see at all (404 otherwise), after the deadline check on access."""
    return _public_tender(tender_id)


def _questions_page(
    tender: Tender,
    question_form: Optional[QuestionForm] = None,
    failed: Optional[tuple[int, AnswerForm]] = None,
    status: int = 200,
) -> ResponseReturnValue:
    now = utcnow()
    answering = can_answer_questions(current_user, tender) and question_service.questions_open(tender, now)
    answer_forms: dict[int, AnswerForm] = {}
    if answering:
        for question in tender.questions:
            if question.is_answered:
                continue
            if failed is not None and failed[0] == question.id:
                answer_forms[question.id] = failed[1]
            else:
                answer_forms[question.id] = AnswerForm(formdata=None, prefix=f"q{question.id}")
    late = answering and question_service.answer_is_late(tender, now)
    return (
        render_template(
            "tenders/questions.html",
            tender=tender,
            questions=question_service.visible_questions(current_user, tender),
            show_asker=can_answer_questions(current_user, tender),
            question_form=_question_form(tender, now, question_form),
            answer_forms=answer_forms,
            late=late,
            proposed_deadline=question_service.proposed_deadline(tender.bid_deadline, now)
            if late and tender.bid_deadline
            else None,
            can_extend=question_service.can_extend_deadline(current_user, tender, now),
            questions_open=question_service.questions_open(tender, now),
        ),
        status,
    )


@bp.get("/vergaben/<int:tender_id>/fragen")
@login_required
def questions(tender_id: int) -> ResponseReturnValue:
    """Bidder questions: the lead sees all and answers; vendors see answers and their own."""
    return _questions_page(_member_or_public(tender_id))


@bp.post("/vergaben/<int:tender_id>/fragen")
@login_required
def ask_question(tender_id: int) -> ResponseReturnValue:
    tender = _member_or_public(tender_id)
    if not question_service.is_vendor_user(current_user):
        abort(403)  # only vendors ask; nobody else gets as far as the form's checks
    form = QuestionForm()
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            abort(400)
        return _questions_page(tender, question_form=form, status=422)
    try:
        question = question_service.ask_question(current_user, tender, form.text.data, utcnow())
    except DomainError as err:
        if err.status_code != 422:
            raise
        db.session.rollback()
        form.text.errors = [err.message]
        return _questions_page(tender, question_form=form, status=422)
    flash(
        _(
            "Ihre Frage ist als Frage %(number)d eingegangen. Die Antwort wird für alle Bieter "
            "veröffentlicht, ohne Ihr Unternehmen zu nennen.",
            number=question.number,
        ),
        "success",
    )
    return redirect(url_for("tenders.questions", tender_id=tender.id))


@bp.post("/vergaben/<int:tender_id>/fragen/<int:question_id>/antwort")
@login_required
def answer_question(tender_id: int, question_id: int) -> ResponseReturnValue:
    tender = _member_or_public(tender_id)
    question: Question = question_service.load_question(tender, question_id)
    if not can_view_tender(current_user, tender):
        abort(404)
    if not can_manage_tender(current_user, tender):
        abort(403)
    form = AnswerForm(prefix=f"q{question.id}")
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            abort(400)
        return _questions_page(tender, failed=(question.id, form), status=422)
    try:
        outcome = question_service.answer_question(current_user, question, form.answer.data, utcnow())
    except DomainError as err:
        if err.status_code != 422:
            raise
        db.session.rollback()
        form.answer.errors = [err.message]
        return _questions_page(tender, failed=(question.id, form), status=422)
    flash(
        _("Die Antwort auf Frage %(number)d ist für alle Bieter veröffentlicht.", number=question.number),
        "success",
    )
    if outcome.proposed_deadline is not None:
        flash(
            _(
                "Achtung: Die Antwort kommt weniger als sechs Tage vor Ablauf der Angebotsfrist "
                "(§ 20 Abs. 3 VgV). Verlängern Sie die Frist, z. B. bis %(deadline)s.",
                deadline=format_datetime(outcome.proposed_deadline, "short"),
            ),
            "warning",
        )
        return redirect(
            url_for(
                "tenders.extend_deadline",
                tender_id=tender.id,
                vorschlag=outcome.proposed_deadline.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M"),
            )
        )
    return redirect(url_for("tenders.questions", tender_id=tender.id))


# --- extending the bid deadline ----------------------------------------------------------------


def _suggested(value: Optional[str]) -> Optional[datetime]:
    try:
        return datetime.strptime(value or "", "%Y-%m-%dT%H:%M").replace(tzinfo=BERLIN)
    except ValueError:
        return None


@bp.route("/vergaben/<int:tender_id>/frist", methods=["GET", "POST"])
@login_required
def extend_deadline(tender_id: int) -> ResponseReturnValue:
    """Extend the bid deadline (e.g. after a late answer, §20(3) VgV); the vendors are told."""
    tender = db.get_or_404(Tender, tender_id)
    if not can_view_tender(current_user, tender):
        abort(404)
    if not can_manage_tender(current_user, tender):
        abort(403)
    now = utcnow()
    refresh(tender, now)
    if not question_service.can_extend_deadline(current_user, tender, now):
        raise Conflict(
            _(
                "Die Angebotsfrist kann nur verlängert werden, solange die Ausschreibung läuft und die "
                "Frist nicht abgelaufen ist."
            )
        )
    form = ExtendDeadlineForm()
    if request.method == "GET":
        form.new_deadline.data = _suggested(request.args.get("vorschlag"))
    status = 200
    if form.validate_on_submit():
        try:
            question_service.extend_deadline(current_user, tender, form.deadline(), form.reason.data, now)
        except DomainError as err:
            if err.status_code != 422:
                raise
            db.session.rollback()
            form.new_deadline.errors = [err.message]
            status = 422
        else:
            flash(
                _(
                    "Die Angebotsfrist endet jetzt am %(deadline)s. Die Bieter sind per E-Mail informiert.",
                    deadline=format_datetime(tender.bid_deadline, "short"),
                ),
                "success",
            )
            return redirect(url_for("tenders.public_detail", tender_id=tender.id))
    elif request.method == "POST":
        if form.errors.get("csrf_token"):
            abort(400)
        status = 422
    return render_template("tenders/extend_deadline.html", tender=tender, form=form), status
