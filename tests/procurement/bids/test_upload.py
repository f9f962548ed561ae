"""Bid files stream in, sealed on arrival: CSRF first, types, names, limits, the deadline."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask, Request
from werkzeug.test import EnvironBuilder

from procurement.bids import keys, sealing
from procurement.bids.models import BidFile, BidFileKind
from procurement.extensions import db
from procurement.storage import storage
from tests.conftest import audit_actions, count, csrf_token, page_text
from tests.procurement.bids.conftest import BEFORE_DEADLINE, DEADLINE, zip_bytes
from tests.procurement.tenders.conftest import LEAD, VENDOR, pdf_bytes


def bid_url(tender_id: int) -> str:
    return f"/ausschreibungen/{tender_id}/angebot"


def upload_url(tender_id: int) -> str:
    return f"{bid_url(tender_id)}/dateien"


def upload(client, tender_id, files, kind="offer_letter", token=None):  # type: ignore[no-untyped-def]
    """POST files as the browser does: CSRF token first, then the kind, then the files."""
    token = token if token is not None else csrf_token(client, bid_url(tender_id))
    data = {"csrf_token": token, "kind": kind, "files": [(BytesIO(c), name) for name, c in files.items()]}
    return client.post(upload_url(tender_id), data=data, content_type="multipart/form-data")


def stored_files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


def plaintext_of(app: Flask, bid_file: BidFile) -> bytes:
    with app.app_context():
        row = db.session.get(BidFile, bid_file.id)
        data_key = sealing.unwrap_key(row.wrapped_key, keys.tender_key(row.bid.tender))
        with storage().open(row.storage_key) as handle:
            return b"".join(sealing.open_stream(handle, data_key))


@pytest.fixture
def vendor(auth, time_machine, bid_tender):  # type: ignore[no-untyped-def]
    """The vendor signed in, the clock a day before the deadline."""
    time_machine.move_to(BEFORE_DEADLINE, tick=False)
    auth.login(VENDOR)
    return auth


def test_an_uploaded_file_is_stored_sealed_with_the_hash_of_its_plaintext(
    app, client, vendor, bid_tender, bid_config
):
    content = pdf_bytes(300_000) + b"Angebotspreis 48213.57"
    response = upload(client, bid_tender, {"Angebot.pdf": content})
    assert response.status_code == 302, page_text(response)
    with app.app_context():
        row = db.session.scalars(db.select(BidFile)).one()
        db.session.expunge(row)
    assert row.filename == "Angebot.pdf"
    assert row.kind is BidFileKind.offer_letter
    assert row.size == len(content)
    assert row.sha256 == hashlib.sha256(content).hexdigest()
    blob = (bid_config / row.storage_key[:2] / row.storage_key).read_bytes()
    assert len(blob) == row.sealed_size > len(content)
    assert b"48213.57" not in blob and b"%PDF-" not in blob
    assert plaintext_of(app, row) == content
    assert audit_actions(app)[-2:] == ["bid.draft_created", "bid.file_added"]


def test_several_files_arrive_in_one_request(app, client, vendor, bid_tender):
    response = upload(client, bid_tender, {"Angebot.pdf": pdf_bytes(), "Preisblatt.xlsx": zip_bytes()})
    assert response.status_code == 302
    assert count(app, BidFile) == 2
    assert audit_actions(app).count("bid.file_added") == 2


def test_werkzeug_never_spools_a_bid_file_to_a_temporary_file(app, client, vendor, bid_tender, monkeypatch):
    def forbidden(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("request.files would write the plaintext to a temporary file")

    token = csrf_token(client, bid_url(bid_tender))
    monkeypatch.setattr(Request, "_get_file_stream", forbidden)
    # request.files would call _get_file_stream for any file part, whatever its size
    response = upload(client, bid_tender, {"Angebot.pdf": pdf_bytes(200_000)}, token=token)
    assert response.status_code == 302
    assert count(app, BidFile) == 1


def multipart(parts: list[tuple[str, str | None, bytes]]) -> tuple[bytes, str]:
    """A multipart body with the parts in exactly this order: (name, file name or None, content)."""
    boundary = "----bidboundary7b1c"
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename:
            body += b"Content-Type: application/octet-stream\r\n"
        body += b"\r\n" + content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_file_before_the_csrf_token_is_refused(app, client, vendor, bid_tender, bid_config):
    before = stored_files(bid_config)
    token = csrf_token(client, bid_url(bid_tender))
    body, content_type = multipart(
        [("files", "Angebot.pdf", pdf_bytes()), ("csrf_token", None, token.encode())]
    )
    response = client.post(upload_url(bid_tender), data=body, content_type=content_type)
    assert response.status_code == 400
    assert count(app, BidFile) == 0
    assert stored_files(bid_config) == before


def test_a_wrong_csrf_token_is_refused(app, client, vendor, bid_tender):
    response = upload(client, bid_tender, {"Angebot.pdf": pdf_bytes()}, token="falsch")
    assert response.status_code == 400
    assert count(app, BidFile) == 0


def test_a_body_that_is_not_multipart_is_refused(app, client, vendor, bid_tender):
    response = client.post(upload_url(bid_tender), data=b"x", content_type="application/octet-stream")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("../../etc/Angebot.pdf", "Angebot.pdf"),
        ("..\\..\\Angebot.pdf", "Angebot.pdf"),
        ("Ange\x07bot\x1b.pdf", "Angebot.pdf"),
        ("Rechnung\u202efdp.exe.pdf", "Rechnungfdp.exe.pdf"),
        ("...pdf", "dokument.pdf"),
    ],
)
def test_file_names_are_sanitised(app, client, vendor, bid_tender, name, stored):
    response = upload(client, bid_tender, {name: pdf_bytes()})
    assert response.status_code == 302, page_text(response)
    with app.app_context():
        assert db.session.scalars(db.select(BidFile.filename)).one() == stored


def test_a_zero_byte_file_is_refused_and_nothing_kept(app, client, vendor, bid_tender, bid_config):
    before = stored_files(bid_config)
    response = upload(client, bid_tender, {"Angebot.pdf": b""})
    assert response.status_code == 422
    assert "Die Datei ist leer" in page_text(response)
    assert count(app, BidFile) == 0
    assert stored_files(bid_config) == before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("Angebot.exe", b"MZ" + b"0" * 100),
        ("Angebot", pdf_bytes()),
        ("Angebot.pdf", b"MZ\x90\x00" + b"0" * 100),  # a program named .pdf
        ("Angebot.pdf", zip_bytes()),
        ("Preisblatt.xlsx", pdf_bytes()),
        ("Angebot.pdf", b"%PD"),  # shorter than the signature
    ],
)
def test_a_file_of_a_wrong_type_is_refused(app, client, vendor, bid_tender, bid_config, name, content):
    before = stored_files(bid_config)
    response = upload(client, bid_tender, {name: content})
    assert response.status_code == 422
    assert count(app, BidFile) == 0
    assert stored_files(bid_config) == before


@pytest.mark.parametrize("name", ["Angebot.odt", "Preise.ods", "Angebot.docx", "Preise.xlsx", "Anlagen.zip"])
def test_office_formats_and_zip_archives_are_accepted(app, client, vendor, bid_tender, name):
    response = upload(client, bid_tender, {name: zip_bytes()})
    assert response.status_code == 302


def test_a_file_over_the_file_limit_is_refused_and_nothing_kept(app, client, vendor, bid_tender, bid_config):
    app.config["MAX_BID_FILE_BYTES"] = 200_000
    before = stored_files(bid_config)
    response = upload(client, bid_tender, {"Angebot.pdf": pdf_bytes(200_001)})
    assert response.status_code == 413
    assert "zu groß" in page_text(response)
    assert count(app, BidFile) == 0
    assert stored_files(bid_config) == before
    assert upload(client, bid_tender, {"Angebot.pdf": pdf_bytes(200_000)}).status_code == 302


def test_files_over_the_bid_limit_are_refused(app, client, vendor, bid_tender, bid_config):
    app.config["MAX_BID_FILE_BYTES"] = 2000
    app.config["MAX_BID_BYTES"] = 3000
    assert upload(client, bid_tender, {"Teil 1.pdf": pdf_bytes(1500)}).status_code == 302
    assert upload(client, bid_tender, {"Teil 2.pdf": pdf_bytes(1500)}).status_code == 302
    before = stored_files(bid_config)
    response = upload(client, bid_tender, {"Teil 3.pdf": pdf_bytes(10)})
    assert response.status_code == 413
    assert "alle Dateien zusammen" in page_text(response)
    assert count(app, BidFile) == 2
    assert stored_files(bid_config) == before


def test_a_request_over_the_bid_limit_is_refused_before_it_is_read(app, client, vendor, bid_tender):
    app.config["MAX_BID_BYTES"] = 1000
    response = upload(client, bid_tender, {"Angebot.pdf": pdf_bytes(200_000)})
    assert response.status_code == 413
    assert count(app, BidFile) == 0


def test_a_file_name_twice_in_one_bid_is_a_conflict(app, client, vendor, bid_tender):
    assert upload(client, bid_tender, {"Angebot.pdf": pdf_bytes()}).status_code == 302
    response = upload(client, bid_tender, {"Angebot.pdf": pdf_bytes(2000)})
    assert response.status_code == 409
    assert count(app, BidFile) == 1


def test_a_failing_second_file_keeps_nothing_of_the_request(app, client, vendor, bid_tender, bid_config):
    before = stored_files(bid_config)
    response = upload(client, bid_tender, {"Angebot.pdf": pdf_bytes(), "Preise.xlsx": pdf_bytes()})
    assert response.status_code == 422
    assert count(app, BidFile) == 0
    assert stored_files(bid_config) == before


class SlowBody(BytesIO):
    """A request body whose reading takes ``delay``: the clock jumps when its last bytes are read."""

    def __init__(self, body: bytes, traveller, delay: timedelta) -> None:  # type: ignore[no-untyped-def]
        super().__init__(body)
        self.total = len(body)
        self.traveller = traveller
        self.delay = delay

    def _arrive(self) -> None:
        if self.tell() >= self.total and self.delay:
            self.traveller.shift(self.delay)
            self.delay = timedelta(0)

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self._arrive()
        return data

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        count = super().readinto(buffer)
        self._arrive()
        return count


def test_an_upload_that_ends_one_second_after_the_deadline_is_refused(
    app, client, auth, bid_tender, bid_config, time_machine
):
    time_machine.move_to(DEADLINE - timedelta(minutes=5), tick=False)
    auth.login(VENDOR)
    token = csrf_token(client, bid_url(bid_tender))
    builder = EnvironBuilder(
        method="POST",
        data={
            "csrf_token": token,
            "kind": "offer_letter",
            "files": (BytesIO(pdf_bytes(100_000)), "Angebot.pdf"),
        },
        content_type="multipart/form-data",
    )
    environ = builder.get_environ()
    body = environ["wsgi.input"].read()
    builder.close()
    before = stored_files(bid_config)
    # the request starts at 11:59:59 (Berlin) and its last byte arrives at 12:00:01
    time_machine.move_to(DEADLINE - timedelta(seconds=1), tick=False)
    traveller = time_machine
    response = client.post(
        upload_url(bid_tender),
        input_stream=SlowBody(body, traveller, timedelta(seconds=2)),
        content_type=environ["CONTENT_TYPE"],
        content_length=len(body),
    )
    assert response.status_code == 409
    text = page_text(response)
    assert "Ihr Angebot ist um 10:00:01 Uhr eingegangen, nach Ablauf der Frist um 10:00:00 Uhr" in text
    assert "es wurde nicht angenommen" in text
    assert count(app, BidFile) == 0
    assert stored_files(bid_config) == before


def test_no_upload_after_the_deadline(app, client, auth, bid_tender, time_machine):
    time_machine.move_to(DEADLINE - timedelta(minutes=1), tick=False)
    auth.login(VENDOR)
    token = csrf_token(client, bid_url(bid_tender))
    time_machine.move_to(DEADLINE, tick=False)
    response = upload(client, bid_tender, {"Angebot.pdf": pdf_bytes()}, token=token)
    assert response.status_code == 409
    assert "nach Ablauf der Frist um 10:00:00 Uhr" in page_text(response)
    assert count(app, BidFile) == 0


def test_officers_cannot_upload_bid_files(app, client, auth, bid_tender, time_machine):
    time_machine.move_to(BEFORE_DEADLINE, tick=False)
    auth.login(LEAD)
    response = client.post(upload_url(bid_tender), data={"files": (BytesIO(pdf_bytes()), "a.pdf")})
    assert response.status_code == 404
    assert count(app, BidFile) == 0


def test_a_big_file_streams_through_parser_and_sealer_in_bounded_memory():
    import tracemalloc

    from procurement.bids.sealing import Sealer
    from procurement.bids.upload import FilePart, SealingReader, iter_multipart

    size = 24 * 1024 * 1024
    body, content_type = multipart([("csrf_token", None, b"t"), ("files", "gross.pdf", pdf_bytes(size))])
    boundary = content_type.split("boundary=")[1].encode()
    stream = BytesIO(body)
    sealed_total = 0
    tracemalloc.start()
    try:
        for part in iter_multipart(stream, boundary):
            if isinstance(part, FilePart):
                reader = SealingReader(part.reader, Sealer(bytes(32)), b"%PDF-", size)
                while chunk := reader.read(64 * 1024):
                    sealed_total += len(chunk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sealed_total > size
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes for a {size} byte file"


def test_file_data_that_looks_like_the_start_of_a_boundary_is_not_refused_as_too_large():
    from procurement.bids.upload import FilePart, iter_multipart

    # line breaks everywhere: most 64 KiB reads end in a tail the decoder holds back (a line
    # break might start the boundary), and the next read comes on top of it
    content = b"%PDF-" + (b"x" * 20 + b"\r\n") * 30_000
    body, content_type = multipart([("csrf_token", None, b"t"), ("files", "a.pdf", content)])
    received = b""
    for part in iter_multipart(BytesIO(body), content_type.split("boundary=")[1].encode()):
        if isinstance(part, FilePart):
            while chunk := part.reader.read(64 * 1024):
                received += chunk
    assert received == content


def test_an_endless_part_header_is_refused():
    from procurement.bids.upload import MultipartError, iter_multipart

    body = b'--b\r\nContent-Disposition: form-data; name="x"; ' + b"a" * 300_000
    with pytest.raises(MultipartError):
        list(iter_multipart(BytesIO(body), b"b"))
