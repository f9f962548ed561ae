"""Joint tender operations: create, edit, lots, state changes. Every change is audited."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Optional

from flask_babel import gettext as _

from procurement.accounts.models import User
from procurement.audit.services import record
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.reference.cpv import InvalidCpv
from procurement.reference.thresholds import ContractKind
from procurement.reference.validators import vocabulary
from procurement.tenders.advisor import Advice, LotInput, advise
from procurement.tenders.models import ContractNature, Lot, Participant, ParticipantStatus, Tender
from procurement.tenders.permissions import can_create_tender, can_manage_tender, can_view_tender
from workflows.tender import LOTS_EDITABLE, TENDER, TenderStatus

MAX_LOTS = 200
MAX_UNIT_PRICE = Decimal("1000000000.00")
MAX_DURATION_MONTHS = 120


def contract_kind(tender: Tender) -> ContractKind:
    """Which threshold applies: municipalities are sub-central authorities (§106(2) Nr. 1 GWB)."""
    if tender.contract_nature is ContractNature.works:
        return ContractKind.works
    return ContractKind.supplies_services_sub_central


def advice_for(tender: Tender, publication_date: date) -> Advice:
    """The advisor's view of the tender: joined participants' quantities per lot (§3 VgV)."""
    joined = tender.joined_participants
    lots = [
        LotInput(
            number=lot.number,
            title=lot.title,
            unit_price=lot.unit_price,
            quantities=[participant.quantity_for(lot) for participant in joined],
            options_value=lot.options_value,
        )
        for lot in tender.lots
    ]
    return advise(lots, contract_kind(tender), publication_date)


def audit_tender(
    action: str,
    actor: Optional[User],
    tender: Tender,
    now: datetime,
    before: Optional[dict[str, Any]] = None,
    after: Optional[dict[str, Any]] = None,
) -> None:
    """Record ``tender.<action>`` in the chain, in the request's transaction."""
    record(
        f"tender.{action}",
        actor=actor,
        object_type="tender",
        object_id=tender.id,
        organisation_id=tender.lead_organisation_id,
        now=now,
        before=before,
        after=after,
    )


def load_for_manager(actor: User, tender: Optional[Tender]) -> Tender:
    """The tender if ``actor`` may change it; 404 for those who may not even see it, else 403."""
    if tender is None or not can_view_tender(actor, tender):
        raise NotFound(_("Diese Ausschreibung gibt es nicht."))
    if not can_manage_tender(actor, tender):
        raise PermissionDenied(
            _("Diese Ausschreibung bearbeiten nur die Vergabestellen der federführenden Kommune.")
        )
    return tender


def check_cpv(code: str) -> str:
    try:
        return vocabulary().validate(code).code
    except InvalidCpv as err:
        raise DomainError(_("Der CPV-Code %(code)s ist ungültig.", code=err.code)) from err


# --- the tender ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TenderData:
    title: str
    description: str
    contract_nature: ContractNature
    cpv_code: str
    nuts_code: str
    contact_email: str
    contact_phone: str
    review_body_name: str
    review_body_city: str
    review_body_postal_code: str
    review_body_nuts: str
    review_body_email: str = ""
    place_of_performance: str = ""
    reference: str = ""
    duration_months: int = 12
    bid_validity_months: int = 3
    planned_publication_date: Optional[date] = None


def _check_tender_data(data: TenderData, today: date) -> TenderData:
    if not 0 < data.duration_months <= MAX_DURATION_MONTHS:
        raise DomainError(
            _("Die Laufzeit muss zwischen 1 und %(max)d Monaten liegen.", max=MAX_DURATION_MONTHS)
        )
    if not 0 < data.bid_validity_months <= 24:
        raise DomainError(_("Die Bindefrist muss zwischen 1 und 24 Monaten liegen."))
    if data.planned_publication_date is not None and not (
        today <= data.planned_publication_date <= today + timedelta(days=3 * 366)
    ):
        raise DomainError(
            _("Das geplante Veröffentlichungsdatum muss heute oder in den nächsten drei Jahren liegen.")
        )
    stripped = {
        key: value.strip() if isinstance(value, str) else value for key, value in asdict(data).items()
    }
    stripped["cpv_code"] = check_cpv(data.cpv_code)
    stripped["nuts_code"] = data.nuts_code.strip().upper()
    stripped["review_body_nuts"] = data.review_body_nuts.strip().upper()
    if not stripped["title"] or not stripped["description"]:
        raise DomainError(_("Titel und Beschreibung sind Pflichtangaben."))
    return TenderData(**stripped)


def tender_audit(tender: Tender) -> dict[str, Any]:
    """The editable fields of a tender as the audit log keeps them."""
    return {
        "title": tender.title,
        "description": tender.description,
        "contract_nature": tender.contract_nature.value,
        "cpv_code": tender.cpv_code,
        "nuts_code": tender.nuts_code,
        "place_of_performance": tender.place_of_performance,
        "reference": tender.reference,
        "duration_months": tender.duration_months,
        "bid_validity_months": tender.bid_validity_months,
        "contact_email": tender.contact_email,
        "contact_phone": tender.contact_phone,
        "review_body_name": tender.review_body_name,
        "review_body_city": tender.review_body_city,
        "review_body_postal_code": tender.review_body_postal_code,
        "review_body_nuts": tender.review_body_nuts,
        "review_body_email": tender.review_body_email,
        "planned_publication_date": None
        if tender.planned_publication_date is None
        else tender.planned_publication_date.isoformat(),
    }


def create_tender(actor: User, data: TenderData, now: datetime) -> Tender:
    """Start a tender as a draft; the actor's municipality leads it and takes part in it (§4 VgV).

    :param data: the tender's description; lots and participants are added afterwards
    """
    if not can_create_tender(actor):
        raise PermissionDenied(_("Ausschreibungen legen die Vergabestellen der Kommunen an."))
    data = _check_tender_data(data, now.date())
    organisation = actor.organisation
    tender = Tender(
        lead_organisation_id=organisation.id,
        created_by_id=actor.id,
        status=TENDER.initial,
        created_at=now,
        updated_at=now,
        **asdict(data),
    )
    # The lead takes part with its own quantities like every other municipality.
    tender.participants.append(
        Participant(
            organisation_id=organisation.id,
            status=ParticipantStatus.invited,
            leitweg_id=organisation.leitweg_id or "",
            billing_name=organisation.name,
            billing_street=organisation.street,
            billing_postal_code=organisation.postal_code,
            billing_city=organisation.city,
            invited_by_id=actor.id,
            invited_at=now,
        )
    )
    db.session.add(tender)
    db.session.flush()
    audit_tender("created", actor, tender, now, after={"status": tender.status.value} | tender_audit(tender))
    return tender


def update_tender(actor: User, tender: Tender, data: TenderData, now: datetime) -> Tender:
    """Change the tender's description; only before publication (the notice fixes it)."""
    load_for_manager(actor, tender)
    if tender.published_at is not None or tender.status not in (*LOTS_EDITABLE, TenderStatus.ready):
        raise Conflict(_("Nach der Veröffentlichung kann die Ausschreibung nicht mehr geändert werden."))
    data = _check_tender_data(data, now.date())
    before = tender_audit(tender)
    for name, value in asdict(data).items():
        setattr(tender, name, value)
    after = tender_audit(tender)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        tender.updated_at = now
        db.session.flush()
        audit_tender(
            "updated",
            actor,
            tender,
            now,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    return tender


# --- lots ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LotData:
    title: str
    description: str
    cpv_code: str
    unit: str
    unit_price: Decimal
    nuts_code: str
    place_of_performance: str = ""
    options_value: Decimal = Decimal(0)


def _check_lot_data(data: LotData) -> LotData:
    for amount in (data.unit_price, data.options_value):
        if not amount.is_finite() or not Decimal(0) <= amount <= MAX_UNIT_PRICE:
            raise DomainError(_("Preise und Werte dürfen nicht negativ sein und müssen plausibel sein."))
    if not data.title.strip() or not data.unit.strip():
        raise DomainError(_("Titel und Einheit des Loses sind Pflichtangaben."))
    return LotData(
        title=data.title.strip(),
        description=data.description.strip(),
        cpv_code=check_cpv(data.cpv_code),
        unit=data.unit.strip(),
        unit_price=data.unit_price.quantize(Decimal("0.01")),
        nuts_code=data.nuts_code.strip().upper(),
        place_of_performance=data.place_of_performance.strip(),
        options_value=data.options_value.quantize(Decimal("0.01")),
    )


def lot_audit(lot: Lot) -> dict[str, Any]:
    return {
        "lot": lot.number,
        "title": lot.title,
        "description": lot.description,
        "cpv_code": lot.cpv_code,
        "unit": lot.unit,
        "unit_price": str(lot.unit_price),
        "options_value": str(lot.options_value),
        "nuts_code": lot.nuts_code,
        "place_of_performance": lot.place_of_performance,
    }


def _ensure_lots_editable(tender: Tender) -> None:
    if tender.status not in LOTS_EDITABLE:
        raise Conflict(
            _("Lose können nur geändert werden, solange die Teilnehmenden noch nicht festgeschrieben sind.")
        )


def add_lot(actor: User, tender: Tender, data: LotData, now: datetime) -> Lot:
    """Add a lot (Los, §97(4) GWB) with the next number."""
    load_for_manager(actor, tender)
    _ensure_lots_editable(tender)
    if len(tender.lots) >= MAX_LOTS:
        raise DomainError(_("Eine Ausschreibung kann höchstens %(max)d Lose haben.", max=MAX_LOTS))
    data = _check_lot_data(data)
    number = max((lot.number for lot in tender.lots), default=0) + 1
    lot = Lot(number=number, **asdict(data))
    tender.lots.append(lot)
    tender.updated_at = now
    db.session.flush()
    audit_tender("lot_added", actor, tender, now, after=lot_audit(lot))
    return lot


def update_lot(actor: User, lot: Lot, data: LotData, now: datetime) -> Lot:
    tender = load_for_manager(actor, lot.tender)
    _ensure_lots_editable(tender)
    data = _check_lot_data(data)
    before = lot_audit(lot)
    for name, value in asdict(data).items():
        setattr(lot, name, value)
    after = lot_audit(lot)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        tender.updated_at = now
        db.session.flush()
        audit_tender(
            "lot_updated",
            actor,
            tender,
            now,
            before={"lot": lot.number} | {key: before[key] for key in changed},
            after={"lot": lot.number} | {key: after[key] for key in changed},
        )
    return lot


def delete_lot(actor: User, lot: Lot, now: datetime) -> None:
    """Remove a lot with the quantities entered for it; later lots keep their numbers."""
    tender = load_for_manager(actor, lot.tender)
    _ensure_lots_editable(tender)
    before = lot_audit(lot)
    tender.lots.remove(lot)
    tender.updated_at = now
    db.session.flush()
    audit_tender("lot_deleted", actor, tender, now, before=before)


# --- state changes ---------------------------------------------------------------------------


def fire(actor: Optional[User], tender: Tender, trigger: str, now: datetime, **after: Any) -> Tender:
    """Fire ``trigger`` on the tender machine and audit the move (``tender.<trigger>``).

    Permission checks are the caller's: this is the one place the status changes.
    """
    before = tender.status.value
    TENDER.fire(tender, trigger, now)
    tender.updated_at = now
    db.session.flush()
    audit_tender(
        trigger, actor, tender, now, before={"status": before}, after={"status": tender.status.value} | after
    )
    return tender
