"""A municipality's received invoices over the API: list with the inbox's filters, one invoice,
its XML byte for byte with the SHA-256 as ETag, mark paid and reject through the inbox services
(machine, audit, mail to the vendor); drafts and other municipalities' invoices are not found."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from procurement.audit.models import AuditEntry
from procurement.extensions import db
from procurement.invoices.models import Invoice, InvoiceKind
from tests.procurement.api.private_fixtures import *  # noqa: F403  (the fixtures)
from tests.procurement.api.private_fixtures import (
    BUYER,
    ISSUED_ON,
    KLEINMOORBACH,
    NOW,
    VENDOR,
    invoice_xml,
    user,
)
from tests.procurement.invoices.conftest import PARTNER
from workflows.invoice import InvoiceStatus

INVOICES = "/api/v1/invoices"
PAID_YESTERDAY = {"payment_date": "2027-02-28"}


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _invoice(app, invoice_id: int) -> Invoice:  # type: ignore[no-untyped-def]
    with app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        db.session.expunge(invoice)
        return invoice


def _audit(app, action: str) -> list[dict]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return [
            {"actor_id": e.actor_id, "object_id": e.object_id, "after": json.loads(e.after or "{}")}
            for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        ]


def test_the_list_shows_only_the_municipalitys_received_invoices_newest_first(app, api_as, make_invoice):
    older = make_invoice(sent_hours_ago=48)
    newer = make_invoice(sent_hours_ago=2)
    paid = make_invoice(status=InvoiceStatus.paid, sent_hours_ago=30)
    make_invoice(status=InvoiceStatus.draft)
    make_invoice(status=InvoiceStatus.issued)
    make_invoice(buyer=PARTNER)

    response = api_as(BUYER, "read").get(INVOICES)

    assert response.status_code == 200
    assert [invoice["id"] for invoice in response.json] == [newer, paid, older]
    assert response.headers["X-Total-Count"] == "3"
    first = response.json[0]
    assert first["payable_amount"] == "38080.00"
    assert first["vendor"]["name"] == "Verkehrstechnik Süd GmbH"
    assert first["status"] == "sent"
    assert first["paid_on"] is None


def test_the_filters_of_the_inbox_narrow_the_list(app, api_as, make_invoice):
    sent = make_invoice(issue_date=date(2027, 2, 10))
    paid = make_invoice(status=InvoiceStatus.paid, issue_date=date(2027, 2, 20))
    rejected = make_invoice(status=InvoiceStatus.rejected, issue_date=date(2027, 2, 25))
    api = api_as(BUYER, "read")
    with app.app_context():
        vendor_id = user(VENDOR).organisation_id

    def ids(**query: object) -> list[int]:
        response = api.get(INVOICES, query_string=query)
        assert response.status_code == 200, response.json
        return sorted(invoice["id"] for invoice in response.json)

    assert ids(status="paid") == [paid]
    assert ids(status="rejected") == [rejected]
    assert ids(issued_from="2027-02-15") == [paid, rejected]
    assert ids(issued_until="2027-02-20") == [sent, paid]
    assert ids(vendor_id=vendor_id) == [sent, paid, rejected]
    assert ids(vendor_id=vendor_id + 1000) == []
    assert api.get(INVOICES, query_string={"status": "draft"}).status_code == 400
    assert api.get(INVOICES, query_string={"issued_from": "20.02.2027"}).status_code == 400


def test_the_list_is_paged(app, api_as, make_invoice):
    ids = [make_invoice(sent_hours_ago=hours) for hours in range(1, 6)]
    response = api_as(BUYER, "read").get(INVOICES, query_string={"per_page": 2, "page": 2})
    assert [invoice["id"] for invoice in response.json] == [ids[2], ids[3]]
    assert response.headers["X-Total-Count"] == "5"
    assert 'rel="next"' in response.headers["Link"]


def test_one_invoice_with_its_amounts_as_decimal_strings(app, api_as, make_invoice):
    invoice_id = make_invoice(payable="1190.01", kind=InvoiceKind.invoice)

    response = api_as(BUYER, "read").get(f"{INVOICES}/{invoice_id}")

    assert response.status_code == 200
    body = response.json
    assert (body["net_total"], body["vat_total"], body["gross_total"]) == ("1000.01", "190.00", "1190.01")
    assert body["issue_date"] == ISSUED_ON.isoformat()
    assert body["xml_sha256"] == hashlib.sha256(invoice_xml("RE-2027-00001")).hexdigest()


def test_the_xml_is_the_stored_bytes_with_its_sha256_as_etag(app, api_as, make_invoice):
    invoice_id = make_invoice()
    stored = _invoice(app, invoice_id).xml
    api = api_as(BUYER, "read")

    response = api.get(f"{INVOICES}/{invoice_id}/xml")

    assert response.status_code == 200
    assert response.data == stored
    assert response.mimetype == "application/xml"
    assert response.headers["ETag"] == f'"{hashlib.sha256(stored).hexdigest()}"'
    again = api.get(f"{INVOICES}/{invoice_id}/xml", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


def test_marking_paid_records_the_payment_date_audits_and_tells_the_vendor(
    app, api_as, make_invoice, mailbox
):
    invoice_id = make_invoice()

    response = api_as(BUYER).post(f"{INVOICES}/{invoice_id}/payment", json={"payment_date": "2027-02-27"})

    assert response.status_code == 200, response.json
    assert response.json["status"] == "paid"
    assert response.json["paid_on"] == "2027-02-27"
    invoice = _invoice(app, invoice_id)
    assert invoice.status is InvoiceStatus.paid
    with app.app_context():
        officer_id = user(BUYER).id
    [entry] = _audit(app, "invoice.mark_paid")
    assert entry["actor_id"] == officer_id
    assert entry["object_id"] == str(invoice_id)
    assert [message["Subject"] for message in mailbox.to(VENDOR)], "the vendor is told"


@pytest.mark.parametrize("day", ["2027-03-02", "2027-02-19"])  # tomorrow; before the issue date
def test_a_payment_date_in_the_future_or_before_the_invoice_is_refused(app, api_as, make_invoice, day):
    invoice_id = make_invoice()

    response = api_as(BUYER).post(f"{INVOICES}/{invoice_id}/payment", json={"payment_date": day})

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert _invoice(app, invoice_id).status is InvoiceStatus.sent


def test_rejecting_needs_a_reason_the_vendor_reads(app, api_as, make_invoice, mailbox):
    invoice_id = make_invoice()
    api = api_as(BUYER)

    assert api.post(f"{INVOICES}/{invoice_id}/rejection", json={"reason": "   "}).status_code == 400
    assert api.post(f"{INVOICES}/{invoice_id}/rejection", json={}).status_code == 400
    response = api.post(f"{INVOICES}/{invoice_id}/rejection", json={"reason": "Leitweg-ID fehlt"})

    assert response.status_code == 200, response.json
    assert response.json["status"] == "rejected"
    assert response.json["rejection_reason"] == "Leitweg-ID fehlt"
    invoice = _invoice(app, invoice_id)
    assert (invoice.status, invoice.rejection_reason) == (InvoiceStatus.rejected, "Leitweg-ID fehlt")
    assert len(_audit(app, "invoice.reject")) == 1
    assert "Leitweg-ID fehlt" in mailbox.to(VENDOR)[-1].get_content()


@pytest.mark.parametrize("status", [InvoiceStatus.paid, InvoiceStatus.rejected])
def test_a_settled_invoice_cannot_be_settled_again(app, api_as, make_invoice, status):
    invoice_id = make_invoice(status=status)
    api = api_as(BUYER)

    assert api.post(f"{INVOICES}/{invoice_id}/payment", json=PAID_YESTERDAY).status_code == 409
    assert api.post(f"{INVOICES}/{invoice_id}/rejection", json={"reason": "nochmal"}).status_code == 409
    assert _invoice(app, invoice_id).status is status


def test_a_stale_version_is_refused(app, api_as, make_invoice):
    invoice_id = make_invoice()
    version = _invoice(app, invoice_id).version

    response = api_as(BUYER).post(
        f"{INVOICES}/{invoice_id}/payment", json={"payment_date": "2027-02-28", "version": version + 1}
    )

    assert response.status_code == 409
    assert _invoice(app, invoice_id).status is InvoiceStatus.sent


def test_drafts_and_other_municipalities_invoices_are_not_found(app, api_as, make_invoice):
    draft = make_invoice(status=InvoiceStatus.draft)
    foreign = make_invoice(buyer=PARTNER)
    talheim = api_as(BUYER)
    outsider = api_as(KLEINMOORBACH)

    for invoice_id in (draft, foreign):
        assert talheim.get(f"{INVOICES}/{invoice_id}").status_code == 404
        assert talheim.get(f"{INVOICES}/{invoice_id}/xml").status_code == 404
        assert talheim.post(f"{INVOICES}/{invoice_id}/payment", json=PAID_YESTERDAY).status_code == 404
    assert outsider.get(INVOICES).json == []
    assert outsider.post(f"{INVOICES}/{foreign}/rejection", json={"reason": "fremd"}).status_code == 404
    assert _invoice(app, foreign).status is InvoiceStatus.sent
    assert _audit(app, "invoice.mark_paid") == _audit(app, "invoice.reject") == []


def test_a_vendors_token_has_no_inbox(app, api_as, make_invoice):
    invoice_id = make_invoice()
    vendor = api_as(VENDOR)

    assert vendor.get(INVOICES).status_code == 403
    assert vendor.get(f"{INVOICES}/{invoice_id}/xml").status_code == 403
    assert vendor.post(f"{INVOICES}/{invoice_id}/payment", json=PAID_YESTERDAY).status_code == 403
    assert _invoice(app, invoice_id).status is InvoiceStatus.sent
