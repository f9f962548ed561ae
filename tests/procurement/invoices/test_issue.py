"""Issuing invoices: pre-filled from the contract, built and validated, numbered, stored as issued.

Every invoice these tests issue is checked with the official validator
(``../shared/xrechnung/validate.py``: UBL XSD, EN 16931 and KoSIT XRechnung rules).
"""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from lxml import etree

from procurement.awards.models import Contract
from procurement.extensions import db
from procurement.invoices import services
from procurement.invoices.models import Invoice
from tests.procurement.invoices.conftest import NOW, VENDOR, Awarded, user
from workflows.invoice import InvoiceStatus

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


def draft_and_issue(app: Flask, contract_id: int, **changes: object) -> dict[str, object]:
    """A draft pre-filled from the contract, issued through the services; the result as plain data."""
    with app.test_request_context():
        actor = user(VENDOR)
        contract = db.session.get(Contract, contract_id)
        data = services.prefill(contract, NOW)
        for name, value in changes.items():
            setattr(data, name, value)
        invoice = services.create_invoice(actor, contract, data, NOW)
        result = services.issue_invoice(actor, invoice, NOW)
        db.session.commit()
        return {
            "id": invoice.id,
            "issued": result.issued,
            "number": invoice.number,
            "status": invoice.status,
            "xml": invoice.xml,
            "findings": result.findings,
            "gross": invoice.gross_total,
            "net": invoice.net_total,
            "vat": invoice.vat_total,
            "level": invoice.validation_level,
        }


def test_an_issued_invoice_passes_the_official_rules_and_carries_leitweg_id_and_contract(
    app, billing_profile: Awarded, official_fatal
):
    issued = draft_and_issue(app, billing_profile.contract_id)
    assert issued["issued"] and issued["status"] is InvoiceStatus.issued
    assert official_fatal(issued["xml"]) == []
    assert issued["level"] == "official"
    assert issued["number"] == "RE-2027-000001"
    # 10 Stück × 3.200,0000 € = 32.000,00 € + 19 % = 38.080,00 € (computed by the library)
    assert (issued["net"], issued["vat"], issued["gross"]) == (
        Decimal("32000.00"),
        Decimal("6080.00"),
        Decimal("38080.00"),
    )
    root = etree.fromstring(issued["xml"])
    assert root.findtext("cbc:BuyerReference", namespaces=NS) == "08125099-RECHNUNG-39"
    assert root.findtext("cac:ContractDocumentReference/cbc:ID", namespaces=NS).endswith("-L1-08125099")
    endpoint = root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", namespaces=NS)
    assert (endpoint.text, endpoint.get("schemeID")) == ("08125099-RECHNUNG-39", "0204")
    assert root.findtext("cac:InvoiceLine/cbc:InvoicedQuantity", namespaces=NS) == "10.000" or Decimal(
        root.findtext("cac:InvoiceLine/cbc:InvoicedQuantity", namespaces=NS)
    ) == Decimal(10)
    assert root.find("cac:InvoiceLine/cbc:InvoicedQuantity", namespaces=NS).get("unitCode") == "H87"
    with app.app_context():
        stored = db.session.get(Invoice, issued["id"])
        assert stored.xml_valid and stored.issued_at == NOW
        assert stored.parties["buyer"]["leitweg_id"] == "08125099-RECHNUNG-39"
