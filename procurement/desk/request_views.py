"""The municipality's desk pages: its requests (/beratung), a new request (/beratung/neu), one
request with its conversation (/beratung/<id>, also the curators' page of it), reply, close and
the attachments.

A request someone may not read is a 404 (they do not learn it exists). Forms with attachments
raise the request size limit before the body is read, so their CSRF check runs in the view.
"""

from __future__ import annotations

from typing import Any, Optional, TypeVar

from flask import Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms.fields.choices import SelectChoice

from procurement.database import utcnow
from procurement.desk import services
from procurement.desk.blueprint import bp
from procurement.desk.forms import (
    STATUS_LABELS,
    TOPIC_LABELS,
    TRIGGER_LABELS,
    AnswerForm,
    AssignForm,
    CloseForm,
    IntroductionForm,
    MessageForm,
    RequestForm,
)
from procurement.desk.models import AdvisoryRequest, RequestAttachment
from procurement.desk.permissions import can_ask, can_reply, can_work_queue, is_curator
from procurement.errors import DomainError, NotFound
from procurement.extensions import csrf, db
from procurement.marketplace.documents import too_large_message
from procurement.storage import UnknownKey, storage
from procurement.web import STATE_LABELS
from procurement.web import TRIGGER_LABELS as WEB_TRIGGER_LABELS
from workflows.advisory import ADVISORY, AdvisoryStatus

STATE_LABELS.update(STATUS_LABELS)
WEB_TRIGGER_LABELS.update({(ADVISORY.name, trigger): label for trigger, label in TRIGGER_LABELS.items()})

PER_PAGE = 50
UPLOAD_FORM_OVERHEAD = 256 * 1024
F = TypeVar("F", bound=FlaskForm)


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global()
def advisory_status_label(status: AdvisoryStatus) -> str:
    return str(STATUS_LABELS.get(status, status.value))


@bp.app_template_global()
def advisory_topic_label(topic: Any) -> str:
    return str(TOPIC_LABELS.get(topic, getattr(topic, "value", topic)))


@bp.app_template_global()
def funding_label(organisation: Any) -> str:
    return _("gefördert (Modellprojekt)") if organisation.funded else _("nicht gefördert")


def upload_form(form_class: type[F]) -> Optional[F]:
    """The posted form with attachments, CSRF-checked; None when the body is too large."""
    limit = current_app.config["MAX_DOCUMENT_BYTES"] * services.MAX_ATTACHMENTS + UPLOAD_FORM_OVERHEAD
    request.max_content_length = limit
    try:
        csrf.protect()
        return form_class()
    except RequestEntityTooLarge:
        return None


def attachments_of(form: Any) -> list[Any]:
    return [upload for upload in (form.attachments.data or []) if upload and upload.filename]


def load(request_id: int) -> AdvisoryRequest:
    try:
        return services.load_request(current_user, request_id)
    except NotFound:
        abort(404)


def request_page(advisory: AdvisoryRequest, status: int = 200, **forms: Any) -> ResponseReturnValue:
    """The request with its conversation and the forms the user may use now."""
    version = advisory.version
    curator = is_curator(current_user)
    state = advisory.status
    if not curator and can_reply(current_user, advisory) and "reply" not in forms:
        if not (state is AdvisoryStatus.closed and advisory.assignee_id is None):
            forms["reply"] = MessageForm(formdata=None, version=version)
    if state is not AdvisoryStatus.closed and "close" not in forms:
        forms["close"] = CloseForm(formdata=None, version=version)
    suggested: list[Any] = []
    others: list[Any] = []
    if curator:
        people = services.curators()
        if state in (AdvisoryStatus.new, AdvisoryStatus.assigned):
            forms.setdefault("assign", AssignForm(formdata=None, version=version))
            forms["assign"].assignee.choices = [SelectChoice(str(u.id), u.name) for u in people]
            if forms["assign"].assignee.data is None:
                forms["assign"].assignee.data = str(current_user.id)
            forms.setdefault("answer", AnswerForm(formdata=None, version=version))
        if state is not AdvisoryStatus.closed:
            suggested, others = services.pilot_choices(advisory)
            form = forms.setdefault("introduce", IntroductionForm(formdata=None, version=version))
            form.pilot_project.choices = [SelectChoice("", _("Bitte wählen"))] + [
                SelectChoice(
                    str(p.id),
                    f"{p.title} ({p.organisation.name})",
                    optgroup=_("Vorschläge") if p in suggested else _("Weitere Pilotprojekte"),
                )
                for p in suggested + others
            ]
    forms = {name: form for name, form in forms.items() if form is not None}
    response = Response(
        render_template(
            "desk/request.html",
            advisory=advisory,
            link=services.linked(advisory),
            forms=forms,
            curator=curator,
            suggested=suggested,
            max_bytes=current_app.config["MAX_DOCUMENT_BYTES"],
        ),
        status,
    )
    return _private(response)


def domain_error_page(advisory_id: int, form: Any, err: DomainError, name: str) -> ResponseReturnValue:
    """Show a refused form again with the rule's message at its main field (422)."""
    if err.status_code not in (413, 422):
        raise err
    db.session.rollback()
    if isinstance(err, services.AttachmentRefused):
        field = form.attachments
    else:
        field = getattr(form, "text", None) or getattr(form, "pilot_project", None) or form.assignee
    field.errors = [*field.errors, err.message]
    return request_page(db.get_or_404(AdvisoryRequest, advisory_id), err.status_code, **{name: form})


# --- the municipality's requests ---------------------------------------------------------------


@bp.get("/beratung")
@login_required
def my_requests() -> ResponseReturnValue:
    """The municipality's requests to the Kompetenzzentrum, the latest activity first."""
    if not can_ask(current_user):
        abort(403)
    page = db.paginate(
        services.my_requests_query(current_user),
        page=max(request.args.get("seite", 1, type=int) or 1, 1),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    return _private(Response(render_template("desk/requests.html", page=page)))


def _new_page(form: RequestForm, status: int = 200) -> ResponseReturnValue:
    form.set_links(services.link_choices(current_user))
    return _private(Response(render_template("desk/request_new.html", form=form), status))


@bp.get("/beratung/neu")
@login_required
def new_request() -> ResponseReturnValue:
    if not can_ask(current_user):
        abort(403)
    return _new_page(RequestForm(formdata=None))


@bp.post("/beratung/neu")
@csrf.exempt
@login_required
def send_request() -> ResponseReturnValue:
    """Send the request with its attachments; the curators are told."""
    if not can_ask(current_user):
        abort(403)
    form = upload_form(RequestForm)
    if form is None:
        form = RequestForm(formdata=None)
        form.attachments.errors = [too_large_message()]
        return _new_page(form, 413)
    form.set_links(services.link_choices(current_user))
    if not form.validate():
        return _new_page(form, 422)
    try:
        advisory = services.send_request(
            current_user,
            form.topic_value(),
            form.subject.data,
            form.text.data,
            utcnow(),
            uploads=attachments_of(form),
            link=form.link_value(),
        )
    except DomainError as err:
        if err.status_code not in (413, 422):
            raise
        db.session.rollback()
        field = form.text
        if isinstance(err, services.AttachmentRefused):
            field = form.attachments
        elif isinstance(err, services.LinkRefused):
            field = form.link
        field.errors = [*field.errors, err.message]
        return _new_page(form, err.status_code)
    flash(_("Ihre Anfrage ist beim Kompetenzzentrum eingegangen."), "success")
    return redirect(url_for("desk.request", request_id=advisory.id), 303)


# --- one request -----------------------------------------------------------------------------


@bp.get("/beratung/<int:request_id>", endpoint="request")
@login_required
def show_request(request_id: int) -> ResponseReturnValue:
    """The request and its conversation, with the forms its reader may use now."""
    return request_page(load(request_id))


@bp.post("/beratung/<int:request_id>/antworten")
@csrf.exempt
@login_required
def reply(request_id: int) -> ResponseReturnValue:
    """The municipality writes again (reopening an answered or closed request)."""
    advisory = load(request_id)
    if is_curator(current_user) or not can_reply(current_user, advisory):
        abort(403)
    form = upload_form(MessageForm)
    if form is None:
        form = MessageForm(formdata=None, version=advisory.version)
        form.attachments.errors = [too_large_message()]
        return request_page(advisory, 413, reply=form)
    if not form.validate():
        return request_page(advisory, 422, reply=form)
    try:
        services.reply(
            current_user, advisory, form.text.data, utcnow(), attachments_of(form), form.version_number
        )
    except DomainError as err:
        return domain_error_page(request_id, form, err, "reply")
    flash(_("Ihre Nachricht ist gesendet."), "success")
    return redirect(url_for("desk.request", request_id=request_id), 303)


@bp.post("/beratung/<int:request_id>/schliessen")
@login_required
def close(request_id: int) -> ResponseReturnValue:
    advisory = load(request_id)
    if not can_reply(current_user, advisory):
        abort(403)
    form = CloseForm()
    if not form.validate_on_submit():
        abort(400)
    services.close(current_user, advisory, utcnow(), form.version_number)
    flash(_("Die Anfrage ist geschlossen."), "success")
    target = "desk.queue" if can_work_queue(current_user) else "desk.request"
    values = {} if target == "desk.queue" else {"request_id": request_id}
    return redirect(url_for(target, **values), 303)


@bp.get("/beratung/<int:request_id>/anhang/<int:attachment_id>")
@login_required
def attachment(request_id: int, attachment_id: int) -> ResponseReturnValue:
    advisory = load(request_id)
    item = db.session.get(RequestAttachment, attachment_id)
    if item is None or item.message.request_id != advisory.id:
        abort(404)
    try:
        handle = storage().open(item.storage_key)
    except UnknownKey:
        abort(404)
    response = send_file(
        handle,
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.filename,
        etag=item.sha256,
        last_modified=item.uploaded_at,
        max_age=0,
    )
    return _private(response)
