"""The FAQ pages of the desk blueprint: the public list and answers (/faq), and the curators'
pages to write, publish and unpublish entries (/kompetenzzentrum/faq)."""

from __future__ import annotations

from itertools import groupby
from typing import Optional

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from procurement.accounts.forms import ActionForm
from procurement.database import utcnow
from procurement.desk import faq as faq_service
from procurement.desk.blueprint import bp
from procurement.desk.faq_forms import TOPIC_LABELS, FaqEntryForm, FaqSearchForm
from procurement.desk.models import AdvisoryRequest, FaqEntry
from procurement.desk.permissions import can_curate_faq
from procurement.extensions import db


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


@bp.app_context_processor
def faq_helpers() -> dict[str, object]:
    return {"faq_topic_labels": TOPIC_LABELS, "faq_paragraphs": _paragraphs, "faq_can_curate": can_curate_faq}


# --- public ---------------------------------------------------------------------------------


@bp.route("/faq")
def faq() -> ResponseReturnValue:
    """Published answers grouped by topic; with words, the entries that contain all of them."""
    form = FaqSearchForm(request.args)
    topic = form.chosen_topic()
    text = (form.q.data or "")[:200] if form.validate() else ""
    if text.strip():
        hits = faq_service.search_faq(text, topic)
        entries = [(hit.entry_id, hit.topic, hit.question, hit.answer) for hit in hits]
    else:
        rows = db.session.scalars(faq_service.published_query(topic))
        entries = [(row.id, row.topic, row.question, row.answer) for row in rows]
    groups = [
        (TOPIC_LABELS[key], list(items))
        for key, items in groupby(
            sorted(entries, key=lambda e: list(TOPIC_LABELS).index(e[1])), key=lambda e: e[1]
        )
    ]
    return render_template(
        "desk/faq.html", form=form, groups=groups, count=len(entries), searched=bool(text.strip())
    )


@bp.route("/faq/<int:entry_id>")
def faq_entry(entry_id: int) -> ResponseReturnValue:
    entry = db.get_or_404(FaqEntry, entry_id)
    if not faq_service.can_view_entry(current_user, entry):
        abort(404)
    return render_template("desk/faq_entry.html", entry=entry, action_form=ActionForm())


# --- curators -------------------------------------------------------------------------------


def _curator_only() -> None:
    if not can_curate_faq(current_user):
        abort(403)


@bp.route("/kompetenzzentrum/faq")
@login_required
def faq_manage() -> ResponseReturnValue:
    """All entries for the curators: drafts and published ones."""
    _curator_only()
    return render_template(
        "desk/faq_manage.html", entries=faq_service.all_entries(), action_form=ActionForm()
    )


def _source(entry: Optional[FaqEntry]) -> Optional[AdvisoryRequest]:
    if entry is None or entry.source_request_id is None:
        return None
    return db.session.get(AdvisoryRequest, entry.source_request_id)


def _form_action(entry: Optional[FaqEntry], source: Optional[AdvisoryRequest]) -> str:
    """Where the entry form posts (never the publish URL a refusal was rendered at)."""
    if entry is not None:
        return url_for("desk.faq_edit", entry_id=entry.id)
    if source is not None:
        return url_for("desk.faq_from_request", request_id=source.id)
    return url_for("desk.faq_edit")


def _edit_page(
    form: FaqEntryForm,
    entry: Optional[FaqEntry],
    source: Optional[AdvisoryRequest],
    status: int = 200,
    error: Optional[str] = None,
) -> ResponseReturnValue:
    organisation = source.organisation if source is not None else None
    findings: list[str] = []
    if organisation is not None:
        findings = faq_service.find_identifying(
            [form.question.data or "", form.answer.data or ""], organisation
        )
    return (
        render_template(
            "desk/faq_form.html",
            form=form,
            entry=entry,
            source=source,
            organisation=organisation,
            findings=findings,
            error=error,
            form_action=_form_action(entry, source),
            action_form=ActionForm(),
        ),
        status,
    )


@bp.route("/kompetenzzentrum/faq/neu", methods=["GET", "POST"], defaults={"entry_id": None})
@bp.route("/kompetenzzentrum/faq/<int:entry_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def faq_edit(entry_id: Optional[int]) -> ResponseReturnValue:
    """Write a new entry or change one (a published one only while it stays anonymous)."""
    _curator_only()
    entry = db.get_or_404(FaqEntry, entry_id) if entry_id is not None else None
    source = (
        db.session.get(AdvisoryRequest, entry.source_request_id)
        if entry and entry.source_request_id
        else None
    )
    form = FaqEntryForm(data=FaqEntryForm.initial(entry) if entry is not None else None)
    if form.validate_on_submit():
        now = utcnow()
        if entry is None:
            entry = faq_service.create_entry(current_user, form.faq_data(), now)
            flash(_("Der Eintrag ist als Entwurf gespeichert."), "success")
        else:
            try:
                faq_service.update_entry(current_user, entry, form.faq_data(), now)
            except faq_service.NotAnonymised as err:
                db.session.rollback()
                return _edit_page(form, db.session.get(FaqEntry, entry_id), source, 422, err.message)
            flash(_("Ihre Änderungen sind gespeichert."), "success")
        return redirect(url_for("desk.faq_edit", entry_id=entry.id))
    return _edit_page(form, entry, source, 422 if form.errors else 200)


@bp.route("/kompetenzzentrum/anfragen/<int:request_id>/faq", methods=["GET", "POST"])
@login_required
def faq_from_request(request_id: int) -> ResponseReturnValue:
    """Start an entry from a request: its question and the desk's last answer, to anonymise."""
    _curator_only()
    source = db.get_or_404(AdvisoryRequest, request_id)
    topic, question, answer = faq_service.draft_from_request(source)
    form = FaqEntryForm(data={"topic": topic.value, "question": question, "answer": answer})
    if form.validate_on_submit():
        entry = faq_service.create_entry(current_user, form.faq_data(), utcnow(), source_request=source)
        flash(
            _(
                "Der Entwurf ist gespeichert. Veröffentlicht wird er erst, wenn er niemanden "
                "mehr erkennen lässt."
            ),
            "success",
        )
        return redirect(url_for("desk.faq_edit", entry_id=entry.id))
    return _edit_page(form, None, source, 422 if form.errors else 200)


@bp.route("/kompetenzzentrum/faq/<int:entry_id>/veroeffentlichen", methods=["POST"])
@login_required
def faq_publish(entry_id: int) -> ResponseReturnValue:
    _curator_only()
    entry = db.get_or_404(FaqEntry, entry_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        faq_service.publish_entry(current_user, entry, utcnow())
    except faq_service.NotAnonymised as err:
        db.session.rollback()
        entry = db.session.get(FaqEntry, entry_id)
        source = _source(entry)
        form = FaqEntryForm(formdata=None, data=FaqEntryForm.initial(entry))
        return _edit_page(form, entry, source, 422, err.message)
    flash(_("Der Eintrag ist veröffentlicht."), "success")
    return redirect(url_for("desk.faq_entry", entry_id=entry.id))


@bp.route("/kompetenzzentrum/faq/<int:entry_id>/zurueckziehen", methods=["POST"])
@login_required
def faq_unpublish(entry_id: int) -> ResponseReturnValue:
    _curator_only()
    entry = db.get_or_404(FaqEntry, entry_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    faq_service.unpublish_entry(current_user, entry, utcnow())
    flash(_("Der Eintrag ist nicht mehr öffentlich; er bleibt als Entwurf erhalten."), "success")
    return redirect(url_for("desk.faq_edit", entry_id=entry.id))
