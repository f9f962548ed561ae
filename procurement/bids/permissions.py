"""Who may do what with sealed bids: the one place these rules live.

- Vendor users (role ``vendor`` of a vendor organisation) prepare a bid for a published tender
  before its bid deadline; they see their own organisation's bids (and nobody else's: 404).
- A vendor reads back the content of its own *draft* only. A submitted bid is sealed: nobody,
  not even its vendor, reads its prices or files before the opening (§54, §55(1) VgV;
  §10(1) Nr. 2 and 6 VgV). The receipt shows names, sizes and hashes, never content.
- After the opening (bid status ``opened`` and later) only the officers of the lead authority
  read the content (§10(1) Nr. 4 VgV, §55(2) VgV). Participant officers, auditors and admins
  do not read it through this application.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from procurement.accounts.models import OrganisationKind, Role, User
from procurement.tenders.models import Tender
from procurement.tenders.permissions import can_manage_tender
from workflows.bid import BidStatus
from workflows.tender import TenderStatus

if TYPE_CHECKING:
    from procurement.bids.models import Bid

# A bid's content becomes readable (for the lead's officers) only in these states.
OPENED_STATES = frozenset(
    {
        BidStatus.opened,
        BidStatus.admitted,
        BidStatus.excluded,
        BidStatus.successful,
        BidStatus.unsuccessful,
    }
)

# What a vendor's list shows as still counting (the newest submitted bid, §57(1) VgV).
SEALED_STATES = frozenset({BidStatus.submitted})


def is_vendor(user: Optional[User]) -> bool:
    """A signed-in user of a vendor organisation with the vendor role (Bieter)."""
    return (
        user is not None
        and user.is_authenticated
        and user.organisation.kind is OrganisationKind.vendor
        and user.has_role(Role.vendor)
    )


def can_prepare_bid(user: Optional[User], tender: Tender) -> bool:
    """Vendors prepare, submit and withdraw bids while the tender is published.

    The bid deadline itself is checked by the services with the server clock (§57(1) VgV).
    """
    return is_vendor(user) and tender.status is TenderStatus.published


def can_list_own_bids(user: Optional[User]) -> bool:
    """Vendors have a list of their organisation's bids over all tenders."""
    return is_vendor(user)


def can_view_own_bid(user: Optional[User], bid: Bid) -> bool:
    """The vendor organisation that made the bid sees it (status, receipt); everyone else gets 404."""
    return is_vendor(user) and user.organisation_id == bid.organisation_id  # type: ignore[union-attr]


def can_change_bid(user: Optional[User], bid: Bid) -> bool:
    """Drafts are changed by their vendor while the tender is published (deadline: services)."""
    return (
        can_view_own_bid(user, bid)
        and bid.status is BidStatus.draft
        and bid.tender.status is TenderStatus.published
    )


def can_read_own_draft(user: Optional[User], bid: Bid) -> bool:
    """The vendor reads back its own draft; once submitted, the bid is sealed for it too."""
    return can_view_own_bid(user, bid) and bid.status is BidStatus.draft


def can_read_bid_content(user: Optional[User], bid: Bid) -> bool:
    """Prices, answers and files of a submitted bid: nobody before the opening (§55 VgV).

    After the opening (bid ``opened`` or later) the officers of the lead authority read them.
    Drafts are never "content" in this sense: their vendor uses `can_read_own_draft`.
    """
    return bid.status in OPENED_STATES and can_manage_tender(user, bid.tender)


def can_download_receipt(user: Optional[User], bid: Bid) -> bool:
    """The receipt (Eingangsbestätigung, §10(1) Nr. 1 VgV) of a bid that was submitted."""
    return can_view_own_bid(user, bid) and bid.submitted_at is not None


# --- the opening (§55 VgV): added by the opening's module -------------------------------------


def can_view_opening(user: Optional[User], tender: Tender) -> bool:
    """The opening page, the opening record and opened bids: the lead's officers only.

    §10(1) Nr. 4 and 5 VgV: only authorised persons access received data, and the lead's
    officers are the ones who may grant access after the opening (through their roles).
    """
    return can_manage_tender(user, tender)


def can_confirm_opening(user: Optional[User], tender: Tender) -> bool:
    """Officers of the lead confirm the opening; two distinct ones open (§55(2) VgV).

    Whether the deadline has passed and the bids are still sealed is the service's check
    (server clock, under the tender's row lock).
    """
    return can_manage_tender(user, tender)
