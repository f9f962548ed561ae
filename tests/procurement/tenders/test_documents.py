"""Tender documents: versioned uploads by the lead, public downloads after publication (§41 VgV),
download records and the mail about every new version.

Shortcut (documented in ``public_tender``): the tenders are built through the services and put
into ``published`` directly.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from werkzeug.datastructures import FileStorage

from procurement.audit.models import AuditEntry
from procurement.errors import Conflict, PermissionDenied
from procurement.extensions import db
from procurement.tenders import documents as service
from procurement.tenders.models import DocumentDownload, Tender, TenderDocument
from tests.conftest import audit_actions, count, csrf_token, one, page_text

from .conftest import LEAD, LEAD_REQUESTER, NOW, OTHER_VENDOR, PARTNER, THIRD, VENDOR, pdf_bytes, user

EXE_BYTES = b"MZ\x90\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    """The web requests run an hour after the tenders were built (bid deadline 30 days later)."""
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        yield


def stored_files(path):  # type: ignore[no-untyped-def]
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []


def documents_url(tender_id: int) -> str:
    return f"/vergaben/{tender_id}/unterlagen"


def upload(client, tender_id: int, content: bytes, filename: str, **fields):  # type: ignore[no-untyped-def]
    url = documents_url(tender_id)
    data = {"csrf_token": csrf_token(client, url), "series": "", "title": "", "change_note": ""}
    data.update(fields)
    data["file"] = (io.BytesIO(content), filename)
    return client.post(url, data=data, content_type="multipart/form-data")


def download(client, tender_id: int, document_id: int):  # type: ignore[no-untyped-def]
    with client.get(f"/ausschreibungen/{tender_id}/unterlagen/{document_id}") as response:
        response.body = response.get_data()
        return response


def versions(app, tender_id: int) -> list[TenderDocument]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    with app.app_context():
        rows = list(
            db.session.scalars(
                select(TenderDocument)
                .where(TenderDocument.tender_id == tender_id)
                .order_by(TenderDocument.id)
            )
        )
        for row in rows:
            db.session.expunge(row)
        return rows


def added_entries(app) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    with app.app_context():
        entries = list(
            db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "tender.document_added")
                .order_by(AuditEntry.seq)
            )
        )
        db.session.expunge_all()
        return entries


# --- uploads and versions -----------------------------------------------------------------------


def test_lead_officer_uploads_a_document_stored_under_a_random_key(
    app, client, auth, public_tender, tender_storage
):
    tender_id = public_tender(documents=0, published=False)
    auth.login(LEAD)
    response = upload(client, tender_id, pdf_bytes(3000), "Leistungsbeschreibung.pdf", title="LV")
    assert response.status_code == 302

    [document] = versions(app, tender_id)
    assert (document.title, document.filename, document.version) == ("LV", "Leistungsbeschreibung.pdf", 1)
    assert document.series_id == document.id and document.size == 3000
    [stored] = stored_files(tender_storage)
    assert stored.name == document.storage_key
    entry = one(app, AuditEntry, AuditEntry.action == "tender.document_added")
    after = json.loads(entry.after)
    assert after["sha256"] == document.sha256 and after["version"] == 1 and after["status"] == "draft"


def test_a_new_version_keeps_the_older_one_downloadable_and_marked_superseded(
    app, client, auth, public_tender
):
    tender_id = public_tender(documents=1, published=False)
    [first] = versions(app, tender_id)
    auth.login(LEAD)
    response = upload(
        client,
        tender_id,
        pdf_bytes(2000),
        "LV neu.pdf",
        series=str(first.series_id),
        change_note="Los 1: Stückzahl korrigiert",
    )
    assert response.status_code == 302
    old, new = versions(app, tender_id)
    assert (new.series_id, new.version, new.title) == (first.series_id, 2, first.title)
    assert new.change_note == "Los 1: Stückzahl korrigiert"

    text = page_text(client.get(documents_url(tender_id)))
    assert "ersetzt durch Fassung 2" in text and "aktuelle Fassung" in text
    assert download(client, tender_id, old.id).body == pdf_bytes()
    assert download(client, tender_id, new.id).body == pdf_bytes(2000)


def test_a_version_of_an_unknown_document_is_refused(app, client, auth, public_tender):
    tender_id = public_tender(documents=1, published=False)
    auth.login(LEAD)
    response = upload(client, tender_id, pdf_bytes(), "x.pdf", series="999")
    assert response.status_code == 422
    assert count(app, TenderDocument) == 1


def test_documents_are_deleted_only_before_publication(app, client, auth, public_tender, tender_storage):
    draft_id = public_tender(documents=1, published=False)
    [document] = versions(app, draft_id)
    auth.login(LEAD)
    url = f"/vergaben/{draft_id}/unterlagen/{document.id}/loeschen"
    response = client.post(url, data={"csrf_token": csrf_token(client, documents_url(draft_id))})
    assert response.status_code == 302
    assert versions(app, draft_id) == [] and stored_files(tender_storage) == []
    assert "tender.document_deleted" in audit_actions(app)

    published_id = public_tender(documents=1)
    [document] = versions(app, published_id)
    url = f"/vergaben/{published_id}/unterlagen/{document.id}/loeschen"
    response = client.post(url, data={"csrf_token": csrf_token(client, documents_url(published_id))})
    assert response.status_code == 409
    assert "neue Fassung" in page_text(response)
    assert len(versions(app, published_id)) == 1


@pytest.mark.parametrize(("email", "status"), [(PARTNER, 403), (VENDOR, 404), (THIRD, 404)])
def test_only_the_leads_officers_delete_documents(app, client, auth, public_tender, email, status):
    tender_id = public_tender(documents=1, published=False)
    [document] = versions(app, tender_id)
    auth.login(email)
    token = csrf_token(client, "/")
    response = client.post(
        f"/vergaben/{tender_id}/unterlagen/{document.id}/loeschen", data={"csrf_token": token}
    )
    assert response.status_code == status
    assert len(versions(app, tender_id)) == 1


def test_documents_cannot_change_after_the_bid_deadline(app_ctx, public_tender):
    tender = db.session.get(Tender, public_tender())
    upload_ = FileStorage(io.BytesIO(pdf_bytes()), filename="spaet.pdf")
    with pytest.raises(Conflict):
        service.add_document(user(LEAD), tender, upload_, "", tender.bid_deadline)
    assert count(app_ctx, TenderDocument) == 1


@pytest.mark.parametrize("email", [PARTNER, LEAD_REQUESTER])
def test_only_the_leads_officers_upload(app, client, auth, public_tender, email):
    tender_id = public_tender(documents=0, published=False)
    auth.login(email)
    assert client.get(documents_url(tender_id)).status_code == 200  # they read the documents
    assert "Dokument oder neue Fassung hochladen" not in page_text(client.get(documents_url(tender_id)))
    token = csrf_token(client, documents_url(tender_id))
    response = client.post(
        documents_url(tender_id),
        data={"csrf_token": token, "file": (io.BytesIO(pdf_bytes()), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert count(app, TenderDocument) == 0


def test_the_service_refuses_uploads_by_others(app_ctx, public_tender):
    tender = db.session.get(Tender, public_tender(documents=0, published=False))
    with pytest.raises(PermissionDenied):
        service.add_document(user(PARTNER), tender, FileStorage(io.BytesIO(pdf_bytes()), "a.pdf"), "", NOW)


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("rechnung.pdf", EXE_BYTES, "Der Inhalt der Datei ist kein PDF-Dokument"),
        ("setup.exe", EXE_BYTES, "Dateien dieses Typs können Sie nicht hochladen"),
        ("leer.pdf", b"", "Die Datei ist leer."),
    ],
)
def test_wrong_file_types_are_refused_and_nothing_is_kept(
    app, client, auth, public_tender, tender_storage, filename, content, message
):
    tender_id = public_tender(documents=0, published=False)
    auth.login(LEAD)
    response = upload(client, tender_id, content, filename)
    assert response.status_code == 422
    assert message in page_text(response)
    assert count(app, TenderDocument) == 0 and stored_files(tender_storage) == []


@pytest.mark.parametrize(
    ("filename", "stored_as"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        # the multipart header escapes backslashes, so the server may receive them dropped
        ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
        ("angebot\u202efdp.exe.pdf", "angebotfdp.exe.pdf"),
        ("Leistungsverzeichnis\u202eFDP.pdf", "LeistungsverzeichnisFDP.pdf"),
    ],
)
def test_malicious_file_names_are_made_harmless(
    app, client, auth, public_tender, tender_storage, filename, stored_as
):
    tender_id = public_tender(documents=0, published=False)
    auth.login(LEAD)
    assert upload(client, tender_id, pdf_bytes(), filename).status_code == 302
    [document] = versions(app, tender_id)
    assert document.filename.endswith(stored_as)
    assert not any(char in document.filename for char in "/\\\u202e") and not document.filename.startswith(
        "."
    )
    [stored] = stored_files(tender_storage)
    assert stored.is_relative_to(tender_storage) and stored.name == document.storage_key
    response = download(client, tender_id, document.id)
    assert "\u202e" not in response.headers["Content-Disposition"]
    assert "/" not in response.headers["Content-Disposition"].split("filename", 1)[1]


def test_an_oversized_file_gets_a_german_413_and_nothing_is_stored(
    app, client, auth, public_tender, tender_storage
):
    tender_id = public_tender(documents=0, published=False)
    app.config["MAX_DOCUMENT_BYTES"] = 4096  # restored by tender_storage
    auth.login(LEAD)
    response = upload(client, tender_id, pdf_bytes(4097), "gross.pdf")
    assert response.status_code == 413
    assert "Die Datei ist zu groß: erlaubt sind höchstens 4 KB je Datei." in page_text(response)
    assert count(app, TenderDocument) == 0 and stored_files(tender_storage) == []
    response = upload(client, tender_id, pdf_bytes(200_000), "riesig.pdf")  # refused before reading
    assert response.status_code == 413
    assert count(app, TenderDocument) == 0 and stored_files(tender_storage) == []
    assert upload(client, tender_id, pdf_bytes(4096), "passt.pdf").status_code == 302


def test_an_upload_without_csrf_token_is_refused(app, client, auth, public_tender, tender_storage):
    tender_id = public_tender(documents=0, published=False)
    auth.login(LEAD)
    response = client.post(
        documents_url(tender_id),
        data={"file": (io.BytesIO(pdf_bytes()), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert count(app, TenderDocument) == 0 and stored_files(tender_storage) == []


# --- downloads ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "before", "after"),
    [
        (None, 404, 200),
        (VENDOR, 404, 200),
        (THIRD, 404, 200),
        (PARTNER, 200, 200),
        (LEAD_REQUESTER, 200, 200),
        (LEAD, 200, 200),
    ],
)
def test_downloads_are_internal_before_publication_and_public_after(
    app, client, auth, public_tender, email, before, after
):
    draft_id = public_tender(published=False)
    published_id = public_tender()
    [draft_document] = versions(app, draft_id)
    [published_document] = versions(app, published_id)
    if email:
        auth.login(email)
    response = download(client, draft_id, draft_document.id)
    assert response.status_code == before
    if before == 200:
        assert response.headers["Cache-Control"] == "private, no-store"
    response = download(client, published_id, published_document.id)
    assert response.status_code == after
    assert response.body == pdf_bytes()


def test_download_is_an_attachment_with_the_sanitised_name_and_nosniff(app, client, public_tender):
    tender_id = public_tender()
    [document] = versions(app, tender_id)
    response = download(client, tender_id, document.id)
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert 'filename="Leistungsbeschreibung 1.pdf"' in response.headers["Content-Disposition"]


def test_a_document_is_only_found_under_its_own_tender(app, client, public_tender):
    first_id, second_id = public_tender(), public_tender()
    [document] = versions(app, first_id)
    assert download(client, second_id, document.id).status_code == 404


def test_a_vendors_download_is_recorded_once(app, client, auth, public_tender):
    tender_id = public_tender(documents=2)
    first, second = versions(app, tender_id)
    auth.login(VENDOR)
    download(client, tender_id, first.id)
    download(client, tender_id, second.id)
    download(client, tender_id, first.id)
    [row] = [
        (r.user_id, r.first_downloaded_at)
        for r in [one(app, DocumentDownload, DocumentDownload.tender_id == tender_id)]
    ]
    assert row[1] == NOW + timedelta(hours=1)
    assert audit_actions(app).count("tender.documents_downloaded") == 1


def test_downloads_by_anonymous_and_municipal_users_are_not_recorded(app, client, auth, public_tender):
    tender_id = public_tender()
    [document] = versions(app, tender_id)
    download(client, tender_id, document.id)
    auth.login(PARTNER)
    download(client, tender_id, document.id)
    assert count(app, DocumentDownload) == 0


def test_a_new_version_after_publication_mails_every_vendor_who_downloaded(
    app, client, auth, public_tender, mailbox
):
    tender_id = public_tender()
    [document] = versions(app, tender_id)
    auth.login(VENDOR)
    download(client, tender_id, document.id)
    auth.logout()
    auth.login(LEAD)
    response = upload(
        client,
        tender_id,
        pdf_bytes(1500),
        "LV v2.pdf",
        series=str(document.series_id),
        change_note="Anlage 3 ergänzt",
    )
    assert response.status_code == 302
    [mail] = mailbox.to(VENDOR)
    assert mail["Subject"].startswith("Vergabeunterlagen geändert:")
    body = mail.get_content()
    assert "Version 2" in body and "Anlage 3 ergänzt" in body
    assert f"http://localhost/ausschreibungen/{tender_id}" in body
    assert mailbox.to(OTHER_VENDOR) == []
    after = [json.loads(entry.after) for entry in added_entries(app)][-1]
    assert (after["version"], after["supersedes"]) == (2, document.id)


def test_changes_before_publication_mail_nobody(app, client, auth, public_tender, mailbox):
    tender_id = public_tender(published=False)
    auth.login(LEAD)
    assert upload(client, tender_id, pdf_bytes(), "Anlage.pdf").status_code == 302
    assert mailbox.messages == []
