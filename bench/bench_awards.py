"""Benchmark of the contracts (procurement/awards/contracts.py): 1,000 participants × 5 lots, < 10 s.

A joint tender with 1,000 joined municipalities (each with an officer, its AGS and Leitweg-ID,
a quantity in every lot), 5 lots, one winning bid with a price per lot and a final award per lot
(standstill over) is written directly into a fresh, migrated database (bulk inserts: a bench
shortcut, the award machine is tested elsewhere). Then, timed: ``create_contracts`` for each of
the five awards, lot by lot as the Zuschlag makes them, each in its own transaction with its
commit: 5,000 contracts with their amounts, 5,000 PDFs rendered and stored (fsync) with their
SHA-256, one audit entry per award and one mail per officer in the outbox. The storage is a
temporary directory, removed afterwards.

Figures: the total time (target < 10 s), contracts/s and the PDF bytes, on SQLite and, if
``BENCH_PG_URL`` is set (or ``--postgres-url``), on a scratch PostgreSQL database
``vm_bench_<random>`` that is dropped afterwards.

Registered as the in-process benchmark ``contracts`` (``make bench``, or
``.venv/bin/python bench/run.py --only contracts``); alone:
``.venv/bin/python bench/bench_awards.py [--participants 1000] [--lots 5] [--postgres-url URL]``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Optional

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from registry import Figure, InProcessBenchmark, register  # noqa: E402

PARTICIPANTS = 1_000
LOTS = 5
TARGET_S = 10.0
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # fixed: the same data on every run
STANDSTILL_END = NOW - timedelta(hours=1)


@dataclass(frozen=True)
class ContractsFigure:
    name: str
    participants: int
    lots: int
    seconds: float
    per_lot: list[float]
    contracts: int
    pdf_bytes: int
    mails: int

    @property
    def passed(self) -> bool:
        return self.seconds < TARGET_S and self.contracts == self.participants * self.lots

    def line(self) -> str:
        lots = ", ".join(f"{s:.2f}" for s in self.per_lot)
        each = self.pdf_bytes // max(self.contracts, 1)
        return (
            f"  {self.name:<10} {self.participants} participants × {self.lots} lots -> {self.contracts} "
            f"contracts in {self.seconds:.2f} s ({self.contracts / self.seconds:.0f} contracts/s; per lot "
            f"{lots} s); PDFs {self.pdf_bytes / 1024 / 1024:.1f} MiB, {each} bytes each; "
            f"{self.mails} mails queued; target < {TARGET_S:g} s: "
            f"{'PASS' if self.passed else 'FAIL'}"
        )


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


def build_tender(participants: int, lots: int) -> tuple[int, list[int], int]:
    """The awarded tender, written in bulk; returns its id, the award ids and the lead officer's id."""
    from sqlalchemy import insert, select

    from procurement.accounts.models import Organisation, OrganisationKind, Role, User, UserRole
    from procurement.awards.models import Award, Offer
    from procurement.bids.models import Bid, BidStatus
    from procurement.extensions import db
    from procurement.reference.deadlines import Procedure
    from procurement.tenders.models import (
        ContractNature,
        Lot,
        LotQuantity,
        Participant,
        ParticipantStatus,
        Tender,
    )
    from workflows.account import UserStatus
    from workflows.award import AwardStatus
    from workflows.tender import TenderStatus

    session = db.session
    municipalities = [
        {
            "kind": OrganisationKind.municipality,
            "name": f"Gemeinde Benchdorf {n}",
            "street": f"Rathausplatz {n % 50 + 1}",
            "postal_code": f"{10000 + n:05d}",
            "city": f"Benchdorf {n}",
            "country_code": "DE",
            "ags": f"{9000000 + n:08d}",
            "leitweg_id": f"{9000000 + n:08d}-0001-{n % 97:02d}",
            "created_at": NOW,
        }
        for n in range(participants)
    ]
    session.execute(insert(Organisation), municipalities)
    organisation_ids = list(
        session.scalars(
            select(Organisation.id)
            .where(Organisation.name.like("Gemeinde Benchdorf %"))
            .order_by(Organisation.id)
        )
    )
    vendor = Organisation(
        kind=OrganisationKind.vendor,
        name="Bench Verkehrstechnik GmbH",
        street="Industriestraße 1",
        postal_code="70565",
        city="Stuttgart",
        vat_id="DE999999999",
    )
    session.add(vendor)
    session.flush()
    users = [
        {
            "organisation_id": organisation_id,
            "email": f"vergabe{n}@benchdorf.example",
            "name": f"Vera Vergabe {n}",
            "status": UserStatus.active,
            "session_token": secrets.token_hex(32),
            "created_at": NOW,
        }
        for n, organisation_id in enumerate(organisation_ids)
    ]
    users.append(
        {
            "organisation_id": vendor.id,
            "email": "angebot@bench-verkehrstechnik.example",
            "name": "Bernd Bieter",
            "status": UserStatus.active,
            "session_token": secrets.token_hex(32),
            "created_at": NOW,
        }
    )
    session.execute(insert(User), users)
    user_ids = dict(session.execute(select(User.email, User.id)).all())
    session.execute(
        insert(UserRole),
        [
            {
                "user_id": user_ids[row["email"]],
                "role": Role.vendor if row["organisation_id"] == vendor.id else Role.officer,
            }
            for row in users
        ],
    )
    lead_officer_id = user_ids["vergabe0@benchdorf.example"]

    tender = Tender(
        reference="BENCH-2026-1",
        lead_organisation_id=organisation_ids[0],
        status=TenderStatus.awarded,
        title="Gemeinsame Beschaffung von Ampelsteuerungen für 1.000 Kommunen",
        description="Benchmark",
        contract_nature=ContractNature.supplies,
        cpv_code="34996000-5",
        nuts_code="DE118",
        contact_email="vergabe0@benchdorf.example",
        contact_phone="+49 7131 0000",
        review_body_name="Vergabekammer Baden-Württemberg",
        review_body_city="Karlsruhe",
        review_body_postal_code="76133",
        review_body_nuts="DE122",
        procedure=Procedure.eu_open,
        bid_deadline=NOW - timedelta(days=30),
        published_at=NOW - timedelta(days=70),
        duration_months=24,
    )
    session.add(tender)
    session.flush()
    lot_rows = [
        Lot(
            tender_id=tender.id,
            number=number,
            title=f"Los {number}: Steuergeräte Typ {number}",
            description="Benchmark",
            cpv_code="34996000-5",
            unit="Stück",
            unit_price=Decimal("9500.00"),
            nuts_code="DE118",
        )
        for number in range(1, lots + 1)
    ]
    session.add_all(lot_rows)
    session.flush()
    session.execute(
        insert(Participant),
        [
            {
                "tender_id": tender.id,
                "organisation_id": organisation_id,
                "status": ParticipantStatus.joined,
                "invited_at": NOW,
                "joined_at": NOW,
            }
            for organisation_id in organisation_ids
        ],
    )
    participant_ids = list(
        session.scalars(
            select(Participant.id).where(Participant.tender_id == tender.id).order_by(Participant.id)
        )
    )
    session.execute(
        insert(LotQuantity),
        [
            {
                "participant_id": participant_id,
                "lot_id": lot.id,
                "quantity": Decimal(1 + (n * 7 + lot.number) % 40),
            }
            for n, participant_id in enumerate(participant_ids)
            for lot in lot_rows
        ],
    )
    bid = Bid(
        tender_id=tender.id,
        organisation_id=vendor.id,
        status=BidStatus.successful,
        submitted_at=NOW - timedelta(days=31),
    )
    session.add(bid)
    session.flush()
    awards = []
    for lot in lot_rows:
        session.add(
            Offer(
                tender_id=tender.id, bid_id=bid.id, lot_id=lot.id, price=Decimal("123456789.01") / lot.number
            )
        )
        award = Award(
            tender_id=tender.id,
            lot_id=lot.id,
            bid_id=bid.id,
            status=AwardStatus.final,
            reasons="wirtschaftlichstes Angebot",
            standstill_ends_at=STANDSTILL_END,
            finalised_at=NOW,
            finalised_by_id=lead_officer_id,
        )
        session.add(award)
        awards.append(award)
    session.flush()
    session.commit()
    return tender.id, [award.id for award in awards], lead_officer_id


def measure(
    database_url: str, name: str, participants: int = PARTICIPANTS, lots: int = LOTS
) -> ContractsFigure:
    """Build the tender on a migrated database, then time create_contracts for every award."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from procurement import create_app
    from procurement.accounts.models import User
    from procurement.awards.contracts import create_contracts
    from procurement.awards.models import Award, Contract
    from procurement.extensions import db
    from procurement.mail.models import OutboxMail

    with tempfile.TemporaryDirectory(prefix="vm-bench-contracts-") as storage_dir:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": "bench",
                "STORAGE_DIR": storage_dir,
                "STORAGE_URL": "",
                "PUBLIC_BASE_URL": "http://localhost",
            }
        )
        with app.app_context():
            upgrade()
            # a scratch database: the precondition must hold for the figure to mean anything
            if db.session.scalar(select(func.count()).select_from(Contract)):
                raise RuntimeError("the bench database already has contracts")
            _tender_id, award_ids, officer_id = build_tender(participants, lots)
            db.session.remove()
        per_lot = []
        try:
            for award_id in award_ids:
                with app.test_request_context():
                    began = time.perf_counter()
                    award = db.session.get(Award, award_id)
                    create_contracts(db.session.get(User, officer_id), award, NOW)
                    db.session.commit()
                    per_lot.append(time.perf_counter() - began)
            with app.app_context():
                made = db.session.scalar(select(func.count()).select_from(Contract))
                mails = db.session.scalar(select(func.count()).select_from(OutboxMail))
            pdf_bytes = sum(path.stat().st_size for path in Path(storage_dir).glob("*/*"))
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    return ContractsFigure(name, participants, lots, sum(per_lot), per_lot, made, pdf_bytes, mails)


def measure_all(
    participants: int = PARTICIPANTS, lots: int = LOTS, postgres_url: Optional[str] = None
) -> list[ContractsFigure]:
    with tempfile.TemporaryDirectory(prefix="vm-bench-contracts-db-") as tmp:
        figures = [measure(f"sqlite:///{Path(tmp) / 'contracts.sqlite'}", "sqlite", participants, lots)]
    if postgres_url:
        with _postgres_database(postgres_url) as url:
            figures.append(measure(url, "postgresql", participants, lots))
    return figures


def _figures() -> list[Figure]:
    return [
        Figure(
            label=f"{figure.name}: {figure.contracts} contracts with PDFs",
            value=figure.seconds,
            unit="s",
            limit=TARGET_S,
            detail=(
                f"{figure.contracts / figure.seconds:.0f} contracts/s, per lot "
                f"{', '.join(f'{s:.2f}' for s in figure.per_lot)} s, PDFs {figure.pdf_bytes} bytes"
            ),
        )
        for figure in measure_all(PARTICIPANTS, LOTS, os.environ.get("BENCH_PG_URL"))
    ]


register(
    InProcessBenchmark(
        name="contracts",
        description=(
            f"Contracts of a joint tender with {PARTICIPANTS:,} participants × {LOTS} lots when the awards "
            "are final: amounts, PDFs stored with SHA-256, audit, mails; SQLite (and PostgreSQL if "
            "BENCH_PG_URL is set)"
        ),
        measure=_figures,
    )
)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--participants", type=int, default=PARTICIPANTS)
    parser.add_argument("--lots", type=int, default=LOTS)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_PG_URL"),
        help="server URL; a scratch database vm_bench_<random> is created and dropped (BENCH_PG_URL)",
    )
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args(argv)
    print(f"contracts: {args.participants} participants × {args.lots} lots, final awards, day {NOW.date()}")
    figures = measure_all(args.participants, args.lots, None if args.sqlite_only else args.postgres_url)
    for figure in figures:
        print(figure.line())
    return 0 if all(f.passed for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
