"""Issuing invoices: pre-filled from the contract, built and validated, numbered, stored as issued.

Every invoice these tests issue is checked with the official validator
(``../shared/xrechnung/validate.py``: UBL XSD, EN 16931 and KoSIT XRechnung rules).
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pypdf
from flask import Flask
from lxml import etree
from sqlalchemy import select

from procurement.awards.models import Contract
from procurement.extensions import db
from procurement.invoices import services
from procurement.invoices.models import Invoice, InvoiceKind
from tests.conftest import audit_actions, count, csrf_token, page_text, submit
from tests.procurement.invoices.conftest import (
    BUYER,
    BUYER_AUDITOR,
    BUYER_COLLEAGUE,
    LOT_TITLE,
    NOW,
    OTHER_VENDOR,
    PARTNER,
    VENDOR,
    Awarded,
    complete_billing_profile,
    user,
)
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


# --- helpers for the pages ---------------------------------------------------------------------


def invoice_row(app: Flask, invoice_id: int) -> Invoice:
    with app.app_context():
        row = db.session.get(Invoice, invoice_id)
        db.session.expunge(row)
        return row


def drafted(app: Flask, contract_id: int) -> int:
    with app.test_request_context():
        contract = db.session.get(Contract, contract_id)
        invoice = services.create_invoice(user(VENDOR), contract, services.prefill(contract, NOW), NOW)
        db.session.commit()
        return invoice.id


def post_action(client, invoice_id: int, action: str, **data):  # type: ignore[no-untyped-def]
    page = f"/rechnungen/{invoice_id}"
    html = client.get(page).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', html)
    payload = {"version": version.group(1) if version else ""} | data
    return submit(client, f"/rechnungen/{invoice_id}/{action}", payload, form_url=page)


# --- pre-filling and editing -------------------------------------------------------------------


def test_the_new_invoice_is_pre_filled_from_the_contract(app, client, auth, billing_profile: Awarded):
    auth.login(VENDOR)
    response = client.get(f"/vertraege/{billing_profile.contract_id}/rechnungen/neu")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert "08125099-RECHNUNG-39" in text and "Stadt Talheim an der Lauter" in text
    assert f'value="{LOT_TITLE}"' in html
    assert 'name="lines-0-quantity" type="text" value="10"' in html or re.search(
        r'name="lines-0-quantity"[^>]*value="10"', html
    )
    assert re.search(r'name="lines-0-unit_price"[^>]*value="3200,00"', html)
    assert re.search(r'<option selected value="H87">', html)
    assert re.search(r'<option selected value="S:19">', html)
    today = services.today_in_berlin(services_now())
    assert re.search(rf'name="issue_date"[^>]*value="{today.isoformat()}"', html)
    due = today + timedelta(days=30)
    assert re.search(rf'name="due_date"[^>]*value="{due.isoformat()}"', html)


def services_now():  # type: ignore[no-untyped-def]
    from procurement.database import utcnow

    return utcnow()


def test_a_draft_saved_with_german_amounts_and_an_added_line_keeps_decimals(
    app, client, auth, billing_profile: Awarded
):
    auth.login(VENDOR)
    url = f"/vertraege/{billing_profile.contract_id}/rechnungen/neu"
    form = {
        "issue_date": "2027-03-01",
        "due_date": "2027-03-31",
        "note": "Lieferung März",
        "lines-0-name": "Steuergerät",
        "lines-0-quantity": "2,5",
        "lines-0-unit_code": "H87",
        "lines-0-unit_price": "1.234,5678",
        "lines-0-vat": "S:19",
        "lines-1-name": "Einweisung",
        "lines-1-quantity": "3",
        "lines-1-unit_code": "HUR",
        "lines-1-unit_price": "95,00",
        "lines-1-vat": "S:7",
        "lines-2-name": "gestrichen",
        "lines-2-quantity": "1",
        "lines-2-unit_code": "C62",
        "lines-2-unit_price": "1",
        "lines-2-vat": "S:19",
        "lines-2-remove": "y",
    }
    added = submit(client, url, form | {"add_line": "1"})
    assert added.status_code == 200
    assert 'name="lines-3-name"' in added.get_data(as_text=True)
    assert count(app, Invoice) == 0
    response = submit(client, url, form | {"save": "1"})
    assert response.status_code == 302
    with app.app_context():
        invoice = db.session.scalars(select(Invoice)).one()
        lines = [
            (line.name, line.quantity, line.unit_code, line.unit_price, line.vat_rate)
            for line in invoice.lines
        ]
        assert lines == [
            ("Steuergerät", Decimal("2.5"), "H87", Decimal("1234.5678"), Decimal("19")),
            ("Einweisung", Decimal("3"), "HUR", Decimal("95"), Decimal("7")),
        ]
        assert invoice.status is InvoiceStatus.draft and services.is_draft_number(invoice.number)
        assert invoice.note == "Lieferung März"


def test_a_line_with_a_wrong_number_is_refused_and_nothing_is_saved(app, client, auth, billing_profile):
    auth.login(VENDOR)
    url = f"/vertraege/{billing_profile.contract_id}/rechnungen/neu"
    response = submit(
        client,
        url,
        {
            "issue_date": "2027-03-01",
            "lines-0-name": "Steuergerät",
            "lines-0-quantity": "zwei",
            "lines-0-unit_code": "H87",
            "lines-0-unit_price": "10,123456",
            "lines-0-vat": "S:19",
            "save": "1",
        },
    )
    assert response.status_code == 422
    text = page_text(response)
    assert "Bitte geben Sie eine Zahl ein" in text and "Höchstens 4 Nachkommastellen" in text
    assert count(app, Invoice) == 0


# --- issuing on the page -----------------------------------------------------------------------


def test_issuing_on_the_page_numbers_and_offers_xml_and_pdf(
    app, client, auth, billing_profile, official_fatal
):
    invoice_id = drafted(app, billing_profile.contract_id)
    auth.login(VENDOR)
    response = post_action(client, invoice_id, "ausstellen")
    assert response.status_code == 302
    page = client.get(f"/rechnungen/{invoice_id}")
    text = page_text(page)
    assert "RE-2027-000001" in text and "XSD + EN 16931 + XRechnung" in text
    row = invoice_row(app, invoice_id)
    assert row.status is InvoiceStatus.issued
    xml = client.get(f"/rechnungen/{invoice_id}.xml")
    assert xml.status_code == 200 and xml.data == row.xml
    assert hashlib.sha256(xml.data).hexdigest() == row.xml_sha256
    assert 'filename="RE-2027-000001.xml"' in xml.headers["Content-Disposition"] or (
        "RE-2027-000001.xml" in xml.headers["Content-Disposition"]
    )
    assert official_fatal(xml.data) == []
    pdf = client.get(f"/rechnungen/{invoice_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    pdf_text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert "RE-2027-000001" in pdf_text
    assert "invoice.issue" in audit_actions(app)


def test_a_stored_xml_that_does_not_match_its_checksum_is_not_delivered(app, client, auth, billing_profile):
    issued = draft_and_issue(app, billing_profile.contract_id)
    with app.app_context():
        row = db.session.get(Invoice, issued["id"])
        row.xml = row.xml.replace(b"RE-2027-000001", b"RE-2027-000999")
        db.session.commit()
    auth.login(VENDOR)
    assert client.get(f"/rechnungen/{issued['id']}.xml").status_code == 409
    assert client.get(f"/rechnungen/{issued['id']}.pdf").status_code == 409


def test_without_bank_details_and_tax_id_nothing_is_issued_and_the_page_says_what_is_missing(
    app, client, auth, awarded: Awarded
):
    invoice_id = drafted(app, awarded.contract_id)
    with app.app_context():
        complete_billing_profile(awarded.vendor_organisation_id, iban="", contact_phone="")
        db.session.commit()
    auth.login(VENDOR)
    response = post_action(client, invoice_id, "ausstellen")
    assert response.status_code == 302
    text = page_text(client.get(f"/rechnungen/{invoice_id}"))
    assert "die IBAN fehlt" in text
    assert "Kontakt für Rückfragen" in text
    row = invoice_row(app, invoice_id)
    assert row.status is InvoiceStatus.draft and row.xml is None and services.is_draft_number(row.number)


def test_an_invalid_leitweg_id_is_not_issued_and_the_findings_are_listed(app, client, auth, billing_profile):
    with app.app_context():
        contract = db.session.get(Contract, billing_profile.contract_id)
        contract.leitweg_id = "08125099-RECHNUNG-00"  # wrong check digits
        db.session.commit()
    invoice_id = drafted(app, billing_profile.contract_id)
    auth.login(VENDOR)
    post_action(client, invoice_id, "ausstellen")
    row = invoice_row(app, invoice_id)
    assert row.status is InvoiceStatus.draft and not row.xml_valid and row.xml is None
    assert services.is_draft_number(row.number)
    rules = {finding["rule_id"] for finding in row.findings if finding["severity"] == "fatal"}
    assert any(rule.startswith("LEITWEG-ID") for rule in rules)
    text = page_text(client.get(f"/rechnungen/{invoice_id}"))
    assert "Die XRechnung ist nicht gültig" in text
    assert next(rule for rule in rules if rule.startswith("LEITWEG-ID")) in text
    assert "invoice.issue" not in audit_actions(app)
    # the next valid invoice still gets number 1: a refused one uses no number
    with app.app_context():
        contract = db.session.get(Contract, billing_profile.contract_id)
        contract.leitweg_id = "08125099-RECHNUNG-39"
        db.session.commit()
    post_action(client, invoice_id, "ausstellen")
    assert invoice_row(app, invoice_id).number == "RE-2027-000001"


def test_sending_delivers_to_the_buyer_and_mails_its_officers(app, client, auth, billing_profile, mailbox):
    issued = draft_and_issue(app, billing_profile.contract_id)
    auth.login(VENDOR)
    response = post_action(client, issued["id"], "versenden")
    assert response.status_code == 302
    row = invoice_row(app, issued["id"])
    assert row.status is InvoiceStatus.sent and row.sent_at is not None
    for officer in (BUYER, BUYER_COLLEAGUE):
        link = mailbox.link(officer, "/rechnungen/")
        assert link == f"/rechnungen/{issued['id']}"
        assert "RE-2027-000001" in mailbox.to(officer)[-1]["Subject"]
    assert mailbox.to(BUYER_AUDITOR) == [] and mailbox.to(PARTNER) == []
    auth.logout()
    auth.login(BUYER)
    assert "RE-2027-000001" in page_text(client.get(f"/rechnungen/{issued['id']}"))
    assert client.get(f"/rechnungen/{issued['id']}.xml").data == row.xml


# --- credit notes ------------------------------------------------------------------------------


def test_a_credit_note_references_the_invoice_and_passes_the_official_rules(
    app, client, auth, billing_profile, official_fatal
):
    issued = draft_and_issue(app, billing_profile.contract_id)
    auth.login(VENDOR)
    response = post_action(client, issued["id"], "korrektur")
    assert response.status_code == 302
    note_id = int(response.headers["Location"].rsplit("/", 1)[1])
    response = post_action(client, note_id, "ausstellen")
    note = invoice_row(app, note_id)
    assert note.status is InvoiceStatus.issued and note.kind is InvoiceKind.credit_note
    assert note.number == "RE-2027-000002" and note.preceding_invoice_id == issued["id"]
    assert official_fatal(note.xml) == []
    root = etree.fromstring(note.xml)
    assert etree.QName(root).localname == "CreditNote"
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    reference = root.find("cac:BillingReference/cac:InvoiceDocumentReference", namespaces=NS)
    assert reference.findtext("cbc:ID", namespaces=NS) == "RE-2027-000001"
    assert reference.findtext("cbc:IssueDate", namespaces=NS) == NOW.date().isoformat()
    assert note.gross_total == Decimal("38080.00")


def test_a_credit_note_needs_an_issued_invoice(app, client, auth, billing_profile):
    invoice_id = drafted(app, billing_profile.contract_id)
    auth.login(VENDOR)
    response = post_action(client, invoice_id, "korrektur")
    assert response.status_code == 409
    assert count(app, Invoice) == 1


# --- forms: CSRF, double submit, stale ---------------------------------------------------------


def test_posts_without_csrf_token_change_nothing(app, client, auth, billing_profile):
    invoice_id = drafted(app, billing_profile.contract_id)
    auth.login(VENDOR)
    for action in ("ausstellen", "verwerfen"):
        assert client.post(f"/rechnungen/{invoice_id}/{action}", data={}).status_code == 400
    assert client.post(f"/zuschlaege/{billing_profile.award_id}/rechnungen", data={}).status_code == 400
    assert invoice_row(app, invoice_id).status is InvoiceStatus.draft
    assert count(app, Invoice) == 1


def test_issuing_twice_from_the_same_page_issues_once(app, client, auth, billing_profile):
    invoice_id = drafted(app, billing_profile.contract_id)
    auth.login(VENDOR)
    page = f"/rechnungen/{invoice_id}"
    token = csrf_token(client, page)
    first = client.post(f"{page}/ausstellen", data={"csrf_token": token, "version": "1"})
    second = client.post(f"{page}/ausstellen", data={"csrf_token": token, "version": "1"})
    assert first.status_code == 302 and second.status_code == 409
    row = invoice_row(app, invoice_id)
    assert row.number == "RE-2027-000001" and row.status is InvoiceStatus.issued
    assert audit_actions(app).count("invoice.issue") == 1


def test_saving_a_draft_from_a_stale_page_is_a_conflict(app, client, auth, billing_profile):
    invoice_id = drafted(app, billing_profile.contract_id)
    auth.login(VENDOR)
    page = f"/rechnungen/{invoice_id}"
    stale = {
        "version": "1",
        "issue_date": "2027-03-01",
        "lines-0-name": "geändert",
        "lines-0-quantity": "1",
        "lines-0-unit_code": "H87",
        "lines-0-unit_price": "1,00",
        "lines-0-vat": "S:19",
        "save": "1",
    }
    assert submit(client, page, stale).status_code == 302
    response = submit(client, page, stale | {"lines-0-name": "zweite Änderung"})
    assert response.status_code == 409
    with app.app_context():
        assert [line.name for line in db.session.get(Invoice, invoice_id).lines] == ["geändert"]


def test_an_issued_invoice_cannot_be_edited_or_discarded(app, client, auth, billing_profile):
    issued = draft_and_issue(app, billing_profile.contract_id)
    auth.login(VENDOR)
    assert post_action(client, issued["id"], "verwerfen").status_code == 409
    assert invoice_row(app, issued["id"]).status is InvoiceStatus.issued


# --- lists and links ---------------------------------------------------------------------------


def test_the_contract_page_links_the_vendor_to_invoicing_and_the_buyer_to_its_invoices(
    app, client, auth, billing_profile
):
    contract_id = billing_profile.contract_id
    auth.login(VENDOR)
    html = client.get(f"/vertraege/{contract_id}").get_data(as_text=True)
    assert f'href="/vertraege/{contract_id}/rechnungen/neu"' in html
    assert f'href="/zuschlaege/{billing_profile.award_id}/rechnungen"' in html
    assert 'href="/rechnungen"' in html  # the navigation
    auth.logout()
    auth.login(BUYER)
    html = client.get(f"/vertraege/{contract_id}").get_data(as_text=True)
    assert f'href="/vertraege/{contract_id}/rechnungen"' in html
    assert "/rechnungen/neu" not in html


def test_my_invoices_lists_only_the_vendors_own_and_filters_by_status(app, client, auth, billing_profile):
    issued = draft_and_issue(app, billing_profile.contract_id)
    draft_id = drafted(app, billing_profile.contracts[PARTNER])
    auth.login(VENDOR)
    everything = page_text(client.get("/rechnungen"))
    assert "RE-2027-000001" in everything and "(Entwurf)" in everything
    only_issued = client.get("/rechnungen?status=issued").get_data(as_text=True)
    assert f'href="/rechnungen/{issued["id"]}"' in only_issued
    assert f'href="/rechnungen/{draft_id}"' not in only_issued
    drafts = client.get("/rechnungen?status=draft").get_data(as_text=True)
    assert f'href="/rechnungen/{draft_id}"' in drafts and f'href="/rechnungen/{issued["id"]}"' not in drafts
    auth.logout()
    auth.login(OTHER_VENDOR)
    assert "RE-2027-000001" not in page_text(client.get("/rechnungen"))


def test_a_discarded_draft_leaves_the_contract_list_marked_and_uses_no_number(
    app, client, auth, billing_profile
):
    draft_id = drafted(app, billing_profile.contract_id)
    auth.login(VENDOR)
    assert post_action(client, draft_id, "verwerfen").status_code == 302
    assert invoice_row(app, draft_id).status is InvoiceStatus.discarded
    text = page_text(client.get(f"/vertraege/{billing_profile.contract_id}/rechnungen"))
    assert "Verworfen" in text
    issued = draft_and_issue(app, billing_profile.contract_id)
    assert issued["number"] == "RE-2027-000001"


def test_without_official_rules_the_invoice_is_checked_by_the_own_rules_and_says_so(
    app, client, auth, billing_profile, monkeypatch
):
    # the app's configuration decides, never the process environment
    monkeypatch.setenv("XRECHNUNG_RULES_DIR", str(Path(__file__).parent))
    monkeypatch.setitem(app.config, "XRECHNUNG_RULES_DIR", "")
    invoice_id = drafted(app, billing_profile.contract_id)
    auth.login(VENDOR)
    post_action(client, invoice_id, "ausstellen")
    row = invoice_row(app, invoice_id)
    assert row.status is InvoiceStatus.issued and row.validation_level == "own"
    assert "nur eigene Prüfungen der Plattform" in page_text(client.get(f"/rechnungen/{invoice_id}"))
