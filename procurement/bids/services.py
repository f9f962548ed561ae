"""The vendor's side of sealed bids: prepare a draft, add sealed files, submit, withdraw.

What a bid says (prices, answers, consortium) is sealed as JSON with a fresh data key on every
save; files are sealed while they stream in. Nothing of it is kept in clear (§54 VgV). The server
clock decides about the deadline to the second (§57(1) VgV): every upload, submission and
withdrawal is checked against the time at the *end* of its work, so a request that started
before the deadline and finished after it is refused and nothing of it is kept.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO, Optional

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from procurement.accounts.models import Organisation, User
from procurement.audit.services import record
from procurement.bids import keys, sealing
from procurement.bids.models import Bid, BidFile, BidFileKind
from procurement.bids.permissions import (
    can_change_bid,
    can_list_own_bids,
    can_prepare_bid,
    can_read_own_draft,
    can_view_own_bid,
    is_vendor,
)
from procurement.bids.upload import BID_FILE_MAGIC, SealingReader, UploadRefused
from procurement.database import lock_sqlite_for_writing, utcnow
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.mail.services import queue_mail
from procurement.marketplace.documents import FILE_TYPES, format_size, sanitise_filename
from procurement.storage import FileTooLarge, delete_after_commit, discard_on_rollback, storage
from procurement.tenders.advisor import BERLIN
from procurement.tenders.deadlines import refresh
from procurement.tenders.models import CriterionKind, Tender
from procurement.web import external_url
from workflows.bid import BID, BidStatus
from workflows.tender import TenderStatus

MAX_PRICE = Decimal("99999999999.99")  # fits Numeric(14, 2) of the evaluation
MAX_ANSWER_LENGTH = 20000
MAX_CONSORTIUM_MEMBERS = 30
MAX_MEMBER_LENGTH = 200
CONTENT_CHUNK_SIZE = 64 * 1024


class BidTooLarge(DomainError):
    status_code = 413


class LateSubmission(Conflict):
    """Received at or after the bid deadline (§57(1) VgV): refused, nothing was kept."""


@dataclass
class BidData:
    """What the vendor says in its bid: price per lot (lot id), answers per criterion id, members."""

    prices: dict[int, Decimal] = field(default_factory=dict)
    answers: dict[int, str] = field(default_factory=dict)
    consortium: list[str] = field(default_factory=list)


# --- audit, loading ----------------------------------------------------------------------------


def audit_bid(
    action: str,
    actor: Optional[User],
    bid: Bid,
    now: datetime,
    before: Optional[dict[str, Any]] = None,
    after: Optional[dict[str, Any]] = None,
) -> None:
    """Record ``bid.<action>`` in the chain; never with prices or answers (they are sealed)."""
    record(
        f"bid.{action}",
        actor=actor,
        object_type="bid",
        object_id=bid.id,
        organisation_id=bid.organisation_id,
        now=now,
        before=before,
        after={"tender_id": bid.tender_id, "receipt_id": bid.receipt_id} | (after or {}),
    )


def load_own_bid(actor: User, tender_id: int, bid_id: int) -> Bid:
    """The bid if it belongs to ``actor``'s vendor organisation and this tender; else 404."""
    bid = db.session.get(Bid, bid_id)
    if bid is None or bid.tender_id != tender_id or not can_view_own_bid(actor, bid):
        raise NotFound(_("Dieses Angebot gibt es nicht."))
    return bid


def bids_of_organisation(actor: User, tender: Optional[Tender] = None) -> list[Bid]:
    """The actor's organisation's bids (all tenders, or one), newest first; drafts included."""
    if not can_list_own_bids(actor):
        raise PermissionDenied(_("Angebote sehen nur Bieter."))
    query = select(Bid).where(Bid.organisation_id == actor.organisation_id)
    if tender is not None:
        query = query.where(Bid.tender_id == tender.id)
    return list(db.session.scalars(query.order_by(Bid.created_at.desc(), Bid.id.desc())))


def current_draft(actor: User, tender: Tender) -> Optional[Bid]:
    """The draft of the actor's organisation for ``tender``, if there is one."""
    if not is_vendor(actor):
        return None
    return db.session.scalars(
        select(Bid)
        .where(
            Bid.tender_id == tender.id,
            Bid.organisation_id == actor.organisation_id,
            Bid.status == BidStatus.draft,
        )
        .order_by(Bid.id)
        .limit(1)
    ).first()


# --- the deadline ------------------------------------------------------------------------------


def _clock(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%H:%M:%S")


def _day(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y")


def late_message(tender: Tender, received_at: datetime) -> str:
    deadline = tender.bid_deadline
    assert deadline is not None
    if _day(received_at) == _day(deadline):
        return _(
            "Ihr Angebot ist um %(received)s Uhr eingegangen, nach Ablauf der Frist um %(deadline)s Uhr; "
            "es wurde nicht angenommen.",
            received=_clock(received_at),
            deadline=_clock(deadline),
        )
    return _(
        "Ihr Angebot ist am %(received_day)s um %(received)s Uhr eingegangen, nach Ablauf der Frist "
        "am %(deadline_day)s um %(deadline)s Uhr; es wurde nicht angenommen.",
        received_day=_day(received_at),
        received=_clock(received_at),
        deadline_day=_day(deadline),
        deadline=_clock(deadline),
    )


def ensure_in_time(tender: Tender, received_at: datetime) -> None:
    """Refuse what is received at or after the bid deadline: the server clock decides (§57(1) VgV)."""
    if tender.bid_deadline is None or received_at >= tender.bid_deadline:
        raise LateSubmission(late_message(tender, received_at) if tender.bid_deadline else _("Keine Frist."))


def _ensure_may_change(actor: User, bid: Bid, now: datetime) -> None:
    """Raise unless ``actor`` may change this draft now (404 strangers, 409 state or deadline)."""
    if not can_view_own_bid(actor, bid):
        raise NotFound(_("Dieses Angebot gibt es nicht."))
    refresh(bid.tender, now)
    if bid.status is not BidStatus.draft:
        raise Conflict(_("Dieses Angebot ist bereits abgegeben und kann nicht mehr geändert werden."))
    ensure_in_time(bid.tender, now)
    if not can_change_bid(actor, bid):
        raise Conflict(_("Diese Ausschreibung nimmt keine Angebote an."))


# --- drafts ------------------------------------------------------------------------------------


def _lock_vendor(organisation_id: int) -> None:
    """Serialise the creation of drafts of one vendor organisation (row lock; SQLite: write lock)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            select(Organisation.id).where(Organisation.id == organisation_id).with_for_update()
        )
        return
    lock_sqlite_for_writing(db.session())


def get_or_create_draft(actor: User, tender: Tender, now: datetime) -> Bid:
    """Return the draft of the actor's vendor organisation for ``tender``, creating it if needed.

    :param now: the server time; at or after the bid deadline nothing is prepared any more
    """
    if not is_vendor(actor):
        raise PermissionDenied(_("Angebote geben nur Bieter ab."))
    if tender.status is TenderStatus.published:
        ensure_in_time(tender, now)
    refresh(tender, now)
    if not can_prepare_bid(actor, tender):
        raise Conflict(_("Diese Ausschreibung nimmt keine Angebote an."))
    draft = current_draft(actor, tender)
    if draft is not None:
        return draft
    # One draft per vendor organisation and tender: concurrent first uploads of the same vendor
    # wait for each other here and the second one finds the first one's draft.
    _lock_vendor(actor.organisation_id)
    draft = current_draft(actor, tender)
    if draft is not None:
        return draft
    draft = Bid(
        tender=tender,
        organisation_id=actor.organisation_id,
        created_by_id=actor.id,
        status=BID.initial,
        created_at=now,
        updated_at=now,
    )
    db.session.add(draft)
    db.session.flush()
    audit_bid("draft_created", actor, draft, now, after={"status": draft.status.value})
    return draft


def _price(value: object) -> Decimal:
    try:
        price = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation as err:
        raise DomainError(_("Ein Preis ist keine Zahl.")) from err
    if not price.is_finite() or price <= 0:
        raise DomainError(_("Ein Preis muss größer als 0 sein."))
    if price > MAX_PRICE:
        raise DomainError(_("Ein Preis ist unplausibel hoch."))
    if price != price.quantize(Decimal("0.01")):
        raise DomainError(_("Preise haben höchstens zwei Nachkommastellen (Cent)."))
    return price.quantize(Decimal("0.01"))


def _validate(tender: Tender, data: BidData) -> dict[str, Any]:
    lot_ids = {lot.id for lot in tender.lots}
    prices: dict[str, str] = {}
    for lot_id, value in data.prices.items():
        if lot_id not in lot_ids:
            raise DomainError(_("Dieses Los gibt es in der Ausschreibung nicht."))
        prices[str(lot_id)] = str(_price(value))
    quality = {criterion.id for criterion in tender.criteria if criterion.kind is CriterionKind.quality}
    answers: dict[str, str] = {}
    for criterion_id, text in data.answers.items():
        if criterion_id not in quality:
            raise DomainError(_("Dieses Qualitätskriterium gibt es in der Ausschreibung nicht."))
        text = (text or "").strip()
        if len(text) > MAX_ANSWER_LENGTH:
            raise DomainError(_("Eine Antwort ist zu lang."))
        if text:
            answers[str(criterion_id)] = text
    members = [name.strip() for name in data.consortium if name and name.strip()]
    if len(members) > MAX_CONSORTIUM_MEMBERS or any(len(name) > MAX_MEMBER_LENGTH for name in members):
        raise DomainError(_("Die Angaben zur Bietergemeinschaft sind zu lang."))
    return {"lots": prices, "answers": answers, "consortium": members}


def _seal_bytes(plain: bytes, data_key: bytes) -> bytes:
    sealer = sealing.Sealer(data_key, CONTENT_CHUNK_SIZE)
    return sealer.update(plain) + sealer.finish()


def save_draft(actor: User, bid: Bid, data: BidData, now: datetime) -> Bid:
    """Seal what the bid says (prices, answers, consortium) with a fresh data key.

    :param data: prices per lot id (> 0, cents), answers per quality criterion id, member names
    """
    _ensure_may_change(actor, bid, now)
    content = _validate(bid.tender, data)
    plain = json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")
    data_key = sealing.new_key()
    bid.content_sealed = _seal_bytes(plain, data_key)
    bid.content_key_wrapped = sealing.wrap_key(data_key, keys.tender_key(bid.tender))
    bid.has_prices = bool(content["lots"])
    bid.updated_at = now
    db.session.flush()
    # no prices, answers or lots in the chain: they are sealed until the opening
    audit_bid("draft_saved", actor, bid, now, after={"status": bid.status.value})
    return bid


def read_sealed_content(bid: Bid) -> BidData:
    """Decrypt what a bid says. Callers check permission first (own draft; opening officers)."""
    if not bid.content_sealed or not bid.content_key_wrapped:
        return BidData()
    data_key = sealing.unwrap_key(bid.content_key_wrapped, keys.tender_key(bid.tender))
    plain = b"".join(sealing.open_stream(io.BytesIO(bid.content_sealed), data_key))
    content = json.loads(plain.decode("utf-8"))
    return BidData(
        prices={int(lot_id): Decimal(value) for lot_id, value in content.get("lots", {}).items()},
        answers={int(criterion_id): text for criterion_id, text in content.get("answers", {}).items()},
        consortium=list(content.get("consortium", [])),
    )


def draft_content(actor: User, bid: Bid) -> BidData:
    """The vendor reads back its own draft; a submitted bid stays sealed, also for its vendor."""
    if not can_view_own_bid(actor, bid):
        raise NotFound(_("Dieses Angebot gibt es nicht."))
    if not can_read_own_draft(actor, bid):
        raise PermissionDenied(_("Ein abgegebenes Angebot bleibt bis zur Öffnung verschlüsselt (§ 55 VgV)."))
    return read_sealed_content(bid)


# --- files -------------------------------------------------------------------------------------


def _extension(filename: str) -> str:
    stem, dot, extension = filename.rpartition(".")
    return extension.lower() if dot and stem else ""


def _file_facts(bid_file: BidFile) -> dict[str, object]:
    return {"filename": bid_file.filename, "size": bid_file.size, "sha256": bid_file.sha256}


def _sealed_limit(plain_limit: int, chunk_size: int) -> int:
    chunks = plain_limit // chunk_size + 1
    return sealing.HEADER.size + plain_limit + chunks * sealing.TAG_BYTES


@dataclass(frozen=True)
class SealedFile:
    """A file sealed into the storage under a fresh data key, wrapped with the tender key."""

    filename: str  # sanitised
    content_type: str
    size: int  # plaintext bytes
    sha256: str  # of the plaintext
    sealed_size: int
    storage_key: str
    wrapped_key: bytes


def seal_upload(
    tender: Tender,
    filename: str,
    source: BinaryIO,
    taken: list[tuple[str, int]],
    *,
    duplicate_message: str,
    total_message: str,
    check_after: Callable[[], None] = lambda: None,
) -> SealedFile:
    """Stream a file into the storage, sealed as it arrives; refuse it if it breaks a rule.

    The one way files reach a tender's sealed storage: bid files and answers to requested
    documents (§56 VgV) alike. Nothing of the plaintext is kept; a refused file leaves nothing.

    :param filename: the browser's name; sanitised (no paths, control or direction characters)
    :param source: the plaintext, read in chunks (never whole)
    :param taken: (name, size) of the files already in the same bid or answer
    :param duplicate_message: the refusal when the name is taken (``%(name)s`` is the name)
    :param total_message: the refusal when the files together would exceed MAX_BID_BYTES
        (``%(limit)s`` is that limit)
    :param check_after: run once the file is stored (e.g. the deadline by the server clock); a
        DomainError from it removes the stored file
    """
    name = sanitise_filename(filename)
    extension = _extension(name)
    if extension not in BID_FILE_MAGIC:
        raise DomainError(
            _(
                "Dateien dieses Typs können Sie nicht hochladen. Erlaubt sind PDF, ODT, ODS, DOCX, "
                "XLSX und ZIP (die Dateiendung muss dazu passen)."
            )
        )
    if any(existing == name for existing, _size in taken):
        raise Conflict(duplicate_message % {"name": name})
    file_limit = current_app.config["MAX_BID_FILE_BYTES"]
    room = current_app.config["MAX_BID_BYTES"] - sum(size for _name, size in taken)
    limit = min(file_limit, room)
    data_key = sealing.new_key()
    sealer = sealing.Sealer(data_key)
    reader = SealingReader(source, sealer, BID_FILE_MAGIC[extension], limit)
    store = storage()
    try:
        stored = store.save_stream(
            reader,  # type: ignore[arg-type]
            _sealed_limit(limit, sealing.DEFAULT_CHUNK_SIZE),
            hash_content=False,  # the plaintext's SHA-256 is what the receipt names
        )
    except (UploadRefused, FileTooLarge) as err:
        # save_stream removed its partial file; say why
        if isinstance(err, UploadRefused) and err.reason == "wrong_type":
            raise DomainError(
                _(
                    "Der Inhalt der Datei ist kein %(type)s-Dokument, obwohl der Name das angibt. "
                    "Bitte laden Sie die Datei im richtigen Format hoch.",
                    type=FILE_TYPES[extension].label,
                )
            ) from err
        if file_limit <= room:
            raise BidTooLarge(
                _(
                    "Die Datei ist zu groß: erlaubt sind höchstens %(limit)s je Datei. "
                    "Es wurde nichts gespeichert.",
                    limit=format_size(file_limit),
                )
            ) from err
        raise BidTooLarge(
            total_message % {"limit": format_size(current_app.config["MAX_BID_BYTES"])}
        ) from err
    try:
        stats = sealer.stats
        if stats.size == 0:
            raise DomainError(_("Die Datei ist leer. Es wurde nichts gespeichert."))
        check_after()
    except DomainError:
        store.delete(stored.key)
        raise
    discard_on_rollback(db.session(), store, stored.key)
    return SealedFile(
        filename=name,
        content_type=FILE_TYPES[extension].content_type,
        size=stats.size,
        sha256=stats.sha256,
        sealed_size=stored.size,
        storage_key=stored.key,
        wrapped_key=sealing.wrap_key(data_key, keys.tender_key(tender)),
    )


def add_file(
    actor: User,
    bid: Bid,
    filename: str,
    source: BinaryIO,
    now: datetime,
    kind: BidFileKind = BidFileKind.other,
    clock: Callable[[], datetime] = utcnow,
) -> BidFile:
    """Stream a file into the storage, sealed as it arrives (`seal_upload`), and add it to the bid.

    :param now: the server time when the request arrived (checked before reading)
    :param clock: the server clock, asked again once the file has been read (§57(1) VgV): the
        time of receipt is when the file is complete, not when the request began
    """
    _ensure_may_change(actor, bid, now)
    sealed = seal_upload(
        bid.tender,
        filename,
        source,
        [(existing.filename, existing.size) for existing in bid.files],
        duplicate_message=_("Eine Datei „%(name)s“ gehört schon zu diesem Angebot."),
        total_message=_(
            "Das Angebot wird zu groß: alle Dateien zusammen dürfen höchstens %(limit)s haben. "
            "Es wurde nichts gespeichert."
        ),
        check_after=lambda: ensure_in_time(bid.tender, clock()),
    )
    bid_file = BidFile(
        kind=kind,
        filename=sealed.filename,
        content_type=sealed.content_type,
        size=sealed.size,
        sha256=sealed.sha256,
        sealed_size=sealed.sealed_size,
        storage_key=sealed.storage_key,
        wrapped_key=sealed.wrapped_key,
        uploaded_at=now,
    )
    bid.files.append(bid_file)
    bid.updated_at = now
    db.session.flush()
    audit_bid(
        "file_added", actor, bid, now, after=_file_facts(bid_file) | {"sealed_size": sealed.sealed_size}
    )
    return bid_file


def load_file(bid: Bid, file_id: int) -> BidFile:
    bid_file = next((f for f in bid.files if f.id == file_id), None)
    if bid_file is None:
        raise NotFound(_("Diese Datei gibt es nicht."))
    return bid_file


def delete_file(actor: User, bid_file: BidFile, now: datetime) -> None:
    """Remove a file from a draft; the sealed blob is deleted once the removal is committed."""
    bid = bid_file.bid
    _ensure_may_change(actor, bid, now)
    facts = _file_facts(bid_file)
    key = bid_file.storage_key
    bid.files.remove(bid_file)
    bid.updated_at = now
    db.session.flush()
    delete_after_commit(db.session(), storage(), key)
    audit_bid("file_deleted", actor, bid, now, before=facts)


# --- submission and withdrawal -------------------------------------------------------------------


def receipt_facts(bid: Bid) -> dict[str, Any]:
    """What the receipt states (§10(1) Nr. 1 VgV): no content, only names, sizes, hashes, time."""
    assert bid.submitted_at is not None
    return {
        "receipt_id": bid.receipt_id,
        "submitted_at": bid.submitted_at.astimezone(UTC).isoformat(),
        "files": [_file_facts(f) for f in bid.files],
    }


def bid_link(bid: Bid) -> str:
    return external_url("bids.bid", tender_id=bid.tender_id)


def receipt_link(bid: Bid) -> str:
    return external_url("bids.receipt_pdf", tender_id=bid.tender_id, bid_id=bid.id)


def submit_bid(actor: User, bid: Bid, now: datetime) -> Bid:
    """Seal the draft as the vendor's bid; an earlier submitted bid of the vendor is superseded.

    :param now: the time of receipt: the server time at the end of the request's work
    """
    if not can_view_own_bid(actor, bid):
        raise NotFound(_("Dieses Angebot gibt es nicht."))
    refresh(bid.tender, now)
    if bid.status is not BidStatus.draft:
        raise Conflict(_("Dieses Angebot ist bereits abgegeben."))
    ensure_in_time(bid.tender, now)
    if not can_change_bid(actor, bid):
        raise Conflict(_("Diese Ausschreibung nimmt keine Angebote an."))
    if not (bid.has_prices and bid.file_count > 0):
        raise DomainError(
            _("Ein Angebot braucht mindestens einen Preis für ein Los und mindestens eine Datei.")
        )
    earlier = db.session.scalars(
        select(Bid).where(
            Bid.tender_id == bid.tender_id,
            Bid.organisation_id == bid.organisation_id,
            Bid.status == BidStatus.submitted,
            Bid.id != bid.id,
        )
    ).all()
    for old in earlier:
        BID.fire(old, "supersede", now)
        old.updated_at = now
        db.session.flush()
        audit_bid(
            "superseded",
            actor,
            old,
            now,
            before={"status": "submitted"},
            after={"superseded_by": bid.receipt_id},
        )
    BID.fire(bid, "submit", now)
    bid.submitted_at = now
    bid.submitted_by_id = actor.id
    bid.updated_at = now
    db.session.flush()
    audit_bid(
        "submitted",
        actor,
        bid,
        now,
        before={"status": "draft"},
        after={"status": bid.status.value} | receipt_facts(bid),
    )
    queue_mail(
        actor.email,
        "bid_receipt",
        actor.language,
        user=actor,
        bid=bid,
        tender=bid.tender,
        link=bid_link(bid),
        receipt_link=receipt_link(bid),
    )
    return bid


def withdraw_bid(actor: User, bid: Bid, now: datetime) -> Bid:
    """Withdraw a submitted bid before the deadline; it stays recorded as withdrawn."""
    if not can_view_own_bid(actor, bid):
        raise NotFound(_("Dieses Angebot gibt es nicht."))
    refresh(bid.tender, now)
    if bid.status is not BidStatus.submitted:
        raise Conflict(_("Nur ein abgegebenes Angebot kann zurückgezogen werden."))
    deadline = bid.tender.bid_deadline
    if deadline is None or now >= deadline:
        raise LateSubmission(
            _(
                "Die Angebotsfrist ist am %(day)s um %(deadline)s Uhr abgelaufen: das Angebot kann "
                "nicht mehr zurückgezogen werden.",
                day=_day(deadline or now),
                deadline=_clock(deadline or now),
            )
        )
    BID.fire(bid, "withdraw", now)
    bid.withdrawn_at = now
    bid.updated_at = now
    db.session.flush()
    audit_bid(
        "withdrawn", actor, bid, now, before={"status": "submitted"}, after={"status": bid.status.value}
    )
    queue_mail(
        actor.email,
        "bid_withdrawn",
        actor.language,
        user=actor,
        bid=bid,
        tender=bid.tender,
        link=bid_link(bid),
    )
    return bid
