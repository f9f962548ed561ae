"""Tender fixtures: tenders built through the services from the demo accounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select

from procurement.accounts.models import User
from procurement.extensions import db
from procurement.tenders import services
from procurement.tenders.models import ContractNature, Tender

LEAD = "vergabe@talheim.example"  # officer of Talheim (lead authority)
LEAD_REQUESTER = "bedarf@talheim.example"
LEAD_AUDITOR = "pruefung@talheim.example"
PARTNER = "vergabe@birkenfelde.example"  # officer (and requester) of Birkenfelde
THIRD = "vergabe@nordhafen.example"  # officer of Nordhafen, not involved unless invited
VENDOR = "angebot@verkehrstechnik-sued.example"
OTHER_VENDOR = "angebot@energienetz.example"
CURATOR = "kuratorin@kompetenzzentrum.example"

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

TENDER = services.TenderData(
    title="Adaptive Ampelsteuerung für drei Kommunen",
    description="Lieferung und Betrieb verkehrsabhängiger Ampelsteuerungen.",
    contract_nature=ContractNature.supplies,
    cpv_code="34996000-5",
    nuts_code="DE118",
    place_of_performance="Talheim, Birkenfelde",
    contact_email="vergabe@talheim.example",
    contact_phone="+49 7131 0000",
    review_body_name="Vergabekammer Baden-Württemberg",
    review_body_city="Karlsruhe",
    review_body_postal_code="76133",
    review_body_nuts="DE122",
    review_body_email="vergabekammer@rpk.bwl.example",
    reference="VG-2026-17",
    duration_months=24,
)

LOT = services.LotData(
    title="Steuergeräte",
    description="Verkehrsabhängige Steuergeräte mit OCIT-O-Schnittstelle.",
    cpv_code="34996000-5",
    unit="Stück",
    unit_price=Decimal("9500.00"),
    nuts_code="DE118",
)


def user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


@pytest.fixture
def make_tender(app: Flask, demo: None) -> Callable[..., Tender]:
    """Return a factory: a draft tender of Talheim with ``lots`` lots, committed."""

    def make(lots: int = 1, lead: str = LEAD, now: datetime = NOW, **changes: object) -> Tender:
        from dataclasses import replace

        actor = user(lead)
        tender = services.create_tender(actor, replace(TENDER, **changes), now)
        for number in range(lots):
            services.add_lot(actor, tender, replace(LOT, title=f"{LOT.title} {number + 1}"), now)
        db.session.commit()
        return tender

    return make
