"""Benchmark of "invoice all participants" (procurement/invoices/services.py): 1,000 municipalities, < 10 s.

The awarded tender of ``bench_awards.build_tender`` (1,000 joined municipalities, here one lot)
is written into a fresh, migrated database; the municipalities get Leitweg-IDs with correct check
digits, the contracts are made by ``create_contracts`` and the vendor gets a complete billing
profile (all untimed). Then, timed: ``invoice_all`` for the award and the commit: 1,000
invoices, each built as XRechnung UBL by the ``xrechnung`` library, validated with the
configured rules (``XRECHNUNG_RULES_DIR``: with the official artefacts that is the UBL XSD, the
CEN EN 16931 and the KoSIT XRechnung Schematron per invoice), numbered, stored with its XML and
SHA-256, and one audit entry for the batch.

Figures: the total time (target < 10 s) and invoices/s, with the level of checking that ran, on
SQLite and, if ``BENCH_PG_URL`` is set (or ``--postgres-url``), on a scratch PostgreSQL database.

Registered as the in-process benchmark ``invoice-all`` (``.venv/bin/python bench/run.py --only
invoice-all``); alone: ``.venv/bin/python bench/bench_invoices.py [--participants 1000]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from bench_awards import NOW, _postgres_database, build_tender  # noqa: E402
from registry import Figure, InProcessBenchmark, register  # noqa: E402

PARTICIPANTS = 1_000
TARGET_S = 10.0


@dataclass(frozen=True)
class InvoicesFigure:
    name: str
    participants: int
    seconds: float
    issued: int
    failed: int
    level: str
    xml_bytes: int

    @property
    def passed(self) -> bool:
        return self.seconds < TARGET_S and self.issued == self.participants and self.failed == 0

    def line(self) -> str:
        return (
            f"  {self.name:<10} {self.participants} contracts -> {self.issued} invoices issued "
            f"({self.failed} failed) in {self.seconds:.2f} s ({self.issued / self.seconds:.0f} invoices/s), "
            f"checked: {self.level}; XML {self.xml_bytes // max(self.issued, 1)} bytes each; "
            f"target < {TARGET_S:g} s: {'PASS' if self.passed else 'FAIL'}"
        )


def _prepare(participants: int) -> tuple[int, int]:
    """The awarded lot with its contracts and the vendor's billing profile; (award id, vendor user id)."""
    from sqlalchemy import select, update

    from procurement.accounts.models import Organisation, OrganisationKind, User
    from procurement.awards.contracts import create_contracts
    from procurement.awards.models import Award
    from procurement.extensions import db
    from procurement.invoices.models import BillingProfile
    from xrechnung import leitweg_check_digits

    _tender_id, award_ids, officer_id = build_tender(participants, 1)
    for organisation_id, ags in db.session.execute(
        select(Organisation.id, Organisation.ags).where(Organisation.kind == OrganisationKind.municipality)
    ).all():
        db.session.execute(
            update(Organisation)
            .where(Organisation.id == organisation_id)
            .values(leitweg_id=f"{ags}-RECHNUNG-{leitweg_check_digits(ags, 'RECHNUNG')}")
        )
    db.session.commit()
    award = db.session.get(Award, award_ids[0])
    create_contracts(db.session.get(User, officer_id), award, NOW)
    vendor_id = award.bid.organisation_id
    db.session.add(
        BillingProfile(
            organisation_id=vendor_id,
            iban="DE02120300000000202051",
            bic="BYLADEM1001",
            account_name="Bench Verkehrstechnik GmbH",
            tax_number="93815/08152",
            contact_name="Bernd Bieter",
            contact_phone="+49 711 555 0100",
            contact_email="rechnung@bench-verkehrstechnik.example",
            electronic_address="rechnung@bench-verkehrstechnik.example",
            payment_terms_days=30,
        )
    )
    db.session.commit()
    vendor_user = db.session.scalar(select(User.id).where(User.organisation_id == vendor_id))
    return award.id, vendor_user


def measure(
    database_url: str, name: str, participants: int = PARTICIPANTS, workers: Optional[int] = None
) -> InvoicesFigure:
    """Prepare the contracts on a migrated database, then time invoice_all and the commit."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from procurement import create_app
    from procurement.accounts.models import User
    from procurement.awards.models import Award
    from procurement.extensions import db
    from procurement.invoices import services
    from procurement.invoices.models import Invoice

    with tempfile.TemporaryDirectory(prefix="vm-bench-invoices-") as storage_dir:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": "bench",
                "STORAGE_DIR": storage_dir,
                "STORAGE_URL": "",
                "PUBLIC_BASE_URL": "http://localhost",
            }
            | ({"INVOICE_VALIDATION_WORKERS": workers} if workers is not None else {})
        )
        try:
            with app.test_request_context():
                upgrade()
                if db.session.scalar(select(func.count()).select_from(Invoice)):
                    raise RuntimeError("the bench database already has invoices")
                award_id, vendor_user_id = _prepare(participants)
                db.session.remove()
            with app.test_request_context():
                # warm: the rules are compiled once per process (and per validation worker), not
                # per batch; a running app has done that at its first batch
                _warm_workers(award_id, vendor_user_id)
                began = time.perf_counter()
                award = db.session.get(Award, award_id)
                summary = services.invoice_all(db.session.get(User, vendor_user_id), award, NOW)
                db.session.commit()
                seconds = time.perf_counter() - began
                level = summary.issued[0].validation_level if summary.issued else ""
            with app.app_context():
                issued = db.session.scalar(
                    select(func.count()).select_from(Invoice).where(Invoice.xml_valid.is_(True))
                )
                xml_bytes = db.session.scalar(select(func.sum(func.length(Invoice.xml)))) or 0
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    return InvoicesFigure(name, participants, seconds, issued, len(summary.failed), level, int(xml_bytes))


def _warm_workers(award_id: int, vendor_user_id: int) -> None:
    """Start the validation workers with a sample invoice of this award (nothing is stored)."""
    from procurement.accounts.models import User
    from procurement.awards.models import Award, Contract
    from procurement.extensions import db
    from procurement.invoices import services

    award = db.session.get(Award, award_id)
    contract = db.session.scalars(db.select(Contract).where(Contract.award_id == award.id).limit(1)).one()
    invoice = services.create_invoice(
        db.session.get(User, vendor_user_id), contract, services.prefill(contract, NOW), NOW
    )
    vendor, profile = services._billing_ready(invoice.vendor_organisation_id)
    parties = services.invoice_xml.parties_snapshot(invoice, contract, vendor, profile)
    sample, _totals = services.invoice_xml.build_document(services.invoice_xml.to_document(invoice, parties))
    services.invoice_xml.warm_validation_pool(sample)
    db.session.rollback()


def _warm_rules() -> None:
    """Compile the official rules once (as a running app has them), outside the timed part."""
    from config import load_config

    directory = load_config().get("XRECHNUNG_RULES_DIR")
    if directory:
        from xrechnung.validation import _engine, rules_directory

        path, _reason = rules_directory(str(directory))
        if path is not None:
            _engine(str(path))


def measure_all(
    participants: int = PARTICIPANTS, postgres_url: Optional[str] = None, workers: Optional[int] = None
) -> list[InvoicesFigure]:
    _warm_rules()
    with tempfile.TemporaryDirectory(prefix="vm-bench-invoices-db-") as tmp:
        figures = [measure(f"sqlite:///{Path(tmp) / 'invoices.sqlite'}", "sqlite", participants, workers)]
    if postgres_url:
        with _postgres_database(postgres_url) as url:
            figures.append(measure(url, "postgresql", participants, workers))
    return figures


def _figures() -> list[Figure]:
    return [
        Figure(
            label=f"{figure.name}: invoice all {figure.participants} participants",
            value=figure.seconds,
            unit="s",
            limit=TARGET_S,
            detail=(
                f"{figure.issued} issued, {figure.failed} failed, {figure.issued / figure.seconds:.0f} "
                f"invoices/s, checked: {figure.level}"
            ),
        )
        for figure in measure_all(PARTICIPANTS, os.environ.get("BENCH_PG_URL"))
    ]


register(
    InProcessBenchmark(
        name="invoice-all",
        description=(
            f"Invoice all participants of an award with {PARTICIPANTS:,} municipalities: XRechnung built, "
            "validated (official rules when present), numbered and stored; SQLite (and PostgreSQL if "
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
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_PG_URL"),
        help="server URL; a scratch database vm_bench_<random> is created and dropped (BENCH_PG_URL)",
    )
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument(
        "--workers", type=int, default=None, help="validation worker processes (1: validate in-process)"
    )
    args = parser.parse_args(argv)
    print(f"invoice-all: {args.participants} participants, one lot, day {NOW.date()}")
    figures = measure_all(args.participants, None if args.sqlite_only else args.postgres_url, args.workers)
    for figure in figures:
        print(figure.line())
    return 0 if all(f.passed for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
