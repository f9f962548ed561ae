"""Tender documents (Vergabeunterlagen): upload, versions, downloads."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from procurement.accounts.forms import ActionForm
from procurement.database import utcnow
from procurement.errors import DomainError
from procurement.extensions import csrf, db
from procurement.marketplace.documents import too_large_message
from procurement.marketplace.views import UPLOAD_FORM_OVERHEAD
from procurement.tenders import documents as service
from procurement.tenders.blueprint import bp
from procurement.tenders.models import Tender, TenderDocument
from procurement.tenders.permissions import can_manage_tender, can_view_tender, is_public
from procurement.tenders.public_forms import DocumentForm


def _tender_for_members(tender_id: int) -> Tender:
    """The internal documents page: the lead and the invited municipalities (404 for others)."""
    tender = db.get_or_404(Tender, tender_id)
    if not can_view_tender(current_user, tender):
        abort(404)
    return tender


def _form(tender: Tender, formdata: object = None) -> DocumentForm:
    form = DocumentForm() if formdata is None else DocumentForm(formdata=formdata)  # type: ignore[arg-type]
    form.set_series([(row.current.series_id, row.current.title) for row in service.document_series(tender)])
    return form


def _page(tender: Tender, form: DocumentForm, status: int = 200) -> ResponseReturnValue:
    now = utcnow()
    return (
        render_template(
            "tenders/documents.html",
            tender=tender,
            form=form,
            rows=service.document_series(tender),
            # never read from the request here: the body may be the one refused as too large
            action_form=ActionForm(formdata=None),
            can_change=service.can_change_documents(current_user, tender, now),
            can_delete=service.can_delete_documents(current_user, tender),
            is_lead=can_manage_tender(current_user, tender),
            public=is_public(tender),
        ),
        status,
    )


@bp.get("/vergaben/<int:tender_id>/unterlagen")
@login_required
def documents(tender_id: int) -> ResponseReturnValue:
    """The tender's documents with all versions; the lead's officers upload and delete here."""
    tender = _tender_for_members(tender_id)
    return _page(tender, _form(tender, formdata=None))


# The app-wide request limit (MAX_CONTENT_LENGTH) is for forms; this route raises it to the
# document limit before the body is read, so the CSRF check runs here rather than globally.
@bp.post("/vergaben/<int:tender_id>/unterlagen")
@csrf.exempt
@login_required
def upload_document(tender_id: int) -> ResponseReturnValue:
    tender = _tender_for_members(tender_id)
    service.ensure_may_change(current_user, tender, utcnow())
    request.max_content_length = current_app.config["MAX_DOCUMENT_BYTES"] + UPLOAD_FORM_OVERHEAD
    try:
        csrf.protect()
        form = _form(tender)
    except RequestEntityTooLarge:
        form = _form(tender, formdata=None)
        form.file.errors = [too_large_message()]
        return _page(tender, form, 413)
    if form.validate_on_submit():
        try:
            document = service.add_document(
                current_user,
                tender,
                form.file.data,
                form.title.data or "",
                utcnow(),
                series_id=form.series_id(),
                change_note=form.change_note.data or "",
            )
        except DomainError as err:
            db.session.rollback()
            form.file.errors = [err.message]
            return _page(tender, form, err.status_code)
        if document.version > 1:
            message = _(
                "Die Fassung %(version)d von „%(title)s“ ist hochgeladen.",
                version=document.version,
                title=document.title,
            )
        else:
            message = _("Das Dokument „%(title)s“ ist hochgeladen.", title=document.title)
        flash(message, "success")
        return redirect(url_for("tenders.documents", tender_id=tender.id))
    return _page(tender, form, 422)


@bp.post("/vergaben/<int:tender_id>/unterlagen/<int:document_id>/loeschen")
@login_required
def delete_document(tender_id: int, document_id: int) -> ResponseReturnValue:
    tender = _tender_for_members(tender_id)
    document = service.load_document(current_user, tender, document_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    title = document.title
    service.delete_document(current_user, document, utcnow())
    flash(_("Das Dokument „%(title)s“ ist gelöscht.", title=title), "success")
    return redirect(url_for("tenders.documents", tender_id=tender.id))


@bp.get("/ausschreibungen/<int:tender_id>/unterlagen/<int:document_id>")
def download_document(tender_id: int, document_id: int) -> ResponseReturnValue:
    """Download one version (current or superseded); public once the tender is published (§41 VgV)."""
    tender = db.session.get(Tender, tender_id)
    document: TenderDocument = service.load_document(current_user, tender, document_id)
    service.record_download(current_user, document, utcnow())
    response = send_file(
        service.open_document(document),
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.filename,
        etag=document.sha256,
        last_modified=document.uploaded_at,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # No shared caches: a vendor's download must reach the platform to be recorded (who
    # downloaded hears about changes), and unpublished documents are internal.
    response.headers["Cache-Control"] = "private, no-cache" if is_public(tender) else "private, no-store"
    return response
