"""Participants of a joint tender (§4 VgV) and tenders made from bundled needs.

The lead authority runs the procedure in the name of all participants; each participant stays
responsible for its share (§4 Abs. 1 VgV). A municipality takes part once one of its officers
has confirmed its quantities per lot, its Leitweg-ID (XRechnung BT-10) and its billing address.
The lead freezes the participants (collecting -> ready): from then on the estimated value
(§3 VgV) and the threshold it was compared with are fixed on the tender.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Optional

from flask_babel import gettext as _
from sqlalchemy import select

from procurement.accounts.models import Organisation, OrganisationKind, User
from procurement.accounts.services import active_officers
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.mail.services import queue_mail
from procurement.needs.bundling import Proposal
from procurement.needs.models import JointTenderInvitation, Need, RecipientResponse
from procurement.reference.validators import vocabulary
from procurement.tenders import services
from procurement.tenders.advisor import BERLIN, CENT
from procurement.tenders.models import (
    ContractNature,
    Lot,
    LotQuantity,
    Participant,
    ParticipantStatus,
    Tender,
    TenderNeed,
)
from procurement.tenders.permissions import (
    can_create_tender,
    can_manage_tender,
    can_participate,
    can_view_tender,
    is_lead,
    participant_of,
)
from procurement.web import external_url
from workflows.need import NeedStatus
from workflows.tender import LOTS_EDITABLE, TenderStatus

# Beyond this a quantity is a typing error, not a municipal order (as for needs).
MAX_QUANTITY = Decimal("1000000000")
QUANTITY_STEP = Decimal("0.001")
MAX_INVITED_AT_ONCE = 100

# Invitations go out and participants join or leave only before the participants are frozen.
INVITING_STATES = LOTS_EDITABLE  # draft, collecting


# --- helpers ---------------------------------------------------------------------------------


def _load_for_participant(actor: User, tender: Tender) -> Participant:
    """The actor's participation if the actor may act for it; 404 for outsiders, else 403."""
    if not can_view_tender(actor, tender):
        raise NotFound(_("Diese Ausschreibung gibt es nicht."))
    participant = participant_of(actor, tender)
    if participant is None or not can_participate(actor, tender):
        raise PermissionDenied(
            _("Über die Teilnahme entscheiden die Vergabestellen der eingeladenen Kommunen.")
        )
    return participant


def _touch(tender: Tender, now: datetime) -> None:
    # Bumps the tender's version: a join racing with the freeze cannot both succeed.
    tender.updated_at = now


def _tender_needs_of(tender: Tender, organisation_id: int) -> list[Need]:
    return [need for need in tender.needs if need.organisation_id == organisation_id]


def participation_audit(participant: Participant) -> dict[str, Any]:
    """What the audit log keeps of a participation: status, quantities by lot number, billing."""
    return {
        "organisation_id": participant.organisation_id,
        "status": participant.status.value,
        "quantities": {
            str(row.lot.number): str(row.quantity)
            for row in sorted(participant.quantities, key=lambda row: row.lot.number)
        },
        "leitweg_id": participant.leitweg_id,
        "billing_name": participant.billing_name,
        "billing_street": participant.billing_street,
        "billing_postal_code": participant.billing_postal_code,
        "billing_city": participant.billing_city,
        "contact_email": participant.contact_email,
        "contact_phone": participant.contact_phone,
    }


# --- shares ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareLine:
    lot: Lot
    quantity: Decimal
    value: Decimal  # quantity × estimated unit price, EUR net


@dataclass(frozen=True)
class Share:
    """What one participant orders and is responsible for (§4 Abs. 1 VgV)."""

    participant: Participant
    lines: list[ShareLine]
    total: Decimal

    @property
    def counted(self) -> bool:
        """Only joined participants count for the tender's estimated value (§3 VgV)."""
        return self.participant.status is ParticipantStatus.joined


def share_of(participant: Participant) -> Share:
    """The participant's quantities per lot and their estimated net value (options excluded)."""
    lines = []
    for lot in participant.tender.lots:
        quantity = participant.quantity_for(lot)
        lines.append(ShareLine(lot, quantity, (quantity * lot.unit_price).quantize(CENT, ROUND_HALF_UP)))
    return Share(participant, lines, sum((line.value for line in lines), Decimal(0)))


def shares(tender: Tender) -> list[Share]:
    """Every participant's share, the lead first."""
    ordered = sorted(
        tender.participants,
        key=lambda p: (p.organisation_id != tender.lead_organisation_id, p.organisation.name, p.id),
    )
    return [share_of(participant) for participant in ordered]


def joined_total(tender: Tender) -> Decimal:
    """The estimated value of all joined participants' quantities (options excluded)."""
    return sum((share.total for share in shares(tender) if share.counted), Decimal(0))


def lot_totals(tender: Tender) -> dict[int, Decimal]:
    """The quantity of each lot (by id) over the joined participants."""
    joined = tender.joined_participants
    return {lot.id: sum((p.quantity_for(lot) for p in joined), Decimal(0)) for lot in tender.lots}


def percent_of(share: Share, total: Decimal) -> Optional[Decimal]:
    """The share's part of the joined total in percent (one decimal), None if it does not count."""
    if not share.counted or not total:
        return None
    return (share.total * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- what the pages offer ------------------------------------------------------------------------


def joining_open(actor: Optional[User], tender: Tender) -> bool:
    """Joining (or changing quantities) is possible now: collecting; for the lead also in draft."""
    if tender.status is TenderStatus.collecting:
        return True
    return tender.status is TenderStatus.draft and is_lead(actor, tender)


def allowed_participation_actions(actor: Optional[User], tender: Tender) -> list[str]:
    """The buttons the participants page offers ``actor``: allowed by the state and the role."""
    actions: list[str] = []
    if can_manage_tender(actor, tender):
        if tender.status in INVITING_STATES:
            actions.append("invite")
        if tender.status is TenderStatus.collecting:
            actions.append("freeze")
        if tender.status is TenderStatus.ready and tender.published_at is None:
            actions.append("unfreeze")
    participant = participant_of(actor, tender)
    if participant is not None and can_participate(actor, tender) and tender.status in INVITING_STATES:
        if participant.status in (ParticipantStatus.invited, ParticipantStatus.joined) and joining_open(
            actor, tender
        ):
            actions.append("join")
        lead = participant.organisation_id == tender.lead_organisation_id
        if not lead and participant.status is ParticipantStatus.joined:
            actions.append("leave")
        if not lead and participant.status is ParticipantStatus.invited:
            actions.append("decline")
    return actions


def invitable_municipalities(tender: Tender) -> list[Organisation]:
    """Municipalities the lead can invite: not taking part (again, after declining or leaving)."""
    taken = {
        p.organisation_id
        for p in tender.participants
        if p.status in (ParticipantStatus.invited, ParticipantStatus.joined)
    }
    return [
        organisation
        for organisation in db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.municipality)
            .order_by(Organisation.name, Organisation.id)
        )
        if organisation.id not in taken
    ]


# --- inviting ------------------------------------------------------------------------------------


def _prefilled_participant(organisation: Organisation, actor: User, now: datetime) -> Participant:
    return Participant(
        organisation_id=organisation.id,
        status=ParticipantStatus.invited,
        leitweg_id=organisation.leitweg_id or "",
        billing_name=organisation.name,
        billing_street=organisation.street,
        billing_postal_code=organisation.postal_code,
        billing_city=organisation.city,
        contact_email=organisation.email or "",
        invited_by_id=actor.id,
        invited_at=now,
    )


def invite_municipalities(
    actor: User, tender: Tender, organisation_ids: Iterable[int], now: datetime, message: str = ""
) -> list[Participant]:
    """Invite municipalities to take part in the tender; their officers get a mail (§4 VgV).

    :param organisation_ids: municipalities not yet invited (those that declined or left may be
        invited again)
    :param message: the lead officer's words to the invited officers
    """
    return _invite(actor, tender, organisation_ids, now, message)


def _invite(
    actor: User,
    tender: Tender,
    organisation_ids: Iterable[int],
    now: datetime,
    message: str = "",
    proposed: Optional[Mapping[int, Mapping[Lot, Decimal]]] = None,
) -> list[Participant]:
    """Invite; ``proposed`` pre-fills quantities (organisation id -> lot -> quantity) from needs."""
    services.load_for_manager(actor, tender)
    if tender.status not in INVITING_STATES:
        raise Conflict(_("Einladen ist nur möglich, solange die Teilnehmenden nicht festgeschrieben sind."))
    ids = sorted(set(organisation_ids))
    if not ids:
        raise DomainError(_("Bitte wählen Sie mindestens eine Kommune aus."))
    if len(ids) > MAX_INVITED_AT_ONCE:
        raise DomainError(
            _("Bitte laden Sie höchstens %(max)d Kommunen auf einmal ein.", max=MAX_INVITED_AT_ONCE)
        )
    organisations = {
        organisation.id: organisation
        for organisation in db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    }
    if len(organisations) != len(ids) or any(
        o.kind is not OrganisationKind.municipality for o in organisations.values()
    ):
        raise DomainError(_("Zu einer Ausschreibung können nur Kommunen eingeladen werden."))
    existing = {p.organisation_id: p for p in tender.participants}
    for organisation_id in ids:
        known = existing.get(organisation_id)
        if known is not None and known.status in (ParticipantStatus.invited, ParticipantStatus.joined):
            raise Conflict(
                _(
                    "%(organisation)s ist bereits eingeladen oder nimmt teil.",
                    organisation=organisations[organisation_id].name,
                )
            )
    invited: list[Participant] = []
    for organisation_id in ids:
        known = existing.get(organisation_id)
        if known is None:
            participant = _prefilled_participant(organisations[organisation_id], actor, now)
            tender.participants.append(participant)
        else:  # declined or left earlier: invited again, its last entries kept as a proposal
            participant = known
            participant.status = ParticipantStatus.invited
            participant.invited_by_id = actor.id
            participant.invited_at = now
            participant.left_at = None
        for lot, quantity in (proposed or {}).get(organisation_id, {}).items():
            _propose_quantity(participant, lot, quantity)
        invited.append(participant)
    _touch(tender, now)
    db.session.flush()
    services.audit_tender(
        "participants_invited",
        actor,
        tender,
        now,
        after={
            "organisation_ids": ids,
            "message": message.strip(),
            "proposed_quantities": {
                str(organisation_id): {str(lot.number): str(quantity) for lot, quantity in lots.items()}
                for organisation_id, lots in sorted((proposed or {}).items())
            },
        },
    )
    link = external_url("tenders.join", tender_id=tender.id)
    for officer in active_officers(ids):
        queue_mail(
            officer.email,
            "tender_invitation",
            officer.language,
            user=officer,
            tender=tender,
            inviter=actor,
            message=message.strip(),
            share=share_of(next(p for p in invited if p.organisation_id == officer.organisation_id)),
            link=link,
        )
    return invited


# --- joining, leaving, declining -----------------------------------------------------------------


@dataclass(frozen=True)
class JoinData:
    quantities: Mapping[int, Decimal]  # lot id -> quantity; lots left out order nothing
    leitweg_id: str
    billing_name: str
    billing_street: str
    billing_postal_code: str
    billing_city: str
    contact_email: str
    contact_phone: str
    confirmed: bool  # "Ich bestätige als Vergabestelle verbindlich die Teilnahme ..."


def _check_join_data(tender: Tender, data: JoinData) -> tuple[dict[int, Decimal], dict[str, str]]:
    from xrechnung.leitweg import InvalidLeitwegId, validate_leitweg_id

    if not data.confirmed:
        raise DomainError(_("Bitte bestätigen Sie die Teilnahme verbindlich für Ihre Kommune (§ 4 VgV)."))
    lots = {lot.id: lot for lot in tender.lots}
    if not lots:
        raise DomainError(_("Die Ausschreibung hat noch keine Lose."))
    unknown = set(data.quantities) - set(lots)
    if unknown:
        raise DomainError(_("Mengen können nur für die Lose dieser Ausschreibung angegeben werden."))
    quantities: dict[int, Decimal] = {}
    for lot_id in lots:
        quantity = data.quantities.get(lot_id, Decimal(0))
        if not quantity.is_finite() or not Decimal(0) <= quantity <= MAX_QUANTITY:
            raise DomainError(
                _(
                    "Die Menge für Los %(number)d darf nicht negativ und muss plausibel sein.",
                    number=lots[lot_id].number,
                )
            )
        if quantity != quantity.quantize(QUANTITY_STEP):
            raise DomainError(_("Bitte geben Sie Mengen mit höchstens drei Nachkommastellen an."))
        quantities[lot_id] = quantity.quantize(QUANTITY_STEP)
    if not any(quantities.values()):
        raise DomainError(_("Bitte geben Sie für mindestens ein Los eine Menge größer als 0 an."))
    try:
        leitweg_id = validate_leitweg_id(data.leitweg_id)
    except InvalidLeitwegId as err:
        if err.reason == "check_digits":
            raise DomainError(_("Die Prüfziffern der Leitweg-ID stimmen nicht.")) from err
        raise DomainError(
            _("Die Leitweg-ID hat nicht das richtige Format (z. B. 04011000-1234512345-06).")
        ) from err
    fields = {
        "leitweg_id": leitweg_id,
        "billing_name": data.billing_name.strip(),
        "billing_street": data.billing_street.strip(),
        "billing_postal_code": data.billing_postal_code.strip(),
        "billing_city": data.billing_city.strip(),
        "contact_email": data.contact_email.strip(),
        "contact_phone": data.contact_phone.strip(),
    }
    if not all(fields.values()):
        raise DomainError(_("Rechnungsanschrift, Kontakt-E-Mail und Telefonnummer sind Pflichtangaben."))
    if "@" not in fields["contact_email"].strip("@"):
        raise DomainError(_("Bitte geben Sie eine gültige E-Mail-Adresse ein."))
    return quantities, fields


def _propose_quantity(participant: Participant, lot: Lot, quantity: Decimal) -> None:
    row = next((row for row in participant.quantities if row.lot is lot), None)
    if row is None:
        participant.quantities.append(LotQuantity(lot=lot, quantity=quantity.quantize(QUANTITY_STEP)))
    else:
        row.quantity = quantity.quantize(QUANTITY_STEP)


def _set_quantities(participant: Participant, quantities: Mapping[int, Decimal]) -> None:
    rows = {row.lot_id: row for row in participant.quantities}
    for lot in participant.tender.lots:
        quantity = quantities.get(lot.id, Decimal(0))
        row = rows.get(lot.id)
        if row is None:
            participant.quantities.append(LotQuantity(lot=lot, quantity=quantity))
        elif row.quantity != quantity:
            row.quantity = quantity


def join_tender(actor: User, tender: Tender, data: JoinData, now: datetime) -> Participant:
    """Join the tender for the actor's municipality, or change its quantities and billing data.

    Needs of the municipality that the tender was made from are bundled into it.

    :param data: quantities per lot (at least one above 0), Leitweg-ID, billing address, contact
        and the officer's binding confirmation
    """
    participant = _load_for_participant(actor, tender)
    if participant.status in (ParticipantStatus.declined, ParticipantStatus.left):
        raise Conflict(
            _("Ihre Kommune nimmt nicht mehr teil. Die federführende Stelle kann sie erneut einladen.")
        )
    if not joining_open(actor, tender):
        raise Conflict(
            _("Teilnehmen und Mengen ändern ist nur möglich, solange die Teilnehmenden gesammelt werden.")
        )
    quantities, fields = _check_join_data(tender, data)
    before = participation_audit(participant)
    first = participant.status is not ParticipantStatus.joined
    _set_quantities(participant, quantities)
    for name, value in fields.items():
        setattr(participant, name, value)
    participant.status = ParticipantStatus.joined
    db.session.flush()
    after = participation_audit(participant)
    changed = [key for key in after if after[key] != before[key]]
    if not changed:
        return participant  # the same form sent twice: nothing to record or to announce
    participant.confirmed_by_id = actor.id
    if first:
        participant.joined_at = now
    participant.left_at = None
    _touch(tender, now)
    services.move_needs(actor, tender, _tender_needs_of(tender, participant.organisation_id), "bundle", now)
    services.audit_tender(
        "participant_joined" if first else "participation_changed",
        actor,
        tender,
        now,
        before={key: before[key] for key in changed} | {"organisation_id": participant.organisation_id},
        after={key: after[key] for key in changed} | {"organisation_id": participant.organisation_id},
    )
    if participant.organisation_id != tender.lead_organisation_id:
        share = share_of(participant)
        for officer in active_officers([tender.lead_organisation_id]):
            queue_mail(
                officer.email,
                "tender_participant_joined",
                officer.language,
                user=officer,
                tender=tender,
                participant=participant,
                actor=actor,
                first=first,
                share=share,
                link=external_url("tenders.participants", tender_id=tender.id),
            )
    return participant


def _leave_checks(actor: User, tender: Tender, wanted: ParticipantStatus) -> Participant:
    participant = _load_for_participant(actor, tender)
    if participant.organisation_id == tender.lead_organisation_id:
        raise Conflict(
            _(
                "Die federführende Stelle kann nicht austreten: sie führt das Verfahren für alle "
                "(§ 4 VgV). Heben Sie die Ausschreibung stattdessen auf."
            )
        )
    if tender.status not in INVITING_STATES:
        raise Conflict(
            _("Die Teilnehmenden sind festgeschrieben: Austreten oder Absagen ist nicht mehr möglich.")
        )
    if participant.status is not wanted:
        if wanted is ParticipantStatus.joined:
            raise Conflict(_("Ihre Kommune nimmt an dieser Ausschreibung nicht teil."))
        raise Conflict(_("Ihre Kommune hat auf diese Einladung bereits geantwortet."))
    return participant


def _tell_lead(tender: Tender, participant: Participant, actor: User, declined: bool, now: datetime) -> None:
    for officer in active_officers([tender.lead_organisation_id]):
        queue_mail(
            officer.email,
            "tender_participant_left",
            officer.language,
            user=officer,
            tender=tender,
            participant=participant,
            actor=actor,
            declined=declined,
            link=external_url("tenders.participants", tender_id=tender.id),
        )


def leave_tender(actor: User, tender: Tender, now: datetime) -> Participant:
    """Leave the tender while participants are collected; the quantities stay on record.

    The municipality's needs bundled into the tender are open for bundling again.
    """
    participant = _leave_checks(actor, tender, ParticipantStatus.joined)
    participant.status = ParticipantStatus.left
    participant.left_at = now
    _touch(tender, now)
    services.move_needs(actor, tender, _tender_needs_of(tender, participant.organisation_id), "unbundle", now)
    services.audit_tender(
        "participant_left",
        actor,
        tender,
        now,
        before={"organisation_id": participant.organisation_id, "status": ParticipantStatus.joined.value},
        after={"organisation_id": participant.organisation_id, "status": participant.status.value},
    )
    _tell_lead(tender, participant, actor, declined=False, now=now)
    return participant


def decline_invitation(actor: User, tender: Tender, now: datetime) -> Participant:
    """Decline the invitation to the tender for the actor's municipality."""
    participant = _leave_checks(actor, tender, ParticipantStatus.invited)
    participant.status = ParticipantStatus.declined
    participant.left_at = now
    _touch(tender, now)
    db.session.flush()
    services.audit_tender(
        "invitation_declined",
        actor,
        tender,
        now,
        before={"organisation_id": participant.organisation_id, "status": ParticipantStatus.invited.value},
        after={"organisation_id": participant.organisation_id, "status": participant.status.value},
    )
    _tell_lead(tender, participant, actor, declined=True, now=now)
    return participant


# --- freezing ------------------------------------------------------------------------------------


def freeze_participants(actor: User, tender: Tender, now: datetime) -> Tender:
    """Fix the participants and their quantities (collecting -> ready).

    The estimated value (§3 VgV: the sum over all participants and lots) and the EU threshold in
    force on the planned publication date are kept on the tender; invited municipalities that
    did not join can no longer join. Every participant's officers get their share by mail.
    """
    services.load_for_manager(actor, tender)
    day = planned_day(tender, now)
    advice = services.advice_for(tender, day)
    threshold = None if advice.threshold is None else advice.threshold.value.quantize(CENT)
    services.fire(
        actor,
        tender,
        "freeze",
        now,
        estimated_value=str(advice.total),
        threshold_value=None if threshold is None else str(threshold),
        publication_date=day.isoformat(),
        participants=sorted(p.organisation_id for p in tender.joined_participants),
    )
    tender.estimated_value = advice.total
    tender.threshold_value = threshold
    tender.frozen_at = now
    db.session.flush()
    link = external_url("tenders.share", tender_id=tender.id)
    joined = {p.organisation_id: p for p in tender.joined_participants}
    for officer in active_officers(joined):
        queue_mail(
            officer.email,
            "tender_frozen",
            officer.language,
            user=officer,
            tender=tender,
            share=share_of(joined[officer.organisation_id]),
            eu=advice.eu,
            link=link,
        )
    return tender


def unfreeze_participants(actor: User, tender: Tender, now: datetime) -> Tender:
    """Collect participants again (ready -> collecting); not after publication."""
    services.load_for_manager(actor, tender)
    if tender.published_at is not None:
        raise Conflict(_("Nach der Veröffentlichung können die Teilnehmenden nicht mehr geändert werden."))
    before = {
        "estimated_value": None if tender.estimated_value is None else str(tender.estimated_value),
        "threshold_value": None if tender.threshold_value is None else str(tender.threshold_value),
    }
    services.fire(actor, tender, "unfreeze", now, released=before)
    # The figures were fixed for the frozen participants; the next freeze computes them again.
    tender.estimated_value = None
    tender.threshold_value = None
    tender.frozen_at = None
    db.session.flush()
    return tender


# --- tenders made from needs ---------------------------------------------------------------------

GENERIC_UNIT_PRICE = Decimal("1.00")


def _contract_nature(cpv_code: str) -> ContractNature:
    """CPV divisions 45 are works, 50 and above services, the rest supplies (Regulation 213/2008)."""
    division = int(cpv_code[:2])
    if division == 45:
        return ContractNature.works
    if division >= 50:
        return ContractNature.services
    return ContractNature.supplies


def _cpv_title(code: str) -> str:
    entry = vocabulary().get(code)
    return "" if entry is None else entry.label_de


def _group_code(group: str) -> Optional[str]:
    entry = vocabulary().by_stem.get(group.ljust(8, "0"))
    return None if entry is None else entry.code


def _lock_needs(need_ids: Iterable[int]) -> list[Need]:
    ids = sorted(set(need_ids))
    if not ids:
        raise DomainError(_("Bitte wählen Sie mindestens einen Bedarf aus."))
    needs = list(db.session.scalars(select(Need).where(Need.id.in_(ids)).order_by(Need.id).with_for_update()))
    if len(needs) != len(ids):
        raise NotFound(_("Diesen Bedarf gibt es nicht."))
    return needs


def _check_needs_free(needs: list[Need]) -> None:
    closed = [need for need in needs if need.status is not NeedStatus.open]
    if closed:
        raise Conflict(_("Der Bedarf „%(title)s“ ist nicht mehr offen.", title=closed[0].title))
    taken = db.session.scalars(
        select(TenderNeed.need_id)
        .join(Tender, Tender.id == TenderNeed.tender_id)
        .where(TenderNeed.need_id.in_([need.id for need in needs]), Tender.status != TenderStatus.cancelled)
    ).first()
    if taken is not None:
        title = next(need.title for need in needs if need.id == taken)
        raise Conflict(
            _("Der Bedarf „%(title)s“ gehört bereits zu einer anderen Ausschreibung.", title=title)
        )
    if len({need.cpv_group for need in needs}) != 1:
        raise DomainError(_("Die Bedarfe gehören nicht zur selben CPV-Gruppe."))


def _lot_from(needs: list[Need], nuts_code: str) -> tuple[services.LotData, dict[int, Decimal]]:
    """One lot for needs of one CPV code, with each municipality's quantity."""
    code = needs[0].cpv_code
    units = {need.unit for need in needs}
    total_value = sum((need.estimated_value for need in needs), Decimal(0))
    quantities: defaultdict[int, Decimal] = defaultdict(Decimal)
    if len(units) == 1:
        unit = units.pop()
        total_quantity = sum((need.quantity for need in needs), Decimal(0))
        unit_price = (total_value / total_quantity).quantize(CENT, ROUND_HALF_UP)
        for need in needs:
            quantities[need.organisation_id] += need.quantity
    else:
        # Units that do not agree cannot be added up: each municipality orders its value in EUR.
        unit = _("EUR (netto)")
        unit_price = GENERIC_UNIT_PRICE
        for need in needs:
            quantities[need.organisation_id] += need.estimated_value
    title = _cpv_title(code) or needs[0].title
    description = "\n".join(f"- {need.organisation.name}: {need.title}" for need in needs)
    lot = services.LotData(
        title=title[:200],
        description=description,
        cpv_code=code,
        unit=unit[:40],
        unit_price=unit_price,
        nuts_code=nuts_code,
    )
    return lot, dict(quantities)


def _tender_data(actor: User, needs: list[Need]) -> services.TenderData:
    group = needs[0].cpv_group
    codes = sorted({need.cpv_code for need in needs})
    main_code = codes[0] if len(codes) == 1 else (_group_code(group) or codes[0])
    label = _cpv_title(_group_code(group) or main_code)
    municipalities = sorted({need.organisation.name for need in needs})
    if len(needs) == 1:
        title = needs[0].title
    elif label:
        title = _("Gemeinsame Beschaffung: %(label)s", label=label)
    else:
        title = _("Gemeinsame Beschaffung CPV-Gruppe %(group)s", group=group)
    description = "\n".join(
        [
            _(
                "Gemeinsame Beschaffung nach § 4 VgV für %(municipalities)s.",
                municipalities=", ".join(municipalities),
            ),
            "",
        ]
        + [f"- {need.organisation.name}: {need.title}. {need.description}".strip() for need in needs]
    )
    organisation = actor.organisation
    # the Vergabekammer of the lead's state as a suggestion the officer checks on the edit page
    review_body = services.review_body_for(organisation)
    return services.TenderData(
        title=title[:200],
        description=description,
        contract_nature=_contract_nature(main_code),
        cpv_code=main_code,
        nuts_code=organisation.nuts_code or needs[0].nuts_code,
        contact_email=actor.email,
        contact_phone="",
        review_body_name=review_body.name if review_body else "",
        review_body_city=review_body.city if review_body else "",
        review_body_postal_code="",
        review_body_nuts="",
        place_of_performance=", ".join(sorted({need.place_of_performance for need in needs} - {""}))[:200],
    )


def _create_from(
    actor: User,
    needs: list[Need],
    now: datetime,
    source: str,
    invitation: Optional[JointTenderInvitation] = None,
) -> Tender:
    _check_needs_free(needs)
    tender = services.create_tender(actor, _tender_data(actor, needs), now)
    if invitation is not None:
        tender.source_invitation_id = invitation.id
    by_code: defaultdict[str, list[Need]] = defaultdict(list)
    for need in needs:
        by_code[need.cpv_code].append(need)
    planned: list[tuple[Lot, dict[int, Decimal]]] = []
    for code in sorted(by_code):
        lot_data, quantities = _lot_from(by_code[code], tender.nuts_code)
        planned.append((services.add_lot(actor, tender, lot_data, now), quantities))
    # The quantities of the needs are proposals: each municipality's officer confirms them on
    # the join page (the lead's officer too); only then they count.
    proposed: defaultdict[int, dict[Lot, Decimal]] = defaultdict(dict)
    for lot, quantities in planned:
        for organisation_id, quantity in quantities.items():
            proposed[organisation_id][lot] = quantity
    lead = participant_of(actor, tender)
    assert lead is not None  # create_tender makes the lead a participant
    for lot, quantity in proposed.pop(tender.lead_organisation_id, {}).items():
        _propose_quantity(lead, lot, quantity)
    if proposed:
        _invite(
            actor,
            tender,
            sorted(proposed),
            now,
            message=invitation.message if invitation else "",
            proposed=proposed,
        )
    for need in needs:
        db.session.add(TenderNeed(tender_id=tender.id, need_id=need.id))
    db.session.flush()
    db.session.expire(tender, ["needs"])
    services.audit_tender(
        "created_from_needs",
        actor,
        tender,
        now,
        after={
            "source": source,
            "need_ids": [need.id for need in needs],
            "invitation_id": None if invitation is None else invitation.id,
            "lots": [lot.number for lot, _quantities in planned],
        },
    )
    return tender


def create_from_needs(actor: User, need_ids: Iterable[int], now: datetime) -> Tender:
    """Start a tender from open needs of the actor's own municipality (one CPV group).

    :param need_ids: open needs of the actor's municipality that are in no other tender
    """
    if not can_create_tender(actor):
        raise PermissionDenied(_("Ausschreibungen legen die Vergabestellen der Kommunen an."))
    needs = _lock_needs(need_ids)
    if any(need.organisation_id != actor.organisation_id for need in needs):
        raise NotFound(_("Diesen Bedarf gibt es nicht."))
    return _create_from(actor, needs, now, "needs")


def create_from_proposal(actor: User, proposal: Proposal, now: datetime) -> Tender:
    """Start a tender from a bundling proposal: its municipalities are invited with their quantities.

    :param proposal: a proposal that concerns the actor's municipality
        (``procurement.needs.services.find_proposal``)
    """
    if not can_create_tender(actor):
        raise PermissionDenied(_("Ausschreibungen legen die Vergabestellen der Kommunen an."))
    if not proposal.concerns(actor.organisation_id):
        raise NotFound(_("Diesen Bündelungsvorschlag gibt es nicht (mehr)."))
    needs = _lock_needs(need.id for need in proposal.needs)
    return _create_from(actor, needs, now, "proposal")


def create_from_invitation(actor: User, invitation: JointTenderInvitation, now: datetime) -> Tender:
    """Start the tender an invitation announced, with the needs of those who accepted.

    :param invitation: an invitation the actor's municipality sent
    """
    if not can_create_tender(actor) or invitation.organisation_id != actor.organisation_id:
        raise PermissionDenied(
            _("Die Ausschreibung zu einer Einladung legt die Vergabestelle der einladenden Kommune an.")
        )
    accepted = [r.need_id for r in invitation.recipients if r.response is RecipientResponse.accepted]
    if not accepted:
        raise DomainError(_("Noch hat keine Kommune mit einem offenen Bedarf zugesagt."))
    needs = _lock_needs(accepted)
    return _create_from(actor, needs, now, "invitation", invitation=invitation)


def planned_day(tender: Tender, now: datetime) -> date:
    """The day whose threshold counts: the planned publication date, else (or if past) today."""
    today = now.astimezone(BERLIN).date()
    planned = tender.planned_publication_date
    return planned if planned is not None and planned >= today else today
