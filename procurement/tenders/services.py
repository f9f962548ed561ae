"""Joint tender operations: create, edit, lots, criteria, procedure, state changes, publication,
cancellation. Every change is audited."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Optional

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from sqlalchemy import or_, select

from procurement.accounts.models import Organisation, User
from procurement.accounts.services import active_officers
from procurement.audit.services import record
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.mail.services import queue_mail
from procurement.needs.models import Need
from procurement.numbers import format_number
from procurement.reference.cpv import InvalidCpv
from procurement.reference.deadlines import Procedure, find_rule
from procurement.reference.thresholds import ContractKind
from procurement.reference.validators import vocabulary
from procurement.tenders import advisor
from procurement.tenders.advisor import BERLIN, Advice, LotInput, advise
from procurement.tenders.labels import CANCELLATION_REASON_LABELS
from procurement.tenders.models import (
    PRICE_METHODS,
    QUALITY_METHODS,
    CancellationReason,
    ContractNature,
    Criterion,
    CriterionKind,
    DocumentDownload,
    Lot,
    Participant,
    ParticipantStatus,
    Question,
    ScoringMethod,
    Tender,
)
from procurement.tenders.permissions import (
    can_create_tender,
    can_list_tenders,
    can_manage_tender,
    can_view_tender,
    participant_of,
)
from procurement.web import external_url
from workflows.account import UserStatus
from workflows.machine import GuardFailed, InvalidTransition
from workflows.need import NEED, NeedStatus
from workflows.tender import CRITERIA_EDITABLE, LOTS_EDITABLE, TENDER, TenderStatus

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
    # BT-501 of the review body: the EU notice needs one (BR-BT-00501-0022), e.g. its Leitweg-ID
    review_body_registration_id: str = ""
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
        "review_body_registration_id": tender.review_body_registration_id,
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


# --- the tender's needs ---------------------------------------------------------------------

# trigger of the need machine -> (the state it moves needs from, the audit action)
_NEED_MOVES = {"bundle": (NeedStatus.open, "bundled"), "unbundle": (NeedStatus.bundled, "unbundled")}


def move_needs(actor: User, tender: Tender, needs: list[Need], trigger: str, now: datetime) -> list[Need]:
    """Bundle (or unbundle) those of ``needs`` that are open (bundled); audit each move."""
    source, action = _NEED_MOVES[trigger]
    moved = [need for need in needs if need.status is source]
    for need in moved:
        NEED.fire(need, trigger, now)
        need.updated_at = now
    db.session.flush()
    for need in moved:
        record(
            f"need.{action}",
            actor=actor,
            object_type="need",
            object_id=need.id,
            organisation_id=need.organisation_id,
            now=now,
            before={"status": source.value},
            after={"status": need.status.value, "tender_id": tender.id},
        )
    return moved


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


def check_can_fire(tender: Tender, trigger: str, now: datetime) -> None:
    """Raise what ``TENDER.fire`` would raise, before any side effect of the move happens."""
    moves = TENDER.moves_from(tender.status, trigger)
    if not moves:
        raise InvalidTransition(trigger, tender.status, TENDER.name)
    for move in moves:
        failing = next((guard for guard in move.guards if not guard(tender, now)), None)
        if failing is None:
            return
    raise GuardFailed(trigger, tender.status, failing, TENDER.name)


def berlin_today(now: datetime) -> date:
    return now.astimezone(BERLIN).date()


def refresh_tender(tender: Tender, now: datetime) -> None:
    """Move a published tender past its bid deadline to the opening before anyone sees it."""
    try:
        from procurement.tenders.deadlines import refresh
    except ImportError:  # the clock's module is optional for the officers' pages
        return
    refresh(tender, now)


# --- lists -----------------------------------------------------------------------------------

_STATUS_ORDER = {status: position for position, status in enumerate(TenderStatus)}


def tenders_for(actor: User) -> list[tuple[TenderStatus, list[Tender]]]:
    """The tenders the actor's municipality leads or was invited to, grouped by status."""
    if not can_list_tenders(actor):
        raise PermissionDenied(_("Vergaben sehen die Vergabestellen und Bedarfsträger der Kommunen."))
    organisation_id = actor.organisation_id
    tenders = db.session.scalars(
        select(Tender)
        .where(
            or_(
                Tender.lead_organisation_id == organisation_id,
                Tender.participants.any(Participant.organisation_id == organisation_id),
            )
        )
        .order_by(Tender.updated_at.desc(), Tender.id.desc())
    ).all()
    groups: dict[TenderStatus, list[Tender]] = {}
    for tender in tenders:
        if can_view_tender(actor, tender):
            groups.setdefault(tender.status, []).append(tender)
    return sorted(groups.items(), key=lambda item: _STATUS_ORDER[item[0]])


# --- review body -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewBody:
    name: str
    city: str


# The Vergabekammer (§156 GWB) of each state by the first digits of the municipality's AGS;
# North Rhine-Westphalia and Bavaria have one per group of Regierungsbezirke (third digit).
REVIEW_BODIES: dict[str, ReviewBody] = {
    "01": ReviewBody("Vergabekammer Schleswig-Holstein", "Kiel"),
    "02": ReviewBody("Vergabekammer bei der Finanzbehörde der Freien und Hansestadt Hamburg", "Hamburg"),
    "03": ReviewBody("Vergabekammer Niedersachsen", "Lüneburg"),
    "04": ReviewBody("Vergabekammer der Freien Hansestadt Bremen", "Bremen"),
    "051": ReviewBody("Vergabekammer Rheinland", "Köln"),
    "053": ReviewBody("Vergabekammer Rheinland", "Köln"),
    "055": ReviewBody("Vergabekammer Westfalen", "Münster"),
    "057": ReviewBody("Vergabekammer Westfalen", "Münster"),
    "059": ReviewBody("Vergabekammer Westfalen", "Münster"),
    "06": ReviewBody("Vergabekammer des Landes Hessen beim Regierungspräsidium Darmstadt", "Darmstadt"),
    "07": ReviewBody("Vergabekammer Rheinland-Pfalz", "Mainz"),
    "08": ReviewBody("Vergabekammer Baden-Württemberg beim Regierungspräsidium Karlsruhe", "Karlsruhe"),
    "091": ReviewBody("Vergabekammer Südbayern", "München"),
    "092": ReviewBody("Vergabekammer Südbayern", "München"),
    "097": ReviewBody("Vergabekammer Südbayern", "München"),
    "093": ReviewBody("Vergabekammer Nordbayern", "Ansbach"),
    "094": ReviewBody("Vergabekammer Nordbayern", "Ansbach"),
    "095": ReviewBody("Vergabekammer Nordbayern", "Ansbach"),
    "096": ReviewBody("Vergabekammer Nordbayern", "Ansbach"),
    "10": ReviewBody("Vergabekammer des Saarlandes", "Saarbrücken"),
    "11": ReviewBody("Vergabekammer des Landes Berlin", "Berlin"),
    "12": ReviewBody("Vergabekammer des Landes Brandenburg", "Potsdam"),
    "13": ReviewBody("Vergabekammer Mecklenburg-Vorpommern", "Schwerin"),
    "14": ReviewBody("Vergabekammer des Freistaates Sachsen bei der Landesdirektion Sachsen", "Leipzig"),
    "15": ReviewBody("Vergabekammer des Landes Sachsen-Anhalt beim Landesverwaltungsamt", "Halle (Saale)"),
    "16": ReviewBody("Vergabekammer des Freistaats Thüringen beim Landesverwaltungsamt", "Weimar"),
}


def review_body_for(organisation: Organisation) -> Optional[ReviewBody]:
    """The Vergabekammer of the municipality's state, as a suggestion the officer checks."""
    ags = organisation.ags or ""
    return REVIEW_BODIES.get(ags[:3]) or REVIEW_BODIES.get(ags[:2])


# --- award criteria (§58 VgV) ----------------------------------------------------------------

MAX_CRITERIA = 20
MAX_CRITERION_TEXT = 5000
METHODS_BY_KIND = {CriterionKind.price: PRICE_METHODS, CriterionKind.quality: QUALITY_METHODS}


@dataclass(frozen=True)
class CriterionData:
    kind: CriterionKind
    name: str
    weight: Decimal  # percent
    scoring_method: ScoringMethod
    description: str = ""


def criterion_audit(criterion: Criterion) -> dict[str, Any]:
    return {
        "kind": criterion.kind.value,
        "name": criterion.name,
        "description": criterion.description,
        "weight": str(criterion.weight),
        "scoring_method": criterion.scoring_method.value,
    }


def _check_criteria(criteria: list[CriterionData]) -> list[CriterionData]:
    if not criteria:
        raise DomainError(_("Geben Sie mindestens ein Zuschlagskriterium an (§58 VgV)."))
    if len(criteria) > MAX_CRITERIA:
        raise DomainError(_("Höchstens %(max)d Zuschlagskriterien sind möglich.", max=MAX_CRITERIA))
    checked = []
    for position, item in enumerate(criteria, start=1):
        name = item.name.strip()
        if not name or len(name) > 200:
            raise DomainError(
                _("Kriterium %(number)d braucht einen Namen (bis 200 Zeichen).", number=position)
            )
        if len(item.description) > MAX_CRITERION_TEXT:
            raise DomainError(_("Die Beschreibung von Kriterium %(number)d ist zu lang.", number=position))
        weight = item.weight
        if (
            not weight.is_finite()
            or weight <= 0
            or weight > 100
            or weight != weight.quantize(Decimal("0.01"))
        ):
            raise DomainError(
                _(
                    "Das Gewicht von Kriterium %(number)d muss größer als 0 und höchstens 100 %% sein "
                    "(höchstens zwei Nachkommastellen).",
                    number=position,
                )
            )
        if item.scoring_method not in METHODS_BY_KIND[item.kind]:
            raise DomainError(
                _(
                    "Die Bewertungsmethode von Kriterium %(number)d passt nicht zu seiner Art "
                    "(Preis oder Qualität).",
                    number=position,
                )
            )
        checked.append(
            CriterionData(
                kind=item.kind,
                name=name,
                weight=weight.quantize(Decimal("0.01")),
                scoring_method=item.scoring_method,
                description=item.description.strip(),
            )
        )
    total = sum((item.weight for item in checked), Decimal(0))
    if total != Decimal(100):
        raise DomainError(
            _(
                "Die Gewichte der Zuschlagskriterien ergeben zusammen %(total)s %%, nicht 100 %% (§58 VgV).",
                total=format_number(total, None),
            )
        )
    return checked


def ensure_criteria_editable(tender: Tender) -> None:
    """§58 VgV: the criteria are published with the notice and cannot change afterwards."""
    if tender.status not in CRITERIA_EDITABLE or tender.published_at is not None:
        raise Conflict(
            _(
                "Die Zuschlagskriterien sind mit der Bekanntmachung veröffentlicht und können nicht "
                "mehr geändert werden (§58 VgV)."
            )
        )


def set_criteria(
    actor: User, tender: Tender, criteria: list[CriterionData], now: datetime
) -> list[Criterion]:
    """Replace the award criteria (§58 VgV): weights above 0 that add up to exactly 100 %.

    :param criteria: the whole list in the order shown in the notice
    """
    load_for_manager(actor, tender)
    ensure_criteria_editable(tender)
    checked = _check_criteria(criteria)
    before = [criterion_audit(criterion) for criterion in tender.criteria]
    tender.criteria.clear()
    # the unique (tender, position) must be free before the new rows take the positions
    db.session.flush()
    for position, item in enumerate(checked, start=1):
        tender.criteria.append(Criterion(position=position, **asdict(item)))
    tender.updated_at = now
    db.session.flush()
    after = [criterion_audit(criterion) for criterion in tender.criteria]
    if after != before:
        audit_tender(
            "criteria_set", actor, tender, now, before={"criteria": before}, after={"criteria": after}
        )
    return list(tender.criteria)


# --- value and procedure ---------------------------------------------------------------------

PROCEDURE_STATES = (TenderStatus.draft, TenderStatus.collecting, TenderStatus.ready)


def planned_publication_day(tender: Tender, now: datetime) -> date:
    """The day the advice is for: the planned publication date, or today (Berlin)."""
    today = berlin_today(now)
    planned = tender.planned_publication_date
    return planned if planned is not None and planned >= today else today


def choose_procedure(
    actor: User,
    tender: Tender,
    procedure: Procedure,
    bid_deadline: datetime,
    use_small_lots: bool,
    now: datetime,
) -> Optional[str]:
    """Fix the procedure, the small-lots option and the bid deadline; return a warning, if any.

    Refused: a national procedure at or above the threshold (§106 GWB), the small-lots option
    (§3(9) VgV) where the advisor found no lot for it, an EU deadline shorter than §15 VgV
    allows. A national deadline shorter than the platform proposes is only a warning (§13 UVgO).

    :param bid_deadline: aware datetime (the form converts Berlin time to UTC)
    """
    load_for_manager(actor, tender)
    if tender.status not in PROCEDURE_STATES:
        raise Conflict(_("Verfahren und Angebotsfrist stehen nach der Veröffentlichung fest."))
    if bid_deadline.tzinfo is None:
        raise ValueError("bid_deadline must be timezone-aware")
    day = planned_publication_day(tender, now)
    advice = advice_for(tender, day)
    if procedure not in advice.allowed_procedures():
        raise DomainError(
            _(
                "Der geschätzte Auftragswert erreicht den EU-Schwellenwert: Es ist ein EU-Verfahren "
                "durchzuführen (§106 GWB)."
            )
        )
    if use_small_lots and not advice.small_lots:
        raise DomainError(
            _("Für diese Ausschreibung kommt die Kleinlosregel nicht in Frage (§3 Abs. 9 VgV).")
        )
    if bid_deadline <= now:
        raise DomainError(_("Die Angebotsfrist muss in der Zukunft liegen."))
    earliest = advisor.earliest_bid_deadline(procedure, day)
    if earliest is not None and bid_deadline < earliest:
        rule = find_rule(procedure, day)
        raise DomainError(
            _(
                "Die Angebotsfrist ist zu kurz: bei Veröffentlichung am %(day)s endet sie frühestens "
                "am %(earliest)s (%(source)s).",
                day=format_date(day),
                earliest=format_datetime(earliest, "short"),
                source=rule.source if rule else "",
            )
        )
    before = _procedure_audit(tender)
    tender.procedure = procedure
    tender.use_small_lots = use_small_lots
    tender.bid_deadline = bid_deadline
    tender.updated_at = now
    db.session.flush()
    after = _procedure_audit(tender)
    if after != before:
        audit_tender(
            "procedure_chosen",
            actor,
            tender,
            now,
            before=before,
            after=after | {"publication_day": day.isoformat(), "estimated_value": str(advice.total)},
        )
    return advisor.deadline_warning(procedure, day, bid_deadline)


def _procedure_audit(tender: Tender) -> dict[str, Any]:
    return {
        "procedure": None if tender.procedure is None else tender.procedure.value,
        "use_small_lots": tender.use_small_lots,
        "bid_deadline": None if tender.bid_deadline is None else tender.bid_deadline.isoformat(),
    }


# --- state changes for the buttons -----------------------------------------------------------

BUTTON_TRIGGERS = ("start_collecting", "back_to_draft", "freeze", "unfreeze", "publish")


@dataclass(frozen=True)
class TenderAction:
    trigger: str
    blockers: list[str]  # the guards' messages (translated) that refuse it now


def tender_actions(actor: User, tender: Tender, now: datetime) -> list[TenderAction]:
    """The buttons a manager sees: every trigger the state allows, with what still blocks it."""
    if not can_manage_tender(actor, tender):
        return []
    actions = []
    for trigger in BUTTON_TRIGGERS:
        moves = TENDER.moves_from(tender.status, trigger)
        if moves:
            blockers = [
                _(guard.message) % {} for move in moves for guard in move.guards if not guard(tender, now)
            ]
            actions.append(TenderAction(trigger, blockers))
    return actions


def change_tender_status(actor: User, tender: Tender, trigger: str, now: datetime) -> Tender:
    """Fire one of the buttons' triggers; freezing and publishing have their own rules."""
    load_for_manager(actor, tender)
    if trigger not in BUTTON_TRIGGERS:
        raise NotFound(_("Diese Aktion gibt es nicht."))
    if trigger == "publish":
        return publish_tender(actor, tender, now)
    if trigger in ("freeze", "unfreeze"):
        from procurement.tenders import participation  # builds on these services

        getattr(participation, f"{trigger}_participants")(actor, tender, now)
        return tender
    return fire(actor, tender, trigger, now)


# --- publication -----------------------------------------------------------------------------


def tender_link(tender: Tender) -> str:
    return external_url("tenders.detail", tender_id=tender.id)


def publish_tender(actor: User, tender: Tender, now: datetime) -> Tender:
    """Publish the tender: issue the notice, fix value and threshold, tell the participants.

    The guards of ``publish`` re-check the criteria (§58 VgV), the documents and the bid
    deadline against today as the real publication day (§15 VgV); the advice is re-computed
    for today, so a national procedure is refused if the value reached the threshold meanwhile.
    """
    load_for_manager(actor, tender)
    check_can_fire(tender, "publish", now)
    today = berlin_today(now)
    advice = advice_for(tender, today)
    if tender.procedure not in advice.allowed_procedures():
        raise Conflict(
            _(
                "Der geschätzte Auftragswert erreicht inzwischen den EU-Schwellenwert: Bitte wählen "
                "Sie das EU-Verfahren (§106 GWB)."
            )
        )
    if tender.use_small_lots and not advice.small_lots:
        raise Conflict(_("Die Kleinlosregel (§3 Abs. 9 VgV) trifft nicht mehr zu. Bitte wählen Sie neu."))
    tender.estimated_value = advice.total
    tender.threshold_value = None if advice.threshold is None else advice.threshold.value
    from procurement.tenders.notices import issue_notice  # the eForms module builds on these services

    issue_notice(actor, tender, now)
    fire(
        actor,
        tender,
        "publish",
        now,
        estimated_value=str(advice.total),
        threshold_value=None if advice.threshold is None else str(advice.threshold.value),
        procedure=tender.procedure.value if tender.procedure else None,
        bid_deadline=tender.bid_deadline.isoformat() if tender.bid_deadline else None,
    )
    tender.published_at = now
    db.session.flush()
    recipients = active_officers({p.organisation_id for p in tender.joined_participants})
    for officer in recipients:
        if officer.id == actor.id:
            continue
        queue_mail(
            officer.email,
            "tender_published",
            officer.language,
            user=officer,
            tender=tender,
            publisher=actor,
            link=tender_link(tender),
        )
    return tender


# --- cancellation (Aufhebung, §63 VgV) -------------------------------------------------------

MAX_CANCELLATION_TEXT = 10000


def cancel_tender(
    actor: User, tender: Tender, reason: CancellationReason, text: str, now: datetime
) -> Tender:
    """Cancel the tender (Aufhebung) for one of the reasons of §63(1) VgV and tell everyone.

    The bundled needs are open for bundling again. Mail goes to the officers of all invited and
    joined municipalities and, once the tender was published, to every vendor user who
    downloaded its documents or asked a question (§63(2) VgV: the bidders are informed).

    :param text: the explanation given to participants and bidders (required)
    """
    load_for_manager(actor, tender)
    if not isinstance(reason, CancellationReason):
        raise DomainError(_("Bitte wählen Sie einen Grund nach § 63 Abs. 1 VgV."))
    text = text.strip()
    if not text:
        raise DomainError(_("Bitte begründen Sie die Aufhebung (§63 Abs. 2 VgV)."))
    if len(text) > MAX_CANCELLATION_TEXT:
        raise DomainError(_("Die Begründung ist zu lang."))
    check_can_fire(tender, "cancel", now)
    was_published = tender.published_at is not None
    tender.cancellation_reason = reason
    tender.cancellation_text = text
    tender.cancelled_at = now
    fire(actor, tender, "cancel", now, reason=reason.value, text=text)
    move_needs(actor, tender, tender.needs, "unbundle", now)
    organisations = {
        p.organisation_id
        for p in tender.participants
        if p.status in (ParticipantStatus.invited, ParticipantStatus.joined)
    }
    recipients: dict[int, User] = {officer.id: officer for officer in active_officers(organisations)}
    if was_published:
        vendors = db.session.scalars(
            select(User).where(
                or_(
                    User.id.in_(
                        select(DocumentDownload.user_id).where(DocumentDownload.tender_id == tender.id)
                    ),
                    User.id.in_(select(Question.asked_by_id).where(Question.tender_id == tender.id)),
                ),
                User.status == UserStatus.active,
            )
        ).all()
        recipients.update({vendor.id: vendor for vendor in vendors})
    recipients.pop(actor.id, None)
    for recipient in sorted(recipients.values(), key=lambda user: user.id):
        queue_mail(
            recipient.email,
            "tender_cancelled",
            recipient.language,
            user=recipient,
            tender=tender,
            reason_label=CANCELLATION_REASON_LABELS[reason],
            internal=participant_of(recipient, tender) is not None,
            link=tender_link(tender)
            if participant_of(recipient, tender) is not None
            else public_link(tender),
        )
    return tender


def public_link(tender: Tender) -> str:
    """The public notice page of the tender."""
    return external_url("tenders.public_detail", tender_id=tender.id)
