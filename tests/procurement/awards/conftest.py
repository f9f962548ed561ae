"""Award fixtures: a tender of Talheim (lead) and Birkenfelde with three bids, opened by two officers.

Built through the services like the bid tests: the bids are submitted before the deadline and
opened right after it by LEAD and LEAD_COLLEAGUE (§55(2) VgV), which makes a review and the
offers per lot for every bid. The fixture returns the ids the tests need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from flask import Flask

from procurement.bids import opening
from procurement.extensions import db
from procurement.tenders.models import Tender
from tests.procurement.bids import conftest as bid_fixtures
from tests.procurement.bids.conftest import AFTER_DEADLINE, BEFORE_DEADLINE, DEADLINE
from tests.procurement.tenders import conftest as tender_fixtures
from tests.procurement.tenders.conftest import LEAD, LEAD_COLLEAGUE, OTHER_VENDOR, VENDOR, user

# the fixtures this directory builds on (a sibling conftest is not seen from here)
make_tender = tender_fixtures.make_tender
tender_storage = tender_fixtures.tender_storage
public_tender = tender_fixtures.public_tender
bid_config = bid_fixtures.bid_config
bid_tender = bid_fixtures.bid_tender
make_bid = bid_fixtures.make_bid

THIRD_VENDOR = "angebot@offene-stadtdaten.example"
VENDORS = (VENDOR, OTHER_VENDOR, THIRD_VENDOR)
# lot 1: all three bid; lot 2: the first two. Quality criterion: points_0_10, weight 30 %.
PRICES = {
    VENDOR: {1: Decimal("48000.00"), 2: Decimal("1200.50")},
    OTHER_VENDOR: {1: Decimal("52000.00"), 2: Decimal("1100.00")},
    THIRD_VENDOR: {1: Decimal("50000.00")},
}

__all__ = [
    "AFTER_DEADLINE",
    "BEFORE_DEADLINE",
    "DEADLINE",
    "LEAD",
    "LEAD_COLLEAGUE",
    "OTHER_VENDOR",
    "THIRD_VENDOR",
    "VENDOR",
]


@dataclass(frozen=True)
class Opened:
    """The ids of the opened tender: its lots by number, the bids by vendor e-mail."""

    tender_id: int
    lots: dict[int, int]
    bids: dict[str, int]


def open_bids(app: Flask, tender_id: int, now=AFTER_DEADLINE) -> None:  # type: ignore[no-untyped-def]
    """LEAD and LEAD_COLLEAGUE confirm the opening through the service (§55(2) VgV)."""
    for email in (LEAD, LEAD_COLLEAGUE):
        with app.test_request_context():
            opening.confirm_opening(user(email), db.session.get(Tender, tender_id), now)
            db.session.commit()


@pytest.fixture
def opened(app: Flask, bid_tender: int, make_bid: Callable[..., int]) -> Opened:
    """Three vendors' bids (PRICES), opened right after the deadline; tender in ``evaluation``."""
    bids = {email: make_bid(email, prices=PRICES[email]) for email in VENDORS}
    open_bids(app, bid_tender)
    with app.app_context():
        tender = db.session.get(Tender, bid_tender)
        assert tender.status.value == "evaluation"
        lots = {lot.number: lot.id for lot in tender.lots}
    return Opened(bid_tender, lots, bids)
