"""Documents requested after the opening (§56(2) VgV) and the bidder's answer.

- An officer of the lead requests documents from an opened (not yet admitted) bid with a text
  and a deadline in the future; the vendor's active users are mailed a link (outbox). While a
  request is open the bid cannot be admitted (``workflows.bid`` guard ``no_open_request``).
- The vendor's users answer on the platform with a text and files until the deadline (server
  clock, checked when the request arrives and again once its files are read). The files are
  sealed while they stream in, with a fresh data key wrapped by the tender key, exactly like the
  bid's own files (``procurement.bids.upload.SealingReader``); same types and size limits.
- ``flask tick`` marks open requests whose deadline has passed as ``lapsed`` (`lapse_overdue`).
- An officer may withdraw an open request. The lead's officers read the reply files decrypted
  (verified completely first, every read audited).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Optional

from flask_babel import gettext as _
from sqlalchemy import select

from procurement.accounts.models import Role, User
from procurement.accounts.services import active_members
from procurement.awards.evaluation import ensure_may_evaluate, ensure_may_view
from procurement.awards.models import DocumentReplyFile, DocumentRequest, RequestStatus
from procurement.awards.permissions import can_answer_document_request
from procurement.awards.services import audit_evaluation
from procurement.bids import keys, sealing
from procurement.bids.models import Bid
from procurement.bids.services import seal_upload
from procurement.database import utcnow
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.mail.services import queue_mail
from procurement.storage import StorageError, storage
from procurement.tenders.models import Tender
from procurement.web import external_url
from workflows.bid import BidStatus

log = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 20000
MAX_FILES = 20


def _stale() -> Conflict:
    return Conflict(
        _(
            "Jemand anderes hat diese Nachforderung gerade geändert. Ihre Änderung wurde nicht "
            "gespeichert. Bitte laden Sie die Seite neu."
        )
    )


def _check_version(request_: DocumentRequest, version: Optional[int]) -> None:
    if version is not None and version != request_.version:
        raise _stale()


def _text(value: str, what: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise DomainError(_("%(what)s ist zu lang (höchstens %(n)d Zeichen).", what=what, n=MAX_TEXT_LENGTH))
    return text


def vendor_recipients(bid: Bid) -> list[User]:
    """The active vendor users of the bidder: who is told of a request."""
    return active_members([bid.organisation_id], Role.vendor)


def requests_of_bid(bid: Bid) -> list[DocumentRequest]:
    return list(
        db.session.scalars(
            select(DocumentRequest).where(DocumentRequest.bid_id == bid.id).order_by(DocumentRequest.id)
        )
    )


# --- the officer's side ------------------------------------------------------------------------


def create_request(
    actor: User, tender: Tender, bid: Bid, text: str, deadline: datetime, now: datetime
) -> DocumentRequest:
    """Request documents from an opened bid's vendor until ``deadline`` (UTC, in the future)."""
    ensure_may_evaluate(actor, tender)
    if bid.tender_id != tender.id:
        raise NotFound(_("Dieses Angebot gibt es nicht."))
    if bid.status is not BidStatus.opened:
        raise Conflict(
            _(
                "Unterlagen werden nur für Angebote nachgefordert, über die noch nicht entschieden "
                "ist. Nehmen Sie die Entscheidung zuerst zurück."
            )
        )
    body = _text(text, _("Der Text"))
    if not body:
        raise DomainError(_("Bitte beschreiben Sie, welche Unterlagen fehlen."))
    if deadline.tzinfo is None:
        raise ValueError("deadline must be timezone-aware")
    if deadline <= now:
        raise DomainError(_("Die Frist muss in der Zukunft liegen."))
    request_ = DocumentRequest(
        tender_id=tender.id,
        bid_id=bid.id,
        text=body,
        deadline=deadline,
        requested_by_id=actor.id,
        requested_at=now,
    )
    db.session.add(request_)
    db.session.flush()
    audit_evaluation(
        "documents_requested",
        actor,
        tender,
        now,
        "document_request",
        request_.id,
        after={"bid_id": bid.id, "deadline": deadline.isoformat(), "text": body},
    )
    link = external_url("awards.vendor_request", request_id=request_.id)
    for recipient in vendor_recipients(bid):
        queue_mail(
            recipient.email,
            "evaluation_documents_requested",
            recipient.language or "de",
            user=recipient,
            tender=tender,
            bid=bid,
            request=request_,
            link=link,
        )
    return request_


def load_request(actor: Optional[User], tender: Tender, request_id: int) -> DocumentRequest:
    ensure_may_view(actor, tender)
    request_ = db.session.get(DocumentRequest, request_id)
    if request_ is None or request_.tender_id != tender.id:
        raise NotFound(_("Diese Nachforderung gibt es nicht."))
    return request_


def withdraw_request(
    actor: User, tender: Tender, request_: DocumentRequest, now: datetime, version: Optional[int] = None
) -> DocumentRequest:
    ensure_may_evaluate(actor, tender)
    _check_version(request_, version)
    if request_.status is not RequestStatus.open:
        raise Conflict(_("Nur eine offene Nachforderung kann zurückgezogen werden."))
    request_.status = RequestStatus.withdrawn
    request_.closed_at = now
    db.session.flush()
    audit_evaluation(
        "request_withdrawn",
        actor,
        tender,
        now,
        "document_request",
        request_.id,
        before={"status": "open"},
        after={"bid_id": request_.bid_id, "status": "withdrawn"},
    )
    return request_


def lapse_overdue(now: datetime) -> list[int]:
    """Mark open requests whose deadline has passed as lapsed (``flask tick``); their ids."""
    overdue = list(
        db.session.scalars(
            select(DocumentRequest)
            .where(DocumentRequest.status == RequestStatus.open, DocumentRequest.deadline <= now)
            .order_by(DocumentRequest.id)
        )
    )
    for request_ in overdue:
        request_.status = RequestStatus.lapsed
        request_.closed_at = now
        db.session.flush()
        tender = db.session.get(Tender, request_.tender_id)
        audit_evaluation(
            "request_lapsed",
            None,
            tender,  # type: ignore[arg-type]
            now,
            "document_request",
            request_.id,
            before={"status": "open"},
            after={"bid_id": request_.bid_id, "status": "lapsed"},
        )
    return [request_.id for request_ in overdue]


@dataclass(frozen=True)
class ReplyDownload:
    reply_file: DocumentReplyFile
    chunks: Iterator[bytes]


def _stream(source: BinaryIO, data_key: bytes, file_id: int) -> Iterator[bytes]:
    try:
        yield from sealing.open_stream(source, data_key)
    except sealing.SealingError as err:
        log.error("reply file %s changed while it was being sent: %s", file_id, err)
    finally:
        source.close()


def download_reply_file(
    actor: User, tender: Tender, request_: DocumentRequest, file_id: int, now: datetime
) -> ReplyDownload:
    """Verify a reply file completely (decrypt to hash), then hand out a decrypting stream."""
    ensure_may_view(actor, tender)
    reply = next((f for f in request_.files if f.id == file_id), None)
    if reply is None:
        raise NotFound(_("Diese Datei gibt es nicht."))
    try:
        tender_key = keys.tender_key(tender)
        data_key = sealing.unwrap_key(reply.wrapped_key, tender_key)
        with storage().open(reply.storage_key) as source:
            stats = sealing.open_to_hash(source, data_key)
        if stats.size != reply.size or stats.sha256 != reply.sha256:
            raise sealing.SealingError("size or SHA-256 differ from the record")
        source = storage().open(reply.storage_key)
    except (sealing.SealingError, keys.PlatformKeyError, StorageError, OSError) as err:
        log.error("reply file %s failed verification: %s", reply.id, err)
        raise Conflict(
            _(
                "Die Datei „%(name)s“ kann nicht ausgegeben werden: sie fehlt oder wurde verändert.",
                name=reply.filename,
            )
        ) from err
    audit_evaluation(
        "reply_file_read",
        actor,
        tender,
        now,
        "document_request",
        request_.id,
        after={"file_id": reply.id, "filename": reply.filename, "sha256": reply.sha256},
    )
    return ReplyDownload(reply, _stream(source, data_key, reply.id))


# --- the vendor's side -------------------------------------------------------------------------


def load_vendor_request(actor: Optional[User], request_id: int) -> DocumentRequest:
    """A request to ``actor``'s own vendor organisation; 404 for everyone else."""
    request_ = db.session.get(DocumentRequest, request_id)
    if request_ is None or not can_answer_document_request(actor, request_.bid):
        raise NotFound(_("Diese Nachforderung gibt es nicht."))
    return request_


def is_answerable(request_: DocumentRequest, now: datetime) -> bool:
    return request_.status is RequestStatus.open and now < request_.deadline


def _ensure_answerable(actor: User, request_: DocumentRequest, now: datetime) -> None:
    if not can_answer_document_request(actor, request_.bid):
        raise PermissionDenied(_("Diese Nachforderung beantworten nur Nutzer des Bieters."))
    if request_.status is RequestStatus.answered:
        raise Conflict(_("Diese Nachforderung ist bereits beantwortet."))
    if request_.status is not RequestStatus.open:
        raise Conflict(_("Diese Nachforderung ist nicht mehr offen."))
    if now >= request_.deadline:
        raise Conflict(
            _(
                "Die Frist für diese Nachforderung ist abgelaufen (Serverzeit). Die Antwort wurde "
                "nicht angenommen."
            )
        )


def add_reply_file(
    actor: User, request_: DocumentRequest, filename: str, source: BinaryIO, now: datetime
) -> DocumentReplyFile:
    """Stream one answer file into the storage, sealed with the tender key as it arrives."""
    _ensure_answerable(actor, request_, now)
    if len(request_.files) >= MAX_FILES:
        raise DomainError(_("Eine Antwort kann höchstens %(n)d Dateien haben.", n=MAX_FILES))
    sealed = seal_upload(
        request_.bid.tender,
        filename,
        source,
        [(existing.filename, existing.size) for existing in request_.files],
        duplicate_message=_("Eine Datei „%(name)s“ gehört schon zu dieser Antwort."),
        total_message=_(
            "Die Antwort wird zu groß: alle Dateien zusammen dürfen höchstens %(limit)s haben. "
            "Es wurde nichts gespeichert."
        ),
    )
    reply = DocumentReplyFile(
        filename=sealed.filename,
        content_type=sealed.content_type,
        size=sealed.size,
        sha256=sealed.sha256,
        sealed_size=sealed.sealed_size,
        storage_key=sealed.storage_key,
        wrapped_key=sealed.wrapped_key,
        uploaded_by_id=actor.id,
        uploaded_at=now,
    )
    request_.files.append(reply)
    db.session.flush()
    return reply


def answer_request(
    actor: User,
    request_: DocumentRequest,
    text: str,
    now: datetime,
    version: Optional[int] = None,
    clock: Callable[[], datetime] = utcnow,
) -> DocumentRequest:
    """Close the answer: text and the files added in this request; the deadline is checked at the
    end of the work (server clock), so an answer that finished late is refused and nothing kept."""
    _ensure_answerable(actor, request_, now)
    _check_version(request_, version)
    body = _text(text, _("Die Antwort"))
    if not body and not request_.files:
        raise DomainError(_("Bitte schreiben Sie eine Antwort oder fügen Sie eine Datei bei."))
    finished = clock()
    _ensure_answerable(actor, request_, finished)
    request_.status = RequestStatus.answered
    request_.answer_text = body
    request_.answered_by_id = actor.id
    request_.answered_at = finished
    db.session.flush()
    tender = request_.bid.tender
    audit_evaluation(
        "request_answered",
        actor,
        tender,
        finished,
        "document_request",
        request_.id,
        after={
            "bid_id": request_.bid_id,
            "files": [{"filename": f.filename, "size": f.size, "sha256": f.sha256} for f in request_.files],
        },
    )
    officer = request_.requested_by
    if officer is not None and officer.email:
        queue_mail(
            officer.email,
            "evaluation_request_answered",
            user=officer,
            tender=tender,
            bid=request_.bid,
            request=request_,
            link=external_url("awards.review_bid", tender_id=tender.id, bid_id=request_.bid_id),
        )
    return request_
