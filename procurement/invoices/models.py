"""Invoices and credit notes (XRechnung 3.0, UBL) from a contract's vendor to its municipality.

- ``BillingProfile``: what a vendor's invoices need beyond the organisation's address (bank
  account, tax number, invoicing contact, electronic address, payment terms); the invoice form
  is pre-filled from it.
- ``Invoice``: one invoice or credit note for one contract; its lines; the XML exactly as issued
  with the level of checking it passed. Amounts are computed by the ``xrechnung`` library from the
  lines (never typed in) and copied onto the row at issuing for lists and sums.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.accounts.models import Organisation, User
from procurement.awards.models import Contract
from procurement.database import UTCDateTime, enum_type, utcnow
from procurement.extensions import db
from workflows.invoice import InvoiceStatus


class BillingProfile(db.Model):
    """A vendor's invoicing data: bank account (SEPA), tax ids, contact, electronic address."""

    __tablename__ = "billing_profiles"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    iban: Mapped[str] = mapped_column(String(34), default="")  # BT-84
    bic: Mapped[str] = mapped_column(String(11), default="")  # BT-86
    account_name: Mapped[str] = mapped_column(String(200), default="")  # BT-85
    tax_number: Mapped[str] = mapped_column(String(30), default="")  # BT-32 Steuernummer
    contact_name: Mapped[str] = mapped_column(String(200), default="")  # BT-41
    contact_phone: Mapped[str] = mapped_column(String(40), default="")  # BT-42
    contact_email: Mapped[str] = mapped_column(String(254), default="")  # BT-43
    electronic_address: Mapped[str] = mapped_column(String(254), default="")  # BT-34 (e-mail, scheme EM)
    payment_terms_days: Mapped[int] = mapped_column(default=30)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()


class InvoiceKind(enum.Enum):
    invoice = "invoice"  # UNTDID 1001 code 380
    credit_note = "credit_note"  # code 381, references the invoice it corrects (BG-3)


class Invoice(db.Model):
    """An invoice or credit note of a contract's vendor to the contract's municipality."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("vendor_organisation_id", "number"),
        Index("ix_invoices_buyer_status", "buyer_organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InvoiceKind] = mapped_column(
        enum_type(InvoiceKind, "invoice_kind"), default=InvoiceKind.invoice
    )
    number: Mapped[str] = mapped_column(String(40))  # BT-1, unique per vendor
    status: Mapped[InvoiceStatus] = mapped_column(
        enum_type(InvoiceStatus, "invoice_status"), default=InvoiceStatus.draft
    )
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), index=True)
    vendor_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    buyer_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    preceding_invoice_id: Mapped[Optional[int]] = mapped_column(ForeignKey("invoices.id"))  # credit notes
    issue_date: Mapped[date]  # BT-2
    due_date: Mapped[Optional[date]]  # BT-9
    period_start: Mapped[Optional[date]]  # BG-14
    period_end: Mapped[Optional[date]]
    note: Mapped[str] = mapped_column(Text, default="")  # BT-22
    # the data the XML was built from, as the vendor confirmed it (seller, buyer, payment), JSON
    parties: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    # filled at issuing, from the library's computation
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    net_total: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))  # BT-109
    vat_total: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))  # BT-110
    gross_total: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))  # BT-112
    payable_amount: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))  # BT-115
    xml: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    xml_sha256: Mapped[str] = mapped_column(String(64), default="")
    # "official": XSD + EN 16931 + XRechnung rules ran; "own": only the library's own checks
    validation_level: Mapped[str] = mapped_column(String(20), default="")
    findings: Mapped[Optional[list[dict[str, Any]]]] = mapped_column(JSON)  # of the last validation
    xml_valid: Mapped[bool] = mapped_column(default=False)  # what the issue guard reads
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    paid_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    paid_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    rejected_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    rejected_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    contract: Mapped[Contract] = relationship()
    vendor_organisation: Mapped[Organisation] = relationship(foreign_keys=[vendor_organisation_id])
    buyer_organisation: Mapped[Organisation] = relationship(foreign_keys=[buyer_organisation_id])
    preceding_invoice: Mapped[Optional[Invoice]] = relationship(remote_side=[id])
    created_by: Mapped[Optional[User]] = relationship(foreign_keys=[created_by_id])
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="InvoiceLine.position"
    )

    @property
    def line_count(self) -> int:
        return len(self.lines)


class InvoiceLine(db.Model):
    """One invoice line (BG-25): item, quantity, unit (UN/ECE Rec. 20), net unit price, VAT."""

    __tablename__ = "invoice_lines"
    __table_args__ = (
        UniqueConstraint("invoice_id", "position"),
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]  # BT-126 line id
    name: Mapped[str] = mapped_column(String(200))  # BT-153
    description: Mapped[str] = mapped_column(Text, default="")  # BT-154
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))  # BT-129
    unit_code: Mapped[str] = mapped_column(String(3))  # BT-130
    unit_price: Mapped[Decimal] = mapped_column(Numeric(18, 4))  # BT-146
    vat_category: Mapped[str] = mapped_column(String(2), default="S")  # BT-151
    vat_rate: Mapped[Optional[Decimal]] = mapped_column(Numeric(5, 2), default=Decimal(19))  # BT-152
    cpv_code: Mapped[str] = mapped_column(String(10), default="")  # BT-158 with list id "CPV"

    invoice: Mapped[Invoice] = relationship(back_populates="lines")
