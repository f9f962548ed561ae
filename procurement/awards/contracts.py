"""Contracts per participant and lot, made when a lot's award becomes final (§4 VgV, §§134-135 GWB).

A joint tender ends in one contract per participating municipality and lot with the winning
vendor: the award of the lot is one legal act, but each municipality orders, receives and pays
for its own quantity, and the vendor invoices each of them under its Leitweg-ID.

- `create_contracts` / `create_contracts_for_awards` make them for final awards only, never
  before the standstill is over (§135 Abs. 1 Nr. 1 GWB: such a contract would be void); the
  amounts follow the rule in the `Contract` docstring. Calling again makes nothing new.
- Each contract's PDF is rendered at creation and stored with its SHA-256; a download checks
  the stored file against it (`contract_pdf`).
- Audit: **one entry per award** (``contract.concluded``) listing every contract number with the
  SHA-256 of its PDF and the sum of the net values. The award is the one act that concludes all
  of a lot's contracts at once; a thousand entries in the hash chain (each taking the chain's
  lock) would cost most of the time the batch may take and record nothing more, and the entry
  still pins every contract and its document.
- Mail: each participating municipality's active officers get one mail per batch listing its
  new contracts; the winning vendor's users get one mail naming how many it now has.

The whole batch for 1,000 participants × 5 lots is measured in ``bench/bench_awards.py``.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Optional

from flask import current_app, g
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select

from procurement.accounts.models import Organisation, Role, User
from procurement.accounts.services import active_members
from procurement.audit.services import record
from procurement.awards.contract_pdf import ContractPdfData, ContractRenderer, Party
from procurement.awards.models import Award, Contract, Offer
from procurement.awards.permissions import can_manage_award, can_view_contract
from procurement.bids.models import Bid
from procurement.database import lock_sqlite_for_writing
from procurement.errors import Conflict, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.mail.models import OutboxMail
from procurement.storage import StorageError, StoredFile, discard_on_rollback, storage
from procurement.tenders.models import Lot, LotQuantity, Participant, ParticipantStatus, Tender
from procurement.web import external_url
from workflows.award import AwardStatus

log = logging.getLogger(__name__)

UNIT_PRICE_STEP = Decimal("0.0001")
CENT = Decimal("0.01")
# files are written while the next PDFs render: fsync (and S3 requests) release the GIL
STORE_THREADS = 16
MAIL_TEMPLATES = ("contract_concluded", "contract_concluded_vendor")
MAX_CONTRACT_PDF_BYTES = 1024 * 1024
_REFERENCE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


# --- amounts and numbers ---------------------------------------------------------------------


def unit_price(lot_price: Decimal, total_quantity: Decimal) -> Decimal:
    """The bid's price for the lot per unit of all participants' quantity, half-up to 4 places."""
    if total_quantity <= 0:
        raise ValueError("a lot without quantity has no unit price")
    return (lot_price / total_quantity).quantize(UNIT_PRICE_STEP, rounding=ROUND_HALF_UP)


def net_value(quantity: Decimal, price_per_unit: Decimal) -> Decimal:
    """Quantity × unit price, half-up to cents: the way an invoice line computes it (EN 16931)."""
    return (quantity * price_per_unit).quantize(CENT, rounding=ROUND_HALF_UP)


def contract_number(tender: Tender, lot_number: int, organisation_short: str) -> str:
    """``<Aktenzeichen>-<tender id>-L<lot>-<AGS>``: readable, unique, the same on every call.

    The lead's file number (at most 12 characters of it, or ``V`` without one) makes it readable;
    the tender's id makes it unique across leads that use the same file numbers; the AGS names
    the municipality. At most 12 + 1 + 10 + 2 + 4 + 1 + 9 = 39 characters.
    """
    reference = _REFERENCE_UNSAFE.sub("-", tender.reference or "").strip("-")[:12].strip("-") or "V"
    return f"{reference}-{tender.id}-L{lot_number}-{organisation_short}"[:40]


# --- creating the contracts ------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    """One participant's share of a lot, read in one query for all participants."""

    participant_id: int
    organisation_id: int
    quantity: Decimal
    buyer_name: str
    short: str
    street: str
    postal_code: str
    city: str
    leitweg_id: str
    billing_name: str
    billing_street: str
    billing_postal_code: str
    billing_city: str


def _check_final(award: Award, now: datetime) -> None:
    """A contract only for a final award, and never before the standstill is over (§135 GWB)."""
    if award.status is not AwardStatus.final or award.bid_id is None:
        raise Conflict(
            _("Verträge entstehen erst, wenn der Zuschlag für Los %(lot)s endgültig erteilt ist."),
            lot=award.lot.number,
        )
    ends = award.standstill_ends_at
    if ends is None or award.finalised_at is None or award.finalised_at < ends or now < ends:
        raise Conflict(
            _(
                "Für Los %(lot)s läuft die Wartefrist nach § 134 GWB noch oder ist nicht festgestellt: "
                "ein vorher geschlossener Vertrag wäre unwirksam (§ 135 GWB)."
            ),
            lot=award.lot.number,
        )


def _lock(awards: Sequence[Award]) -> None:
    """Serialise two requests that make the same contracts (a double submit, two officers)."""
    if not lock_sqlite_for_writing(db.session):
        db.session.execute(
            select(Award.id).where(Award.id.in_([award.id for award in awards])).with_for_update()
        ).all()


def _lines(tender: Tender, lot: Lot) -> list[_Line]:
    """Every joined participant's quantity of the lot (zero if none), with what the contract copies."""
    rows = db.session.execute(
        select(
            Participant.id,
            Participant.organisation_id,
            LotQuantity.quantity,
            Organisation.name,
            Organisation.ags,
            Organisation.street,
            Organisation.postal_code,
            Organisation.city,
            Organisation.leitweg_id,
            Participant.leitweg_id,
            Participant.billing_name,
            Participant.billing_street,
            Participant.billing_postal_code,
            Participant.billing_city,
        )
        .join(Organisation, Organisation.id == Participant.organisation_id)
        .outerjoin(
            LotQuantity, (LotQuantity.participant_id == Participant.id) & (LotQuantity.lot_id == lot.id)
        )
        .where(Participant.tender_id == tender.id, Participant.status == ParticipantStatus.joined)
        .order_by(Participant.id)
    ).all()
    lines = []
    for row in rows:
        own_address = bool(row[11])  # the participant gave a billing address of its own
        lines.append(
            _Line(
                participant_id=row[0],
                organisation_id=row[1],
                quantity=row[2] if row[2] is not None else Decimal(0),
                buyer_name=row[3],
                short=row[4] or f"O{row[1]}",
                street=row[5],
                postal_code=row[6],
                city=row[7],
                leitweg_id=row[9] or row[8] or "",
                billing_name=row[10] or row[3],
                billing_street=row[11] if own_address else row[5],
                billing_postal_code=row[12] if own_address else row[6],
                billing_city=row[13] if own_address else row[7],
            )
        )
    return lines


def _vendor_party(vendor: Organisation) -> Party:
    lines = [vendor.street, f"{vendor.postal_code} {vendor.city}"]
    if vendor.vat_id:
        lines.append(f"USt-IdNr. {vendor.vat_id}")
    return Party(vendor.name, tuple(lines))


def _store_all(renders: Iterable[tuple[Contract, ContractPdfData]]) -> None:
    """Render each PDF here and store it from a pool of threads meanwhile.

    Every stored file is discarded if the transaction is rolled back; a storage failure is a
    Conflict (the caller's rollback then removes the files already stored).
    """
    store = storage()
    renderer = ContractRenderer()
    session = db.session()
    pending: list[tuple[Contract, Future[StoredFile]]] = []
    failure: Optional[OSError | StorageError] = None
    with ThreadPoolExecutor(max_workers=STORE_THREADS, thread_name_prefix="contract-pdf") as pool:
        try:
            for contract, data in renders:
                pdf = renderer.render(data)
                pending.append(
                    (contract, pool.submit(store.save_stream, io.BytesIO(pdf), MAX_CONTRACT_PDF_BYTES))
                )
        finally:
            # whatever happened, every file that was stored is known to the session's rollback
            for contract, future in pending:
                try:
                    stored = future.result()
                except (OSError, StorageError) as err:
                    failure = failure or err
                    continue
                discard_on_rollback(session, store, stored.key)
                contract.pdf_storage_key = stored.key
                contract.pdf_sha256 = stored.sha256
    if failure is not None:
        log.error("contract documents not stored: %s", failure)
        raise Conflict(
            _("Die Vertragsdokumente konnten nicht gespeichert werden. Bitte versuchen Sie es erneut.")
        ) from failure


def create_contracts(actor: Optional[User], award: Award, now: datetime) -> list[Contract]:
    """Create the contracts of a final award: one per joined participant with a quantity of the lot.

    :param actor: the lead's officer who finalised the award, or None for the system
    :returns: the contracts made now (empty if they all exist already)
    """
    return create_contracts_for_awards(actor, [award], now)


def create_contracts_for_awards(
    actor: Optional[User], awards: Sequence[Award], now: datetime
) -> list[Contract]:
    """Create the missing contracts of final awards of one tender; mail each party once.

    Refuses (Conflict) if any award is not final or its standstill is not over; then nothing is
    made. Amounts: see `Contract`. A participant with no quantity of a lot gets no contract.
    The caller moves the tender on (`procurement.awards.services.sync_tender`).

    :param actor: the lead's officer who finalised the awards, or None for the system
    :returns: the contracts made now, by lot and participant (empty if they all exist already)
    """
    if not awards:
        return []
    tender = awards[0].tender
    if any(award.tender_id != tender.id for award in awards):
        raise ValueError("awards of different tenders")
    if actor is not None and not can_manage_award(actor, tender):
        raise PermissionDenied(_("Verträge schließen nur Beschaffende der federführenden Kommune."))
    for award in awards:
        _check_final(award, now)
    _lock(awards)
    award_ids = [award.id for award in awards]
    existing = set(
        db.session.execute(
            select(Contract.award_id, Contract.participant_id).where(Contract.award_id.in_(award_ids))
        )
    )

    bids = {
        bid.id: bid for bid in db.session.scalars(select(Bid).where(Bid.id.in_([a.bid_id for a in awards])))
    }
    prices = {
        (bid_id, lot_id): price
        for bid_id, lot_id, price in db.session.execute(
            select(Offer.bid_id, Offer.lot_id, Offer.price).where(Offer.bid_id.in_(list(bids)))
        )
    }
    vendors = {
        org.id: org
        for org in db.session.scalars(
            select(Organisation).where(Organisation.id.in_({bid.organisation_id for bid in bids.values()}))
        )
    }
    lead_name = tender.lead_organisation.name
    created: list[Contract] = []
    renders: list[tuple[Contract, ContractPdfData]] = []
    by_award: dict[int, list[Contract]] = defaultdict(list)
    for award in sorted(awards, key=lambda a: a.lot.number):
        lot = award.lot
        bid = bids[award.bid_id]  # type: ignore[index]
        price = prices.get((bid.id, lot.id))
        if price is None:
            raise Conflict(_("Das Angebot des Zuschlags nennt keinen Preis für Los %(lot)s."), lot=lot.number)
        vendor = vendors[bid.organisation_id]
        vendor_party = _vendor_party(vendor)
        lines = _lines(tender, lot)
        total = sum((line.quantity for line in lines), Decimal(0))
        if total <= 0:
            continue
        per_unit = unit_price(price, total)
        for line in lines:
            if line.quantity <= 0 or (award.id, line.participant_id) in existing:
                continue
            contract = Contract(
                number=contract_number(tender, lot.number, line.short),
                tender_id=tender.id,
                award_id=award.id,
                lot_id=lot.id,
                participant_id=line.participant_id,
                buyer_organisation_id=line.organisation_id,
                vendor_organisation_id=vendor.id,
                bid_id=bid.id,
                buyer_name=line.buyer_name,
                leitweg_id=line.leitweg_id,
                billing_name=line.billing_name,
                billing_street=line.billing_street,
                billing_postal_code=line.billing_postal_code,
                billing_city=line.billing_city,
                vendor_name=vendor.name,
                lot_title=lot.title,
                cpv_code=lot.cpv_code,
                unit=lot.unit,
                quantity=line.quantity,
                unit_price=per_unit,
                net_value=net_value(line.quantity, per_unit),
                concluded_at=now,
                created_at=now,
            )
            buyer_lines = [line.street, f"{line.postal_code} {line.city}"]
            if line.leitweg_id:
                buyer_lines.append(f"Leitweg-ID {line.leitweg_id}")
            data = ContractPdfData(
                number=contract.number,
                buyer=Party(line.buyer_name, tuple(buyer_lines)),
                leitweg_id=contract.leitweg_id or "–",
                billing_name=contract.billing_name,
                billing_street=contract.billing_street,
                billing_postal_code=contract.billing_postal_code,
                billing_city=contract.billing_city,
                vendor=vendor_party,
                lead_organisation=lead_name,
                tender_title=tender.title,
                tender_reference=tender.reference,
                procedure_id=tender.procedure_uuid,
                lot_number=lot.number,
                lot_title=lot.title,
                cpv_code=lot.cpv_code,
                unit=lot.unit,
                quantity=contract.quantity,
                unit_price=per_unit,
                net_value=contract.net_value,
                awarded_at=award.finalised_at,  # type: ignore[arg-type]
                standstill_ends_at=award.standstill_ends_at,
                concluded_at=now,
                duration_months=tender.duration_months,
            )
            renders.append((contract, data))
            created.append(contract)
            by_award[award.id].append(contract)
    if not created:
        return []
    _store_all(renders)
    db.session.add_all(created)
    db.session.flush()
    for award in awards:
        contracts = by_award.get(award.id)
        if contracts:
            _audit_concluded(actor, award, contracts, now)
    _mail_parties(tender, created, {award.lot_id: award.lot.number for award in awards})
    return created


def _audit_concluded(actor: Optional[User], award: Award, contracts: list[Contract], now: datetime) -> None:
    record(
        "contract.concluded",
        actor=actor,
        object_type="award",
        object_id=award.id,
        organisation_id=award.tender.lead_organisation_id,
        now=now,
        after={
            "tender_id": award.tender_id,
            "lot_id": award.lot_id,
            "bid_id": award.bid_id,
            "count": len(contracts),
            "net_total": str(sum((c.net_value for c in contracts), Decimal(0))),
            # every contract and the SHA-256 of its document, pinned in the chain
            "contracts": {c.number: c.pdf_sha256 for c in contracts},
        },
    )


def _active_users(organisation_ids: set[int], role: Role) -> dict[int, list[User]]:
    users: dict[int, list[User]] = defaultdict(list)
    for user in active_members(organisation_ids, role):
        users[user.organisation_id].append(user)
    return users


def _mail_parties(tender: Tender, contracts: list[Contract], lot_numbers: dict[int, int]) -> None:
    """One mail to each officer of each buyer listing its new contracts; one to each vendor user.

    Queued like `procurement.mail.services.queue_mail` (subject in the first line), but added in
    one flush: a mail per municipality of a thousand would otherwise cost a round trip each.
    """
    by_buyer: dict[int, list[Contract]] = defaultdict(list)
    by_vendor: dict[int, list[Contract]] = defaultdict(list)
    for contract in contracts:
        by_buyer[contract.buyer_organisation_id].append(contract)
        by_vendor[contract.vendor_organisation_id].append(contract)
    officers = _active_users(set(by_buyer), Role.officer)
    vendor_users = _active_users(set(by_vendor), Role.vendor)
    overview = external_url("awards.my_contracts")
    mails: list[tuple[User, str, dict[str, Any]]] = []
    for organisation_id, own in by_buyer.items():
        links = [(c, external_url("awards.contract", contract_id=c.id)) for c in own]
        for officer in officers.get(organisation_id, []):
            mails.append((officer, "contract_concluded", {"contracts": links, "link": overview}))
    tender_link = external_url("awards.tender_contracts", tender_id=tender.id)
    for organisation_id, own in by_vendor.items():
        total = sum((c.net_value for c in own), Decimal(0))
        for vendor_user in vendor_users.get(organisation_id, []):
            mails.append(
                (
                    vendor_user,
                    "contract_concluded_vendor",
                    {
                        "count": len(own),
                        "total": total,
                        "lots": sorted({lot_numbers[c.lot_id] for c in own}),
                        "link": tender_link,
                    },
                )
            )
    outbox: list[OutboxMail] = []
    by_language: dict[str, list[tuple[User, str, dict[str, Any]]]] = defaultdict(list)
    for mail in mails:
        by_language[mail[0].language or "de"].append(mail)
    # the templates need no context processor (only gettext and filters): rendered directly,
    # the way render_template would, minus the per-call work a thousand mails would repeat
    templates = {name: current_app.jinja_env.get_template(f"mail/{name}.txt") for name in MAIL_TEMPLATES}
    for language, batch in by_language.items():
        with force_locale(language):
            for user, template, context in batch:
                text = templates[template].render(user=user, tender=tender, **context)
                subject, _sep, body = text.partition("\n")
                outbox.append(
                    OutboxMail(recipient=user.email, subject=subject.strip(), body=body.strip() + "\n")
                )
    if outbox:
        db.session.add_all(outbox)
        db.session.flush()
        g.mail_queued = True


# --- reading ---------------------------------------------------------------------------------


def load_contract(actor: Optional[User], contract_id: int) -> Contract:
    """A contract ``actor`` may read; NotFound for anyone else (they do not learn it exists)."""
    contract = db.session.get(Contract, contract_id)
    if contract is None or not can_view_contract(actor, contract):
        raise NotFound(_("Diesen Vertrag gibt es nicht."))
    return contract


def contracts_of_tender(actor: User, tender: Tender) -> list[Contract]:
    """The lead's officers: every contract of the tender; a participant or the vendor: its own."""
    query = select(Contract).where(Contract.tender_id == tender.id)
    if not can_manage_award(actor, tender):
        query = query.where(_own_contracts(actor))
    return list(db.session.scalars(query.order_by(Contract.lot_id, Contract.number)))


def contracts_of(actor: User) -> list[Contract]:
    """A municipality's contracts (its officers, requesters, auditors) or a vendor's."""
    return list(
        db.session.scalars(
            select(Contract)
            .where(_own_contracts(actor))
            .order_by(Contract.concluded_at.desc(), Contract.tender_id, Contract.lot_id, Contract.number)
        )
    )


def _own_contracts(actor: User) -> Any:
    """The contracts ``actor``'s organisation is party to, in the roles `can_view_contract` names."""
    conditions = []
    if actor.has_role(Role.officer, Role.requester, Role.auditor):
        conditions.append(Contract.buyer_organisation_id == actor.organisation_id)
    if actor.has_role(Role.vendor):
        conditions.append(Contract.vendor_organisation_id == actor.organisation_id)
    return or_(*conditions) if conditions else Contract.id.is_(None)


def contract_pdf(actor: User, contract: Contract) -> bytes:
    """The stored contract document as issued, checked against its SHA-256."""
    if not can_view_contract(actor, contract):
        raise NotFound(_("Diesen Vertrag gibt es nicht."))
    if not contract.pdf_storage_key:
        raise NotFound(_("Zu diesem Vertrag ist kein Dokument gespeichert."))
    try:
        with storage().open(contract.pdf_storage_key) as source:
            pdf = source.read()
    except StorageError as err:
        raise Conflict(
            _("Das Vertragsdokument fehlt im Speicher. Bitte wenden Sie sich an den Betrieb.")
        ) from err
    if hashlib.sha256(pdf).hexdigest() != contract.pdf_sha256:
        log.error("contract %s: the stored PDF does not match its hash", contract.id)
        raise Conflict(
            _(
                "Das gespeicherte Vertragsdokument stimmt nicht mit seiner Prüfsumme überein: es wurde "
                "verändert. Bitte wenden Sie sich an den Betrieb."
            )
        )
    return pdf
