"""Keep the full-text index in step with the marketplace.

The marketplace services call these after every change of a solution or pilot project (status
change or edit): a published entry is (re)indexed, any other status takes it out of the index.
``rebuild_index`` rebuilds everything from the published entries (``flask search reindex``).

An entry's rows hold what belongs to the entry itself (texts, organisation, CPV codes, costs,
licence, funding, the municipality's NUTS code, the solutions a pilot project uses). What links
the two kinds (a solution's region and funding through the pilot projects that use it, a pilot
project's open source through its solutions) is combined at query time (engine.py), so that a
change of one entry never leaves another one stale. Database triggers take an entry out of the
index as soon as its status leaves ``published`` (migration 0003), whoever changes it.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import column, delete, insert, select, table, text, update
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
    pilot_solutions,
)
from procurement.reference.cpv import Vocabulary
from procurement.reference.validators import vocabulary
from procurement.search.models import EntryKind, SearchDocument, SearchEntry, SearchPilotSolution
from workflows.curation import EntryStatus

_BATCH = 2000


@dataclass
class IndexRow:
    """One entry: its row of search_entries, of search_documents, and the solutions it uses."""

    entry: dict[str, Any]
    document: dict[str, str]
    # Pilot projects only: (solution id, whether it is published and open source).
    solutions: list[tuple[int, bool]] = field(default_factory=list)


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


def _document(title: str, summary: str, body: str, cpv_codes: Iterable[str]) -> dict[str, str]:
    codes = " ".join(sorted({code[:8] for code in cpv_codes}))
    return {"title": title, "summary": summary, "body": body, "cpv_codes": codes[:500]}


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
    cpv_codes: list[str],
    published_at: Optional[datetime],
    updated_at: Optional[datetime],
    cpv: Vocabulary,
) -> IndexRow:
    entry = {
        "id": entry_id_of_solution(id),
        "kind": EntryKind.solution,
        "solution_id": id,
        "pilot_project_id": None,
        "category": category,
        "organisation_name": organisation_name,
        "cost_low": cost_min if cost_min is not None else cost_max,
        "cost_high": cost_max if cost_max is not None else cost_min,
        "open_source": bool(open_source),
        "funded": False,
        "nuts_code": None,
        "published_at": _published_at(published_at, updated_at),
        "sort_title": sort_key(title),
    }
    body = _join(description, standards, licence, organisation_name, _cpv_text(cpv_codes, cpv))
    return IndexRow(entry, _document(title, summary, body, cpv_codes))


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
    nuts_code: Optional[str],
    cpv_codes: list[str],
    solutions: list[tuple[int, bool]],
    published_at: Optional[datetime],
    updated_at: Optional[datetime],
    cpv: Vocabulary,
) -> IndexRow:
    entry = {
        "id": entry_id_of_pilot_project(id),
        "kind": EntryKind.pilot_project,
        "solution_id": None,
        "pilot_project_id": id,
        "category": category,
        "organisation_name": organisation_name,
        "cost_low": budget,
        "cost_high": budget,
        "open_source": False,
        "funded": bool(funded),
        "nuts_code": nuts_code,
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
    return IndexRow(entry, _document(title, summary, body, cpv_codes), sorted(set(solutions)))


def _solution_values(solution: Solution, cpv: Vocabulary) -> IndexRow:
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
        cpv_codes=list(solution.cpv_codes),
        published_at=solution.published_at,
        updated_at=solution.updated_at,
        cpv=cpv,
    )


def _pilot_values(project: PilotProject, cpv: Vocabulary) -> IndexRow:
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
        nuts_code=project.organisation.nuts_code,
        cpv_codes=list(project.cpv_codes),
        solutions=[
            (solution.id, _public_open_source(solution.status, solution.open_source))
            for solution in project.solutions
        ],
        published_at=project.published_at,
        updated_at=project.updated_at,
        cpv=cpv,
    )


def _public_open_source(status: EntryStatus, open_source: bool) -> bool:
    return status is EntryStatus.published and bool(open_source)


def entry_id_of_solution(solution_id: int) -> int:
    """Entry ids are derived, not generated: even for solutions, odd for pilot projects.

    So a reindexed entry keeps its id, and a solution's entry id is known without a lookup
    (the filters that link the two kinds need it).
    """
    return 2 * solution_id


def entry_id_of_pilot_project(project_id: int) -> int:
    return 2 * project_id + 1


def _links(row: IndexRow, entry_id: int) -> list[dict[str, Any]]:
    return [
        {
            "pilot_entry_id": entry_id,
            "solution_id": solution_id,
            "nuts_code": row.entry["nuts_code"],
            "funded": row.entry["funded"],
            "solution_open_source": open_source,
        }
        for solution_id, open_source in row.solutions
    ]


def _remove(session: Session, condition: Any) -> None:
    entry_ids = select(SearchEntry.id).where(condition).scalar_subquery()
    # Dependent rows first: foreign keys are not enforced on every database.
    session.execute(delete(SearchDocument).where(SearchDocument.entry_id.in_(entry_ids)))
    session.execute(delete(SearchPilotSolution).where(SearchPilotSolution.pilot_entry_id.in_(entry_ids)))
    session.execute(delete(SearchEntry).where(condition))


# PostgreSQL: search_entries.search_fts (not part of the model, migration 0003) is computed from
# the document's texts, bound as fts_* parameters next to the entry's columns.
_PG_ENTRIES = table(
    "search_entries",
    *(column(c.name, c.type) for c in SearchEntry.__table__.columns),
    column("search_fts"),
)
_PG_VECTOR = text(
    "setweight(to_tsvector('german'::regconfig, :fts_title), 'A') || "
    "setweight(to_tsvector('german'::regconfig, :fts_summary), 'B') || "
    "setweight(to_tsvector('german'::regconfig, :fts_body), 'C') || "
    "setweight(to_tsvector('simple'::regconfig, :fts_cpv_codes), 'D')"
)


def _entry_insert(session: Session) -> Any:
    """The INSERT for search_entries; on PostgreSQL it computes the full-text vector too."""
    if session.get_bind().dialect.name == "postgresql":
        return insert(_PG_ENTRIES).values(search_fts=_PG_VECTOR)
    return insert(SearchEntry.__table__)


def _entry_params(row: IndexRow) -> dict[str, Any]:
    return {**row.entry, **{f"fts_{name}": value for name, value in row.document.items()}}


def _put(session: Session, row: IndexRow) -> None:
    entry_id = row.entry["id"]
    session.execute(_entry_insert(session), [_entry_params(row)])
    session.execute(insert(SearchDocument).values(entry_id=entry_id, **row.document))
    links = _links(row, entry_id)
    if links:
        session.execute(insert(SearchPilotSolution), links)


def new_token(session: Session) -> None:
    """Mark the index as changed: cached search results of the old state are no longer used."""
    session.execute(
        text(
            "INSERT INTO search_index_state (id, token) VALUES (1, :token) "
            "ON CONFLICT (id) DO UPDATE SET token = excluded.token"
        ),
        {"token": secrets.randbits(62)},
    )


def reindex_solution(solution: Solution) -> None:
    """Put a published solution into the search index, or take it out if it is not published."""
    session = db.session
    if solution.id is None:
        session.flush()
    _remove(session, SearchEntry.solution_id == solution.id)
    if solution.status is EntryStatus.published:
        _put(session, _solution_values(solution, vocabulary()))
    # The pilot projects that use it count as open source through it, or no longer.
    session.execute(
        update(SearchPilotSolution)
        .where(SearchPilotSolution.solution_id == solution.id)
        .values(solution_open_source=_public_open_source(solution.status, solution.open_source))
    )
    new_token(session)


def reindex_pilot_project(project: PilotProject) -> None:
    """Put a published pilot project into the search index, or take it out if not published."""
    session = db.session
    if project.id is None:
        session.flush()
    _remove(session, SearchEntry.pilot_project_id == project.id)
    if project.status is EntryStatus.published:
        _put(session, _pilot_values(project, vocabulary()))
    new_token(session)


@dataclass(frozen=True)
class RebuildReport:
    solutions: int
    pilot_projects: int


def _write_batches(session: Session, rows: Iterable[IndexRow]) -> int:
    """Insert entries, their documents and links; return how many."""
    count = 0
    entries: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []

    def flush() -> None:
        for statement, batch in (
            (_entry_insert(session), entries),
            (insert(SearchDocument.__table__), documents),
            (insert(SearchPilotSolution.__table__), links),
        ):
            if batch:
                session.execute(statement, batch)
                batch.clear()

    for row in rows:
        entry_id = row.entry["id"]
        entries.append(_entry_params(row))
        documents.append({**row.document, "entry_id": entry_id})
        links.extend(_links(row, entry_id))
        count += 1
        if len(entries) >= _BATCH:
            flush()
    flush()
    return count


def _grouped(rows: Iterable[Any]) -> dict[int, list[Any]]:
    groups: dict[int, list[Any]] = defaultdict(list)
    for owner_id, value in rows:
        groups[owner_id].append(value)
    return groups


def rebuild_index(session: Optional[Session] = None, cpv: Optional[Vocabulary] = None) -> RebuildReport:
    """Empty the index and fill it from every published solution and pilot project.

    Reads plain columns (no ORM objects) and inserts in batches, so that 100,000 entries take
    seconds; then refreshes the planner statistics. The caller commits.
    """
    session = session or db.session
    cpv = cpv or vocabulary()
    published = EntryStatus.published
    _forget_fts_statistics(session)
    for model in (SearchDocument, SearchPilotSolution, SearchEntry):
        session.execute(delete(model))

    solution_cpv = _grouped(
        session.execute(
            select(SolutionCpv.solution_id, SolutionCpv.code)
            .join(Solution, Solution.id == SolutionCpv.solution_id)
            .where(Solution.status == published)
            .order_by(SolutionCpv.solution_id, SolutionCpv.code)
        )
    )
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
            _solution_row(**row._asdict(), cpv_codes=solution_cpv.get(row.id, []), cpv=cpv)
            for row in solutions
        ),
    )
    del solutions, solution_cpv

    pilot_cpv = _grouped(
        session.execute(
            select(PilotProjectCpv.pilot_project_id, PilotProjectCpv.code)
            .join(PilotProject, PilotProject.id == PilotProjectCpv.pilot_project_id)
            .where(PilotProject.status == published)
            .order_by(PilotProjectCpv.pilot_project_id, PilotProjectCpv.code)
        )
    )
    pilot_links = _grouped(
        (pilot_id, (solution_id, _public_open_source(status, open_source)))
        for pilot_id, solution_id, status, open_source in session.execute(
            select(
                pilot_solutions.c.pilot_project_id,
                pilot_solutions.c.solution_id,
                Solution.status,
                Solution.open_source,
            )
            .join(PilotProject, PilotProject.id == pilot_solutions.c.pilot_project_id)
            .join(Solution, Solution.id == pilot_solutions.c.solution_id)
            .where(PilotProject.status == published)
        )
    )
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
            Organisation.nuts_code,
            PilotProject.published_at,
            PilotProject.updated_at,
        )
        .join(Organisation, Organisation.id == PilotProject.organisation_id)
        .where(PilotProject.status == published)
        .order_by(PilotProject.id)
    ).all()
    pilot_count = _write_batches(
        session,
        (
            _pilot_row(
                **row._asdict(),
                cpv_codes=pilot_cpv.get(row.id, []),
                solutions=pilot_links.get(row.id, []),
                cpv=cpv,
            )
            for row in projects
        ),
    )
    _after_bulk_load(session)
    new_token(session)
    return RebuildReport(solutions=solution_count, pilot_projects=pilot_count)


def _after_bulk_load(session: Session) -> None:
    """Refresh the planner statistics of what the search reads."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE search_entries, search_documents, search_pilot_solutions"))
    else:
        for table in ("search_entries", "search_pilot_solutions"):
            session.execute(text(f"ANALYZE {table}"))


def _forget_fts_statistics(session: Session) -> None:
    """Drop SQLite's planner statistics of the FTS5 shadow tables, if any.

    FTS5 plans its own statements on its shadow tables; statistics taken while they were
    (nearly) empty, e.g. by a database-wide ANALYZE right after the migration, make every
    insert into the index slower the larger it grows (minutes instead of seconds for 100,000
    entries). Without statistics SQLite's default assumptions fit.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    exists = session.scalar(
        text("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
    )
    if exists:
        session.execute(text("DELETE FROM sqlite_stat1 WHERE tbl LIKE 'search_fts%'"))
