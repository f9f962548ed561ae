"""The token matrix of every authenticated operation: no token and a revoked token 401, a read-only
token on a change 403, another organisation's token 404 (its own lists stay its own), the owner's
token succeeds; every refusal is a problem details object and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import time_machine
from sqlalchemy import select

from procurement.extensions import db
from procurement.invoices.models import Invoice
from procurement.needs.models import Need
from tests.procurement.api.private_fixtures import *  # noqa: F403  (the fixtures)
from tests.procurement.api.private_fixtures import BUYER, KLEINMOORBACH, NOW, VENDOR, user
from tests.procurement.api.test_private_needs import NEW_NEED
from tests.procurement.invoices.conftest import OTHER_VENDOR
from workflows.account import UserStatus
from workflows.invoice import InvoiceStatus
from workflows.need import NeedStatus


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # with {need}, {invoice}, {bid}
    scope: str  # "read" or "write"
    for_vendors: bool = False
    item: bool = True  # one organisation's object (else a list or a creation)
    body: object = None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


OPERATIONS = [
    Operation("GET", "/api/v1/needs", "read", item=False),
    Operation("POST", "/api/v1/needs", "write", item=False, body=NEW_NEED),
    Operation("GET", "/api/v1/needs/{need}", "read"),
    Operation("POST", "/api/v1/needs/{need}/open", "write"),
    Operation("GET", "/api/v1/invoices", "read", item=False),
    Operation("GET", "/api/v1/invoices/{invoice}", "read"),
    Operation("GET", "/api/v1/invoices/{invoice}/xml", "read"),
    Operation("POST", "/api/v1/invoices/{invoice}/payment", "write", body={"payment_date": "2027-02-28"}),
    Operation("POST", "/api/v1/invoices/{invoice}/rejection", "write", body={"reason": "Menge falsch"}),
    Operation("GET", "/api/v1/bids", "read", for_vendors=True, item=False),
    Operation("GET", "/api/v1/bids/{bid}", "read", for_vendors=True),
]
WHO = ["no token", "revoked", "read only", "other organisation", "owner"]


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _expected(operation: Operation, who: str) -> int:
    if who in ("no token", "revoked"):
        return 401
    if who == "read only" and operation.scope == "write":
        return 403
    if who == "other organisation" and operation.item:
        return 404
    return 201 if operation.method == "POST" and not operation.item else 200


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_token_matrix(app, api_as, make_need, make_invoice, awarded, operation, who):
    need_id = make_need(BUYER)
    invoice_id = make_invoice()
    owner, other = (VENDOR, OTHER_VENDOR) if operation.for_vendors else (BUYER, KLEINMOORBACH)
    api = {
        "no token": lambda: api_as(None),
        "revoked": lambda: api_as(owner, "write", revoked=True),
        "read only": lambda: api_as(owner, "read"),
        "other organisation": lambda: api_as(other, "write"),
        "owner": lambda: api_as(owner, "write"),
    }[who]()
    path = operation.path.format(need=need_id, invoice=invoice_id, bid=awarded.bid_id)

    if operation.method == "GET":
        response = api.get(path)
    else:
        response = api.post(path, json=operation.body)

    expected = _expected(operation, who)
    assert response.status_code == expected, response.get_data(as_text=True)
    if expected >= 400:
        assert response.mimetype == "application/problem+json"
        assert response.json["status"] == expected
        assert response.json["detail"]
        with app.app_context():
            assert db.session.get(Need, need_id).status is NeedStatus.draft
            assert db.session.get(Invoice, invoice_id).status is InvoiceStatus.sent
            assert len(db.session.scalars(select(Need)).all()) == 1
    if expected == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    if who == "other organisation" and not operation.item and operation.method == "GET":
        assert response.json == []  # its own (empty) list, never the owner's


def test_a_token_whose_creator_was_disabled_is_refused(app, api_as, make_need):
    need_id = make_need(BUYER)
    api = api_as(BUYER, "write")
    with app.app_context():
        officer = user(BUYER)
        officer.status = UserStatus.disabled
        db.session.commit()

    response = api.post(f"/api/v1/needs/{need_id}/open")

    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Need, need_id).status is NeedStatus.draft
