"""The Vergabeakte streams with bounded memory: 200 MiB of sealed bid files go through the real
view while the process's resident memory is sampled; the archive is checked afterwards."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from decimal import Decimal
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from procurement.bids import services
from procurement.bids.models import BidFileKind
from procurement.extensions import db
from procurement.records.verify import verify_archive
from procurement.tenders.models import Tender
from tests.conftest import Auth
from tests.procurement.awards.conftest import open_bids
from tests.procurement.bids.conftest import BEFORE_DEADLINE
from tests.procurement.tenders.conftest import LEAD, VENDOR, user

MiB = 1024 * 1024
FILES = 4
FILE_BYTES = 50 * MiB
# the archive passes through in 1 MiB chunks: what may stay resident besides the app itself
MAX_RSS_GROWTH = 64 * MiB


class GeneratedFile(io.RawIOBase):
    """``size`` bytes of a PDF-looking file made while it is read (never held whole)."""

    def __init__(self, size: int, seed: bytes) -> None:
        super().__init__()
        self.remaining = size
        self.block = hashlib.sha256(seed).digest() * (MiB // 32)  # 1 MiB, different per file
        self.head = b"%PDF-1.7\n"

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        size = self.remaining if size is None or size < 0 else min(size, self.remaining)
        data = (self.head + self.block)[:size] if self.head else self.block[:size]
        self.head = b""
        self.remaining -= len(data)
        return data

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def rss() -> int:
    """The process's resident memory now (Linux /proc), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def test_a_large_akte_streams_with_bounded_memory(
    app: Flask, bid_tender: int, client: FlaskClient, auth: Auth, tmp_path: Path
) -> None:
    app.config["MAX_BID_FILE_BYTES"] = FILE_BYTES
    with app.test_request_context():
        tender = db.session.get(Tender, bid_tender)
        actor = user(VENDOR)
        bid = services.get_or_create_draft(actor, tender, BEFORE_DEADLINE)
        lot = tender.lots[0]
        services.save_draft(
            actor,
            bid,
            services.BidData(prices={lot.id: Decimal("1000.00")}, answers={}, consortium=[]),
            BEFORE_DEADLINE,
        )
        for number in range(FILES):
            services.add_file(
                actor,
                bid,
                f"Anlage-{number}.pdf",
                GeneratedFile(FILE_BYTES, bytes([number])),  # type: ignore[arg-type]
                BEFORE_DEADLINE,
                kind=BidFileKind.other,
                clock=lambda: BEFORE_DEADLINE,
            )
        services.submit_bid(actor, bid, BEFORE_DEADLINE)
        db.session.commit()
    open_bids(app, bid_tender)
    auth.login(LEAD)
    target = tmp_path / "akte.zip"
    baseline = rss()
    peak = baseline
    size = 0
    response = client.get(f"/vergaben/{bid_tender}/vergabeakte.zip", buffered=False)
    assert response.status_code == 200
    with target.open("wb") as out:
        for number, chunk in enumerate(response.response):
            out.write(chunk)
            size += len(chunk)
            if number % 8 == 0:
                peak = max(peak, rss())
    response.close()
    growth = peak - baseline
    print(
        f"\nVergabeakte {size / MiB:.0f} MiB streamed; "
        f"RSS {baseline / MiB:.0f} MiB, peak growth {growth / MiB:.1f} MiB"
    )
    assert size > FILES * FILE_BYTES
    assert growth < MAX_RSS_GROWTH, f"RSS grew by {growth / MiB:.1f} MiB"
    report = verify_archive(str(target))
    assert report.ok, report.problems
    with zipfile.ZipFile(target) as archive:
        sizes = [
            i.file_size for i in archive.infolist() if i.filename.endswith(".pdf") and "Anlage-" in i.filename
        ]
    assert sizes == [FILE_BYTES] * FILES
    assert os.path.getsize(target) == size
