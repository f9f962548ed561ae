"""Who reaches the officers' tender pages: a matrix of users against routes (status codes)."""

from __future__ import annotations

import pytest
import time_machine

from procurement.extensions import db
from procurement.tenders.models import Lot, Tender
from tests.conftest import count, one, submit
from tests.procurement.tenders.conftest import (
    CURATOR,
    LEAD,
    LEAD_AUDITOR,
    LEAD_REQUESTER,
    NOW,
    PARTNER,
    THIRD,
    VENDOR,
)
from tests.procurement.tenders.core_support import join
from workflows.tender import TenderStatus

ANONYMOUS = ""
PAGES = ["", "/bearbeiten", "/lose/neu", "/lose/{lot}/bearbeiten", "/kriterien", "/verfahren", "/aufheben"]

# who -> (list, new, detail, then the manager pages in PAGES order after the detail)
ACCESS = {
    LEAD: (200, 200, 200, 200, 200, 200, 200, 200, 200),
    LEAD_REQUESTER: (200, 403, 200, 403, 403, 403, 403, 403, 403),
    PARTNER: (200, 200, 200, 403, 403, 403, 403, 403, 403),  # invited Birkenfelde
    THIRD: (200, 200, 404, 404, 404, 404, 404, 404, 404),
    LEAD_AUDITOR: (403, 403, 404, 404, 404, 404, 404, 404, 404),
    VENDOR: (403, 403, 404, 404, 404, 404, 404, 404, 404),
    CURATOR: (403, 403, 404, 404, 404, 404, 404, 404, 404),
    ANONYMOUS: (302,) * 9,
}


@pytest.fixture
def invited_tender(app, make_tender):
    with app.test_request_context():
        tender = make_tender()
        partner = join(tender, PARTNER, "1")
        partner.status = partner.status.__class__.invited
        db.session.commit()
        return tender.id, tender.lots[0].id


@pytest.mark.parametrize("email", list(ACCESS), ids=lambda e: e or "anonymous")
def test_access_matrix_for_officer_pages(app, client, auth, invited_tender, email):
    tender_id, lot_id = invited_tender
    with time_machine.travel(NOW, tick=False):
        if email:
            auth.login(email)
        urls = ["/vergaben/", "/vergaben/neu"] + [
            f"/vergaben/{tender_id}{page.format(lot=lot_id)}" for page in PAGES
        ]
        assert tuple(client.get(url).status_code for url in urls) == ACCESS[email]


# who -> status of a POST to each changing route
POSTS = {PARTNER: 403, LEAD_REQUESTER: 403, THIRD: 404, VENDOR: 404, CURATOR: 404}


@pytest.mark.parametrize("email", list(POSTS))
@pytest.mark.parametrize(
    "path",
    [
        "/aktion/start_collecting",
        "/bearbeiten",
        "/kriterien",
        "/verfahren",
        "/aufheben",
        "/lose/{lot}/loeschen",
    ],
)
def test_others_cannot_change_a_tender(app, client, auth, invited_tender, email, path):
    tender_id, lot_id = invited_tender
    with time_machine.travel(NOW, tick=False):
        auth.login(email)
        response = submit(
            client,
            f"/vergaben/{tender_id}{path.format(lot=lot_id)}",
            {"reason": "fundamental_change"},
            form_url="/profile",
        )
    assert response.status_code == POSTS[email]
    tender = one(app, Tender, Tender.id == tender_id)
    assert tender.status is TenderStatus.draft
    assert count(app, Lot, Lot.tender_id == tender_id) == 1


def test_vendor_cannot_see_draft_tender(app, client, auth, invited_tender):
    tender_id, _lot = invited_tender
    auth.login(VENDOR)
    assert client.get(f"/vergaben/{tender_id}").status_code == 404
