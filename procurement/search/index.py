"""Keep the full-text index in step with the marketplace.

The marketplace services call these after every change of a solution or pilot project (status
change or edit): a published entry is (re)indexed, any other status takes it out of the index.
``rebuild_index`` rebuilds everything from the published entries (``flask search reindex``).

An entry's row holds only what belongs to the entry itself (texts, organisation, CPV labels,
costs, licence, funding). What links solutions and pilot projects (region, funding and open
source across the two kinds) is read from the live tables at query time (engine.py), so that
a change of one entry never leaves another one stale.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from procurement.accounts.models import Organisation
from procurement.database import utcnow
from procurement.extensions import db
from procurement.marketplace.models import (
    Category,
    PilotProject,
    PilotProjectCpv,
    Solution,
    SolutionCpv,
)
from procurement.reference.cpv import Vocabulary
from procurement.reference.validators import vocabulary
from procurement.search.models import EntryKind, SearchDocument, SearchEntry
from workflows.curation import EntryStatus

_BATCH = 2000
# One entry: the row of search_entries and the row of search_documents (without entry_id).
_Row = tuple[dict[str, Any], dict[str, str]]


def sort_key(title: str) -> str:
    """Fold a title for sorting: case and diacritics ignored, ß as ss (DIN 5007-1)."""
    folded = unicodedata.normalize("NFKD", title.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).strip()[:200]


def _cpv_text(codes: Iterable[str], cpv: Vocabulary) -> str:
    parts = []
    for code in codes:
        entry = cpv.get(code)
        parts.append(f"{code} {entry.label_de}" if entry else code)
    return "\n".join(parts)


def _join(*parts: Optional[str]) -> str:
    return "\n".join(part for part in parts if part)


def _published_at(*candidates: Optional[datetime]) -> datetime:
    return next((moment for moment in candidates if moment is not None), None) or utcnow()


def _solution_row(
    *,
    id: int,
    title: str,
    summary: str,
    description: str,
    category: Category,
    cost_min: Optional[Decimal],
    cost_max: Optional[Decimal],
    licence: str,
    open_source: bool,
    standards: str,
    organisation_name: str,
    cpv_codes: Iterable[str],
    published_at: Optional[datetime],
    updated_at: Optional[datetime],
    cpv: Vocabulary,
) -> _Row:
    entry = {
        "kind": EntryKind.solution,
        "solution_id": id,
        "pilot_project_id": None,
        "category": category,
        "organisation_name": organisation_name,
        "cost_low": cost_min if cost_min is not None else cost_max,
        "cost_high": cost_max if cost_max is not None else cost_min,
        "open_source": bool(open_source),
        "funded": False,
        "published_at": _published_at(published_at, updated_at),
        "sort_title": sort_key(title),
    }
    body = _join(description, standards, licence, organisation_name, _cpv_text(cpv_codes, cpv))
    return entry, {"title": title, "summary": summary, "body": body}


def _pilot_row(
    *,
    id: int,
    title: str,
    summary: str,
    description: str,
    category: Category,
    budget: Optional[Decimal],
    funded: bool,
    funding_programme: Optional[str],
    results: str,
    lessons_learned: str,
    specification: str,
    organisation_name: str,
    cpv_codes: Iterable[str],
    published_at: Optional[datetime],
    updated_at: Optional[datetime],
    cpv: Vocabulary,
) -> _Row:
    entry = {
        "kind": EntryKind.pilot_project,
        "solution_id": None,
        "pilot_project_id": id,
        "category": category,
        "organisation_name": organisation_name,
        "cost_low": budget,
        "cost_high": budget,
        "open_source": False,
        "funded": bool(funded),
        "published_at": _published_at(published_at, updated_at),
        "sort_title": sort_key(title),
    }
    body = _join(
        description,
        results,
        lessons_learned,
        funding_programme,
        specification,
        organisation_name,
        _cpv_text(cpv_codes, cpv),
    )
    return entry, {"title": title, "summary": summary, "body": body}


def _solution_values(solution: Solution, cpv: Vocabulary) -> _Row:
    return _solution_row(
        id=solution.id,
        title=solution.title,
        summary=solution.summary,
        description=solution.description,
        category=solution.category,
        cost_min=solution.cost_min,
        cost_max=solution.cost_max,
        licence=solution.licence,
        open_source=solution.open_source,
        standards=solution.standards or "",
        organisation_name=solution.organisation.name,
        cpv_codes=solution.cpv_codes,
        published_at=solution.published_at,
        updated_at=solution.updated_at,
        cpv=cpv,
    )


def _pilot_values(project: PilotProject, cpv: Vocabulary) -> _Row:
    return _pilot_row(
        id=project.id,
        title=project.title,
        summary=project.summary,
        description=project.description,
        category=project.category,
        budget=project.budget,
        funded=project.funded,
        funding_programme=project.funding_programme,
        results=project.results or "",
        lessons_learned=project.lessons_learned or "",
        specification=project.specification or "",
        organisation_name=project.organisation.name,
        cpv_codes=project.cpv_codes,
        published_at=project.published_at,
        updated_at=project.updated_at,
        cpv=cpv,
    )


def _remove(session: Session, condition: Any) -> None:
    entry_ids = select(SearchEntry.id).where(condition).scalar_subquery()
    # Documents first: foreign keys are not enforced on every database.
    session.execute(delete(SearchDocument).where(SearchDocument.entry_id.in_(entry_ids)))
    session.execute(delete(SearchEntry).where(condition))


def _put(session: Session, row: _Row) -> None:
    entry, document = row
    entry_id = session.execute(insert(SearchEntry).values(entry).returning(SearchEntry.id)).scalar_one()
    session.execute(insert(SearchDocument).values(entry_id=entry_id, **document))


def reindex_solution(solution: Solution) -> None:
    """Put a published solution into the search index, or take it out if it is not published."""
    session = db.session
    if solution.id is None:
        session.flush()
    _remove(session, SearchEntry.solution_id == solution.id)
    if solution.status is EntryStatus.published:
        _put(session, _solution_values(solution, vocabulary()))


def reindex_pilot_project(project: PilotProject) -> None:
    """Put a published pilot project into the search index, or take it out if not published."""
    session = db.session
    if project.id is None:
        session.flush()
    _remove(session, SearchEntry.pilot_project_id == project.id)
    if project.status is EntryStatus.published:
        _put(session, _pilot_values(project, vocabulary()))


@dataclass(frozen=True)
class RebuildReport:
    solutions: int
    pilot_projects: int


def _write_batches(session: Session, rows: Iterator[_Row], first_id: int) -> int:
    """Insert entries with ids from ``first_id`` and their documents; return how many."""
    entry_table, document_table = SearchEntry.__table__, SearchDocument.__table__
    count = 0
    entries: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []

    def flush() -> None:
        if entries:
            session.execute(insert(entry_table), entries)
            session.execute(insert(document_table), documents)
            entries.clear()
            documents.clear()

    for entry, document in rows:
        entry_id = first_id + count
        entries.append({**entry, "id": entry_id})
        documents.append({**document, "entry_id": entry_id})
        count += 1
        if len(entries) >= _BATCH:
            flush()
    flush()
    return count


def rebuild_index(session: Optional[Session] = None, cpv: Optional[Vocabulary] = None) -> RebuildReport:
    """Empty the index and fill it from every published solution and pilot project.

    Reads plain columns (no ORM objects) and inserts in batches, so that 100,000 entries take
    seconds; then refreshes the planner statistics. The caller commits.
    """
    session = session or db.session
    cpv = cpv or vocabulary()
    session.execute(delete(SearchDocument))
    session.execute(delete(SearchEntry))
    published = EntryStatus.published

    solution_cpv: dict[int, list[str]] = defaultdict(list)
    for owner_id, code in session.execute(
        select(SolutionCpv.solution_id, SolutionCpv.code)
        .join(Solution, Solution.id == SolutionCpv.solution_id)
        .where(Solution.status == published)
        .order_by(SolutionCpv.solution_id, SolutionCpv.code)
    ):
        solution_cpv[owner_id].append(code)
    solutions = session.execute(
        select(
            Solution.id,
            Solution.title,
            Solution.summary,
            Solution.description,
            Solution.category,
            Solution.cost_min,
            Solution.cost_max,
            Solution.licence,
            Solution.open_source,
            Solution.standards,
            Organisation.name.label("organisation_name"),
            Solution.published_at,
            Solution.updated_at,
        )
        .join(Organisation, Organisation.id == Solution.organisation_id)
        .where(Solution.status == published)
        .order_by(Solution.id)
    ).all()
    solution_count = _write_batches(
        session,
        (
            _solution_row(**row._asdict(), cpv_codes=solution_cpv.get(row.id, ()), cpv=cpv)
            for row in solutions
        ),
        first_id=1,
    )
    del solutions, solution_cpv

    pilot_cpv: dict[int, list[str]] = defaultdict(list)
    for owner_id, code in session.execute(
        select(PilotProjectCpv.pilot_project_id, PilotProjectCpv.code)
        .join(PilotProject, PilotProject.id == PilotProjectCpv.pilot_project_id)
        .where(PilotProject.status == published)
        .order_by(PilotProjectCpv.pilot_project_id, PilotProjectCpv.code)
    ):
        pilot_cpv[owner_id].append(code)
    projects = session.execute(
        select(
            PilotProject.id,
            PilotProject.title,
            PilotProject.summary,
            PilotProject.description,
            PilotProject.category,
            PilotProject.budget,
            PilotProject.funded,
            PilotProject.funding_programme,
            PilotProject.results,
            PilotProject.lessons_learned,
            PilotProject.specification,
            Organisation.name.label("organisation_name"),
            PilotProject.published_at,
            PilotProject.updated_at,
        )
        .join(Organisation, Organisation.id == PilotProject.organisation_id)
        .where(PilotProject.status == published)
        .order_by(PilotProject.id)
    ).all()
    pilot_count = _write_batches(
        session,
        (_pilot_row(**row._asdict(), cpv_codes=pilot_cpv.get(row.id, ()), cpv=cpv) for row in projects),
        first_id=solution_count + 1,
    )
    _after_bulk_load(session)
    return RebuildReport(solutions=solution_count, pilot_projects=pilot_count)


def _after_bulk_load(session: Session) -> None:
    """Move PostgreSQL's id sequence past the explicit ids; refresh the planner statistics."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('search_entries', 'id'), COALESCE(MAX(id), 1)) "
                "FROM search_entries"
            )
        )
        session.execute(text("ANALYZE search_entries, search_documents"))
    else:
        session.execute(text("ANALYZE"))
