"""The municipality's side of the desk: sending a request, the conversation, reply, close, mails."""

from __future__ import annotations

import io

from sqlalchemy import select

from procurement.desk.models import AdvisoryRequest, RequestAttachment, RequestMessage
from procurement.extensions import db
from tests.conftest import audit_actions, count, page_text, submit
from tests.procurement.desk.conftest import (
    ASKER,
    ASKER_OFFICER,
    CURATOR,
    FUNDED,
    OTHER,
    PDF,
    load_request,
)
from workflows.advisory import AdvisoryStatus


def _send(client, **data):  # type: ignore[no-untyped-def]
    payload = {"topic": "funding", "subject": "Förderung LED", "text": "Gibt es Fördergeld?", **data}
    return submit(client, "/beratung/neu", payload, content_type="multipart/form-data")


def test_member_sends_a_request_and_curators_are_told(app, demo, auth, client, mailbox):
    auth.login(ASKER)
    response = _send(client)
    assert response.status_code == 303
    request_id = int(response.headers["Location"].rsplit("/", 1)[1])
    advisory = load_request(app, request_id)
    assert advisory.status is AdvisoryStatus.new
    assert advisory.subject == "Förderung LED"
    assert count(app, RequestMessage, RequestMessage.request_id == request_id) == 1
    assert "desk.create" in audit_actions(app)
    mails = mailbox.to(CURATOR)
    assert len(mails) == 1
    assert "Förderung LED" in mails[0]["Subject"]
    assert "nicht gefördert" in mails[0].get_content()
    assert f"/beratung/{request_id}" in mails[0].get_content()
    text = page_text(client.get(f"/beratung/{request_id}"))
    assert "Gibt es Fördergeld?" in text and "Neu" in text


def test_a_double_submit_makes_one_request(app, demo, auth, client):
    auth.login(ASKER)
    first = _send(client)
    second = _send(client)
    assert first.headers["Location"] == second.headers["Location"]
    assert count(app, AdvisoryRequest) == 1


def test_attachments_are_checked_and_kept(app, demo, auth, client):
    auth.login(ASKER)
    response = _send(client, attachments=[(io.BytesIO(PDF), "Angebot Stadtwerke.pdf")])
    assert response.status_code == 303
    request_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        item = db.session.scalars(select(RequestAttachment)).one()
        assert item.filename.startswith("Angebot") and item.filename.endswith(".pdf")
        assert item.content_type == "application/pdf"
        assert item.size == len(PDF)
        attachment_id = item.id
    with client.get(f"/beratung/{request_id}/anhang/{attachment_id}") as download:
        assert download.status_code == 200
        assert download.data == PDF
        assert download.headers["Cache-Control"] == "private, no-store"


def test_an_attachment_of_a_forbidden_type_is_refused(app, demo, auth, client):
    auth.login(ASKER)
    response = _send(client, attachments=[(io.BytesIO(b"MZ\x90\x00"), "tool.exe")])
    assert response.status_code == 422
    assert "Dateien dieses Typs" in page_text(response)
    assert count(app, AdvisoryRequest) == 0


def test_an_attachment_whose_content_is_not_its_type_is_refused(app, demo, auth, client):
    auth.login(ASKER)
    response = _send(client, attachments=[(io.BytesIO(b"plain text"), "brief.pdf")])
    assert response.status_code == 422
    assert count(app, RequestAttachment) == 0


def test_an_attachment_over_the_size_limit_is_refused(app, demo, auth, client):
    limit = app.config["MAX_DOCUMENT_BYTES"]
    app.config["MAX_DOCUMENT_BYTES"] = 1024
    try:
        auth.login(ASKER)
        big = PDF + b"0" * 2048
        response = _send(client, attachments=[(io.BytesIO(big), "gross.pdf")])
    finally:
        app.config["MAX_DOCUMENT_BYTES"] = limit
    assert response.status_code == 413
    assert count(app, AdvisoryRequest) == 0


def test_a_request_may_link_only_own_needs_and_published_solutions(app, demo_marketplace, auth, client):
    from procurement.accounts.models import Organisation
    from procurement.marketplace.models import Solution
    from procurement.needs.models import Need
    from workflows.curation import EntryStatus

    with app.app_context():
        kleinmoorbach = db.session.scalar(
            select(Organisation.id).where(Organisation.name.contains("Kleinmoorbach"))
        )
        foreign_need = db.session.scalars(select(Need).where(Need.organisation_id != kleinmoorbach)).first()
        published = db.session.scalars(
            select(Solution).where(Solution.status == EntryStatus.published)
        ).first()
        draft = db.session.scalars(select(Solution).where(Solution.status != EntryStatus.published)).first()
        foreign_need_id, published_id = foreign_need.id, published.id
        draft_id = draft.id if draft else None
    auth.login(ASKER)
    refused = _send(client, link=f"need:{foreign_need_id}")
    assert refused.status_code == 422
    assert "Verknüpfung" in page_text(refused)
    if draft_id:
        assert _send(client, link=f"solution:{draft_id}", subject="Entwurf").status_code == 422
    assert count(app, AdvisoryRequest) == 0
    ok = _send(client, link=f"solution:{published_id}")
    assert ok.status_code == 303
    assert load_request(app, int(ok.headers["Location"].rsplit("/", 1)[1])).solution_id == published_id


def test_the_municipality_sees_only_its_own_requests(app, make_request, auth, client):
    own = make_request(ASKER, subject="Kleinmoorbachs Frage")
    other = make_request(FUNDED, subject="Birkenfeldes Frage")
    auth.login(ASKER_OFFICER)  # a colleague of the same municipality
    listing = page_text(client.get("/beratung"))
    assert "Kleinmoorbachs Frage" in listing and "Birkenfeldes Frage" not in listing
    assert client.get(f"/beratung/{own}").status_code == 200
    assert client.get(f"/beratung/{other}").status_code == 404
    auth.logout()
    auth.login(OTHER)
    assert "Kleinmoorbachs Frage" not in page_text(client.get("/beratung"))
    assert client.get(f"/beratung/{own}").status_code == 404


def test_a_reply_to_a_new_request_only_adds_a_message(app, make_request, auth, client):
    request_id = make_request()
    auth.login(ASKER)
    response = submit(
        client,
        f"/beratung/{request_id}/antworten",
        {"text": "Noch ein Detail", "version": "1"},
        form_url=f"/beratung/{request_id}",
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert load_request(app, request_id).status is AdvisoryStatus.new
    assert count(app, RequestMessage, RequestMessage.request_id == request_id) == 2
    assert "desk.reply" in audit_actions(app)


def test_a_reply_after_the_answer_reopens_the_request_and_tells_the_assignee(
    app, make_request, auth, client, mailbox
):
    request_id = make_request()
    auth.login(CURATOR)
    version = load_request(app, request_id).version
    answer = submit(
        client,
        f"/kompetenzzentrum/anfragen/{request_id}/antwort",
        {"text": "Ja, das Förderprogramm X.", "version": str(version)},
        form_url=f"/beratung/{request_id}",
        content_type="multipart/form-data",
    )
    assert answer.status_code == 303
    auth.logout()
    mailbox.clear()
    auth.login(ASKER)
    advisory = load_request(app, request_id)
    assert advisory.status is AdvisoryStatus.answered
    response = submit(
        client,
        f"/beratung/{request_id}/antworten",
        {"text": "Danke, und wie beantragen wir es?", "version": str(advisory.version)},
        form_url=f"/beratung/{request_id}",
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert load_request(app, request_id).status is AdvisoryStatus.assigned
    assert "desk.reopen" in audit_actions(app)
    assert len(mailbox.to(CURATOR)) == 1


def test_a_stale_reply_form_is_refused_with_409(app, make_request, auth, client):
    request_id = make_request()
    auth.login(ASKER)
    response = submit(
        client,
        f"/beratung/{request_id}/antworten",
        {"text": "Alt", "version": "0"},
        form_url=f"/beratung/{request_id}",
        content_type="multipart/form-data",
    )
    assert response.status_code == 409
    assert count(app, RequestMessage, RequestMessage.request_id == request_id) == 1


def test_the_municipality_closes_its_request(app, make_request, auth, client):
    request_id = make_request()
    auth.login(ASKER_OFFICER)
    response = submit(
        client, f"/beratung/{request_id}/schliessen", {"version": "1"}, form_url=f"/beratung/{request_id}"
    )
    assert response.status_code == 303
    advisory = load_request(app, request_id)
    assert advisory.status is AdvisoryStatus.closed and advisory.closed_at is not None
    assert "desk.close" in audit_actions(app)
    again = submit(
        client,
        f"/beratung/{request_id}/schliessen",
        {"version": str(advisory.version)},
        form_url=f"/beratung/{request_id}",
    )
    assert again.status_code == 409  # closing twice is refused, nothing changes


def test_a_request_closed_before_anyone_took_it_cannot_be_reopened(app, make_request, auth, client):
    request_id = make_request()
    auth.login(ASKER)
    submit(client, f"/beratung/{request_id}/schliessen", {"version": "1"}, form_url=f"/beratung/{request_id}")
    advisory = load_request(app, request_id)
    response = client.post(
        f"/beratung/{request_id}/antworten",
        data={
            "text": "Doch noch",
            "version": str(advisory.version),
            "csrf_token": _token(client, request_id),
        },
    )
    assert response.status_code == 409
    assert "neue Anfrage" in page_text(response)


def _token(client, request_id):  # type: ignore[no-untyped-def]
    from tests.conftest import csrf_token

    return csrf_token(client, f"/beratung/{request_id}")


def test_new_request_without_csrf_token_is_refused(app, demo, auth, client):
    auth.login(ASKER)
    response = client.post(
        "/beratung/neu",
        data={"topic": "funding", "subject": "x", "text": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert count(app, AdvisoryRequest) == 0
