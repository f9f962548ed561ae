"""Data for the authenticated API's tests: tokens, needs, received invoices, a vendor's bids.

Needs and tokens are made through their services; the awarded tender with its contracts comes
from the invoice tests' ``build_award`` (a documented shortcut), received invoices and further
bids are written directly in the state a test needs (issuing, sending and submitting are tested
beside their services).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from procurement.api.tokens import create_token, revoke_token
from procurement.awards.models import Contract
from procurement.bids.models import Bid
from procurement.extensions import db
from procurement.invoices.models import Invoice, InvoiceKind
from procurement.needs.services import NeedData, change_need_status, create_need
from tests.procurement.invoices.conftest import (
    BUYER,
    BUYERS,
    LEAD_OFFICER,
    QUANTITIES,
    VENDOR,
    build_award,
    user,
)
from workflows.bid import BidStatus
from workflows.invoice import InvoiceStatus

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
TALHEIM = BUYER  # officer of Talheim
TALHEIM_REQUESTER = "bedarf@talheim.example"
KLEINMOORBACH = "vergabe@kleinmoorbach.example"
ISSUED_ON = date(2027, 2, 20)
# a price of the awarded bid (the Offer row): it must never appear in the API's bid answers
SECRET_PRICE = Decimal("57600.00")

# what ``from private_fixtures import *`` brings: the fixtures (names are imported explicitly)
__all__ = ["api_as", "awarded", "make_bid", "make_invoice", "make_need", "private_token"]


class Api:
    """A test client that sends a bearer token."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client = client
        self.token = token

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        sent = dict(headers or {})
        if self.token is not None:
            sent["Authorization"] = f"Bearer {self.token}"
        return sent

    def get(self, path: str, headers: dict[str, str] | None = None, **kw):  # type: ignore[no-untyped-def]
        return self.client.get(path, headers=self._headers(headers), **kw)

    def post(self, path: str, json: object = None, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return self.client.post(path, json=json, headers=self._headers(headers))


@pytest.fixture
def private_token(app: Flask, demo: None) -> Callable[..., str]:
    """Return a factory: the plain token of ``email``'s organisation, created by ``email``.

    Unlike the conftest's ``make_token`` it writes ``access`` and can revoke the token at once.
    """

    def make(email: str, access: str = "write", revoked: bool = False) -> str:
        with app.test_request_context():
            creator = user(email)
            token, plain = create_token(creator, f"Integration {access}", access, now=NOW - timedelta(days=1))
            if revoked:
                revoke_token(creator, token.id, now=NOW - timedelta(hours=1))
            db.session.commit()
        return plain

    return make


@pytest.fixture
def api_as(client: FlaskClient, private_token: Callable[..., str]) -> Callable[..., Api]:
    """Return a factory: an API client with a fresh token of ``email`` (or none)."""

    def make(email: str | None, access: str = "write", revoked: bool = False) -> Api:
        return Api(client, None if email is None else private_token(email, access, revoked))

    return make


def need_data(**changes: object) -> NeedData:
    values: dict[str, object] = {
        "title": "Sensoren für Parkplätze",
        "description": "Belegungssensoren für 40 Stellplätze am Bahnhof.",
        "cpv_code": "34996000-5",
        "quantity": Decimal("40"),
        "unit": "Stück",
        "estimated_value": Decimal("18000.00"),
        "delivery_from": date(2027, 6, 1),
        "delivery_until": date(2027, 9, 30),
        "nuts_code": "DE118",
    }
    values.update(changes)
    return NeedData(**values)  # type: ignore[arg-type]


@pytest.fixture
def make_need(app: Flask, demo: None) -> Callable[..., int]:
    """Return a factory: a need drafted (and opened) through the services; its id."""

    def make(email: str = TALHEIM, opened: bool = False, **changes: object) -> int:
        with app.test_request_context():
            actor = user(email)
            need = create_need(actor, need_data(**changes), NOW - timedelta(days=2))
            if opened:
                change_need_status(actor, need, "open", NOW - timedelta(days=1))
            db.session.commit()
            return need.id

    return make


@dataclass(frozen=True)
class Awarded:
    tender_id: int
    contracts: dict[str, int]  # buyer officer e-mail -> contract id
    bid_id: int  # the vendor's successful bid


@pytest.fixture
def awarded(app: Flask, demo: None) -> Awarded:
    """The awarded lot with contracts for Talheim, Birkenfelde and Nordhafen (VENDOR won)."""
    with app.app_context():
        named = [(user(email).organisation, QUANTITIES[email]) for email in BUYERS]
        tender_id, _award_id, by_org = build_award(
            user(VENDOR).organisation_id, user(LEAD_OFFICER).organisation_id, named
        )
        contracts = {email: by_org[user(email).organisation_id] for email in BUYERS}
        bid_id = db.session.get(Contract, contracts[BUYER]).bid_id
        db.session.commit()
    return Awarded(tender_id, contracts, bid_id)


def invoice_xml(number: str) -> bytes:
    """Stand-in for an issued XRechnung: exact bytes with a BOM-free UTF-8 umlaut and CRLF."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\r\n<Invoice xmlns="urn:oasis:names:specification:ubl:'
        f'schema:xsd:Invoice-2"><cbc:ID>{number}</cbc:ID><Note>Müllabfuhr</Note></Invoice>\n'
    ).encode()


@pytest.fixture
def make_invoice(app: Flask, awarded: Awarded) -> Callable[..., int]:
    """Return a factory: an invoice of VENDOR to ``buyer`` in ``status``; its id."""
    numbers = iter(range(1, 100_000))

    def make(
        buyer: str = BUYER,
        status: InvoiceStatus = InvoiceStatus.sent,
        payable: str = "38080.00",
        issue_date: date = ISSUED_ON,
        sent_hours_ago: int = 24,
        kind: InvoiceKind = InvoiceKind.invoice,
    ) -> int:
        with app.app_context():
            contract = db.session.get(Contract, awarded.contracts[buyer])
            amount = Decimal(payable)
            net = (amount / Decimal("1.19")).quantize(Decimal("0.01"))
            sent_at = NOW - timedelta(hours=sent_hours_ago)
            number = f"RE-2027-{next(numbers):05d}"
            xml = invoice_xml(number)
            received = status in (InvoiceStatus.sent, InvoiceStatus.paid, InvoiceStatus.rejected)
            invoice = Invoice(
                kind=kind,
                number=number,
                status=status,
                contract_id=contract.id,
                tender_id=contract.tender_id,
                vendor_organisation_id=contract.vendor_organisation_id,
                buyer_organisation_id=contract.buyer_organisation_id,
                issue_date=issue_date,
                due_date=issue_date + timedelta(days=30),
                currency="EUR",
                net_total=net,
                vat_total=amount - net,
                gross_total=amount,
                payable_amount=amount,
                xml=xml,
                xml_sha256=hashlib.sha256(xml).hexdigest(),
                xml_valid=True,
                validation_level="official",
                issued_at=sent_at - timedelta(hours=1) if status is not InvoiceStatus.draft else None,
                sent_at=sent_at if received else None,
                paid_at=sent_at + timedelta(hours=1) if status is InvoiceStatus.paid else None,
                rejected_at=sent_at + timedelta(hours=1) if status is InvoiceStatus.rejected else None,
                rejection_reason="Menge falsch" if status is InvoiceStatus.rejected else "",
                created_at=sent_at - timedelta(hours=2),
                updated_at=sent_at,
            )
            db.session.add(invoice)
            db.session.commit()
            return invoice.id

    return make


@pytest.fixture
def make_bid(app: Flask, awarded: Awarded) -> Callable[..., int]:
    """Return a factory: a further bid of ``vendor`` for the awarded tender in ``status``; its id."""

    def make(vendor: str = VENDOR, status: BidStatus = BidStatus.draft, hours_ago: int = 1) -> int:
        with app.app_context():
            moment = NOW - timedelta(hours=hours_ago)
            bid = Bid(
                tender_id=awarded.tender_id,
                organisation_id=user(vendor).organisation_id,
                status=status,
                content_sealed=b"sealed-content-never-shown",
                has_prices=True,
                created_at=moment,
                updated_at=moment,
                submitted_at=None if status is BidStatus.draft else moment,
                withdrawn_at=moment if status is BidStatus.withdrawn else None,
            )
            db.session.add(bid)
            db.session.commit()
            return bid.id

    return make
