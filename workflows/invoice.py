"""Invoices and credit notes to a municipality (XRechnung): draft -> issued -> sent -> paid | rejected.

- ``issue``: the XML is built from the invoice's data and validated; an invoice whose XML has a
  fatal finding (own checks, XSD, EN 16931, XRechnung rules) cannot be issued. The service keeps
  ``xml_valid`` on the object (True only after a validation without fatal findings of the XML
  exactly as it is stored). After issuing nothing of the invoice changes: corrections are made
  with a credit note (UNTDID 1001 code 381) that references the invoice (BG-3).
- ``send``: the vendor delivers the issued invoice to the municipality (the platform's inbox of
  the buyer and a mail to its officers).
- ``mark_paid`` / ``reject``: the municipality records the payment, or rejects the invoice with
  a reason (e.g. wrong Leitweg-ID, amounts not as agreed); the vendor is told.
- ``discard``: a draft that will not be issued.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from workflows.machine import N_, Guard, Transition, Workflow


class InvoiceStatus(enum.Enum):
    draft = "draft"
    issued = "issued"
    sent = "sent"
    paid = "paid"
    rejected = "rejected"
    discarded = "discarded"


def _xml_valid(invoice: Any, now: datetime) -> bool:
    return bool(invoice.xml_valid)


def _has_lines(invoice: Any, now: datetime) -> bool:
    return invoice.line_count > 0


xml_valid = Guard(
    _xml_valid,
    N_(
        "Die XRechnung ist nicht gültig: sie kann erst ausgestellt werden, wenn die Prüfung "
        "keine Fehler mehr meldet."
    ),
)
has_lines = Guard(_has_lines, N_("Eine Rechnung braucht mindestens eine Position."))

INVOICE = Workflow(
    "invoice",
    InvoiceStatus,
    initial=InvoiceStatus.draft,
    transitions=[
        Transition("issue", [InvoiceStatus.draft], InvoiceStatus.issued, [has_lines, xml_valid]),
        Transition("send", [InvoiceStatus.issued], InvoiceStatus.sent),
        Transition("mark_paid", [InvoiceStatus.sent], InvoiceStatus.paid),
        Transition("reject", [InvoiceStatus.sent], InvoiceStatus.rejected),
        Transition("discard", [InvoiceStatus.draft], InvoiceStatus.discarded),
    ],
)
