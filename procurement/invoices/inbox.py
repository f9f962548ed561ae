"""The municipality's side of invoicing: its received invoices, and settling them.

- ``inbox_query`` / ``inbox_sums``: the invoices and credit notes a municipality received (sent,
  paid, rejected), filtered by status, vendor and issue period, newest first; the sums per status
  are Decimal payable amounts (BT-115) with credit notes subtracted, per currency.
- ``mark_paid``: an officer of the buyer records the payment with its date (not in the future,
  not before the invoice's issue date). ``paid_at`` holds the payment date (the start of that day
  in Berlin); when it was recorded is in the audit entry.
- ``reject``: an officer rejects the invoice with a mandatory reason (e.g. a wrong Leitweg-ID,
  amounts not as agreed); the vendor corrects it with a credit note and a new invoice.

Both fire the invoice machine (``fire_invoice``: audited), then mail the vendor's active users.
A state the machine does not allow raises ``InvalidTransition`` (409); a form shown for an older
version of the invoice raises ``Conflict`` (409) and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Optional
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, select

from procurement.accounts.models import Organisation, Role, User
from procurement.accounts.services import active_members
from procurement.errors import DomainError, PermissionDenied
from procurement.extensions import db
from procurement.invoices.models import Invoice, InvoiceKind
from procurement.invoices.permissions import (
    RECEIVED_STATES,
    can_list_incoming,
    can_settle_invoice,
)
from procurement.invoices.services import check_version, fire_invoice
from procurement.mail.services import queue_mail
from procurement.web import external_url
from workflows.invoice import InvoiceStatus

BERLIN = ZoneInfo("Europe/Berlin")
CENT = Decimal("0.01")
MAX_REASON_LENGTH = 2000
# the order of the statuses in the sums and the filter
RECEIVED_ORDER = (InvoiceStatus.sent, InvoiceStatus.paid, InvoiceStatus.rejected)


# --- the inbox -------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxFilter:
    """What the municipality narrows its inbox to; None means all."""

    status: Optional[InvoiceStatus] = None
    vendor_id: Optional[int] = None
    issued_from: Optional[date] = None
    issued_until: Optional[date] = None


@dataclass
class StatusSum:
    """Count and payable amount (credit notes subtracted) of one status, per currency."""

    status: InvoiceStatus
    count: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)


def _require_inbox(user: Optional[User]) -> int:
    if not can_list_incoming(user):
        raise PermissionDenied(
            _("Nur die Vergabestelle und die Rechnungsprüfung einer Kommune sehen ihre Rechnungen.")
        )
    return user.organisation_id  # type: ignore[union-attr]


def _where(organisation_id: int, filters: InboxFilter, with_status: bool = True) -> list:  # type: ignore[type-arg]
    conditions = [
        Invoice.buyer_organisation_id == organisation_id,
        Invoice.status.in_(RECEIVED_STATES),
    ]
    if with_status and filters.status is not None:
        conditions.append(Invoice.status == filters.status)
    if filters.vendor_id is not None:
        conditions.append(Invoice.vendor_organisation_id == filters.vendor_id)
    if filters.issued_from is not None:
        conditions.append(Invoice.issue_date >= filters.issued_from)
    if filters.issued_until is not None:
        conditions.append(Invoice.issue_date <= filters.issued_until)
    return conditions


def inbox_query(user: Optional[User], filters: InboxFilter) -> Select[tuple[Invoice]]:
    """The municipality's received invoices matching ``filters``, newest (last received) first.

    :param user: an officer or auditor of a municipality (else ``PermissionDenied``)
    """
    organisation_id = _require_inbox(user)
    return (
        select(Invoice)
        .where(*_where(organisation_id, filters))
        .order_by(Invoice.sent_at.desc(), Invoice.id.desc())
    )


def inbox_sums(user: Optional[User], filters: InboxFilter) -> list[StatusSum]:
    """Count and payable sum per received status, for the vendor and period of ``filters``.

    The status filter does not narrow the sums: they show open, paid and rejected side by side.
    Credit notes count negative (they reduce what the municipality owes).
    """
    organisation_id = _require_inbox(user)
    signed = case(
        (Invoice.kind == InvoiceKind.credit_note, -Invoice.payable_amount), else_=Invoice.payable_amount
    )
    rows = db.session.execute(
        select(Invoice.status, Invoice.currency, func.count(Invoice.id), func.sum(signed))
        .where(*_where(organisation_id, filters, with_status=False))
        .group_by(Invoice.status, Invoice.currency)
    ).all()
    sums = {status: StatusSum(status) for status in RECEIVED_ORDER}
    for status, currency, number, total in rows:
        entry = sums[status]
        entry.count += number
        # SQLite adds NUMERIC as floating point: back to cents
        entry.amounts[currency] = Decimal(str(total or 0)).quantize(CENT)
    return [sums[status] for status in RECEIVED_ORDER]


def inbox_vendors(user: Optional[User]) -> list[tuple[int, str]]:
    """The vendors that sent the municipality invoices (for the filter), by name."""
    organisation_id = _require_inbox(user)
    rows = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(
            Organisation.id.in_(
                select(Invoice.vendor_organisation_id).where(
                    Invoice.buyer_organisation_id == organisation_id, Invoice.status.in_(RECEIVED_STATES)
                )
            )
        )
        .order_by(Organisation.name)
    ).all()
    return [(row.id, row.name) for row in rows]


# --- settling --------------------------------------------------------------------------------


def berlin_today(now: datetime) -> date:
    return now.astimezone(BERLIN).date()


def _check_settle(actor: Optional[User], invoice: Invoice, version: Optional[int]) -> None:
    if not can_settle_invoice(actor, invoice):
        raise PermissionDenied(
            _("Nur die Vergabestelle der Kommune, an die die Rechnung ging, kann sie bearbeiten.")
        )
    check_version(invoice, version)


def check_payment_date(invoice: Invoice, payment_date: date, now: datetime) -> None:
    """A payment date lies between the invoice's issue date and today (Berlin)."""
    if payment_date > berlin_today(now):
        raise DomainError(_("Das Zahlungsdatum darf nicht in der Zukunft liegen."))
    if payment_date < invoice.issue_date:
        raise DomainError(
            _(
                "Das Zahlungsdatum darf nicht vor dem Rechnungsdatum (%(date)s) liegen.",
                date=invoice.issue_date.strftime("%d.%m.%Y"),
            )
        )


def mark_paid(
    actor: Optional[User], invoice: Invoice, payment_date: date, now: datetime, version: Optional[int] = None
) -> Invoice:
    """Record that the municipality paid ``invoice`` on ``payment_date``; the vendor is told.

    :param actor: an officer of the invoice's buyer
    :param payment_date: the day the money went out (not in the future, not before the issue date)
    :param version: the invoice version the officer saw (a stale page gives ``Conflict``)
    """
    _check_settle(actor, invoice, version)
    check_payment_date(invoice, payment_date, now)
    fire_invoice(actor, invoice, "mark_paid", now, payment_date=payment_date.isoformat())
    # the machine stamps the time of recording; the row keeps the day of the payment
    invoice.paid_at = datetime.combine(payment_date, time(0, 0), tzinfo=BERLIN).astimezone(UTC)
    db.session.flush()
    _mail_vendor(invoice)
    return invoice


def reject(
    actor: Optional[User], invoice: Invoice, reason: str, now: datetime, version: Optional[int] = None
) -> Invoice:
    """Reject ``invoice`` with a reason the vendor reads; the vendor is told.

    :param actor: an officer of the invoice's buyer
    :param reason: why (mandatory, at most ``MAX_REASON_LENGTH`` characters)
    :param version: the invoice version the officer saw (a stale page gives ``Conflict``)
    """
    _check_settle(actor, invoice, version)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Bitte geben Sie an, warum Sie die Rechnung zurückweisen."))
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError(_("Die Begründung ist zu lang (höchstens %(max)d Zeichen).", max=MAX_REASON_LENGTH))
    invoice.rejection_reason = reason
    fire_invoice(actor, invoice, "reject", now, reason=reason)
    _mail_vendor(invoice)
    return invoice


def _mail_vendor(invoice: Invoice) -> None:
    """One mail to each active user of the vendor: paid, or rejected with the reason."""
    link = external_url("invoices.invoice", invoice_id=invoice.id)
    for recipient in active_members([invoice.vendor_organisation_id], Role.vendor):
        queue_mail(
            recipient.email,
            "invoice_settled",
            recipient.language or "de",
            user=recipient,
            invoice=invoice,
            buyer=invoice.buyer_organisation,
            paid=invoice.status is InvoiceStatus.paid,
            payment_date=invoice.paid_at.astimezone(BERLIN).date() if invoice.paid_at else None,
            link=link,
        )
