"""Documents: streamed upload with a size limit, checked types, safe names, protected download."""

from __future__ import annotations

import hashlib
import io
import json

import pytest

from procurement.audit.models import AuditEntry
from procurement.marketplace.models import Document, Solution
from tests.conftest import count, csrf_token, one, page_text
from tests.procurement.marketplace.conftest import (
    CURATOR,
    EXE_BYTES,
    OTHER_VENDOR,
    VENDOR,
    docx_bytes,
    odt_bytes,
    pdf_bytes,
    stored_files,
    zip_bytes,
)


def documents_url(entry_id: int, kind: str = "solutions") -> str:
    return f"/marketplace/{kind}/{entry_id}/documents"


def upload(client, entry_id: int, content: bytes, filename: str, entry_kind: str = "solutions", **fields):  # type: ignore[no-untyped-def]
    url = documents_url(entry_id, entry_kind)
    data = {"csrf_token": csrf_token(client, url), "kind": "data_sheet", "title": ""}
    data.update(fields)
    data["file"] = (io.BytesIO(content), filename)
    return client.post(url, data=data, content_type="multipart/form-data")


def download(client, document_id: int):  # type: ignore[no-untyped-def]
    with client.get(f"/marketplace/documents/{document_id}") as response:
        response.body = response.get_data()
        return response


def test_owner_uploads_a_pdf_that_is_stored_under_a_random_key(app, client, market, sign_in, storage_dir):
    solution_id = market.solution()
    content = pdf_bytes(5000)
    sign_in(VENDOR)
    response = upload(client, solution_id, content, "Datenblatt Ampel.pdf", title="Datenblatt")
    assert response.status_code == 302

    document = one(app, Document, Document.solution_id == solution_id)
    assert (document.title, document.filename) == ("Datenblatt", "Datenblatt Ampel.pdf")
    assert document.content_type == "application/pdf"
    assert document.size == 5000
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    [stored] = stored_files(storage_dir)
    assert stored.name == document.storage_key and "Datenblatt" not in str(stored)
    assert stored.read_bytes() == content
    entry = one(app, AuditEntry, AuditEntry.action == "solution.document_added")
    after = json.loads(entry.after)
    assert after["sha256"] == document.sha256 and after["filename"] == "Datenblatt Ampel.pdf"
    assert after["status"] == "draft"


def test_download_is_an_attachment_with_type_name_and_nosniff(app, client, market, sign_in):
    solution_id = market.solution()
    content = pdf_bytes(2000)
    sign_in(VENDOR)
    upload(client, solution_id, content, "Leistungsbeschreibung Größe – Übersicht.pdf")
    document = one(app, Document, Document.solution_id == solution_id)
    assert document.filename == "Leistungsbeschreibung Größe – Übersicht.pdf"
    assert document.title == "Leistungsbeschreibung Größe – Übersicht"

    response = download(client, document.id)
    assert response.status_code == 200
    assert response.body == content
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert (
        "filename*=UTF-8''Leistungsbeschreibung%20Gr%C3%B6%C3%9Fe%20%E2%80%93%20%C3%9Cbersicht.pdf"
        in disposition
    )
    assert response.headers["Cache-Control"] == "private, no-store"


def test_documents_of_published_entries_are_public_downloads(client, market, sign_in):
    [document_id] = market.document_ids(Solution, market.solution(status="published", documents=1))
    sign_in(None)
    response = download(client, document_id)
    assert response.status_code == 200 and response.body.startswith(b"%PDF-")
    assert 'filename="Datenblatt 1.pdf"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"].startswith("public")


@pytest.mark.parametrize(
    ("filename", "content", "content_type"),
    [
        (
            "tabelle.ods",
            zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
            "spreadsheet",
        ),
        ("text.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
        ("vorlage.docx", docx_bytes(), "wordprocessingml.document"),
        (
            "kalkulation.XLSX",
            zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
            "spreadsheetml.sheet",
        ),
        ("unterlagen.zip", zip_bytes({"a.txt": b"Hallo"}), "application/zip"),
    ],
)
def test_office_formats_and_zip_are_accepted(app, client, market, sign_in, filename, content, content_type):
    solution_id = market.solution()
    sign_in(VENDOR)
    assert upload(client, solution_id, content, filename).status_code == 302
    document = one(app, Document, Document.solution_id == solution_id)
    assert content_type in document.content_type
    assert document.filename == filename.rsplit(".", 1)[0] + "." + filename.rsplit(".", 1)[1].lower()


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("rechnung.pdf", EXE_BYTES, "Der Inhalt der Datei ist kein PDF-Dokument"),
        ("setup.exe", EXE_BYTES, "Dateien dieses Typs können Sie nicht hochladen"),
        ("bild.svg", b"<svg onload='alert(1)'/>", "Dateien dieses Typs können Sie nicht hochladen"),
        ("ohne-endung", pdf_bytes(), "Dateien dieses Typs können Sie nicht hochladen"),
        ("vorlage.docx", zip_bytes({"a.txt": b"x"}), "kein DOCX-Dokument"),
        ("text.odt", zip_bytes({"mimetype": b"application/x-evil"}), "kein ODT-Dokument"),
        ("archiv.zip", b"PK\x03\x04kaputt" + b"\x00" * 50, "kein ZIP-Dokument"),
        ("leer.pdf", b"", "Die Datei ist leer."),
    ],
)
def test_wrong_file_types_are_refused_and_nothing_is_kept(
    app, client, market, sign_in, storage_dir, filename, content, message
):
    solution_id = market.solution()
    sign_in(VENDOR)
    response = upload(client, solution_id, content, filename)
    assert response.status_code == 422
    assert message in page_text(response)
    assert count(app, Document) == 0
    assert stored_files(storage_dir) == []


@pytest.mark.parametrize(
    ("filename", "stored_as"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("/absolut/pfad/bericht.pdf", "bericht.pdf"),
        ("rechnung\u202efdp.pdf", "rechnungfdp.pdf"),
        ("....pdf", "dokument.pdf"),
        ("a<b>c:d|e?f*g.pdf", "a_b_c_d_e_f_g.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
        ("Prüfbericht Straße.PDF", "Prüfbericht Straße.pdf"),
    ],
)
def test_malicious_file_names_are_made_harmless(
    app, client, market, sign_in, storage_dir, filename, stored_as
):
    solution_id = market.solution()
    sign_in(VENDOR)
    assert upload(client, solution_id, pdf_bytes(), filename).status_code == 302
    document = one(app, Document, Document.solution_id == solution_id)
    assert document.filename == stored_as
    [stored] = stored_files(storage_dir)
    assert stored.is_relative_to(storage_dir) and stored.name == document.storage_key
    assert not (storage_dir.parent / "etc").exists()


def test_an_oversized_file_gets_a_german_413_and_nothing_is_stored(app, client, market, sign_in, storage_dir):
    app.config["MAX_DOCUMENT_BYTES"] = 4096  # restored by the storage_dir fixture
    solution_id = market.solution()
    sign_in(VENDOR)
    response = upload(client, solution_id, pdf_bytes(4097), "gross.pdf")
    assert response.status_code == 413
    assert "Die Datei ist zu groß: erlaubt sind höchstens 4 KB je Datei." in page_text(response)
    assert count(app, Document) == 0
    assert stored_files(storage_dir) == []
    assert upload(client, solution_id, pdf_bytes(4096), "passt.pdf").status_code == 302


def test_a_request_far_over_the_limit_is_refused_before_it_is_read(app, client, market, sign_in, storage_dir):
    app.config["MAX_DOCUMENT_BYTES"] = 4096
    solution_id = market.solution()
    sign_in(VENDOR)
    response = upload(client, solution_id, pdf_bytes(200_000), "riesig.pdf")
    assert response.status_code == 413
    assert "Die Datei ist zu groß" in page_text(response)
    assert count(app, Document) == 0 and stored_files(storage_dir) == []


def test_documents_may_be_larger_than_the_form_limit_of_the_app(app, client, market, sign_in):
    assert app.config["MAX_CONTENT_LENGTH"] < 3 * 1024 * 1024 < app.config["MAX_DOCUMENT_BYTES"]
    solution_id = market.solution()
    sign_in(VENDOR)
    response = upload(client, solution_id, pdf_bytes(3 * 1024 * 1024), "handbuch.pdf")
    response.request.environ["wsgi.input"].close()  # the test client spools big bodies to a file
    assert response.status_code == 302
    assert one(app, Document, Document.solution_id == solution_id).size == 3 * 1024 * 1024


def test_an_upload_without_csrf_token_is_refused(app, client, market, sign_in, storage_dir):
    solution_id = market.solution()
    sign_in(VENDOR)
    response = client.post(
        documents_url(solution_id),
        data={"kind": "data_sheet", "file": (io.BytesIO(pdf_bytes()), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Das Formular ist abgelaufen oder unvollständig" in page_text(response)
    assert count(app, Document) == 0 and stored_files(storage_dir) == []


def test_an_upload_without_a_file_asks_for_one(app, client, market, sign_in):
    solution_id = market.solution()
    sign_in(VENDOR)
    url = documents_url(solution_id)
    response = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "kind": "data_sheet"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Bitte wählen Sie eine Datei aus." in page_text(response)


def test_others_cannot_upload(app, client, market, sign_in, storage_dir):
    draft = market.solution()
    published = market.solution(status="published")
    sign_in(OTHER_VENDOR)
    for entry_id, expected in ((draft, 404), (published, 403)):
        response = client.post(
            documents_url(entry_id),
            data={
                "csrf_token": csrf_token(client, "/marketplace/mine"),
                "kind": "data_sheet",
                "file": (io.BytesIO(pdf_bytes()), "a.pdf"),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == expected
    assert count(app, Document) == 0 and stored_files(storage_dir) == []


def test_curators_add_documents_to_a_published_entry(app, client, market, sign_in):
    published = market.solution(status="published")
    sign_in(CURATOR)
    assert upload(client, published, pdf_bytes(), "pruefbericht.pdf").status_code == 302
    assert count(app, Document, Document.solution_id == published) == 1


def test_pilot_projects_carry_their_tender_documents(app, client, market, sign_in):
    from tests.procurement.marketplace.conftest import OFFICER

    project_id = market.pilot()
    sign_in(OFFICER)
    content = zip_bytes({"lv.pdf": pdf_bytes()})
    response = upload(client, project_id, content, "Vergabeunterlagen.zip", "pilots", kind="tender_documents")
    assert response.status_code == 302
    document = one(app, Document, Document.pilot_project_id == project_id)
    assert document.kind.value == "tender_documents"
    assert "Vergabeunterlagen" in page_text(client.get(f"/marketplace/pilots/{project_id}"))


def test_owner_deletes_a_document_of_a_draft_and_the_file_goes_too(app, client, market, sign_in, storage_dir):
    solution_id = market.solution(documents=2)
    first, second = market.document_ids(Solution, solution_id)
    assert len(stored_files(storage_dir)) == 2
    sign_in(VENDOR)
    url = f"/marketplace/documents/{first}/delete"
    response = client.post(url, data={"csrf_token": csrf_token(client, documents_url(solution_id))})
    assert response.status_code == 302
    assert market.document_ids(Solution, solution_id) == [second]
    assert len(stored_files(storage_dir)) == 1
    entry = one(app, AuditEntry, AuditEntry.action == "solution.document_deleted")
    assert json.loads(entry.before)["document_id"] == first


def test_documents_of_a_published_entry_are_not_deleted_by_its_owner(
    app, client, market, sign_in, storage_dir
):
    solution_id = market.solution(status="published", documents=1)
    [document_id] = market.document_ids(Solution, solution_id)
    sign_in(VENDOR)
    token = csrf_token(client, f"/marketplace/solutions/{solution_id}")
    response = client.post(f"/marketplace/documents/{document_id}/delete", data={"csrf_token": token})
    assert response.status_code == 403
    assert market.document_ids(Solution, solution_id) == [document_id]
    assert len(stored_files(storage_dir)) == 1


def test_others_cannot_delete_documents(client, market, sign_in, storage_dir):
    solution_id = market.solution(documents=1)
    [document_id] = market.document_ids(Solution, solution_id)
    sign_in(OTHER_VENDOR)
    token = csrf_token(client, "/marketplace/mine")
    assert (
        client.post(f"/marketplace/documents/{document_id}/delete", data={"csrf_token": token}).status_code
        == 404
    )
    assert len(stored_files(storage_dir)) == 1


def test_a_failed_request_keeps_no_file(app, client, market, sign_in, storage_dir, monkeypatch):
    """If anything fails after the file was stored, the rollback takes the file with it."""
    solution_id = market.solution()
    sign_in(VENDOR)

    def broken_index(entry):  # type: ignore[no-untyped-def]
        from procurement.errors import Conflict

        raise Conflict("Suchindex nicht erreichbar")

    monkeypatch.setattr("procurement.marketplace.documents.reindex_entry", broken_index)
    response = upload(client, solution_id, pdf_bytes(), "a.pdf")
    assert response.status_code == 409
    assert count(app, Document) == 0
    assert stored_files(storage_dir) == []


def test_a_document_whose_file_is_missing_is_not_found(app, client, market, sign_in, storage_dir):
    solution_id = market.solution(status="published", documents=1)
    [document_id] = market.document_ids(Solution, solution_id)
    for path in stored_files(storage_dir):
        path.unlink()
    response = download(client, document_id)
    assert response.status_code == 404
