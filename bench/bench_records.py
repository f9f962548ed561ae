"""Benchmark of the Vergabeakte (procurement/records, issue 9): a ≥ 2 GiB archive streamed.

``akte-2gib``: the demo tender gets a bid whose files add up to ``BENCH_AKTE_BYTES`` (default
2 GiB, in files of at most 512 MiB), sealed into the local storage through the bid service (in
process, before gunicorn starts); the bids are opened by two officers of the lead. The lead's
officer then downloads ``/vergaben/<id>/vergabeakte.zip`` over HTTP (gunicorn, one sync worker,
loopback) and the client throws the bytes away as they arrive. Figures: bytes, seconds, MiB/s of
the download (reported; the limit only catches a pathological slowdown) and the growth of the
gunicorn worker's RSS while it streams (VmRSS sampled every 50 ms, target < 64 MiB: constant
memory); the archive's SHA-256 is computed by the client and must equal the one the app
recorded in the audit chain (``record.akte_completed``).

Alone: ``.venv/bin/python bench/bench_records.py [--size 256M]``; in the runner:
``.venv/bin/python bench/run.py --only akte-2gib`` (``BENCH_AKTE_BYTES=256M`` for a quick run).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import io
import os
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from bench_bids import (  # noqa: E402
    GIB,
    LEAD_OFFICERS,
    MIB,
    TENDER_TITLE,
    VENDOR_EMAIL,
    RssSampler,
    app_context,
    demo_password,
    parse_size,
    platform_key,
)
from harness import ServerOptions, running_app  # noqa: E402
from httpclient import Browser, GeneratedFile  # noqa: E402
from registry import Figure, InProcessBenchmark, register  # noqa: E402

MAX_FILE_BYTES = 512 * MIB
MAX_RSS_GROWTH_MIB = 64.0
MIN_MIB_S = 20.0  # far below what a disk and AES-GCM manage: only a pathological slowdown fails
READ_BLOCK = 1024 * 1024


class _Reader(io.RawIOBase):
    """A GeneratedFile as a readable stream (the bid service reads it chunk by chunk)."""

    def __init__(self, content: GeneratedFile) -> None:
        super().__init__()
        self._chunks = content.chunks()
        self._pending = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return b""
        if size is None or size < 0:
            size = len(self._pending)
        data, self._pending = self._pending[:size], self._pending[size:]
        return data


def file_sizes(total: int) -> list[int]:
    sizes = [MAX_FILE_BYTES] * (total // MAX_FILE_BYTES)
    if total % MAX_FILE_BYTES:
        sizes.append(total % MAX_FILE_BYTES)
    return sizes


def seal_opened_bid(env: dict[str, str], total: int) -> tuple[int, float]:
    """The vendor's bid with ``total`` bytes of files, submitted and opened; (tender id, seconds)."""
    from decimal import Decimal

    from sqlalchemy import select

    from procurement.accounts.models import User
    from procurement.bids import opening, services
    from procurement.extensions import db
    from procurement.tenders.models import Tender

    began = time.perf_counter()
    with app_context(env):
        tender = db.session.scalars(select(Tender).where(Tender.title == TENDER_TITLE)).one()
        vendor = db.session.scalars(select(User).where(User.email == VENDOR_EMAIL)).one()
        assert tender.bid_deadline is not None
        before = tender.bid_deadline - timedelta(hours=1)
        after = tender.bid_deadline + timedelta(seconds=1)
        bid = services.get_or_create_draft(vendor, tender, before)
        prices = {lot.id: Decimal("100000.00") + lot.number for lot in tender.lots}
        services.save_draft(vendor, bid, services.BidData(prices=prices, answers={}, consortium=[]), before)
        for number, size in enumerate(file_sizes(total), start=1):
            content = GeneratedFile(size, seed=f"akte-{number}".encode())
            services.add_file(
                vendor, bid, f"Anlage-{number}.pdf", _Reader(content), before, clock=lambda: before
            )
            db.session.commit()
        services.submit_bid(vendor, bid, before)
        db.session.commit()
        for email in LEAD_OFFICERS:
            officer = db.session.scalars(select(User).where(User.email == email)).one()
            opening.confirm_opening(officer, db.session.get(Tender, tender.id), after)
            db.session.commit()
        tender_id = tender.id
    return tender_id, time.perf_counter() - began


def recorded_sha256(env: dict[str, str], tender_id: int) -> str:
    import json

    from sqlalchemy import select

    from procurement.audit.models import AuditEntry
    from procurement.extensions import db

    with app_context(env):
        entry = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "record.akte_completed", AuditEntry.object_id == str(tender_id))
            .order_by(AuditEntry.seq.desc())
        ).first()
        return json.loads(entry.after)["sha256"] if entry is not None and entry.after else ""


@dataclass
class AkteResult:
    size: int
    files: int
    prepare_s: float
    download_s: float
    downloaded: int
    status: int
    rss_growth: int
    rss_samples: int
    matches_record: bool

    @property
    def mib_s(self) -> float:
        return self.downloaded / MIB / self.download_s if self.download_s else 0.0


def stream_akte(browser: Browser, path: str) -> tuple[int, int, str]:
    """GET ``path`` with the browser's cookies, read the body in 1 MiB blocks, keep nothing."""
    connection = http.client.HTTPConnection(browser.host, browser.port, timeout=900)
    try:
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        digest = hashlib.sha256()
        total = 0
        while block := response.read(READ_BLOCK):
            digest.update(block)
            total += len(block)
        return response.status, total, digest.hexdigest()
    finally:
        connection.close()


def measure_akte(size: int | None = None) -> AkteResult:
    size = size or parse_size(os.environ.get("BENCH_AKTE_BYTES", str(2 * GIB)))
    extra = {
        "PLATFORM_KEY": platform_key(),
        "MAX_BID_FILE_BYTES": str(MAX_FILE_BYTES),
        "MAX_BID_BYTES": str(size + MIB),
    }
    prepared: dict[str, float | int] = {}

    def prepare(instance: Path, env: dict[str, str]) -> None:
        prepared["tender_id"], prepared["seconds"] = seal_opened_bid(env, size)

    options = ServerOptions(workers=1, worker_class="sync", timeout=1800)
    with running_app(options, extra_env=extra, prepare=prepare) as server:
        env = {**extra, "INSTANCE_PATH": str(server.instance)}
        env["DATABASE_URL"] = f"sqlite:///{server.instance / 'vergabe.sqlite'}"
        tender_id = int(prepared["tender_id"])
        with Browser(server.host, server.port) as browser:
            browser.login(LEAD_OFFICERS[0], demo_password())
            browser.get("/")  # the worker has served a page before the sampling starts
            time.sleep(0.5)
            with RssSampler(server) as sampler:
                began = time.perf_counter()
                status, downloaded, sha256 = stream_akte(browser, f"/vergaben/{tender_id}/vergabeakte.zip")
                seconds = time.perf_counter() - began
        matches = status == 200 and recorded_sha256(env, tender_id) == sha256
        return AkteResult(
            size=size,
            files=len(file_sizes(size)),
            prepare_s=float(prepared["seconds"]),
            download_s=seconds,
            downloaded=downloaded,
            status=status,
            rss_growth=sampler.growth,
            rss_samples=sampler.samples,
            matches_record=matches,
        )


def akte_figures(size: int | None = None) -> list[Figure]:
    result = measure_akte(size)
    return [
        Figure(
            label=f"Vergabeakte download throughput ({result.downloaded / MIB:,.0f} MiB)",
            value=result.mib_s,
            unit="MiB/s",
            limit=MIN_MIB_S,
            at_least=True,
            detail=(
                f"{result.downloaded:,} bytes in {result.download_s:.1f} s, HTTP {result.status}; "
                f"{result.files} sealed bid files of {result.size / MIB:,.0f} MiB decrypted, hashed and "
                f"zipped while streaming (preparing the bid and its opening took {result.prepare_s:.1f} s)"
            ),
        ),
        Figure(
            label="gunicorn worker RSS growth while the Vergabeakte streams",
            value=result.rss_growth / MIB,
            unit="MiB",
            limit=MAX_RSS_GROWTH_MIB,
            detail=f"max VmRSS during - before, {result.rss_samples} samples every 50 ms",
        ),
        Figure(
            label="archive differs from the SHA-256 recorded in the audit chain",
            value=0.0 if result.matches_record else 1.0,
            unit="",
            limit=1,
            detail="client's SHA-256 of the received bytes = record.akte_completed",
        ),
    ]


register(
    InProcessBenchmark(
        name="akte-2gib",
        description=(
            "The lead's officer downloads the Vergabeakte of a tender with 2 GiB of sealed bid files "
            "over HTTP (gunicorn, 1 sync worker; BENCH_AKTE_BYTES for less): decrypted, hashed and "
            "zipped while it streams; throughput and the worker's RSS growth"
        ),
        measure=akte_figures,
    )
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default=os.environ.get("BENCH_AKTE_BYTES", "2G"), help="e.g. 256M, 2G")
    args = parser.parse_args(argv)
    figures = akte_figures(parse_size(args.size))
    for f in figures:
        verdict = "PASS" if f.passed else "FAIL"
        print(f"{f.label}: {f.value:.4g} {f.unit} (target {f.rule}) {verdict}  {f.detail}")
    return 0 if all(f.passed for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
