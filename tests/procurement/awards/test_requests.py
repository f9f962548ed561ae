"""§56 VgV requests: the officer asks, the vendor is mailed and answers with sealed files before
the deadline (server clock), ``flask tick`` lapses overdue requests, the officer reads the files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from procurement.awards import requests as service
from procurement.awards.models import DocumentReplyFile, DocumentRequest, RequestStatus
from procurement.bids.models import Bid
from procurement.extensions import db
from procurement.mail.models import OutboxMail
from procurement.tenders.models import Tender
from tests.conftest import audit_actions, count, csrf_token, one, page_text
from tests.procurement.awards.conftest import AFTER_DEADLINE, LEAD, OTHER_VENDOR, VENDOR
from tests.procurement.tenders.conftest import pdf_bytes, user
from workflows.bid import BidStatus

NOW = AFTER_DEADLINE + timedelta(hours=2)  # 2026-12-25 11:00:01 UTC = 12:00:01 Berlin
DEADLINE = datetime(2026, 12, 28, 11, 0, tzinfo=UTC)  # 12:00 Berlin
SECRET = b"%PDF-1.7\nHandelsregisterauszug HRB 4711 streng vertraulich\n" + b"x" * 2000


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def review_url(opened, email=VENDOR) -> str:
    return f"/vergaben/{opened.tender_id}/wertung/angebote/{opened.bids[email]}"


def make_request(
    app, opened, email=VENDOR, deadline=DEADLINE, text="Bitte den Handelsregisterauszug nachreichen."
):
    with app.test_request_context():
        tender = db.session.get(Tender, opened.tender_id)
        bid = db.session.get(Bid, opened.bids[email])
        request_ = service.create_request(user(LEAD), tender, bid, text, deadline, NOW)
        db.session.commit()
        return request_.id


def answer(client, request_id: int, text="Anbei.", files=None, token=None):
    url = f"/nachforderungen/{request_id}"
    token = token if token is not None else csrf_token(client, url)
    files = {"HR-Auszug.pdf": SECRET} if files is None else files
    data = {"csrf_token": token, "text": text, "files": [(BytesIO(c), name) for name, c in files.items()]}
    return client.post(url, data=data, content_type="multipart/form-data")


def test_the_officer_requests_documents_with_a_berlin_deadline_and_the_vendor_is_mailed(
    app, client, auth, opened, clock
):
    auth.login(LEAD)
    url = review_url(opened)
    token = csrf_token(client, url)
    response = client.post(
        url + "/nachforderung",
        data={"csrf_token": token, "text": "Referenzliste fehlt.", "deadline": "2026-12-28T12:00"},
    )
    assert response.status_code == 302, page_text(response)
    request_ = one(app, DocumentRequest, DocumentRequest.bid_id == opened.bids[VENDOR])
    assert request_.deadline == DEADLINE  # 12:00 Berlin in winter is 11:00 UTC
    assert request_.status is RequestStatus.open
    mails = [m for m in _outbox(app) if "Nachforderung" in m.subject]
    assert [m.recipient for m in mails] == [VENDOR]
    assert f"http://localhost/nachforderungen/{request_.id}" in mails[0].body
    assert "evaluation.documents_requested" in audit_actions(app)
    assert "Referenzliste fehlt." in page_text(client.get(url))


def _outbox(app):
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


@pytest.mark.parametrize("deadline", ["2026-12-25T12:00", "2026-12-24T09:00"])
def test_a_deadline_that_is_not_in_the_future_is_refused(app, client, auth, opened, clock, deadline):
    auth.login(LEAD)
    url = review_url(opened)
    token = csrf_token(client, url)
    response = client.post(
        url + "/nachforderung", data={"csrf_token": token, "text": "x", "deadline": deadline}
    )
    assert response.status_code == 422
    assert "Die Frist muss in der Zukunft liegen." in page_text(response)
    assert count(app, DocumentRequest) == 0


def test_the_vendor_answers_with_a_sealed_file_that_only_the_officer_reads(
    app, client, auth, opened, clock, bid_config: Path
):
    request_id = make_request(app, opened)
    auth.login(VENDOR)
    bid_page = page_text(client.get(f"/ausschreibungen/{opened.tender_id}/angebot"))
    assert "Nachforderungen der Vergabestelle" in bid_page
    page = client.get(f"/nachforderungen/{request_id}")
    assert page.status_code == 200
    assert "Bitte den Handelsregisterauszug nachreichen." in page_text(page)
    response = answer(client, request_id, files={"../../etc/HR\u202eAuszug.pdf": SECRET})
    assert response.status_code == 302, page_text(response)
    request_ = one(app, DocumentRequest, DocumentRequest.id == request_id)
    assert request_.status is RequestStatus.answered and request_.answer_text == "Anbei."
    reply = one(app, DocumentReplyFile, DocumentReplyFile.request_id == request_id)
    assert "/" not in reply.filename and "\u202e" not in reply.filename
    assert reply.size == len(SECRET)
    stored = [
        p for p in bid_config.rglob("*") if p.is_file() and p.name == reply.storage_key.rsplit("/", 1)[-1]
    ]
    assert stored, "the sealed blob is in the storage"
    blob = stored[0].read_bytes()
    assert b"Handelsregisterauszug" not in blob and SECRET not in blob
    # the officer is told and reads the file decrypted; the read is audited
    assert any("eingegangen" in m.subject and m.recipient == LEAD for m in _outbox(app))
    file_url = f"/vergaben/{opened.tender_id}/wertung/nachforderungen/{request_id}/dateien/{reply.id}"
    assert client.get(file_url).status_code == 404  # the vendor does not reach the officer's route
    auth.logout()
    auth.login(LEAD)
    assert "HR" in page_text(client.get(review_url(opened)))
    download = client.get(file_url)
    assert download.status_code == 200
    assert download.data == SECRET
    assert "evaluation.reply_file_read" in audit_actions(app)
    # with the answer in, the bid can be admitted
    with app.test_request_context():
        assert db.session.get(Bid, opened.bids[VENDOR]).open_document_requests == 0


def test_the_answer_is_accepted_until_one_second_before_the_deadline(app, client, auth, opened, clock):
    request_id = make_request(app, opened)
    clock.move_to(DEADLINE - timedelta(seconds=1))
    auth.login(VENDOR)
    assert answer(client, request_id).status_code == 302
    assert one(app, DocumentRequest, DocumentRequest.id == request_id).status is RequestStatus.answered


def test_the_answer_is_refused_at_the_deadline_and_nothing_is_kept(
    app, client, auth, opened, clock, bid_config
):
    request_id = make_request(app, opened)
    clock.move_to(DEADLINE)
    auth.login(VENDOR)
    page = client.get(f"/nachforderungen/{request_id}")
    assert "kann nicht mehr beantwortet werden" in page_text(page)
    before = sorted(p for p in bid_config.rglob("*") if p.is_file())
    response = answer(client, request_id)
    assert response.status_code == 409
    assert "Frist" in page_text(response)
    assert one(app, DocumentRequest, DocumentRequest.id == request_id).status is RequestStatus.open
    assert count(app, DocumentReplyFile) == 0
    assert sorted(p for p in bid_config.rglob("*") if p.is_file()) == before


def test_an_answer_that_finishes_after_the_deadline_is_refused(app, opened, clock):
    request_id = make_request(app, opened)
    with app.test_request_context():
        request_ = db.session.get(DocumentRequest, request_id)
        with pytest.raises(service.Conflict):
            service.answer_request(
                user(VENDOR), request_, "spät", DEADLINE - timedelta(seconds=1), clock=lambda: DEADLINE
            )
        db.session.rollback()
    assert one(app, DocumentRequest, DocumentRequest.id == request_id).status is RequestStatus.open


def test_tick_lapses_open_requests_past_their_deadline(app, runner, opened, clock):
    due = make_request(app, opened)
    later = make_request(app, opened, email=OTHER_VENDOR, deadline=DEADLINE + timedelta(days=1))
    clock.move_to(DEADLINE - timedelta(seconds=1))
    runner.invoke(args=["tick"])
    assert one(app, DocumentRequest, DocumentRequest.id == due).status is RequestStatus.open
    clock.move_to(DEADLINE)
    result = runner.invoke(args=["tick"])
    assert "1 document request(s) lapsed" in result.output
    assert one(app, DocumentRequest, DocumentRequest.id == due).status is RequestStatus.lapsed
    assert one(app, DocumentRequest, DocumentRequest.id == later).status is RequestStatus.open
    assert "evaluation.request_lapsed" in audit_actions(app)


def test_the_officer_withdraws_an_open_request_once(app, client, auth, opened, clock):
    request_id = make_request(app, opened)
    auth.login(LEAD)
    url = f"/vergaben/{opened.tender_id}/wertung/nachforderungen/{request_id}/zurueckziehen"
    token = csrf_token(client, review_url(opened))
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    assert one(app, DocumentRequest, DocumentRequest.id == request_id).status is RequestStatus.withdrawn
    response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 409
    assert client.post(url, data={}).status_code == 400  # no CSRF token
    auth.logout()
    auth.login(VENDOR)
    assert answer(client, request_id).status_code == 409


def test_a_stale_withdrawal_is_refused(app, client, auth, opened, clock):
    request_id = make_request(app, opened)
    auth.login(LEAD)
    url = f"/vergaben/{opened.tender_id}/wertung/nachforderungen/{request_id}/zurueckziehen"
    token = csrf_token(client, review_url(opened))
    response = client.post(url, data={"csrf_token": token, "version": 99})
    assert response.status_code == 409
    assert one(app, DocumentRequest, DocumentRequest.id == request_id).status is RequestStatus.open


def test_vendor_text_is_escaped_for_the_officer(app, client, auth, opened, clock):
    request_id = make_request(app, opened)
    auth.login(VENDOR)
    assert answer(client, request_id, text="<script>alert(1)</script>", files={}).status_code == 302
    auth.logout()
    auth.login(LEAD)
    html = client.get(review_url(opened)).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_answer_files_follow_the_bid_file_rules(app, client, auth, opened, clock):
    request_id = make_request(app, opened)
    auth.login(VENDOR)
    response = answer(client, request_id, files={"schad.exe": b"MZ\x90\x00"})
    assert response.status_code == 422 and "Dateien dieses Typs" in page_text(response)
    response = answer(client, request_id, files={"falsch.pdf": b"PK\x03\x04zip"})
    assert response.status_code == 422 and "kein PDF" in page_text(response)
    app.config["MAX_BID_FILE_BYTES"] = 1000  # restored by bid_config
    response = answer(client, request_id, files={"gross.pdf": pdf_bytes(5000)})
    assert response.status_code == 413 and "zu groß" in page_text(response)
    response = answer(client, request_id, text="", files={})
    assert response.status_code == 422
    assert count(app, DocumentReplyFile) == 0
    assert one(app, DocumentRequest, DocumentRequest.id == request_id).status is RequestStatus.open


def test_a_file_before_the_csrf_token_is_refused(app, client, auth, opened, clock):
    from tests.procurement.bids.test_upload import multipart

    request_id = make_request(app, opened)
    auth.login(VENDOR)
    token = csrf_token(client, f"/nachforderungen/{request_id}")
    body, content_type = multipart([("files", "a.pdf", SECRET), ("csrf_token", None, token.encode())])
    response = client.post(f"/nachforderungen/{request_id}", data=body, content_type=content_type)
    assert response.status_code == 400
    assert count(app, DocumentReplyFile) == 0
    assert one(app, DocumentRequest, DocumentRequest.id == request_id).status is RequestStatus.open


def test_requests_only_for_bids_not_yet_decided(app, opened, clock):
    with app.test_request_context():
        from procurement.awards.evaluation import admit

        tender = db.session.get(Tender, opened.tender_id)
        bid = db.session.get(Bid, opened.bids[VENDOR])
        admit(user(LEAD), tender, bid, "", NOW)
        assert bid.status is BidStatus.admitted
        with pytest.raises(service.Conflict):
            service.create_request(user(LEAD), tender, bid, "x", DEADLINE, NOW)
