"""EN 16931 calculation of line net amounts, the VAT breakdown and the document totals.

Rounding as EN 16931 specifies it: every line net amount is rounded to 2 decimals (half up) and
the sums are sums of the rounded values; the VAT of a category is its taxable amount × rate,
rounded to 2 decimals; the total VAT is the sum of the category amounts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from xrechnung.errors import InvoiceError
from xrechnung.model import (
    AllowanceCharge,
    ExemptionReason,
    Invoice,
    Line,
    VatCategory,
    round_amount,
)

ZERO = Decimal("0")


@dataclass(frozen=True)
class VatBreakdown:
    """One VAT breakdown group (BG-23)."""

    category: VatCategory  # BT-118
    rate: Decimal  # BT-119
    taxable_amount: Decimal  # BT-116
    tax_amount: Decimal  # BT-117
    exemption: ExemptionReason | None  # BT-120, BT-121


@dataclass(frozen=True)
class Totals:
    """Document totals (BG-22) and the VAT breakdown (BG-23), computed from the lines."""

    line_net_amounts: tuple[Decimal, ...]  # BT-131 of each (top level) line
    line_total: Decimal  # BT-106
    allowance_total: Decimal  # BT-107
    charge_total: Decimal  # BT-108
    tax_exclusive: Decimal  # BT-109
    vat_total: Decimal  # BT-110
    tax_inclusive: Decimal  # BT-112
    paid: Decimal  # BT-113
    rounding: Decimal  # BT-114
    third_party_total: Decimal  # Σ BT-DEX-002 (XRechnung extension)
    amount_due: Decimal  # BT-115
    vat_breakdown: tuple[VatBreakdown, ...]


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


def _allowances(items: Iterable[AllowanceCharge], charge: bool) -> Decimal:
    return _sum(item.amount for item in items if item.charge is charge)


def line_net_amount(line: Line) -> Decimal:
    """BT-131: quantity × (net price ÷ base quantity) + charges − allowances, rounded to cents.

    A sub line group without a price (XRechnung extension) is the sum of its sub lines.
    """
    if line.price is None:
        if not line.sub_lines:
            raise InvoiceError(
                f"Position {line.id!r} hat keinen Nettopreis (BT-146).",
                f"Line {line.id!r} has no item net price (BT-146).",
            )
        return _sum(line_net_amount(sub) for sub in line.sub_lines)
    base = line.base_quantity if line.base_quantity is not None else Decimal("1")
    if base <= 0:
        raise InvoiceError(
            f"Position {line.id!r}: die Basismenge (BT-149) muss größer als 0 sein.",
            f"Line {line.id!r}: the base quantity (BT-149) must be above 0.",
        )
    amount = line.quantity * line.price / base
    amount += _allowances(line.allowances_charges, charge=True)
    amount -= _allowances(line.allowances_charges, charge=False)
    return round_amount(amount)


def compute_totals(invoice: Invoice) -> Totals:
    """Compute the line net amounts, the VAT breakdown and the totals of ``invoice``.

    :param invoice: the invoice; document level allowances and charges need their VAT.
    :raises InvoiceError: when a line has no price or a document allowance no VAT category.
    """
    line_amounts = tuple(line_net_amount(line) for line in invoice.lines)
    groups: dict[tuple[VatCategory, Decimal], Decimal] = {}
    rates: dict[tuple[VatCategory, Decimal], Decimal] = {}

    def add(category: VatCategory, rate: Decimal, amount: Decimal) -> None:
        key = (category, rate)
        rates.setdefault(key, rate)
        groups[key] = groups.get(key, ZERO) + amount

    for line, amount in zip(invoice.lines, line_amounts, strict=True):
        add(line.vat.category, line.vat.breakdown_rate, amount)
    for item in invoice.allowances_charges:
        if item.vat is None:
            kind = ("Zuschlag", "charge") if item.charge else ("Nachlass", "allowance")
            raise InvoiceError(
                f"Ein {kind[0]} auf Dokumentebene braucht eine Umsatzsteuerkategorie.",
                f"A document level {kind[1]} needs a VAT category.",
            )
        add(item.vat.category, item.vat.breakdown_rate, item.amount if item.charge else -item.amount)

    breakdown = tuple(
        VatBreakdown(
            category=category,
            rate=rates[(category, rate)],
            taxable_amount=round_amount(taxable),
            tax_amount=round_amount(round_amount(taxable) * rates[(category, rate)] / 100),
            exemption=invoice.vat_exemption_reasons.get(category),
        )
        for (category, rate), taxable in groups.items()
    )
    line_total = _sum(line_amounts)
    allowance_total = round_amount(_allowances(invoice.allowances_charges, charge=False))
    charge_total = round_amount(_allowances(invoice.allowances_charges, charge=True))
    tax_exclusive = line_total - allowance_total + charge_total
    vat_total = _sum(group.tax_amount for group in breakdown)
    tax_inclusive = tax_exclusive + vat_total
    paid = invoice.paid_amount if invoice.paid_amount is not None else ZERO
    rounding = invoice.rounding_amount if invoice.rounding_amount is not None else ZERO
    third_party = _sum(payment.amount for payment in invoice.third_party_payments)
    return Totals(
        line_net_amounts=line_amounts,
        line_total=line_total,
        allowance_total=allowance_total,
        charge_total=charge_total,
        tax_exclusive=tax_exclusive,
        vat_total=vat_total,
        tax_inclusive=tax_inclusive,
        paid=paid,
        rounding=rounding,
        third_party_total=third_party,
        # BR-CO-16; the extension's third party payments are collected on top (BR-DEX-09).
        amount_due=tax_inclusive - paid + rounding + third_party,
        vat_breakdown=breakdown,
    )
