"""Benchmark of the bundling proposals (procurement/needs/bundling.py): 20,000 open needs, < 2 s.

Two figures, each the median of several runs in this process (no HTTP):

- ``plain``: ``propose_bundles`` on 20,000 needs as plain data (the algorithm alone);
- ``sqlite``: what a page pays for the whole set: the one query for the open needs' columns
  (``services.open_need_rows``) plus ``propose_bundles``, on a fresh SQLite database filled
  with ``bench/generate.py``; with ``--postgres-url`` (or ``BENCH_PG_URL``) the same on a scratch
  PostgreSQL database that is dropped afterwards.

Registered as the in-process benchmark ``bundling`` (``make bench``, or
``.venv/bin/python bench/run.py --only bundling``); alone:
``.venv/bin/python bench/bench_bundling.py [--needs 20000] [--runs 5] [--postgres-url URL]``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Optional

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from generate import generate_needs, need_rows  # noqa: E402
from registry import Figure, InProcessBenchmark, register  # noqa: E402

from procurement.needs.bundling import NeedRow, propose_bundles  # noqa: E402

NEEDS = 20_000
TARGET_S = 2.0
DAY = date(2026, 11, 25)  # fixed, so that every run sees the same data and threshold


@dataclass(frozen=True)
class BundlingFigure:
    name: str
    needs: int
    runs: list[float]
    proposals: int
    members: int  # needs summed over all proposals (a need may be in several)
    largest: int  # municipalities in the largest proposal

    @property
    def median_s(self) -> float:
        return statistics.median(self.runs)

    @property
    def passed(self) -> bool:
        return self.median_s < TARGET_S

    def line(self) -> str:
        return (
            f"  {self.name:<10} {self.needs} open needs -> {self.proposals} proposals "
            f"({self.members} memberships, largest {self.largest} municipalities): "
            f"median {self.median_s * 1000:.0f} ms, max {max(self.runs) * 1000:.0f} ms over "
            f"{len(self.runs)} runs; target < {TARGET_S:g} s: {'PASS' if self.passed else 'FAIL'}"
        )


def _timed(name: str, needs: int, runs: int, compute: Callable[[], list[Any]]) -> BundlingFigure:
    times, proposals = [], []
    for _ in range(runs):
        began = time.perf_counter()
        proposals = compute()
        times.append(time.perf_counter() - began)
    return BundlingFigure(
        name=name,
        needs=needs,
        runs=times,
        proposals=len(proposals),
        members=sum(len(p.needs) for p in proposals),
        largest=max((p.municipality_count for p in proposals), default=0),
    )


def measure_plain(n: int = NEEDS, runs: int = 5) -> BundlingFigure:
    """``propose_bundles`` alone on ``n`` generated needs as plain data."""
    fields = set(NeedRow._fields)
    needs = [NeedRow(**{k: v for k, v in row.items() if k in fields}) for row in need_rows(n, today=DAY)]
    return _timed("plain", n, runs, lambda: propose_bundles(needs, DAY))


@contextmanager
def _postgres_database(server_url: str) -> Iterator[str]:
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


def measure_with_query(database_url: str, name: str, n: int = NEEDS, runs: int = 5) -> BundlingFigure:
    """The query for the open needs plus ``propose_bundles``, on a migrated database with ``n`` needs."""
    from flask_migrate import upgrade

    from procurement import create_app
    from procurement.extensions import db
    from procurement.needs.services import open_need_rows

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        generate_needs(db.session, n, today=DAY)
        db.session.commit()

        def compute() -> list[Any]:
            db.session.expire_all()
            return propose_bundles(open_need_rows(today=DAY), DAY)

        try:
            return _timed(name, n, runs, compute)
        finally:
            db.session.remove()
            db.engine.dispose()


def measure_all(n: int = NEEDS, runs: int = 5, postgres_url: Optional[str] = None) -> list[BundlingFigure]:
    figures = [measure_plain(n, runs)]
    with tempfile.TemporaryDirectory(prefix="vm-bench-bundling-") as tmp:
        figures.append(measure_with_query(f"sqlite:///{Path(tmp) / 'bundling.sqlite'}", "sqlite", n, runs))
    if postgres_url:
        with _postgres_database(postgres_url) as url:
            figures.append(measure_with_query(url, "postgresql", n, runs))
    return figures


def _figures() -> list[Figure]:
    return [
        Figure(
            label=f"{figure.name}: median of {len(figure.runs)} runs",
            value=figure.median_s,
            unit="s",
            limit=TARGET_S,
            detail=(f"{figure.needs} needs -> {figure.proposals} proposals, max {max(figure.runs):.3f} s"),
        )
        for figure in measure_all(NEEDS, 5, os.environ.get("BENCH_PG_URL"))
    ]


register(
    InProcessBenchmark(
        name="bundling",
        description=(
            f"Bundling proposals for {NEEDS:,} open needs (bench/generate.py): the algorithm on plain "
            "data, and the one query plus the algorithm on SQLite (and PostgreSQL if BENCH_PG_URL is set)"
        ),
        measure=_figures,
    )
)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--needs", type=int, default=NEEDS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_PG_URL"),
        help="server URL; a scratch database vm_bench_<random> is created and dropped (BENCH_PG_URL)",
    )
    args = parser.parse_args(argv)
    print(f"bundling proposals, {args.needs} open needs (bench/generate.py), day {DAY.isoformat()}")
    figures = measure_all(args.needs, args.runs, args.postgres_url)
    for figure in figures:
        print(figure.line())
    return 0 if all(f.passed for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
