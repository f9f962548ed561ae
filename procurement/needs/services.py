"""Needs operations: draft, edit, open, reuse, bundling proposals, invitations, dashboard."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Optional, Union

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from procurement.accounts.models import Organisation, OrganisationKind, User
from procurement.accounts.services import active_officers
from procurement.audit.services import record
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.mail.services import queue_mail
from procurement.marketplace.models import PilotProject, Solution
from procurement.needs.bundling import NeedRow, Proposal, common_window, propose_bundles
from procurement.needs.models import (
    InvitationRecipient,
    JointTenderInvitation,
    Need,
    RecipientResponse,
)
from procurement.needs.permissions import (
    can_create_need,
    can_edit_need,
    can_fire_need,
    can_invite,
    can_respond_to_invitation,
    can_see_proposals,
    can_use_dashboard,
    can_view_need,
)
from procurement.reference.cpv import InvalidCpv, cpv_group
from procurement.reference.thresholds import (
    ContractKind,
    NoThresholdInForce,
    Threshold,
    threshold_on,
)
from procurement.reference.validators import vocabulary
from procurement.web import external_url
from workflows.account import UserStatus
from workflows.curation import EntryStatus
from workflows.need import NEED, NeedStatus

# Plausibility limits: beyond them an entry is a typing error, not a municipal need.
MAX_QUANTITY = Decimal("1000000000")
MAX_ESTIMATED_VALUE = Decimal("1000000000.00")  # EUR net
MAX_DELIVERY_YEARS = 10
CONTRACT_KIND = ContractKind.supplies_services_sub_central  # municipalities (§106 GWB)

Source = Union[Solution, PilotProject]


# --- needs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedData:
    title: str
    description: str
    cpv_code: str
    quantity: Decimal
    unit: str
    estimated_value: Decimal
    delivery_from: date
    delivery_until: date
    nuts_code: str
    place_of_performance: str = ""
    specification: str = ""
    award_criteria: str = ""


def _check_need_data(data: NeedData, today: date) -> NeedData:
    """Refuse what the database constraints would refuse, with a German message."""
    try:
        code = vocabulary().validate(data.cpv_code).code
    except InvalidCpv as err:
        raise DomainError(_("Der CPV-Code %(code)s ist ungültig.", code=err.code)) from err
    if not data.quantity.is_finite() or not Decimal(0) < data.quantity <= MAX_QUANTITY:
        raise DomainError(_("Die Menge muss größer als 0 und plausibel sein."))
    if not data.estimated_value.is_finite() or not Decimal(0) <= data.estimated_value <= MAX_ESTIMATED_VALUE:
        raise DomainError(_("Der geschätzte Wert darf nicht negativ und muss plausibel sein."))
    if data.delivery_until < data.delivery_from:
        raise DomainError(_("Das Ende des Lieferzeitraums liegt vor seinem Beginn."))
    if data.delivery_until > today + timedelta(days=366 * MAX_DELIVERY_YEARS):
        raise DomainError(_("Der Lieferzeitraum liegt unplausibel weit in der Zukunft."))
    return NeedData(
        **asdict(data)
        | {
            "title": data.title.strip(),
            "description": data.description.strip(),
            "cpv_code": code,
            "quantity": data.quantity.quantize(Decimal("0.001")),
            "unit": data.unit.strip(),
            "estimated_value": data.estimated_value.quantize(Decimal("0.01")),
            "nuts_code": data.nuts_code.strip().upper(),
            "place_of_performance": data.place_of_performance.strip(),
        }
    )


def _need_audit(need: Need) -> dict[str, object]:
    return {
        "status": need.status.value,
        "title": need.title,
        "cpv_code": need.cpv_code,
        "quantity": str(need.quantity),
        "unit": need.unit,
        "estimated_value": str(need.estimated_value),
        "delivery_from": need.delivery_from.isoformat(),
        "delivery_until": need.delivery_until.isoformat(),
        "nuts_code": need.nuts_code,
        "place_of_performance": need.place_of_performance,
        "description": need.description,
        "specification": need.specification,
        "award_criteria": need.award_criteria,
    }


def _apply(need: Need, data: NeedData) -> None:
    for name, value in asdict(data).items():
        setattr(need, name, value)
    need.cpv_group = cpv_group(need.cpv_code)  # bundling matches on it: always in step with the code


def published_source(solution_id: Optional[int], pilot_project_id: Optional[int]) -> Optional[Source]:
    """Return the published solution or pilot project a need is made from; others are not found."""
    if solution_id is None and pilot_project_id is None:
        return None
    source: Optional[Source] = (
        db.session.get(Solution, solution_id)
        if solution_id is not None
        else db.session.get(PilotProject, pilot_project_id)
    )
    if source is None or source.status is not EntryStatus.published:
        raise NotFound(_("Diesen Marktplatz-Eintrag gibt es nicht oder er ist nicht veröffentlicht."))
    return source


@dataclass(frozen=True)
class ReuseTemplate:
    """What a need made from a marketplace entry starts with (Nachnutzung)."""

    source: Source
    values: dict[str, object]
    further_cpv_codes: list[str]


def reuse_template(actor: User, source: Source) -> ReuseTemplate:
    """Return the pre-filled values of a need made from ``source`` (specification, CPV, criteria)."""
    if not can_create_need(actor):
        raise PermissionDenied(_("Nur Bedarfsträger und Vergabestellen von Kommunen erfassen Bedarfe."))
    codes = source.cpv_codes
    values: dict[str, object] = {
        "title": source.title,
        "description": source.summary,
        "cpv_code": codes[0] if codes else "",
    }
    if isinstance(source, PilotProject):
        values |= {"specification": source.specification, "award_criteria": source.award_criteria}
    else:
        specification = source.description
        if source.standards:
            specification += "\n\n" + _(
                "Standards und Schnittstellen: %(standards)s", standards=source.standards
            )
        values["specification"] = specification
    return ReuseTemplate(source, values, codes[1:])


def create_need(actor: User, data: NeedData, now: datetime, source: Optional[Source] = None) -> Need:
    """Draft a need of the actor's municipality, optionally made from a published entry.

    :param source: a published solution or pilot project the need reuses (recorded on the need)
    """
    if not can_create_need(actor):
        raise PermissionDenied(_("Nur Bedarfsträger und Vergabestellen von Kommunen erfassen Bedarfe."))
    if source is not None and source.status is not EntryStatus.published:
        raise NotFound(_("Diesen Marktplatz-Eintrag gibt es nicht oder er ist nicht veröffentlicht."))
    data = _check_need_data(data, now.date())
    need = Need(organisation_id=actor.organisation_id, created_by_id=actor.id, status=NEED.initial)
    _apply(need, data)
    if isinstance(source, Solution):
        need.source_solution_id = source.id
    elif isinstance(source, PilotProject):
        need.source_pilot_project_id = source.id
    db.session.add(need)
    db.session.flush()
    after = _need_audit(need)
    if source is not None:
        after["source"] = f"{'solution' if isinstance(source, Solution) else 'pilot_project'}:{source.id}"
    record(
        "need.created",
        actor=actor,
        object_type="need",
        object_id=need.id,
        organisation_id=need.organisation_id,
        now=now,
        after=after,
    )
    return need


def update_need(actor: User, need: Need, data: NeedData, now: datetime) -> Need:
    """Change a draft need of the actor's municipality; the audit entry names what changed."""
    if not can_view_need(actor, need):
        raise NotFound(_("Diesen Bedarf gibt es nicht."))
    if need.status is not NeedStatus.draft:
        raise Conflict(_("Nur Entwürfe können bearbeitet werden. Nehmen Sie den Bedarf erst zurück."))
    if not can_edit_need(actor, need):
        raise PermissionDenied(_("Sie dürfen diesen Bedarf nicht bearbeiten."))
    data = _check_need_data(data, now.date())
    before = _need_audit(need)
    _apply(need, data)
    need.updated_at = now
    after = _need_audit(need)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        db.session.flush()
        record(
            "need.updated",
            actor=actor,
            object_type="need",
            object_id=need.id,
            organisation_id=need.organisation_id,
            now=now,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    return need


_PAST = {"open": "opened", "reopen": "reopened", "withdraw": "withdrawn"}


def change_need_status(actor: User, need: Need, trigger: str, now: datetime) -> Need:
    """Open a need for bundling, take it back to draft, or withdraw it.

    :param trigger: ``open`` and ``reopen`` (officers), ``withdraw`` (officers; requesters for drafts)
    """
    if not can_view_need(actor, need):
        raise NotFound(_("Diesen Bedarf gibt es nicht."))
    if trigger not in _PAST or not can_fire_need(actor, need, trigger):
        raise PermissionDenied(_("Diese Aktion ist der Vergabestelle Ihrer Kommune vorbehalten."))
    before = need.status.value
    NEED.fire(need, trigger, now)
    if trigger == "open":
        need.opened_at = now
    need.updated_at = now
    db.session.flush()
    record(
        f"need.{_PAST[trigger]}",
        actor=actor,
        object_type="need",
        object_id=need.id,
        organisation_id=need.organisation_id,
        now=now,
        before={"status": before},
        after={"status": need.status.value},
    )
    return need


def allowed_need_actions(actor: User, need: Need, now: datetime) -> list[str]:
    """The buttons the need's page offers ``actor``: allowed by the machine and the role."""
    return [
        trigger
        for trigger in NEED.allowed_triggers(need, now)
        if trigger in _PAST and can_fire_need(actor, need, trigger)
    ]


# --- bundling proposals -------------------------------------------------------------------


def open_need_rows(*where: object, today: date) -> list[NeedRow]:
    """One query for what bundling reads (and a proposal shows) of the open needs."""
    statement = (
        select(
            Need.id,
            Need.organisation_id,
            Need.cpv_group,
            Need.estimated_value,
            Need.delivery_from,
            Need.delivery_until,
            Need.nuts_code,
            Need.title,
            Organisation.name.label("organisation_name"),
            Need.cpv_code,
            Need.quantity,
            Need.unit,
        )
        .join(Organisation, Organisation.id == Need.organisation_id)
        .where(Need.status == NeedStatus.open, Need.delivery_until >= today, *where)
    )
    # Core rows into named tuples: bundling reads each attribute many times, and a tuple's
    # attribute is much cheaper than a Row's (20,000 needs: about 0.2 s instead of 1 s).
    return [NeedRow._make(row) for row in db.session.connection().execute(statement).all()]


def proposals_for(actor: User, today: date, cpv_group: Optional[str] = None) -> list[Proposal]:
    """The bundling proposals that concern the actor's municipality, best first."""
    if not can_see_proposals(actor):
        raise PermissionDenied(_("Bündelungsvorschläge sehen die Vergabestellen der Kommunen."))
    own_groups = select(Need.cpv_group).where(
        Need.organisation_id == actor.organisation_id, Need.status == NeedStatus.open
    )
    where = [Need.cpv_group.in_(own_groups)]
    if cpv_group is not None:
        where.append(Need.cpv_group == cpv_group)
    proposals = propose_bundles(open_need_rows(*where, today=today), today, CONTRACT_KIND)
    return [proposal for proposal in proposals if proposal.concerns(actor.organisation_id)]


def find_proposal(actor: User, key: tuple[str, date, date], today: date) -> Proposal:
    """The proposal with this key (CPV group and common window), if it concerns the actor."""
    for candidate in proposals_for(actor, today, cpv_group=key[0]):
        if candidate.key == key:
            return candidate
    raise NotFound(
        _(
            "Diesen Bündelungsvorschlag gibt es nicht (mehr): Bedarfe wurden inzwischen "
            "geändert, zurückgezogen oder gebündelt."
        )
    )


def threshold_in_force(day: date) -> Optional[Threshold]:
    try:
        return threshold_on(CONTRACT_KIND, day)
    except NoThresholdInForce:
        return None


# --- invitations to a joint tender --------------------------------------------------------


def _invitation_link(invitation: JointTenderInvitation) -> str:
    return external_url("needs.invitation", invitation_id=invitation.id)


def _existing_invitation(cpv_group: str, need_ids: frozenset[int]) -> Optional[JointTenderInvitation]:
    sets: defaultdict[int, set[int]] = defaultdict(set)
    rows = db.session.execute(
        select(InvitationRecipient.invitation_id, InvitationRecipient.need_id)
        .join(JointTenderInvitation)
        .where(JointTenderInvitation.cpv_group == cpv_group)
    )
    for invitation_id, need_id in rows:
        sets[invitation_id].add(need_id)
    for invitation_id, members in sets.items():
        if members == need_ids:
            return db.session.get(JointTenderInvitation, invitation_id)
    return None


def invite_to_joint_tender(
    actor: User, need_ids: set[int], message: str, now: datetime
) -> JointTenderInvitation:
    """Invite the municipalities owning ``need_ids`` to a joint tender led by the actor's (§4 VgV).

    :param need_ids: open needs of one CPV group with a common delivery window, of at least two
        municipalities, at least one of them the actor's
    :param message: the actor's words to the invited officers
    """
    if not can_invite(actor):
        raise PermissionDenied(_("Zu einer gemeinsamen Ausschreibung laden die Vergabestellen ein."))
    # Lock the needs: two officers inviting at once cannot both pass the duplicate check.
    needs = list(
        db.session.scalars(select(Need).where(Need.id.in_(need_ids)).order_by(Need.id).with_for_update())
    )
    if len(needs) != len(need_ids) or len(needs) < 2:
        raise DomainError(_("Bitte wählen Sie mindestens zwei Bedarfe aus dem Vorschlag."))
    closed = [need for need in needs if need.status is not NeedStatus.open]
    if closed:
        raise Conflict(_("Der Bedarf „%(title)s“ ist nicht mehr offen.", title=closed[0].title))
    if len({need.cpv_group for need in needs}) != 1:
        raise DomainError(_("Die Bedarfe gehören nicht zur selben CPV-Gruppe."))
    window = common_window(needs)
    if window is None or window[1] < now.date():
        raise DomainError(_("Die Lieferzeiträume der Bedarfe haben keinen gemeinsamen Zeitraum."))
    organisations = {need.organisation_id for need in needs}
    if actor.organisation_id not in organisations:
        raise DomainError(_("Ihre Kommune muss mit einem eigenen offenen Bedarf beteiligt sein."))
    if len(organisations) < 2:
        raise DomainError(_("Bitte wählen Sie Bedarfe mindestens einer anderen Kommune."))
    group = needs[0].cpv_group
    existing = _existing_invitation(group, frozenset(need_ids))
    if existing is not None:
        raise Conflict(
            _(
                "Zu genau diesen Bedarfen hat %(organisation)s bereits am %(date)s eingeladen.",
                organisation=existing.organisation.name,
                date=format_date(existing.created_at),
            )
        )
    total = sum((need.estimated_value for need in needs), Decimal(0))
    invitation = JointTenderInvitation(
        organisation_id=actor.organisation_id,
        invited_by_id=actor.id,
        cpv_group=group,
        message=message.strip(),
        total_estimated_value=total,
        created_at=now,
    )
    for need in needs:
        own = need.organisation_id == actor.organisation_id
        invitation.recipients.append(
            InvitationRecipient(
                need_id=need.id,
                organisation_id=need.organisation_id,
                # the inviting municipality takes part with its own needs
                response=RecipientResponse.accepted if own else RecipientResponse.pending,
                responded_at=now if own else None,
            )
        )
    db.session.add(invitation)
    db.session.flush()
    threshold = threshold_in_force(now.date())
    record(
        "joint_tender_invitation.sent",
        actor=actor,
        object_type="joint_tender_invitation",
        object_id=invitation.id,
        organisation_id=actor.organisation_id,
        now=now,
        after={
            "cpv_group": group,
            "need_ids": sorted(need_ids),
            "organisation_ids": sorted(organisations),
            "total_estimated_value": str(total),
            "threshold": None if threshold is None else str(threshold.value),
        },
    )
    needs_by_org: defaultdict[int, list[Need]] = defaultdict(list)
    for need in needs:
        needs_by_org[need.organisation_id].append(need)
    for officer in active_officers(organisations - {actor.organisation_id}):
        queue_mail(
            officer.email,
            "joint_tender_invitation",
            officer.language,
            user=officer,
            invitation=invitation,
            inviter=actor,
            own_needs=needs_by_org[officer.organisation_id],
            municipality_count=len(organisations),
            threshold=threshold,
            eu_procedure=None if threshold is None else total >= threshold.value,
            link=_invitation_link(invitation),
        )
    return invitation


def respond_to_invitation(
    actor: User, invitation: JointTenderInvitation, accept: bool, now: datetime
) -> list[InvitationRecipient]:
    """Accept or decline an invitation for all needs of the actor's municipality in it."""
    if not can_respond_to_invitation(actor, invitation):
        raise PermissionDenied(_("Auf diese Einladung antwortet die Vergabestelle der eingeladenen Kommune."))
    own = [r for r in invitation.recipients if r.organisation_id == actor.organisation_id]
    pending = [r for r in own if r.response is RecipientResponse.pending]
    if not pending:
        raise Conflict(_("Ihre Kommune hat auf diese Einladung bereits geantwortet."))
    if accept:
        closed = [r.need for r in pending if r.need.status is not NeedStatus.open]
        if closed:
            raise Conflict(
                _(
                    "Ihr Bedarf „%(title)s“ ist nicht mehr offen und kann nicht teilnehmen.",
                    title=closed[0].title,
                )
            )
    response = RecipientResponse.accepted if accept else RecipientResponse.declined
    for recipient in pending:
        recipient.response = response
        recipient.responded_at = now
    db.session.flush()
    record(
        f"joint_tender_invitation.{response.value}",
        actor=actor,
        object_type="joint_tender_invitation",
        object_id=invitation.id,
        organisation_id=actor.organisation_id,
        now=now,
        before={"response": RecipientResponse.pending.value},
        after={"response": response.value, "need_ids": sorted(r.need_id for r in pending)},
    )
    inviter = invitation.invited_by
    if inviter.status is UserStatus.active:
        queue_mail(
            inviter.email,
            "joint_tender_invitation_response",
            inviter.language,
            user=inviter,
            invitation=invitation,
            responder=actor,
            accepted=accept,
            link=_invitation_link(invitation),
        )
    return pending


# --- dashboard ----------------------------------------------------------------------------

NEARBY_PILOT_PROJECTS = 5
DASHBOARD_PROPOSALS = 10


@dataclass
class Dashboard:
    organisation: Organisation
    needs_by_status: list[tuple[NeedStatus, list[Need]]]
    proposals: Optional[list[Proposal]]  # None: the user may not see proposals
    proposal_count: int
    invitations_received: list[JointTenderInvitation] = field(default_factory=list)
    invitations_sent: list[JointTenderInvitation] = field(default_factory=list)
    pilot_projects: list[PilotProject] = field(default_factory=list)
    awaiting_answer: set[int] = field(default_factory=set)  # received invitations not yet answered


def nearby_pilot_projects(
    organisation: Organisation, limit: int = NEARBY_PILOT_PROJECTS
) -> list[PilotProject]:
    """Published pilot projects of other municipalities in the same NUTS-1 region, newest first."""
    if not organisation.nuts_code or len(organisation.nuts_code) < 3:
        return []
    return list(
        db.session.scalars(
            select(PilotProject)
            .join(Organisation, Organisation.id == PilotProject.organisation_id)
            .where(
                PilotProject.status == EntryStatus.published,
                Organisation.kind == OrganisationKind.municipality,
                Organisation.id != organisation.id,
                Organisation.nuts_code.startswith(organisation.nuts_code[:3], autoescape=True),
            )
            .order_by(PilotProject.published_at.desc(), PilotProject.id.desc())
            .limit(limit)
        )
    )


def dashboard(actor: User, now: datetime) -> Dashboard:
    """The municipality's needs by status, proposals and invitations, pilot projects nearby."""
    if not can_use_dashboard(actor):
        raise PermissionDenied(_("Die Übersicht ist für Mitglieder von Kommunen."))
    organisation = actor.organisation
    needs = db.session.scalars(
        select(Need)
        .where(Need.organisation_id == organisation.id)
        .order_by(Need.updated_at.desc(), Need.id.desc())
    ).all()
    by_status: dict[NeedStatus, list[Need]] = {status: [] for status in NeedStatus}
    for need in needs:
        by_status[need.status].append(need)
    result = Dashboard(
        organisation=organisation,
        needs_by_status=[(status, items) for status, items in by_status.items() if items],
        proposals=None,
        proposal_count=0,
        pilot_projects=nearby_pilot_projects(organisation),
    )
    if can_see_proposals(actor):
        proposals = proposals_for(actor, now.date())
        result.proposals = proposals[:DASHBOARD_PROPOSALS]
        result.proposal_count = len(proposals)
        invitations = db.session.scalars(
            select(JointTenderInvitation)
            .where(
                (JointTenderInvitation.organisation_id == organisation.id)
                | JointTenderInvitation.id.in_(
                    select(InvitationRecipient.invitation_id).where(
                        InvitationRecipient.organisation_id == organisation.id
                    )
                )
            )
            .order_by(JointTenderInvitation.created_at.desc(), JointTenderInvitation.id.desc())
        ).all()
        for invitation in invitations:
            if invitation.organisation_id == organisation.id:
                result.invitations_sent.append(invitation)
            else:
                result.invitations_received.append(invitation)
                if any(
                    r.organisation_id == organisation.id and r.response is RecipientResponse.pending
                    for r in invitation.recipients
                ):
                    result.awaiting_answer.add(invitation.id)
    return result


def invitation_responses(invitation: JointTenderInvitation) -> list[tuple[Organisation, RecipientResponse]]:
    """One answer per municipality of the invitation (pending while any of its needs is)."""
    answers: dict[int, tuple[Organisation, RecipientResponse]] = {}
    for recipient in invitation.recipients:
        known = answers.get(recipient.organisation_id)
        if known is None or recipient.response is RecipientResponse.pending:
            answers[recipient.organisation_id] = (recipient.organisation, recipient.response)
    return list(answers.values())
