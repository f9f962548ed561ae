"""Desk fixtures: the demo accounts, requests made through the services, a published pilot project.

Cast (demo accounts, ``demo`` fixture):

- ``ASKER`` (requester) and ``ASKER_OFFICER`` of Kleinmoorbach, a **non-funded** municipality;
- ``FUNDED`` (officer and requester) of Birkenfelde, a funded municipality (Modellprojekt);
- ``OTHER`` officer of Maarhausen (non-funded), which never asked anything;
- ``PILOT_OFFICER`` of Talheim (funded), whose published pilot project ``pilot_project`` makes;
- ``CURATOR`` and ``ADMIN`` of the Kompetenzzentrum; ``VENDOR``; ``AUDITOR`` of Talheim
  (Rechnungsprüfung).

``make_request(email, **kw)`` sends a request through ``procurement.desk.services`` and returns its
id; ``pilot_project(**kw)`` inserts a published pilot project of Talheim directly (a documented
shortcut: the curation of pilot projects is tested in tests/procurement/marketplace).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from procurement.accounts.models import Organisation, User
from procurement.desk import services
from procurement.desk.models import AdvisoryRequest, AdvisoryTopic
from procurement.extensions import db
from procurement.marketplace.models import Category, PilotProject, PilotProjectCpv
from workflows.curation import EntryStatus

ASKER = "bedarf@kleinmoorbach.example"
ASKER_OFFICER = "vergabe@kleinmoorbach.example"
FUNDED = "vergabe@birkenfelde.example"
OTHER = "vergabe@maarhausen.example"
PILOT_OFFICER = "vergabe@talheim.example"
CURATOR = "kuratorin@kompetenzzentrum.example"
ADMIN = "admin@kompetenzzentrum.example"
VENDOR = "angebot@verkehrstechnik-sued.example"
AUDITOR = "pruefung@talheim.example"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

# a minimal valid PDF for attachments
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def organisation(name: str) -> Organisation:
    return db.session.scalars(select(Organisation).where(Organisation.name.contains(name))).one()


@pytest.fixture
def make_request(app: Flask, demo: None) -> Callable[..., int]:
    """Send a request as ``email`` through the service (committed); return its id."""

    def make(email: str = ASKER, **kw: Any) -> int:
        with app.test_request_context():
            request = services.send_request(
                user(email),
                kw.pop("topic", AdvisoryTopic.finding_solution),
                kw.pop("subject", "Adaptive Ampelsteuerung"),
                kw.pop("text", "Welche Lösungen gibt es für kleine Kommunen?"),
                kw.pop("now", NOW),
                **kw,
            )
            db.session.commit()
            return request.id

    return make


@pytest.fixture
def pilot_project(app: Flask, demo: None) -> Callable[..., int]:
    """Insert a published pilot project (of Talheim unless ``owner`` names another); return its id."""

    def make(owner: str = "Talheim", **kw: Any) -> int:
        with app.app_context():
            cpv = kw.pop("cpv", "34996100")
            project = PilotProject(
                organisation_id=organisation(owner).id,
                status=EntryStatus.published,
                title=kw.pop("title", "Adaptive Ampeln in der Innenstadt"),
                category=kw.pop("category", Category.traffic),
                summary="Verkehrsabhängige Steuerung von zwölf Knoten.",
                description="Ein Jahr Pilotbetrieb.",
                period_start=date(2024, 1, 1),
                contact_name=kw.pop("contact_name", "Oskar Vergabe"),
                contact_email=kw.pop("contact_email", "pilot@talheim.example"),
                budget=Decimal("120000.00"),
                published_at=NOW,
                **kw,
            )
            project.cpv_rows.append(PilotProjectCpv(code=cpv))
            db.session.add(project)
            db.session.commit()
            return project.id

    return make


def load_request(app: Flask, request_id: int) -> AdvisoryRequest:
    from tests.conftest import one

    return one(app, AdvisoryRequest, AdvisoryRequest.id == request_id)
