"""Records fixtures: a complete joint procedure of Talheim and Birkenfelde, from the published
tender to the contracts, made through the services (the award tests' helpers).

Three vendors bid; two officers open (§55 VgV); the lead admits and scores; both lots are
proposed to Verkehrstechnik Süd, the §134 letters go out on EVALUATED, the Zuschlag is given at
STANDSTILL_END, and each participant gets its contracts. The tender ends ``contracted``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from procurement.awards import award as award_service
from procurement.extensions import db
from procurement.tenders.models import Tender
from tests.procurement.awards import conftest as award_fixtures
from tests.procurement.awards.conftest import Opened
from tests.procurement.awards.test_award_flow import (
    EVALUATED,
    STANDSTILL_END,
    LotNo,
    act,
    notified_tender,
)
from workflows.tender import TenderStatus

# the fixtures this directory builds on (sibling conftests are not seen from here)
make_tender = award_fixtures.make_tender
tender_storage = award_fixtures.tender_storage
public_tender = award_fixtures.public_tender
bid_config = award_fixtures.bid_config
bid_tender = award_fixtures.bid_tender
make_bid = award_fixtures.make_bid
opened = award_fixtures.opened

__all__ = ["EVALUATED", "STANDSTILL_END", "Closed"]


@dataclass(frozen=True)
class Closed:
    """The ids of the closed procedure: as `Opened`, plus the moment of the Zuschlag."""

    tender_id: int
    lots: dict[int, int]
    bids: dict[str, int]


@pytest.fixture
def closed(app: Flask, opened: Opened) -> Closed:
    """The opened tender taken through evaluation, letters, standstill and Zuschlag: ``contracted``."""
    notified_tender(app, opened)
    for number in sorted(opened.lots):
        act(app, award_service.finalise_lot, opened.tender_id, LotNo(number), now=STANDSTILL_END)
    with app.app_context():
        status = db.session.get(Tender, opened.tender_id).status
    assert status is TenderStatus.contracted, status
    return Closed(opened.tender_id, opened.lots, opened.bids)
