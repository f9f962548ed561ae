"""The record page, the Vergabevermerk PDF and the officers' notes.

- ``records.record``: the whole procedure read-only (the Vermerk's sections as HTML), with the
  downloads and, for the lead's officers, the note form.
- ``records.vermerk_pdf``: the Vermerk generated now; the download is audited
  (``record.vermerk_downloaded`` with the PDF's SHA-256).
- ``records.add_note``: an officer of the lead adds a note (CSRF-protected POST).

Who may read: ``can_read_record`` (lead's officers at any stage, auditors after the award or
cancellation). Others get 403 if they may see the tender at all, else 404.
"""

from __future__ import annotations

import hashlib

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from procurement.audit import services as audit
from procurement.database import utcnow
from procurement.extensions import db
from procurement.records import notes
from procurement.records.blueprint import bp
from procurement.records.permissions import can_add_note, can_read_record
from procurement.records.vermerk import Para, collect
from procurement.records.vermerk_pdf import vermerk_pdf as render_pdf
from procurement.tenders.models import Tender
from procurement.tenders.permissions import can_view_tender


def _readable(tender_id: int) -> Tender:
    tender = db.get_or_404(Tender, tender_id)
    if not can_read_record(current_user, tender):
        abort(403 if can_view_tender(current_user, tender) else 404)
    return tender


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _akte_url(tender: Tender) -> str:
    try:
        return url_for("records.akte_zip", tender_id=tender.id)
    except BuildError:
        return f"/vergaben/{tender.id}/vergabeakte.zip"


def _page(tender: Tender, form: notes.NoteForm, status: int = 200) -> Response:
    response = Response(
        render_template(
            "records/record.html",
            tender=tender,
            vermerk=collect(tender),
            Para=Para,
            akte_url=_akte_url(tender),
            form=form if can_add_note(current_user, tender) else None,
        ),
        status=status,
    )
    return _private(response)


@bp.get("/vergaben/<int:tender_id>/akte")
@login_required
def record(tender_id: int) -> ResponseReturnValue:
    """The procedure's full record, read-only."""
    tender = _readable(tender_id)
    return _page(tender, notes.NoteForm(formdata=None))


@bp.get("/vergaben/<int:tender_id>/vergabevermerk.pdf")
@login_required
def vermerk_pdf(tender_id: int) -> ResponseReturnValue:
    """The Vergabevermerk (§8 VgV) generated from the record now."""
    tender = _readable(tender_id)
    pdf = render_pdf(tender)
    record_download(tender, pdf)
    response = Response(pdf, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=f"vergabevermerk-{tender.id}.pdf")
    return _private(response)


def record_download(tender: Tender, pdf: bytes) -> None:
    """Audit the download: who, when, which tender, the SHA-256 of what was sent."""
    audit.record(
        "record.vermerk_downloaded",
        actor=current_user,
        object_type="tender",
        object_id=tender.id,
        now=utcnow(),
        after={"tender_id": tender.id, "sha256": hashlib.sha256(pdf).hexdigest(), "size": len(pdf)},
    )


@bp.post("/vergaben/<int:tender_id>/vermerke")
@login_required
def add_note(tender_id: int) -> ResponseReturnValue:
    """An officer of the lead adds a note to the record."""
    tender = _readable(tender_id)
    if not can_add_note(current_user, tender):
        abort(403)
    form = notes.NoteForm()
    if not form.validate_on_submit():
        return _page(tender, form, status=422)
    notes.add_note(current_user, tender, form.text.data or "", utcnow(), topic=form.topic.data or "general")
    flash(_("Der Vermerk ist gespeichert."), "success")
    return redirect(url_for("records.record", tender_id=tender.id) + "#notes")


@bp.app_template_global()
def may_read_record(tender: Tender) -> bool:
    """Whether the signed-in user may open the record page (the link on the tender page)."""
    return can_read_record(current_user, tender)
