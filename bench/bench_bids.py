"""Benchmarks of sealed bids (procurement/bids, issue 6), each with its own gunicorn.

- ``bid-upload-1gib``: one vendor uploads a 1 GiB file into the draft bid of the published demo
  tender through the real HTTP stack (gunicorn on loopback, a multipart body generated on the
  fly, never in memory). Figures: throughput of the upload (parse, encrypt, hash, store, fsync)
  as a ratio of a plain copy of a file of the same size on the same disk in the same run
  (``shutil.copyfile`` + fsync), target >= 0.5; growth of the gunicorn worker's RSS during the
  upload (VmRSS sampled every 50 ms), target < 64 MiB. ``BENCH_BID_BYTES`` (e.g. ``256M``)
  makes it smaller for quick runs.
- ``bid-deadline-crunch``: on PostgreSQL (a scratch database ``vm_bench_<random>`` on
  ``BENCH_PG_URL``, dropped afterwards), 200 vendors (organisations and users created in the
  instance before gunicorn starts) each save a price, upload a 5 MiB PDF and submit within the
  60 s before the deadline (the demo tender's deadline is set to now + 70 s once every vendor
  has logged in). Figures: lost bids, server errors, p99 latency of the submit requests, and,
  after the deadline, receipt hashes that do not match the decrypted stored file (all must be
  0). ``BENCH_CRUNCH_VENDORS``, ``BENCH_CRUNCH_BYTES``, ``BENCH_CRUNCH_WORKERS``,
  ``BENCH_CRUNCH_THREADS`` scale it.

Both are in-process benchmarks for run.py (they start their own gunicorn with their own
settings). Alone: ``.venv/bin/python bench/bench_bids.py [upload|crunch]``.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import secrets
import shutil
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from harness import Server, ServerOptions, running_app  # noqa: E402
from httpclient import Browser, GeneratedFile, HttpError, MultipartBody, csrf_of  # noqa: E402
from loadgen import percentile  # noqa: E402
from registry import Figure, InProcessBenchmark, register  # noqa: E402

MIB = 1024 * 1024
GIB = 1024 * MIB
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
VENDOR_EMAIL = "angebot@verkehrstechnik-sued.example"
TENDER_TITLE = "Adaptive Ampelsteuerung für Talheim und Birkenfelde"
# The lead's officers who open the bids (§55(2) VgV: two people), both in the demo data.
LEAD_OFFICERS = ("vergabe@talheim.example", "oeffnung@talheim.example")

UPLOAD_MIN_RATIO = 0.5
UPLOAD_MAX_RSS_GROWTH_MIB = 64.0
RSS_SAMPLE_S = 0.05


def parse_size(text: str) -> int:
    """``1073741824``, ``256M``, ``1G``, ``512K`` -> bytes."""
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    factor = {"K": 1024, "M": MIB, "G": GIB}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def platform_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


# --- the app in-process (same database and settings as gunicorn) ---------------------------------


@contextlib.contextmanager
def app_context(env: dict[str, str]) -> Iterator[Any]:
    """An app context on the instance gunicorn serves (its database, storage and platform key)."""
    from procurement import create_app
    from procurement.extensions import db

    saved = dict(os.environ)
    os.environ.update(env)  # create_app reads the environment (config.load_config)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SERVER_NAME": "bench.local"})
    finally:
        os.environ.clear()
        os.environ.update(saved)
    with app.test_request_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def demo_tender_id(env: dict[str, str]) -> int:
    from sqlalchemy import select

    from procurement.extensions import db
    from procurement.tenders.models import Tender

    with app_context(env):
        return db.session.scalars(select(Tender.id).where(Tender.title == TENDER_TITLE)).one()


# --- the vendor's steps over HTTP (the routes of procurement/bids/vendor_views.py) ---------------


def bid_page(tender_id: int) -> str:
    return f"/ausschreibungen/{tender_id}/angebot"


@dataclass
class Draft:
    """A vendor's bid page as the server rendered it: its forms, CSRF token and draft."""

    tender_id: int
    html: str

    @property
    def csrf(self) -> str:
        return csrf_of(self.html)

    @property
    def price_fields(self) -> list[str]:
        return sorted(set(re.findall(r'name="(price_\d+)"', self.html)))

    @property
    def submit_path(self) -> str:
        match = re.search(r'action="(/ausschreibungen/\d+/angebot/\d+/abgeben)"', self.html)
        if not match:
            raise HttpError("the bid page has no submit form (no draft?)")
        return match.group(1)


def open_draft(browser: Browser, tender_id: int) -> Draft:
    return Draft(tender_id, browser.get(bid_page(tender_id)).text)


def save_prices(browser: Browser, draft: Draft, price: str = "48.213,57") -> Any:
    """Save the draft with a price for every lot (POST of the draft form; 302 back to the page)."""
    fields = {"csrf_token": draft.csrf, "consortium": "", "save": "Entwurf speichern"}
    fields.update({name: price for name in draft.price_fields})
    return browser.post_form(bid_page(draft.tender_id), fields)


def upload_file(browser: Browser, draft: Draft, filename: str, content: GeneratedFile) -> Any:
    """The upload form as a browser sends it: CSRF token, kind, then the file (streamed)."""
    body = MultipartBody({"csrf_token": draft.csrf, "kind": "offer_letter"}, "files", filename, content)
    return browser.request("POST", f"{bid_page(draft.tender_id)}/dateien", body, body.headers)


def submit_draft(browser: Browser, draft: Draft) -> Any:
    return browser.post_form(draft.submit_path, {"csrf_token": draft.csrf})


def receipt_on_page(html: str, bid_id: str) -> tuple[str, list[str]]:
    """The receipt id and the file hashes the bid page shows for the submitted bid ``bid_id``."""
    match = re.search(rf'<article id="bid-{bid_id}".*?</article>', html, re.S)
    if not match:
        return "", []
    article = match.group(0)
    receipt = re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", article)
    return (receipt.group(0) if receipt else ""), re.findall(r"\b[0-9a-f]{64}\b", article)


# --- RSS of the gunicorn workers ------------------------------------------------------------------


def rss_bytes(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


class RssSampler:
    """Sample VmRSS of gunicorn's workers every 50 ms; growth = max during - before, per worker."""

    def __init__(self, server: Server, interval_s: float = RSS_SAMPLE_S) -> None:
        self.server = server
        self.interval_s = interval_s
        self.before: dict[int, int] = {}
        self.peak: dict[int, int] = {}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for pid in self.server.worker_pids():
            rss = rss_bytes(pid)
            if rss is None:
                continue
            self.before.setdefault(pid, rss)  # a worker started during the upload: its first sample
            self.peak[pid] = max(self.peak.get(pid, 0), rss)
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval_s)

    def __enter__(self) -> RssSampler:
        for pid in self.server.worker_pids():
            rss = rss_bytes(pid)
            if rss is not None:
                self.before[pid] = rss
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def growth(self) -> int:
        return max((self.peak[pid] - self.before[pid] for pid in self.peak), default=0)


# --- 1 GiB upload ---------------------------------------------------------------------------------


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(path: Path, content: GeneratedFile) -> None:
    with path.open("wb") as out:
        for chunk in content.chunks():
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())


def timed_copy(source: Path, target: Path) -> float:
    """Seconds for ``shutil.copyfile`` (in-kernel copy on Linux) plus fsync of the copy."""
    began = time.perf_counter()
    shutil.copyfile(source, target)
    _fsync(target)
    elapsed = time.perf_counter() - began
    target.unlink()
    return elapsed


def timed_user_copy(source: Path, target: Path, chunk: int = MIB) -> float:
    """Seconds for a copy through user space (read and write 1 MiB at a time) plus fsync."""
    began = time.perf_counter()
    with source.open("rb", buffering=0) as src, target.open("wb", buffering=0) as out:
        while data := src.read(chunk):
            out.write(data)
        os.fsync(out.fileno())
    elapsed = time.perf_counter() - began
    target.unlink()
    return elapsed


@dataclass
class UploadResult:
    size: int
    upload_s: float
    copy_s: list[float]
    rss_growth: int
    rss_samples: int
    status: int
    user_copy_s: float = 0.0
    stored: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def upload_mib_s(self) -> float:
        return self.size / MIB / self.upload_s

    @property
    def copy_mib_s(self) -> float:
        """The median of the copies (two before, one after the upload): the disk's speed varies."""
        return self.size / MIB / statistics.median(self.copy_s)

    @property
    def ratio(self) -> float:
        return self.upload_mib_s / self.copy_mib_s


def upload_settings(size: int) -> dict[str, str]:
    room = size + 64 * MIB
    return {
        "PLATFORM_KEY": platform_key(),
        "MAX_BID_FILE_BYTES": str(room),
        "MAX_BID_BYTES": str(room),
    }


def measure_upload(size: int | None = None) -> UploadResult:
    size = size or parse_size(os.environ.get("BENCH_BID_BYTES", str(GIB)))
    extra = upload_settings(size)
    # One sync worker (the README's production worker class), so that the warm-up and the
    # upload meet the same process; --timeout lets one request take minutes.
    options = ServerOptions(workers=1, worker_class="sync", timeout=900)
    with running_app(options, extra_env=extra) as server:
        env = {**extra, "INSTANCE_PATH": str(server.instance)}
        env["DATABASE_URL"] = f"sqlite:///{server.instance / 'vergabe.sqlite'}"
        tender_id = demo_tender_id(env)
        scratch = server.instance / "copy-baseline"
        scratch.mkdir()
        source = scratch / "source.bin"
        content = GeneratedFile(size, seed=b"upload-1gib")
        write_file(source, content)
        copies = [timed_copy(source, scratch / "copy.bin") for _ in range(2)]
        with Browser(server.host, server.port) as browser:
            browser.login(VENDOR_EMAIL, demo_password())
            draft = open_draft(browser, tender_id)
            warm = upload_file(browser, draft, "Aufwaermen.pdf", GeneratedFile(2 * MIB, seed=b"warm"))
            if warm.status >= 400:
                raise HttpError(f"warm-up upload: HTTP {warm.status}", warm.status)
            draft = open_draft(browser, tender_id)
            time.sleep(0.5)
            with RssSampler(server) as sampler:
                began = time.perf_counter()
                response = upload_file(browser, draft, "Angebot-1GiB.pdf", content)
                upload_s = time.perf_counter() - began
        copies.append(timed_copy(source, scratch / "copy.bin"))
        user_copy_s = timed_user_copy(source, scratch / "copy.bin")
        source.unlink()
        result = UploadResult(
            size, upload_s, copies, sampler.growth, sampler.samples, response.status, user_copy_s
        )
        if response.status >= 400:
            result.problems.append(f"upload answered HTTP {response.status}")
        result.stored = stored_file(env, "Angebot-1GiB.pdf")
        expected = content.sha256()
        if result.stored.get("sha256") != expected:
            result.problems.append(f"stored hash {result.stored.get('sha256')} != sent {expected}")
        if result.stored.get("size") != size:
            result.problems.append(f"stored size {result.stored.get('size')} != sent {size}")
        if not result.stored.get("blob_exists"):
            result.problems.append("the sealed blob is not in the storage")
        return result


def demo_password() -> str:
    from procurement.demo import DEMO_PASSWORD

    return DEMO_PASSWORD


def stored_file(env: dict[str, str], filename: str) -> dict[str, Any]:
    from sqlalchemy import select

    from procurement.bids.models import BidFile
    from procurement.extensions import db
    from procurement.storage import storage

    with app_context(env):
        row = db.session.scalars(select(BidFile).where(BidFile.filename == filename)).one_or_none()
        if row is None:
            return {}
        return {
            "size": row.size,
            "sha256": row.sha256,
            "sealed_size": row.sealed_size,
            "blob_exists": storage().exists(row.storage_key),
        }


def upload_figures() -> list[Figure]:
    result = measure_upload()
    size = f"{result.size / MIB:,.0f} MiB"
    copies = ", ".join(f"{result.size / MIB / s:,.0f}" for s in result.copy_s)
    figures = [
        Figure(
            label=f"upload {size} ÷ plain copy (throughput ratio)",
            value=result.ratio,
            unit="",
            limit=UPLOAD_MIN_RATIO,
            at_least=True,
            detail=(
                f"upload {result.upload_mib_s:,.0f} MiB/s ({result.upload_s:.1f} s, HTTP {result.status}); "
                f"copy {result.copy_mib_s:,.0f} MiB/s (median of {copies} MiB/s, shutil.copyfile + fsync); "
                f"for comparison a copy through user space (1 MiB reads and writes + fsync) "
                f"{result.size / MIB / result.user_copy_s:,.0f} MiB/s"
            ),
        ),
        Figure(
            label="gunicorn worker RSS growth during the upload",
            value=result.rss_growth / MIB,
            unit="MiB",
            limit=UPLOAD_MAX_RSS_GROWTH_MIB,
            detail=f"max VmRSS during - before, {result.rss_samples} samples every 50 ms",
        ),
        Figure(
            label="stored file differs from the sent one",
            value=float(len(result.problems)),
            unit="problems",
            limit=1,
            detail="; ".join(result.problems) or "size and SHA-256 of the sealed file as sent",
        ),
    ]
    return figures


register(
    InProcessBenchmark(
        name="bid-upload-1gib",
        description=(
            "A vendor uploads a 1 GiB PDF into a draft bid over HTTP (gunicorn, 1 sync worker, "
            "loopback; BENCH_BID_BYTES for less): sealed (AES-256-GCM chunks), hashed and stored "
            "while it streams; throughput against a plain file copy, and the worker's RSS growth"
        ),
        measure=upload_figures,
    )
)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    which = args[0] if args else "upload"
    figures = upload_figures() if which == "upload" else crunch_figures()
    for f in figures:
        verdict = "PASS" if f.passed else "FAIL"
        print(f"{f.label}: {f.value:.4g} {f.unit} (target {f.rule}) {verdict}  {f.detail}")
    return 0 if all(f.passed for f in figures) else 1


# --- deadline crunch on PostgreSQL ------------------------------------------------------------------

CRUNCH_VENDORS = _env_int("BENCH_CRUNCH_VENDORS", 200)
CRUNCH_BYTES = parse_size(os.environ.get("BENCH_CRUNCH_BYTES", str(5 * MIB)))
CRUNCH_WORKERS = _env_int("BENCH_CRUNCH_WORKERS", 4)
CRUNCH_THREADS = _env_int("BENCH_CRUNCH_THREADS", 8)
CRUNCH_LEAD_S = 70  # the deadline is set to now + 70 s once every vendor has logged in
CRUNCH_WINDOW_S = 60  # the bids start within the last 60 s before the deadline ...
CRUNCH_SPREAD_S = float(os.environ.get("BENCH_CRUNCH_SPREAD_S", "40"))  # ... in the first 40 s of it
CRUNCH_MAX_P99_S = 10.0


def crunch_email(number: int) -> str:
    return f"angebot@bieter-{number:03d}.example"


def create_vendors(env: dict[str, str], count: int) -> None:
    """``count`` vendor organisations with one active vendor user each (password DEMO_PASSWORD)."""
    from procurement.accounts.models import Organisation, OrganisationKind, Role
    from procurement.accounts.services import (
        PASSWORD_HASHER,
        activate_user,
        add_invited_user,
        add_organisation,
    )
    from procurement.database import utcnow
    from procurement.demo import DEMO_PASSWORD
    from procurement.extensions import db

    with app_context(env):
        password_hash = PASSWORD_HASHER.hash(DEMO_PASSWORD)
        for number in range(count):
            now = utcnow()
            organisation = add_organisation(
                Organisation(
                    kind=OrganisationKind.vendor,
                    name=f"Bieter {number:03d} GmbH",
                    street="Hauptstraße 1",
                    postal_code="70173",
                    city="Stuttgart",
                    email=f"info@bieter-{number:03d}.example",
                    vat_id=f"DE9{number:08d}",
                    country_code="DE",
                ),
                actor=None,
                now=now,
            )
            user = add_invited_user(
                organisation,
                crunch_email(number),
                f"Bieterin {number:03d}",
                {Role.vendor},
                actor=None,
                now=now,
                action="user.created",
            )
            activate_user(user, "user.activated", now, password_hash=password_hash)
        db.session.commit()


def set_deadline(env: dict[str, str], tender_id: int, deadline: datetime) -> None:
    """Bench shortcut: move the published tender's deadline directly in the database."""
    from procurement.extensions import db
    from procurement.tenders.models import Tender

    with app_context(env):
        db.session.get(Tender, tender_id).bid_deadline = deadline
        db.session.commit()


@dataclass
class VendorRun:
    number: int
    sent_sha256: str
    steps_s: dict[str, float] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    receipt_id: str = ""
    receipt_hashes: list[str] = field(default_factory=list)
    submitted_at: float = 0.0  # monotonic time when the submit answered
    error: str = ""

    @property
    def server_errors(self) -> int:
        return sum(1 for status in self.statuses.values() if status >= 500) + (
            1 if self.error.startswith("connection") else 0
        )


def vendor_bid(browser: Browser, run: VendorRun, tender_id: int, content: GeneratedFile) -> None:
    """Price, file, submit: what a vendor does in the last minute (timed per step)."""

    def step(name: str, call: Any) -> Any:
        began = time.perf_counter()
        response = call()
        run.steps_s[name] = time.perf_counter() - began
        run.statuses[name] = response.status
        if response.status >= 400:
            raise HttpError(f"{name}: HTTP {response.status}", response.status)
        return response

    draft = open_draft(browser, tender_id)
    step("price", lambda: save_prices(browser, draft))
    draft = open_draft(browser, tender_id)
    step("upload", lambda: upload_file(browser, draft, f"Angebot {run.number:03d}.pdf", content))
    draft = open_draft(browser, tender_id)
    response = step("submit", lambda: submit_draft(browser, draft))
    run.submitted_at = time.monotonic()
    bid_id = draft.submit_path.split("/")[-2]
    page = browser.get(response.location).text if response.status in (302, 303) else response.text
    run.receipt_id, run.receipt_hashes = receipt_on_page(page, bid_id)


@contextlib.contextmanager
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


@dataclass
class CrunchResult:
    vendors: int
    runs: list[VendorRun]
    deadline: datetime
    window_s: float
    lost: int
    mismatches: int
    verified_files: int
    opened_by: str
    notes: list[str] = field(default_factory=list)

    def latencies(self, step: str) -> list[float]:
        return [r.steps_s[step] * 1000 for r in self.runs if step in r.steps_s and not r.error]

    @property
    def server_errors(self) -> int:
        return sum(r.server_errors for r in self.runs)


def measure_crunch() -> CrunchResult:
    vendors = CRUNCH_VENDORS
    with postgres_database(os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL)) as database_url:
        extra = {
            "DATABASE_URL": database_url,
            "PLATFORM_KEY": platform_key(),
            "LOGIN_RATE_LIMIT": "100000 per minute",
        }
        options = ServerOptions(
            workers=CRUNCH_WORKERS, worker_class="gthread", threads=CRUNCH_THREADS, timeout=120
        )

        def prepare(instance: Path, env: dict[str, str]) -> None:
            create_vendors(env, vendors)

        with running_app(options, extra_env=extra, prepare=prepare) as server:
            env = {**extra, "INSTANCE_PATH": str(server.instance)}
            tender_id = demo_tender_id(env)
            contents = [GeneratedFile(CRUNCH_BYTES, seed=f"crunch-{n}".encode()) for n in range(vendors)]
            runs = [VendorRun(n, "") for n in range(vendors)]
            browsers = [Browser(server.host, server.port, timeout=120) for _ in range(vendors)]
            try:
                _log_in_all(browsers, tender_id)
                deadline = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=CRUNCH_LEAD_S)
                set_deadline(env, tender_id, deadline)
                window_start = (
                    time.monotonic()
                    + (deadline - datetime.now(UTC) - timedelta(seconds=CRUNCH_WINDOW_S)).total_seconds()
                )
                threads = [
                    threading.Thread(
                        target=_vendor_thread,
                        args=(
                            browsers[n],
                            runs[n],
                            tender_id,
                            contents[n],
                            window_start + n * CRUNCH_SPREAD_S / vendors,
                        ),
                    )
                    for n in range(vendors)
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
            finally:
                for browser in browsers:
                    browser.close()
            for n, content in enumerate(contents):
                runs[n].sent_sha256 = content.sha256()
            late = max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 2
            time.sleep(late)  # the opening needs the deadline to have passed
            lost, mismatches, verified, opened_by, notes = open_and_verify(env, tender_id, runs)
            return CrunchResult(
                vendors, runs, deadline, CRUNCH_SPREAD_S, lost, mismatches, verified, opened_by, notes
            )


def _log_in_all(browsers: list[Browser], tender_id: int) -> None:
    errors: list[str] = []

    def log_in(number: int) -> None:
        try:
            browsers[number].login(crunch_email(number), demo_password())
            open_draft(browsers[number], tender_id)
        except (OSError, HttpError) as exc:
            errors.append(f"{crunch_email(number)}: {exc}")

    pending = list(range(len(browsers)))
    while pending:  # 16 at a time: the argon2 checks of 200 logins take a while on 2 cores
        batch, pending = pending[:16], pending[16:]
        threads = [threading.Thread(target=log_in, args=(n,)) for n in batch]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if errors:
        raise HttpError(f"{len(errors)} vendors could not log in, e.g. {errors[0]}")


def _vendor_thread(
    browser: Browser, run: VendorRun, tender_id: int, content: GeneratedFile, start: float
) -> None:
    time.sleep(max(0.0, start - time.monotonic()))
    try:
        vendor_bid(browser, run, tender_id, content)
    except HttpError as exc:
        run.error = str(exc)
    except OSError as exc:
        run.error = f"connection: {type(exc).__name__}: {exc}"


def open_and_verify(
    env: dict[str, str], tender_id: int, runs: list[VendorRun]
) -> tuple[int, int, int, str, list[str]]:
    """After the deadline: open the tender and compare every file with what the vendor sent."""
    from sqlalchemy import select

    from procurement.bids import keys, sealing
    from procurement.bids.models import Bid
    from procurement.extensions import db
    from procurement.storage import storage
    from procurement.tenders.models import Tender
    from workflows.bid import BidStatus

    notes: list[str] = []
    with app_context(env):
        tender = db.session.get(Tender, tender_id)
        opened_by = open_tender(tender, notes)
        bids = db.session.scalars(select(Bid).where(Bid.tender_id == tender_id)).all()
        by_receipt = {bid.receipt_id: bid for bid in bids}
        counted = {BidStatus.submitted, BidStatus.opened}
        lost = 0
        mismatches = 0
        verified = 0
        tender_key = keys.tender_key(tender)
        store = storage()
        for run in runs:
            bid = by_receipt.get(run.receipt_id)
            if run.error or bid is None or bid.status not in counted:
                lost += 1
                continue
            if run.sent_sha256 not in run.receipt_hashes:
                mismatches += 1
                notes.append(f"vendor {run.number}: the receipt does not show the sent file's SHA-256")
            for bid_file in bid.files:
                data_key = sealing.unwrap_key(bid_file.wrapped_key, tender_key)
                with store.open(bid_file.storage_key) as sealed:
                    try:
                        stats = sealing.open_to_hash(sealed, data_key)
                        digest, size = stats.sha256, stats.size
                    except sealing.SealingError as exc:
                        digest, size = f"error: {exc}", -1
                verified += 1
                if digest != bid_file.sha256 or digest != run.sent_sha256 or size != bid_file.size:
                    mismatches += 1
                    notes.append(f"vendor {run.number}: {bid_file.filename} decrypts to {digest}")
                if bid_file.verified is False:
                    mismatches += 1
                    notes.append(f"vendor {run.number}: the opening marked {bid_file.filename} unverified")
        extra_bids = len([b for b in bids if b.status in counted]) - (len(runs) - lost)
        if extra_bids:
            notes.append(f"{extra_bids} counted bids more than the vendors' receipts")
        db.session.rollback()
    return lost, mismatches, verified, opened_by, notes


def open_tender(tender: Any, notes: list[str]) -> str:
    """Open the bids as the lead's two officers do (procurement.bids.opening.confirm_opening)."""
    from sqlalchemy import select

    from procurement.accounts.models import User
    from procurement.database import utcnow
    from procurement.extensions import db

    try:
        from procurement.bids.opening import confirm_opening
    except ImportError:
        notes.append("no opening services: files verified by decrypting them directly")
        return "nobody (direct verification)"
    officers = [db.session.scalars(select(User).where(User.email == email)).one() for email in LEAD_OFFICERS]
    began = time.perf_counter()
    first = confirm_opening(officers[0], tender, utcnow())
    opening = confirm_opening(officers[1], tender, utcnow())
    db.session.commit()
    if first is not None or opening is None:
        notes.append("the second confirmation did not open the bids")
    notes.append(f"opening (decrypt, verify, record) took {time.perf_counter() - began:.1f} s")
    return " and ".join(LEAD_OFFICERS)


def crunch_figures() -> list[Figure]:
    result = measure_crunch()
    submit = result.latencies("submit")
    whole = [sum(r.steps_s.values()) * 1000 for r in result.runs if not r.error]
    upload = result.latencies("upload")
    errors = [r.error for r in result.runs if r.error]
    setting = (
        f"{result.vendors} vendors × {CRUNCH_BYTES / MIB:g} MiB, starts spread over {result.window_s:g} s "
        f"of the last {CRUNCH_WINDOW_S} s; gunicorn {CRUNCH_WORKERS} gthread workers × "
        f"{CRUNCH_THREADS} threads"
    )

    def ms(values: list[float], p: float) -> str:
        return f"{percentile(values, p):.0f}" if values else "–"

    return [
        Figure(
            "lost bids",
            float(result.lost),
            "bids",
            1,
            detail=f"{setting}; {'; '.join(errors[:3])}".rstrip("; "),
        ),
        Figure(
            "server errors",
            float(result.server_errors),
            "responses",
            1,
            detail="HTTP 5xx or connection errors",
        ),
        Figure(
            "p99 of the submit requests",
            percentile(submit, 99) / 1000 if submit else float("inf"),
            "s",
            CRUNCH_MAX_P99_S,
            detail=(
                f"submit p50 {ms(submit, 50)} ms / p99 {ms(submit, 99)} ms; "
                f"upload of {CRUNCH_BYTES / MIB:g} MiB "
                f"p50 {ms(upload, 50)} / p99 {ms(upload, 99)} ms; whole bid (price, upload, submit) "
                f"p50 {ms(whole, 50)} / p99 {ms(whole, 99)} ms"
            ),
        ),
        Figure(
            "receipt hashes not matching the decrypted file",
            float(result.mismatches),
            "files",
            1,
            detail=(
                f"{result.verified_files} files decrypted after the deadline, "
                f"opened by {result.opened_by}; " + "; ".join(result.notes[:3])
            ),
        ),
    ]


register(
    InProcessBenchmark(
        name="bid-deadline-crunch",
        description=(
            f"{CRUNCH_VENDORS} vendors each submit a {CRUNCH_BYTES / MIB:g} MiB bid within the last 60 s "
            "before the deadline (PostgreSQL scratch database on BENCH_PG_URL, gunicorn gthread); "
            "lost bids, server errors, submit latency, receipt hashes checked against the decrypted "
            "files after the deadline"
        ),
        measure=crunch_figures,
    )
)


if __name__ == "__main__":
    sys.exit(main())
