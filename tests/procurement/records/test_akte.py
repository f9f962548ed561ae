"""The Vergabeakte of a closed joint procedure: every part in the ZIP, the manifest's hashes, the
download audited, who may download it, and the flag on a stored file that no longer matches."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from procurement.accounts.models import Role
from procurement.accounts.services import activate_user, add_invited_user
from procurement.audit.models import AuditEntry
from procurement.awards.models import Contract
from procurement.bids.models import Bid, BidFile
from procurement.database import utcnow
from procurement.demo import _demo_password_hash
from procurement.extensions import db
from procurement.invoices.models import Invoice
from procurement.records.models import AuditGrant
from procurement.records.verify import verify_archive
from procurement.storage import storage
from procurement.tenders import services as tender_services
from procurement.tenders.models import CancellationReason, Notice, NoticeKind, Tender, TenderDocument
from tests.conftest import Auth
from tests.procurement.awards.conftest import PRICES, THIRD_VENDOR, Opened
from tests.procurement.bids.conftest import BEFORE_DEADLINE
from tests.procurement.records.conftest import Closed
from tests.procurement.tenders.conftest import LEAD, LEAD_AUDITOR, PARTNER, THIRD, VENDOR, user
from workflows.invoice import InvoiceStatus

NORDHAFEN_AUDITOR = "pruefung@nordhafen.example"


def akte_url(tender_id: int) -> str:
    return f"/vergaben/{tender_id}/vergabeakte.zip"


def download(client: FlaskClient, tender_id: int) -> bytes:
    response = client.get(akte_url(tender_id))
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    return response.get_data()


def make_nordhafen_auditor(app: Flask, tender_id: int | None = None) -> None:
    """An auditor of Nordhafen (not part of the tender); with a grant of the lead if tender_id."""
    with app.app_context():
        nordhafen = user(THIRD).organisation
        auditor = add_invited_user(
            nordhafen,
            NORDHAFEN_AUDITOR,
            "Nils Prüfer",
            {Role.auditor},
            actor=None,
            now=utcnow(),
            action="user.created",
        )
        activate_user(auditor, "user.activated", utcnow(), password_hash=_demo_password_hash())
        if tender_id is not None:
            db.session.add(
                AuditGrant(tender_id=tender_id, organisation_id=nordhafen.id, granted_by_id=user(LEAD).id)
            )
        db.session.commit()


NOTICE_XML = b'<?xml version="1.0" encoding="UTF-8"?><ContractAwardNotice>Los 1</ContractAwardNotice>'
INVOICE_XML = b'<?xml version="1.0" encoding="UTF-8"?><Invoice>R-2027-0001</Invoice>'


def add_notice_and_invoice(app: Flask, tender_id: int) -> None:
    """A published award notice and an issued invoice of the first contract (stored as XML)."""
    with app.app_context():
        contract = db.session.scalars(
            select(Contract).where(Contract.tender_id == tender_id).order_by(Contract.id)
        ).first()
        db.session.add(
            Notice(
                tender_id=tender_id,
                kind=NoticeKind.award_notice,
                notice_uuid=str(uuid.uuid4()),
                xml=NOTICE_XML,
                sha256=hashlib.sha256(NOTICE_XML).hexdigest(),
                validation_level="platform",
            )
        )
        db.session.add(
            Invoice(
                number="R-2027-0001",
                status=InvoiceStatus.sent,
                contract_id=contract.id,
                tender_id=tender_id,
                vendor_organisation_id=contract.vendor_organisation_id,
                buyer_organisation_id=contract.buyer_organisation_id,
                issue_date=date(2027, 1, 15),
                xml=INVOICE_XML,
                xml_sha256=hashlib.sha256(INVOICE_XML).hexdigest(),
            )
        )
        db.session.commit()


@pytest.fixture
def akte(app: Flask, closed: Closed, client: FlaskClient, auth: Auth) -> bytes:
    add_notice_and_invoice(app, closed.tender_id)
    auth.login(LEAD)
    data = download(client, closed.tender_id)
    auth.logout()
    return data


def test_the_akte_holds_every_part_of_the_procedure(app: Flask, closed: Closed, akte: bytes) -> None:
    archive = zipfile.ZipFile(io.BytesIO(akte))
    names = archive.namelist()
    assert names[-1] == "manifest.json"
    assert names[0] == "vergabevermerk.pdf"
    assert archive.read("vergabevermerk.pdf").startswith(b"%PDF")
    manifest = json.loads(archive.read("manifest.json"))
    listed = [item["path"] for item in manifest["files"]]
    assert sorted(listed) == sorted(n for n in names if n != "manifest.json")
    with app.app_context():
        documents = db.session.scalars(
            select(TenderDocument).where(TenderDocument.tender_id == closed.tender_id)
        ).all()
        bids = {
            bid.receipt_id: bid
            for bid in db.session.scalars(select(Bid).where(Bid.id.in_(closed.bids.values())))
        }
        files = {(bid.receipt_id, f.filename): f.sha256 for bid in bids.values() for f in bid.files}
        vendors = {bid.receipt_id: bid.organisation.name for bid in bids.values()}
        contracts = db.session.scalars(select(Contract).where(Contract.tender_id == closed.tender_id)).all()
        contract_numbers = {c.number for c in contracts}
        head = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
        head_hash = head.hash
    # every document version, the opening record, the letters, the notices, the contracts
    assert documents and all(
        any(n.startswith(f"unterlagen/{d.series_id}-v{d.version}-") for n in names) for d in documents
    )
    assert "oeffnungsprotokoll.pdf" in names
    assert archive.read("oeffnungsprotokoll.pdf").startswith(b"%PDF")
    assert [n for n in names if n.startswith("informationsschreiben/") and n.endswith(".pdf")]
    notices = [n for n in names if n.startswith("bekanntmachungen/award_notice-") and n.endswith(".xml")]
    assert [archive.read(n) for n in notices] == [NOTICE_XML]
    assert (
        archive.read("rechnungen/" + next(n for n in names if n.startswith("rechnungen/"))[11:])
        == INVOICE_XML
    )
    assert len([n for n in names if n.startswith("rechnungen/")]) == 1
    contract_files = [n for n in names if n.startswith("vertraege/")]
    assert len(contract_files) == len(contract_numbers) == 4
    assert all(archive.read(n).startswith(b"%PDF") for n in contract_files)
    # the bids, decrypted: the plaintext the vendor uploaded (its receipt hash), and the content
    assert len(bids) == 3
    for (receipt_id, filename), sha256 in files.items():
        plain = archive.read(f"angebote/{receipt_id}/{filename}")
        assert hashlib.sha256(plain).hexdigest() == sha256
    by_vendor = {vendors[r]: json.loads(archive.read(f"angebote/{r}/inhalt.json")) for r in bids}
    for email, prices in PRICES.items():
        with app.app_context():
            name = user(email).organisation.name
        content = by_vendor[name]
        assert {row["lot"]: row["price"] for row in content["prices"]} == {
            lot: str(price) for lot, price in prices.items()
        }
        assert content["answers"] == [{"criterion": "Wartungskonzept", "text": "Wartung binnen 24 Stunden."}]
    # the audit lines: the tender's entries, the download itself the last of them
    lines = [json.loads(line) for line in archive.read("audit/eintraege.jsonl").splitlines()]
    assert lines[-1]["action"] == "record.akte_downloaded"
    assert lines[-1]["actor_email"] == LEAD
    assert len(lines) == manifest["audit_entries"]
    assert {"bid.opened", "record.akte_downloaded"} <= {line["action"] for line in lines}
    # the manifest: every file's size and SHA-256, the tender, the exporter, the chain head
    for item in manifest["files"]:
        content = archive.read(item["path"])
        assert (len(content), hashlib.sha256(content).hexdigest()) == (item["size"], item["sha256"])
        assert item["integrity"] in {"ok", "generated"}
    assert {item["integrity"] for item in manifest["files"] if item["path"].startswith("vertraege/")} == {
        "ok"
    }
    assert manifest["tender"]["id"] == closed.tender_id
    assert manifest["exporter"]["email"] == LEAD
    assert manifest["includes_bids"] is True
    assert manifest["chain_head"]["seq"] == lines[-1]["seq"]
    assert manifest["chain_head"]["hash"] == lines[-1]["hash"]
    assert head_hash != manifest["chain_head"]["hash"]  # the completed download came after it
    report = verify_archive(io.BytesIO(akte))
    assert report.ok, report.problems
    assert report.files_checked == len(manifest["files"])
    assert report.entries_checked == len(lines)


def test_the_download_is_audited_with_the_archives_hash(app: Flask, closed: Closed, akte: bytes) -> None:
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("record.akte_%")).order_by(AuditEntry.seq)
        ).all()
        rows = [(e.action, e.actor_email, e.object_type, e.object_id, json.loads(e.after)) for e in entries]
    assert [row[:4] for row in rows] == [
        ("record.akte_downloaded", LEAD, "tender", str(closed.tender_id)),
        ("record.akte_completed", LEAD, "tender", str(closed.tender_id)),
    ]
    assert rows[0][4]["includes_bids"] is True
    assert rows[1][4] == {"sha256": hashlib.sha256(akte).hexdigest(), "size": len(akte)}


def test_a_stored_file_that_no_longer_matches_is_included_and_flagged(
    app: Flask, closed: Closed, client: FlaskClient, auth: Auth
) -> None:
    with app.app_context():
        contract = db.session.scalars(
            select(Contract).where(Contract.tender_id == closed.tender_id).order_by(Contract.id)
        ).first()
        path = storage().path(contract.pdf_storage_key)  # type: ignore[attr-defined]
        number, recorded = contract.number, contract.pdf_sha256
    changed = path.read_bytes() + b"\n% appended later\n"
    path.write_bytes(changed)
    auth.login(LEAD_AUDITOR)
    data = download(client, closed.tender_id)
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    item = next(i for i in manifest["files"] if i["path"].startswith("vertraege/") and number in i["path"])
    assert archive.read(item["path"]) == changed  # not hidden
    assert item["integrity"] == "mismatch"
    assert item["expected_sha256"] == recorded
    assert item["sha256"] == hashlib.sha256(changed).hexdigest()
    report = verify_archive(io.BytesIO(data))
    assert report.ok  # the archive is what was exported ...
    assert [f["path"] for f in report.flagged] == [item["path"]]  # ... and says what did not match


@pytest.mark.parametrize(
    ("email", "status"),
    [
        (LEAD, 200),  # the lead's officer
        (LEAD_AUDITOR, 200),  # the lead's auditor after the award
        (NORDHAFEN_AUDITOR, 200),  # an auditor of an organisation the lead granted access
        (PARTNER, 403),  # an officer of the participating municipality: not the record keeper
        (VENDOR, 404),  # the winning vendor
        (THIRD, 404),  # another municipality's officer
        ("", 302),  # anonymous: to the login
    ],
)
def test_who_downloads_the_akte_of_a_closed_procedure(
    app: Flask, closed: Closed, client: FlaskClient, auth: Auth, email: str, status: int
) -> None:
    make_nordhafen_auditor(app, closed.tender_id)
    if email:
        auth.login(email)
    response = client.get(akte_url(closed.tender_id))
    assert response.status_code == status
    if status == 200:
        assert verify_archive(io.BytesIO(response.get_data())).ok
    else:
        with app.app_context():
            assert not db.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "record.akte_downloaded")
            ).all()


def test_an_auditor_without_grant_of_another_municipality_gets_nothing(
    app: Flask, closed: Closed, client: FlaskClient, auth: Auth
) -> None:
    make_nordhafen_auditor(app)
    auth.login(NORDHAFEN_AUDITOR)
    assert client.get(akte_url(closed.tender_id)).status_code == 404


def test_before_the_award_auditors_get_no_akte_and_the_officer_gets_the_bids(
    app: Flask, opened: Opened, client: FlaskClient, auth: Auth
) -> None:
    auth.login(LEAD_AUDITOR)
    assert client.get(akte_url(opened.tender_id)).status_code in {403, 404}
    auth.logout()
    auth.login(LEAD)
    archive = zipfile.ZipFile(io.BytesIO(download(client, opened.tender_id)))
    with app.app_context():
        receipts = {db.session.get(Bid, bid_id).receipt_id for bid_id in opened.bids.values()}
    assert {n.split("/")[1] for n in archive.namelist() if n.startswith("angebote/")} == receipts
    assert not [n for n in archive.namelist() if n.startswith("vertraege/")]


def test_before_the_opening_the_akte_holds_no_bids(
    app: Flask,
    bid_tender: int,
    make_bid,
    client: FlaskClient,
    auth: Auth,  # type: ignore[no-untyped-def]
) -> None:
    make_bid(THIRD_VENDOR)
    auth.login(LEAD)
    data = download(client, bid_tender)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert not [n for n in archive.namelist() if n.startswith("angebote/")]
    assert "oeffnungsprotokoll.pdf" not in archive.namelist()
    assert json.loads(archive.read("manifest.json"))["includes_bids"] is False
    with app.app_context():
        sealed = db.session.scalars(select(BidFile)).all()
    assert sealed  # there is a sealed bid, and it stays out
    assert verify_archive(io.BytesIO(data)).ok


def test_a_cancelled_tender_before_the_opening_gives_auditors_an_akte_without_bids(
    app: Flask,
    bid_tender: int,
    make_bid,
    client: FlaskClient,
    auth: Auth,  # type: ignore[no-untyped-def]
) -> None:
    make_bid(VENDOR)
    auth.login(LEAD_AUDITOR)
    assert client.get(akte_url(bid_tender)).status_code in {403, 404}  # not before the cancellation
    with app.test_request_context():
        tender = db.session.get(Tender, bid_tender)
        tender_services.cancel_tender(
            user(LEAD),
            tender,
            CancellationReason.fundamental_change,
            "Der Kreistag hat die Mittel gestrichen.",
            BEFORE_DEADLINE,
        )
        db.session.commit()
    data = download(client, bid_tender)
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tender"]["status"] == "cancelled"
    assert manifest["includes_bids"] is False
    assert not [n for n in archive.namelist() if n.startswith("angebote/")]
    lines = [json.loads(line) for line in archive.read("audit/eintraege.jsonl").splitlines()]
    assert "tender.cancel" in {line["action"] for line in lines}
    assert lines[-1]["actor_email"] == LEAD_AUDITOR
    assert verify_archive(io.BytesIO(data)).ok
