"""The Vergabeakte download (a streamed ZIP) and the page that checks an exported archive.

- ``records.akte_zip``: who may (``can_download_akte``) gets the archive, streamed while it is
  written; others get 403 if they may see the tender at all, else 404 (they do not learn that
  it exists). Each download is recorded before the first byte (``record.akte_downloaded``) and,
  once the archive was sent completely, with its SHA-256 (``record.akte_completed``).
- ``records.verify_archive``: auditors and officers upload an archive and see the verdict; the
  upload is spooled to a temporary file (never held in memory) and nothing is kept. The check
  (``verify.py``) runs without Flask and speaks English in the CLI; the page says its findings in
  the reader's language from each finding's ``code`` and parameters.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Optional

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
from procurement.marketplace.documents import format_size
from procurement.records import akte
from procurement.records.blueprint import bp
from procurement.records.permissions import can_download_akte, can_verify_archive
from procurement.records.verify import ArchiveError, ArchiveReport, Problem, verify_archive
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


# what the check found, in the reader's language (German source); the keys are verify.py's codes
_PROBLEMS = {
    "manifest_entry": lambda p: _("das Manifest enthält einen fehlerhaften Dateieintrag"),
    "file_missing": lambda p: _("im Manifest genannt, fehlt aber in der Vergabeakte"),
    "file_extra": lambda p: _("in der Vergabeakte, aber nicht im Manifest genannt"),
    "file_unreadable": lambda p: _("nicht lesbar, die Vergabeakte wurde verändert"),
    "entry_malformed": lambda p: _("fehlerhafter Eintrag (%(error)s)", error=p.get("error", "")),
    "entry_altered": lambda p: _("der Inhalt passt nicht zu seiner Prüfsumme (Eintrag verändert)"),
    "entry_out_of_order": lambda p: _(
        "in falscher Reihenfolge (nach Eintrag seq %(previous)s)", previous=p.get("previous")
    ),
    "entry_unlinked": lambda p: _(
        "prev_hash passt nicht zur Prüfsumme des Eintrags seq %(previous)s", previous=p.get("previous")
    ),
    "entry_after_head": lambda p: _("ein Eintrag ist neuer als der Kopf der Prüfkette beim Export"),
    "line_too_long": lambda p: _("Zeile %(line)s ist unplausibel lang", line=p.get("line")),
    "line_not_json": lambda p: _("Zeile %(line)s ist kein JSON-Objekt", line=p.get("line")),
    "line_not_entry": lambda p: _("Zeile %(line)s ist kein Eintrag des Prüfprotokolls", line=p.get("line")),
    "entry_count": lambda p: _(
        "%(found)s Einträge statt der %(expected)s im Manifest genannten",
        found=p.get("found"),
        expected=p.get("expected"),
    ),
}

_REFUSALS = {
    "not_zip": lambda p: _("Die Datei ist keine ZIP-Datei."),
    "unreadable": lambda p: _("Die Datei kann nicht gelesen werden."),
    "no_manifest": lambda p: _(
        "Die Datei enthält kein manifest.json: sie ist keine exportierte Vergabeakte."
    ),
    "manifest_too_large": lambda p: _(
        "Das manifest.json ist unplausibel groß (%(size)s).", size=format_size(int(p.get("size", 0)))
    ),
    "manifest_unreadable": lambda p: _("Das manifest.json kann nicht gelesen werden."),
    "manifest_no_files": lambda p: _("Das manifest.json enthält keine Liste der Dateien."),
    "manifest_format": lambda p: _(
        "Das manifest.json hat ein unbekanntes Format „%(found)s“ (erwartet: %(expected)s).",
        found=p.get("found"),
        expected=p.get("expected"),
    ),
}


def problem_text(problem: Problem) -> str:
    """A finding of the check in the reader's language (the English text for an unknown code)."""
    if problem.code == "file_changed":
        params = problem.params
        text = _(
            "Inhalt verändert: SHA-256 %(actual)s statt %(expected)s",
            actual=params.get("actual"),
            expected=params.get("expected"),
        )
        if params.get("actual_size") != params.get("expected_size"):
            text += " · " + _(
                "%(actual)s Bytes statt %(expected)s",
                actual=params.get("actual_size"),
                expected=params.get("expected_size"),
            )
        return text
    message = _PROBLEMS.get(problem.code)
    return message(problem.params) if message else problem.message


def refusal_text(err: ArchiveError) -> str:
    message = _REFUSALS.get(getattr(err, "code", ""))
    return message(err.params) if message else str(err)


def exported_at(report: ArchiveReport) -> Optional[datetime]:
    """When the archive was exported (the manifest's ISO time, UTC if it names no zone)."""
    value = report.manifest.get("created_at")
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _verify_page(status: int = 200, **context: Any) -> ResponseReturnValue:
    limit = format_size(current_app.config["MAX_ARCHIVE_BYTES"])
    report = context.get("report")
    html = render_template(
        "records/verify.html",
        limit=limit,
        problem_text=problem_text,
        exported=exported_at(report) if report is not None else None,
        **context,
    )
    return _private(Response(html, status=status))


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
            422, refusal=_("Die Datei kann nicht geprüft werden: %(reason)s", reason=refusal_text(err))
        )
    finally:
        upload.close()
    return _verify_page(200, report=report, filename=upload.filename)
