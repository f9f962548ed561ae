"""Who may see or change invoices: the one place these rules live.

- The vendor of a contract (its vendor users) writes, issues and sends invoices and credit notes
  for that contract, and reads all of its own invoices in every state. Nobody else sees drafts.
- The contract's municipality (the buyer, each participant for its own share, §4 VgV) receives
  the invoices once sent: its officers and auditors read them; its officers mark them paid or
  reject them. The lead authority sees no other municipality's invoices.
- Every signed-in user may check an XRechnung file (nothing is stored).
"""

from __future__ import annotations

from typing import Optional

from procurement.accounts.models import OrganisationKind, Role, User
from procurement.awards.models import Award, Contract
from procurement.invoices.models import Invoice
from workflows.invoice import InvoiceStatus

# the states in which the buyer has the invoice
RECEIVED_STATES = frozenset({InvoiceStatus.sent, InvoiceStatus.paid, InvoiceStatus.rejected})


def _signed_in(user: Optional[User]) -> bool:
    return user is not None and user.is_authenticated


def is_contract_vendor(user: Optional[User], contract: Contract) -> bool:
    return (
        _signed_in(user)
        and user.has_role(Role.vendor)  # type: ignore[union-attr]
        and user.organisation.kind is OrganisationKind.vendor  # type: ignore[union-attr]
        and user.organisation_id == contract.vendor_organisation_id  # type: ignore[union-attr]
    )


def is_buyer_member(user: Optional[User], organisation_id: int, *roles: Role) -> bool:
    return (
        _signed_in(user)
        and user.organisation.kind is OrganisationKind.municipality  # type: ignore[union-attr]
        and user.organisation_id == organisation_id  # type: ignore[union-attr]
        and user.has_role(*roles)  # type: ignore[union-attr]
    )


def can_invoice_contract(user: Optional[User], contract: Contract) -> bool:
    """Write, issue and send invoices and credit notes for a contract: its vendor's users."""
    return is_contract_vendor(user, contract)


def can_invoice_award(user: Optional[User], award: Award) -> bool:
    """Invoice all participants of an award (one invoice per contract): the winning vendor's users."""
    return (
        award.bid is not None
        and _signed_in(user)
        and user.has_role(Role.vendor)  # type: ignore[union-attr]
        and user.organisation.kind is OrganisationKind.vendor  # type: ignore[union-attr]
        and user.organisation_id == award.bid.organisation_id  # type: ignore[union-attr]
    )


def can_manage_billing_profile(user: Optional[User]) -> bool:
    """A vendor's users keep its billing profile (bank account, tax number, contact)."""
    return (
        _signed_in(user)
        and user.has_role(Role.vendor)  # type: ignore[union-attr]
        and user.organisation.kind is OrganisationKind.vendor  # type: ignore[union-attr]
    )


def can_view_invoice(user: Optional[User], invoice: Invoice) -> bool:
    """The vendor always; the buyer's officers and auditors once the invoice was sent."""
    if is_contract_vendor(user, invoice.contract):
        return True
    return invoice.status in RECEIVED_STATES and is_buyer_member(
        user, invoice.buyer_organisation_id, Role.officer, Role.auditor
    )


def can_settle_invoice(user: Optional[User], invoice: Invoice) -> bool:
    """Mark paid or reject: the buyer's officers (the machine checks the state)."""
    return is_buyer_member(user, invoice.buyer_organisation_id, Role.officer)


def can_list_incoming(user: Optional[User]) -> bool:
    """A municipality's inbox of invoices: its officers and auditors."""
    return (
        _signed_in(user)
        and user.organisation.kind is OrganisationKind.municipality
        and user.has_role(  # type: ignore[union-attr]
            Role.officer, Role.auditor
        )
    )


def can_check_xrechnung(user: Optional[User]) -> bool:
    """Upload an XRechnung to validate and read it (nothing is stored): every signed-in user."""
    return _signed_in(user)
