"""Hypothesis: generated invoices of every VAT situation read back equal and pass the official rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.xrechnung import cases
from xrechnung import (
    EXEMPT,
    EXPORT,
    INTRA_COMMUNITY,
    NOT_SUBJECT,
    REDUCED_7,
    REVERSE_CHARGE,
    STANDARD_19,
    ZERO_RATED,
    Address,
    AllowanceCharge,
    Delivery,
    ExemptionReason,
    Invoice,
    Item,
    Line,
    PaymentInstructions,
    PrecedingInvoice,
    Vat,
    build,
    compute_totals,
    parse,
    validate,
)

ROUND_TRIP = settings(max_examples=150, deadline=None, database=None)
# The official rules take a few milliseconds per invoice after a first compile.
OFFICIAL = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# Letters, digits, punctuation, symbols and spaces from all of Unicode (XML allows them all);
# no "#", which starts the coded subject of a note and the Skonto lines of payment terms.
TEXT = st.text(
    st.characters(categories=("L", "N", "P", "S", "Zs"), exclude_characters="#"), min_size=1, max_size=30
).filter(lambda text: text.strip())
EXEMPTIONS = {
    EXEMPT.category: ExemptionReason(text="Steuerfrei nach § 4 Nr. 21 UStG"),
    REVERSE_CHARGE.category: ExemptionReason(text="Reverse Charge", code="VATEX-EU-AE"),
    INTRA_COMMUNITY.category: ExemptionReason(code="VATEX-EU-IC"),
    EXPORT.category: ExemptionReason(text="Ausfuhrlieferung", code="VATEX-EU-G"),
    NOT_SUBJECT.category: ExemptionReason(text="Nicht steuerbar", code="VATEX-EU-O"),
}
SITUATIONS: dict[str, tuple[Vat, ...]] = {
    "domestic": (STANDARD_19, REDUCED_7, ZERO_RATED),
    "exempt": (EXEMPT, STANDARD_19),
    "reverse charge": (REVERSE_CHARGE,),
    "intra-community": (INTRA_COMMUNITY,),
    "export": (EXPORT,),
    "not subject": (NOT_SUBJECT,),
}


def amounts(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places)


@st.composite
def allowances(draw: st.DrawFn, vat: Vat | None) -> AllowanceCharge:
    charge = draw(st.booleans())
    if draw(st.booleans()):
        base = draw(amounts("1", "500", 2))
        return AllowanceCharge.percent_of(
            base, draw(amounts("0.5", "20", 1)), charge=charge, reason=draw(TEXT), vat=vat
        )
    return AllowanceCharge(
        amount=draw(amounts("0.01", "9.99", 2)),
        charge=charge,
        reason=draw(TEXT),
        reason_code=draw(st.sampled_from(["", "FC", "ABL"] if charge else ["", "95", "100"])),
        vat=vat,
    )


@st.composite
def lines(draw: st.DrawFn, number: int, vats: tuple[Vat, ...]) -> Line:
    price = draw(st.one_of(*(amounts("0", "5000", places) for places in range(5))))
    discount = draw(st.one_of(st.none(), amounts("0", "50", 2)))
    return Line(
        id=str(number),
        item=Item(name=draw(TEXT), description=draw(st.one_of(st.just(""), TEXT))),
        quantity=draw(st.one_of(amounts("1", "1000", 0), amounts("0.001", "100", 3))),
        unit=draw(st.sampled_from(["C62", "H87", "HUR", "DAY", "KGM", "MTR", "LTR", "XPP"])),
        price=price,
        vat=draw(st.sampled_from(vats)),
        base_quantity=draw(st.sampled_from([None, Decimal("1"), Decimal("10"), Decimal("100")])),
        gross_price=None if discount is None else price + discount,
        price_discount=discount or Decimal("0"),
        allowances_charges=draw(st.lists(allowances(None), max_size=2)),
        note=draw(st.one_of(st.just(""), TEXT)),
    )


@st.composite
def invoices(draw: st.DrawFn) -> Invoice:
    situation = draw(st.sampled_from(sorted(SITUATIONS)))
    vats = SITUATIONS[situation]
    invoice_lines = [draw(lines(number, vats)) for number in range(1, draw(st.integers(1, 6)) + 1)]
    used = {line.vat for line in invoice_lines}
    document_allowances = draw(st.lists(allowances(draw(st.sampled_from(sorted(used, key=str)))), max_size=2))
    issue = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 1000)))
    kind = draw(st.sampled_from(["380", "381", "384"]))
    seller = cases.seller(name=draw(TEXT))
    buyer = cases.buyer(name=draw(TEXT))
    delivery = Delivery(actual_date=issue - timedelta(days=draw(st.integers(0, 30))))
    if situation in ("reverse charge", "intra-community"):
        buyer = replace(buyer, vat_id="DE811234567")
    if situation == "intra-community":
        seller = replace(
            seller, vat_id="FR32123456789", address=Address(country="FR", city="Lyon", postal_code="69001")
        )
        delivery = replace(delivery, address=Address(country="DE", city="Tübingen", postal_code="72070"))
    if situation == "not subject":
        seller = replace(seller, vat_id="")
    categories = {line.vat.category for line in invoice_lines} | {
        a.vat.category for a in document_allowances if a.vat
    }
    payment = draw(
        st.sampled_from(
            [
                PaymentInstructions.sepa_credit_transfer(cases.IBAN, remittance_information="Rechnung"),
                PaymentInstructions.sepa_direct_debit(
                    mandate_reference="M-1",
                    creditor_id=cases.CREDITOR_ID,
                    debited_iban="DE89370400440532013000",
                ),
            ]
        )
    )
    invoice = Invoice(
        number=draw(TEXT),
        issue_date=issue,
        due_date=issue + timedelta(days=draw(st.integers(0, 60))),
        seller=seller,
        buyer=buyer,
        buyer_reference=cases.LEITWEG_ID,
        lines=invoice_lines,
        type_code=kind,
        payment=payment,
        payment_terms=draw(TEXT),
        notes=draw(st.lists(TEXT, max_size=2)),
        delivery=delivery,
        allowances_charges=document_allowances,
        vat_exemption_reasons={
            category: EXEMPTIONS[category] for category in categories if category in EXEMPTIONS
        },
        preceding_invoices=[PrecedingInvoice("RE-1", issue - timedelta(days=10))] if kind != "380" else [],
    )
    if kind == "380" and draw(st.booleans()):
        total = compute_totals(invoice).tax_inclusive
        invoice.paid_amount = (total * Decimal(draw(st.integers(0, 100))) / 100).quantize(Decimal("0.01"))
    return invoice


@ROUND_TRIP
@given(invoices())
def test_generated_invoice_reads_back_equal(invoice):
    assert parse(build(invoice)) == invoice


@ROUND_TRIP
@given(invoices())
def test_own_checks_accept_every_generated_invoice(invoice):
    report = validate(build(invoice), rules_dir="/nonexistent/xrechnung-rules")
    assert [(f.rule_id, f.message_en) for f in report.findings] == []


@OFFICIAL
@given(invoice=invoices())
def test_generated_invoice_passes_the_official_validator(invoice, fatal_findings):
    assert fatal_findings(build(invoice)) == []


@ROUND_TRIP
@given(invoices())
def test_totals_add_up_as_en16931_says(invoice):
    totals = compute_totals(invoice)
    assert totals.line_total == sum(totals.line_net_amounts, Decimal("0"))
    assert all(amount == amount.quantize(Decimal("0.01")) for amount in totals.line_net_amounts)
    for group in totals.vat_breakdown:
        exact = group.taxable_amount * group.rate / 100
        assert abs(group.tax_amount - exact) <= Decimal("0.005")
    assert totals.vat_total == sum((g.tax_amount for g in totals.vat_breakdown), Decimal("0"))
    assert totals.tax_exclusive == totals.line_total - totals.allowance_total + totals.charge_total
    assert totals.amount_due == totals.tax_inclusive - totals.paid
