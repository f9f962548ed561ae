"""Tender documents (Vergabeunterlagen): versioned uploads, public after publication (§41 VgV).

Uploads reuse the marketplace's checks (streamed into the storage with a size limit, content
checked against the type the extension claims, sanitised file name, random storage key). Every
version of a document is kept: once the tender is published, bidders may have worked with an
older version, so nothing is deleted any more and every new version is mailed to the vendor
users who downloaded the documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO, Optional

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from procurement.accounts.models import OrganisationKind, User
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.mail.services import queue_mail
from procurement.marketplace.documents import store_upload
from procurement.storage import UnknownKey, delete_after_commit, storage
from procurement.tenders.models import DocumentDownload, Tender, TenderDocument
from procurement.tenders.permissions import (
    can_download_documents,
    can_manage_tender,
    can_view_tender,
    is_public,
)
from procurement.tenders.services import audit_tender, public_link
from workflows.account import UserStatus
from workflows.tender import TenderStatus

MAX_TITLE_LENGTH = 200
MAX_CHANGE_NOTE_LENGTH = 2000

# Documents can be added from the first draft until the bid deadline of the published tender.
DOCUMENTS_EDITABLE = (
    TenderStatus.draft,
    TenderStatus.collecting,
    TenderStatus.ready,
    TenderStatus.published,
)


def documents_editable(tender: Tender, now: datetime) -> bool:
    """Whether the tender's documents may change now (state, and before the bid deadline)."""
    if tender.status not in DOCUMENTS_EDITABLE:
        return False
    return tender.status is not TenderStatus.published or (
        tender.bid_deadline is not None and now < tender.bid_deadline
    )


def can_change_documents(actor: Optional[User], tender: Tender, now: datetime) -> bool:
    return can_manage_tender(actor, tender) and documents_editable(tender, now)


def can_delete_documents(actor: Optional[User], tender: Tender) -> bool:
    """Only before publication: afterwards bidders may rely on every version (§41 VgV)."""
    return (
        can_manage_tender(actor, tender)
        and tender.published_at is None
        and tender.status in (TenderStatus.draft, TenderStatus.collecting, TenderStatus.ready)
    )


def ensure_may_change(actor: User, tender: Tender, now: datetime) -> None:
    """Raise unless ``actor`` may add documents now (404 outsiders, 403 others, 409 too late)."""
    if not can_view_tender(actor, tender) and not can_manage_tender(actor, tender):
        raise NotFound(_("Diese Ausschreibung gibt es nicht."))
    if not can_manage_tender(actor, tender):
        raise PermissionDenied(
            _("Die Vergabeunterlagen ändern nur die Vergabestellen der federführenden Kommune.")
        )
    if not documents_editable(tender, now):
        raise Conflict(
            _(
                "Die Vergabeunterlagen können nach Ablauf der Angebotsfrist oder nach dem Ende "
                "des Verfahrens nicht mehr geändert werden."
            )
        )


def document_audit(document: TenderDocument) -> dict[str, Any]:
    return {
        "document_id": document.id,
        "series_id": document.series_id,
        "version": document.version,
        "title": document.title,
        "filename": document.filename,
        "size": document.size,
        "sha256": document.sha256,
        "change_note": document.change_note,
    }


def series_of(tender: Tender, series_id: int) -> list[TenderDocument]:
    """All versions of one document of ``tender``, oldest first."""
    return sorted(
        (document for document in tender.documents if document.series_id == series_id),
        key=lambda document: document.version,
    )


def add_document(
    actor: User,
    tender: Tender,
    upload: FileStorage,
    title: str,
    now: datetime,
    series_id: Optional[int] = None,
    change_note: str = "",
) -> TenderDocument:
    """Store a tender document or a new version of one: streamed, size-limited, type-checked.

    :param upload: the file as received; its name is sanitised, its content checked
    :param title: shown instead of the file name; empty means the file name without extension
        (a new version keeps the title of the previous one when empty)
    :param series_id: the document this is a new version of; None for a new document
    :param change_note: what changed (shown to bidders with the new version)
    """
    ensure_may_change(actor, tender, now)
    previous: Optional[TenderDocument] = None
    if series_id is not None:
        versions = series_of(tender, series_id)
        if not versions:
            raise NotFound(_("Dieses Dokument gehört nicht zu der Ausschreibung."))
        previous = versions[-1]
    title, change_note = title.strip(), change_note.strip()
    if len(title) > MAX_TITLE_LENGTH:
        raise DomainError(_("Der Titel darf höchstens %(max)d Zeichen lang sein.", max=MAX_TITLE_LENGTH))
    if len(change_note) > MAX_CHANGE_NOTE_LENGTH:
        raise DomainError(
            _("Die Änderungsnotiz darf höchstens %(max)d Zeichen lang sein.", max=MAX_CHANGE_NOTE_LENGTH)
        )
    filename, file_type, stored = store_upload(upload)
    # Touch the tender first: its version column makes a concurrent upload to the same tender
    # fail (409) before the new row is written.
    tender.updated_at = now
    db.session.flush()
    document = TenderDocument(
        # a new series is numbered by the id of its first version, known after the insert
        series_id=previous.series_id if previous else -tender.id,
        version=previous.version + 1 if previous else 1,
        title=title or (previous.title if previous else filename.rsplit(".", 1)[0]),
        filename=filename,
        content_type=file_type.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        change_note=change_note,
        uploaded_by_id=actor.id,
        uploaded_at=now,
    )
    tender.documents.append(document)
    db.session.flush()
    if previous is None:
        document.series_id = document.id
        db.session.flush()
    after = {"status": tender.status.value} | document_audit(document)
    if previous is not None:
        after["supersedes"] = previous.id
    audit_tender("document_added", actor, tender, now, after=after)
    if is_public(tender):
        _notify_downloaders(tender, document, previous)
    return document


def delete_document(actor: User, document: TenderDocument, now: datetime) -> None:
    """Remove one version before publication; its file goes once the removal is committed."""
    tender = document.tender
    ensure_may_change(actor, tender, now)
    if not can_delete_documents(actor, tender):
        raise Conflict(
            _(
                "Nach der Veröffentlichung werden Vergabeunterlagen nicht mehr gelöscht; laden Sie "
                "stattdessen eine neue Fassung hoch."
            )
        )
    before = {"status": tender.status.value} | document_audit(document)
    key = document.storage_key
    tender.documents.remove(document)
    tender.updated_at = now
    db.session.flush()
    delete_after_commit(db.session(), storage(), key)
    audit_tender("document_deleted", actor, tender, now, before=before)


def open_document(document: TenderDocument) -> BinaryIO:
    """Open the stored content of ``document`` for reading (the caller closes it)."""
    try:
        return storage().open(document.storage_key)
    except UnknownKey as err:
        raise NotFound(_("Die Datei ist nicht mehr vorhanden.")) from err


def load_document(user: Optional[User], tender: Optional[Tender], document_id: int) -> TenderDocument:
    """The document if ``user`` may download it; 404 otherwise (drafts stay invisible)."""
    if tender is None or not can_download_documents(user, tender):
        raise NotFound(_("Dieses Dokument gibt es nicht."))
    document = next((d for d in tender.documents if d.id == document_id), None)
    if document is None:
        raise NotFound(_("Dieses Dokument gibt es nicht."))
    return document


def record_download(user: Optional[User], document: TenderDocument, now: datetime) -> bool:
    """Remember the first download by a vendor user: they hear about every later change.

    Returns whether this was the user's first download of the tender's documents.
    """
    tender = document.tender
    if (
        user is None
        or not user.is_authenticated
        or user.organisation.kind is not OrganisationKind.vendor
        or not is_public(tender)
    ):
        return False
    known = db.session.scalar(
        select(DocumentDownload.id).where(
            DocumentDownload.tender_id == tender.id, DocumentDownload.user_id == user.id
        )
    )
    if known is not None:
        return False
    try:
        # a savepoint: the same user downloading twice at once must not fail the download
        with db.session.begin_nested():
            db.session.add(
                DocumentDownload(
                    tender_id=tender.id,
                    user_id=user.id,
                    organisation_id=user.organisation_id,
                    first_downloaded_at=now,
                )
            )
    except IntegrityError:
        return False
    audit_tender(
        "documents_downloaded",
        user,
        tender,
        now,
        after={"document_id": document.id, "organisation_id": user.organisation_id},
    )
    return True


def downloaders(tender: Tender) -> list[User]:
    """Active vendor users who downloaded the tender's documents."""
    return list(
        db.session.scalars(
            select(User)
            .join(DocumentDownload, DocumentDownload.user_id == User.id)
            .where(DocumentDownload.tender_id == tender.id, User.status == UserStatus.active)
            .order_by(User.id)
        )
    )


def _notify_downloaders(tender: Tender, document: TenderDocument, previous: Optional[TenderDocument]) -> None:
    for user in downloaders(tender):
        queue_mail(
            user.email,
            "tender_documents_changed",
            user.language,
            user=user,
            tender=tender,
            document=document,
            previous=previous,
            link=public_link(tender),
        )


# --- what the pages show ----------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentSeries:
    """One document with its current version and the versions it superseded (newest first)."""

    current: TenderDocument
    older: list[TenderDocument]


def document_series(tender: Tender) -> list[DocumentSeries]:
    """The tender's documents in upload order, each with its older versions."""
    rows = []
    for current in tender.current_documents:
        versions = series_of(tender, current.series_id)
        rows.append(DocumentSeries(current, [d for d in reversed(versions) if d is not current]))
    return rows
