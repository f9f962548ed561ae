"""Benchmark of the XRechnung library (xrechnung/): build + XSD-validate >= 500 invoices/s on one core.

What is timed, in this process and pinned to one CPU (``os.sched_setaffinity``) where the system
allows it, for a fixed set of generated invoices (1-12 lines, 19 % and 7 %, some with document
allowances or charges, SEPA credit transfer or direct debit):

- ``build + XSD``: ``xrechnung.build(invoice)`` (totals, VAT breakdown, UBL via lxml) and
  ``xrechnung.validate_xsd(document)`` (safe parse + the OASIS UBL 2.1 Invoice schema from the
  rules directory, ``XRECHNUNG_RULES_DIR`` or ``../shared/xrechnung``): the target, >= 500/s;
- ``build`` alone and ``XSD`` alone, for the split (reported against the same target);
- ``validate (all levels)``: ``xrechnung.validate`` with the official EN 16931 and KoSIT
  XRechnung Schematron (saxonche) besides, what an upload or an issued invoice costs
  (reported with a low bar of 20/s; the compile of the stylesheets happens before timing).

Registered as the in-process benchmark ``xrechnung`` (``make bench``, or
``.venv/bin/python bench/run.py --only xrechnung``); alone:
``.venv/bin/python bench/bench_xrechnung.py [--invoices 2000] [--runs 5]``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Optional

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from registry import Figure, InProcessBenchmark, register  # noqa: E402

from xrechnung import (  # noqa: E402
    REDUCED_7,
    STANDARD_19,
    Address,
    AllowanceCharge,
    Buyer,
    Contact,
    Invoice,
    Item,
    Line,
    PaymentInstructions,
    Seller,
    build,
    email_address,
    leitweg_address,
    leitweg_check_digits,
    rules_directory,
    validate,
    validate_xsd,
)

INVOICES = 2000
TARGET_PER_S = 500.0
FULL_VALIDATION_PER_S = 20.0
FULL_VALIDATION_SAMPLE = 200
SEED = 20260302


def generate_invoices(count: int, seed: int = SEED) -> list[Invoice]:
    """``count`` invoices of one vendor to many municipalities, as after a joint award."""
    rng = random.Random(seed)
    seller = Seller(
        name="Smart Signal GmbH",
        address=Address(country="DE", city="Karlsruhe", postal_code="76131", street="Durlacher Allee 10"),
        electronic_address=email_address("rechnung@smart-signal.example"),
        contact=Contact(
            name="Petra Lang", telephone="+49 721 555 0100", email="petra.lang@smart-signal.example"
        ),
        vat_id="DE123456789",
    )
    products = [("Verkehrszählsensor", "249.90"), ("Gateway", "799.00"), ("Wartung je Monat", "45.00")]
    invoices = []
    for number in range(1, count + 1):
        coarse = f"08{number:06d}"
        leitweg_id = f"{coarse}-RECHNUNG-{leitweg_check_digits(coarse, 'RECHNUNG')}"
        lines = []
        for position in range(1, rng.randint(1, 12) + 1):
            name, price = rng.choice(products)
            lines.append(
                Line(
                    id=str(position),
                    item=Item(name=f"{name} Los {position}"),
                    quantity=Decimal(rng.randint(1, 40)),
                    unit="C62",
                    price=Decimal(price),
                    vat=REDUCED_7 if position % 6 == 0 else STANDARD_19,
                )
            )
        allowances = []
        if number % 4 == 0:
            allowances.append(AllowanceCharge(amount=Decimal("25.00"), reason="Rabatt", vat=STANDARD_19))
        if number % 7 == 0:
            allowances.append(
                AllowanceCharge(amount=Decimal("9.90"), charge=True, reason="Versand", vat=STANDARD_19)
            )
        payment = (
            PaymentInstructions.sepa_direct_debit(
                mandate_reference=f"M-{number}",
                creditor_id="DE98ZZZ09999999999",
                debited_iban="DE89370400440532013000",
            )
            if number % 5 == 0
            else PaymentInstructions.sepa_credit_transfer(
                "DE02120300000000202051", remittance_information=f"RE-{number}"
            )
        )
        issued = date(2026, 3, 2)
        invoices.append(
            Invoice(
                number=f"RE-2026-{number:05d}",
                issue_date=issued,
                due_date=issued + timedelta(days=30),
                seller=seller,
                buyer=Buyer(
                    name=f"Gemeinde Musterhausen {number}",
                    address=Address(
                        country="DE", city=f"Musterhausen {number}", postal_code=f"7{number % 10000:04d}"
                    ),
                    electronic_address=leitweg_address(leitweg_id),
                ),
                buyer_reference=leitweg_id,
                lines=lines,
                allowances_charges=allowances,
                payment=payment,
                payment_terms="Zahlbar innerhalb von 30 Tagen ohne Abzug.",
            )
        )
    return invoices


@contextlib.contextmanager
def one_core() -> Iterator[str]:
    """Pin this process to one CPU while timing (Linux); yields a description."""
    if not hasattr(os, "sched_getaffinity"):
        yield "not pinned (no sched_setaffinity)"
        return
    before = os.sched_getaffinity(0)
    cpu = min(before)
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:
        yield "not pinned"
        return
    try:
        yield f"pinned to CPU {cpu}"
    finally:
        os.sched_setaffinity(0, before)


def _rate(count: int, runs: int, work: Callable[[], None]) -> tuple[float, list[float]]:
    """Median invoices per second over ``runs`` timed runs of ``work`` (``count`` invoices each)."""
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - began)
    return count / statistics.median(seconds), seconds


def measure(count: int = INVOICES, runs: int = 5) -> tuple[list[Figure], str]:
    directory, reason = rules_directory()
    if directory is None:
        raise RuntimeError(f"no UBL schemas to validate against: {reason}")
    invoices = generate_invoices(count)
    documents = [build(invoice) for invoice in invoices]
    # Warm-up: load the schema, compile the Schematron stylesheets, check the data is valid.
    assert all(validate_xsd(document) == [] for document in documents[:20])
    assert validate(documents[0]).valid
    total_lines = sum(len(invoice.lines) for invoice in invoices)
    size = sum(len(document) for document in documents) / len(documents)
    with one_core() as pinned:

        def build_and_check() -> None:
            for invoice in invoices:
                if validate_xsd(build(invoice)):
                    raise AssertionError(f"invoice {invoice.number} fails the schema")

        def build_only() -> None:
            for invoice in invoices:
                build(invoice)

        def xsd_only() -> None:
            for document in documents:
                validate_xsd(document)

        sample = documents[:FULL_VALIDATION_SAMPLE]

        def full() -> None:
            for document in sample:
                validate(document)

        both, both_runs = _rate(count, runs, build_and_check)
        build_rate, _ = _rate(count, runs, build_only)
        xsd_rate, _ = _rate(count, runs, xsd_only)
        full_rate, _ = _rate(len(sample), max(1, runs // 2), full)
    detail = (
        f"{count} invoices, {total_lines / count:.1f} lines and {size / 1024:.1f} KiB on average; {pinned}"
    )
    figures = [
        Figure(
            "build + XSD: median invoices/s",
            both,
            "/s",
            TARGET_PER_S,
            detail=f"{detail}; runs {', '.join(f'{s:.2f}' for s in both_runs)} s",
            at_least=True,
        ),
        Figure(
            "build alone: median invoices/s", build_rate, "/s", TARGET_PER_S, detail=detail, at_least=True
        ),
        Figure("XSD alone: median invoices/s", xsd_rate, "/s", TARGET_PER_S, detail=detail, at_least=True),
        Figure(
            "validate, own checks + XSD + EN 16931 + XRechnung: median invoices/s",
            full_rate,
            "/s",
            FULL_VALIDATION_PER_S,
            detail=f"first {len(sample)} of the invoices; {pinned}",
            at_least=True,
        ),
    ]
    return figures, pinned


def _figures() -> list[Figure]:
    return measure(INVOICES, 5)[0]


register(
    InProcessBenchmark(
        name="xrechnung",
        description=(
            f"XRechnung library: build + XSD-validate {INVOICES:,} generated invoices on one core "
            f"(>= {TARGET_PER_S:g}/s), plus build, XSD and the full official validation alone"
        ),
        measure=_figures,
    )
)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--invoices", type=int, default=INVOICES)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    figures, _ = measure(args.invoices, args.runs)
    for figure in figures:
        verdict = "PASS" if figure.passed else "FAIL"
        print(f"  {figure.label}: {figure.value:.0f} (target {figure.rule}) {verdict}\n    {figure.detail}")
    return 0 if all(figure.passed for figure in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
