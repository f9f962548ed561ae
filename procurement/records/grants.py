"""Audit grants: the lead authority lets another organisation's auditors read a closed procedure.

Only organisations that have auditors can be chosen (municipalities and the Kompetenzzentrum);
the lead and the participating municipalities need no grant (their auditors read by membership).
A revoked grant stays on record with who revoked it and when; granting again reactivates the
same row (one row per tender and organisation) and is a new audit entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import select

from procurement.accounts.models import Organisation, OrganisationKind, Role, User, UserRole
from procurement.audit.services import record
from procurement.extensions import db
from procurement.records.models import AuditGrant
from procurement.records.permissions import can_grant_audit
from procurement.tenders.models import ParticipantStatus, Tender
from workflows.account import UserStatus

GRANTABLE_KINDS = (OrganisationKind.municipality, OrganisationKind.competence_centre)


class GrantError(Exception):
    """A grant or revocation that is not allowed; the message is for the user."""

    status = 409


class GrantForbidden(GrantError):
    status = 403


def grants_of(tender: Tender) -> list[AuditGrant]:
    """Every grant of the procedure, active and revoked, newest first."""
    return list(
        db.session.scalars(
            select(AuditGrant)
            .where(AuditGrant.tender_id == tender.id)
            .order_by(AuditGrant.granted_at.desc(), AuditGrant.id.desc())
        )
    )


def _members_by_right(tender: Tender) -> set[int]:
    """Organisations whose auditors read the procedure anyway: the lead and the participants."""
    ids = {tender.lead_organisation_id}
    ids.update(p.organisation_id for p in tender.participants if p.status is ParticipantStatus.joined)
    return ids


def grantable_organisations(tender: Tender) -> list[Organisation]:
    """Organisations with an active auditor that have no active grant and no access by membership."""
    has_auditor = (
        select(User.organisation_id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.auditor, User.status == UserStatus.active)
    )
    active = select(AuditGrant.organisation_id).where(
        AuditGrant.tender_id == tender.id, AuditGrant.revoked_at.is_(None)
    )
    excluded = _members_by_right(tender)
    return list(
        db.session.scalars(
            select(Organisation)
            .where(
                Organisation.kind.in_(GRANTABLE_KINDS),
                Organisation.id.in_(has_auditor),
                Organisation.id.not_in(active),
                Organisation.id.not_in(excluded),
            )
            .order_by(Organisation.name)
        )
    )


def grant_audit(actor: User, tender: Tender, organisation: Organisation, now: datetime) -> AuditGrant:
    """Let ``organisation``'s auditors read the procedure (once it is closed).

    :param actor: an officer of the lead authority
    :raises GrantForbidden: the actor is not an officer of the lead
    :raises GrantError: the organisation cannot be chosen or already has access
    """
    if not can_grant_audit(actor, tender):
        raise GrantForbidden(_("Nur die Vergabestelle der federführenden Kommune vergibt Prüfrechte."))
    if organisation.id not in {org.id for org in grantable_organisations(tender)}:
        raise GrantError(_("Diese Organisation kann kein Prüfrecht erhalten oder hat es schon."))
    grant: Optional[AuditGrant] = db.session.scalar(
        select(AuditGrant).where(
            AuditGrant.tender_id == tender.id, AuditGrant.organisation_id == organisation.id
        )
    )
    before = None
    if grant is None:
        grant = AuditGrant(tender_id=tender.id, organisation_id=organisation.id)
        db.session.add(grant)
    else:  # granted again after a revocation: the revocation is in the audit chain
        before = {"revoked_at": grant.revoked_at.isoformat() if grant.revoked_at else None}
        grant.revoked_at = None
        grant.revoked_by_id = None
    grant.granted_by_id = actor.id
    grant.granted_at = now
    db.session.flush()
    record(
        "record.audit_granted",
        actor=actor,
        object_type="tender",
        object_id=tender.id,
        now=now,
        before=before,
        after={
            "tender_id": tender.id,
            "grant_id": grant.id,
            "organisation_id": organisation.id,
            "organisation": organisation.name,
        },
    )
    return grant


def revoke_audit(actor: User, tender: Tender, grant: AuditGrant, now: datetime) -> AuditGrant:
    """End a grant; it stays listed as revoked.

    :param actor: an officer of the lead authority
    :raises GrantForbidden: the actor is not an officer of the lead
    :raises GrantError: the grant is of another tender or already revoked
    """
    if not can_grant_audit(actor, tender):
        raise GrantForbidden(_("Nur die Vergabestelle der federführenden Kommune vergibt Prüfrechte."))
    if grant.tender_id != tender.id or grant.revoked_at is not None:
        raise GrantError(_("Dieses Prüfrecht ist nicht (mehr) erteilt."))
    grant.revoked_at = now
    grant.revoked_by_id = actor.id
    db.session.flush()
    record(
        "record.audit_revoked",
        actor=actor,
        object_type="tender",
        object_id=tender.id,
        now=now,
        after={
            "tender_id": tender.id,
            "grant_id": grant.id,
            "organisation_id": grant.organisation_id,
            "organisation": grant.organisation.name,
        },
    )
    return grant
