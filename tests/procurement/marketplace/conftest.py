"""Marketplace fixtures: entries built through the services, a private storage directory."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from procurement.accounts.models import User
from procurement.extensions import db
from procurement.marketplace import services
from procurement.marketplace.documents import add_document
from procurement.marketplace.models import Category, DocumentKind, PilotProject, Solution

VENDOR = "angebot@verkehrstechnik-sued.example"
OTHER_VENDOR = "angebot@energienetz.example"
CURATOR = "kuratorin@kompetenzzentrum.example"
ADMIN = "admin@kompetenzzentrum.example"
OFFICER = "vergabe@talheim.example"
REQUESTER = "bedarf@talheim.example"
AUDITOR = "pruefung@talheim.example"
OTHER_OFFICER = "vergabe@birkenfelde.example"

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

SOLUTION = services.SolutionData(
    title="Adaptive Ampelsteuerung",
    category=Category.traffic,
    summary="Ampeln, die sich dem Verkehr anpassen.",
    description="Verkehrsabhängige Steuerung für Knotenpunkte.\n\nMit Anbindung an den Verkehrsrechner.",
    cpv_codes=["34996000-5"],
    cost_min=Decimal("12000.00"),
    cost_max=Decimal("48000.00"),
    licence="proprietär, Jahreslizenz",
    open_source=False,
    standards="OCIT-O, DATEX II",
    contact_name="Viktor Verkehr",
    contact_email="vertrieb@verkehrstechnik-sued.example",
)

PILOT = services.PilotProjectData(
    title="Smarte Ampeln in der Innenstadt",
    category=Category.traffic,
    summary="Zwölf Knotenpunkte mit adaptiver Steuerung.",
    description="Talheim hat 2025 zwölf Ampeln umgerüstet.",
    cpv_codes=["34996000-5"],
    solution_ids=[],
    period_start=date(2025, 3, 1),
    period_end=date(2025, 12, 31),
    budget=Decimal("180000.00"),
    funded=True,
    funding_programme="Modellprojekte Smart Cities",
    results="Wartezeiten um 20 % kürzer.",
    lessons_learned="Früh mit der Verkehrsbehörde sprechen.",
    specification="Lieferung und Einbau adaptiver Steuergeräte.",
    award_criteria="Preis; 40 %\nQualität; 60 %",
    contact_name="Oskar Vergabe",
    contact_email="smartcity@talheim.example",
)


@pytest.fixture(autouse=True)
def storage_dir(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | None]:
    """Every test with the app stores documents in its own directory."""
    if "app" not in request.fixturenames:
        yield None
        return
    app: Flask = request.getfixturevalue("app")
    path = tmp_path / "storage"
    previous = app.config["STORAGE_DIR"], app.config["MAX_DOCUMENT_BYTES"]
    app.config["STORAGE_DIR"] = str(path)
    yield path
    app.config["STORAGE_DIR"], app.config["MAX_DOCUMENT_BYTES"] = previous


def stored_files(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []


class Market:
    """Builds marketplace entries through the services, in the status a test needs."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def _user(self, email: str) -> User:
        return db.session.scalars(select(User).where(User.email == email)).one()

    def _advance(self, entry: services.Entry, owner: User, status: str, now: datetime) -> None:
        if status == "draft":
            return
        services.submit_entry(owner, entry, now)
        if status == "submitted":
            return
        services.publish_entry(self._user(CURATOR), entry, now)
        if status == "archived":
            services.archive_entry(owner, entry, now)

    def _attach(self, entry: services.Entry, owner: User, documents: int, now: datetime) -> None:
        for n in range(documents):
            upload = FileStorage(io.BytesIO(pdf_bytes()), filename=f"Datenblatt {n + 1}.pdf")
            add_document(owner, entry, upload, DocumentKind.data_sheet, "", now)

    def solution(  # type: ignore[no-untyped-def]
        self, owner: str = VENDOR, status: str = "draft", now: datetime = NOW, documents: int = 0, **changes
    ) -> int:
        """Create a solution through the services, with ``documents`` PDFs, and move it to ``status``."""
        with self.app.test_request_context():
            user = self._user(owner)
            solution = services.create_solution(user, replace(SOLUTION, **changes), now)
            self._attach(solution, user, documents, now)
            self._advance(solution, user, status, now)
            db.session.commit()
            return solution.id

    def pilot(  # type: ignore[no-untyped-def]
        self, owner: str = OFFICER, status: str = "draft", now: datetime = NOW, documents: int = 0, **changes
    ) -> int:
        with self.app.test_request_context():
            user = self._user(owner)
            project = services.create_pilot_project(user, replace(PILOT, **changes), now)
            self._attach(project, user, documents, now)
            self._advance(project, user, status, now)
            db.session.commit()
            return project.id

    def document_ids(self, model: type[Solution] | type[PilotProject], entry_id: int) -> list[int]:
        return [document.id for document in self.get(model, entry_id).documents]

    def get(self, model: type[Solution] | type[PilotProject], entry_id: int):  # type: ignore[no-untyped-def]
        """Load an entry with its collections, detached (readable after the context ends)."""
        with self.app.app_context():
            entry = db.session.get(model, entry_id)
            assert entry is not None
            _ = entry.cpv_codes, list(entry.documents)
            if isinstance(entry, PilotProject):
                _ = list(entry.solutions)
            db.session.expunge_all()
            return entry


@pytest.fixture
def market(app: Flask, demo: None) -> Market:
    return Market(app)


@pytest.fixture
def sign_in(app: Flask, client: FlaskClient):  # type: ignore[no-untyped-def]
    """Log ``client`` in as a demo user the way Flask-Login remembers it (no password hashing:
    logging in is tested in tests/procurement/accounts); ``sign_in(None)`` logs out."""

    def sign_in(email: str | None) -> None:
        token = None
        if email is not None:
            with app.app_context():
                token = db.session.scalar(select(User.session_token).where(User.email == email))
            assert token, f"no demo user {email}"
        with client.session_transaction() as session:
            session.clear()
            if token:
                session["_user_id"] = token
                session["_fresh"] = True

    return sign_in


# --- web form data ------------------------------------------------------------------------


def solution_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Digitale Parkraumerfassung",
        "category": "parking",
        "summary": "Freie Parkplätze in Echtzeit.",
        "description": "Bodensensoren melden belegte Stellplätze.",
        "cpv_codes": "34926000-4, 48000000-8",
        "cost_min": "12.500,50",
        "cost_max": "40000",
        "licence": "EUPL-1.2",
        "open_source": "y",
        "standards": "LoRaWAN, OGC SensorThings API",
        "contact_name": "Viktor Verkehr",
        "contact_email": "parken@verkehrstechnik-sued.example",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def pilot_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Hochwasser-Frühwarnung an der Lauter",
        "category": "disaster_protection",
        "summary": "Pegelsensoren warnen die Feuerwehr.",
        "description": "Acht Pegelsensoren an der Lauter.",
        "cpv_codes": "35120000-1",
        "period_start": "2024-04-01",
        "period_end": "2025-03-31",
        "budget": "95.000,00",
        "funded": "y",
        "funding_programme": "Modellprojekte Smart Cities",
        "results": "Warnzeit von 2 auf 6 Stunden verlängert.",
        "lessons_learned": "Funkabdeckung vorher messen.",
        "specification": "Lieferung von acht Pegelsensoren.",
        "award_criteria": "Preis; 30 %\nQualität; 50 %\nWartung; 20 %",
        "contact_name": "Oskar Vergabe",
        "contact_email": "smartcity@talheim.example",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- files --------------------------------------------------------------------------------


def pdf_bytes(size: int = 600) -> bytes:
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    tail = b"\n%%EOF\n"
    return head + b"0" * max(0, size - len(head) - len(tail)) + tail


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def odt_bytes() -> bytes:
    return zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})


EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
