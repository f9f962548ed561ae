"""Who may see or change the evaluation, the awards, the letters and the contracts.

- The lead authority's officers evaluate: they admit and exclude bids, request missing
  documents, record §60 VgV explanations, enter quality points, propose the award, send the
  §134 GWB letters, record challenges and their outcome, finalise and cancel lots. Every one of
  them may score as an evaluator; the scores of all evaluators are shown side by side.
- Officers and requesters of the lead and of the participating municipalities read the award of
  their tender (winner, reasons, standstill) once it is proposed; the scores and the ranking with
  every bidder's numbers stay with the lead's officers.
- A vendor reads only what concerns its own bid: its own letter (rank, own scores, the winner's
  name) and, if it won, its contracts; never another vendor's bid, scores or letter.
- A municipality's officers, requesters and auditors read its own contracts; the winning vendor
  reads the contracts it is party to; the lead's officers read all contracts of their tender
  (a tender's contracts page lists for everyone else only their own).
- Auditors of the lead and of the participants, and of organisations the lead granted access,
  read the evaluation and award after the award is final or the tender cancelled
  (`procurement.records.permissions.can_audit`).
- Everyone reads the public award notice once the tender is awarded.
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy import select

from procurement.accounts.models import OrganisationKind, Role, User
from procurement.awards.models import Award, Contract, InformationLetter
from procurement.bids.models import Bid
from procurement.extensions import db
from procurement.records.permissions import can_audit
from procurement.tenders.models import ParticipantStatus, Tender
from procurement.tenders.permissions import can_manage_tender, is_lead, participant_of
from workflows.award import AwardStatus
from workflows.tender import TenderStatus

# the tender states in which the lead's officers change the evaluation (reviews, scores, §60)
EVALUATION_STATES = frozenset({TenderStatus.evaluation})
# the tender states with an award on record
AWARD_STATES = frozenset(
    {
        TenderStatus.award_proposed,
        TenderStatus.standstill,
        TenderStatus.awarded,
        TenderStatus.contracted,
        TenderStatus.closed,
    }
)
# after these, the award is final for the whole tender
AWARDED_STATES = frozenset({TenderStatus.awarded, TenderStatus.contracted, TenderStatus.closed})


def _member(user: Optional[User], *roles: Role) -> bool:
    return user is not None and user.is_authenticated and user.has_role(*roles)


def _vendor_of(user: Optional[User], organisation_id: int) -> bool:
    return (
        _member(user, Role.vendor)
        and user.organisation.kind is OrganisationKind.vendor  # type: ignore[union-attr]
        and user.organisation_id == organisation_id  # type: ignore[union-attr]
    )


def _joined_participant(user: Optional[User], tender: Tender) -> bool:
    participant = participant_of(user, tender)
    return participant is not None and participant.status is ParticipantStatus.joined


def can_view_evaluation(user: Optional[User], tender: Tender) -> bool:
    """Reviews, prices, scores and the full ranking: the lead's officers after the opening, and
    the lead's and participants' auditors once the award is final."""
    if can_manage_tender(user, tender):
        # a tender cancelled after the opening keeps its evaluation on record
        return tender.status in EVALUATION_STATES | AWARD_STATES | {TenderStatus.cancelled}
    return can_audit_award(user, tender)


def can_evaluate(user: Optional[User], tender: Tender) -> bool:
    """Change reviews, scores and §60 explanations: the lead's officers while in evaluation."""
    return can_manage_tender(user, tender) and tender.status in EVALUATION_STATES


def can_manage_award(user: Optional[User], tender: Tender) -> bool:
    """Propose, send letters, record challenges, finalise, cancel lots: the lead's officers.

    Which of these the tender's and the award's states allow is the service's check.
    """
    return can_manage_tender(user, tender)


def can_view_award(user: Optional[User], tender: Tender) -> bool:
    """The award of a tender (winner per lot, reasons, standstill): the lead's and the
    participants' officers and requesters once an award is proposed; auditors after it is final."""
    if tender.status not in AWARD_STATES:
        return False
    if _member(user, Role.officer, Role.requester) and (
        is_lead(user, tender) or _joined_participant(user, tender)
    ):
        return True
    return can_audit_award(user, tender)


def can_audit_award(user: Optional[User], tender: Tender) -> bool:
    """Auditors of the lead, of a participating municipality or with the lead's grant, after the
    award is final (or the cancellation): the records' rule, `records.permissions.can_audit`."""
    return can_audit(user, tender)


def can_view_own_evaluation(user: Optional[User], bid: Bid) -> bool:
    """A vendor reads its own bid's review, requests and, once letters are out, its own scores."""
    return _vendor_of(user, bid.organisation_id)


def can_answer_document_request(user: Optional[User], bid: Bid) -> bool:
    """The bidder's own vendor users answer a §56 VgV request (the service checks the deadline)."""
    return _vendor_of(user, bid.organisation_id)


def can_view_letter(user: Optional[User], letter: InformationLetter) -> bool:
    """A §134 letter: its addressee's vendor users and the lead's officers."""
    return _vendor_of(user, letter.organisation_id) or can_manage_tender(user, letter.award.tender)


def can_view_contract(user: Optional[User], contract: Contract) -> bool:
    """A contract: its buyer municipality (officers, requesters, auditors), its vendor, the lead."""
    if _member(user, Role.officer, Role.requester, Role.auditor) and (
        user.organisation_id == contract.buyer_organisation_id  # type: ignore[union-attr]
    ):
        return True
    return _vendor_of(user, contract.vendor_organisation_id) or can_manage_tender(user, contract.tender)


def can_view_tender_contracts(user: Optional[User], tender: Tender) -> bool:
    """The contracts page of a tender: the lead's officers (all contracts); the members of the
    lead and of the participating municipalities who read contracts, and a vendor with a
    contract of the tender, see their own there (the page lists only what `can_view_contract`
    allows)."""
    if can_manage_tender(user, tender):
        return True
    if _member(user, Role.officer, Role.requester, Role.auditor) and (
        is_lead(user, tender) or _joined_participant(user, tender)
    ):
        return True
    if not _member(user, Role.vendor):
        return False
    own = select(Contract.id).where(
        Contract.tender_id == tender.id,
        Contract.vendor_organisation_id == user.organisation_id,  # type: ignore[union-attr]
    )
    return db.session.scalar(own.limit(1)) is not None


def can_view_public_award(tender: Tender, award: Optional[Award] = None) -> bool:
    """The public award notice: everyone, once the tender is awarded (final awards only)."""
    if tender.status not in AWARDED_STATES or tender.published_at is None:
        return False
    return award is None or award.status in (AwardStatus.final, AwardStatus.cancelled)
