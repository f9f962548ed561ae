"""A vendor's bids over the API: status, receipt id, time of receipt and tender; never prices,
answers or files, not even after the opening (§55 VgV); other vendors' bids are not found."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from procurement.extensions import db
from procurement.tenders.models import Tender
from tests.procurement.api.private_fixtures import *  # noqa: F403  (the fixtures)
from tests.procurement.api.private_fixtures import BUYER, NOW, SECRET_PRICE, VENDOR
from tests.procurement.invoices.conftest import OTHER_VENDOR
from workflows.bid import BidStatus

BIDS = "/api/v1/bids"
BID_FIELDS = {
    "id",
    "status",
    "receipt_id",
    "submitted_at",
    "withdrawn_at",
    "opened_at",
    "file_count",
    "tender",
}


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_vendor_lists_its_bids_with_status_receipt_and_tender(app, api_as, awarded, make_bid):
    draft = make_bid(status=BidStatus.draft, hours_ago=1)
    withdrawn = make_bid(status=BidStatus.withdrawn, hours_ago=2)
    make_bid(vendor=OTHER_VENDOR, status=BidStatus.submitted)

    response = api_as(VENDOR, "read").get(BIDS)

    assert response.status_code == 200
    by_id = {bid["id"]: bid for bid in response.json}
    assert set(by_id) == {draft, withdrawn, awarded.bid_id}
    assert response.headers["X-Total-Count"] == "3"
    successful = by_id[awarded.bid_id]
    assert successful["status"] == "successful"
    assert successful["submitted_at"] == "2026-12-20T09:00:00+00:00"
    with app.app_context():
        tender = db.session.get(Tender, awarded.tender_id)
        assert successful["tender"] == {
            "id": tender.id,
            "reference": tender.reference,
            "title": tender.title,
            "bid_deadline": tender.bid_deadline.isoformat(),
        }
    assert successful["receipt_id"] and len(successful["receipt_id"]) == 36
    assert by_id[draft]["receipt_id"] is None  # no receipt before the submission
    assert by_id[withdrawn]["status"] == "withdrawn"


def test_the_list_filters_by_status_and_tender(app, api_as, awarded, make_bid):
    draft = make_bid(status=BidStatus.draft)
    api = api_as(VENDOR, "read")

    assert [bid["id"] for bid in api.get(BIDS, query_string={"status": "draft"}).json] == [draft]
    assert len(api.get(BIDS, query_string={"tender_id": awarded.tender_id}).json) == 2
    assert api.get(BIDS, query_string={"tender_id": awarded.tender_id + 1}).json == []
    assert api.get(BIDS, query_string={"status": "sealed"}).status_code == 400


def test_no_price_answer_or_file_content_is_ever_shown_not_even_after_the_opening(
    app, api_as, awarded, make_bid
):
    submitted = make_bid(status=BidStatus.submitted)
    api = api_as(VENDOR, "read")

    listed = api.get(BIDS)
    one = api.get(f"{BIDS}/{awarded.bid_id}")
    sealed = api.get(f"{BIDS}/{submitted}")

    for response in (listed, one, sealed):
        assert response.status_code == 200
        bids = response.json if isinstance(response.json, list) else [response.json]
        for bid in bids:
            assert set(bid) == BID_FIELDS
        text = response.get_data(as_text=True)
        for secret in (str(SECRET_PRICE), "57600", "57.600", "sealed-content", "price", "answers"):
            assert secret not in text


def test_another_vendors_bid_is_not_found(app, api_as, make_bid):
    foreign = make_bid(vendor=OTHER_VENDOR, status=BidStatus.submitted)

    response = api_as(VENDOR, "read").get(f"{BIDS}/{foreign}")

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert api_as(OTHER_VENDOR, "read").get(f"{BIDS}/{foreign}").status_code == 200


def test_a_municipalitys_token_has_no_bids(app, api_as, awarded):
    api = api_as(BUYER, "read")
    assert api.get(BIDS).status_code == 403
    assert api.get(f"{BIDS}/{awarded.bid_id}").status_code == 403
