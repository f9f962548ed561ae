"""The Vergabeakte download (a streamed ZIP) and the page that checks an exported archive.

- ``records.akte_zip``: who may (``can_download_akte``) gets the archive, streamed while it is
  written; others get 403 if they may see the tender at all, else 404 (they do not learn that
  it exists). Each download is recorded before the first byte (``record.akte_downloaded``) and,
  once the archive was sent completely, with its SHA-256 (``record.akte_completed``).
- ``records.verify_archive``: auditors and officers upload an archive and see the verdict; the
  upload is spooled to a temporary file (never held in memory) and nothing is kept.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from procurement.accounts.models import User
from procurement.database import utcnow
from procurement.extensions import csrf, db
from procurement.records import akte
from procurement.records.blueprint import bp
from procurement.records.permissions import can_download_akte, can_verify_archive
from procurement.records.verify import ArchiveError, verify_archive
from procurement.tenders.models import Tender
from procurement.tenders.permissions import can_view_tender

FORM_OVERHEAD = 64 * 1024  # the CSRF token, boundaries and headers around the file


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/vergaben/<int:tender_id>/vergabeakte.zip")
@login_required
def akte_zip(tender_id: int) -> ResponseReturnValue:
    """Stream the Vergabeakte: constant memory however large the bids are."""
    tender = db.get_or_404(Tender, tender_id)
    if not can_download_akte(current_user, tender):
        abort(403 if can_view_tender(current_user, tender) else 404)
    actor: User = current_user._get_current_object()  # type: ignore[attr-defined]
    try:
        export = akte.prepare_export(actor, tender, utcnow())
    except akte.ArchiveUnavailable as err:
        db.session.rollback()
        current_app.logger.error("Vergabeakte of tender %s unavailable: %s", tender_id, err)
        abort(409, _("Die Vergabeakte kann nicht erstellt werden: der Schlüssel der Ausschreibung fehlt."))
    db.session.commit()
    actor_id = actor.id

    def completed(done: akte.Export) -> None:
        exporter = db.session.get(User, actor_id)
        akte.record_completed(done, exporter, utcnow())  # type: ignore[arg-type]
        db.session.commit()

    response = Response(
        stream_with_context(export.stream(completed)), mimetype="application/zip", direct_passthrough=True
    )
    response.headers.set("Content-Disposition", "attachment", filename=export.filename)
    return _private(response)


def _verify_page(status: int = 200, **context: Any) -> ResponseReturnValue:
    limit = current_app.config["MAX_ARCHIVE_BYTES"]
    return _private(Response(render_template("records/verify.html", limit=limit, **context), status=status))


@bp.route("/vergabeakte/pruefen", methods=["GET", "POST"], endpoint="verify_archive")
@csrf.exempt  # checked below, after the request limit is raised for the archive
@login_required
def verify_archive_page() -> ResponseReturnValue:
    """Upload an exported Vergabeakte and see whether it is exactly what was exported."""
    if not can_verify_archive(current_user):
        abort(403)
    if request.method == "GET":
        return _verify_page()
    request.max_content_length = current_app.config["MAX_ARCHIVE_BYTES"] + FORM_OVERHEAD
    try:
        csrf.protect()
        upload = request.files.get("archive")
    except RequestEntityTooLarge:
        return _verify_page(413, refusal=_("Die Datei ist größer als erlaubt."))
    if upload is None or not upload.filename:
        return _verify_page(422, refusal=_("Bitte wählen Sie eine Vergabeakte (ZIP-Datei) aus."))
    # werkzeug spools the file part to a temporary file (beyond 500 KiB); it goes with the request
    try:
        report = verify_archive(upload.stream)
    except ArchiveError as err:
        return _verify_page(
            422, refusal=_("Die Datei kann nicht geprüft werden: %(reason)s", reason=str(err))
        )
    finally:
        upload.close()
    return _verify_page(200, report=report, filename=upload.filename)
