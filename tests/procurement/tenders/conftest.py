"""Tender fixtures: tenders built through the services from the demo accounts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from procurement.accounts.models import User
from procurement.extensions import db
from procurement.tenders import services
from procurement.tenders.models import ContractNature, Tender

LEAD = "vergabe@talheim.example"  # officer of Talheim (lead authority)
LEAD_REQUESTER = "bedarf@talheim.example"
LEAD_COLLEAGUE = "oeffnung@talheim.example"  # a second officer of Talheim
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
    review_body_registration_id="08-VK-KARLSRUHE",
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


# --- documents, questions and public pages ----------------------------------------------------


def pdf_bytes(size: int = 1200) -> bytes:
    """A file that passes the PDF check (magic bytes), ``size`` bytes long."""
    head = b"%PDF-1.7\n"
    return head + b"0" * max(0, size - len(head))


@pytest.fixture
def tender_storage(app: Flask, tmp_path: Path) -> Iterator[Path]:
    """Documents go to a directory of the test; the document size limit is restored after it."""
    path = tmp_path / "storage"
    previous = app.config["STORAGE_DIR"], app.config["MAX_DOCUMENT_BYTES"]
    app.config["STORAGE_DIR"] = str(path)
    yield path
    app.config["STORAGE_DIR"], app.config["MAX_DOCUMENT_BYTES"] = previous


@pytest.fixture
def public_tender(app: Flask, make_tender: Callable[..., Tender], tender_storage: Path) -> Callable[..., int]:
    """Return a factory: a tender of Talheim with Birkenfelde, documents, a criterion, published.

    Shortcut (documented): lots and documents go through the services; the participants'
    joining, the criterion and the publication (status, published_at, procedure, bid_deadline)
    are set directly, so these tests do not depend on the publication's own checks (tested
    where they are built).
    """
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from procurement.reference.deadlines import Procedure
    from procurement.tenders.documents import add_document
    from procurement.tenders.models import (
        Criterion,
        CriterionKind,
        LotQuantity,
        Participant,
        ParticipantStatus,
        ScoringMethod,
    )
    from workflows.tender import TenderStatus

    def make(
        lots: int = 1,
        deadline: datetime = NOW + timedelta(days=30),
        procedure: Procedure = Procedure.national_open,
        documents: int = 1,
        published: bool = True,
        **changes: object,
    ) -> int:
        with app.test_request_context():
            tender = make_tender(lots=lots, **changes)
            lead = user(LEAD)
            for number in range(documents):
                upload = FileStorage(BytesIO(pdf_bytes()), filename=f"Leistungsbeschreibung {number + 1}.pdf")
                add_document(lead, tender, upload, "", NOW)
            partner = Participant(
                organisation_id=user(PARTNER).organisation_id,
                invited_by_id=lead.id,
                invited_at=NOW,
            )
            tender.participants.append(partner)
            for participant, amount in ((tender.participants[0], "10"), (partner, "5")):
                participant.status = ParticipantStatus.joined
                participant.joined_at = NOW
                for lot in tender.lots:
                    participant.quantities.append(LotQuantity(lot=lot, quantity=Decimal(amount)))
            tender.criteria.append(
                Criterion(
                    position=1,
                    kind=CriterionKind.price,
                    name="Preis",
                    weight=Decimal(100),
                    scoring_method=ScoringMethod.lowest_price_ratio,
                )
            )
            tender.procedure = procedure
            tender.bid_deadline = deadline
            if published:
                tender.status = TenderStatus.published
                tender.published_at = NOW
            db.session.commit()
            return tender.id

    return make
