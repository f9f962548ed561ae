"""The search index: one row per published solution or pilot project.

Separate tables, so that filtering, counting and sorting read narrow rows only:

- ``search_entries``: what the search filters, sorts and counts on (kind, category, costs,
  flags, dates, the folded title) and the organisation's name;
- ``search_documents``: the texts (title, summary, everything else worth finding), one row per
  entry;
- ``search_pilot_solutions``: which solutions the indexed pilot projects use (for the filters
  that link the two kinds).

The full-text part is dialect-specific and kept out of the SQLAlchemy metadata (migration 0003):

- SQLite: an FTS5 table ``search_fts`` (external content = ``search_documents``), kept in step
  by triggers;
- PostgreSQL: a generated column ``search_documents.search_fts`` (``tsvector``, German
  configuration) with the GIN index ``search_fts_gin``.

Every such object's name starts with ``search_fts``; :func:`include_name` hides them from
Alembic's comparison of models and database (autogenerate and tests/test_migrations.py).

Triggers on ``solutions`` and ``pilot_projects`` (also ``search_fts_*``) remove an entry from
the index as soon as its status leaves ``published`` or the row is deleted, so that the rule
"only published entries are ever found" holds even if a caller forgot to reindex.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from procurement.database import UTCDateTime, enum_type
from procurement.extensions import db
from procurement.marketplace.models import Category

FTS_PREFIX = "search_fts"


class EntryKind(enum.Enum):
    solution = "solution"  # Lösung
    pilot_project = "pilot_project"  # Modellprojekt


class SearchEntry(db.Model):
    """What the search filters, sorts and counts on for one published entry."""

    __tablename__ = "search_entries"
    __table_args__ = (
        CheckConstraint("(solution_id IS NULL) != (pilot_project_id IS NULL)", name="exactly_one_entry"),
        # Every filter column: counting and filtering read this index only, never the rows.
        Index(
            "ix_search_entries_facets",
            "category",
            "kind",
            "open_source",
            "funded",
            "cost_low",
            "cost_high",
            "solution_id",
            "pilot_project_id",
        ),
        # The pilot projects of a region, funded or not (few rows of many).
        Index("ix_search_entries_pilots", "kind", "funded", "nuts_code"),
    )

    # Derived from the solution's or pilot project's id (index.entry_id_of_*), not generated.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[EntryKind] = mapped_column(enum_type(EntryKind, "search_entry_kind"))
    solution_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("solutions.id", ondelete="CASCADE"), unique=True
    )
    pilot_project_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("pilot_projects.id", ondelete="CASCADE"), unique=True
    )
    category: Mapped[Category] = mapped_column(enum_type(Category, "category"))
    organisation_name: Mapped[str] = mapped_column(String(200))
    # Solutions: typical cost range; pilot projects: the budget (low = high). EUR net.
    cost_low: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2), index=True)
    cost_high: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))
    open_source: Mapped[bool] = mapped_column(default=False)  # solutions: its licence
    funded: Mapped[bool] = mapped_column(default=False)  # pilot projects: funded
    # Pilot projects: the NUTS code of the municipality (the region filter is a prefix).
    nuts_code: Mapped[Optional[str]] = mapped_column(String(5))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Title folded for sorting (case, umlauts as base letters: DIN 5007-1).
    sort_title: Mapped[str] = mapped_column(String(200), index=True)


class SearchDocument(db.Model):
    """The texts of one entry: what the full-text index is built from."""

    __tablename__ = "search_documents"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("search_entries.id", ondelete="CASCADE"), primary_key=True
    )
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500))
    # Everything else that should be found: description, standards, licence, organisation,
    # CPV labels; for pilot projects results, lessons learned, funding programme, specification.
    body: Mapped[str] = mapped_column(Text)
    # The entry's CPV codes as their 8 digits, separated by spaces: the CPV filter is a prefix
    # query on these in the full-text index (fast on both databases).
    cpv_codes: Mapped[str] = mapped_column(String(500), default="")


class SearchPilotSolution(db.Model):
    """A solution used by an indexed (published) pilot project, with what the filters need.

    The region, funding and open-source filters link the two kinds: a solution lies in a
    region (or counts as funded / used without funding) if a published pilot project there
    uses it; a pilot project counts as open source if it uses a published open-source
    solution. These rows are rebuilt with their pilot project's entry and go with it.
    """

    __tablename__ = "search_pilot_solutions"

    pilot_entry_id: Mapped[int] = mapped_column(
        ForeignKey("search_entries.id", ondelete="CASCADE"), primary_key=True
    )
    solution_id: Mapped[int] = mapped_column(ForeignKey("solutions.id", ondelete="CASCADE"), primary_key=True)
    nuts_code: Mapped[Optional[str]] = mapped_column(String(5))  # of the pilot's municipality
    funded: Mapped[bool]  # the pilot project's funding
    # The solution is published and open source (kept up to date by reindex_solution and the
    # unpublish triggers).
    solution_open_source: Mapped[bool]


class SearchIndexState(db.Model):
    """One row: a random token that changes with every change of the index.

    Search results may be cached under (token, query): a cached result is never older than the
    index (procurement/search/cache.py). The index code sets a new token with every change; so
    do the triggers that take unpublished or deleted entries out (migration 0003).
    """

    __tablename__ = "search_index_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[int] = mapped_column(BigInteger)


def include_name(name: Optional[str], type_: str, parent_names: dict[str, object]) -> bool:
    """Alembic name filter: leave the dialect-specific full-text objects out of comparisons."""
    return not (name or "").startswith(FTS_PREFIX)
