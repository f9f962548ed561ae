"""Who reaches the vendor's bid routes: every route × role, before and after the deadline.

Only the vendor organisation that made a bid sees it; everyone else, officers, auditors and
admins included, gets 404 (not even the existence of a bid is told). Anonymous visitors are sent
to the login. After the deadline nothing is changed any more (409).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from procurement.bids.models import Bid, BidFile
from procurement.bids.permissions import can_read_bid_content
from procurement.extensions import db
from tests.conftest import count, csrf_token, one
from tests.procurement.bids.conftest import BEFORE_DEADLINE, DEADLINE
from tests.procurement.tenders.conftest import (
    LEAD,
    LEAD_AUDITOR,
    LEAD_REQUESTER,
    OTHER_VENDOR,
    PARTNER,
    THIRD,
    VENDOR,
    pdf_bytes,
    user,
)
from workflows.bid import BidStatus

ADMIN = "admin@kompetenzzentrum.example"
STRANGERS = [OTHER_VENDOR, LEAD, LEAD_REQUESTER, PARTNER, THIRD, LEAD_AUDITOR, ADMIN]
AFTER = DEADLINE + timedelta(minutes=1)
NOT_VENDORS = [LEAD, LEAD_REQUESTER, PARTNER, THIRD, LEAD_AUDITOR, ADMIN]


@pytest.fixture
def bids(app, make_bid):  # type: ignore[no-untyped-def]
    """VENDOR's submitted bid and VENDOR's draft (for another tender there is none)."""
    submitted = make_bid(VENDOR)
    draft = make_bid(VENDOR, submit=False, files={"Entwurf.pdf": pdf_bytes()})
    with app.app_context():
        file_id = db.session.get(Bid, draft).files[0].id
    return {"submitted": submitted, "draft": draft, "file": file_id}


def sign_in(client, auth, time_machine, email, moment):  # type: ignore[no-untyped-def]
    time_machine.move_to(moment, tick=False)
    if email:
        auth.login(email)


def token(client) -> str:  # type: ignore[no-untyped-def]
    return csrf_token(client, "/")


def routes(tender_id: int, bids: dict[str, int]) -> dict[str, tuple[str, str]]:
    base = f"/ausschreibungen/{tender_id}/angebot"
    return {
        "receipt": ("GET", f"{base}/{bids['submitted']}/eingangsbestaetigung.pdf"),
        "withdraw": ("POST", f"{base}/{bids['submitted']}/zurueckziehen"),
        "submit": ("POST", f"{base}/{bids['draft']}/abgeben"),
        "delete_file": ("POST", f"{base}/{bids['draft']}/dateien/{bids['file']}/loeschen"),
    }


def call(client, method, url):  # type: ignore[no-untyped-def]
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": token(client)})


def unchanged(app, bids) -> None:  # type: ignore[no-untyped-def]
    assert one(app, Bid, Bid.id == bids["submitted"]).status is BidStatus.submitted
    assert one(app, Bid, Bid.id == bids["draft"]).status is BidStatus.draft
    assert count(app, BidFile, BidFile.bid_id == bids["draft"]) == 1


@pytest.mark.parametrize("moment", [BEFORE_DEADLINE, AFTER], ids=["before", "after"])
@pytest.mark.parametrize("email", STRANGERS)
def test_nobody_but_the_vendor_reaches_its_bid(
    app, client, auth, time_machine, bid_tender, bids, email, moment
):
    sign_in(client, auth, time_machine, email, moment)
    for route, (method, url) in routes(bid_tender, bids).items():
        assert call(client, method, url).status_code == 404, route
    unchanged(app, bids)


def test_anonymous_visitors_are_sent_to_the_login(app, client, time_machine, bid_tender, bids):
    time_machine.move_to(BEFORE_DEADLINE, tick=False)
    for route, (method, url) in routes(bid_tender, bids).items():
        response = (
            client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token(client)})
        )
        assert response.status_code == 302 and "/login" in response.headers["Location"], route
    unchanged(app, bids)


@pytest.mark.parametrize("email", NOT_VENDORS)
@pytest.mark.parametrize(
    "moment", [BEFORE_DEADLINE, DEADLINE + timedelta(minutes=1)], ids=["before", "after"]
)
def test_only_vendors_have_bid_pages(app, client, auth, time_machine, bid_tender, bids, email, moment):
    sign_in(client, auth, time_machine, email, moment)
    assert client.get(f"/ausschreibungen/{bid_tender}/angebot").status_code == 404
    assert client.get("/angebote").status_code == 404
    response = client.post(f"/ausschreibungen/{bid_tender}/angebot", data={"csrf_token": token(client)})
    assert response.status_code == 404
    assert count(app, Bid) == 2


def test_another_vendor_sees_only_its_own_bid_page(app, client, auth, time_machine, bid_tender, bids):
    sign_in(client, auth, time_machine, OTHER_VENDOR, BEFORE_DEADLINE)
    page = client.get(f"/ausschreibungen/{bid_tender}/angebot").get_data(as_text=True)
    receipt_id = one(app, Bid, Bid.id == bids["submitted"]).receipt_id
    assert receipt_id not in page
    assert "Entwurf.pdf" not in page
    assert receipt_id not in client.get("/angebote").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/angebote", "/ausschreibungen/1/angebot"])
def test_anonymous_visitors_see_no_bid_page(app, client, bid_tender, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_vendor_reaches_its_bid_before_the_deadline(app, client, auth, time_machine, bid_tender, bids):
    sign_in(client, auth, time_machine, VENDOR, BEFORE_DEADLINE)
    urls = routes(bid_tender, bids)
    assert client.get(urls["receipt"][1]).status_code == 200
    assert client.get(f"/ausschreibungen/{bid_tender}/angebot").status_code == 200
    assert client.get("/angebote").status_code == 200
    assert call(client, *urls["delete_file"]).status_code == 302
    assert call(client, *urls["withdraw"]).status_code == 302


def test_after_the_deadline_the_vendor_sees_but_changes_nothing(
    app, client, auth, time_machine, bid_tender, bids
):
    sign_in(client, auth, time_machine, VENDOR, DEADLINE + timedelta(minutes=1))
    urls = routes(bid_tender, bids)
    assert client.get(urls["receipt"][1]).status_code == 200
    page = client.get(f"/ausschreibungen/{bid_tender}/angebot")
    assert page.status_code == 200
    assert "abgelaufen" in page.get_data(as_text=True)
    assert 'action="/ausschreibungen/' not in page.get_data(as_text=True).split("h-bids")[0]
    for route in ("withdraw", "submit", "delete_file"):
        assert call(client, *urls[route]).status_code == 409, route
    unchanged(app, bids)


def test_nobody_reads_bid_content_before_the_opening(app, bids, bid_tender):
    with app.app_context():
        bid = db.session.get(Bid, bids["submitted"])
        for email in [VENDOR, *STRANGERS]:
            assert not can_read_bid_content(user(email), bid)
        bid.status = BidStatus.opened  # as the opening would (tested there)
        assert can_read_bid_content(user(LEAD), bid)
        for email in [VENDOR, OTHER_VENDOR, PARTNER, THIRD, LEAD_AUDITOR, LEAD_REQUESTER, ADMIN]:
            assert not can_read_bid_content(user(email), bid)
        db.session.rollback()
