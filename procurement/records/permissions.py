"""Who may read, note and export a procedure's record: the one place these rules live.

- The lead authority's officers keep the record: they read the Vergabevermerk at any stage, add
  notes, grant other organisations' auditors access, and download the Vergabeakte (the bids in it
  only after the opening, §55 VgV).
- Auditors (Rechnungsprüfung) read a procedure only after the award or its cancellation, never
  before, and never change anything: auditors of the lead and of the participating municipalities
  (each is responsible for its share, §4 VgV), and auditors of an organisation the lead granted
  access to (e.g. a supervisory authority). They download the Vermerk and the Akte.
- Every auditor and every officer may check an exported Vergabeakte (nothing is stored).
- The Kompetenzzentrum's overview (figures only, no procedure's content): its curators, admins
  and auditors.
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy import select

from procurement.accounts.models import OrganisationKind, Role, User
from procurement.extensions import db
from procurement.records.models import AuditGrant
from procurement.tenders.models import ParticipantStatus, Tender
from procurement.tenders.permissions import can_manage_tender
from workflows.tender import TenderStatus

# the procedure is closed for auditors' purposes: awarded (in any later state) or cancelled
AUDITABLE_STATES = frozenset(
    {TenderStatus.awarded, TenderStatus.contracted, TenderStatus.closed, TenderStatus.cancelled}
)
# from the opening on, the Akte holds the bids (decrypted)
OPENED_STATES = frozenset(
    {
        TenderStatus.evaluation,
        TenderStatus.award_proposed,
        TenderStatus.standstill,
        TenderStatus.awarded,
        TenderStatus.contracted,
        TenderStatus.closed,
    }
)


def _signed_in(user: Optional[User]) -> bool:
    return user is not None and user.is_authenticated


def is_auditor(user: Optional[User]) -> bool:
    return _signed_in(user) and user.has_role(Role.auditor)  # type: ignore[union-attr]


def has_grant(user: Optional[User], tender: Tender) -> bool:
    """An active grant of the lead for the user's organisation."""
    if not _signed_in(user):
        return False
    return (
        db.session.scalar(
            select(AuditGrant.id).where(
                AuditGrant.tender_id == tender.id,
                AuditGrant.organisation_id == user.organisation_id,  # type: ignore[union-attr]
                AuditGrant.revoked_at.is_(None),
            )
        )
        is not None
    )


def audits_by_membership(user: Optional[User], tender: Tender) -> bool:
    """An auditor of the lead or of a municipality that took part (joined) in the tender."""
    if not is_auditor(user):
        return False
    if user.organisation_id == tender.lead_organisation_id:  # type: ignore[union-attr]
        return True
    return any(
        participant.organisation_id == user.organisation_id  # type: ignore[union-attr]
        and participant.status is ParticipantStatus.joined
        for participant in tender.participants
    )


def can_audit(user: Optional[User], tender: Tender) -> bool:
    """Read the full record of a closed procedure (after the award or the cancellation)."""
    if tender.status not in AUDITABLE_STATES:
        return False
    return audits_by_membership(user, tender) or (is_auditor(user) and has_grant(user, tender))


def can_read_record(user: Optional[User], tender: Tender) -> bool:
    """The Vergabevermerk: the lead's officers at any stage, auditors once the procedure is closed."""
    return can_manage_tender(user, tender) or can_audit(user, tender)


def can_download_akte(user: Optional[User], tender: Tender) -> bool:
    """The Vergabeakte (decrypted bids inside after the opening): as the record."""
    return can_read_record(user, tender)


def akte_includes_bids(tender: Tender) -> bool:
    """Bids are in the Akte only after the opening (cancelled tenders: if they were opened)."""
    if tender.status in OPENED_STATES:
        return True
    return tender.status is TenderStatus.cancelled and len(getattr(tender, "opening_confirmations", [])) >= 2


def can_add_note(user: Optional[User], tender: Tender) -> bool:
    """Officers of the lead add notes at every stage (also after the award)."""
    return can_manage_tender(user, tender)


def can_grant_audit(user: Optional[User], tender: Tender) -> bool:
    """Officers of the lead grant or revoke other organisations' auditors access."""
    return can_manage_tender(user, tender)


def can_use_workspace(user: Optional[User]) -> bool:
    """The auditor's workspace: every auditor (it lists what they may read)."""
    return is_auditor(user)


def can_verify_archive(user: Optional[User]) -> bool:
    """Check an exported Vergabeakte: auditors and officers."""
    return _signed_in(user) and user.has_role(Role.auditor, Role.officer)  # type: ignore[union-attr]


def can_view_overview(user: Optional[User]) -> bool:
    """The Kompetenzzentrum's overview of procedures and bundling."""
    return (
        _signed_in(user)
        and user.organisation.kind is OrganisationKind.competence_centre  # type: ignore[union-attr]
        and user.has_role(Role.curator, Role.admin, Role.auditor)  # type: ignore[union-attr]
    )
