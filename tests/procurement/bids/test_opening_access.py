"""Who reaches the opening pages, the record and opened bids: users × phases (status codes).

Only the lead's officers read anything, and prices and files only after the opening. Members
of the tender who are not the lead's officers get 403, everyone else 404 (they do not learn
that the tender exists internally), anonymous visitors are sent to the login.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from procurement.bids.models import Bid, OpeningConfirmation
from procurement.extensions import db
from tests.conftest import count, csrf_token, page_text
from tests.procurement.bids.conftest import AFTER_DEADLINE, BEFORE_DEADLINE
from tests.procurement.bids.test_opening import SECOND, confirm, officers_fixture, two_bids_fixture  # noqa: F401 - fixtures
from tests.procurement.tenders.conftest import (
    LEAD,
    LEAD_AUDITOR,
    LEAD_REQUESTER,
    OTHER_VENDOR,
    PARTNER,
    VENDOR,
)

ADMIN = "admin@kompetenzzentrum.example"
ANONYMOUS = ""
PHASES = {
    "before_deadline": BEFORE_DEADLINE,
    "after_deadline": AFTER_DEADLINE + timedelta(minutes=1),
    "after_opening": AFTER_DEADLINE + timedelta(minutes=5),
}
ROUTES = ("opening", "record", "bid", "file")

# who -> phase -> status of (opening page, record PDF, opened bid page, opened file)
ACCESS = {
    LEAD: {
        "before_deadline": (200, 404, 403, 403),
        "after_deadline": (200, 404, 403, 403),
        "after_opening": (200, 200, 200, 200),
    },
    SECOND: {
        "before_deadline": (200, 404, 403, 403),
        "after_deadline": (200, 404, 403, 403),
        "after_opening": (200, 200, 200, 200),
    },
    LEAD_REQUESTER: dict.fromkeys(PHASES, (403,) * 4),
    PARTNER: dict.fromkeys(PHASES, (403,) * 4),  # officer of a participating municipality
    LEAD_AUDITOR: dict.fromkeys(PHASES, (404,) * 4),
    ADMIN: dict.fromkeys(PHASES, (404,) * 4),
    VENDOR: dict.fromkeys(PHASES, (404,) * 4),  # the bid's own vendor
    OTHER_VENDOR: dict.fromkeys(PHASES, (404,) * 4),
    ANONYMOUS: dict.fromkeys(PHASES, (302,) * 4),
}
PRICE_TEXTS = ("48.213,57", "48213.57", "51.999,00", "51999.00")


def _urls(app, bids: dict) -> list[str]:  # type: ignore[no-untyped-def]
    tender_id, bid_id = bids["tender"], bids[VENDOR]
    with app.app_context():
        file_id = db.session.get(Bid, bid_id).files[0].id
    base = f"/vergaben/{tender_id}"
    return [
        f"{base}/oeffnung",
        f"{base}/oeffnungsprotokoll.pdf",
        f"{base}/angebote/{bid_id}",
        f"{base}/angebote/{bid_id}/dateien/{file_id}",
    ]


@pytest.mark.parametrize("phase", list(PHASES))
@pytest.mark.parametrize("email", list(ACCESS), ids=lambda e: e or "anonymous")
def test_access_matrix_of_the_opening_routes(app, client, auth, two_bids, email, phase):
    if phase == "after_opening":
        confirm(app, two_bids["tender"], LEAD)
        confirm(app, two_bids["tender"], SECOND)
    urls = _urls(app, two_bids)
    with time_machine.travel(PHASES[phase], tick=False):
        if email:
            auth.login(email)
        responses = [client.get(url) for url in urls]
    assert tuple(r.status_code for r in responses) == ACCESS[email][phase]
    expected_readers = email in (LEAD, SECOND) and phase == "after_opening"
    for url, response in zip(urls, responses, strict=True):
        body = response.get_data()
        if expected_readers:
            continue
        # no price and no file content leaves the application before the opening, nor to others
        assert not any(text.encode() in body for text in PRICE_TEXTS), url
        assert b"%PDF-1.7\n0000" not in body, url


def test_before_the_deadline_the_opening_page_does_not_even_tell_the_number_of_bids(
    app, client, auth, two_bids
):
    url = f"/vergaben/{two_bids['tender']}/oeffnung"
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        auth.login(LEAD)
        client.get("/")  # the welcome message
        with_bids = page_text(client.get(url))
        with app.app_context():
            for bid in db.session.scalars(select(Bid)):
                db.session.delete(bid)
            db.session.commit()
        without_bids = page_text(client.get(url))
    assert "Angebotsfrist läuft" in with_bids and "Öffnung bestätigen" not in with_bids
    assert with_bids == without_bids  # the page is the same whether there are bids or not


def test_after_the_deadline_the_page_shows_only_the_count(app, client, auth, two_bids):
    with time_machine.travel(PHASES["after_deadline"], tick=False):
        auth.login(LEAD)
        page = page_text(client.get(f"/vergaben/{two_bids['tender']}/oeffnung"))
    assert "Bis zum Ablauf der Angebotsfrist sind 2 Angebote eingegangen." in page
    assert "Öffnung bestätigen" in page
    with app.app_context():
        vendor_name = db.session.get(Bid, two_bids[VENDOR]).organisation.name
    assert vendor_name not in page


# who -> status of the confirming POST after the deadline
CONFIRM = {LEAD_REQUESTER: 403, PARTNER: 403, LEAD_AUDITOR: 404, ADMIN: 404, VENDOR: 404, OTHER_VENDOR: 404}


@pytest.mark.parametrize("email", list(CONFIRM))
def test_nobody_but_the_lead_officers_confirms_the_opening(app, client, auth, two_bids, email):
    url = f"/vergaben/{two_bids['tender']}/oeffnung"
    with time_machine.travel(PHASES["after_deadline"], tick=False):
        auth.login(email)
        token = csrf_token(client, "/")
        response = client.post(url, data={"csrf_token": token})
    assert response.status_code == CONFIRM[email]
    assert count(app, OpeningConfirmation) == 0


def test_a_lead_officer_confirming_before_the_deadline_gets_a_clear_409(app, client, auth, two_bids):
    url = f"/vergaben/{two_bids['tender']}/oeffnung"
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        auth.login(LEAD)
        response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 409
    assert "Angebotsfrist läuft noch" in page_text(response)
    assert count(app, OpeningConfirmation) == 0


def test_confirming_needs_the_csrf_token(app, client, auth, two_bids):
    with time_machine.travel(PHASES["after_deadline"], tick=False):
        auth.login(LEAD)
        response = client.post(f"/vergaben/{two_bids['tender']}/oeffnung", data={})
    assert response.status_code == 400
    assert count(app, OpeningConfirmation) == 0


def test_a_bid_of_another_tender_is_not_found_under_this_one(app, client, auth, two_bids):
    confirm(app, two_bids["tender"], LEAD)
    confirm(app, two_bids["tender"], SECOND)
    with time_machine.travel(PHASES["after_opening"], tick=False):
        auth.login(LEAD)
        assert client.get(f"/vergaben/{two_bids['tender']}/angebote/999").status_code == 404
        assert (
            client.get(f"/vergaben/{two_bids['tender']}/angebote/{two_bids[VENDOR]}/dateien/999").status_code
            == 404
        )
