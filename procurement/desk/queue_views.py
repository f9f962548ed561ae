"""The curators' desk pages: the queue (/kompetenzzentrum/anfragen) with filters, counts and the
desk's figures; assigning, answering and introducing a pilot municipality for one request.

The request itself is shown by ``desk.request`` (request_views), with the curators' forms.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from procurement.accounts.models import User
from procurement.database import utcnow
from procurement.desk import services
from procurement.desk.blueprint import bp
from procurement.desk.forms import STATUS_LABELS, AnswerForm, AssignForm, IntroductionForm, QueueFilterForm
from procurement.desk.models import AdvisoryRequest
from procurement.desk.permissions import can_work_queue
from procurement.desk.request_views import (
    attachments_of,
    domain_error_page,
    load,
    request_page,
    upload_form,
)
from procurement.errors import DomainError
from procurement.extensions import csrf, db
from procurement.marketplace.documents import too_large_message
from procurement.marketplace.models import PilotProject

PER_PAGE = 50
FIGURE_DAYS = 365


def _require_queue() -> None:
    if not can_work_queue(current_user):
        abort(403)


@bp.get("/kompetenzzentrum/anfragen")
@login_required
def queue() -> ResponseReturnValue:
    """All requests for the curators, oldest first, with filters, counts and the year's figures."""
    _require_queue()
    people = services.curators()
    form = QueueFilterForm(formdata=request.args)
    form.set_choices([(user.id, user.name) for user in people])
    filters = services.QueueFilter(
        status=form.status_value(),
        topic=form.topic_value(),
        assignee_id=form.assignee_value(),
        funded=form.funded_value(),
    )
    page = db.paginate(
        services.queue_query(current_user, filters),
        page=max(request.args.get("seite", 1, type=int) or 1, 1),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    now = utcnow()
    figures = services.desk_figures(services.Period(now - timedelta(days=FIGURE_DAYS), now))
    args = {key: value for key, value in request.args.items() if key != "seite" and value}
    response = Response(
        render_template(
            "desk/queue.html",
            form=form,
            page=page,
            counts=services.queue_counts(current_user, filters),
            status_labels=STATUS_LABELS,
            figures=figures,
            figure_days=FIGURE_DAYS,
            args=args,
        )
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _loaded(request_id: int) -> AdvisoryRequest:
    _require_queue()
    return load(request_id)


@bp.post("/kompetenzzentrum/anfragen/<int:request_id>/zuweisen")
@login_required
def assign(request_id: int) -> ResponseReturnValue:
    advisory = _loaded(request_id)
    form = AssignForm()
    if not form.validate_on_submit():
        abort(400)
    assignee = db.session.get(User, form.assignee_id() or 0)
    if assignee is None:
        abort(400)
    try:
        services.assign(current_user, advisory, assignee, utcnow(), form.version_number)
    except DomainError as err:
        return domain_error_page(request_id, form, err, "assign")
    flash(_("Die Anfrage ist %(name)s zugewiesen.", name=assignee.name), "success")
    return redirect(url_for("desk.request", request_id=request_id), 303)


@bp.post("/kompetenzzentrum/anfragen/<int:request_id>/antwort")
@csrf.exempt
@login_required
def answer(request_id: int) -> ResponseReturnValue:
    """Answer the request (assigning a new one to oneself); the municipality is told."""
    advisory = _loaded(request_id)
    form = upload_form(AnswerForm)
    if form is None:
        form = AnswerForm(formdata=None, version=advisory.version)
        form.attachments.errors = [too_large_message()]
        return request_page(advisory, 413, answer=form)
    if not form.validate():
        return request_page(advisory, 422, answer=form)
    try:
        services.answer(
            current_user, advisory, form.text.data, utcnow(), attachments_of(form), form.version_number
        )
    except DomainError as err:
        return domain_error_page(request_id, form, err, "answer")
    flash(_("Die Antwort ist gesendet; die Kommune wird per E-Mail benachrichtigt."), "success")
    return redirect(url_for("desk.request", request_id=request_id), 303)


@bp.post("/kompetenzzentrum/anfragen/<int:request_id>/vorstellen")
@login_required
def introduce(request_id: int) -> ResponseReturnValue:
    """Introduce the requesting municipality to the municipality of a pilot project."""
    advisory = _loaded(request_id)
    form = IntroductionForm()
    project = db.session.get(PilotProject, form.pilot_project_id() or 0) if form.is_submitted() else None
    if not form.validate_on_submit() or project is None:
        if not form.pilot_project.errors:
            form.pilot_project.errors = [_("Bitte wählen Sie ein Pilotprojekt.")]
        if form.errors.get("csrf_token"):
            abort(400)
        return request_page(advisory, 422, introduce=form)
    try:
        services.introduce(
            current_user, advisory, project, form.note.data or "", utcnow(), form.version_number
        )
    except DomainError as err:
        return domain_error_page(request_id, form, err, "introduce")
    flash(
        _(
            "%(pilot)s und %(municipality)s sind per E-Mail miteinander bekannt gemacht.",
            pilot=project.organisation.name,
            municipality=advisory.organisation.name,
        ),
        "success",
    )
    return redirect(url_for("desk.request", request_id=request_id), 303)
