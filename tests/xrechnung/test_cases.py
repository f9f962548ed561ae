"""Every invoice the library builds passes the official rules and reads back unchanged."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.xrechnung.cases import CASES
from xrechnung import XRECHNUNG_3_0, CheckLevel, build, parse, validate

NAMES = sorted(CASES)


def test_there_are_at_least_thirty_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", NAMES)
def test_built_invoice_passes_the_official_validator(name, fatal_findings):
    document = build(CASES[name]())
    assert fatal_findings(document) == []


@pytest.mark.parametrize("name", NAMES)
def test_built_invoice_reads_back_equal(name):
    invoice = CASES[name]()
    assert parse(build(invoice)) == invoice


@pytest.mark.parametrize("name", NAMES)
def test_own_checks_find_nothing_wrong_in_a_built_invoice(name, own_checks_only):
    report = validate(build(CASES[name]()))
    assert report.level is CheckLevel.OWN
    assert [(f.rule_id, f.message_de) for f in report.findings] == []


def test_credit_note_is_a_ubl_credit_note_with_credited_quantities():
    root = etree.fromstring(build(CASES["credit_note"]()))
    assert etree.QName(root).localname == "CreditNote"
    assert root.findtext("{*}CreditNoteTypeCode") == "381"
    assert root.find("{*}CreditNoteLine/{*}CreditedQuantity") is not None
    assert root.findtext("{*}BillingReference/{*}InvoiceDocumentReference/{*}ID") == "RE-2026-0001"


def test_every_document_names_xrechnung_3_and_the_peppol_profile():
    root = etree.fromstring(build(CASES["standard_19"]()))
    assert root.findtext("{*}CustomizationID") == XRECHNUNG_3_0
    assert root.findtext("{*}ProfileID") == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert root.findtext("{*}BuyerReference") == "08416041-RECHNUNG-60"
