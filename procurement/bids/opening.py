"""The opening of sealed bids by two officers of the lead authority (§55 VgV) and opened bids.

After the bid deadline the tender is in ``opening``. Each officer of the lead confirms; when two
distinct officers have confirmed (§55(2) VgV), the bids are opened in the same transaction:
every submitted bid's content is decrypted, every file is decrypted as a stream and its size
and SHA-256 compared with the receipt, the opening record (Öffnungsprotokoll) is issued and
stored, and the officers of the lead and of the participants are told (without prices).

Exactly one opening happens, also when two officers confirm at the same moment: the tender row
is locked before anything is read (``FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite),
so the second confirmation waits and sees the first. Should the lock be bypassed, the unique
constraints (one confirmation per officer, one opening per tender) and the tender's version
column still refuse the second writer; that surfaces as a 409 with a clear message.

A bid that cannot be decrypted or whose file does not match the receipt is still opened: it
carries ``opening_error`` (and the file ``verification_error``), the others open normally, and
the record shows the failure loudly (§10(1) Nr. 7 VgV).

After the opening only the lead's officers read prices, answers and files; every read is an
audit entry (who, when, which bid or file).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO, Optional

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from procurement.accounts.models import User
from procurement.accounts.services import active_officers
from procurement.audit.services import record
from procurement.awards.models import BidReview, Offer
from procurement.bids import keys, sealing
from procurement.bids.models import Bid, BidFile, Opening, OpeningConfirmation
from procurement.bids.permissions import (
    can_confirm_opening,
    can_read_bid_content,
    can_view_opening,
)
from procurement.bids.record import OpeningRecordRenderer, RecordBid, RecordData, RecordFile, RecordPrice
from procurement.bids.services import audit_bid
from procurement.database import lock_sqlite_for_writing
from procurement.errors import Conflict, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.mail.services import queue_mail
from procurement.storage import StorageError, UnknownKey, discard_on_rollback, storage
from procurement.tenders import services as tender_services
from procurement.tenders.deadlines import refresh
from procurement.tenders.models import Tender
from procurement.web import TRIGGER_LABELS, external_url
from workflows.bid import BID, BidStatus
from workflows.tender import TENDER, TenderStatus

log = logging.getLogger(__name__)

# bids that were received (sealed or opened): what the count after the deadline shows
RECEIVED_STATES = frozenset(
    {
        BidStatus.submitted,
        BidStatus.opened,
        BidStatus.admitted,
        BidStatus.excluded,
        BidStatus.successful,
        BidStatus.unsuccessful,
    }
)
# listed in the record as not opened
SET_ASIDE_STATES = frozenset({BidStatus.withdrawn, BidStatus.superseded})
# the tender states in which the bids have been opened
OPENED_TENDER_STATES = frozenset(
    {
        TenderStatus.evaluation,
        TenderStatus.award_proposed,
        TenderStatus.standstill,
        TenderStatus.awarded,
        TenderStatus.contracted,
        TenderStatus.closed,
    }
)
OFFICERS_NEEDED = 2  # §55(2) VgV: at least two representatives of the contracting authority
STREAM_CHUNK = 64 * 1024

TRIGGER_LABELS.setdefault((TENDER.name, "open_bids"), _l("Angebote öffnen"))


# --- reading the state ---------------------------------------------------------------------------


def opening_of(tender: Tender) -> Optional[Opening]:
    return db.session.scalars(select(Opening).where(Opening.tender_id == tender.id)).first()


def received_bid_count(tender: Tender, now: datetime) -> int:
    """How many bids were received; only after the deadline (§10(1) Nr. 2 VgV: not even the number)."""
    if tender.bid_deadline is None or now < tender.bid_deadline:
        raise PermissionDenied(_("Vor Ablauf der Angebotsfrist gibt es keine Angaben zu Angeboten."))
    return db.session.scalar(
        select(func.count())
        .select_from(Bid)
        .where(Bid.tender_id == tender.id, Bid.status.in_(RECEIVED_STATES))
    )


def _confirmations(tender: Tender) -> list[OpeningConfirmation]:
    return list(
        db.session.scalars(
            select(OpeningConfirmation)
            .where(OpeningConfirmation.tender_id == tender.id)
            .order_by(OpeningConfirmation.confirmed_at, OpeningConfirmation.id)
        )
    )


def _tender_bids(tender: Tender) -> list[Bid]:
    """Every bid that was ever submitted (drafts never were), in order of receipt."""
    return list(
        db.session.scalars(
            select(Bid)
            .where(Bid.tender_id == tender.id, Bid.submitted_at.is_not(None))
            .order_by(Bid.submitted_at, Bid.id)
        )
    )


@dataclass
class OpenedContent:
    """What an opened bid says, decrypted; ``error`` if it could not be."""

    prices: list[tuple[Any, Decimal]] = field(default_factory=list)  # (lot, price) in lot order
    answers: list[tuple[Any, str]] = field(default_factory=list)  # (criterion, text)
    consortium: list[str] = field(default_factory=list)
    error: str = ""


@dataclass
class OpeningOverview:
    """What the opening page shows; ``bid_count`` is None before the deadline (§10(1) Nr. 2 VgV)."""

    tender: Tender
    deadline_passed: bool
    bid_count: Optional[int]
    confirmations: list[OpeningConfirmation]
    opening: Optional[Opening]
    can_confirm: bool
    confirmed_by_actor: bool
    bids: list[tuple[Bid, OpenedContent]] = field(default_factory=list)
    set_aside: list[Bid] = field(default_factory=list)


def _audit_opening(action: str, actor: Optional[User], tender: Tender, now: datetime, **after: Any) -> None:
    record(
        f"opening.{action}",
        actor=actor,
        object_type="tender",
        object_id=tender.id,
        organisation_id=tender.lead_organisation_id,
        now=now,
        after=after or None,
    )


def opening_overview(actor: User, tender: Tender, now: datetime) -> OpeningOverview:
    """The opening page's facts for an officer of the lead.

    Before the deadline: nothing about bids. After it: their number and the confirmations. After
    the opening: the bids with their content (this read is audited, ``opening.bids_read``).
    """
    if not can_view_opening(actor, tender):
        raise PermissionDenied(_("Die Öffnung der Angebote ist Sache der Vergabestelle des Auftraggebers."))
    refresh(tender, now)
    deadline_passed = tender.bid_deadline is not None and now >= tender.bid_deadline
    overview = OpeningOverview(
        tender=tender,
        deadline_passed=deadline_passed,
        bid_count=None,
        confirmations=[],
        opening=None,
        can_confirm=False,
        confirmed_by_actor=False,
    )
    if not deadline_passed or tender.status in (TenderStatus.draft, TenderStatus.published):
        return overview
    overview.bid_count = received_bid_count(tender, now)
    overview.confirmations = _confirmations(tender)
    overview.confirmed_by_actor = any(c.officer_id == actor.id for c in overview.confirmations)
    overview.opening = opening_of(tender)
    overview.can_confirm = (
        can_confirm_opening(actor, tender)
        and tender.status is TenderStatus.opening
        and overview.opening is None
        and not overview.confirmed_by_actor
    )
    if overview.opening is not None:
        for bid in _tender_bids(tender):
            if bid.status in SET_ASIDE_STATES:
                overview.set_aside.append(bid)
            elif can_read_bid_content(actor, bid):
                overview.bids.append((bid, decrypt_content(bid)))
        _audit_opening("bids_read", actor, tender, now, bids=[bid.receipt_id for bid, _c in overview.bids])
    return overview


# --- confirming and opening ----------------------------------------------------------------------


def _lock(tender: Tender) -> None:
    """Re-read the tender under a write lock; concurrent confirmations queue here.

    PostgreSQL: ``SELECT ... FOR UPDATE`` on the row. SQLite has no row locks: ``BEGIN
    IMMEDIATE`` takes the database's write lock before anything is read (pysqlite would open
    the transaction only at the first write, after our reads).
    """
    db.session.flush()
    if db.session.get_bind().dialect.name == "sqlite":
        lock_sqlite_for_writing(db.session())
        db.session.refresh(tender)
    else:
        db.session.refresh(tender, with_for_update=True)
    db.session.expire(tender, ["opening_confirmations"])


def _refuse_unless_openable(tender: Tender, now: datetime) -> None:
    if tender.status in OPENED_TENDER_STATES or opening_of(tender) is not None:
        raise Conflict(_("Die Angebote sind bereits geöffnet."))
    if tender.status is TenderStatus.published or tender.bid_deadline is None or now < tender.bid_deadline:
        raise Conflict(
            _(
                "Die Angebotsfrist läuft noch: die Angebote können erst nach ihrem Ablauf geöffnet "
                "werden (§ 55 Abs. 1 VgV)."
            )
        )
    if tender.status is not TenderStatus.opening:
        raise Conflict(_("In diesem Stand der Ausschreibung gibt es keine Öffnung von Angeboten."))


def confirm_opening(actor: User, tender: Tender, now: datetime) -> Optional[Opening]:
    """Confirm the opening as one of the two officers; the second distinct confirmation opens.

    :param actor: an officer of the lead authority (§55(2) VgV)
    :param now: the server time; the bid deadline must have passed
    :returns: the Opening if this confirmation opened the bids, else None
    """
    if not can_confirm_opening(actor, tender):
        raise PermissionDenied(_("Die Öffnung bestätigen nur Beschaffende der federführenden Kommune."))
    refresh(tender, now)
    _lock(tender)
    _refuse_unless_openable(tender, now)
    confirmations = _confirmations(tender)
    if any(c.officer_id == actor.id for c in confirmations):
        raise Conflict(
            _(
                "Sie haben bereits bestätigt. Die Öffnung braucht die Bestätigung einer zweiten "
                "Person (§ 55 Abs. 2 VgV)."
            )
        )
    confirmation = OpeningConfirmation(tender_id=tender.id, officer_id=actor.id, confirmed_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(confirmation)
            db.session.flush()
    except IntegrityError as err:
        raise Conflict(_("Sie haben bereits bestätigt.")) from err
    confirmations.append(confirmation)
    db.session.expire(tender, ["opening_confirmations"])
    _audit_opening("confirmed", actor, tender, now, officer_id=actor.id, confirmations=len(confirmations))
    officers: list[int] = []
    for row in confirmations:
        if row.officer_id not in officers:
            officers.append(row.officer_id)
    if len(officers) < OFFICERS_NEEDED:
        return None
    try:
        return _open(actor, tender, officers[0], officers[1], now)
    except (IntegrityError, StaleDataError) as err:
        # a concurrent opening won despite the lock (e.g. a lock-free write path)
        raise Conflict(_("Die Angebote sind bereits geöffnet.")) from err


def _storage_error_text(err: Exception) -> str:
    if isinstance(err, UnknownKey):
        return "Die verschlüsselte Datei fehlt im Speicher."
    return f"Die verschlüsselte Datei kann nicht gelesen werden ({err})."


def _check_file(bid_file: BidFile, tender_key: bytes) -> tuple[bool, str]:
    """Decrypt the file as a stream (never whole) and compare it with the receipt; (ok, why not)."""
    try:
        data_key = sealing.unwrap_key(bid_file.wrapped_key, tender_key)
        with storage().open(bid_file.storage_key) as source:
            stats = sealing.open_to_hash(source, data_key)
    except sealing.SealingError as err:
        return (
            False,
            f"Die Datei lässt sich nicht entschlüsseln: sie wurde verändert oder ist unvollständig ({err}).",
        )
    except (StorageError, OSError) as err:
        return False, _storage_error_text(err)
    problems = []
    if stats.size != bid_file.size:
        problems.append(f"Größe {stats.size} statt {bid_file.size} Bytes")
    if stats.sha256 != bid_file.sha256:
        problems.append(f"SHA-256 {stats.sha256} statt {bid_file.sha256}")
    if problems:
        return (
            False,
            "Die entschlüsselte Datei stimmt nicht mit der Eingangsbestätigung überein: "
            + "; ".join(problems),
        )
    return True, ""


def _verify_file(bid_file: BidFile, tender_key: bytes) -> None:
    bid_file.verified, bid_file.verification_error = _check_file(bid_file, tender_key)


def _decrypt_json(bid: Bid, tender_key: bytes) -> dict[str, Any]:
    if not bid.content_sealed or not bid.content_key_wrapped:
        return {"lots": {}, "answers": {}, "consortium": []}
    data_key = sealing.unwrap_key(bid.content_key_wrapped, tender_key)
    plain = b"".join(sealing.open_stream(io.BytesIO(bid.content_sealed), data_key))
    content = json.loads(plain.decode("utf-8"))
    if not isinstance(content, dict):
        raise ValueError("the content is not an object")
    return content


def _content(bid: Bid, content: dict[str, Any]) -> OpenedContent:
    """Map the decrypted JSON onto the tender's lots and criteria (unknown ids are an error)."""
    lots = {lot.id: lot for lot in bid.tender.lots}
    criteria = {criterion.id: criterion for criterion in bid.tender.criteria}
    prices = []
    for lot_id, value in content.get("lots", {}).items():
        lot = lots.get(int(lot_id))
        if lot is None:
            raise ValueError(f"lot {lot_id} is not part of the tender")
        prices.append((lot, Decimal(value)))
    answers = []
    for criterion_id, text in content.get("answers", {}).items():
        criterion = criteria.get(int(criterion_id))
        if criterion is None:
            raise ValueError(f"criterion {criterion_id} is not part of the tender")
        answers.append((criterion, str(text)))
    return OpenedContent(
        prices=sorted(prices, key=lambda row: row[0].number),
        answers=sorted(answers, key=lambda row: row[0].position),
        consortium=[str(name) for name in content.get("consortium", [])],
    )


def _content_error(err: Exception) -> str:
    if isinstance(err, sealing.SealingError):
        return f"Der Inhalt des Angebots lässt sich nicht entschlüsseln: er wurde verändert ({err})."
    return f"Der Inhalt des Angebots ist nicht lesbar ({err})."


def decrypt_content(bid: Bid, tender_key: Optional[bytes] = None) -> OpenedContent:
    """Decrypt what a bid says. Callers check permission first (the opening; opened bids)."""
    try:
        key = tender_key if tender_key is not None else keys.tender_key(bid.tender)
        return _content(bid, _decrypt_json(bid, key))
    except (sealing.SealingError, ValueError, KeyError, TypeError, InvalidOperation) as err:
        return OpenedContent(error=_content_error(err))


def _open_bid(actor: User, bid: Bid, tender_key: bytes, now: datetime) -> OpenedContent:
    BID.fire(bid, "open", now)
    bid.opened_at = now
    content = decrypt_content(bid, tender_key)
    for bid_file in bid.files:
        _verify_file(bid_file, tender_key)
    errors = [content.error] if content.error else []
    errors += [f"{f.filename}: {f.verification_error}" for f in bid.files if f.verified is False]
    bid.opening_error = "\n".join(errors)
    bid.updated_at = now
    # the evaluation starts here: a review per bid, its prices per lot for the lead's officers
    db.session.add(BidReview(bid_id=bid.id, tender_id=bid.tender_id))
    for lot, price in content.prices:
        db.session.add(Offer(tender_id=bid.tender_id, bid_id=bid.id, lot_id=lot.id, price=price))
    db.session.flush()
    audit_bid(
        "opened",
        actor,
        bid,
        now,
        after=dict(
            status=bid.status.value,
            opening_error=bid.opening_error,
            files=[
                {
                    "filename": f.filename,
                    "sha256": f.sha256,
                    "verified": f.verified,
                    "error": f.verification_error,
                }
                for f in bid.files
            ],
        ),
    )
    return content


def _tender_key(tender: Tender) -> bytes:
    try:
        return keys.tender_key(tender)
    except (keys.PlatformKeyError, sealing.SealingError) as err:
        log.error("cannot open the bids of tender %s: %s", tender.id, err)
        raise Conflict(
            _(
                "Die Angebote können nicht geöffnet werden: der Schlüssel der Ausschreibung ist nicht "
                "verfügbar (Plattformschlüssel fehlt oder passt nicht). Bitte wenden Sie sich an den "
                "Betrieb der Plattform. Es wurde nichts geöffnet."
            )
        ) from err


def _open(actor: User, tender: Tender, first_id: int, second_id: int, now: datetime) -> Opening:
    """Open every submitted bid, issue and store the record, tell the officers."""
    tender_key = _tender_key(tender)
    tender_services.fire(actor, tender, "open_bids", now, officers=[first_id, second_id])
    opening = Opening(
        tender_id=tender.id, opened_at=now, first_officer_id=first_id, second_officer_id=second_id
    )
    db.session.add(opening)
    db.session.flush()
    contents: dict[int, OpenedContent] = {}
    bids = _tender_bids(tender)
    for bid in bids:
        if bid.status is BidStatus.submitted:
            contents[bid.id] = _open_bid(actor, bid, tender_key, now)
    data = record_data(tender, opening, bids, contents)
    pdf = OpeningRecordRenderer().render(data)
    store = storage()
    stored = store.save_stream(io.BytesIO(pdf), len(pdf))
    discard_on_rollback(db.session(), store, stored.key)
    opening.record_storage_key = stored.key
    opening.record_sha256 = stored.sha256
    db.session.flush()
    _audit_opening(
        "record_stored",
        actor,
        tender,
        now,
        record_sha256=stored.sha256,
        opened=len(contents),
        failed=sum(1 for bid in bids if bid.id in contents and bid.opening_error),
    )
    _mail_opened(tender, opening, len(contents))
    return opening


def _lead_link(tender: Tender) -> str:
    return external_url("bids.opening", tender_id=tender.id)


def _mail_opened(tender: Tender, opening: Opening, bid_count: int) -> None:
    """Tell the lead's and the participants' officers; no prices, no vendor names."""
    organisations = {tender.lead_organisation_id} | {p.organisation_id for p in tender.joined_participants}
    for officer in active_officers(organisations):
        is_lead = officer.organisation_id == tender.lead_organisation_id
        queue_mail(
            officer.email,
            "bids_opened",
            officer.language,
            user=officer,
            tender=tender,
            opening=opening,
            bid_count=bid_count,
            link=_lead_link(tender) if is_lead else tender_services.tender_link(tender),
        )


# --- the record --------------------------------------------------------------------------------


def record_data(
    tender: Tender, opening: Opening, bids: list[Bid], contents: dict[int, OpenedContent]
) -> RecordData:
    """What the opening record states, from the rows and the decrypted contents."""
    from procurement.tenders.labels import PROCEDURE_LABELS

    with force_locale("de"):
        procedure = str(PROCEDURE_LABELS[tender.procedure]) if tender.procedure else "–"
    entries = []
    for bid in bids:
        assert bid.submitted_at is not None
        if bid.id in contents:
            content = contents[bid.id]
            entries.append(
                RecordBid(
                    vendor=bid.organisation.name,
                    receipt_id=bid.receipt_id,
                    submitted_at=bid.submitted_at,
                    state="opened",
                    prices=tuple(RecordPrice(lot.number, lot.title, price) for lot, price in content.prices),
                    consortium=tuple(content.consortium),
                    files=tuple(
                        RecordFile(f.filename, f.size, f.sha256, f.verified, f.verification_error)
                        for f in bid.files
                    ),
                    error=content.error,
                )
            )
        elif bid.status in SET_ASIDE_STATES:
            entries.append(
                RecordBid(
                    vendor=bid.organisation.name,
                    receipt_id=bid.receipt_id,
                    submitted_at=bid.submitted_at,
                    state=bid.status.value,
                    withdrawn_at=bid.withdrawn_at,
                )
            )
    officers = (
        db.session.get(User, opening.first_officer_id),
        db.session.get(User, opening.second_officer_id),
    )
    assert tender.bid_deadline is not None
    return RecordData(
        tender_title=tender.title,
        reference=tender.reference,
        procedure=procedure,
        lead_organisation=tender.lead_organisation.name,
        bid_deadline=tender.bid_deadline,
        opened_at=opening.opened_at,
        officers=(officers[0].name, officers[1].name),  # type: ignore[union-attr]
        bids=tuple(entries),
    )


def opening_record_pdf(actor: User, tender: Tender, now: datetime) -> bytes:
    """The stored record as issued, checked against its hash; the read is audited."""
    if not can_view_opening(actor, tender):
        raise PermissionDenied(_("Das Öffnungsprotokoll sehen nur Beschaffende der federführenden Kommune."))
    opening = opening_of(tender)
    if opening is None or not opening.record_storage_key:
        raise NotFound(_("Die Angebote sind noch nicht geöffnet: es gibt noch kein Öffnungsprotokoll."))
    try:
        with storage().open(opening.record_storage_key) as source:
            pdf = source.read()
    except StorageError as err:
        raise Conflict(
            _("Das Öffnungsprotokoll fehlt im Speicher. Bitte wenden Sie sich an den Betrieb.")
        ) from err
    if hashlib.sha256(pdf).hexdigest() != opening.record_sha256:
        log.error("opening record of tender %s does not match its hash", tender.id)
        raise Conflict(
            _(
                "Das gespeicherte Öffnungsprotokoll stimmt nicht mit seiner Prüfsumme überein: es wurde "
                "verändert. Bitte wenden Sie sich an den Betrieb."
            )
        )
    _audit_opening("record_read", actor, tender, now, record_sha256=opening.record_sha256)
    return pdf


# --- opened bids -------------------------------------------------------------------------------


def load_opened_bid(actor: User, tender: Tender, bid_id: int) -> Bid:
    """A bid of this tender whose content ``actor`` may read (opened; lead's officer)."""
    if not can_view_opening(actor, tender):
        raise PermissionDenied(_("Angebote lesen nur Beschaffende der federführenden Kommune."))
    bid = db.session.get(Bid, bid_id)
    if bid is None or bid.tender_id != tender.id or bid.submitted_at is None:
        raise NotFound(_("Dieses Angebot gibt es nicht."))
    if not can_read_bid_content(actor, bid):
        raise PermissionDenied(_("Dieses Angebot ist nicht geöffnet: es bleibt verschlüsselt (§ 55 VgV)."))
    return bid


def read_opened_bid(actor: User, bid: Bid, now: datetime) -> OpenedContent:
    """Decrypt an opened bid's content for an officer of the lead; the read is audited."""
    if not can_read_bid_content(actor, bid):
        raise PermissionDenied(_("Dieses Angebot ist nicht geöffnet: es bleibt verschlüsselt (§ 55 VgV)."))
    content = decrypt_content(bid)
    audit_bid("content_read", actor, bid, now)
    return content


@dataclass(frozen=True)
class FileDownload:
    """A verified file ready to stream: decrypted chunk by chunk while it is sent."""

    bid_file: BidFile
    chunks: Iterator[bytes]


def _stream(source: BinaryIO, data_key: bytes, file_id: int) -> Iterator[bytes]:
    try:
        yield from sealing.open_stream(source, data_key)
    except sealing.SealingError as err:
        # verified just before; a change in between stops the download short of its
        # Content-Length, so the client sees an incomplete file, never a wrong one
        log.error("bid file %s changed while it was being sent: %s", file_id, err)
    finally:
        source.close()


def download_opened_file(actor: User, bid: Bid, file_id: int, now: datetime) -> FileDownload:
    """Check the file completely (decrypt to hash), then hand out a decrypting stream.

    The check comes first because a streamed response cannot change its status once the first
    byte is sent: a changed or truncated blob must become a clear 409 here, not a cut download.
    The read is audited (``bid.file_read``: who, when, which file).
    """
    if not can_read_bid_content(actor, bid):
        raise PermissionDenied(_("Dieses Angebot ist nicht geöffnet: es bleibt verschlüsselt (§ 55 VgV)."))
    bid_file = next((f for f in bid.files if f.id == file_id), None)
    if bid_file is None:
        raise NotFound(_("Diese Datei gibt es nicht."))
    tender_key = _tender_key(bid.tender)
    verified, why = _check_file(bid_file, tender_key)
    if not verified:
        log.error("bid file %s failed verification on download: %s", bid_file.id, why)
        raise Conflict(
            _(
                "Die Datei „%(name)s“ kann nicht ausgegeben werden: %(reason)s",
                name=bid_file.filename,
                reason=why,
            )
        )
    data_key = sealing.unwrap_key(bid_file.wrapped_key, tender_key)
    try:
        source = storage().open(bid_file.storage_key)
    except StorageError as err:
        raise Conflict(_("Die verschlüsselte Datei fehlt im Speicher.")) from err
    audit_bid(
        "file_read",
        actor,
        bid,
        now,
        after={"file_id": bid_file.id, "filename": bid_file.filename, "sha256": bid_file.sha256},
    )
    return FileDownload(bid_file, _stream(source, data_key, bid_file.id))
