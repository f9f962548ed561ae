"""Bidder questions: numbered per tender, answered to all without naming the asker (§97(2) GWB),
late answers with a proposed extension (§20(3) VgV), and the extension of the bid deadline.

Shortcut (documented in ``public_tender``): the tenders are built through the services and put
into ``published`` directly.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from procurement.audit.models import AuditEntry
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.tenders import questions as service
from procurement.tenders.advisor import BERLIN
from procurement.tenders.models import Question, Tender, TenderDocument
from tests.conftest import count, csrf_token, one, page_text, submit

from .conftest import LEAD, LEAD_REQUESTER, NOW, OTHER_VENDOR, PARTNER, THIRD, VENDOR, user

DEADLINE = NOW + timedelta(days=30)  # 2026-12-25 10:00 in Berlin
ASKER_COMPANY = "Verkehrstechnik Süd"
QUESTION = "Ist für Los 1 eine OCIT-O-Schnittstelle der Version 3 ausreichend?"


def questions_url(tender_id: int) -> str:
    return f"/vergaben/{tender_id}/fragen"


def ask(client, tender_id: int, text: str = QUESTION):  # type: ignore[no-untyped-def]
    return submit(client, questions_url(tender_id), {"text": text})


def answer(client, tender_id: int, question_id: int, text: str):  # type: ignore[no-untyped-def]
    return submit(
        client,
        f"/vergaben/{tender_id}/fragen/{question_id}/antwort",
        {f"q{question_id}-answer": text},
        form_url=questions_url(tender_id),
    )


def question_rows(app, tender_id: int) -> list[Question]:  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(Question).where(Question.tender_id == tender_id).order_by(Question.number)
            )
        )
        db.session.expunge_all()
        return rows


def download_all(client, app, tender_id: int) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        ids = db.session.scalars(select(TenderDocument.id).where(TenderDocument.tender_id == tender_id)).all()
    for document_id in ids:
        client.get(f"/ausschreibungen/{tender_id}/unterlagen/{document_id}").close()


@pytest.fixture
def at():  # type: ignore[no-untyped-def]
    """Freeze the clock of the web requests: ``with at(moment): ...``."""

    def travel(moment: datetime):  # type: ignore[no-untyped-def]
        return time_machine.travel(moment, tick=False)

    return travel


# --- asking ----------------------------------------------------------------------------------


def test_vendors_ask_questions_numbered_per_tender_and_the_leads_officers_are_mailed(
    app, client, auth, public_tender, mailbox, at
):
    tender_id = public_tender()
    with at(NOW + timedelta(hours=1)):
        auth.login(VENDOR)
        response = ask(client, tender_id)
        assert response.status_code == 302
        auth.logout()
        auth.login(OTHER_VENDOR)
        assert ask(client, tender_id, "Welche Garantiezeit wird erwartet?").status_code == 302

    first, second = question_rows(app, tender_id)
    assert (first.number, first.text, second.number) == (1, QUESTION, 2)
    assert first.asked_at == NOW + timedelta(hours=1) and not first.is_answered
    lead_mails = mailbox.to(LEAD)
    assert [mail["Subject"].split(":")[0] for mail in lead_mails] == [
        "Neue Bieterfrage 1",
        "Neue Bieterfrage 2",
    ]
    assert QUESTION in lead_mails[0].get_content()
    assert mailbox.to(PARTNER) == []  # only the lead answers
    assert count(app, AuditEntry, AuditEntry.action == "tender.question_asked") == 2


def test_a_second_tender_numbers_its_questions_from_one(app_ctx, public_tender):
    first = db.session.get(Tender, public_tender())
    second = db.session.get(Tender, public_tender())
    service.ask_question(user(VENDOR), first, QUESTION, NOW)
    service.ask_question(user(VENDOR), first, QUESTION, NOW)
    assert service.ask_question(user(OTHER_VENDOR), second, QUESTION, NOW).number == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Warum?", "zwischen 10 und 4000 Zeichen"),
        ("x" * 4001, "zwischen 10 und 4000 Zeichen"),
        ("   ", "Bitte füllen Sie dieses Feld aus."),
    ],
)
def test_a_question_of_the_wrong_length_is_refused_and_kept_in_the_form(
    app, client, auth, public_tender, text, message
):
    tender_id = public_tender()
    auth.login(VENDOR)
    response = ask(client, tender_id, text)
    assert response.status_code == 422
    assert message in page_text(response)
    assert count(app, Question) == 0


def test_questions_end_with_the_bid_deadline(app, client, auth, public_tender, at):
    tender_id = public_tender()
    with at(DEADLINE - timedelta(seconds=1)):
        auth.login(VENDOR)
        assert ask(client, tender_id).status_code == 302
    with at(DEADLINE):
        response = ask(client, tender_id)  # the request moves the tender to the opening first
        assert response.status_code == 409
        assert "Die Angebotsfrist ist abgelaufen" in page_text(response)
    assert count(app, Question) == 1


def test_the_service_refuses_questions_after_the_deadline(app_ctx, public_tender):
    tender = db.session.get(Tender, public_tender())
    with pytest.raises(Conflict):
        service.ask_question(user(VENDOR), tender, QUESTION, DEADLINE)


@pytest.mark.parametrize(
    ("email", "published", "status"),
    [
        (VENDOR, False, 404),  # drafts are invisible to vendors
        (PARTNER, True, 403),  # municipalities do not ask bidder questions
        (LEAD, True, 403),
        (THIRD, True, 403),
    ],
)
def test_only_vendors_ask_questions_about_published_tenders(
    app, client, auth, public_tender, email, published, status
):
    tender_id = public_tender(published=published)
    auth.login(email)
    token = csrf_token(client, "/")
    response = client.post(questions_url(tender_id), data={"csrf_token": token, "text": QUESTION})
    assert response.status_code == status
    assert count(app, Question) == 0


def test_anonymous_visitors_are_sent_to_the_login(client, public_tender):
    tender_id = public_tender()
    response = client.get(questions_url(tender_id))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- who sees what ---------------------------------------------------------------------------


def test_the_lead_sees_who_asked_vendors_see_answers_and_their_own_pending_questions(
    app, client, auth, public_tender
):
    tender_id = public_tender()
    with app.test_request_context():
        tender = db.session.get(Tender, tender_id)
        service.ask_question(user(VENDOR), tender, QUESTION, NOW)
        service.ask_question(user(OTHER_VENDOR), tender, "Welche Garantiezeit wird erwartet?", NOW)
        db.session.commit()

    auth.login(OTHER_VENDOR)
    text = page_text(client.get(questions_url(tender_id)))
    assert "Welche Garantiezeit" in text and QUESTION not in text
    auth.logout()

    auth.login(LEAD)
    text = page_text(client.get(questions_url(tender_id)))
    assert QUESTION in text and "Welche Garantiezeit" in text
    assert ASKER_COMPANY in text and "intern, wird nicht veröffentlicht" in text
    auth.logout()

    auth.login(PARTNER)  # a participant reads only what is published
    text = page_text(client.get(questions_url(tender_id)))
    assert QUESTION not in text and "Noch keine Fragen." in text


# --- answering -------------------------------------------------------------------------------


def test_an_answer_is_published_to_all_vendors_without_naming_the_asker(
    app, client, auth, public_tender, mailbox, at
):
    tender_id = public_tender()
    with at(NOW + timedelta(hours=1)):
        auth.login(OTHER_VENDOR)
        download_all(client, app, tender_id)  # downloaded the documents, so hears of answers
        auth.logout()
        auth.login(VENDOR)
        ask(client, tender_id)
        auth.logout()
        [question] = question_rows(app, tender_id)
        mailbox.clear()
        auth.login(LEAD)
        response = answer(client, tender_id, question.id, "Ja, Version 3 genügt.")
        assert response.status_code == 302
        assert response.headers["Location"].endswith(questions_url(tender_id))
        auth.logout()

        public = page_text(client.get(f"/ausschreibungen/{tender_id}"))
    assert "Frage 1" in public and QUESTION in public and "Ja, Version 3 genügt." in public
    assert ASKER_COMPANY not in public and "Viktor Verkehr" not in public

    [answered] = question_rows(app, tender_id)
    assert answered.answered_at == NOW + timedelta(hours=1) and answered.answered_by_id is not None
    assert sorted(mail["To"] for mail in mailbox.messages) == sorted([VENDOR, OTHER_VENDOR])
    for mail in mailbox.messages:
        body = mail.get_content()
        assert mail["Subject"].startswith("Antwort auf Bieterfrage 1:")
        assert "Ja, Version 3 genügt." in body and QUESTION in body
        assert ASKER_COMPANY not in body and "Viktor Verkehr" not in mail["Subject"] + body.split("\n", 1)[1]
    entry = one(app, AuditEntry, AuditEntry.action == "tender.question_answered")
    assert json.loads(entry.after) == {"question_id": question.id, "number": 1, "late": False}


def test_an_answer_cannot_be_changed_once_published(app_ctx, public_tender):
    tender = db.session.get(Tender, public_tender())
    question = service.ask_question(user(VENDOR), tender, QUESTION, NOW)
    service.answer_question(user(LEAD), question, "Ja.", NOW)
    with pytest.raises(Conflict):
        service.answer_question(user(LEAD), question, "Doch nicht.", NOW)
    assert question.answer == "Ja."


@pytest.mark.parametrize(
    ("email", "error"),
    [(PARTNER, PermissionDenied), (LEAD_REQUESTER, PermissionDenied), (VENDOR, NotFound), (THIRD, NotFound)],
)
def test_only_the_leads_officers_answer(app_ctx, public_tender, email, error):
    tender = db.session.get(Tender, public_tender())
    question = service.ask_question(user(VENDOR), tender, QUESTION, NOW)
    with pytest.raises(error):
        service.answer_question(user(email), question, "Ja.", NOW)
    assert not question.is_answered


@pytest.mark.parametrize(("email", "status"), [(PARTNER, 403), (VENDOR, 404), (OTHER_VENDOR, 404)])
def test_the_answer_route_refuses_everyone_but_the_leads_officers(
    app, client, auth, public_tender, email, status
):
    tender_id = public_tender()
    with app.test_request_context():
        service.ask_question(user(VENDOR), db.session.get(Tender, tender_id), QUESTION, NOW)
        db.session.commit()
    [question] = question_rows(app, tender_id)
    auth.login(email)
    token = csrf_token(client, "/")
    response = client.post(
        f"/vergaben/{tender_id}/fragen/{question.id}/antwort",
        data={"csrf_token": token, f"q{question.id}-answer": "Ja."},
    )
    assert response.status_code == status
    assert not question_rows(app, tender_id)[0].is_answered


def test_an_empty_answer_is_refused(app, client, auth, public_tender):
    tender_id = public_tender()
    with app.test_request_context():
        service.ask_question(user(VENDOR), db.session.get(Tender, tender_id), QUESTION, NOW)
        db.session.commit()
    [question] = question_rows(app, tender_id)
    auth.login(LEAD)
    response = answer(client, tender_id, question.id, "  ")
    assert response.status_code == 422
    assert "Bitte füllen Sie dieses Feld aus." in page_text(response)
    assert not question_rows(app, tender_id)[0].is_answered


# --- late answers (§20(3) VgV) ------------------------------------------------------------------


def test_an_answer_exactly_six_days_before_the_deadline_is_in_time(app_ctx, public_tender):
    tender = db.session.get(Tender, public_tender())
    question = service.ask_question(user(VENDOR), tender, QUESTION, NOW)
    outcome = service.answer_question(user(LEAD), question, "Ja.", DEADLINE - timedelta(days=6))
    assert not outcome.late and outcome.proposed_deadline is None


def test_a_later_answer_proposes_the_same_time_of_day_six_days_after_the_answer(app_ctx, public_tender):
    tender = db.session.get(Tender, public_tender())
    question = service.ask_question(user(VENDOR), tender, QUESTION, NOW)
    answered_at = DEADLINE - timedelta(days=6) + timedelta(seconds=1)
    outcome = service.answer_question(user(LEAD), question, "Ja.", answered_at)
    assert outcome.late
    # one second late: the next day at the deadline's time leaves six days after the answer
    assert outcome.proposed_deadline == DEADLINE + timedelta(days=1)


def test_the_proposal_keeps_the_local_time_across_the_change_to_summer_time():
    deadline = datetime(2027, 3, 26, 12, 0, tzinfo=BERLIN)  # CET
    answered_at = datetime(2027, 3, 24, 9, 0, tzinfo=UTC)
    proposed = service.proposed_deadline(deadline.astimezone(UTC), answered_at)
    assert proposed.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M %Z") == "2027-03-30 12:00 CEST"
    assert proposed == datetime(2027, 3, 30, 10, 0, tzinfo=UTC)  # CEST
    assert proposed - answered_at >= timedelta(days=6)


def test_a_late_answer_on_the_page_warns_and_leads_to_the_extension_form(
    app, client, auth, public_tender, at
):
    tender_id = public_tender()
    late = DEADLINE - timedelta(days=2)
    with at(late):
        auth.login(VENDOR)
        ask(client, tender_id)
        auth.logout()
        [question] = question_rows(app, tender_id)
        auth.login(LEAD)
        page = client.get(questions_url(tender_id))
        assert "weniger als sechs Tage vor Ablauf der Angebotsfrist" in page_text(page)
        assert f"/vergaben/{tender_id}/frist?vorschlag=2026-12-29T10:00" in page.get_data(as_text=True)
        response = answer(client, tender_id, question.id, "Ja.")
        assert response.status_code == 302
        location = response.headers["Location"]
        assert location.startswith(f"/vergaben/{tender_id}/frist?vorschlag=2026-12-29T10")
        form = client.get(location)
        text = page_text(form)
    assert "Achtung: Die Antwort kommt weniger als sechs Tage vor Ablauf der Angebotsfrist" in text
    assert 'value="2026-12-29T10:00"' in form.get_data(as_text=True)
    entry = one(app, AuditEntry, AuditEntry.action == "tender.question_answered")
    assert json.loads(entry.after)["late"] is True


# --- extending the deadline -----------------------------------------------------------------------


def test_the_lead_extends_the_deadline_and_every_vendor_involved_is_mailed(
    app, client, auth, public_tender, mailbox, at
):
    tender_id = public_tender()
    with at(NOW + timedelta(hours=1)):
        auth.login(OTHER_VENDOR)
        download_all(client, app, tender_id)
        auth.logout()
        auth.login(VENDOR)
        ask(client, tender_id)  # asked, never downloaded
        auth.logout()
        mailbox.clear()
        auth.login(LEAD)
        response = submit(
            client,
            f"/vergaben/{tender_id}/frist",
            {"new_deadline": "15.01.2027 12:00", "reason": "Späte Antwort auf Frage 1 (§ 20 Abs. 3 VgV)"},
        )
    assert response.status_code == 302
    tender = one(app, Tender, Tender.id == tender_id)
    assert tender.bid_deadline == datetime(2027, 1, 15, 11, 0, tzinfo=UTC)
    assert sorted(mail["To"] for mail in mailbox.messages) == sorted([VENDOR, OTHER_VENDOR])
    body = mailbox.to(VENDOR)[0].get_content()
    assert "25.12.26, 10:00" in body and "15.01.27, 12:00" in body and "Späte Antwort auf Frage 1" in body
    entry = one(app, AuditEntry, AuditEntry.action == "tender.deadline_extended")
    assert json.loads(entry.before) == {"bid_deadline": DEADLINE.isoformat()}
    assert json.loads(entry.after)["bid_deadline"] == "2027-01-15T11:00:00+00:00"


@pytest.mark.parametrize(
    ("new_deadline", "message"),
    [
        (DEADLINE, "muss nach der bisherigen liegen"),
        (DEADLINE - timedelta(days=1), "muss nach der bisherigen liegen"),
        (DEADLINE + timedelta(days=366), "höchstens ein Jahr"),
    ],
)
def test_an_extension_must_move_the_deadline_later(app_ctx, public_tender, new_deadline, message):
    tender = db.session.get(Tender, public_tender())
    with pytest.raises(DomainError, match=message):
        service.extend_deadline(user(LEAD), tender, new_deadline, "Grund", NOW)
    assert tender.bid_deadline == DEADLINE


def test_an_extension_needs_a_reason(app_ctx, public_tender):
    tender = db.session.get(Tender, public_tender())
    with pytest.raises(DomainError, match="Grund"):
        service.extend_deadline(user(LEAD), tender, DEADLINE + timedelta(days=7), "  ", NOW)


def test_a_deadline_that_has_passed_cannot_be_extended(app_ctx, public_tender):
    tender = db.session.get(Tender, public_tender())
    with pytest.raises(Conflict):
        service.extend_deadline(user(LEAD), tender, DEADLINE + timedelta(days=7), "Grund", DEADLINE)


def test_a_draft_has_no_deadline_to_extend(app_ctx, public_tender):
    tender = db.session.get(Tender, public_tender(published=False))
    with pytest.raises(Conflict):
        service.extend_deadline(user(LEAD), tender, DEADLINE + timedelta(days=7), "Grund", NOW)


@pytest.mark.parametrize(
    ("email", "status"),
    [(None, 302), (VENDOR, 404), (THIRD, 404), (PARTNER, 403), (LEAD_REQUESTER, 403), (LEAD, 200)],
)
def test_only_the_leads_officers_open_the_extension_form(client, auth, public_tender, email, status):
    tender_id = public_tender()
    if email:
        auth.login(email)
    assert client.get(f"/vergaben/{tender_id}/frist").status_code == status


def test_a_malformed_deadline_is_refused_with_a_message(app, client, auth, public_tender):
    tender_id = public_tender()
    auth.login(LEAD)
    response = submit(client, f"/vergaben/{tender_id}/frist", {"new_deadline": "morgen", "reason": "Grund"})
    assert response.status_code == 422
    assert "Neue Angebotsfrist" in page_text(response)
    assert one(app, Tender, Tender.id == tender_id).bid_deadline == DEADLINE
