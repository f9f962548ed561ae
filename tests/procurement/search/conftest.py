"""Marketplace entries for the search tests, made the way the marketplace makes them.

Entries are created as drafts, moved through the curation workflow and passed to the index
hooks (``reindex_solution`` / ``reindex_pilot_project``), as the marketplace services do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Optional

import pytest
from flask import Flask
from sqlalchemy import select

from procurement.accounts.models import Organisation
from procurement.extensions import db
from procurement.marketplace.models import Category, PilotProject, PilotProjectCpv, Solution, SolutionCpv
from procurement.search.engine import SearchQuery, SearchResult, search
from procurement.search.index import reindex_pilot_project, reindex_solution
from workflows.curation import CURATION, EntryStatus

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
VENDOR = "Verkehrstechnik Süd GmbH"  # demo vendor
OTHER_VENDOR = "Offene Stadtdaten eG"
TALHEIM = "Stadt Talheim an der Lauter"  # DE118, Baden-Württemberg
BIRKENFELDE = "Gemeinde Birkenfelde"  # DE717, Hessen
NORDHAFEN = "Stadt Nordhafen"  # DEF0B, Schleswig-Holstein


def _organisation(name: str) -> Organisation:
    return db.session.scalars(select(Organisation).where(Organisation.name == name)).one()


def _move_to(entry: Solution | PilotProject, status: EntryStatus, when: datetime) -> None:
    path = {
        EntryStatus.draft: [],
        EntryStatus.submitted: ["submit"],
        EntryStatus.published: ["submit", "publish"],
        EntryStatus.archived: ["submit", "publish", "archive"],
    }[status]
    for trigger in path:
        CURATION.fire(entry, trigger, when)
    if status in (EntryStatus.published, EntryStatus.archived):
        entry.published_at = when


class Entries:
    """Factory of solutions and pilot projects; returns ids, commits each entry."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.count = 0

    def solution(
        self,
        title: str,
        *,
        description: str = "Beschreibung der Lösung.",
        summary: str = "Kurzbeschreibung.",
        category: Category = Category.traffic,
        status: EntryStatus = EntryStatus.published,
        cost_min: Optional[str] = None,
        cost_max: Optional[str] = None,
        open_source: bool = False,
        cpv: Sequence[str] = ("34996000-5",),
        vendor: str = VENDOR,
        published_at: Optional[datetime] = None,
    ) -> int:
        self.count += 1
        with self.app.app_context():
            solution = Solution(
                organisation=_organisation(vendor),
                title=title,
                category=category,
                summary=summary,
                description=description,
                cost_min=Decimal(cost_min) if cost_min is not None else None,
                cost_max=Decimal(cost_max) if cost_max is not None else None,
                licence="EUPL-1.2" if open_source else "proprietär",
                open_source=open_source,
                standards="",
                contact_name="Vertrieb",
                contact_email="vertrieb@example.org",
                status=EntryStatus.draft,
            )
            solution.cpv_rows = [SolutionCpv(code=code) for code in cpv]
            db.session.add(solution)
            db.session.flush()
            _move_to(solution, status, published_at or NOW + timedelta(minutes=self.count))
            reindex_solution(solution)
            db.session.commit()
            return solution.id

    def pilot(
        self,
        title: str,
        *,
        municipality: str = TALHEIM,
        description: str = "Beschreibung des Modellprojekts.",
        summary: str = "Kurzbeschreibung.",
        category: Category = Category.traffic,
        status: EntryStatus = EntryStatus.published,
        budget: Optional[str] = None,
        funded: bool = False,
        solutions: Sequence[int] = (),
        cpv: Sequence[str] = ("34996000-5",),
        published_at: Optional[datetime] = None,
    ) -> int:
        self.count += 1
        with self.app.app_context():
            project = PilotProject(
                organisation=_organisation(municipality),
                title=title,
                category=category,
                summary=summary,
                description=description,
                period_start=date(2025, 1, 1),
                budget=Decimal(budget) if budget is not None else None,
                funded=funded,
                funding_programme="Modellprojekte Smart Cities (MPSC)" if funded else None,
                contact_name="Smart-City-Büro",
                contact_email="smart@example.org",
                status=EntryStatus.draft,
            )
            project.cpv_rows = [PilotProjectCpv(code=code) for code in cpv]
            project.solutions = [db.session.get(Solution, solution_id) for solution_id in solutions]
            db.session.add(project)
            db.session.flush()
            _move_to(project, status, published_at or NOW + timedelta(minutes=self.count))
            reindex_pilot_project(project)
            db.session.commit()
            return project.id

    def change(self, model: type, entry_id: int, **changes: Any) -> None:
        """Edit an entry (and fire ``trigger``, if given) and call its index hook."""
        with self.app.app_context():
            entry = db.session.get(model, entry_id)
            trigger = changes.pop("trigger", None)
            for name, value in changes.items():
                setattr(entry, name, value)
            if trigger:
                CURATION.fire(entry, trigger, NOW)
            (reindex_solution if model is Solution else reindex_pilot_project)(entry)
            db.session.commit()


@pytest.fixture
def entries(app: Flask, demo: None) -> Entries:
    return Entries(app)


@pytest.fixture
def find(app: Flask):  # type: ignore[no-untyped-def]
    """Run a search in its own app context: ``find(text="Ampel", open_source=True)``."""

    def run(**query: Any) -> SearchResult:
        with app.app_context():
            return search(SearchQuery(**query))

    return run


def titles(result: SearchResult) -> list[str]:
    return [item.title for item in result.items]
