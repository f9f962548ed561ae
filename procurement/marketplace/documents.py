"""Documents of marketplace entries: data sheets, specifications, tender documents, reports.

An upload is streamed into the storage (`procurement.storage`) with a limit per file, then its
content is checked against the type its extension claims (magic bytes, and for the ZIP based
office formats the parts inside), so a renamed program is refused. The user's file name is kept
only in a sanitised form, for the download; the stored file has a random key.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, NamedTuple, Optional

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from procurement.accounts.models import User
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.marketplace.models import Document, DocumentKind
from procurement.marketplace.permissions import Entry, can_manage_documents, document_entry, is_owner
from procurement.marketplace.services import audit_entry, reindex_entry
from procurement.storage import (
    FileTooLarge,
    StoredFile,
    UnknownKey,
    delete_after_commit,
    discard_on_rollback,
    storage,
)
from workflows.curation import EntryStatus

MAX_FILENAME_LENGTH = 120
FALLBACK_STEM = "dokument"


class DocumentTooLarge(DomainError):
    status_code = 413


def format_size(size: int) -> str:
    """A file size for people: ``4 GB``, ``20 MB``, ``1,5 KB``, ``300 Bytes`` (units of 1024)."""
    for unit, factor in (("GB", 1024 * 1024 * 1024), ("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{format_decimal(round(size / factor, 1), format='#,##0.#')} {unit}"
    return _("%(n)d Bytes", n=size)


def too_large_message() -> str:
    limit = format_size(current_app.config["MAX_DOCUMENT_BYTES"])
    return _(
        "Die Datei ist zu groß: erlaubt sind höchstens %(limit)s je Datei. Es wurde nichts gespeichert.",
        limit=limit,
    )


# --- file types ----------------------------------------------------------------------------


def _is_pdf(handle: BinaryIO) -> bool:
    return handle.read(5) == b"%PDF-"


def _zip(handle: BinaryIO) -> Optional[zipfile.ZipFile]:
    if handle.read(4) != b"PK\x03\x04":
        return None
    handle.seek(0)
    return zipfile.ZipFile(handle)


def _is_zip(handle: BinaryIO) -> bool:
    archive = _zip(handle)
    return archive is not None and bool(archive.namelist())


def _odf(mimetype: str) -> Callable[[BinaryIO], bool]:
    """OpenDocument: a ZIP whose small ``mimetype`` member names the document type."""

    def matches(handle: BinaryIO) -> bool:
        archive = _zip(handle)
        if archive is None:
            return False
        info = archive.getinfo("mimetype")
        return info.file_size <= 100 and archive.read(info) == mimetype.encode("ascii")

    return matches


def _ooxml(main_part: str) -> Callable[[BinaryIO], bool]:
    """Office Open XML: a ZIP with a content types part and the document's main part."""

    def matches(handle: BinaryIO) -> bool:
        archive = _zip(handle)
        if archive is None:
            return False
        names = set(archive.namelist())
        return "[Content_Types].xml" in names and main_part in names

    return matches


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    matches: Callable[[BinaryIO], bool]


FILE_TYPES: dict[str, FileType] = {
    "pdf": FileType("PDF", "application/pdf", _is_pdf),
    "odt": FileType(
        "ODT", "application/vnd.oasis.opendocument.text", _odf("application/vnd.oasis.opendocument.text")
    ),
    "ods": FileType(
        "ODS",
        "application/vnd.oasis.opendocument.spreadsheet",
        _odf("application/vnd.oasis.opendocument.spreadsheet"),
    ),
    "docx": FileType(
        "DOCX",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ooxml("word/document.xml"),
    ),
    "xlsx": FileType(
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ooxml("xl/workbook.xml"),
    ),
    "zip": FileType("ZIP", "application/zip", _is_zip),
}


def content_matches(file_type: FileType, handle: BinaryIO) -> bool:
    """Whether the content really is of ``file_type`` (a damaged archive is not)."""
    try:
        return file_type.matches(handle)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, RuntimeError, NotImplementedError, zlib.error):
        return False


# --- file names -----------------------------------------------------------------------------

_WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
_UNSAFE = re.compile(r'[<>:"|?*]')
_EXTENSION = re.compile(r"^[A-Za-z0-9]{1,10}$")


def sanitise_filename(name: Optional[str]) -> str:
    """A file name safe to show and to offer for download, as close to the user's as possible.

    Keeps only the last path component, drops control and invisible formatting characters
    (e.g. right-to-left overrides), replaces characters that are not allowed on common systems,
    removes leading dots, shortens very long names (keeping the extension) and falls back to
    ``dokument`` when nothing is left. Umlauts and other letters stay as they are (NFC).
    """
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category.startswith("Z"):
            kept.append(" ")
        elif not category.startswith("C"):
            kept.append(char)
    text = _UNSAFE.sub("_", "".join(kept))
    text = re.sub(r"\s+", " ", text).strip()
    stem, dot, extension = text.rpartition(".")
    if not dot or not _EXTENSION.match(extension):
        stem, extension = text, ""
    # no leading dots (hidden files, "..") and no trailing dots or spaces (dropped by Windows)
    stem = stem.strip(" .")
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    if not stem:
        stem = FALLBACK_STEM
    room = MAX_FILENAME_LENGTH - (len(extension) + 1 if extension else 0)
    stem = stem[:room].rstrip(" .") or FALLBACK_STEM
    return f"{stem}.{extension.lower()}" if extension else stem


def _extension(filename: str) -> str:
    stem, dot, extension = filename.rpartition(".")
    return extension.lower() if dot and stem else ""


# --- operations -----------------------------------------------------------------------------


class StoredUpload(NamedTuple):
    filename: str  # sanitised
    file_type: FileType
    stored: StoredFile


def store_upload(upload: FileStorage) -> StoredUpload:
    """Stream an upload into the storage and check it: name, type, size, content.

    The file is removed again when a check fails, and when the request's transaction is rolled
    back later (so a refused row leaves no orphan file).
    """
    filename = sanitise_filename(upload.filename)
    file_type = FILE_TYPES.get(_extension(filename))
    if file_type is None:
        raise DomainError(
            _(
                "Dateien dieses Typs können Sie nicht hochladen. Erlaubt sind PDF, ODT, ODS, DOCX, "
                "XLSX und ZIP (die Dateiendung muss dazu passen)."
            )
        )
    store = storage()
    try:
        stored = store.save_stream(upload.stream, current_app.config["MAX_DOCUMENT_BYTES"])
    except FileTooLarge as err:
        raise DocumentTooLarge(too_large_message()) from err
    try:
        if stored.size == 0:
            raise DomainError(_("Die Datei ist leer."))
        with store.open(stored.key) as handle:
            if not content_matches(file_type, handle):
                raise DomainError(
                    _(
                        "Der Inhalt der Datei ist kein %(type)s-Dokument, obwohl der Name das angibt. "
                        "Bitte laden Sie die Datei im richtigen Format hoch.",
                        type=file_type.label,
                    )
                )
    except DomainError:
        store.delete(stored.key)
        raise
    discard_on_rollback(db.session(), store, stored.key)
    return StoredUpload(filename, file_type, stored)


def ensure_may_manage(actor: User, entry: Entry) -> None:
    """Raise unless ``actor`` may add or delete documents of ``entry`` now (409 owners, 403 others)."""
    if can_manage_documents(actor, entry):
        return
    if is_owner(actor, entry):
        raise Conflict(_("Dokumente können Sie nur bei Entwürfen hinzufügen oder löschen."))
    raise PermissionDenied(_("Sie dürfen die Dokumente dieses Eintrags nicht ändern."))


def _document_audit(document: Document) -> dict[str, object]:
    return {
        "document_id": document.id,
        "filename": document.filename,
        "kind": document.kind.value,
        "size": document.size,
        "sha256": document.sha256,
    }


def add_document(
    actor: User, entry: Entry, upload: FileStorage, kind: DocumentKind, title: str, now: datetime
) -> Document:
    """Store an uploaded file with an entry: streamed, size-limited, type-checked, audited.

    :param upload: the file as received; its name is sanitised, its content checked
    :param title: shown instead of the file name; empty means the file name without extension
    """
    ensure_may_manage(actor, entry)
    filename, file_type, stored = store_upload(upload)
    document = Document(
        kind=kind,
        title=title.strip() or filename.rsplit(".", 1)[0],
        filename=filename,
        content_type=file_type.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        uploaded_by_id=actor.id,
        uploaded_at=now,
    )
    entry.documents.append(document)
    db.session.flush()
    audit_entry(
        "document_added",
        actor,
        entry,
        now,
        after={"status": entry.status.value} | _document_audit(document),
    )
    reindex_entry(entry)
    return document


def delete_document(actor: User, document: Document, now: datetime) -> None:
    """Remove a document; its file is deleted once the removal is committed."""
    entry = document_entry(document)
    ensure_may_manage(actor, entry)
    before = {"status": entry.status.value} | _document_audit(document)
    key = document.storage_key
    entry.documents.remove(document)
    db.session.flush()
    delete_after_commit(db.session(), storage(), key)
    audit_entry("document_deleted", actor, entry, now, before=before)
    reindex_entry(entry)


def open_document(document: Document) -> BinaryIO:
    """Open the stored content of ``document`` for reading (the caller closes it)."""
    try:
        return storage().open(document.storage_key)
    except UnknownKey as err:
        raise NotFound(_("Die Datei ist nicht mehr vorhanden.")) from err


def is_public(document: Document) -> bool:
    return document_entry(document).status is EntryStatus.published
