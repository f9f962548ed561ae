"""Checking an exported Vergabeakte offline: a changed byte, a changed audit line, a removed or
added file are named precisely; broken uploads get a clear error; the CLI's exit codes; the page."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from procurement.records.chain import line_hash
from procurement.records.verify import ArchiveError, verify_archive
from tests.conftest import Auth, csrf_token, page_text, submit
from tests.procurement.records.conftest import Closed
from tests.procurement.tenders.conftest import LEAD, LEAD_AUDITOR, PARTNER, VENDOR

AUDIT = "audit/eintraege.jsonl"
VERIFY_URL = "/vergabeakte/pruefen"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def akte(closed: Closed, client: FlaskClient, auth: Auth) -> bytes:
    auth.login(LEAD)
    response = client.get(f"/vergaben/{closed.tender_id}/vergabeakte.zip")
    assert response.status_code == 200
    data = response.get_data()  # streamed: read it before the next request
    auth.logout()
    return data


def rewrite(
    data: bytes, replace: dict[str, bytes | None] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """The archive repacked (consistent ZIP, CRCs right) with some members changed, removed, added."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = replace.get(info.filename, source.read(info))
            if content is not None:
                target.writestr(info, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def flip_byte(data: bytes, member: str, offset: int = 10) -> bytes:
    """One byte of a member's stored data changed in the raw archive (as a damaged copy would)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(member)
    assert info.compress_type == zipfile.ZIP_STORED
    header = data[info.header_offset : info.header_offset + 30]
    name_length = int.from_bytes(header[26:28], "little")
    extra_length = int.from_bytes(header[28:30], "little")
    position = info.header_offset + 30 + name_length + extra_length + offset
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


def member(data: bytes, prefix: str) -> str:
    return next(n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith(prefix))


def audit_lines(data: bytes) -> list[dict]:
    return [json.loads(line) for line in zipfile.ZipFile(io.BytesIO(data)).read(AUDIT).splitlines()]


def jsonl(lines: list[dict]) -> bytes:
    return b"".join(
        json.dumps(line, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"
        for line in lines
    )


def check(data: bytes):  # type: ignore[no-untyped-def]
    return verify_archive(io.BytesIO(data))


def test_an_untouched_archive_is_intact(akte: bytes) -> None:
    report = check(akte)
    assert report.ok and report.first is None
    assert report.files_checked > 10 and report.entries_checked > 10
    assert not report.flagged


def test_one_changed_byte_of_a_file_names_the_file(akte: bytes) -> None:
    document = member(akte, "unterlagen/")
    content = zipfile.ZipFile(io.BytesIO(akte)).read(document)
    changed = content[:20] + bytes([content[20] ^ 0x01]) + content[21:]
    report = check(rewrite(akte, {document: changed}))
    assert not report.ok
    assert (report.first.kind, report.first.path) == ("changed", document)
    assert len(report.problems) == 1
    # a stable code and the figures for a page in the reader's language
    listed = next(
        f
        for f in json.loads(zipfile.ZipFile(io.BytesIO(akte)).read("manifest.json"))["files"]
        if f["path"] == document
    )
    assert report.first.code == "file_changed"
    assert report.first.params["expected"] == listed["sha256"] != report.first.params["actual"]
    assert report.first.params["actual_size"] == report.first.params["expected_size"] == len(content)


def test_a_damaged_byte_in_the_raw_archive_names_the_file(akte: bytes) -> None:
    bid_file = member(akte, "angebote/")
    if bid_file.endswith(".json"):
        bid_file = next(
            n
            for n in zipfile.ZipFile(io.BytesIO(akte)).namelist()
            if n.startswith("angebote/") and n.endswith(".pdf")
        )
    report = check(flip_byte(akte, bid_file))
    assert (report.first.kind, report.first.path) == ("changed", bid_file)


def test_one_changed_audit_line_names_its_seq(akte: bytes) -> None:
    lines = audit_lines(akte)
    target = lines[3]
    lines[3] = dict(target, actor_email="jemand@anders.example")
    report = check(rewrite(akte, {AUDIT: jsonl(lines)}))
    assert (report.first.path, report.first.seq) == (AUDIT, target["seq"])
    assert "altered" in report.first.message
    assert len(report.problems) == 1  # the entry, not the file as a whole again


def test_a_rehashed_audit_line_breaks_the_link_to_the_next_entry(akte: bytes) -> None:
    lines = audit_lines(akte)
    index = next(i for i in range(len(lines) - 1) if lines[i + 1]["seq"] == lines[i]["seq"] + 1)
    forged = dict(
        lines[index], after=(lines[index]["after"] or "").replace("tender_id", "tender_id"), action="x"
    )
    forged["hash"] = line_hash(forged)
    lines[index] = forged
    report = check(rewrite(akte, {AUDIT: jsonl(lines)}))
    assert report.first.seq == lines[index + 1]["seq"]
    assert "prev_hash" in report.first.message


def test_a_removed_and_an_added_file_are_named(akte: bytes) -> None:
    contract = member(akte, "vertraege/")
    report = check(
        rewrite(akte, {contract: None}, add={"vertraege/nachgereicht.pdf": b"%PDF-1.7 sp\xc3\xa4ter"})
    )
    assert [(p.kind, p.path) for p in report.problems] == [
        ("missing", contract),
        ("extra", "vertraege/nachgereicht.pdf"),
    ]


def test_not_a_zip_and_no_manifest_are_clear_errors(akte: bytes) -> None:
    with pytest.raises(ArchiveError, match="not a ZIP") as raised:
        check(b"%PDF-1.7 this is no archive")
    assert raised.value.code == "not_zip"
    with pytest.raises(ArchiveError, match="no manifest.json") as raised:
        check(rewrite(akte, {"manifest.json": None}))
    assert raised.value.code == "no_manifest"
    with pytest.raises(ArchiveError, match="manifest.json"):
        check(rewrite(akte, {"manifest.json": b"{not json"}))


def test_the_cli_exit_codes(app: Flask, akte: bytes, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    intact = tmp_path / "akte.zip"
    intact.write_bytes(akte)
    result = runner.invoke(args=["audit", "verify", "--archive", str(intact)])
    assert result.exit_code == 0, result.output
    assert "archive intact" in result.output
    contract = member(akte, "vertraege/")
    changed = tmp_path / "changed.zip"
    changed.write_bytes(flip_byte(akte, contract))
    result = runner.invoke(args=["audit", "verify", "--archive", str(changed)])
    assert result.exit_code == 1
    assert f"first discrepancy {contract}" in result.output
    lines = audit_lines(akte)
    lines[0] = dict(lines[0], ip_address="10.0.0.99")
    forged = tmp_path / "forged.zip"
    forged.write_bytes(rewrite(akte, {AUDIT: jsonl(lines)}))
    result = runner.invoke(args=["audit", "verify", "--archive", str(forged)])
    assert result.exit_code == 1
    assert f"{AUDIT} seq={lines[0]['seq']}" in result.output
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK but not really")
    result = runner.invoke(args=["audit", "verify", "--archive", str(broken)])
    assert result.exit_code == 1
    assert "not a ZIP archive" in result.output
    # without --archive it checks the platform's chain as before
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "audit chain intact" in result.output


def upload(client: FlaskClient, data: bytes, name: str = "vergabeakte.zip"):  # type: ignore[no-untyped-def]
    token = csrf_token(client, VERIFY_URL)
    return client.post(
        VERIFY_URL,
        data={"csrf_token": token, "archive": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_page_shows_the_verdict(akte: bytes, client: FlaskClient, auth: Auth) -> None:
    auth.login(LEAD_AUDITOR)
    page = client.get(VERIFY_URL)
    assert page.status_code == 200
    assert 'name="archive"' in page.get_data(as_text=True)
    response = upload(client, akte)
    assert response.status_code == 200
    assert 'data-verdict="intact"' in response.get_data(as_text=True)
    assert "Unverändert" in page_text(response)
    contract = member(akte, "vertraege/")
    response = upload(client, flip_byte(akte, contract))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-verdict="changed"' in html
    assert "Verändert" in page_text(response) and contract in page_text(response)
    lines = audit_lines(akte)
    lines[2] = dict(lines[2], after='{"tender_id":999}')
    response = upload(client, rewrite(akte, {AUDIT: jsonl(lines)}))
    assert f"Eintrag seq {lines[2]['seq']}" in page_text(response)
    response = upload(client, b"no zip at all", "akte.zip")
    assert response.status_code == 422
    assert 'data-verdict="refused"' in response.get_data(as_text=True)
    assert "Die Datei kann nicht geprüft werden: Die Datei ist keine ZIP-Datei." in page_text(response)
    assert "not a ZIP archive" not in page_text(response)


def manifest_with(data: bytes, **changes: object) -> bytes:
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
    return rewrite(data, {"manifest.json": json.dumps(dict(manifest, **changes)).encode()})


def test_the_page_names_every_discrepancy_in_german(akte: bytes, client: FlaskClient, auth: Auth) -> None:
    auth.login(LEAD_AUDITOR)
    contract = member(akte, "vertraege/")
    content = zipfile.ZipFile(io.BytesIO(akte)).read(contract)
    text = page_text(upload(client, rewrite(akte, {contract: content + b"%"})))
    assert f"Erste Abweichung: {contract} – Inhalt verändert: SHA-256 " in text
    assert f"{len(content) + 1} Bytes statt {len(content)}" in text
    assert "content changed" not in text
    text = page_text(upload(client, flip_byte(akte, contract)))  # the ZIP's own checksum fails
    assert f"Erste Abweichung: {contract} – nicht lesbar, die Vergabeakte wurde verändert" in text
    assert "Bad CRC" not in text
    document = member(akte, "unterlagen/")
    text = page_text(
        upload(client, rewrite(akte, {document: None}, add={"vertraege/nachgereicht.pdf": b"%PDF"}))
    )
    assert f"{document} – im Manifest genannt, fehlt aber in der Vergabeakte" in text
    assert "vertraege/nachgereicht.pdf – in der Vergabeakte, aber nicht im Manifest genannt" in text
    lines = audit_lines(akte)
    lines[1] = dict(lines[1], ip_address="10.0.0.99")
    text = page_text(upload(client, rewrite(akte, {AUDIT: jsonl(lines)})))
    altered = "der Inhalt passt nicht zu seiner Prüfsumme (Eintrag verändert)"
    assert f"{AUDIT} Eintrag seq {lines[1]['seq']} – {altered}" in text
    assert "entry altered" not in text
    lines = audit_lines(akte)
    text = page_text(upload(client, rewrite(akte, {AUDIT: jsonl(lines[:-1])})))
    assert f"{len(lines) - 1} Einträge statt der {len(lines)} im Manifest genannten" in text
    response = upload(client, rewrite(akte, {"manifest.json": None}))
    assert response.status_code == 422
    assert "kein manifest.json: sie ist keine exportierte Vergabeakte" in page_text(response)
    response = upload(client, manifest_with(akte, format="fremd-1"))
    assert "unbekanntes Format „fremd-1“" in page_text(response)


def test_the_page_shows_the_export_in_berlin_time(akte: bytes, client: FlaskClient, auth: Auth) -> None:
    auth.login(LEAD_AUDITOR)
    # half past ten at night in UTC is half past midnight of the next day in Berlin (summer time)
    response = upload(client, manifest_with(akte, created_at="2027-07-01T22:30:00+00:00"))
    text = page_text(response)
    assert 'data-verdict="intact"' in response.get_data(as_text=True)  # the manifest is not hashed
    assert "Exportiert 02.07.2027, 00:30:00" in text
    assert "2027-07-01T22:30" not in text
    text = page_text(upload(client, manifest_with(akte, created_at="2027-01-15T11:30:00+00:00")))
    assert "Exportiert 15.01.2027, 12:30:00" in text  # winter time


def test_the_page_states_the_size_limit_in_the_readers_language(
    app: Flask, client: FlaskClient, auth: Auth, demo
) -> None:  # type: ignore[no-untyped-def]
    auth.login(LEAD)
    assert "Höchstens 4 GB." in page_text(client.get(VERIFY_URL))  # the default, 4 GiB
    previous = app.config["MAX_ARCHIVE_BYTES"]
    app.config["MAX_ARCHIVE_BYTES"] = 3 * 1024**3 // 2
    try:
        assert "Höchstens 1,5 GB." in page_text(client.get(VERIFY_URL))
        submit(client, "/language", {"language": "en", "next": VERIFY_URL}, form_url="/")
        text = page_text(client.get(VERIFY_URL))
    finally:
        app.config["MAX_ARCHIVE_BYTES"] = previous
    assert "1.5 GB" in text and "1,5 GB" not in text


def test_the_page_refuses_too_large_archives_and_missing_files(
    app: Flask, akte: bytes, client: FlaskClient, auth: Auth
) -> None:
    auth.login(LEAD)
    previous = app.config["MAX_ARCHIVE_BYTES"]
    app.config["MAX_ARCHIVE_BYTES"] = 1024
    try:
        response = upload(client, akte)
    finally:
        app.config["MAX_ARCHIVE_BYTES"] = previous
    assert response.status_code == 413
    token = csrf_token(client, VERIFY_URL)
    response = client.post(VERIFY_URL, data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 422
    response = client.post(
        VERIFY_URL, data={"archive": (io.BytesIO(akte), "a.zip")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400  # no CSRF token


@pytest.mark.parametrize(
    ("email", "status"), [(LEAD, 200), (PARTNER, 200), (LEAD_AUDITOR, 200), (VENDOR, 403)]
)
def test_who_may_use_the_check_page(
    app: Flask, client: FlaskClient, auth: Auth, demo, email: str, status: int
) -> None:  # type: ignore[no-untyped-def]
    auth.login(email)
    assert client.get(VERIFY_URL).status_code == status


def test_anonymous_visitors_are_sent_to_the_login(app: Flask, client: FlaskClient) -> None:
    response = client.get(VERIFY_URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_cli_needs_no_database(akte: bytes, tmp_path: Path) -> None:
    """`flask audit verify --archive` on a machine without the platform's database."""
    archive = tmp_path / "akte.zip"
    archive.write_bytes(akte)
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none",  # nothing listens there
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "APP_ENV": "development",
        }
    )
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "audit", "verify", "--archive"]
    done = subprocess.run(
        [*command, str(archive)], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert "archive intact" in done.stdout
    archive.write_bytes(flip_byte(akte, member(akte, "vertraege/")))
    done = subprocess.run(
        [*command, str(archive)], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 1
    assert "first discrepancy vertraege/" in done.stderr
