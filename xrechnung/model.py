"""EN 16931 business terms of an invoice and a credit note, as typed dataclasses.

Every field names its business term (BT-n) or group (BG-n). Totals, line net amounts and the
VAT breakdown are not fields: they are computed from the lines (``xrechnung.totals``), so they
cannot be typed in wrongly. Optional text is ``""`` when absent, optional values ``None``.
Money and quantities are ``Decimal``, never float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

XRECHNUNG_3_0 = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
XRECHNUNG_3_0_EXTENSION = XRECHNUNG_3_0 + "#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0"
PEPPOL_BILLING = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

# UNTDID 1001: the codes that make a UBL CreditNote; every other type code is an Invoice (81 is
# allowed in both, it stays an Invoice here).
CREDIT_NOTE_TYPE_CODES = frozenset({"83", "261", "262", "296", "308", "381", "396", "420", "458", "532"})

# UNTDID 4461 payment means (BT-81) that the German rules (BR-DE-23..25) tie to a group.
CREDIT_TRANSFER = "30"
SEPA_CREDIT_TRANSFER = "58"
SEPA_DIRECT_DEBIT = "59"
BANK_CARD = "48"
CREDIT_CARD = "54"
DEBIT_CARD = "55"

CENT = Decimal("0.01")


def round_amount(value: Decimal) -> Decimal:
    """Round to 2 decimals, half up (EN 16931 amounts)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class VatCategory(StrEnum):
    """UNTDID 5305 VAT category codes (BT-95, BT-102, BT-118, BT-151)."""

    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    NOT_SUBJECT = "O"
    CANARY_ISLANDS = "L"
    CEUTA_MELILLA = "M"


@dataclass(frozen=True)
class Vat:
    """A VAT category with its rate in percent (BT-151/152; ``None``: no rate, category O)."""

    category: VatCategory
    rate: Decimal | None = Decimal("0")

    @property
    def breakdown_rate(self) -> Decimal:
        """The rate the VAT breakdown states (BT-119; XRechnung requires one, O has 0)."""
        return self.rate if self.rate is not None else Decimal("0")


STANDARD_19 = Vat(VatCategory.STANDARD, Decimal("19"))
REDUCED_7 = Vat(VatCategory.STANDARD, Decimal("7"))
ZERO_RATED = Vat(VatCategory.ZERO, Decimal("0"))
EXEMPT = Vat(VatCategory.EXEMPT, Decimal("0"))
REVERSE_CHARGE = Vat(VatCategory.REVERSE_CHARGE, Decimal("0"))
INTRA_COMMUNITY = Vat(VatCategory.INTRA_COMMUNITY, Decimal("0"))
EXPORT = Vat(VatCategory.EXPORT, Decimal("0"))
NOT_SUBJECT = Vat(VatCategory.NOT_SUBJECT, None)


@dataclass(frozen=True)
class Identifier:
    """An identifier with an optional scheme (ISO 6523 ICD, CEF EAS, UNTDID 1153 ...)."""

    value: str
    scheme: str = ""


def email_address(address: str) -> Identifier:
    """An electronic address (BT-34/BT-49) that is an e-mail address (CEF EAS ``EM``)."""
    return Identifier(address, "EM")


def leitweg_address(leitweg_id: str) -> Identifier:
    """An electronic address (BT-49) that is a Leitweg-ID (CEF EAS ``0204``)."""
    return Identifier(leitweg_id, "0204")


@dataclass
class ExemptionReason:
    """Why a VAT category is not charged: text (BT-120) and/or VATEX code (BT-121)."""

    text: str = ""
    code: str = ""


@dataclass
class Address:
    """A postal address (BG-5 seller, BG-8 buyer, BG-12 tax representative, BG-15 deliver to)."""

    country: str  # ISO 3166-1 alpha-2 (BT-40, BT-55, BT-69, BT-80)
    city: str = ""  # BT-37, BT-52, BT-66, BT-77
    postal_code: str = ""  # BT-38, BT-53, BT-67, BT-78
    street: str = ""  # address line 1: BT-35, BT-50, BT-64, BT-75
    additional_street: str = ""  # address line 2: BT-36, BT-51, BT-65, BT-76
    line3: str = ""  # address line 3: BT-162, BT-163, BT-164, BT-165
    subdivision: str = ""  # Land, Bundesland, Region: BT-39, BT-54, BT-68, BT-79


@dataclass
class Contact:
    """A contact (BG-6 seller, BG-9 buyer)."""

    name: str = ""  # BT-41, BT-56
    telephone: str = ""  # BT-42, BT-57
    email: str = ""  # BT-43, BT-58


@dataclass
class Seller:
    """Verkäufer, the party that issues the invoice (BG-4)."""

    name: str  # BT-27
    address: Address  # BG-5
    electronic_address: Identifier | None = None  # BT-34, scheme from CEF EAS
    contact: Contact | None = None  # BG-6 (mandatory in XRechnung: BR-DE-2)
    trading_name: str = ""  # BT-28
    identifiers: list[Identifier] = field(default_factory=list)  # BT-29
    legal_registration_id: Identifier | None = None  # BT-30 (Handelsregisternummer)
    vat_id: str = ""  # BT-31 (USt-IdNr.)
    tax_registration_id: str = ""  # BT-32 (Steuernummer)
    tax_registration_scheme: str = "FC"  # UBL TaxScheme/ID of BT-32 (no business term)
    legal_information: str = ""  # BT-33


@dataclass
class Buyer:
    """Käufer, the party that receives the invoice (BG-7)."""

    name: str  # BT-44
    address: Address  # BG-8
    electronic_address: Identifier | None = None  # BT-49, scheme from CEF EAS
    contact: Contact | None = None  # BG-9
    trading_name: str = ""  # BT-45
    identifier: Identifier | None = None  # BT-46
    legal_registration_id: Identifier | None = None  # BT-47
    vat_id: str = ""  # BT-48
    # A tax number beside the VAT id: UBL allows it, EN 16931 has no business term for it.
    tax_registration_id: str = ""
    tax_registration_scheme: str = "FC"


@dataclass
class Payee:
    """Zahlungsempfänger, when someone other than the seller receives the payment (BG-10)."""

    name: str  # BT-59
    identifier: Identifier | None = None  # BT-60
    legal_registration_id: Identifier | None = None  # BT-61


@dataclass
class TaxRepresentative:
    """Steuerlicher Vertreter des Verkäufers (BG-11)."""

    name: str  # BT-62
    vat_id: str  # BT-63
    address: Address  # BG-12


@dataclass
class Delivery:
    """Lieferinformationen (BG-13)."""

    party_name: str = ""  # BT-70
    location_id: Identifier | None = None  # BT-71
    actual_date: date | None = None  # BT-72 actual delivery date
    address: Address | None = None  # BG-15


@dataclass
class Period:
    """A period (BG-14 invoicing period, BG-26 line period)."""

    start: date | None = None  # BT-73, BT-134
    end: date | None = None  # BT-74, BT-135


@dataclass
class PrecedingInvoice:
    """A reference to an earlier invoice, e.g. the one a credit note corrects (BG-3)."""

    number: str  # BT-25
    issue_date: date | None = None  # BT-26


@dataclass
class CreditTransfer:
    """Überweisung (BG-17)."""

    account_id: str  # BT-84, an IBAN for SEPA
    account_name: str = ""  # BT-85
    bank_id: str = ""  # BT-86, BIC


@dataclass
class PaymentCard:
    """Kartenzahlung (BG-18): never the full card number (BR-51)."""

    account_number: str  # BT-87, e.g. the last four digits
    holder_name: str = ""  # BT-88
    network_id: str = "NA"  # UBL's mandatory card network (no business term)


@dataclass
class DirectDebit:
    """SEPA-Lastschrift (BG-19)."""

    mandate_reference: str  # BT-89
    creditor_id: str  # BT-90 Gläubiger-ID (carried as the seller's or payee's SEPA identifier)
    debited_account: str  # BT-91, the buyer's IBAN


@dataclass
class PaymentInstructions:
    """Zahlungsanweisungen (BG-16)."""

    means_code: str  # BT-81, UNTDID 4461: 58 SEPA credit transfer, 59 SEPA direct debit ...
    means_text: str = ""  # BT-82
    remittance_information: str = ""  # BT-83 Verwendungszweck
    credit_transfers: list[CreditTransfer] = field(default_factory=list)  # BG-17
    card: PaymentCard | None = None  # BG-18
    direct_debit: DirectDebit | None = None  # BG-19

    @classmethod
    def sepa_credit_transfer(
        cls, iban: str, *, bic: str = "", account_name: str = "", remittance_information: str = ""
    ) -> PaymentInstructions:
        """SEPA-Überweisung (code 58) to one account."""
        return cls(
            means_code=SEPA_CREDIT_TRANSFER,
            remittance_information=remittance_information,
            credit_transfers=[CreditTransfer(iban, account_name, bic)],
        )

    @classmethod
    def sepa_direct_debit(
        cls, *, mandate_reference: str, creditor_id: str, debited_iban: str, remittance_information: str = ""
    ) -> PaymentInstructions:
        """SEPA-Lastschrift (code 59) from the buyer's account."""
        return cls(
            means_code=SEPA_DIRECT_DEBIT,
            remittance_information=remittance_information,
            direct_debit=DirectDebit(mandate_reference, creditor_id, debited_iban),
        )


@dataclass
class AllowanceCharge:
    """Nachlass or Zuschlag, on the document (BG-20/BG-21) or on a line (BG-27/BG-28).

    Document level ones carry their VAT (BT-95/96, BT-102/103); line level ones take the line's.
    """

    amount: Decimal  # BT-92, BT-99, BT-136, BT-141
    charge: bool = False  # False: allowance (Nachlass), True: charge (Zuschlag)
    reason: str = ""  # BT-97, BT-104, BT-139, BT-144
    reason_code: str = ""  # BT-98, BT-105, BT-140, BT-145 (UNTDID 5189 / 7161)
    base_amount: Decimal | None = None  # BT-93, BT-100, BT-137, BT-142
    percentage: Decimal | None = None  # BT-94, BT-101, BT-138, BT-143
    vat: Vat | None = None  # document level only

    @classmethod
    def percent_of(
        cls, base_amount: Decimal, percentage: Decimal, *, charge: bool = False, **fields: object
    ) -> AllowanceCharge:
        """An allowance or charge of ``percentage`` % of ``base_amount``, rounded to cents."""
        amount = round_amount(base_amount * percentage / 100)
        return cls(amount=amount, charge=charge, base_amount=base_amount, percentage=percentage, **fields)  # type: ignore[arg-type]


@dataclass
class ItemAttribute:
    """Artikeleigenschaft (BG-32)."""

    name: str  # BT-160
    value: str  # BT-161


@dataclass
class Classification:
    """Artikelklassifizierung (BT-158), e.g. a CPV code with list id ``STI``."""

    code: str
    list_id: str
    list_version: str = ""


@dataclass
class Item:
    """Artikelinformationen (BG-31)."""

    name: str  # BT-153
    description: str = ""  # BT-154
    sellers_id: str = ""  # BT-155
    buyers_id: str = ""  # BT-156
    standard_id: Identifier | None = None  # BT-157, e.g. GTIN with scheme 0160
    classifications: list[Classification] = field(default_factory=list)  # BT-158
    origin_country: str = ""  # BT-159
    attributes: list[ItemAttribute] = field(default_factory=list)  # BG-32


@dataclass
class Line:
    """Rechnungsposition (BG-25); a sub line of the XRechnung extension (BG-DEX-01) alike.

    The line net amount (BT-131) is computed: quantity × (net price ÷ base quantity) + charges −
    allowances, rounded to cents; a sub line group without a price sums its sub lines.
    """

    id: str  # BT-126
    item: Item  # BG-31
    quantity: Decimal  # BT-129
    unit: str  # BT-130, UN/ECE Recommendation 20 (C62 piece, H87 piece, HUR hour, DAY ...)
    price: Decimal | None  # BT-146 net price; None only for a sub line group
    vat: Vat  # BG-30
    base_quantity: Decimal | None = None  # BT-149 (unit BT-150 = BT-130)
    gross_price: Decimal | None = None  # BT-148
    price_discount: Decimal = Decimal("0")  # BT-147
    allowances_charges: list[AllowanceCharge] = field(default_factory=list)  # BG-27, BG-28
    note: str = ""  # BT-127
    object_identifier: Identifier | None = None  # BT-128
    order_line_reference: str = ""  # BT-132
    buyer_accounting_reference: str = ""  # BT-133
    period: Period | None = None  # BG-26
    sub_lines: list[Line] = field(default_factory=list)  # BG-DEX-01 (XRechnung extension)


@dataclass
class SupportingDocument:
    """Rechnungsbegründende Unterlage (BG-24): embedded (BT-125) and/or linked (BT-124)."""

    id: str  # BT-122
    description: str = ""  # BT-123
    uri: str = ""  # BT-124
    content: bytes | None = None  # BT-125
    mime_code: str = ""  # BT-125 attribute: application/pdf, image/png, text/csv ...
    filename: str = ""  # BT-125 attribute


@dataclass
class ThirdPartyPayment:
    """Zahlung an Dritte (BG-DEX-09, XRechnung extension): collected for a third party."""

    type: str  # BT-DEX-001
    amount: Decimal  # BT-DEX-002
    description: str  # BT-DEX-003


@dataclass
class Invoice:
    """Rechnung or Gutschrift (credit note, type code 381 and the other credit note codes)."""

    number: str  # BT-1
    issue_date: date  # BT-2
    seller: Seller  # BG-4
    buyer: Buyer  # BG-7
    lines: list[Line]  # BG-25
    buyer_reference: str = ""  # BT-10, the Leitweg-ID for German public buyers (BR-DE-15)
    payment: PaymentInstructions | None = None  # BG-16 (mandatory in XRechnung: BR-DE-1)
    type_code: str = "380"  # BT-3, UNTDID 1001: 380 invoice, 381 credit note, 384 corrected ...
    currency: str = "EUR"  # BT-5
    vat_accounting_currency: str = ""  # BT-6
    vat_total_in_accounting_currency: Decimal | None = None  # BT-111 (needs BT-6)
    vat_point_date: date | None = None  # BT-7
    vat_point_date_code: str = ""  # BT-8, UNTDID 2005: 3 issue date, 35 delivery, 432 paid
    due_date: date | None = None  # BT-9
    project_reference: str = ""  # BT-11
    contract_reference: str = ""  # BT-12
    purchase_order_reference: str = ""  # BT-13
    sales_order_reference: str = ""  # BT-14
    receiving_advice_reference: str = ""  # BT-15
    despatch_advice_reference: str = ""  # BT-16
    tender_or_lot_reference: str = ""  # BT-17 (Vergabenummer / Los)
    invoiced_object_identifier: Identifier | None = None  # BT-18
    buyer_accounting_reference: str = ""  # BT-19
    payment_terms: str = ""  # BT-20 (Skonto lines per BR-DE-18)
    notes: list[str] = field(default_factory=list)  # BG-1 (BT-21 as "#code#" prefix, BT-22)
    preceding_invoices: list[PrecedingInvoice] = field(default_factory=list)  # BG-3
    payee: Payee | None = None  # BG-10
    tax_representative: TaxRepresentative | None = None  # BG-11
    delivery: Delivery | None = None  # BG-13
    invoicing_period: Period | None = None  # BG-14
    allowances_charges: list[AllowanceCharge] = field(default_factory=list)  # BG-20, BG-21
    vat_exemption_reasons: dict[VatCategory, ExemptionReason] = field(default_factory=dict)  # BT-120/121
    paid_amount: Decimal | None = None  # BT-113
    rounding_amount: Decimal | None = None  # BT-114
    third_party_payments: list[ThirdPartyPayment] = field(default_factory=list)  # BG-DEX-09
    attachments: list[SupportingDocument] = field(default_factory=list)  # BG-24
    customization_id: str = XRECHNUNG_3_0  # BT-24
    profile_id: str = PEPPOL_BILLING  # BT-23

    @property
    def is_credit_note(self) -> bool:
        """True when the type code makes this a UBL CreditNote."""
        return self.type_code in CREDIT_NOTE_TYPE_CODES
