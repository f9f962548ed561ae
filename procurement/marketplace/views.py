"""Marketplace blueprint: solutions and pilot projects (create, edit, curate, documents)."""

from __future__ import annotations

from typing import Any, Union

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_currency, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from procurement.accounts.forms import ActionForm
from procurement.database import utcnow
from procurement.errors import DomainError
from procurement.extensions import csrf, db
from procurement.marketplace import documents as document_service
from procurement.marketplace import permissions, services
from procurement.marketplace.forms import (
    ContactForm,
    DocumentForm,
    PilotProjectForm,
    SendBackForm,
    SolutionForm,
)
from procurement.marketplace.labels import CATEGORY_LABELS, DOCUMENT_KIND_LABELS, ENTRY_STATUS_LABELS
from procurement.marketplace.models import Category, Document, PilotProject, Solution
from procurement.reference.validators import vocabulary
from procurement.web import STATE_LABELS, TRIGGER_LABELS, safe_next
from workflows.curation import CURATION

bp = Blueprint("marketplace", __name__)

Entry = Union[Solution, PilotProject]
PER_PAGE = 20
# Room for the other fields of the upload form next to the file itself.
UPLOAD_FORM_OVERHEAD = 64 * 1024

# URL segment -> model
KINDS: dict[str, type[Entry]] = {"solutions": Solution, "pilots": PilotProject}
KIND_LABELS = {Solution: _l("Lösung"), PilotProject: _l("Modellprojekt")}

# trigger -> (service, button label, button style, success message)
_ACTIONS = {
    "submit": (
        services.submit_entry,
        _l("Zur Prüfung einreichen"),
        "primary",
        _l("Der Eintrag ist beim Kompetenzzentrum zur Prüfung. Sie erhalten eine E-Mail mit dem Ergebnis."),
    ),
    "withdraw": (
        services.withdraw_entry,
        _l("Einreichung zurückziehen"),
        "outline-secondary",
        _l("Die Einreichung ist zurückgezogen; der Eintrag ist wieder ein Entwurf."),
    ),
    "publish": (
        services.publish_entry,
        _l("Veröffentlichen"),
        "success",
        _l("Der Eintrag ist veröffentlicht."),
    ),
    "archive": (
        services.archive_entry,
        _l("Archivieren"),
        "outline-danger",
        _l("Der Eintrag ist archiviert und nicht mehr öffentlich."),
    ),
    "reopen": (
        services.reopen_entry,
        _l("Wieder bearbeiten"),
        "outline-primary",
        _l("Der Eintrag ist wieder ein Entwurf. Reichen Sie ihn nach Ihren Änderungen erneut ein."),
    ),
}

STATE_LABELS.update(ENTRY_STATUS_LABELS)
TRIGGER_LABELS.update({(CURATION.name, trigger): entry[1] for trigger, entry in _ACTIONS.items()})
TRIGGER_LABELS[CURATION.name, "reject"] = _l("Zur Überarbeitung zurückgeben")
TRIGGER_LABELS[CURATION.name, "withdraw"] = _l("Zurückziehen")


def entry_slug(entry: Entry) -> str:
    return "solutions" if isinstance(entry, Solution) else "pilots"


def entry_actions(entry: Entry) -> list[tuple[str, Any, str]]:
    """The buttons the current user gets for ``entry``: (trigger, label, style)."""
    return [
        (trigger, _ACTIONS[trigger][1], _ACTIONS[trigger][2])
        for trigger in permissions.allowed_triggers(current_user, entry, utcnow())
        if trigger in _ACTIONS
    ]


@bp.app_template_filter("euro")
def euro(value: Any) -> str:
    return "" if value is None else format_currency(value, "EUR")


@bp.app_context_processor
def marketplace_helpers() -> dict[str, object]:
    return {
        "category_labels": CATEGORY_LABELS,
        "entry_status_labels": ENTRY_STATUS_LABELS,
        "document_kind_labels": DOCUMENT_KIND_LABELS,
        "entry_kind_labels": KIND_LABELS,
        "entry_url": services.entry_url,
        "entry_slug": entry_slug,
        "format_size": document_service.format_size,
        "cpv_label": cpv_label,
        "format_number": lambda value: format_decimal(value, format="#,##0.##"),
    }


def cpv_label(code: str) -> str:
    """The name of a CPV code in the user's language ("" for a code not in the vocabulary)."""
    entry = vocabulary().get(code)
    if entry is None:
        return ""
    return entry.label_en if str(get_locale()).startswith("en") else entry.label_de


def _load(kind: str, entry_id: int) -> Entry:
    """Load an entry the current user may see; everybody else gets 404 (it does not exist)."""
    if kind not in KINDS:
        abort(404)
    entry = db.get_or_404(KINDS[kind], entry_id)
    if not permissions.can_view_entry(current_user, entry):
        abort(404)
    return entry


def _status(form: Any) -> int:
    return 422 if form.errors else 200


# --- public lists -------------------------------------------------------------------------


def _category_filter() -> Category | None:
    value = request.args.get("category", "")
    return Category(value) if value in {c.value for c in Category} else None


@bp.route("/marketplace/solutions")
def solutions() -> ResponseReturnValue:
    """Published solutions, newest first (only published entries are public)."""
    category = _category_filter()
    page = db.paginate(
        services.published_solutions_query(category),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("marketplace/solutions.html", page=page, category=category)


@bp.route("/marketplace/pilots")
def pilot_projects() -> ResponseReturnValue:
    """Published pilot projects (Modellprojekte), newest first."""
    category = _category_filter()
    page = db.paginate(
        services.published_pilot_projects_query(category),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("marketplace/pilot_projects.html", page=page, category=category)


# --- solutions ----------------------------------------------------------------------------


@bp.route("/marketplace/solutions/new", methods=["GET", "POST"])
@login_required
def new_solution() -> ResponseReturnValue:
    if not permissions.can_create_solution(current_user):
        abort(403)
    form = SolutionForm()
    if form.validate_on_submit():
        solution = services.create_solution(current_user, form.solution_data(), utcnow())
        flash(
            _("Der Entwurf ist gespeichert. Reichen Sie ihn zur Prüfung ein, wenn er fertig ist."), "success"
        )
        return redirect(url_for("marketplace.solution", solution_id=solution.id))
    return render_template("marketplace/solution_form.html", form=form, solution=None), _status(form)


@bp.route("/marketplace/solutions/<int:solution_id>")
def solution(solution_id: int) -> ResponseReturnValue:
    entry = _load("solutions", solution_id)
    return render_template("marketplace/solution.html", **_detail_context(entry))


@bp.route("/marketplace/solutions/<int:solution_id>/edit", methods=["GET", "POST"])
@login_required
def edit_solution(solution_id: int) -> ResponseReturnValue:
    entry = _load("solutions", solution_id)
    if not permissions.can_edit_entry(current_user, entry):
        return _not_editable(entry)
    form = SolutionForm(data=SolutionForm.initial(entry))
    if form.validate_on_submit():
        services.update_solution(current_user, entry, form.solution_data(), utcnow())
        flash(_("Ihre Änderungen sind gespeichert."), "success")
        return redirect(url_for("marketplace.solution", solution_id=entry.id))
    return render_template("marketplace/solution_form.html", form=form, solution=entry), _status(form)


def _not_editable(entry: Entry) -> ResponseReturnValue:
    """A published entry's owners correct its contact; otherwise say why nothing can be edited."""
    if permissions.can_edit_contact(current_user, entry):
        return redirect(url_for("marketplace.edit_contact", kind=entry_slug(entry), entry_id=entry.id))
    services.ensure_editable(current_user, entry)  # raises 409 (owners) or 403 (others)
    abort(403)


def _edit_url(entry: Entry) -> str:
    if isinstance(entry, Solution):
        return url_for("marketplace.edit_solution", solution_id=entry.id)
    return url_for("marketplace.edit_pilot_project", project_id=entry.id)


# --- pilot projects -----------------------------------------------------------------------


@bp.route("/marketplace/pilots/new", methods=["GET", "POST"])
@login_required
def new_pilot_project() -> ResponseReturnValue:
    if not permissions.can_create_pilot_project(current_user):
        abort(403)
    form = PilotProjectForm()
    form.set_solution_choices(services.linkable_solutions())
    if form.validate_on_submit():
        project = services.create_pilot_project(current_user, form.pilot_project_data(), utcnow())
        flash(
            _("Der Entwurf ist gespeichert. Reichen Sie ihn zur Prüfung ein, wenn er fertig ist."), "success"
        )
        return redirect(url_for("marketplace.pilot_project", project_id=project.id))
    return render_template("marketplace/pilot_project_form.html", form=form, project=None), _status(form)


@bp.route("/marketplace/pilots/<int:project_id>")
def pilot_project(project_id: int) -> ResponseReturnValue:
    entry = _load("pilots", project_id)
    return render_template("marketplace/pilot_project.html", **_detail_context(entry))


@bp.route("/marketplace/pilots/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit_pilot_project(project_id: int) -> ResponseReturnValue:
    entry = _load("pilots", project_id)
    if not permissions.can_edit_entry(current_user, entry):
        return _not_editable(entry)
    form = PilotProjectForm(data=PilotProjectForm.initial(entry))
    form.set_solution_choices(services.linkable_solutions(entry))
    if form.validate_on_submit():
        services.update_pilot_project(current_user, entry, form.pilot_project_data(), utcnow())
        flash(_("Ihre Änderungen sind gespeichert."), "success")
        return redirect(url_for("marketplace.pilot_project", project_id=entry.id))
    return render_template("marketplace/pilot_project_form.html", form=form, project=entry), _status(form)


def _detail_context(entry: Entry) -> dict[str, object]:
    context: dict[str, object] = {
        "entry": entry,
        "actions": entry_actions(entry),
        "action_form": ActionForm(),
        "can_edit": permissions.can_edit_entry(current_user, entry),
        "can_edit_contact": permissions.can_edit_contact(current_user, entry),
        "can_manage_documents": permissions.can_manage_documents(current_user, entry),
        "can_start_need": permissions.can_start_need_from(current_user, entry),
        "can_send_back": "reject" in permissions.allowed_triggers(current_user, entry, utcnow()),
        "send_back_form": SendBackForm(formdata=None),
        "is_owner": permissions.is_owner(current_user, entry),
    }
    if isinstance(entry, PilotProject):
        context["solutions_used"] = [
            solution for solution in entry.solutions if permissions.can_view_entry(current_user, solution)
        ]
        context["criteria"] = _criteria_for_display(entry.award_criteria)
    else:
        context["pilot_projects"] = [
            project for project in entry.pilot_projects if permissions.can_view_entry(current_user, project)
        ]
    return context


def _criteria_for_display(text: str) -> list[services.AwardCriterion]:
    try:
        return services.parse_award_criteria(text)
    except DomainError:
        return []  # checked when saved; an old unparsable text is shown as it is


# --- both kinds: contact, workflow actions, send back ------------------------------------


@bp.route("/marketplace/<any(solutions, pilots):kind>/<int:entry_id>/contact", methods=["GET", "POST"])
@login_required
def edit_contact(kind: str, entry_id: int) -> ResponseReturnValue:
    """Correct the contact of a published entry; its checked content stays unchanged."""
    entry = _load(kind, entry_id)
    if permissions.can_edit_entry(current_user, entry):
        return redirect(_edit_url(entry))
    if not permissions.can_edit_contact(current_user, entry):
        services.ensure_editable(current_user, entry)  # raises 409 (owners) or 403 (others)
    form = ContactForm(data={"contact_name": entry.contact_name, "contact_email": entry.contact_email})
    if form.validate_on_submit():
        services.update_contact(
            current_user, entry, form.contact_name.data, form.contact_email.data, utcnow()
        )
        flash(_("Der Kontakt ist gespeichert."), "success")
        return redirect(services.entry_url(entry))
    return render_template("marketplace/contact_form.html", form=form, entry=entry), _status(form)


@bp.route("/marketplace/<any(solutions, pilots):kind>/<int:entry_id>/actions/<action>", methods=["POST"])
@login_required
def entry_action(kind: str, entry_id: int, action: str) -> ResponseReturnValue:
    if action not in _ACTIONS:
        abort(404)
    entry = _load(kind, entry_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    service, _label, _style, message = _ACTIONS[action]
    service(current_user, entry, utcnow())
    flash(str(message), "success")
    target = request.form.get("next")
    return redirect(safe_next(target) if target else services.entry_url(entry))


@bp.route("/marketplace/<any(solutions, pilots):kind>/<int:entry_id>/send-back", methods=["GET", "POST"])
@login_required
def send_back(kind: str, entry_id: int) -> ResponseReturnValue:
    """A curator returns a submitted entry to its owners, with a reason (required)."""
    entry = _load(kind, entry_id)
    if not permissions.can_fire(current_user, entry, "reject"):
        abort(403)
    form = SendBackForm()
    if form.validate_on_submit():
        services.send_back_entry(current_user, entry, form.reason.data, utcnow())
        flash(
            _("Der Eintrag ist zur Überarbeitung zurückgegeben; die Begründung ist per E-Mail unterwegs."),
            "success",
        )
        return redirect(safe_next(request.form.get("next") or url_for("marketplace.curation_queue")))
    return render_template("marketplace/send_back.html", form=form, entry=entry), _status(form)


# --- documents ----------------------------------------------------------------------------


def _documents_page(entry: Entry, form: DocumentForm, status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "marketplace/documents.html",
            entry=entry,
            form=form,
            # never read from the request here: the body may be the one refused as too large
            action_form=ActionForm(formdata=None),
            can_manage=permissions.can_manage_documents(current_user, entry),
        ),
        status,
    )


@bp.route("/marketplace/<any(solutions, pilots):kind>/<int:entry_id>/documents")
@login_required
def documents(kind: str, entry_id: int) -> ResponseReturnValue:
    entry = _load(kind, entry_id)
    document_service.ensure_may_manage(current_user, entry)
    return _documents_page(entry, DocumentForm(formdata=None))


# The app-wide request limit (MAX_CONTENT_LENGTH) is for forms; this route raises it to the
# document limit before the body is read, so the CSRF check runs here rather than globally.
@bp.route("/marketplace/<any(solutions, pilots):kind>/<int:entry_id>/documents", methods=["POST"])
@csrf.exempt
@login_required
def upload_document(kind: str, entry_id: int) -> ResponseReturnValue:
    entry = _load(kind, entry_id)
    document_service.ensure_may_manage(current_user, entry)
    request.max_content_length = current_app.config["MAX_DOCUMENT_BYTES"] + UPLOAD_FORM_OVERHEAD
    try:
        csrf.protect()
        form = DocumentForm()
    except RequestEntityTooLarge:
        form = DocumentForm(formdata=None)
        form.file.errors = [document_service.too_large_message()]
        return _documents_page(entry, form, 413)
    if form.validate_on_submit():
        try:
            document = document_service.add_document(
                current_user, entry, form.file.data, form.document_kind(), form.title.data or "", utcnow()
            )
        except DomainError as err:
            form.file.errors = [err.message]
            return _documents_page(entry, form, err.status_code)
        flash(_("Das Dokument „%(title)s“ ist hochgeladen.", title=document.title), "success")
        return redirect(url_for("marketplace.documents", kind=kind, entry_id=entry.id))
    return _documents_page(entry, form, 422)


def _document(document_id: int) -> Document:
    document = db.get_or_404(Document, document_id)
    if not permissions.can_download_document(current_user, document):
        abort(404)
    return document


@bp.route("/marketplace/documents/<int:document_id>")
def download_document(document_id: int) -> ResponseReturnValue:
    document = _document(document_id)
    response = send_file(
        document_service.open_document(document),
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.filename,
        etag=document.sha256,
        last_modified=document.uploaded_at,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    public = document_service.is_public(document)
    response.headers["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response


@bp.route("/marketplace/documents/<int:document_id>/delete", methods=["POST"])
@login_required
def delete_document(document_id: int) -> ResponseReturnValue:
    document = _document(document_id)
    entry = permissions.document_entry(document)
    if not permissions.can_delete_document(current_user, document):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    title = document.title
    document_service.delete_document(current_user, document, utcnow())
    flash(_("Das Dokument „%(title)s“ ist gelöscht.", title=title), "success")
    return redirect(url_for("marketplace.documents", kind=entry_slug(entry), entry_id=entry.id))


# --- the organisation's entries and the curation queue -----------------------------------


@bp.route("/marketplace/mine")
@login_required
def my_entries() -> ResponseReturnValue:
    """The solutions or pilot projects of the user's organisation, with their status and actions."""
    solutions, projects = services.entries_of_organisation(current_user.organisation_id)
    return render_template(
        "marketplace/my_entries.html",
        solutions=solutions,
        projects=projects,
        action_form=ActionForm(),
        entry_actions=entry_actions,
        can_create_solution=permissions.can_create_solution(current_user),
        can_create_pilot_project=permissions.can_create_pilot_project(current_user),
        can_edit=lambda entry: permissions.can_edit_entry(current_user, entry),
        can_edit_contact=lambda entry: permissions.can_edit_contact(current_user, entry),
        can_manage_documents=lambda entry: permissions.can_manage_documents(current_user, entry),
    )


@bp.route("/marketplace/curation")
@login_required
def curation_queue() -> ResponseReturnValue:
    """Entries waiting for the Kompetenzzentrum, the longest waiting first."""
    if not permissions.can_see_curation_queue(current_user):
        abort(403)
    return render_template(
        "marketplace/curation_queue.html", entries=services.curation_queue(), action_form=ActionForm()
    )
