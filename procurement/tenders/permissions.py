"""Who may see or change joint tenders: the one place these rules live.

- The lead authority's officers run the tender: they edit it, invite, freeze, publish, answer
  bidder questions and cancel.
- Members (officers and requesters) of the lead and of every invited or participating
  municipality read the tender's internal page; a participating municipality's officers join
  and leave for it.
- Everyone else, vendors included, sees a tender only once it is published, and then only its
  public notice, its documents and the published answers. Drafts are invisible to them (404).
- Auditors see procedures only after the award (the records issue); the Kompetenzzentrum
  has no part in a procedure.
"""

from __future__ import annotations

from typing import Optional

from procurement.accounts.models import OrganisationKind, Role, User
from procurement.needs.models import JointTenderInvitation, Need
from procurement.tenders.models import Participant, ParticipantStatus, Tender
from workflows.need import NeedStatus
from workflows.tender import TenderStatus

# Once published, a tender stays public (also when it is cancelled afterwards).
PUBLIC_STATES = frozenset(TenderStatus) - {
    TenderStatus.draft,
    TenderStatus.collecting,
    TenderStatus.ready,
}


def _municipal(user: Optional[User]) -> bool:
    return (
        user is not None and user.is_authenticated and user.organisation.kind is OrganisationKind.municipality
    )


def is_officer(user: Optional[User]) -> bool:
    return _municipal(user) and user.has_role(Role.officer)  # type: ignore[union-attr]


def participant_of(user: Optional[User], tender: Tender) -> Optional[Participant]:
    """The participation of the user's municipality in ``tender``, if it was ever invited."""
    if not _municipal(user):
        return None
    return next((p for p in tender.participants if p.organisation_id == user.organisation_id), None)  # type: ignore[union-attr]


def is_lead(user: Optional[User], tender: Tender) -> bool:
    return _municipal(user) and user.organisation_id == tender.lead_organisation_id  # type: ignore[union-attr]


def can_create_tender(user: Optional[User]) -> bool:
    """Officers of municipalities start tenders; their municipality becomes the lead."""
    return is_officer(user)


def can_list_tenders(user: Optional[User]) -> bool:
    """Officers and requesters of municipalities have a list of their municipality's tenders."""
    return _municipal(user) and user.has_role(Role.officer, Role.requester)  # type: ignore[union-attr]


def can_manage_tender(user: Optional[User], tender: Tender) -> bool:
    """Officers of the lead authority change the tender (in whatever its state allows)."""
    return is_officer(user) and is_lead(user, tender)


def can_view_tender(user: Optional[User], tender: Tender) -> bool:
    """The internal page: officers and requesters of the lead and of invited municipalities."""
    if not _municipal(user) or not user.has_role(Role.officer, Role.requester):  # type: ignore[union-attr]
        return False
    return is_lead(user, tender) or participant_of(user, tender) is not None


def can_participate(user: Optional[User], tender: Tender) -> bool:
    """Officers of an invited or participating municipality join, change quantities and leave."""
    participant = participant_of(user, tender)
    return (
        is_officer(user) and participant is not None and participant.status is not ParticipantStatus.declined
    )


def is_public(tender: Tender) -> bool:
    return tender.status in PUBLIC_STATES and tender.published_at is not None


def can_view_public(user: Optional[User], tender: Tender) -> bool:
    """The public notice page: everyone after publication; the tender's own people before."""
    return is_public(tender) or can_view_tender(user, tender)


def can_download_documents(user: Optional[User], tender: Tender) -> bool:
    """Tender documents are public after publication (§41 VgV); before, internal."""
    return can_view_public(user, tender)


def can_ask_question(user: Optional[User], tender: Tender) -> bool:
    """Registered vendors ask bidder questions while the tender is published."""
    return (
        user is not None
        and user.is_authenticated
        and user.organisation.kind is OrganisationKind.vendor
        and user.has_role(Role.vendor)
        and tender.status is TenderStatus.published
    )


def can_answer_questions(user: Optional[User], tender: Tender) -> bool:
    return can_manage_tender(user, tender)


# --- participation and tenders made from needs ----------------------------------------------


def can_view_share(user: Optional[User], tender: Tender) -> bool:
    """A municipality's share page: its officers and requesters, once it was invited."""
    return can_view_tender(user, tender) and participant_of(user, tender) is not None


def can_create_tender_from_need(user: Optional[User], need: Need) -> bool:
    """Officers start a joint tender from an open need of their own municipality."""
    return (
        can_create_tender(user)
        and need.organisation_id == user.organisation_id  # type: ignore[union-attr]
        and need.status is NeedStatus.open
    )


def can_create_tender_from_invitation(user: Optional[User], invitation: JointTenderInvitation) -> bool:
    """The inviting municipality's officers start the tender an invitation announced (§4 VgV)."""
    return can_create_tender(user) and invitation.organisation_id == user.organisation_id  # type: ignore[union-attr]
