"""Search over published solutions and pilot projects: one interface, one backend per database.

``search(SearchQuery(...)) -> SearchResult`` with the page of items, the total, facet counts
per category and per kind, and page information. Three short queries per search: one GROUP BY
(category, kind) over every filter except category and kind (it yields the facets and the
total), one for the ids of the page, one for their texts.

Full text (the user's words are never passed through as query syntax):

- The text is cut to ``MAX_QUERY_CHARS``; words are the runs of letters and digits (so quotes,
  ``AND``/``OR``/``NOT``/``NEAR`` as operators, ``*``, ``-``, parentheses and colons cannot
  reach the full-text engine), folded (case, ß -> ss), stop words (German, and the operator
  words) and single characters dropped, at most ``MAX_TERMS`` kept. Every word must occur.
- Each word is matched as a prefix of its *light stem* (one common German inflection ending
  removed: "Ampeln" -> ``ampel*``, "Sensoren" -> ``sensor*``), so that "Ampel" finds
  "Ampelsteuerung" and "Ampeln" finds "Ampel" on both databases.
- SQLite (FTS5, unicode61, diacritics removed) has no German stemmer; the light stem and the
  prefix match are all it gets. Trade-off: no decompounding ("Steuerung" does not find
  "Ampelsteuerung"), forms that are no prefix of each other ("Dörfer"/"Dorf", "Wege"/"Weg")
  are missed, and short stems match more than a stemmer would.
- PostgreSQL additionally stems every query word and the documents with its German Snowball
  stemmer (``to_tsvector('german', ...)``, ``to_tsquery('german', ...)``): "Dörfer" finds
  "Dorf". (Snowball leaves participles alone: "beleuchtet" does not find "Beleuchtung".)
- The CPV filter is a prefix query on the entry's CPV codes in the same full-text index.
- Ranking: BM25 on SQLite, ``ts_rank`` on PostgreSQL; title weighs more than the summary,
  the summary more than the rest.

Filters that link the two kinds: the region of a pilot project is its municipality's NUTS
code; a solution lies in a region if a published pilot project there uses it ("erprobt in").
"Funded": a pilot project's own flag; a solution counts as funded (or as used without
funding) if a published funded (or non-funded) pilot project uses it. "Open source": a
solution's licence; a pilot project if it uses a published open-source solution. These read
``search_pilot_solutions``, a few rows per pilot project.
"""

from __future__ import annotations

import enum
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    union_all,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from procurement.extensions import db
from procurement.marketplace.models import Category
from procurement.search.index import entry_id_of_solution
from procurement.search.models import EntryKind, SearchDocument, SearchEntry, SearchPilotSolution

PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_QUERY_CHARS = 200
MAX_TERMS = 8
# Deep pages cost a sort of every match and help nobody; refine the search instead.
MAX_PAGE = 500

STOP_WORDS = frozenset(
    """
    aber als am an auch auf aus bei bis das dass dem den der des die ein eine einem einen einer
    eines es fuer für im in ist mit nach nicht noch oder ohne sich sind so über um und unter vom
    von vor wie wird werden zu zum zur
    and or not near
    """.split()
)
# Inflection endings removed before prefix matching, longest first; the stem keeps 4 letters.
_ENDINGS = ("ern", "en", "er", "em", "es", "e", "n", "s")
_MIN_STEM = 4
_WORD = re.compile(r"[^\W_]+")
_CPV_PREFIX = re.compile(r"[0-9]{2,8}")


class Sort(enum.Enum):
    relevance = "relevance"
    newest = "newest"
    title = "title"
    cost = "cost"  # lowest cost (or budget) first; entries without costs last


class Funding(enum.Enum):
    funded = "funded"  # gefördert
    unfunded = "unfunded"  # ohne Fördermittel


@dataclass(frozen=True)
class TextQuery:
    """The user's search text, reduced to safe terms."""

    terms: tuple[str, ...]  # folded words as typed
    stems: tuple[str, ...]  # what is matched (as a prefix)
    truncated: bool = False  # text longer than MAX_QUERY_CHARS
    dropped_terms: tuple[str, ...] = ()  # beyond MAX_TERMS
    only_stop_words: bool = False  # there were words, but none that can be searched


def light_stem(word: str) -> str:
    """Remove one common German inflection ending, keeping at least four letters."""
    if word.isdigit():
        return word
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[: -len(ending)]
    return word


def analyse(text: str) -> TextQuery:
    """Turn free text into search terms; never raises, whatever the input."""
    text = unicodedata.normalize("NFKC", text or "")
    truncated = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS]
    words = _WORD.findall(text.casefold())
    terms: list[str] = []
    for word in words:
        if len(word) < 2 or word in STOP_WORDS or word in terms:
            continue
        terms.append(word)
    kept, dropped = terms[:MAX_TERMS], terms[MAX_TERMS:]
    stems: list[str] = []
    for term in kept:
        stem = light_stem(term)
        if stem not in stems:
            stems.append(stem)
    return TextQuery(
        terms=tuple(kept),
        stems=tuple(stems),
        truncated=truncated,
        dropped_terms=tuple(dropped),
        only_stop_words=bool(words) and not kept,
    )


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    categories: tuple[Category, ...] = ()
    kind: Optional[EntryKind] = None
    cpv_prefix: str = ""  # 2 to 8 digits, e.g. "3499" or "34996000"
    cost_from: Optional[Decimal] = None  # EUR; an entry matches if its cost range overlaps
    cost_to: Optional[Decimal] = None
    region: str = ""  # NUTS prefix, e.g. "DE1" (a state) or "DE11"
    funding: Optional[Funding] = None
    open_source: bool = False
    sort: Sort = Sort.relevance
    page: int = 1
    per_page: int = PER_PAGE


@dataclass(frozen=True)
class ResultItem:
    kind: EntryKind
    entry_id: int  # the solution's or pilot project's id
    title: str
    summary: str
    category: Category
    organisation_name: str
    cost_low: Optional[Decimal]
    cost_high: Optional[Decimal]
    open_source: bool
    funded: bool
    published_at: datetime


@dataclass(frozen=True)
class SearchResult:
    query: SearchQuery
    text: TextQuery
    items: list[ResultItem]
    total: int
    category_counts: dict[Category, int]  # every category, with the other filters applied
    kind_counts: dict[EntryKind, int]
    page: int  # the page shown (clamped to 1..pages)
    per_page: int
    requested_page: int
    sort: Sort  # the order applied (relevance without words means newest)
    notes: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, min(MAX_PAGE, math.ceil(self.total / self.per_page)))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)


# --- filters (the same on every database) --------------------------------------------------


def _entries_linked_by_pilots(pilot: ColumnElement[bool], link: ColumnElement[bool]) -> Any:
    """Ids of the pilot projects with ``pilot`` and of the solutions used by such projects.

    A list the database can size (a few hundred or thousand ids), rather than a condition on
    every entry: PostgreSQL then starts from it when it is short.
    """
    e, links = SearchEntry, SearchPilotSolution
    pilots = select(e.id).where(e.kind == EntryKind.pilot_project, pilot)
    # A solution's entry id is derived from its id: no join needed.
    solutions = select(entry_id_of_solution(links.solution_id)).where(link)
    return union_all(pilots, solutions)


def _filters(query: SearchQuery, *, facets: bool = False) -> list[ColumnElement[bool]]:
    """Every condition of ``query``; without categories and kind when counting facets.

    Conditions that concern one kind test ``kind`` first: the other kind's rows are decided
    from the covering index ``ix_search_entries_facets`` alone. The filters that link the two
    kinds read ``search_pilot_solutions`` (a few rows per pilot project).
    """
    e = SearchEntry
    links = SearchPilotSolution
    is_pilot = e.kind == EntryKind.pilot_project
    where: list[ColumnElement[bool]] = []
    if not facets:
        if query.categories:
            where.append(e.category.in_(query.categories))
        if query.kind is not None:
            where.append(e.kind == query.kind)
    if query.cost_from is not None:
        where.append(e.cost_high >= query.cost_from)
    if query.cost_to is not None:
        where.append(e.cost_low <= query.cost_to)
    if query.open_source:
        pilots_using_oss = select(links.pilot_entry_id).where(links.solution_open_source.is_(True))
        where.append(or_(e.open_source.is_(True), and_(is_pilot, e.id.in_(pilots_using_oss))))
    if query.funding is not None:
        funded = query.funding is Funding.funded
        where.append(
            e.id.in_(_entries_linked_by_pilots(pilot=e.funded.is_(funded), link=links.funded.is_(funded)))
        )
    if query.region:
        where.append(
            e.id.in_(
                _entries_linked_by_pilots(
                    pilot=e.nuts_code.startswith(query.region, autoescape=True),
                    link=links.nuts_code.startswith(query.region, autoescape=True),
                )
            )
        )
    return where


# --- the two backends ----------------------------------------------------------------------


@dataclass(frozen=True)
class _FullText:
    """What the full-text index must match: every stem (as a prefix) and a CPV prefix."""

    stems: tuple[str, ...]
    cpv_prefix: str = ""

    def __bool__(self) -> bool:
        return bool(self.stems or self.cpv_prefix)


class _Backend:
    """Full-text matching and ranking of one database."""

    def prepare(self, session: Session) -> None:
        """Settings for the search's statements (once per search)."""

    def restrict(self, statement: Select[Any], text: _FullText) -> Select[Any]:
        """``statement`` (over search_entries) joined to the full-text index, keeping matches."""
        raise NotImplementedError

    def rank(self, text: _FullText) -> ColumnElement[Any]:
        """ORDER BY term for relevance, on a statement restricted with :meth:`restrict`."""
        raise NotImplementedError


class _SqliteBackend(_Backend):
    fts = table("search_fts", column("rowid"))

    @staticmethod
    def expression(text: _FullText) -> str:
        # Stems and CPV prefixes are letters and digits only: quoted, each is a plain token
        # for FTS5, never an operator.
        parts = [f'"{stem}"*' for stem in text.stems]
        if text.cpv_prefix:
            parts.append(f'cpv_codes : "{text.cpv_prefix}"*')
        return " AND ".join(parts)

    def restrict(self, statement: Select[Any], text: _FullText) -> Select[Any]:
        match = sql_text("search_fts MATCH :fts_query").bindparams(fts_query=self.expression(text))
        return statement.join(self.fts, self.fts.c.rowid == SearchEntry.id).where(match)

    def rank(self, text: _FullText) -> ColumnElement[Any]:
        # BM25 with weights per column (title, summary, body, CPV codes); smaller is better.
        return literal_column("bm25(search_fts, 10.0, 4.0, 1.0, 0.0)").asc()


class _PostgresBackend(_Backend):
    # The vector lives in search_entries (migration 0003): matching and filters in one row.
    document = literal_column("search_entries.search_fts")

    @staticmethod
    def expression(text: _FullText) -> str:
        # Quoted lexemes with a prefix flag; the German configuration stems them further.
        # CPV codes are the unstemmed lexemes of weight D.
        parts = [f"'{stem}':*" for stem in text.stems]
        if text.cpv_prefix:
            parts.append(f"'{text.cpv_prefix}':*D")
        return " & ".join(parts)

    def _tsquery(self, text: _FullText) -> ColumnElement[Any]:
        return func.to_tsquery(literal_column("'german'::regconfig"), self.expression(text))

    def prepare(self, session: Session) -> None:
        # The filters' subqueries can make the planner's cost estimates large enough to switch
        # on JIT compilation, which costs hundreds of milliseconds for a query of a few. Only
        # for this transaction.
        # Parallel workers cost more to start than these queries take.
        session.connection().exec_driver_sql(
            "SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0"
        )

    def restrict(self, statement: Select[Any], text: _FullText) -> Select[Any]:
        return statement.where(self.document.op("@@")(self._tsquery(text)))

    def rank(self, text: _FullText) -> ColumnElement[Any]:
        return func.ts_rank(self.document, self._tsquery(text)).desc()


_BACKENDS: dict[str, _Backend] = {"sqlite": _SqliteBackend(), "postgresql": _PostgresBackend()}


def backend_for(session: Session) -> _Backend:
    dialect = session.get_bind().dialect.name
    try:
        return _BACKENDS[dialect]
    except KeyError:
        raise RuntimeError(f"no search backend for the {dialect} database") from None


_DETAIL_COLUMNS = (
    SearchEntry.id,
    SearchEntry.kind,
    SearchEntry.solution_id,
    SearchEntry.pilot_project_id,
    SearchEntry.category,
    SearchEntry.organisation_name,
    SearchEntry.cost_low,
    SearchEntry.cost_high,
    SearchEntry.open_source,
    SearchEntry.funded,
    SearchEntry.published_at,
    SearchDocument.title,
    SearchDocument.summary,
)


def _item(row: Any) -> ResultItem:
    return ResultItem(
        kind=row.kind,
        entry_id=row.solution_id if row.kind is EntryKind.solution else row.pilot_project_id,
        title=row.title,
        summary=row.summary,
        category=row.category,
        organisation_name=row.organisation_name,
        cost_low=row.cost_low,
        cost_high=row.cost_high,
        open_source=row.open_source,
        funded=row.funded,
        published_at=row.published_at,
    )


def search(query: SearchQuery, session: Optional[Session] = None) -> SearchResult:
    """Run ``query`` against the index of published entries."""
    session = session or db.session
    backend = backend_for(session)
    words = analyse(query.text)
    stems = words.stems
    if query.cpv_prefix and not _CPV_PREFIX.fullmatch(query.cpv_prefix):
        raise ValueError(f"CPV prefix must be 2 to 8 digits: {query.cpv_prefix!r}")
    fulltext = _FullText(stems, query.cpv_prefix)
    per_page = max(1, min(MAX_PER_PAGE, query.per_page))

    backend.prepare(session)
    counts = (
        select(SearchEntry.category, SearchEntry.kind, func.count())
        .select_from(SearchEntry)
        .where(*_filters(query, facets=True))
    )
    if fulltext:
        counts = backend.restrict(counts, fulltext)
    counts = counts.group_by(SearchEntry.category, SearchEntry.kind)
    category_counts = {category: 0 for category in Category}
    kind_counts = {kind: 0 for kind in EntryKind}
    total = 0
    # Core execution on the session's connection: these rows are no ORM objects.
    connection = session.connection()
    for category, kind, number in connection.execute(counts):
        in_kind = query.kind is None or kind is query.kind
        in_category = not query.categories or category in query.categories
        if in_kind:
            category_counts[category] += number
        if in_category:
            kind_counts[kind] += number
        if in_kind and in_category:
            total += number

    pages = max(1, min(MAX_PAGE, math.ceil(total / per_page)))
    page = min(max(1, query.page), pages)
    sort = query.sort if (query.sort is not Sort.relevance or stems) else Sort.newest
    items: list[ResultItem] = []
    if total:
        # First the ids of the page (narrow rows to sort), then their details.
        ids = select(SearchEntry.id).select_from(SearchEntry).where(*_filters(query))
        if fulltext:
            ids = backend.restrict(ids, fulltext)
        order: list[Any] = {
            Sort.relevance: [backend.rank(fulltext)] if stems else [],
            Sort.newest: [],
            Sort.title: [SearchEntry.sort_title.asc()],
            Sort.cost: [SearchEntry.cost_low.asc().nulls_last(), SearchEntry.sort_title.asc()],
        }[sort]
        order += [SearchEntry.published_at.desc(), SearchEntry.id.desc()]
        page_ids = list(
            connection.execute(ids.order_by(*order).limit(per_page).offset((page - 1) * per_page)).scalars()
        )
        details = {
            row.id: row
            for row in connection.execute(
                select(*_DETAIL_COLUMNS)
                .join(SearchDocument, SearchDocument.entry_id == SearchEntry.id)
                .where(SearchEntry.id.in_(page_ids))
            )
        }
        items = [_item(details[entry_id]) for entry_id in page_ids if entry_id in details]
    return SearchResult(
        query=query,
        text=words,
        items=items,
        total=total,
        category_counts=category_counts,
        kind_counts=kind_counts,
        page=page,
        per_page=per_page,
        requested_page=query.page,
        sort=sort,
    )
