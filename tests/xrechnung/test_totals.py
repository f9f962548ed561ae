"""Totals follow EN 16931: rounded line amounts, sums of rounded values, VAT per category, half up."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from lxml import etree

from tests.xrechnung import cases
from xrechnung import (
    EXEMPT,
    REDUCED_7,
    STANDARD_19,
    AllowanceCharge,
    ExemptionReason,
    InvoiceError,
    Item,
    build,
    compute_totals,
    line_net_amount,
)

D = Decimal
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def stated(document: bytes, path: str) -> list[str]:
    return [element.text for element in etree.fromstring(document).iterfind(path, NS)]


def test_two_rates_are_summed_per_category_and_rounded_per_category():
    # 4 × 249.90 + 6.5 × 92.00 = 1597.60 at 19 % -> 303.544 -> 303.54; 2 × 18.50 = 37.00 at 7 % -> 2.59
    totals = compute_totals(cases.mixed_19_and_7())
    assert [(g.category.value, g.rate, g.taxable_amount, g.tax_amount) for g in totals.vat_breakdown] == [
        ("S", D("19"), D("1597.60"), D("303.54")),
        ("S", D("7"), D("37.00"), D("2.59")),
    ]
    assert (totals.line_total, totals.vat_total, totals.tax_inclusive, totals.amount_due) == (
        D("1634.60"),
        D("306.13"),
        D("1940.73"),
        D("1940.73"),
    )


def test_the_document_states_the_computed_totals():
    document = build(cases.mixed_19_and_7())
    assert stated(document, "cac:LegalMonetaryTotal/cbc:LineExtensionAmount") == ["1634.60"]
    assert stated(document, "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount") == ["1634.60"]
    assert stated(document, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount") == ["1940.73"]
    assert stated(document, "cac:LegalMonetaryTotal/cbc:PayableAmount") == ["1940.73"]
    assert stated(document, "cac:TaxTotal/cbc:TaxAmount") == ["306.13"]
    assert stated(document, "cac:InvoiceLine/cbc:LineExtensionAmount") == ["999.60", "37.00", "598.00"]


def test_line_amounts_round_half_up_not_half_even():
    invoice = cases.half_up_rounding()
    # 3 × 0.335 = 1.005 and 7 × 0.145 = 1.015: half up gives 1.01 and 1.02 (half even: 1.00, 1.02)
    assert [line_net_amount(line) for line in invoice.lines] == [D("1.01"), D("1.02")]
    assert D("1.005").quantize(D("0.01"), rounding=ROUND_HALF_EVEN) == D("1.00")
    totals = compute_totals(invoice)
    # the VAT is computed on the sum of the rounded lines: 2.03 × 19 % = 0.3857 -> 0.39
    assert (totals.line_total, totals.vat_total, totals.amount_due) == (D("2.03"), D("0.39"), D("2.42"))


def test_vat_of_a_category_rounds_half_up_on_its_base():
    # 20.00 + 2.50 charge at 7 % = 22.50 -> 1.575 -> 1.58
    totals = compute_totals(cases.document_charges_and_percentage())
    seven = next(g for g in totals.vat_breakdown if g.rate == 7)
    assert (seven.taxable_amount, seven.tax_amount) == (D("22.50"), D("1.58"))


def test_document_allowances_and_charges_move_the_taxable_amount_of_their_category():
    # 19 %: 999.60 + 35.00 charge - 3 % of 999.60 (29.988 -> 29.99) = 1004.61 -> VAT 190.88
    totals = compute_totals(cases.document_charges_and_percentage())
    nineteen = next(g for g in totals.vat_breakdown if g.rate == 19)
    assert (nineteen.taxable_amount, nineteen.tax_amount) == (D("1004.61"), D("190.88"))
    assert (totals.allowance_total, totals.charge_total) == (D("29.99"), D("37.50"))
    assert (totals.tax_exclusive, totals.vat_total, totals.tax_inclusive) == (
        D("1027.11"),
        D("192.46"),
        D("1219.57"),
    )


def test_line_allowances_and_charges_change_the_line_net_amount():
    first, second = cases.line_allowances_and_charges().lines
    assert line_net_amount(first) == D("987.00")  # 999.60 - 25.00 + 12.40
    assert line_net_amount(second) == D("237.60")  # 264.00 - 10 % (26.40)


def test_net_price_applies_per_base_quantity():
    first, second = cases.gross_price_and_base_quantity().lines
    assert line_net_amount(first) == D("180.00")  # 2500 × 7.20 / 100
    assert line_net_amount(second) == D("18.52")  # 1.5 × 12.3456 = 18.5184


def test_paid_amount_rounding_and_third_party_payments_change_the_amount_due():
    assert compute_totals(cases.final_invoice_after_partial_payments()).amount_due == D("39960.00")
    rounded = compute_totals(cases.rounding_amount())
    assert (rounded.tax_inclusive, rounded.amount_due) == (D("118.99"), D("119.00"))
    extension = compute_totals(cases.extension_sub_lines_and_third_party())
    assert (extension.line_total, extension.tax_inclusive, extension.amount_due) == (
        D("1770.00"),
        D("2106.30"),
        D("2142.00"),
    )


def test_a_returned_item_with_negative_quantity_reduces_the_total():
    assert compute_totals(cases.negative_quantity_return()).line_total == D("999.60")


def test_totals_are_never_taken_from_the_caller():
    invoice = cases.standard_19()
    more = replace(invoice, lines=[replace(invoice.lines[0], quantity=D("5"))])
    assert stated(build(more), "cac:LegalMonetaryTotal/cbc:PayableAmount") == ["1486.91"]  # 1249.50 × 1.19


def test_a_line_without_price_cannot_be_built():
    invoice = cases.standard_19()
    broken = replace(invoice, lines=[replace(invoice.lines[0], price=None)])
    with pytest.raises(InvoiceError) as err:
        build(broken)
    assert "BT-146" in err.value.message_de


def test_a_document_allowance_without_vat_cannot_be_built():
    invoice = replace(
        cases.standard_19(), allowances_charges=[AllowanceCharge(amount=D("5.00"), reason="Rabatt")]
    )
    with pytest.raises(InvoiceError, match="VAT category"):
        build(invoice)


def test_an_exemption_reason_for_an_unused_category_is_refused_not_dropped():
    invoice = replace(cases.standard_19(), vat_exemption_reasons={EXEMPT.category: ExemptionReason("frei")})
    with pytest.raises(InvoiceError, match="E"):
        build(invoice)


def test_a_credit_note_cannot_carry_sub_lines():
    sub = cases.line(2, item=Item(name="Teil"))
    invoice = replace(cases.credit_note(), lines=[cases.line(1, sub_lines=[sub])])
    with pytest.raises(InvoiceError):
        build(invoice)


def test_percent_of_rounds_the_allowance_to_cents():
    allowance = AllowanceCharge.percent_of(D("999.60"), D("3"), reason="Rabatt", vat=STANDARD_19)
    assert (allowance.amount, allowance.base_amount, allowance.percentage) == (
        D("29.99"),
        D("999.60"),
        D("3"),
    )
    assert AllowanceCharge.percent_of(D("10.50"), D("5"), vat=REDUCED_7).amount == D("0.53")  # 0.525 half up
