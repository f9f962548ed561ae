"""The whole way through the services: the vendor issues and sends, the municipality finds the
invoice in its inbox, settles it from the invoice page, and its XML passes the check page."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
import time_machine
from flask import Flask

from procurement.awards.models import Contract
from procurement.extensions import db
from procurement.invoices import services
from procurement.invoices.models import Invoice
from tests.conftest import csrf_token, one, page_text
from tests.procurement.invoices.conftest import BUYER, BUYER_AUDITOR, NOW, VENDOR, Awarded, user
from workflows.invoice import InvoiceStatus


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def sent_invoice(app: Flask, billing_profile: Awarded) -> int:
    """Talheim's invoice, issued and sent by the vendor through the services."""
    with app.test_request_context():
        vendor = user(VENDOR)
        contract = db.session.get(Contract, billing_profile.contract_id)
        invoice = services.create_invoice(vendor, contract, services.prefill(contract, NOW), NOW)
        result = services.issue_invoice(vendor, invoice, NOW)
        assert result.issued, result.findings
        services.send_invoice(vendor, invoice, NOW)
        db.session.commit()
        return invoice.id


def test_buyer_pays_an_invoice_sent_through_the_services(app, auth, sent_invoice, mailbox):
    invoice = one(app, Invoice, Invoice.id == sent_invoice)
    auth.login(BUYER)
    inbox = auth.client.get("/rechnungen/eingang")
    assert invoice.number in page_text(inbox)
    assert "38.080,00" in page_text(inbox)  # 10 × 3.200,00 € + 19 % VAT
    page = auth.client.get(f"/rechnungen/{sent_invoice}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Als bezahlt markieren" in html and f'action="/rechnungen/{sent_invoice}/erledigen"' in html
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    response = auth.client.post(
        f"/rechnungen/{sent_invoice}/erledigen",
        data={
            "csrf_token": csrf_token(auth.client, f"/rechnungen/{sent_invoice}"),
            "action": "paid",
            "payment_date": "2027-03-01",
            "version": version,
        },
    )
    assert response.status_code == 303
    assert one(app, Invoice, Invoice.id == sent_invoice).status is InvoiceStatus.paid
    assert any("bezahlt" in mail["Subject"] for mail in mailbox.to(VENDOR))
    # settled: the page offers no more actions
    assert "Als bezahlt markieren" not in auth.client.get(f"/rechnungen/{sent_invoice}").get_data(
        as_text=True
    )


def test_auditor_reads_the_invoice_page_without_actions(app, auth, sent_invoice):
    auth.login(BUYER_AUDITOR)
    page = auth.client.get(f"/rechnungen/{sent_invoice}")
    assert page.status_code == 200
    assert "Als bezahlt markieren" not in page.get_data(as_text=True)


def test_the_platforms_own_xml_passes_the_check_page(app, auth, sent_invoice):
    invoice = one(app, Invoice, Invoice.id == sent_invoice)
    auth.login(BUYER)
    response = auth.client.post(
        "/rechnungen/pruefen",
        data={
            "csrf_token": csrf_token(auth.client, "/rechnungen/pruefen"),
            "file": (io.BytesIO(invoice.xml), f"{invoice.number}.xml"),
        },
        content_type="multipart/form-data",
    )
    text = page_text(response)
    assert response.status_code == 200
    assert "Nicht gültig" not in text
    assert invoice.number in text and "Stadt Talheim an der Lauter" in text
