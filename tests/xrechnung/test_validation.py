"""The validation report: own checks with rule ids, the official stage, the level it says it ran."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from lxml import etree

from tests.xrechnung import cases
from xrechnung import CheckLevel, Severity, build, rules_directory, validate, validate_xsd
from xrechnung.validation import ARTEFACTS, _engine

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def tampered(document: bytes, change: Callable[[etree._Element], None]) -> bytes:
    root = etree.fromstring(document)
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def set_text(path: str, value: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        root.find(path, NS).text = value

    return change


def remove(path: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        for element in root.findall(path, NS):
            element.getparent().remove(element)

    return change


BASE = build(cases.mixed_19_and_7())
BROKEN = {
    "missing BT-10": (remove("cbc:BuyerReference"), "BR-DE-15"),
    "line total": (set_text("cac:LegalMonetaryTotal/cbc:LineExtensionAmount", "1634.61"), "BR-CO-10"),
    "total without VAT": (set_text("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", "1600.00"), "BR-CO-13"),
    "VAT total": (set_text("cac:TaxTotal/cbc:TaxAmount", "306.14"), "BR-CO-14"),
    "total with VAT": (set_text("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", "1950.73"), "BR-CO-15"),
    "amount due": (set_text("cac:LegalMonetaryTotal/cbc:PayableAmount", "1900.00"), "BR-CO-16"),
    "taxable amount": (set_text("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount", "1500.00"), "BR-S-08"),
    "VAT of a category": (set_text("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount", "290.00"), "BR-CO-17"),
    "no payment instructions": (remove("cac:PaymentMeans"), "BR-DE-1"),
    "no seller contact": (remove("cac:AccountingSupplierParty/cac:Party/cac:Contact"), "BR-DE-2"),
    "no buyer city": (
        remove("cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:CityName"),
        "BR-DE-8",
    ),
    "no seller email address": (
        remove("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID"),
        "PEPPOL-EN16931-R020",
    ),
    "no lines": (remove("cac:InvoiceLine"), "BR-16"),
    "negative price": (set_text("cac:InvoiceLine/cac:Price/cbc:PriceAmount", "-1.00"), "BR-27"),
    "standard rate of 0": (
        set_text("cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", "0"),
        "BR-S-05",
    ),
    "no VAT breakdown": (remove("cac:TaxTotal/cac:TaxSubtotal"), "BR-CO-18"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_own_checks_reject_broken_document_with_the_official_rule_id(name, own_checks_only):
    change, rule_id = BROKEN[name]
    report = validate(tampered(BASE, change))
    assert report.level is CheckLevel.OWN
    assert not report.valid
    assert rule_id in {finding.rule_id for finding in report.errors}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_official_rules_name_the_same_rule(name, fatal_findings):
    change, rule_id = BROKEN[name]
    assert rule_id in {rule for _, rule, _ in fatal_findings(tampered(BASE, change))}


def test_a_rate_without_its_own_breakdown_is_rejected(own_checks_only, fatal_findings):
    def merge_seven_into_nineteen(root: etree._Element) -> None:
        nineteen, seven = root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
        seven.getparent().remove(seven)
        nineteen.find("cbc:TaxableAmount", NS).text = "1634.60"
        nineteen.find("cbc:TaxAmount", NS).text = "310.57"
        root.find("cac:TaxTotal/cbc:TaxAmount", NS).text = "310.57"
        root.find("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", NS).text = "1945.17"
        root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS).text = "1945.17"

    document = tampered(BASE, merge_seven_into_nineteen)
    assert "BR-S-08" in {finding.rule_id for finding in validate(document).errors}
    assert "BR-S-08" in {rule for _, rule, _ in fatal_findings(document)}


def test_wrong_sum_is_explained_in_german_with_both_amounts(own_checks_only):
    change, _ = BROKEN["total with VAT"]
    finding = next(f for f in validate(tampered(BASE, change)).findings if f.rule_id == "BR-CO-15")
    assert finding.severity is Severity.FATAL
    assert "Gesamtbetrag mit Umsatzsteuer (BT-112)" in finding.message_de
    assert "Angegeben: 1950.73, berechnet: 1940.73" in finding.message_de
    assert "invoice total with VAT (BT-112)" in finding.message_en
    assert finding.location.endswith("cbc:TaxInclusiveAmount")


def test_vat_one_cent_off_is_tolerated_as_the_official_rules_do(own_checks_only):
    off_by_a_cent = tampered(
        BASE,
        lambda root: [
            set_text("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount", "303.55")(root),
            set_text("cac:TaxTotal/cbc:TaxAmount", "306.14")(root),
            set_text("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", "1940.74")(root),
            set_text("cac:LegalMonetaryTotal/cbc:PayableAmount", "1940.74")(root),
        ],
    )
    report = validate(off_by_a_cent)
    assert report.valid
    assert [(f.rule_id, f.severity) for f in report.findings] == [("XR-ROUNDING", Severity.WARNING)]


def test_a_wrong_leitweg_id_is_an_error_for_public_buyers_and_a_warning_otherwise(own_checks_only):
    document = build(replace(cases.standard_19(), buyer_reference="08416041-RECHNUNG-61"))
    strict = validate(document)
    assert [(f.rule_id, f.severity) for f in strict.findings] == [("LEITWEG-ID-CHECK-DIGITS", Severity.FATAL)]
    lenient = validate(document, leitweg_severity=Severity.WARNING)
    assert lenient.valid and lenient.rule_ids == {"LEITWEG-ID-CHECK-DIGITS"}
    malformed = validate(build(replace(cases.standard_19(), buyer_reference="Einkauf Frau Maier")))
    assert malformed.rule_ids == {"LEITWEG-ID-STRUCTURE"}


def test_direct_debit_without_creditor_id_or_debited_account_is_rejected(own_checks_only):
    document = build(cases.direct_debit())
    no_creditor = tampered(document, remove("cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification"))
    assert "BR-DE-30" in validate(no_creditor).rule_ids
    no_account = tampered(document, remove("cac:PaymentMeans/cac:PaymentMandate/cac:PayerFinancialAccount"))
    assert "BR-DE-31" in validate(no_account).rule_ids


def test_missing_exemption_reason_for_reverse_charge_is_rejected(own_checks_only, fatal_findings):
    document = tampered(
        build(cases.reverse_charge()),
        remove("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason"),
    )
    document = tampered(
        document, remove("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode")
    )
    assert "BR-AE-10" in validate(document).rule_ids
    assert "BR-AE-10" in {rule for _, rule, _ in fatal_findings(document)}


def test_report_says_plainly_which_level_ran(official_rules, monkeypatch):
    document = build(cases.standard_19())
    official = validate(document, official_rules)
    assert official.level is CheckLevel.OFFICIAL
    assert official.level_label == "XSD + EN 16931 + XRechnung"
    assert "offizielle" in official.level_label_de
    assert official.rules_dir == str(official_rules)
    monkeypatch.setenv("XRECHNUNG_RULES_DIR", "")
    own = validate(document)
    assert own.level is CheckLevel.OWN
    assert own.level_label == "own checks only"
    assert own.level_label_de.startswith("nur eigene Prüfungen")
    assert "XRECHNUNG_RULES_DIR" in own.official_unavailable


def test_rules_dir_comes_from_the_environment_and_is_checked_for_completeness(
    tmp_path, monkeypatch, official_rules
):
    monkeypatch.setenv("XRECHNUNG_RULES_DIR", str(official_rules))
    assert rules_directory() == (official_rules.resolve(), "")
    (tmp_path / "xsd").mkdir()
    monkeypatch.setenv("XRECHNUNG_RULES_DIR", str(tmp_path))
    directory, reason = rules_directory()
    assert directory is None
    assert ARTEFACTS["EN 16931"] in reason and ARTEFACTS["XRechnung"] in reason
    report = validate(build(cases.standard_19()))
    assert report.level is CheckLevel.OWN and report.official_unavailable == reason


def test_unknown_element_fails_the_schema_and_is_named_by_the_library(official_rules, own_checks_only):
    def add_bogus(root: etree._Element) -> None:
        bogus = etree.Element(f"{{{NS['cbc']}}}Bogus")
        bogus.text = "x"
        root.find("cbc:DocumentCurrencyCode", NS).addnext(bogus)

    document = tampered(build(cases.standard_19()), add_bogus)
    official = validate(document, official_rules)
    assert "XSD" in {finding.rule_id for finding in official.errors}
    own = validate(document)
    unsupported = [finding for finding in own.findings if finding.rule_id == "XR-UNSUPPORTED"]
    assert unsupported and unsupported[0].severity is Severity.WARNING
    assert "Bogus" in unsupported[0].location


def test_extension_scenario_regrades_br_co_16_as_information(official_rules):
    report = validate(build(cases.extension_sub_lines_and_third_party()), official_rules)
    assert report.scenario == "extension"
    assert report.valid
    levels = {finding.rule_id: finding.severity for finding in report.findings}
    assert levels["BR-CO-16"] is Severity.INFORMATION


def test_extension_amount_due_is_checked_with_third_party_payments(own_checks_only):
    document = tampered(
        build(cases.extension_sub_lines_and_third_party()),
        set_text("cac:LegalMonetaryTotal/cbc:PayableAmount", "2106.30"),
    )
    assert "BR-DEX-09" in {finding.rule_id for finding in validate(document).errors}


def test_official_findings_are_not_repeated_when_the_own_checks_found_them(official_rules):
    change, _ = BROKEN["total with VAT"]
    report = validate(tampered(BASE, change), official_rules)
    assert [f.source for f in report.findings if f.rule_id == "BR-CO-15"] == ["own"]


def test_cen_rules_the_library_does_not_know_keep_the_official_english_text(official_rules):
    def name_twice(root: etree._Element) -> None:
        code = root.find("cac:PaymentMeans/cbc:PaymentMeansCode", NS)
        code.set("name", "Überweisung")
        second = etree.fromstring(etree.tostring(root.find("cac:PaymentMeans", NS)))
        root.find("cac:PaymentMeans", NS).addnext(second)

    report = validate(tampered(build(cases.standard_19()), name_twice), official_rules)
    finding = next(f for f in report.findings if f.rule_id == "UBL-SR-46")
    assert finding.source == "en16931" and finding.severity is Severity.FATAL
    assert "Payment means text shall occur maximum once" in finding.message_en
    assert finding.message_de.startswith("Regel UBL-SR-46 der EN 16931 ist verletzt")


def test_compiled_rules_are_cached_per_process(official_rules):
    validate(build(cases.standard_19()), official_rules)
    before = _engine.cache_info()
    validate(build(cases.reduced_7()), official_rules)
    after = _engine.cache_info()
    assert after.misses == before.misses and after.hits == before.hits + 1


def test_validate_xsd_checks_the_schema_only(official_rules):
    assert validate_xsd(build(cases.standard_19()), official_rules) == []
    broken = tampered(build(cases.standard_19()), set_text("cbc:IssueDate", "2. März 2026"))
    findings = validate_xsd(broken, official_rules)
    assert findings and {f.rule_id for f in findings} == {"XSD"}


def test_amount_with_three_decimals_breaks_br_dec(own_checks_only):
    document = tampered(BASE, set_text("cac:InvoiceLine/cbc:LineExtensionAmount", "999.600"))
    assert "BR-DEC-23" in validate(document).rule_ids


def test_an_empty_rules_dir_argument_means_own_checks_only_whatever_the_environment_says(
    monkeypatch: pytest.MonkeyPatch, tmp_path
):
    """An application passes its own setting; "" must not fall back to the environment or cwd."""
    monkeypatch.setenv("XRECHNUNG_RULES_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    directory, reason = rules_directory("")
    assert directory is None and "abgeschaltet" in reason
    report = validate(build(next(iter(cases.CASES.values()))()), rules_dir="")
    assert report.level is CheckLevel.OWN
