"""The local storage (streamed, size-limited, random keys) and safe file names; no app needed."""

from __future__ import annotations

import hashlib
import io
import re

import pytest

from procurement.marketplace.documents import FILE_TYPES, content_matches, sanitise_filename
from procurement.storage import CHUNK_SIZE, FileTooLarge, LocalStorage, UnknownKey
from tests.procurement.marketplace.conftest import EXE_BYTES, docx_bytes, pdf_bytes, stored_files, zip_bytes


class CountingStream(io.BytesIO):
    """Records how much each read asks for: the storage must never read everything at once."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.requests: list[int | None] = []

    def read(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        self.requests.append(size)
        return super().read(size)


def test_save_stream_reads_in_chunks_and_returns_key_size_and_sha256(tmp_path):
    storage = LocalStorage(tmp_path)
    data = b"x" * (3 * CHUNK_SIZE + 17)
    stream = CountingStream(data)
    key, size, sha256 = storage.save_stream(stream, max_bytes=10 * CHUNK_SIZE)
    assert size == len(data)
    assert sha256 == hashlib.sha256(data).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert all(request == CHUNK_SIZE for request in stream.requests)
    assert len(stream.requests) == 5  # four chunks and the empty read at the end
    with storage.open(key) as handle:
        assert handle.read() == data
    assert stored_files(tmp_path) == [tmp_path / key[:2] / key]


def test_every_file_gets_its_own_random_key(tmp_path):
    storage = LocalStorage(tmp_path)
    keys = {storage.save_stream(io.BytesIO(b"same"), 100).key for _ in range(5)}
    assert len(keys) == 5


def test_a_stream_over_the_limit_is_refused_and_nothing_is_left(tmp_path):
    storage = LocalStorage(tmp_path, chunk_size=1000)
    stream = CountingStream(b"y" * 5000)
    with pytest.raises(FileTooLarge) as err:
        storage.save_stream(stream, max_bytes=2500)
    assert err.value.max_bytes == 2500
    assert stored_files(tmp_path) == []
    assert len(stream.requests) == 3  # stops reading as soon as the limit is passed


def test_exactly_the_limit_is_fine(tmp_path):
    storage = LocalStorage(tmp_path)
    assert storage.save_stream(io.BytesIO(b"z" * 100), max_bytes=100).size == 100


@pytest.mark.parametrize("key", ["../../etc/passwd", "ab/../../x", "", "A" * 32, "0" * 31, "0" * 32 + "/"])
def test_malformed_keys_never_reach_the_file_system(tmp_path, key):
    storage = LocalStorage(tmp_path)
    with pytest.raises(UnknownKey):
        storage.open(key)
    with pytest.raises(UnknownKey):
        storage.delete(key)
    assert storage.exists(key) is False


def test_delete_removes_the_file_and_tolerates_a_missing_one(tmp_path):
    storage = LocalStorage(tmp_path)
    key = storage.save_stream(io.BytesIO(b"data"), 100).key
    storage.delete(key)
    assert not storage.exists(key)
    storage.delete(key)
    with pytest.raises(UnknownKey):
        storage.open(key)


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("Datenblatt.pdf", "Datenblatt.pdf"),
        ("Prüfbericht Straße – Übersicht.PDF", "Prüfbericht Straße – Übersicht.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\System32\\treiber.pdf", "treiber.pdf"),
        ("C:\\Users\\erika\\Desktop\\angebot.docx", "angebot.docx"),
        ("bericht\x00\r\n\x1b[31m.pdf", "bericht[31m.pdf"),
        ("rechnung\u202efdp.exe", "rechnungfdp.exe"),  # no right-to-left trick
        ("zero\u200bwidth.pdf", "zerowidth.pdf"),
        ('a<b>c:d"e|f?g*h.pdf', "a_b_c_d_e_f_g_h.pdf"),
        ("  viel    Platz  .pdf", "viel Platz.pdf"),
        (".htaccess", "dokument.htaccess"),
        ("....pdf", "dokument.pdf"),
        ("..", "dokument"),
        ("", "dokument"),
        (None, "dokument"),
        ("\x00\x01", "dokument"),
        ("CON.pdf", "_CON.pdf"),
        ("lpt1.tar.gz", "_lpt1.tar.gz"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
        ("a" * 300, "a" * 120),
        ("bericht.final version", "bericht.final version"),
        ("e\u0301tude.pdf", "\u00e9tude.pdf"),  # composed (NFC)
    ],
)
def test_file_names_are_sanitised(name, safe):
    assert sanitise_filename(name) == safe


@pytest.mark.parametrize(
    ("extension", "content", "ok"),
    [
        ("pdf", pdf_bytes(), True),
        ("pdf", EXE_BYTES, False),
        ("pdf", b"%PD", False),
        ("docx", docx_bytes(), True),
        ("docx", pdf_bytes(), False),
        ("xlsx", docx_bytes(), False),
        ("zip", zip_bytes({"a": b"b"}), True),
        ("zip", zip_bytes({}), False),
        ("zip", b"PK\x03\x04" + b"\xff" * 100, False),
        ("odt", zip_bytes({"mimetype": b"x" * 1000}), False),
    ],
)
def test_content_must_match_the_type_the_extension_claims(extension, content, ok):
    assert content_matches(FILE_TYPES[extension], io.BytesIO(content)) is ok


def test_unfinished_uploads_of_killed_workers_are_swept_after_an_hour(tmp_path):
    import os
    import time

    store = LocalStorage(tmp_path)
    kept = store.save_stream(io.BytesIO(b"%PDF-1.7 complete"), 1024)
    old = tmp_path / "ab" / (".ab" + "0" * 30 + ".part")
    running = tmp_path / "cd" / (".cd" + "0" * 30 + ".part")
    for partial in (old, running):
        partial.parent.mkdir(exist_ok=True)
        partial.write_bytes(b"sealed bytes of an interrupted upload")
    two_hours_ago = time.time() - 2 * 3600
    os.utime(old, (two_hours_ago, two_hours_ago))

    assert store.sweep_partials() == 1
    assert not old.exists()
    assert running.exists()  # may still be written by a running upload
    assert store.exists(kept.key)  # complete files are never touched
