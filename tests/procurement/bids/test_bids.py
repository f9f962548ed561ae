"""Vendors prepare, submit and withdraw sealed bids through the services."""

from __future__ import annotations

from sqlalchemy import select

from procurement.bids.models import Bid
from procurement.extensions import db
from tests.procurement.bids.conftest import PRICE
from tests.procurement.tenders.conftest import VENDOR
from workflows.bid import BidStatus


def test_make_bid_submits_a_sealed_bid(app, make_bid, mailbox):
    bid_id = make_bid(VENDOR)
    with app.app_context():
        bid = db.session.get(Bid, bid_id)
        assert bid.status is BidStatus.submitted
        assert bid.files[0].sha256
        assert str(PRICE).encode() not in bid.content_sealed
        assert db.session.scalars(select(Bid)).all() == [bid]
