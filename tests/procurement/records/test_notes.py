"""Officers' notes on the record: only the lead's officers write them, with CSRF, within the length
limit; each is an audit entry with the text's SHA-256 and the stage; never edited or deleted."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select

from procurement.audit.models import AuditEntry
from procurement.extensions import db
from procurement.records.models import RecordNote
from procurement.records.notes import MAX_NOTE_LENGTH
from tests.conftest import count, csrf_token, page_text, submit
from tests.procurement.tenders.conftest import LEAD, LEAD_AUDITOR, PARTNER, THIRD, VENDOR

TEXT = "Die Bieterfrage 2 wurde telefonisch angekündigt; Antwort an alle über die Plattform."


def _notes(app) -> list[RecordNote]:  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = list(db.session.scalars(select(RecordNote).order_by(RecordNote.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def test_an_officer_of_the_lead_adds_a_note_at_the_current_stage_and_it_is_audited(app, client, auth, opened):
    auth.login(LEAD)
    page = f"/vergaben/{opened.tender_id}/akte"
    response = submit(
        client,
        f"/vergaben/{opened.tender_id}/vermerke",
        {"topic": "general", "text": f"  {TEXT}  "},
        form_url=page,
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{page}#notes")
    [note] = _notes(app)
    assert note.text == TEXT and note.stage == "evaluation"
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "record.note_added")).one()
        after = json.loads(entry.after)
    assert (
        entry.actor_email == LEAD
        and entry.object_type == "tender"
        and entry.object_id == str(opened.tender_id)
    )
    assert (
        after["text_sha256"] == hashlib.sha256(TEXT.encode()).hexdigest() and after["stage"] == "evaluation"
    )
    assert after["tender_id"] == opened.tender_id  # so the tender's chain segment holds it
    assert TEXT in page_text(client.get(page))


def test_a_topic_puts_the_note_into_its_section(app, client, auth, opened):
    auth.login(LEAD)
    page = f"/vergaben/{opened.tender_id}/akte"
    submit(
        client,
        f"/vergaben/{opened.tender_id}/vermerke",
        {"topic": "subcontracting", "text": "30 % Montage durch Nachunternehmer."},
        form_url=page,
    )
    [note] = _notes(app)
    assert note.text == "Unteraufträge: 30 % Montage durch Nachunternehmer."
    text = page_text(client.get(page))
    section = text.split("Unteraufträge", 2)[-1]
    assert "30 % Montage durch Nachunternehmer." in section and "nicht bekannt" not in section


def test_a_note_without_the_csrf_token_is_refused(app, client, auth, opened):
    auth.login(LEAD)
    response = client.post(f"/vergaben/{opened.tender_id}/vermerke", data={"topic": "general", "text": TEXT})
    assert response.status_code == 400
    assert _notes(app) == [] and count(app, AuditEntry, AuditEntry.action == "record.note_added") == 0


@pytest.mark.parametrize("text", ["", "   ", "x" * (MAX_NOTE_LENGTH + 1)])
def test_empty_and_too_long_notes_are_refused(app, client, auth, opened, text):
    auth.login(LEAD)
    response = submit(
        client,
        f"/vergaben/{opened.tender_id}/vermerke",
        {"topic": "general", "text": text},
        form_url=f"/vergaben/{opened.tender_id}/akte",
    )
    assert response.status_code == 422
    assert _notes(app) == []


def test_an_unknown_topic_is_refused(app, client, auth, opened):
    auth.login(LEAD)
    response = submit(
        client,
        f"/vergaben/{opened.tender_id}/vermerke",
        {"topic": "secret", "text": TEXT},
        form_url=f"/vergaben/{opened.tender_id}/akte",
    )
    assert response.status_code == 422 and _notes(app) == []


def test_the_longest_note_is_kept_whole(app, client, auth, opened):
    auth.login(LEAD)
    text = "ä" * MAX_NOTE_LENGTH
    submit(
        client,
        f"/vergaben/{opened.tender_id}/vermerke",
        {"topic": "general", "text": text},
        form_url=f"/vergaben/{opened.tender_id}/akte",
    )
    assert [note.text for note in _notes(app)] == [text]


@pytest.mark.parametrize(
    ("email", "status"), [(LEAD_AUDITOR, 403), (PARTNER, 403), (THIRD, 404), (VENDOR, 404)]
)
def test_only_the_leads_officers_write_notes(app, client, auth, closed, email, status):
    auth.login(email)
    token = csrf_token(client, "/")  # a valid token of their own session (the logout form)
    response = client.post(
        f"/vergaben/{closed.tender_id}/vermerke", data={"csrf_token": token, "topic": "general", "text": TEXT}
    )
    assert response.status_code == status
    assert _notes(app) == [] and count(app, AuditEntry, AuditEntry.action == "record.note_added") == 0


def test_notes_are_never_edited_or_deleted_through_the_app(app):
    methods = {
        method
        for rule in app.url_map.iter_rules()
        if rule.endpoint == "records.add_note"
        for method in rule.methods or ()
    }
    assert methods - {"HEAD", "OPTIONS"} == {"POST"}
    assert not [rule for rule in app.url_map.iter_rules() if "vermerke/<" in rule.rule]
