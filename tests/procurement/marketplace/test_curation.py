"""Curation by the Kompetenzzentrum: submit, publish or send back with a reason, archive, reopen."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from procurement.audit.models import AuditEntry
from procurement.mail.models import OutboxMail
from procurement.marketplace.models import PilotProject, Solution
from tests.conftest import count, one, page_text, submit
from tests.procurement.marketplace.conftest import (
    ADMIN,
    CURATOR,
    NOW,
    OFFICER,
    OTHER_VENDOR,
    REQUESTER,
    VENDOR,
)
from workflows.curation import EntryStatus

QUEUE = "/marketplace/curation"


def action(client, kind: str, entry_id: int, trigger: str, **data):  # type: ignore[no-untyped-def]
    return submit(
        client,
        f"/marketplace/{kind}/{entry_id}/actions/{trigger}",
        data,
        form_url=f"/marketplace/{kind}/{entry_id}",
    )


def marketplace_actions(app) -> list[str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        from sqlalchemy import select

        from procurement.extensions import db

        return list(
            db.session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.object_type.in_(["solution", "pilot_project"]))
                .order_by(AuditEntry.seq)
            )
        )


def test_owner_submits_a_draft_and_it_waits_in_the_curation_queue(app, client, market, sign_in):
    solution_id = market.solution()
    sign_in(VENDOR)
    response = action(client, "solutions", solution_id, "submit")
    assert response.status_code == 302
    solution = market.get(Solution, solution_id)
    assert solution.status is EntryStatus.submitted and solution.submitted_at is not None

    sign_in(CURATOR)
    text = page_text(client.get(QUEUE))
    assert "Adaptive Ampelsteuerung" in text and "Verkehrstechnik Süd GmbH" in text
    entry = one(app, AuditEntry, AuditEntry.action == "solution.submitted")
    assert json.loads(entry.before) == {"status": "draft"}
    assert json.loads(entry.after) == {"status": "submitted"}


def test_the_queue_shows_submitted_entries_oldest_first_and_nothing_else(client, market, sign_in):
    market.solution(status="submitted", now=NOW, title="Zweite Lösung")
    market.pilot(status="submitted", now=NOW - timedelta(days=2), title="Erstes Projekt")
    market.solution(status="submitted", now=NOW + timedelta(days=1), title="Dritte Lösung")
    market.solution(title="Entwurf bleibt privat")
    market.solution(status="published", title="Schon veröffentlicht")
    sign_in(CURATOR)
    text = page_text(client.get(QUEUE))
    assert text.index("Erstes Projekt") < text.index("Zweite Lösung") < text.index("Dritte Lösung")
    assert "Entwurf bleibt privat" not in text and "Schon veröffentlicht" not in text
    assert "3 Einträge warten auf die Prüfung" in text


@pytest.mark.parametrize("email", [VENDOR, OFFICER, REQUESTER, "pruefung@talheim.example"])
def test_only_the_kompetenzzentrum_sees_the_queue(client, market, sign_in, email):
    sign_in(email)
    assert client.get(QUEUE).status_code == 403


def test_curator_publishes_and_the_creator_gets_a_mail(app, client, market, sign_in, mailbox):
    solution_id = market.solution(status="submitted")
    sign_in(CURATOR)
    response = action(client, "solutions", solution_id, "publish", next=QUEUE)
    assert response.status_code == 302 and response.headers["Location"] == QUEUE

    solution = market.get(Solution, solution_id)
    assert solution.status is EntryStatus.published and solution.published_at is not None
    [mail] = mailbox.to(VENDOR)
    assert mail["Subject"] == "Ihre Lösung ist veröffentlicht"
    body = mail.get_content()
    assert "Guten Tag Viktor Verkehr," in body and "„Adaptive Ampelsteuerung“" in body
    assert f"http://localhost/marketplace/solutions/{solution_id}" in body
    assert marketplace_actions(app) == ["solution.created", "solution.submitted", "solution.published"]
    entry = one(app, AuditEntry, AuditEntry.action == "solution.published")
    assert entry.actor_email == CURATOR
    assert (json.loads(entry.before), json.loads(entry.after)) == (
        {"status": "submitted"},
        {"status": "published"},
    )


def test_admin_publishes_a_pilot_project_and_the_officer_gets_a_mail(app, client, market, sign_in, mailbox):
    project_id = market.pilot(status="submitted")
    sign_in(ADMIN)
    assert action(client, "pilots", project_id, "publish").status_code == 302
    assert market.get(PilotProject, project_id).status is EntryStatus.published
    [mail] = mailbox.to(OFFICER)
    assert mail["Subject"] == "Ihr Modellprojekt ist veröffentlicht"


def test_curator_sends_back_with_a_reason_that_reaches_the_owner(app, client, market, sign_in, mailbox):
    solution_id = market.solution(status="submitted")
    sign_in(CURATOR)
    reason = "Bitte nennen Sie eine Referenzkommune.\nUnd die Schnittstellen genauer."
    response = submit(
        client,
        f"/marketplace/solutions/{solution_id}/send-back",
        {"reason": reason, "next": QUEUE},
        form_url=QUEUE,
    )
    assert response.status_code == 302 and response.headers["Location"] == QUEUE

    solution = market.get(Solution, solution_id)
    assert solution.status is EntryStatus.draft
    assert solution.rejection_reason == reason
    [mail] = mailbox.to(VENDOR)
    assert mail["Subject"] == "Ihr Eintrag braucht noch Änderungen"
    assert "Bitte nennen Sie eine Referenzkommune." in mail.get_content()
    entry = one(app, AuditEntry, AuditEntry.action == "solution.sent_back")
    assert json.loads(entry.before) == {"status": "submitted"}
    assert json.loads(entry.after) == {"status": "draft", "reason": reason}

    sign_in(VENDOR)
    assert "Zurückgegeben: Bitte nennen Sie eine Referenzkommune." in page_text(
        client.get("/marketplace/mine")
    )
    detail = page_text(client.get(f"/marketplace/solutions/{solution_id}"))
    assert (
        "Vom Kompetenzzentrum zur Überarbeitung zurückgegeben: Bitte nennen Sie eine Referenzkommune."
        in detail
    )
    assert "Und die Schnittstellen genauer." in detail


def test_sending_back_needs_a_reason(app, client, market, sign_in, mailbox):
    solution_id = market.solution(status="submitted")
    sign_in(CURATOR)
    response = submit(
        client, f"/marketplace/solutions/{solution_id}/send-back", {"reason": "   "}, form_url=QUEUE
    )
    assert response.status_code == 422
    assert "Bitte begründen Sie, was am Eintrag zu ändern ist." in page_text(response)
    assert market.get(Solution, solution_id).status is EntryStatus.submitted
    assert count(app, OutboxMail) == 0 and not mailbox.messages


def test_a_resubmitted_entry_is_published_and_the_old_reason_is_gone(app, client, market, sign_in):
    solution_id = market.solution(status="submitted")
    sign_in(CURATOR)
    submit(
        client, f"/marketplace/solutions/{solution_id}/send-back", {"reason": "Preis fehlt."}, form_url=QUEUE
    )
    sign_in(VENDOR)
    assert action(client, "solutions", solution_id, "submit").status_code == 302
    sign_in(CURATOR)
    assert "Zuletzt zurückgegeben: Preis fehlt." in page_text(client.get(QUEUE))
    assert action(client, "solutions", solution_id, "publish").status_code == 302
    solution = market.get(Solution, solution_id)
    assert solution.status is EntryStatus.published and solution.rejection_reason is None


@pytest.mark.parametrize("email", [VENDOR, OTHER_VENDOR, OFFICER])
def test_only_curators_and_admins_publish(app, client, market, sign_in, mailbox, email):
    solution_id = market.solution(status="submitted")
    sign_in(email)
    assert action(client, "solutions", solution_id, "publish").status_code in (403, 404)
    assert market.get(Solution, solution_id).status is EntryStatus.submitted
    assert not mailbox.messages


@pytest.mark.parametrize("email", [VENDOR, OFFICER])
def test_only_curators_and_admins_send_back(client, market, sign_in, email):
    solution_id = market.solution(status="submitted")
    sign_in(email)
    url = f"/marketplace/solutions/{solution_id}/send-back"
    assert client.get(url).status_code in (403, 404)
    assert submit(client, url, {"reason": "Nein."}, form_url="/profile").status_code in (403, 404)
    assert market.get(Solution, solution_id).status is EntryStatus.submitted


def test_publishing_twice_is_a_conflict_with_a_german_message(client, market, sign_in):
    solution_id = market.solution(status="published")
    sign_in(CURATOR)
    response = action(client, "solutions", solution_id, "publish")
    assert response.status_code == 409
    assert "Die Aktion „Veröffentlichen“ ist im Status „veröffentlicht“ nicht möglich." in page_text(response)


def test_owner_withdraws_a_submission_and_can_edit_again(client, market, sign_in):
    solution_id = market.solution(status="submitted")
    sign_in(VENDOR)
    assert action(client, "solutions", solution_id, "withdraw").status_code == 302
    solution = market.get(Solution, solution_id)
    assert solution.status is EntryStatus.draft and solution.submitted_at is None
    assert client.get(f"/marketplace/solutions/{solution_id}/edit").status_code == 200


def test_owner_archives_a_published_entry_and_reopens_it_as_a_draft(app, client, market, sign_in):
    project_id = market.pilot(status="published")
    sign_in(OFFICER)
    assert action(client, "pilots", project_id, "archive").status_code == 302
    assert market.get(PilotProject, project_id).status is EntryStatus.archived
    sign_in(None)
    assert client.get(f"/marketplace/pilots/{project_id}").status_code == 404
    sign_in(OFFICER)
    assert action(client, "pilots", project_id, "reopen").status_code == 302
    assert market.get(PilotProject, project_id).status is EntryStatus.draft
    assert marketplace_actions(app)[-2:] == ["pilot_project.archived", "pilot_project.reopened"]


def test_curator_takes_a_published_entry_off_the_marketplace_and_tells_the_owner(
    client, market, sign_in, mailbox
):
    solution_id = market.solution(status="published")
    sign_in(CURATOR)
    assert action(client, "solutions", solution_id, "archive").status_code == 302
    assert market.get(Solution, solution_id).status is EntryStatus.archived
    # the mail on publishing (queued by the fixture) goes out with it
    assert [mail["Subject"] for mail in mailbox.to(VENDOR)] == [
        "Ihre Lösung ist veröffentlicht",
        "Ihr Eintrag wurde archiviert",
    ]


def test_curator_cannot_archive_or_reopen_other_organisations_drafts(client, market, sign_in):
    solution_id = market.solution()
    sign_in(CURATOR)
    assert action(client, "solutions", solution_id, "archive").status_code == 403
    assert action(client, "solutions", solution_id, "submit").status_code == 403
    assert market.get(Solution, solution_id).status is EntryStatus.draft


def test_pages_offer_only_the_allowed_actions(client, market, sign_in):
    draft = market.solution()
    submitted = market.solution(status="submitted")
    sign_in(VENDOR)
    draft_text = page_text(client.get(f"/marketplace/solutions/{draft}"))
    assert "Zur Prüfung einreichen" in draft_text and "Veröffentlichen" not in draft_text
    submitted_text = page_text(client.get(f"/marketplace/solutions/{submitted}"))
    assert "Einreichung zurückziehen" in submitted_text and "Zur Prüfung einreichen" not in submitted_text
    sign_in(CURATOR)
    curator_text = page_text(client.get(f"/marketplace/solutions/{submitted}"))
    assert "Veröffentlichen" in curator_text and "Begründung für die Rückgabe" in curator_text
    assert "Einreichung zurückziehen" not in curator_text


def test_an_action_without_csrf_token_changes_nothing(client, market, sign_in):
    solution_id = market.solution()
    sign_in(VENDOR)
    response = client.post(f"/marketplace/solutions/{solution_id}/actions/submit")
    assert response.status_code == 400
    assert "Das Formular ist abgelaufen oder unvollständig" in page_text(response)
    assert market.get(Solution, solution_id).status is EntryStatus.draft


def test_an_unknown_action_is_not_found(client, market, sign_in):
    solution_id = market.solution()
    sign_in(VENDOR)
    assert action(client, "solutions", solution_id, "delete").status_code == 404


def test_every_change_updates_the_search_index(app, client, market, sign_in, monkeypatch):
    calls: list[tuple[str, int, str]] = []
    monkeypatch.setattr(
        "procurement.marketplace.services.reindex_solution",
        lambda s: calls.append(("solution", s.id, s.status.value)),
    )
    monkeypatch.setattr(
        "procurement.marketplace.services.reindex_pilot_project",
        lambda p: calls.append(("pilot", p.id, p.status.value)),
    )
    solution_id = market.solution(status="published")
    project_id = market.pilot(status="submitted")
    assert calls == [
        ("solution", solution_id, "draft"),
        ("solution", solution_id, "submitted"),
        ("solution", solution_id, "published"),
        ("pilot", project_id, "draft"),
        ("pilot", project_id, "submitted"),
    ]
    calls.clear()
    sign_in(VENDOR)
    submit(
        client,
        f"/marketplace/solutions/{solution_id}/contact",
        {"contact_name": "Neu", "contact_email": "neu@verkehrstechnik-sued.example"},
    )
    assert calls == [("solution", solution_id, "published")]


def test_my_entries_lists_the_organisations_entries_with_their_status(client, market, sign_in):
    market.solution(title="Unsere Ampel")
    market.solution(status="published", title="Unser Parkleitsystem")
    market.solution(owner=OTHER_VENDOR, title="Fremde Lösung")
    sign_in(VENDOR)
    text = page_text(client.get("/marketplace/mine"))
    assert "Unsere Ampel Entwurf" in text and "Unser Parkleitsystem veröffentlicht" in text
    assert "Fremde Lösung" not in text
    assert "Neue Lösung einstellen" in text and "Modellprojekt dokumentieren" not in text
    assert "Kontakt ändern" in text


def test_my_entries_of_a_municipality_lists_its_pilot_projects(client, market, sign_in):
    market.pilot(title="Unser Projekt")
    market.pilot(owner="vergabe@birkenfelde.example", title="Projekt der Nachbarn")
    sign_in(OFFICER)
    text = page_text(client.get("/marketplace/mine"))
    assert "Unser Projekt Entwurf" in text and "Projekt der Nachbarn" not in text
    assert "Modellprojekt dokumentieren" in text and "Neue Lösung einstellen" not in text
