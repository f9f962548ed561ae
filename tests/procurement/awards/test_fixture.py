"""The shared fixture opens three bids: every opened bid has a review and its offers per lot."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from procurement.awards.models import BidReview, Offer
from procurement.extensions import db
from tests.procurement.awards.conftest import PRICES


def test_the_opening_records_a_review_and_the_prices_per_lot_of_every_bid(app, opened):
    with app.app_context():
        reviews = db.session.scalars(select(BidReview).where(BidReview.tender_id == opened.tender_id)).all()
        assert sorted(review.bid_id for review in reviews) == sorted(opened.bids.values())
        assert all(review.exclusion_ground is None and review.decided_at is None for review in reviews)
        offers = {
            (offer.bid_id, offer.lot_id): offer.price
            for offer in db.session.scalars(select(Offer).where(Offer.tender_id == opened.tender_id))
        }
    expected = {
        (opened.bids[email], opened.lots[number]): price
        for email, prices in PRICES.items()
        for number, price in prices.items()
    }
    assert offers == expected
    assert all(isinstance(price, Decimal) for price in offers.values())
