"""Export fixtures: EU tenders ready for their contract notice, with up to 30 buyers."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from flask import Flask

from procurement.accounts.models import Organisation, OrganisationKind
from procurement.demo_content import leitweg
from procurement.extensions import db
from procurement.reference.deadlines import Procedure
from procurement.tenders.models import (
    Criterion,
    CriterionKind,
    LotQuantity,
    ParticipantStatus,
    ScoringMethod,
    Tender,
)
from procurement.tenders.models import Participant as TenderParticipant
from tests.procurement.tenders.conftest import NOW, make_tender  # noqa: F401 - the fixture

ORACLE = Path(__file__).resolve().parents[3].parent / "shared" / "eforms" / "validate.py"
RULES_DIR = ORACLE.parent
ISSUED_AT = NOW + timedelta(days=1)
BID_DEADLINE = NOW + timedelta(days=45)
# NUTS 3 regions that exist in the code list of the SDK (districts of Baden-Württemberg)
DISTRICTS = ["DE111", "DE112", "DE113", "DE114", "DE115", "DE116", "DE117", "DE118", "DE119", "DE11A"]


@pytest.fixture(scope="session")
def oracle() -> ModuleType:
    """The shared offline validator (XSD + the SDK's subtype-16 rules), loaded once."""
    if not ORACLE.exists():
        pytest.skip(
            f"the eForms validator {ORACLE} is not there (the SDK artefacts live beside the checkout)"
        )
    pytest.importorskip("saxonche")
    spec = importlib.util.spec_from_file_location("eforms_oracle", ORACLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def official_rules() -> Path:
    """The SDK artefacts the app reads by default (``../shared/eforms``); skip without them."""
    if not (RULES_DIR / "xslt").is_dir() or not (RULES_DIR / "schemas").is_dir():
        pytest.skip(f"the eForms SDK artefacts are not in {RULES_DIR} (they live beside the checkout)")
    pytest.importorskip("saxonche")
    return RULES_DIR


@dataclass
class Prepared:
    tender_id: int

    def load(self) -> Tender:
        return db.session.get(Tender, self.tender_id)


def _municipality(number: int) -> Organisation:
    ags = f"08{number:06d}"
    return Organisation(
        kind=OrganisationKind.municipality,
        name=f"Gemeinde Musterhausen {number}",
        street=f"Rathausplatz {number}",
        postal_code=f"7{number:04d}",
        city=f"Musterhausen {number}",
        email=f"rathaus{number}@musterhausen.example",
        ags=ags,
        leitweg_id=leitweg(ags, "VERGABE"),
        nuts_code=DISTRICTS[number % len(DISTRICTS)],
    )


@pytest.fixture
def eu_tender(app: Flask, make_tender: Callable[..., Tender]) -> Callable[..., Prepared]:  # noqa: F811
    """Return a factory: an EU tender with ``lots`` lots, ``buyers`` joined municipalities
    (the lead included), two criteria and a bid deadline, ready for its notice (committed)."""

    def make(lots: int = 1, buyers: int = 1, **changes: object) -> Prepared:
        with app.test_request_context():
            return _prepare(make_tender(lots=lots, **changes), buyers)

    return make


def _prepare(tender: Tender, buyers: int) -> Prepared:
    """Make the draft an EU tender with criteria, a deadline and ``buyers`` joined buyers."""
    tender.procedure = Procedure.eu_open
    tender.bid_deadline = BID_DEADLINE
    tender.review_body_registration_id = "08-RPK-VERGABEKAMMER-12"
    tender.estimated_value = Decimal("950000.00")
    tender.criteria.extend(
        [
            Criterion(
                position=1,
                kind=CriterionKind.price,
                name="Preis",
                description="Niedrigster Gesamtpreis erhält die volle Punktzahl.",
                weight=Decimal("60.00"),
                scoring_method=ScoringMethod.lowest_price_ratio,
            ),
            Criterion(
                position=2,
                kind=CriterionKind.quality,
                name="Qualität des Wartungskonzepts",
                weight=Decimal("40.00"),
                scoring_method=ScoringMethod.points_0_10,
            ),
        ]
    )
    lead = tender.participants[0]
    lead.status = ParticipantStatus.joined
    lead.joined_at = NOW
    participants = [lead]
    for number in range(1, buyers):
        organisation = _municipality(number)
        db.session.add(organisation)
        participant = TenderParticipant(
            organisation=organisation,
            status=ParticipantStatus.joined,
            leitweg_id=organisation.leitweg_id,
            contact_email=f"vergabe{number}@musterhausen.example" if number % 2 else "",
            contact_phone=f"+49 7000 {number:04d}" if number % 2 else "",
            joined_at=NOW,
        )
        tender.participants.append(participant)
        participants.append(participant)
    db.session.flush()
    for participant in participants:
        for lot in tender.lots:
            participant.quantities.append(LotQuantity(lot=lot, quantity=Decimal(3 + lot.number)))
    db.session.commit()
    return Prepared(tender.id)
