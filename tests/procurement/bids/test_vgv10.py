"""§10(1) VgV: what the electronic means must ensure, one test per requirement (domain.md).

(1) the exact time of receipt is recorded, (2) nobody accesses data before the deadline,
(3) only authorised persons set or change the opening date, (4) only authorised persons access
the received data, (5) only authorised persons grant access after the opening, (6) received
data stays inaccessible to others, (7) breaches of these rules are clearly detectable.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from procurement.accounts.models import User
from procurement.audit.models import AuditEntry
from procurement.audit.services import verify_chain
from procurement.bids import opening
from procurement.bids.models import Bid
from procurement.bids.permissions import can_read_bid_content
from procurement.bids.record import OpeningRecordRenderer
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.mail.models import OutboxMail
from procurement.tenders import questions
from procurement.tenders.models import Tender
from tests.conftest import page_text
from tests.procurement.audit.test_chain import tamper
from tests.procurement.bids.conftest import AFTER_DEADLINE, BEFORE_DEADLINE, DEADLINE, PRICE
from tests.procurement.bids.test_opening import (  # noqa: F401 - fixtures
    SECOND,
    THIRD_OFFICER,
    blob_path,
    confirm,
    flip_byte,
    officers_fixture,
    opened_tender_fixture,
    reread,
    two_bids_fixture,
)
from tests.procurement.tenders.conftest import (
    LEAD,
    LEAD_AUDITOR,
    LEAD_COLLEAGUE,
    LEAD_REQUESTER,
    OTHER_VENDOR,
    PARTNER,
    VENDOR,
    user,
)

ADMIN = "admin@kompetenzzentrum.example"
OTHERS = [LEAD_REQUESTER, PARTNER, LEAD_AUDITOR, ADMIN, VENDOR, OTHER_VENDOR]
PRICE_TEXTS = (str(PRICE), "48.213,57")


def _routes(app, bids: dict) -> list[str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        bid = db.session.get(Bid, bids[VENDOR])
        file_id = bid.files[0].id
    base = f"/vergaben/{bids['tender']}"
    return [
        f"{base}/oeffnung",
        f"{base}/oeffnungsprotokoll.pdf",
        f"{base}/angebote/{bids[VENDOR]}",
        f"{base}/angebote/{bids[VENDOR]}/dateien/{file_id}",
    ]


def test_vgv10_1_exact_time_of_receipt_is_recorded(app, make_bid, officers):
    received = BEFORE_DEADLINE.replace(microsecond=123456)
    bid_id = make_bid(VENDOR, now=received)
    bid = reread(app, Bid, bid_id)
    assert bid.submitted_at == received  # the server time, to the microsecond
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "bid.submitted")).one()
        assert json.loads(entry.after)["submitted_at"] == received.isoformat()
        assert entry.occurred_at == received
    confirm(app, bid.tender_id, LEAD)
    confirm(app, bid.tender_id, SECOND)
    with app.test_request_context():
        tender = db.session.get(Tender, bid.tender_id)
        bids = [db.session.get(Bid, bid_id)]
        data = opening.record_data(
            tender, opening.opening_of(tender), bids, {bid_id: opening.decrypt_content(bids[0])}
        )
    assert data.bids[0].submitted_at == received
    assert "24.12.2026, 10:00:00 Uhr" in "\n".join(OpeningRecordRenderer().story_text(data))


def test_vgv10_2_nobody_accesses_data_before_the_deadline(app, client, auth, two_bids, bid_config):
    # nothing in clear: not in the database, not in the storage
    with app.app_context():
        for bid in db.session.scalars(select(Bid)):
            assert not any(price.encode() in bid.content_sealed for price in PRICE_TEXTS)
        blob_keys = [f.storage_key for bid in db.session.scalars(select(Bid)) for f in bid.files]
    assert len(blob_keys) == 3
    for key in blob_keys:
        blob = (bid_config / key[:2] / key).read_bytes()
        assert b"%PDF-1.7" not in blob and b"PK\x03\x04" not in blob
    # no route gives anything to anyone, the lead's officers included, not even the count
    for email in [LEAD, SECOND, *OTHERS]:
        with time_machine.travel(BEFORE_DEADLINE, tick=False):
            auth.login(email)
            for url in _routes(app, two_bids):
                body = client.get(url).get_data(as_text=True)
                assert not any(price in body for price in PRICE_TEXTS), (email, url)
                assert "eingegangen." not in body
            auth.logout()
    # nor any service
    with app.test_request_context():
        lead, tender = user(LEAD), db.session.get(Tender, two_bids["tender"])
        bid = db.session.get(Bid, two_bids[VENDOR])
        assert not can_read_bid_content(lead, bid)
        with pytest.raises(PermissionDenied):
            opening.received_bid_count(tender, BEFORE_DEADLINE)
        with pytest.raises(PermissionDenied):
            opening.read_opened_bid(lead, bid, BEFORE_DEADLINE)
        with pytest.raises(PermissionDenied):
            opening.download_opened_file(lead, bid, bid.files[0].id, BEFORE_DEADLINE)
        with pytest.raises(Conflict, match="Angebotsfrist läuft noch"):
            opening.confirm_opening(lead, tender, BEFORE_DEADLINE)
        assert opening.opening_overview(lead, tender, BEFORE_DEADLINE).bid_count is None
        db.session.rollback()


def test_vgv10_3_only_authorised_persons_set_or_change_the_opening_date(app, client, auth, two_bids):
    tender_id = two_bids["tender"]
    later = DEADLINE + timedelta(days=7)
    with app.test_request_context():
        tender = db.session.get(Tender, tender_id)
        for email, error in (
            (PARTNER, PermissionDenied),
            (LEAD_REQUESTER, PermissionDenied),
            (VENDOR, NotFound),
        ):
            with pytest.raises(error):
                questions.extend_deadline(user(email), tender, later, "Nachfrage", BEFORE_DEADLINE)
        # the lead's officers: never shortened, never after the deadline
        with pytest.raises(DomainError, match="nach der bisherigen"):
            questions.extend_deadline(
                user(LEAD), tender, DEADLINE - timedelta(hours=1), "früher", BEFORE_DEADLINE
            )
        with pytest.raises(Conflict):
            questions.extend_deadline(user(LEAD), tender, later, "zu spät", AFTER_DEADLINE)
        db.session.rollback()
    for email, status in (
        (PARTNER, 403),
        (LEAD_REQUESTER, 403),
        (LEAD_AUDITOR, 404),
        (ADMIN, 404),
        (VENDOR, 404),
    ):
        with time_machine.travel(BEFORE_DEADLINE, tick=False):
            auth.login(email)
            assert client.get(f"/vergaben/{tender_id}/frist").status_code == status, email
            auth.logout()
    assert reread(app, Tender, tender_id).bid_deadline == DEADLINE
    with app.test_request_context():
        questions.extend_deadline(
            user(LEAD), db.session.get(Tender, tender_id), later, "Nachfrage", BEFORE_DEADLINE
        )
        db.session.commit()
    assert reread(app, Tender, tender_id).bid_deadline == later
    # the opening follows the changed date: one second after the old deadline it is refused
    with pytest.raises(Conflict, match="Angebotsfrist läuft noch"):
        confirm(app, tender_id, LEAD, now=AFTER_DEADLINE)


def test_vgv10_4_only_authorised_persons_access_received_data(app, opened_tender):
    with app.test_request_context():
        bid = db.session.get(Bid, opened_tender[VENDOR])
        assert can_read_bid_content(user(LEAD), bid) and can_read_bid_content(user(SECOND), bid)
        for email in OTHERS:
            assert not can_read_bid_content(user(email), bid), email
            with pytest.raises(PermissionDenied):
                opening.read_opened_bid(user(email), bid, AFTER_DEADLINE)
            with pytest.raises(PermissionDenied):
                opening.download_opened_file(user(email), bid, bid.files[0].id, AFTER_DEADLINE)
            with pytest.raises(PermissionDenied):
                opening.opening_record_pdf(user(email), bid.tender, AFTER_DEADLINE)
        content = opening.read_opened_bid(user(LEAD), bid, AFTER_DEADLINE)
        assert content.prices[0][1] == PRICE
        db.session.rollback()


def test_vgv10_5_only_authorised_persons_grant_access_after_the_opening(app, two_bids):
    tender_id = two_bids["tender"]
    for email in OTHERS:  # nobody else can open, the platform's admin included
        with pytest.raises(PermissionDenied):
            confirm(app, tender_id, email)
    confirm(app, tender_id, LEAD)  # one officer alone does not grant access
    with pytest.raises(Conflict):
        confirm(app, tender_id, LEAD)
    with app.app_context():
        assert not can_read_bid_content(user(LEAD), db.session.get(Bid, two_bids[VENDOR]))
    assert confirm(app, tender_id, SECOND) is not None
    with app.app_context():
        bid = db.session.get(Bid, two_bids[VENDOR])
        readers = [
            u.email
            for u in db.session.scalars(select(User).order_by(User.id))
            if can_read_bid_content(u, bid)
        ]
    # the lead's officers, nobody else
    assert sorted(readers) == sorted([LEAD, LEAD_COLLEAGUE, SECOND, THIRD_OFFICER])


def test_vgv10_6_received_data_stays_inaccessible_to_others(app, client, auth, opened_tender, bid_config):
    # after the opening too: nothing in clear in the database or the bid blobs
    with app.app_context():
        for bid in db.session.scalars(select(Bid)):
            assert not any(price.encode() in bid.content_sealed for price in PRICE_TEXTS)
        blob_keys = {f.storage_key for bid in db.session.scalars(select(Bid)) for f in bid.files}
        mails = db.session.scalars(select(OutboxMail)).all()
    for key in blob_keys:
        assert b"%PDF-1.7" not in (bid_config / key[:2] / key).read_bytes()
    assert not any(price in mail.body for mail in mails for price in PRICE_TEXTS)
    for email in OTHERS:
        with time_machine.travel(AFTER_DEADLINE + timedelta(minutes=5), tick=False):
            auth.login(email)
            for url in _routes(app, opened_tender):
                response = client.get(url)
                assert response.status_code in (403, 404), (email, url)
                assert not any(price in response.get_data(as_text=True) for price in PRICE_TEXTS)
            auth.logout()


def test_vgv10_7_breaches_are_detectable(app, client, auth, two_bids, bid_config):
    flip_byte(blob_path(app, bid_config, two_bids[VENDOR]))
    confirm(app, two_bids["tender"], LEAD)
    confirm(app, two_bids["tender"], SECOND)
    # the changed file is caught at the opening and shown loudly on the page and in the record
    assert "verändert" in reread(app, Bid, two_bids[VENDOR]).opening_error
    with time_machine.travel(AFTER_DEADLINE + timedelta(minutes=5), tick=False):
        auth.login(LEAD)
        assert "FEHLER" in page_text(client.get(f"/vergaben/{two_bids['tender']}/oeffnung"))
    # every step is in the audit chain, and the chain verifies
    with app.app_context():
        result = verify_chain()
        assert result.ok and result.checked > 0
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {
            "bid.submitted",
            "opening.confirmed",
            "tender.open_bids",
            "bid.opened",
            "opening.bids_read",
        } <= actions
        opened = db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "bid.opened", AuditEntry.object_id == str(two_bids[VENDOR])
            )
        ).one()
        assert json.loads(opened.after)["files"][0]["verified"] is False
    # an entry changed behind the application's back (here: its recorded result) breaks the chain
    forged = json.dumps({**json.loads(opened.after), "opening_error": ""}).replace("'", "''")
    tamper(app, f"UPDATE audit_entries SET after = '{forged}' WHERE seq = {opened.seq}")
    with app.app_context():
        broken = verify_chain()
    assert not broken.ok and broken.first_break.seq == opened.seq
