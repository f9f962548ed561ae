"""Bid fixtures: a published tender open for bids, a fixed platform key, bids made by the services."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Optional

import pytest
from flask import Flask

from procurement.extensions import db
from tests.procurement.tenders import conftest as tender_fixtures
from tests.procurement.tenders.conftest import NOW, pdf_bytes, user

# the tender fixtures this directory builds on (a sibling conftest is not seen from here)
make_tender = tender_fixtures.make_tender
tender_storage = tender_fixtures.tender_storage
public_tender = tender_fixtures.public_tender

# A fixed platform key for the tests (never the development key file in the instance folder).
TEST_PLATFORM_KEY = base64.b64encode(bytes(range(32))).decode("ascii")
DEADLINE = NOW + timedelta(days=30)
BEFORE_DEADLINE = DEADLINE - timedelta(days=1)
AFTER_DEADLINE = DEADLINE + timedelta(seconds=1)
PRICE = Decimal("48213.57")  # a price string that must never appear in clear


def zip_bytes(size: int = 600) -> bytes:
    """Bytes that start like a ZIP archive (what the streaming type check can see)."""
    head = b"PK\x03\x04"
    return head + b"1" * max(0, size - len(head))


@pytest.fixture
def bid_config(app: Flask, tender_storage: Path) -> Iterator[Path]:
    """A fixed PLATFORM_KEY and the bid size limits, restored after the test; returns the storage dir."""
    names = ("PLATFORM_KEY", "MAX_BID_FILE_BYTES", "MAX_BID_BYTES")
    previous = {name: app.config[name] for name in names}
    app.config["PLATFORM_KEY"] = TEST_PLATFORM_KEY
    yield tender_storage
    app.config.update(previous)


@pytest.fixture
def bid_tender(app: Flask, public_tender: Callable[..., int], bid_config: Path) -> int:
    """A published tender of Talheim: 2 lots, price 70 % and a quality criterion 30 %, DEADLINE."""
    from procurement.tenders.models import Criterion, CriterionKind, ScoringMethod, Tender

    tender_id = public_tender(lots=2, deadline=DEADLINE)
    with app.app_context():
        tender = db.session.get(Tender, tender_id)
        tender.criteria[0].weight = Decimal(70)
        tender.criteria.append(
            Criterion(
                position=2,
                kind=CriterionKind.quality,
                name="Wartungskonzept",
                weight=Decimal(30),
                scoring_method=ScoringMethod.points_0_10,
            )
        )
        db.session.commit()
    return tender_id


@pytest.fixture
def make_bid(app: Flask, bid_tender: int) -> Callable[..., int]:
    """Return a factory: a bid of ``vendor_email``'s organisation made through the services; its id.

    ``prices`` maps lot numbers (1, 2, ...) to prices; ``files`` maps file names to contents.
    The bid is submitted unless ``submit=False`` (then it stays a draft). ``tender_id`` defaults
    to the `bid_tender` fixture's tender; ``now`` to a day before its deadline.
    """
    from procurement.bids import services
    from procurement.bids.models import BidFileKind
    from procurement.tenders.models import Tender

    def make(
        vendor_email: str,
        prices: Optional[dict[int, Decimal]] = None,
        files: Optional[dict[str, bytes]] = None,
        submit: bool = True,
        *,
        tender_id: Optional[int] = None,
        answers: Optional[dict[int, str]] = None,
        consortium: Optional[list[str]] = None,
        now: Optional[datetime] = None,
    ) -> int:
        moment = now or BEFORE_DEADLINE
        prices = {1: PRICE} if prices is None else prices
        files = {"Angebotsschreiben.pdf": pdf_bytes()} if files is None else files
        with app.test_request_context():
            tender = db.session.get(Tender, tender_id or bid_tender)
            actor = user(vendor_email)
            bid = services.get_or_create_draft(actor, tender, moment)
            lots = {lot.number: lot.id for lot in tender.lots}
            quality = [c.id for c in tender.criteria if c.kind.value == "quality"]
            data = services.BidData(
                prices={lots[number]: price for number, price in prices.items()},
                answers=(
                    answers
                    if answers is not None
                    else {quality[0]: "Wartung binnen 24 Stunden."}
                    if quality
                    else {}
                ),
                consortium=consortium or [],
            )
            services.save_draft(actor, bid, data, moment)
            for name, content in files.items():
                services.add_file(
                    actor, bid, name, BytesIO(content), moment, kind=BidFileKind.other, clock=lambda: moment
                )
            if submit:
                services.submit_bid(actor, bid, moment)
            db.session.commit()
            return bid.id

    return make
