"""The S3 storage backend against a local S3-compatible server, and `storage()` choosing it.

The server is moto's (``moto_server``), an emulator of the S3 API that runs in a separate
process here (so the memory measured is the platform's alone); it is not AWS, MinIO or Ceph.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import socket
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
import time_machine
from botocore.config import Config
from flask import Flask
from werkzeug.datastructures import FileStorage

from procurement.extensions import db
from procurement.marketplace.documents import FILE_TYPES, content_matches
from procurement.storage import (
    FileTooLarge,
    LocalStorage,
    S3Storage,
    StorageError,
    UnknownKey,
    parse_storage_url,
    storage,
)
from procurement.tenders import services as tender_services
from procurement.tenders.documents import add_document, delete_document
from procurement.tenders.models import TenderDocument
from tests.conftest import free_port
from tests.procurement.marketplace.conftest import docx_bytes
from tests.procurement.tenders.conftest import LEAD, NOW, TENDER, pdf_bytes, user

pytest.importorskip(
    "moto.server", reason="moto[server] (the local S3-compatible test server) is not installed"
)

MiB = 1024 * 1024
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-central-1",
}


# --- the server and a bucket per test ----------------------------------------------------------


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """Run moto's S3-compatible server in its own process for this module; yield its URL."""
    port = free_port()
    env = {**os.environ, **CREDENTIALS}
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.skip(
                    f"the local S3-compatible server (moto) did not start (exit {process.returncode})"
                )
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.skip("the local S3-compatible server (moto) did not answer within 30 s")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def s3(s3_endpoint: str) -> Any:
    return boto3.session.Session().client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
        config=Config(s3={"addressing_style": "path"}),
    )


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"vergabe-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": CREDENTIALS["AWS_DEFAULT_REGION"]}
    )
    return name


@pytest.fixture
def store(s3: Any, bucket: str) -> S3Storage:
    return S3Storage(bucket, "dokumente", s3)


def objects(s3: Any, bucket: str) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def pending_uploads(s3: Any, bucket: str) -> list[str]:
    return [item["Key"] for item in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]


class PatternStream:
    """``size`` bytes of a repeated random block, made on demand; records the reads and the SHA-256."""

    BLOCK = os.urandom(MiB + 7)  # not a divisor of the part size: parts differ

    def __init__(self, size: int, fail_after: int | None = None) -> None:
        self.size = size
        self.position = 0
        self.fail_after = fail_after
        self.digest = hashlib.sha256()
        self.reads = 0

    def read(self, n: int = -1) -> bytes:
        self.reads += 1
        if self.fail_after is not None and self.position >= self.fail_after:
            raise ValueError("the upload broke off")
        n = self.size - self.position if n < 0 else min(n, self.size - self.position)
        start = self.position % len(self.BLOCK)
        data = (
            (self.BLOCK[start:] + self.BLOCK)[:n]
            if start + n > len(self.BLOCK)
            else self.BLOCK[start : start + n]
        )
        self.position += len(data)
        self.digest.update(data)
        return data


# --- the backend ----------------------------------------------------------------------------


def test_a_saved_stream_is_stored_under_a_random_key_reads_back_and_is_gone_after_delete(s3, bucket, store):
    data = b"Leistungsverzeichnis " * 1000
    key, size, sha256 = store.save_stream(io.BytesIO(data), max_bytes=len(data))
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert (size, sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert objects(s3, bucket) == [f"dokumente/{key[:2]}/{key}"]
    assert store.exists(key)

    with store.open(key) as handle:
        assert handle.read(10) == data[:10]
        assert handle.read() == data[10:]
        assert handle.read(10) == b""
    assert handle.closed

    store.delete(key)
    assert not store.exists(key) and objects(s3, bucket) == []
    store.delete(key)  # already gone: fine
    with pytest.raises(UnknownKey):
        store.open(key)


def test_every_file_gets_its_own_key_and_an_empty_file_is_a_file(s3, bucket, store):
    keys = {store.save_stream(io.BytesIO(b"gleich"), 100).key for _ in range(3)}
    empty = store.save_stream(io.BytesIO(b""), 100)
    assert len(keys) == 3 and empty.size == 0
    assert empty.sha256 == hashlib.sha256(b"").hexdigest()
    with store.open(empty.key) as handle:
        assert handle.read() == b""
    assert len(objects(s3, bucket)) == 4


def test_a_40_mib_stream_goes_up_in_parts_and_comes_back_with_bounded_memory(s3, bucket, store):
    stream = PatternStream(40 * MiB)
    tracemalloc.start()
    try:
        stored = store.save_stream(stream, max_bytes=64 * MiB)
        _, saving_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        digest = hashlib.sha256()
        with store.open(stored.key) as handle:
            while chunk := handle.read(256 * 1024):
                digest.update(chunk)
        _, reading_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert (stored.size, stored.sha256) == (40 * MiB, stream.digest.hexdigest())
    assert digest.hexdigest() == stored.sha256
    assert saving_peak < 32 * MiB, f"saving held {saving_peak / MiB:.1f} MiB"
    assert reading_peak < 8 * MiB, f"reading held {reading_peak / MiB:.1f} MiB"
    # a multipart object's ETag ends in the number of its parts: 40 MiB in parts of 8 MiB
    etag = s3.head_object(Bucket=bucket, Key=f"dokumente/{stored.key[:2]}/{stored.key}")["ETag"]
    assert etag.strip('"').endswith("-5")
    assert pending_uploads(s3, bucket) == []


def test_a_stream_over_the_limit_keeps_no_object_and_no_unfinished_upload(s3, bucket, store):
    stream = PatternStream(40 * MiB)
    with pytest.raises(FileTooLarge) as err:
        store.save_stream(stream, max_bytes=20 * MiB)
    assert err.value.max_bytes == 20 * MiB
    assert stream.position <= 20 * MiB + store.chunk_size  # stopped reading one read after the limit
    assert objects(s3, bucket) == [] and pending_uploads(s3, bucket) == []


def test_a_small_stream_over_the_limit_keeps_nothing(s3, bucket, store):
    with pytest.raises(FileTooLarge):
        store.save_stream(io.BytesIO(b"x" * 5000), max_bytes=4999)
    assert objects(s3, bucket) == [] and pending_uploads(s3, bucket) == []


def test_exactly_the_limit_is_fine(store):
    stored = store.save_stream(io.BytesIO(b"x" * 5000), max_bytes=5000)
    assert stored.size == 5000 and store.exists(stored.key)


def test_a_stream_that_breaks_off_aborts_the_upload_and_its_error_goes_through(s3, bucket, store):
    with pytest.raises(ValueError, match="broke off"):
        store.save_stream(PatternStream(40 * MiB, fail_after=17 * MiB), max_bytes=64 * MiB)
    assert objects(s3, bucket) == [] and pending_uploads(s3, bucket) == []


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        "ab/../../geheim",
        "",
        "A" * 32,
        "a" * 31,
        "a" * 33,
        "0123456789abcdef0123456789abcdef/../x",
        None,
    ],
)
def test_only_storage_keys_reach_objects(s3, bucket, store, key):
    with pytest.raises(UnknownKey):
        store.open(key)
    with pytest.raises(UnknownKey):
        store.delete(key)
    assert store.exists(key) is False


def test_objects_outside_the_prefix_cannot_be_reached(s3, bucket, store):
    foreign = "0123456789abcdef0123456789abcdef"
    s3.put_object(Bucket=bucket, Key=foreign, Body=b"nicht hier")  # at the bucket's root
    s3.put_object(Bucket=bucket, Key=f"andere/{foreign[:2]}/{foreign}", Body=b"auch nicht")
    assert not store.exists(foreign)
    with pytest.raises(UnknownKey):
        store.open(foreign)


def test_an_opened_object_can_be_seeked_so_office_files_are_checked_like_local_ones(store, tmp_path):
    content = docx_bytes()
    stored = store.save_stream(io.BytesIO(content), max_bytes=len(content))
    with store.open(stored.key) as handle:
        assert handle.seekable()
        assert content_matches(FILE_TYPES["docx"], handle)
        handle.seek(-10, io.SEEK_END)
        assert handle.read() == content[-10:]
        handle.seek(3)
        assert handle.read(5) == content[3:8] and handle.tell() == 8
    local = LocalStorage(tmp_path)
    with local.open(local.save_stream(io.BytesIO(content), len(content)).key) as handle:
        assert content_matches(FILE_TYPES["docx"], handle)


def test_a_client_that_sends_checksums_only_when_required_works_too(s3_endpoint, s3, bucket):
    # the setting for S3-compatible servers that refuse the newer checksum headers
    plain = boto3.session.Session().client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="eu-central-1",
        config=Config(
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )
    store = S3Storage(bucket, "", plain)
    small = store.save_stream(io.BytesIO(b"klein"), 100)
    stream = PatternStream(17 * MiB)
    large = store.save_stream(stream, 64 * MiB)
    with store.open(small.key) as handle:
        assert handle.read() == b"klein"
    assert large.sha256 == stream.digest.hexdigest()
    assert sorted(objects(s3, bucket)) == sorted(f"{k[:2]}/{k}" for k in (small.key, large.key))


def test_an_unreachable_server_is_a_storage_error(bucket):
    dead = boto3.session.Session().client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="eu-central-1",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    with pytest.raises(StorageError):
        S3Storage(bucket, "", dead).save_stream(io.BytesIO(b"abc"), 100)


# --- choosing the backend --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("s3://vergabe", ("vergabe", "")),
        ("s3://vergabe/", ("vergabe", "")),
        ("s3://vergabe/prod/dateien/", ("vergabe", "prod/dateien")),
    ],
)
def test_a_storage_url_names_bucket_and_prefix(url, expected):
    assert parse_storage_url(url) == expected


@pytest.mark.parametrize("url", ["file:///srv/storage", "s3:///prefix", "vergabe/prefix", "s3://b/p?x=1"])
def test_a_storage_url_that_is_not_s3_is_refused(url):
    with pytest.raises(StorageError):
        parse_storage_url(url)


@pytest.fixture
def s3_app(app: Flask, s3_endpoint: str, bucket: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The shared app, configured for the S3 storage of this test (restored afterwards)."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    previous = app.config["STORAGE_URL"], app.config["S3_ENDPOINT_URL"]
    app.config["STORAGE_URL"] = f"s3://{bucket}/vergabe"
    app.config["S3_ENDPOINT_URL"] = s3_endpoint
    yield app
    app.config["STORAGE_URL"], app.config["S3_ENDPOINT_URL"] = previous
    app.extensions.pop("procurement.storage.s3_clients", None)  # its credentials were this test's


def test_storage_is_local_without_a_storage_url_and_s3_with_one(app, s3_app, bucket):
    with app.app_context():
        first, second = storage(), storage()
        assert isinstance(first, S3Storage)
        assert (first.bucket, first.prefix) == (bucket, "vergabe")
        assert first.client is second.client  # one client per app, not per call
        app.config["STORAGE_URL"] = ""
        assert isinstance(storage(), LocalStorage)


def test_a_tender_document_goes_to_s3_and_is_downloaded_from_there(s3_app, s3, bucket, client, auth, demo):
    app = s3_app
    content = pdf_bytes(3000)
    with app.test_request_context():
        lead = user(LEAD)
        tender = tender_services.create_tender(lead, TENDER, NOW)
        document = add_document(lead, tender, FileStorage(io.BytesIO(content), filename="LV.pdf"), "LV", NOW)
        db.session.commit()
        tender_id, document_id, key = tender.id, document.id, document.storage_key
        assert (document.size, document.sha256) == (3000, hashlib.sha256(content).hexdigest())
    assert objects(s3, bucket) == [f"vergabe/{key[:2]}/{key}"]

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        auth.login(LEAD)
        response = client.get(f"/ausschreibungen/{tender_id}/unterlagen/{document_id}")
    assert response.status_code == 200
    assert response.get_data() == content
    assert response.headers["Content-Disposition"].startswith("attachment")
    with app.app_context():
        assert db.session.get(TenderDocument, document_id).storage_key == key


def test_an_upload_whose_transaction_is_rolled_back_leaves_no_object(s3_app, s3, bucket, demo):
    app = s3_app
    with app.test_request_context():
        lead = user(LEAD)
        tender = tender_services.create_tender(lead, TENDER, NOW)
        db.session.commit()
        upload = FileStorage(io.BytesIO(docx_bytes()), filename="Vertrag.docx")
        add_document(lead, tender, upload, "", NOW)
        assert len(objects(s3, bucket)) == 1
        db.session.rollback()
    assert objects(s3, bucket) == [] and pending_uploads(s3, bucket) == []


def test_a_deleted_document_leaves_the_bucket_once_the_deletion_is_committed(s3_app, s3, bucket, demo):
    app = s3_app
    with app.test_request_context():
        lead = user(LEAD)
        tender = tender_services.create_tender(lead, TENDER, NOW)
        document = add_document(
            lead, tender, FileStorage(io.BytesIO(pdf_bytes()), filename="LV.pdf"), "", NOW
        )
        db.session.commit()
        delete_document(lead, document, NOW)
        assert len(objects(s3, bucket)) == 1  # still there until the commit
        db.session.commit()
    assert objects(s3, bucket) == []
