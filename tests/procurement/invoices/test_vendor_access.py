"""Who may use the vendor's invoice pages: every route, GET and POST, for every kind of user.

Talheim's contract has three invoices: a draft, an issued one (not sent) and a sent one. A page
about something the user may not see at all is a 404 (they do not learn it exists); a page they
may see but not use is a 403; anonymous visitors are sent to the login.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import func, select

from procurement.awards.models import Contract
from procurement.extensions import db
from procurement.invoices import services
from procurement.invoices.models import BillingProfile, Invoice
from tests.conftest import csrf_token
from tests.procurement.invoices.conftest import (
    BUYER,
    BUYER_AUDITOR,
    BUYER_REQUESTER,
    CURATOR,
    LEAD_OFFICER,
    NOW,
    OTHER_MUNICIPALITY,
    OTHER_VENDOR,
    VENDOR,
    Awarded,
    user,
)
from workflows.invoice import InvoiceStatus

ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Invoices:
    awarded: Awarded
    draft: int
    issued: int
    sent: int


@pytest.fixture
def invoices(app: Flask, billing_profile: Awarded) -> Invoices:
    ids = []
    with app.test_request_context():
        actor = user(VENDOR)
        contract = db.session.get(Contract, billing_profile.contract_id)
        for _n in range(3):
            ids.append(services.create_invoice(actor, contract, services.prefill(contract, NOW), NOW).id)
        for invoice_id in ids[1:]:
            services.issue_invoice(actor, db.session.get(Invoice, invoice_id), NOW)
        services.send_invoice(actor, db.session.get(Invoice, ids[2]), NOW)
        db.session.commit()
    return Invoices(billing_profile, *ids)


def routes(data: Invoices) -> dict[str, str]:
    contract = data.awarded.contract_id
    return {
        "billing_profile": "/rechnungsdaten",
        "my_invoices": "/rechnungen",
        "contract_invoices": f"/vertraege/{contract}/rechnungen",
        "new_invoice": f"/vertraege/{contract}/rechnungen/neu",
        "invoice_draft": f"/rechnungen/{data.draft}",
        "invoice_issued": f"/rechnungen/{data.issued}",
        "invoice_sent": f"/rechnungen/{data.sent}",
        "xml_sent": f"/rechnungen/{data.sent}.xml",
        "pdf_sent": f"/rechnungen/{data.sent}.pdf",
        "xml_draft": f"/rechnungen/{data.draft}.xml",
        "invoice_all": f"/zuschlaege/{data.awarded.award_id}/rechnungen",
    }


# expected GET status per user; anonymous visitors are redirected to the login everywhere
RECEIVER = {"invoice_sent": 200, "xml_sent": 200, "pdf_sent": 200}
HIDDEN = {
    "invoice_draft": 404,
    "invoice_issued": 404,
    "invoice_sent": 404,
    "xml_sent": 404,
    "pdf_sent": 404,
    "xml_draft": 404,
}
MUNICIPAL = {"billing_profile": 403, "my_invoices": 403}
GET_EXPECTED = {
    OTHER_VENDOR: {"billing_profile": 200, "my_invoices": 200, "contract_invoices": 404, "new_invoice": 404}
    | HIDDEN
    | {"invoice_all": 404},
    BUYER: MUNICIPAL
    | {"contract_invoices": 200, "new_invoice": 403}
    | HIDDEN
    | RECEIVER
    | {"invoice_all": 403},
    BUYER_AUDITOR: MUNICIPAL
    | {"contract_invoices": 200, "new_invoice": 403}
    | HIDDEN
    | RECEIVER
    | {"invoice_all": 403},
    BUYER_REQUESTER: MUNICIPAL
    | {"contract_invoices": 403, "new_invoice": 403}
    | HIDDEN
    | {"invoice_all": 403},
    LEAD_OFFICER: MUNICIPAL | {"contract_invoices": 403, "new_invoice": 403} | HIDDEN | {"invoice_all": 403},
    OTHER_MUNICIPALITY: MUNICIPAL
    | {"contract_invoices": 404, "new_invoice": 404}
    | HIDDEN
    | {"invoice_all": 404},
    CURATOR: MUNICIPAL | {"contract_invoices": 404, "new_invoice": 404} | HIDDEN | {"invoice_all": 404},
}


def login(client, auth, who: str) -> None:  # type: ignore[no-untyped-def]
    if who != ANONYMOUS:
        response = auth.login(who)
        assert response.status_code == 302, who


@pytest.mark.parametrize("who", [ANONYMOUS, VENDOR, *GET_EXPECTED])
def test_get_routes_by_user(app, client, auth, invoices: Invoices, who):
    login(client, auth, who)
    seen = {}
    for name, url in routes(invoices).items():
        response = client.get(url)
        seen[name] = response.status_code
        if who == ANONYMOUS:
            assert "/login" in response.headers.get("Location", ""), name
    if who == ANONYMOUS:
        assert set(seen.values()) == {302}
        return
    if who == VENDOR:  # everything of its own, but a draft has no XML yet
        assert seen == {name: 200 for name in routes(invoices)} | {"xml_draft": 404}
    else:
        assert seen == GET_EXPECTED[who]


def state(app: Flask) -> tuple:  # type: ignore[type-arg]
    with app.app_context():
        return (
            tuple(
                db.session.execute(
                    select(Invoice.id, Invoice.status, Invoice.number).order_by(Invoice.id)
                ).all()
            ),
            db.session.scalar(select(func.count()).select_from(BillingProfile)),
        )


# expected POST status per user for the routes that change something (the vendor: see below)
POST_ROUTES = ("issue", "discard", "edit", "send", "credit", "new", "invoice_all", "billing_profile")


def post_urls(data: Invoices) -> dict[str, tuple[str, dict[str, str]]]:
    line = {
        "issue_date": "2027-03-01",
        "lines-0-name": "x",
        "lines-0-quantity": "1",
        "lines-0-unit_code": "H87",
        "lines-0-unit_price": "1",
        "lines-0-vat": "S:19",
        "save": "1",
    }
    return {
        "issue": (f"/rechnungen/{data.draft}/ausstellen", {}),
        "discard": (f"/rechnungen/{data.draft}/verwerfen", {}),
        "edit": (f"/rechnungen/{data.draft}", line),
        "send": (f"/rechnungen/{data.issued}/versenden", {}),
        "credit": (f"/rechnungen/{data.sent}/korrektur", {}),
        "new": (f"/vertraege/{data.awarded.contract_id}/rechnungen/neu", line),
        "invoice_all": (f"/zuschlaege/{data.awarded.award_id}/rechnungen", {}),
        "billing_profile": ("/rechnungsdaten", {"iban": "DE02120300000000202051", "tax_number": "1"}),
    }


POST_EXPECTED = {
    OTHER_VENDOR: {"new": 404, "invoice_all": 404, "billing_profile": 422},
    BUYER: {"credit": 403, "new": 403, "invoice_all": 403, "billing_profile": 403},
    BUYER_AUDITOR: {"credit": 403, "new": 403, "invoice_all": 403, "billing_profile": 403},
    BUYER_REQUESTER: {"new": 403, "invoice_all": 403, "billing_profile": 403},
    LEAD_OFFICER: {"new": 403, "invoice_all": 403, "billing_profile": 403},
    OTHER_MUNICIPALITY: {"new": 404, "invoice_all": 404, "billing_profile": 403},
    CURATOR: {"new": 404, "invoice_all": 404, "billing_profile": 403},
}


@pytest.mark.parametrize("who", [ANONYMOUS, *POST_EXPECTED])
def test_post_routes_by_user_change_nothing(app, client, auth, invoices: Invoices, who):
    login(client, auth, who)
    token = csrf_token(client, "/")
    before = state(app)
    seen = {}
    for name, (url, data) in post_urls(invoices).items():
        response = client.post(url, data={"csrf_token": token, **data})
        seen[name] = response.status_code
    if who == ANONYMOUS:
        assert set(seen.values()) == {302}
    else:
        # everything about the invoices of someone else's contract: 404 unless listed
        assert seen == {name: 404 for name in POST_ROUTES} | POST_EXPECTED[who]
    assert state(app) == before


def test_the_vendor_may_do_each_of_these(app, client, auth, invoices: Invoices):
    login(client, auth, VENDOR)
    token = csrf_token(client, "/")
    urls = post_urls(invoices)
    for name in ("edit", "issue", "send", "credit"):
        url, data = urls[name]
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 302, name
    with app.app_context():
        statuses = dict(db.session.execute(select(Invoice.id, Invoice.status)).all())
    assert statuses[invoices.draft] is InvoiceStatus.issued
    assert statuses[invoices.issued] is InvoiceStatus.sent
    assert len(statuses) == 4  # the credit note
