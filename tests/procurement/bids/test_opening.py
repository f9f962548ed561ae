"""The opening of sealed bids by two distinct officers (§55 VgV), the record and opened bids.

The helpers at the top (a second and third officer of Talheim, `confirm`, `opened_tender`,
`blob_path`) are shared with test_opening_access.py and test_vgv10.py.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Optional

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from procurement.accounts.models import Role
from procurement.accounts.services import activate_user, add_invited_user
from procurement.audit.models import AuditEntry
from procurement.bids import opening
from procurement.bids.models import Bid, BidFile, Opening, OpeningConfirmation
from procurement.bids.record import OpeningRecordRenderer, RecordBid
from procurement.database import utcnow
from procurement.errors import Conflict, PermissionDenied
from procurement.extensions import db
from procurement.mail.models import OutboxMail
from procurement.tenders.models import Tender
from tests.conftest import audit_actions, count, csrf_token, page_text
from tests.procurement.bids.conftest import AFTER_DEADLINE, BEFORE_DEADLINE, DEADLINE, PRICE, zip_bytes
from tests.procurement.tenders.conftest import (
    LEAD,
    LEAD_REQUESTER,
    OTHER_VENDOR,
    PARTNER,
    VENDOR,
    pdf_bytes,
    user,
)
from workflows.bid import BidStatus
from workflows.tender import TenderStatus

SECOND = "kasse@talheim.example"  # a second officer of Talheim (the lead)
THIRD_OFFICER = "haushalt@talheim.example"
OTHER_PRICE = Decimal("51999.00")


# --- helpers shared with the other opening tests ------------------------------------------------


@pytest.fixture(name="officers")
def officers_fixture(app: Flask, demo: None) -> tuple[str, str, str]:
    """Talheim gets two more officers (demo password): the opening needs two distinct people."""
    from procurement.demo import _demo_password_hash

    with app.app_context():
        talheim = user(LEAD).organisation
        for email, name in ((SECOND, "Karla Kasse"), (THIRD_OFFICER, "Hanna Haushalt")):
            now = utcnow()
            new = add_invited_user(
                talheim, email, name, {Role.officer}, actor=None, now=now, action="user.created"
            )
            activate_user(new, "user.activated", now, password_hash=_demo_password_hash())
        db.session.commit()
    return LEAD, SECOND, THIRD_OFFICER


def confirm(app: Flask, tender_id: int, email: str, now: datetime = AFTER_DEADLINE) -> Optional[int]:
    """``email`` confirms the opening through the service and commits; the Opening's id if it opened."""
    with app.test_request_context():
        try:
            opened = opening.confirm_opening(user(email), db.session.get(Tender, tender_id), now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        return None if opened is None else opened.id


@pytest.fixture(name="two_bids")
def two_bids_fixture(
    app: Flask, make_bid: Callable[..., int], bid_tender: int, officers: tuple[str, str, str]
) -> dict:
    """Bids of two vendors for the tender (PRICE and OTHER_PRICE for lot 1), before the deadline."""
    return {
        "tender": bid_tender,
        VENDOR: make_bid(VENDOR, prices={1: PRICE, 2: Decimal("1200.50")}),
        OTHER_VENDOR: make_bid(
            OTHER_VENDOR,
            prices={1: OTHER_PRICE},
            files={"Preisblatt.pdf": pdf_bytes(3000), "Referenzen.zip": zip_bytes(900)},
            consortium=["Kabel & Mast GmbH"],
        ),
    }


@pytest.fixture(name="opened_tender")
def opened_tender_fixture(app: Flask, two_bids: dict) -> dict:
    """The two bids, opened by LEAD and SECOND right after the deadline."""
    assert confirm(app, two_bids["tender"], LEAD) is None
    assert confirm(app, two_bids["tender"], SECOND) is not None
    return two_bids


def blob_path(app: Flask, storage_dir: Path, bid_id: int, index: int = 0) -> Path:
    """Where the sealed blob of a bid's file lies in the local storage."""
    with app.app_context():
        key = db.session.get(Bid, bid_id).files[index].storage_key
    return storage_dir / key[:2] / key


def flip_byte(path: Path, offset: int = 40) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def reread(app: Flask, model, ident):  # type: ignore[no-untyped-def]
    with app.app_context():
        row = db.session.get(model, ident)
        db.session.expunge(row)
        return row


# --- two distinct officers ------------------------------------------------------------------------


def test_one_officer_alone_cannot_open_not_even_by_confirming_twice(app, two_bids):
    tender_id = two_bids["tender"]
    assert confirm(app, tender_id, LEAD) is None
    with pytest.raises(Conflict, match="Sie haben bereits bestätigt"):
        confirm(app, tender_id, LEAD)
    assert count(app, OpeningConfirmation) == 1
    assert count(app, Opening) == 0
    assert reread(app, Tender, tender_id).status is TenderStatus.opening
    assert reread(app, Bid, two_bids[VENDOR]).status is BidStatus.submitted
    assert audit_actions(app).count("opening.confirmed") == 1


def test_two_distinct_officers_open_every_submitted_bid(app, opened_tender):
    tender_id = opened_tender["tender"]
    with app.app_context():
        tender = db.session.get(Tender, tender_id)
        assert tender.status is TenderStatus.evaluation
        row = db.session.scalars(select(Opening)).one()
        assert (row.first_officer.email, row.second_officer.email) == (LEAD, SECOND)
        assert row.opened_at == AFTER_DEADLINE
        for vendor in (VENDOR, OTHER_VENDOR):
            bid = db.session.get(Bid, opened_tender[vendor])
            assert bid.status is BidStatus.opened and bid.opened_at == AFTER_DEADLINE
            assert bid.opening_error == ""
            assert [f.verified for f in bid.files] == [True] * len(bid.files)
    actions = audit_actions(app)
    assert actions.count("opening.confirmed") == 2
    assert actions.count("tender.open_bids") == 1
    assert actions.count("bid.opened") == 2
    assert "opening.record_stored" in actions


def test_the_opening_mails_the_lead_and_participant_officers_without_prices(app, opened_tender):
    with app.app_context():
        mails = db.session.scalars(
            select(OutboxMail).where(OutboxMail.subject.startswith("Angebote geöffnet"))
        ).all()
    recipients = {mail.recipient for mail in mails}
    assert {LEAD, SECOND, THIRD_OFFICER, PARTNER} <= recipients
    assert VENDOR not in recipients and LEAD_REQUESTER not in recipients
    for mail in mails:
        assert "2 Angebote" in mail.body
        assert "48.213,57" not in mail.body and "48213.57" not in mail.body
        assert "Karla Kasse" in mail.body


def test_confirmations_before_the_deadline_are_refused(app, two_bids):
    with pytest.raises(Conflict, match="Angebotsfrist läuft noch"):
        confirm(app, two_bids["tender"], LEAD, now=DEADLINE - timedelta(seconds=1))
    assert count(app, OpeningConfirmation) == 0
    assert reread(app, Tender, two_bids["tender"]).status is TenderStatus.published


def test_the_deadline_itself_counts_as_passed(app, two_bids):
    assert confirm(app, two_bids["tender"], LEAD, now=DEADLINE) is None
    assert reread(app, Tender, two_bids["tender"]).status is TenderStatus.opening


@pytest.mark.parametrize("email", [LEAD_REQUESTER, PARTNER, VENDOR])
def test_only_officers_of_the_lead_confirm(app, two_bids, email):
    with pytest.raises(PermissionDenied):
        confirm(app, two_bids["tender"], email)
    assert count(app, OpeningConfirmation) == 0


def test_a_confirmation_after_the_opening_is_refused(app, opened_tender):
    with pytest.raises(Conflict, match="bereits geöffnet"):
        confirm(app, opened_tender["tender"], THIRD_OFFICER)
    assert count(app, Opening) == 1 and count(app, OpeningConfirmation) == 2


# --- at the same time -------------------------------------------------------------------------------


def _at_the_same_time(app: Flask, tender_id: int, emails: list[str]) -> list[object]:
    """Each e-mail confirms in its own thread (own app context, session, connection) at once."""
    barrier = threading.Barrier(len(emails))
    results: list[object] = [None] * len(emails)

    def run(index: int, email: str) -> None:
        with app.test_request_context():
            actor, tender = user(email), db.session.get(Tender, tender_id)
            barrier.wait()
            try:
                opened = opening.confirm_opening(actor, tender, AFTER_DEADLINE)
                db.session.commit()
                results[index] = "opened" if opened else "confirmed"
            except Conflict as err:
                db.session.rollback()
                results[index] = err
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, email)) for i, email in enumerate(emails)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _opening_officers(app: Flask) -> set[str]:
    with app.app_context():
        row = db.session.scalars(select(Opening)).one()
        return {row.first_officer.email, row.second_officer.email}


def test_two_officers_confirming_at_the_same_time_open_exactly_once(app, two_bids):
    results = _at_the_same_time(app, two_bids["tender"], [LEAD, SECOND])
    assert sorted(map(str, results)) == ["confirmed", "opened"]
    assert count(app, Opening) == 1
    assert _opening_officers(app) == {LEAD, SECOND}
    assert audit_actions(app).count("tender.open_bids") == 1
    assert audit_actions(app).count("bid.opened") == 2


def test_the_second_and_third_officer_at_the_same_time_open_once_by_two_distinct_people(app, two_bids):
    assert confirm(app, two_bids["tender"], LEAD) is None
    results = _at_the_same_time(app, two_bids["tender"], [SECOND, THIRD_OFFICER])
    assert sum(result == "opened" for result in results) == 1
    refused = [result for result in results if isinstance(result, Conflict)]
    assert len(refused) == 1 and "bereits geöffnet" in str(refused[0])
    assert count(app, Opening) == 1
    officers = _opening_officers(app)
    assert LEAD in officers and len(officers) == 2
    assert audit_actions(app).count("bid.opened") == 2


def test_one_officer_twice_at_the_same_time_confirms_once_and_opens_nothing(app, two_bids):
    results = _at_the_same_time(app, two_bids["tender"], [LEAD, LEAD])
    assert sum(result == "confirmed" for result in results) == 1
    refused = [result for result in results if isinstance(result, Conflict)]
    assert len(refused) == 1 and "Sie haben bereits bestätigt" in str(refused[0])
    assert count(app, OpeningConfirmation) == 1 and count(app, Opening) == 0


# --- broken ciphertext ---------------------------------------------------------------------------


def _record_of(app: Flask, tender_id: int) -> tuple[list[RecordBid], bytes]:
    """The record data rebuilt from the rows, and the stored PDF."""
    with app.test_request_context():
        tender = db.session.get(Tender, tender_id)
        row = opening.opening_of(tender)
        bids = list(db.session.scalars(select(Bid).where(Bid.tender_id == tender_id).order_by(Bid.id)))
        contents = {bid.id: opening.decrypt_content(bid) for bid in bids if bid.status is BidStatus.opened}
        data = opening.record_data(tender, row, bids, contents)
        pdf = opening.opening_record_pdf(user(LEAD), tender, AFTER_DEADLINE)
        db.session.rollback()
        return list(data.bids), pdf


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (flip_byte, "verändert oder ist unvollständig"),
        (lambda path: path.write_bytes(path.read_bytes()[:-5]), "verändert oder ist unvollständig"),
        (lambda path: path.unlink(), "fehlt im Speicher"),
    ],
    ids=["tampered", "truncated", "missing"],
)
def test_a_broken_blob_is_reported_loudly_and_the_other_bids_still_open(
    app, two_bids, bid_config, damage, reason
):
    damage(blob_path(app, bid_config, two_bids[VENDOR]))
    confirm(app, two_bids["tender"], LEAD)
    assert confirm(app, two_bids["tender"], SECOND) is not None
    broken = reread(app, Bid, two_bids[VENDOR])
    assert broken.status is BidStatus.opened
    assert reason in broken.opening_error
    with app.app_context():
        files = db.session.scalars(select(BidFile).order_by(BidFile.id)).all()
        by_bid = {f.bid_id: f for f in files}
        assert by_bid[two_bids[VENDOR]].verified is False
        assert reason in by_bid[two_bids[VENDOR]].verification_error
        other = db.session.get(Bid, two_bids[OTHER_VENDOR])
        assert other.opening_error == "" and all(f.verified for f in other.files)
    entries, _pdf = _record_of(app, two_bids["tender"])
    failed = next(entry for entry in entries if entry.receipt_id == broken.receipt_id)
    assert failed.has_error and failed.files[0].verified is False
    assert [p.price for p in failed.prices] == [PRICE, Decimal("1200.50")]  # the content itself was fine
    paragraphs = OpeningRecordRenderer().story_text(_record_data(app, two_bids["tender"]))
    assert any(text.startswith("FEHLER:") and reason in text for text in paragraphs)


def _record_data(app: Flask, tender_id: int):  # type: ignore[no-untyped-def]
    with app.test_request_context():
        tender = db.session.get(Tender, tender_id)
        bids = list(db.session.scalars(select(Bid).where(Bid.tender_id == tender_id).order_by(Bid.id)))
        contents = {bid.id: opening.decrypt_content(bid) for bid in bids if bid.status is BidStatus.opened}
        return opening.record_data(tender, opening.opening_of(tender), bids, contents)


def test_changed_sealed_content_is_an_opening_error_and_the_files_still_verify(app, two_bids):
    with app.app_context():
        bid = db.session.get(Bid, two_bids[VENDOR])
        sealed = bytearray(bid.content_sealed)
        sealed[-3] ^= 0x01
        bid.content_sealed = bytes(sealed)
        db.session.commit()
    confirm(app, two_bids["tender"], LEAD)
    confirm(app, two_bids["tender"], SECOND)
    broken = reread(app, Bid, two_bids[VENDOR])
    assert "Inhalt des Angebots lässt sich nicht entschlüsseln" in broken.opening_error
    entries, _pdf = _record_of(app, two_bids["tender"])
    failed = next(entry for entry in entries if entry.receipt_id == broken.receipt_id)
    assert failed.error and failed.prices == ()
    assert all(f.verified for f in failed.files)


# --- the record ------------------------------------------------------------------------------------


def test_the_record_lists_every_bid_with_prices_files_and_the_unopened_ones(app, make_bid, two_bids):
    from procurement.bids import services

    first = make_bid(VENDOR, prices={1: Decimal("60000.00")})  # superseded by the next one
    assert reread(app, Bid, two_bids[VENDOR]).status is BidStatus.superseded
    latest = first
    stadtdaten = "angebot@offene-stadtdaten.example"
    withdrawn = make_bid(stadtdaten)
    with app.test_request_context():
        services.withdraw_bid(user(stadtdaten), db.session.get(Bid, withdrawn), BEFORE_DEADLINE)
        db.session.commit()
    confirm(app, two_bids["tender"], LEAD)
    confirm(app, two_bids["tender"], SECOND)
    data = _record_data(app, two_bids["tender"])
    assert data.officers == ("Oskar Vergabe", "Karla Kasse")
    assert data.bid_deadline == DEADLINE and data.opened_at == AFTER_DEADLINE
    assert data.reference == "VG-2026-17"
    opened = {entry.vendor: entry for entry in data.opened_bids}
    with app.app_context():
        vendor_name = user(VENDOR).organisation.name
        other_name = user(OTHER_VENDOR).organisation.name
        latest_receipt = db.session.get(Bid, latest).receipt_id
    assert set(opened) == {vendor_name, other_name}
    assert opened[vendor_name].receipt_id == latest_receipt
    assert [p.price for p in opened[vendor_name].prices] == [Decimal("60000.00")]
    assert [(p.lot_number, p.price) for p in opened[other_name].prices] == [(1, OTHER_PRICE)]
    assert opened[other_name].consortium == ("Kabel & Mast GmbH",)
    assert [(f.name, f.verified) for f in opened[other_name].files] == [
        ("Preisblatt.pdf", True),
        ("Referenzen.zip", True),
    ]
    assert sorted(entry.state for entry in data.unopened_bids) == ["superseded", "withdrawn"]
    text = "\n".join(OpeningRecordRenderer().story_text(data))
    assert "60.000,00\xa0€" in text and "51.999,00\xa0€" in text
    assert "Verspätete Angebote: keine" in text
    assert "nicht geöffnet" in text


def test_the_stored_record_is_the_issued_pdf_and_its_hash_matches(app, opened_tender, bid_config):
    with app.app_context():
        row = db.session.scalars(select(Opening)).one()
        path = bid_config / row.record_storage_key[:2] / row.record_storage_key
        stored_hash = row.record_sha256
    pdf = path.read_bytes()
    assert pdf.startswith(b"%PDF-") and hashlib.sha256(pdf).hexdigest() == stored_hash
    assert b"Seite 1 von" in pdf or b"/Count" in pdf
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "opening.record_stored")
        ).one()
        assert stored_hash in entry.after
    _entries, served = _record_of(app, opened_tender["tender"])
    assert served == pdf


def test_a_changed_record_is_refused_on_download(app, client, auth, opened_tender, bid_config):
    with app.app_context():
        key = db.session.scalars(select(Opening)).one().record_storage_key
    flip_byte(bid_config / key[:2] / key, 200)
    with time_machine.travel(AFTER_DEADLINE + timedelta(minutes=5), tick=False):
        auth.login(LEAD)
        response = client.get(f"/vergaben/{opened_tender['tender']}/oeffnungsprotokoll.pdf")
    assert response.status_code == 409
    assert "Prüfsumme" in page_text(response)


# --- the pages -----------------------------------------------------------------------------------


def test_officers_open_through_the_page_and_see_prices_after_the_opening(
    app, client, auth, two_bids, mailbox
):
    tender_id = two_bids["tender"]
    url = f"/vergaben/{tender_id}/oeffnung"
    with time_machine.travel(AFTER_DEADLINE + timedelta(minutes=1), tick=False):
        auth.login(LEAD)
        page = page_text(client.get(url))
        assert "2 Angebote eingegangen" in page and "48.213,57" not in page
        response = client.post(url, data={"csrf_token": csrf_token(client, url)})
        assert response.status_code == 302
        page = page_text(client.get(url))
        assert "Oskar Vergabe am" in page and "Sie haben bestätigt" in page
        assert "Öffnung bestätigen" not in page
        auth.logout()
        auth.login(SECOND)
        response = client.post(url, data={"csrf_token": csrf_token(client, url)}, follow_redirects=True)
        assert response.status_code == 200
        page = page_text(response)
        detail = page_text(client.get(f"/vergaben/{tender_id}"))
    assert "Die Angebote sind geöffnet" in page
    assert "Los 1: 48.213,57 €" in page and "Los 1: 51.999,00 €" in page
    assert "Oskar Vergabe und Karla Kasse" in page
    assert mailbox.to(PARTNER) and "48.213,57" not in mailbox.to(PARTNER)[-1].get_content()
    assert "opening.bids_read" in audit_actions(app)
    assert "Geöffnete Angebote und Öffnungsprotokoll" in detail


def test_the_opened_bid_page_shows_content_and_files_and_audits_the_read(app, client, auth, opened_tender):
    bid_id = opened_tender[OTHER_VENDOR]
    with time_machine.travel(AFTER_DEADLINE + timedelta(minutes=5), tick=False):
        auth.login(LEAD)
        response = client.get(f"/vergaben/{opened_tender['tender']}/angebote/{bid_id}")
    assert response.status_code == 200
    page = page_text(response)
    assert "51.999,00 €" in page and "Kabel & Mast GmbH" in page and "Wartung binnen 24 Stunden." in page
    assert "Preisblatt.pdf" in page and "stimmt überein" in page
    assert response.headers["Cache-Control"] == "private, no-store"
    assert audit_actions(app)[-1] == "bid.content_read"


def test_a_file_is_streamed_decrypted_as_an_attachment_and_every_read_is_audited(
    app, client, auth, opened_tender
):
    with app.app_context():
        bid_file = db.session.get(Bid, opened_tender[OTHER_VENDOR]).files[0]
        url = f"/vergaben/{opened_tender['tender']}/angebote/{bid_file.bid_id}/dateien/{bid_file.id}"
        file_id = bid_file.id
    with time_machine.travel(AFTER_DEADLINE + timedelta(minutes=5), tick=False):
        auth.login(SECOND)
        response = client.get(url)
        assert response.status_code == 200
        assert response.get_data() == pdf_bytes(3000)
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert "Preisblatt.pdf" in response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Length"] == "3000"
        client.get(url)
    with app.app_context():
        reads = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "bid.file_read")).all()
        assert len(reads) == 2
        assert all(
            entry.actor_email == SECOND and f'"file_id":{file_id}' in entry.after.replace(" ", "")
            for entry in reads
        )
        assert all("Preisblatt.pdf" in entry.after for entry in reads)


def test_a_file_changed_after_the_opening_is_refused_with_a_clear_error(
    app, client, auth, opened_tender, bid_config
):
    flip_byte(blob_path(app, bid_config, opened_tender[VENDOR]))
    with app.app_context():
        bid_file = db.session.get(Bid, opened_tender[VENDOR]).files[0]
        url = f"/vergaben/{opened_tender['tender']}/angebote/{bid_file.bid_id}/dateien/{bid_file.id}"
    with time_machine.travel(AFTER_DEADLINE + timedelta(minutes=5), tick=False):
        auth.login(LEAD)
        response = client.get(url)
    assert response.status_code == 409
    assert "lässt sich nicht entschlüsseln" in page_text(response)
    assert "bid.file_read" not in audit_actions(app)


def test_the_bid_page_of_a_broken_bid_shows_the_error(app, client, auth, two_bids, bid_config):
    flip_byte(blob_path(app, bid_config, two_bids[VENDOR]))
    confirm(app, two_bids["tender"], LEAD)
    confirm(app, two_bids["tender"], SECOND)
    with time_machine.travel(AFTER_DEADLINE + timedelta(minutes=5), tick=False):
        auth.login(LEAD)
        bid_page = page_text(client.get(f"/vergaben/{two_bids['tender']}/angebote/{two_bids[VENDOR]}"))
        opening_page = page_text(client.get(f"/vergaben/{two_bids['tender']}/oeffnung"))
    assert "FEHLER bei der Öffnung" in bid_page and "verändert oder ist unvollständig" in bid_page
    assert "FEHLER: 1 Angebot ließ sich nicht vollständig entschlüsseln" in opening_page
