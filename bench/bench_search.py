"""Benchmarks of the search (procurement/search) on 100,000 published solutions.

The data set (bench/generate.py: 100,000 solutions, 2,000 pilot projects, 20,000 needs, 400
municipalities, 200 vendors, on top of the demo data) is generated once per run for each
database.

- ``search-latency`` (in-process, no HTTP): ``engine.search()`` for ten typical queries, each a
  word or two plus two filters (``TYPICAL``), 30 rounds, on SQLite and on PostgreSQL (a scratch
  database ``vm_bench_<random>`` on ``BENCH_PG_URL``, default 127.0.0.1:5432, dropped
  afterwards). Figure: the 95th percentile of the 300 latencies, target < 50 ms on each.
- ``search-page`` (HTTP, gunicorn): the rendered search page for a typical query with two
  filters against ``/healthz``, on the SQLite data set; target ratio >= 0.25.

Alone: ``.venv/bin/python bench/bench_search.py [--solutions 100000] [--rounds 30]
[--postgres-url URL]`` (latency only), or ``bench/run.py --only search-latency --only search-page``.
"""

from __future__ import annotations

import argparse
import atexit
import os
import secrets
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from generate import generate_dataset  # noqa: E402
from loadgen import Request, percentile  # noqa: E402
from registry import HEALTHZ, Benchmark, Figure, InProcessBenchmark, register  # noqa: E402

from procurement.marketplace.models import Category  # noqa: E402
from procurement.search.engine import Funding, SearchQuery  # noqa: E402
from procurement.search.models import EntryKind  # noqa: E402

if TYPE_CHECKING:
    from harness import Server

SOLUTIONS = int(os.environ.get("BENCH_SEARCH_SOLUTIONS", "100000"))
NEEDS = 20_000
ROUNDS = 30
TARGET_P95_MS = 50.0
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# Typical searches: what a municipality types, narrowed by two filters.
TYPICAL: list[SearchQuery] = [
    SearchQuery(text="Ampelsteuerung", categories=(Category.traffic,), cost_to=Decimal("100000")),
    SearchQuery(text="Parkleitsystem", region="DE1", open_source=True),
    SearchQuery(text="LED Straßenbeleuchtung", categories=(Category.lighting,), funding=Funding.funded),
    SearchQuery(text="Wasserzähler", kind=EntryKind.solution, cost_to=Decimal("50000")),
    SearchQuery(text="Bürgerportal", categories=(Category.administration,), open_source=True),
    SearchQuery(text="Hochwasser Warnung", categories=(Category.disaster_protection,), region="DE2"),
    SearchQuery(text="Luftqualität", open_source=True, cost_to=Decimal("50000")),
    SearchQuery(text="Energiemanagement", categories=(Category.energy,), funding=Funding.unfunded),
    SearchQuery(text="LoRaWAN Gateway", categories=(Category.connectivity,), cost_to=Decimal("20000")),
    SearchQuery(text="Baumbewässerung", categories=(Category.environment,), kind=EntryKind.solution),
]
# The rendered page for the first of them (a word and two filters).
PAGE_PATH = "/search?q=Ampelsteuerung&category=traffic&cost_to=100000"


@dataclass(frozen=True)
class Latency:
    database: str
    samples_ms: list[float]
    generate_s: float
    results: int  # total hits summed over the queries (a plausibility check)

    @property
    def p95(self) -> float:
        return percentile(self.samples_ms, 95)

    def figure(self) -> Figure:
        return Figure(
            label=f"{self.database}: p95 of {len(self.samples_ms)} searches",
            value=self.p95,
            unit="ms",
            limit=TARGET_P95_MS,
            detail=(
                f"p50 {percentile(self.samples_ms, 50):.1f} ms, max {max(self.samples_ms):.1f} ms; "
                f"{len(TYPICAL)} queries with two filters, {SOLUTIONS:,} solutions "
                f"(generated and indexed in {self.generate_s:.0f} s)"
            ),
        )


def _app(database_url: str) -> Any:
    from procurement import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})


def _fill(database_url: str) -> float:
    """Migrate, load the demo data and the generated data set, index it; return the seconds."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from procurement.demo import seed
    from procurement.extensions import db

    began = time.perf_counter()
    app = _app(database_url)
    with app.app_context():
        upgrade()
        seed()
        generate_dataset(db.session, solutions=SOLUTIONS, needs=NEEDS)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # The steady state of a live database: autovacuum has set the visibility map.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        db.session.remove()
        db.engine.dispose()
    return time.perf_counter() - began


def measure_latency(database_url: str, database: str, generate_s: float, rounds: int = ROUNDS) -> Latency:
    """Run every typical query ``rounds`` times (after one warm-up round); wall-clock per search."""
    from procurement.extensions import db
    from procurement.search.engine import search

    app = _app(database_url)
    samples: list[float] = []
    results = 0
    with app.app_context():
        try:
            for round_number in range(rounds + 1):
                for query in TYPICAL:
                    began = time.perf_counter()
                    result = search(query)
                    elapsed = (time.perf_counter() - began) * 1000
                    db.session.rollback()  # one transaction per search, as in a request
                    if round_number:
                        samples.append(elapsed)
                    else:
                        results += result.total
        finally:
            db.session.remove()
            db.engine.dispose()
    return Latency(database, samples, generate_s, results)


# --- the SQLite data set: generated once, used in-process and copied into gunicorn's instance ---

_SQLITE: dict[str, Any] = {}


def sqlite_dataset() -> tuple[Path, float]:
    if "path" not in _SQLITE:
        directory = Path(tempfile.mkdtemp(prefix="vm-bench-search-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        path = directory / "search.sqlite"
        _SQLITE["seconds"] = _fill(f"sqlite:///{path}")
        _SQLITE["path"] = path
    return _SQLITE["path"], _SQLITE["seconds"]


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A scratch database ``vm_bench_<random>`` next to ``server_url``, dropped afterwards."""
    import psycopg
    from sqlalchemy import make_url

    url = make_url(server_url)
    name = f"vm_bench_{secrets.token_hex(4)}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure_sqlite(rounds: int = ROUNDS) -> Latency:
    path, seconds = sqlite_dataset()
    return measure_latency(f"sqlite:///{path}", "sqlite", seconds, rounds)


def measure_postgres(server_url: str, rounds: int = ROUNDS) -> Latency:
    with postgres_database(server_url) as url:
        seconds = _fill(url)
        return measure_latency(url, "postgresql", seconds, rounds)


def _latency_figures() -> list[Figure]:
    return [
        measure_sqlite().figure(),
        measure_postgres(os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL)).figure(),
    ]


def _load_dataset(server: Server) -> dict[str, str]:
    """Replace the instance's database with the data set (SQLite online backup: consistent even
    if a worker has the file open)."""
    path, _seconds = sqlite_dataset()
    source = sqlite3.connect(path)
    target = sqlite3.connect(server.instance / "vergabe.sqlite")
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return {}


register(
    InProcessBenchmark(
        name="search-latency",
        description=(
            f"engine.search() for {len(TYPICAL)} typical queries with two filters each over {SOLUTIONS:,} "
            "solutions (bench/generate.py), in-process on SQLite (FTS5) and PostgreSQL (tsvector, GIN)"
        ),
        measure=_latency_figures,
    )
)

register(
    Benchmark(
        name="search-page",
        description=(
            f"Anonymous GET {PAGE_PATH} (rendered search page: a word and two filters, facet counts, "
            f"20 results, pagination) over {SOLUTIONS:,} solutions on SQLite, against GET /healthz"
        ),
        target=Request(PAGE_PATH),
        baseline=HEALTHZ,
        min_ratio=0.25,
        target_must_contain="Treffer",
        setup=_load_dataset,
    )
)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args(argv)
    latencies = [measure_sqlite(args.rounds)]
    if not args.sqlite_only:
        latencies.append(measure_postgres(args.postgres_url, args.rounds))
    for latency in latencies:
        figure = latency.figure()
        verdict = "PASS" if figure.passed else "FAIL"
        print(
            f"{figure.label}: {figure.value:.1f} ms (target < {figure.limit:g} ms) {verdict}; {figure.detail}"
        )
        median = statistics.median(latency.samples_ms)
        print(f"  total hits over the queries: {latency.results}; median {median:.1f} ms")
    return 0 if all(latency.figure().passed for latency in latencies) else 1


if __name__ == "__main__":
    sys.exit(main())
