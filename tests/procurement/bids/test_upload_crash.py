"""A server killed in the middle of an upload leaves no partial bid file (issue 6, reliability).

The app runs in a real gunicorn (one sync worker, on the test's database: SQLite file or
PostgreSQL) so that the worker can be killed with SIGKILL while it seals a file that streams in
over HTTP. Nothing of the interrupted upload may count: no BidFile row, nothing listed on the
bid page; the vendor uploads the file again and submits. The storage keeps at most the
interrupted ``.part`` temporary file, which no row references (the local storage writes a new
file under ``.<key>.part`` and renames it only when complete); it is reported, not served.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from procurement.bids.models import Bid, BidFile
from procurement.demo import DEMO_PASSWORD
from procurement.extensions import db
from tests.conftest import audit_actions, count
from tests.procurement.bids.conftest import TEST_PLATFORM_KEY
from tests.procurement.tenders.conftest import VENDOR
from workflows.bid import BidStatus

BENCH = Path(__file__).resolve().parents[3] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from harness import Server, ServerOptions, serve, wait_until_healthy  # noqa: E402
from httpclient import Browser, GeneratedFile, MultipartBody, csrf_of  # noqa: E402

MIB = 1024 * 1024
UPLOAD_BYTES = 50 * MIB  # the interrupted upload
KILL_AFTER_BYTES = 16 * MIB  # sent before the worker is killed
FILENAME = "Angebot-gross.pdf"


@pytest.fixture
def live_server(app: Flask, database_url: str, bid_config: Path, tmp_path: Path) -> Iterator[Server]:
    """gunicorn (one sync worker) on the test's database, storage directory and platform key."""
    instance = tmp_path / "instance"
    instance.mkdir()
    env = {
        "DATABASE_URL": database_url,
        "STORAGE_DIR": str(bid_config),
        "PLATFORM_KEY": TEST_PLATFORM_KEY,
        "MAX_BID_FILE_BYTES": str(100 * MIB),
        "MAX_BID_BYTES": str(200 * MIB),
    }
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # SQLite: no connection of the test holds the file while gunicorn writes
    with serve(instance, ServerOptions(workers=1, worker_class="sync", timeout=60), env) as server:
        yield server


@pytest.fixture
def open_tender(public_tender: Callable[..., int]) -> int:
    """A published tender whose deadline is ahead of the real clock (gunicorn has no time machine)."""
    return public_tender(lots=1, deadline=datetime.now(UTC).replace(microsecond=0) + timedelta(days=30))


def bid_page(tender_id: int) -> str:
    return f"/ausschreibungen/{tender_id}/angebot"


def stored(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def upload_body(browser: Browser, tender_id: int, content: GeneratedFile, filename: str) -> MultipartBody:
    token = csrf_of(browser.get(bid_page(tender_id)).text)
    return MultipartBody({"csrf_token": token, "kind": "offer_letter"}, "files", filename, content)


def save_price(browser: Browser, tender_id: int) -> None:
    page = browser.get(bid_page(tender_id)).text
    fields = {"csrf_token": csrf_of(page), "consortium": ""}
    for name in sorted(set(re.findall(r'name="(price_\d+)"', page))):
        fields[name] = "48.213,57"
    assert browser.post_form(bid_page(tender_id), fields).status == 302


class InterruptedUpload(threading.Thread):
    """Sends a multipart upload, pausing after ``KILL_AFTER_BYTES`` until told to go on."""

    def __init__(self, server: Server, body: MultipartBody, cookies: dict[str, str], path: str) -> None:
        super().__init__(daemon=True)
        self.browser = Browser(server.host, server.port, timeout=30)
        self.browser.cookies = dict(cookies)
        self.body, self.path = body, path
        self.paused = threading.Event()
        self.resume = threading.Event()
        self.status: int | None = None
        self.error: BaseException | None = None

    def chunks(self) -> Iterator[bytes]:
        sent = 0
        for chunk in self.body:
            yield chunk
            sent += len(chunk)
            if sent >= KILL_AFTER_BYTES and not self.paused.is_set():
                self.paused.set()
                self.resume.wait(20)

    def run(self) -> None:
        try:
            self.status = self.browser.request("POST", self.path, self.chunks(), self.body.headers).status
        except OSError as exc:  # the connection dies with the worker
            self.error = exc
        finally:
            self.paused.set()
            self.browser.close()


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_a_worker_killed_mid_upload_leaves_no_partial_bid_file_and_the_vendor_can_submit_again(
    app: Flask, live_server: Server, open_tender: int, bid_config: Path
) -> None:
    server, tender_id = live_server, open_tender
    with Browser(server.host, server.port) as browser:
        browser.login(VENDOR, DEMO_PASSWORD)
        save_price(browser, tender_id)  # the draft exists before the upload
        before = stored(bid_config)
        upload = InterruptedUpload(
            server,
            upload_body(browser, tender_id, GeneratedFile(UPLOAD_BYTES, seed=b"crash"), FILENAME),
            browser.cookies,
            f"{bid_page(tender_id)}/dateien",
        )
        upload.start()
        assert upload.paused.wait(20), "the upload did not get going"

        # The worker is sealing the file: its temporary file grows in the storage.
        def sealing_in_progress() -> bool:
            return any(
                p.name.endswith(".part") and p.stat().st_size > MIB for p in stored(bid_config) - before
            )

        if not wait_for(sealing_in_progress):
            upload.resume.set()
            upload.join(30)
            pytest.fail(
                "no partial file appeared in the storage: the upload ended early with "
                f"{f'HTTP {upload.status}' if upload.status else upload.error!r} "
                "(seen before: HTTP 413 for a file far below the limit, as werkzeug's "
                "MultipartDecoder applies max_form_memory_size to every chunk it receives, "
                "file data included)"
            )
        [worker] = server.worker_pids()
        os.kill(worker, signal.SIGKILL)
        upload.resume.set()
        upload.join(30)
        assert not upload.is_alive()
        assert upload.status is None or upload.status >= 500, f"the killed upload answered {upload.status}"

        # gunicorn's master starts a new worker
        assert wait_for(lambda: server.worker_pids() not in ([], [worker]), timeout=15)
        wait_until_healthy(server)

        # Nothing of the interrupted upload counts or is listed.
        assert count(app, BidFile) == 0
        with app.app_context():
            draft = db.session.scalars(select(Bid)).one()
            assert draft.status is BidStatus.draft and draft.files == []
            assert db.session.scalar(select(Bid).where(Bid.status == BidStatus.submitted)) is None
        assert not any(action.endswith("file_added") for action in audit_actions(app))
        page = browser.get(bid_page(tender_id)).text
        assert FILENAME not in page
        leftovers = stored(bid_config) - before
        assert all(p.name.endswith(".part") for p in leftovers), leftovers  # no complete orphan blob
        assert len(leftovers) <= 1

        # The vendor uploads the file again (same name) and submits.
        again = GeneratedFile(2 * MIB, seed=b"again")
        body = upload_body(browser, tender_id, again, FILENAME)
        assert (
            browser.request("POST", f"{bid_page(tender_id)}/dateien", iter(body), body.headers).status == 302
        )
        page = browser.get(bid_page(tender_id)).text
        submit = re.search(r'action="(/ausschreibungen/\d+/angebot/\d+/abgeben)"', page)
        assert submit, "no submit form on the bid page"
        assert browser.post_form(submit.group(1), {"csrf_token": csrf_of(page)}).status == 302

    with app.app_context():
        bid = db.session.scalars(select(Bid)).one()
        assert bid.status is BidStatus.submitted
        [bid_file] = bid.files
        assert (bid_file.filename, bid_file.size, bid_file.sha256) == (FILENAME, again.size, again.sha256())
        referenced = {bid_file.storage_key}
    new_files = stored(bid_config) - before
    complete = {p.name for p in new_files if not p.name.endswith(".part")}
    assert complete == referenced  # every complete blob is referenced; only the .part is not
    assert [a for a in audit_actions(app) if a.endswith("file_added")] == ["bid.file_added"]
    assert "bid.submitted" in audit_actions(app)
