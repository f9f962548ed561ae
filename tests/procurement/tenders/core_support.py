"""Helpers of the core tender tests: a tender brought to ``ready`` through the services.

Shortcut (documented): the participants' joining and the document rows are written directly
(their services are tested by the participation and documents tests); the criteria, the
collecting, the freezing, the procedure and the publication go through the services.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from procurement.extensions import db
from procurement.reference.deadlines import Procedure
from procurement.tenders import services
from procurement.tenders.models import (
    CriterionKind,
    LotQuantity,
    Participant,
    ParticipantStatus,
    ScoringMethod,
    Tender,
    TenderDocument,
)
from tests.procurement.tenders.conftest import LEAD, NOW, user

PRICE_ONLY = [
    services.CriterionData(CriterionKind.price, "Preis", Decimal(100), ScoringMethod.lowest_price_ratio)
]
PRICE_AND_QUALITY = [
    services.CriterionData(CriterionKind.price, "Preis", Decimal("60"), ScoringMethod.lowest_price_ratio),
    services.CriterionData(
        CriterionKind.quality, "Betriebskonzept", Decimal("40"), ScoringMethod.points_0_10
    ),
]
NATIONAL_DEADLINE = NOW + timedelta(days=20)
EU_DEADLINE = NOW + timedelta(days=40)


def join(tender: Tender, email: str, quantity: str = "2", now: datetime = NOW) -> Participant:
    """Let the municipality of ``email`` take part with ``quantity`` of every lot."""
    organisation_id = user(email).organisation_id
    participant = next((p for p in tender.participants if p.organisation_id == organisation_id), None)
    if participant is None:
        participant = Participant(organisation_id=organisation_id, invited_at=now)
        tender.participants.append(participant)
    participant.status = ParticipantStatus.joined
    participant.joined_at = now
    for lot in tender.lots:
        participant.quantities.append(LotQuantity(lot=lot, quantity=Decimal(quantity)))
    db.session.flush()
    return participant


def add_document(tender: Tender, title: str = "Leistungsbeschreibung") -> TenderDocument:
    key = uuid.uuid4().hex
    document = TenderDocument(
        title=title,
        filename="leistungsbeschreibung.pdf",
        content_type="application/pdf",
        size=10,
        sha256=hashlib.sha256(key.encode()).hexdigest(),
        storage_key=key,
        uploaded_at=NOW,
        series_id=0,
    )
    tender.documents.append(document)
    db.session.flush()
    document.series_id = document.id
    db.session.flush()
    return document


def make_ready(
    tender: Tender,
    *,
    criteria: list[services.CriterionData] | None = PRICE_ONLY,
    documents: int = 1,
    procedure: Procedure | None = Procedure.national_open,
    deadline: datetime = NATIONAL_DEADLINE,
    quantity: str = "2",
    now: datetime = NOW,
) -> Tender:
    """Bring a draft tender of Talheim to ``ready`` with what publication needs."""
    lead = user(LEAD)
    if criteria:
        services.set_criteria(lead, tender, criteria, now)
    services.change_tender_status(lead, tender, "start_collecting", now)
    join(tender, LEAD, quantity, now)
    services.change_tender_status(lead, tender, "freeze", now)
    if procedure is not None:
        services.choose_procedure(lead, tender, procedure, deadline, False, now)
    for number in range(documents):
        add_document(tender, f"Unterlage {number + 1}")
    db.session.commit()
    return tender


def make_ready_after_collecting(tender: Tender, now: datetime = NOW) -> Tender:
    """Freeze a collecting tender with the lead joined, a price criterion, national procedure, a document."""
    lead = user(LEAD)
    services.set_criteria(lead, tender, PRICE_ONLY, now)
    join(tender, LEAD, "2", now)
    services.change_tender_status(lead, tender, "freeze", now)
    services.choose_procedure(lead, tender, Procedure.national_open, NATIONAL_DEADLINE, False, now)
    add_document(tender)
    db.session.commit()
    return tender


def reread(tender_id: int) -> Tender:
    db.session.expire_all()
    tender = db.session.get(Tender, tender_id)
    assert tender is not None
    return tender


def tender_form(**changes: object) -> dict[str, object]:
    """The new/edit tender form as a browser posts it."""
    from tests.procurement.tenders.conftest import TENDER

    data = replace(TENDER)
    values: dict[str, object] = {
        "title": data.title,
        "reference": data.reference,
        "description": data.description,
        "contract_nature": data.contract_nature.value,
        "cpv_code": data.cpv_code,
        "nuts_code": data.nuts_code,
        "place_of_performance": data.place_of_performance,
        "duration_months": str(data.duration_months),
        "bid_validity_months": str(data.bid_validity_months),
        "planned_publication_date": "",
        "contact_email": data.contact_email,
        "contact_phone": data.contact_phone,
        "review_body_name": data.review_body_name,
        "review_body_city": data.review_body_city,
        "review_body_postal_code": data.review_body_postal_code,
        "review_body_nuts": data.review_body_nuts,
        "review_body_email": data.review_body_email,
    }
    values.update(changes)
    return values
