"""Helpers for the needs tests: demo users by role, valid form data, needs made through the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select

from procurement.accounts.models import User
from procurement.database import utcnow
from procurement.extensions import db
from procurement.needs import services

TALHEIM_REQUESTER = "bedarf@talheim.example"
TALHEIM_OFFICER = "vergabe@talheim.example"
TALHEIM_AUDITOR = "pruefung@talheim.example"
BIRKENFELDE_OFFICER = "vergabe@birkenfelde.example"  # officer and requester
NORDHAFEN_OFFICER = "vergabe@nordhafen.example"  # officer and requester
VENDOR = "angebot@verkehrstechnik-sued.example"
CURATOR = "kuratorin@kompetenzzentrum.example"
OFFICER_OF = {
    TALHEIM_REQUESTER: TALHEIM_OFFICER,
    TALHEIM_OFFICER: TALHEIM_OFFICER,
    BIRKENFELDE_OFFICER: BIRKENFELDE_OFFICER,
    NORDHAFEN_OFFICER: NORDHAFEN_OFFICER,
}


def today():  # type: ignore[no-untyped-def]
    return utcnow().date()


def form_data(**overrides: object) -> dict[str, object]:
    """What a requester types into the need form (valid)."""
    data: dict[str, object] = {
        "title": "Verkehrsrechner für 12 Lichtsignalanlagen",
        "description": "Ersatz der Verkehrsrechner an den Hauptachsen.",
        "cpv_code": "34996000-5",
        "quantity": "12",
        "unit": "Stück",
        "estimated_value": "120.000,00",
        "delivery_from": (today() + timedelta(days=90)).isoformat(),
        "delivery_until": (today() + timedelta(days=270)).isoformat(),
        "nuts_code": "DE118",
        "place_of_performance": "Stadtgebiet",
        "specification": "",
        "award_criteria": "",
    }
    data.update(overrides)
    return data


def user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


MakeNeed = Callable[..., int]


@pytest.fixture
def make_need(app: Flask, demo: None) -> MakeNeed:
    """Create a need through the services as ``email``; ``open=True`` has its officer open it."""

    def make(
        email: str = TALHEIM_REQUESTER,
        *,
        open: bool = False,  # noqa: A002 - reads as the state
        title: str = "Verkehrsrechner",
        cpv_code: str = "34996000-5",
        value: str = "50000.00",
        starts_in: int = 90,
        lasts: int = 180,
        nuts_code: str | None = None,
    ) -> int:
        with app.test_request_context():
            actor = user(email)
            now = utcnow()
            data = services.NeedData(
                title=title,
                description="Beschreibung",
                cpv_code=cpv_code,
                quantity=Decimal("3"),
                unit="Stück",
                estimated_value=Decimal(value),
                delivery_from=now.date() + timedelta(days=starts_in),
                delivery_until=now.date() + timedelta(days=starts_in + lasts),
                nuts_code=nuts_code or actor.organisation.nuts_code,
            )
            need = services.create_need(actor, data, now)
            if open:
                services.change_need_status(user(OFFICER_OF[email]), need, "open", now)
            db.session.commit()
            return need.id

    return make


@pytest.fixture
def make_entry(app: Flask, demo: None) -> Callable[..., int]:
    """Create a marketplace solution or pilot project (published unless told otherwise)."""
    from datetime import date

    from procurement.marketplace.models import Category, PilotProject, PilotProjectCpv, Solution, SolutionCpv
    from workflows.curation import CURATION

    def make(
        kind: str,
        email: str,
        *,
        published: bool = True,
        title: str = "Adaptive Verkehrssteuerung",
        codes: tuple[str, ...] = ("34996000-5", "48000000-8"),
        published_days_ago: int = 0,
        organisation_id: int | None = None,
    ) -> int:
        with app.test_request_context():
            owner = user(email)
            now = utcnow() - timedelta(days=published_days_ago)
            common = {
                "organisation_id": organisation_id or owner.organisation_id,
                "created_by_id": owner.id,
                "status": CURATION.initial,
                "title": title,
                "category": Category.traffic,
                "summary": f"Kurzbeschreibung {title}",
                "description": f"Beschreibung {title}",
                "contact_name": owner.name,
                "contact_email": owner.email,
            }
            if kind == "pilot":
                entry = PilotProject(
                    **common,
                    period_start=date(2024, 1, 1),
                    specification="Leistungsbeschreibung der Pilotkommune",
                    award_criteria="Preis; 40 %\nQualität; 60 %",
                    cpv_rows=[PilotProjectCpv(code=code) for code in codes],
                )
            else:
                entry = Solution(
                    **common,
                    licence="EUPL-1.2",
                    open_source=True,
                    standards="OCIT-O, DATEX II",
                    cpv_rows=[SolutionCpv(code=code) for code in codes],
                )
            db.session.add(entry)
            if published:
                CURATION.fire(entry, "submit", now)
                CURATION.fire(entry, "publish", now)
                entry.published_at = now
            db.session.commit()
            return entry.id

    return make


@pytest.fixture
def make_municipality(app: Flask, demo: None) -> Callable[..., int]:
    """Create another municipality (no members) in the given NUTS region."""
    from procurement.accounts.models import Organisation, OrganisationKind
    from procurement.accounts.services import add_organisation

    def make(name: str, ags: str, nuts_code: str) -> int:
        with app.test_request_context():
            organisation = add_organisation(
                Organisation(
                    kind=OrganisationKind.municipality,
                    name=name,
                    street="Rathausplatz 1",
                    postal_code="70000",
                    city=name,
                    ags=ags,
                    leitweg_id="991-33333TEST-33",
                    nuts_code=nuts_code,
                ),
                actor=None,
                now=utcnow(),
            )
            db.session.commit()
            return organisation.id

    return make
