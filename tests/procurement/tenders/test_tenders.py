"""Creating, editing and listing tenders; the detail page and the state buttons."""

from __future__ import annotations

import time_machine

from procurement.tenders.models import Tender
from tests.conftest import audit_actions, count, one, page_text, submit
from tests.procurement.tenders.conftest import LEAD, LEAD_REQUESTER, NOW, PARTNER
from tests.procurement.tenders.core_support import join, tender_form
from workflows.tender import TenderStatus


def test_new_tender_form_suggests_contact_and_the_states_review_body(app, client, demo, auth):
    auth.login(LEAD)
    response = client.get("/vergaben/neu")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="vergabe@talheim.example"' in html and 'value="DE118"' in html
    assert "Vergabekammer Baden-Württemberg beim Regierungspräsidium Karlsruhe" in page_text(response)


def test_officer_creates_a_tender_and_becomes_the_lead(app, client, demo, auth):
    auth.login(LEAD)
    response = submit(client, "/vergaben/neu", tender_form())
    assert response.status_code == 302
    tender = one(app, Tender)
    assert tender.status is TenderStatus.draft and tender.title.startswith("Adaptive")
    assert response.headers["Location"] == f"/vergaben/{tender.id}"
    assert "tender.created" in audit_actions(app)


def test_bad_tender_input_is_marked_and_kept(app, client, demo, auth):
    auth.login(LEAD)
    response = submit(
        client, "/vergaben/neu", tender_form(cpv_code="123", contact_email="kein", duration_months="0")
    )
    assert response.status_code == 422
    text = page_text(response)
    assert "E-Mail-Adresse" in text and "Laufzeit" in text
    assert 'value="Adaptive Ampelsteuerung für drei Kommunen"' in response.get_data(as_text=True)
    assert count(app, Tender) == 0


def test_requester_cannot_create_a_tender(app, client, demo, auth):
    auth.login(LEAD_REQUESTER)
    assert client.get("/vergaben/neu").status_code == 403
    assert submit(client, "/vergaben/neu", tender_form(), form_url="/vergaben/").status_code == 403
    assert count(app, Tender) == 0


def test_edit_changes_the_tender_and_audits_only_the_changes(app, client, auth, make_tender):
    with app.test_request_context():
        tender_id = make_tender().id
    auth.login(LEAD)
    response = submit(client, f"/vergaben/{tender_id}/bearbeiten", tender_form(title="Neue Ampeln"))
    assert response.status_code == 302
    assert one(app, Tender, Tender.id == tender_id).title == "Neue Ampeln"
    assert "tender.updated" in audit_actions(app)


def test_my_tenders_lists_lead_and_participations_by_status(app, client, auth, make_tender):
    with app.test_request_context():
        led = make_tender(title="Eigene Ausschreibung")
        join(led, PARTNER, "1")
        from procurement.extensions import db

        db.session.commit()
    auth.login(PARTNER)
    text = page_text(client.get("/vergaben/"))
    assert "Eigene Ausschreibung" in text and "Entwurf (1)" in text
    assert "Neue Ausschreibung" in text  # Birkenfelde's officer may start own tenders
    auth.logout()
    auth.login(LEAD_REQUESTER)
    text = page_text(client.get("/vergaben/"))
    assert "Eigene Ausschreibung" in text and "Neue Ausschreibung" not in text


def test_detail_shows_facts_lots_participants_and_the_allowed_buttons(app, client, auth, make_tender):
    with app.test_request_context():
        tender_id = make_tender(lots=2).id
    with time_machine.travel(NOW, tick=False):
        auth.login(LEAD)
        text = page_text(client.get(f"/vergaben/{tender_id}"))
    assert "Status: Entwurf" in text
    assert "Steuergeräte 1" in text and "Steuergeräte 2" in text
    assert "Stadt Talheim an der Lauter (federführend)" in text
    assert "Teilnehmende sammeln" in text and "Veröffentlichen" not in text


def test_start_collecting_and_back_to_draft_buttons(app, client, auth, make_tender):
    with app.test_request_context():
        tender_id = make_tender().id
    with time_machine.travel(NOW, tick=False):
        auth.login(LEAD)
        url = f"/vergaben/{tender_id}"
        assert submit(client, f"{url}/aktion/start_collecting", {}, form_url=url).status_code == 302
        assert one(app, Tender, Tender.id == tender_id).status is TenderStatus.collecting
        assert submit(client, f"{url}/aktion/back_to_draft", {}, form_url=url).status_code == 302
        assert one(app, Tender, Tender.id == tender_id).status is TenderStatus.draft
        assert submit(client, f"{url}/aktion/unfreeze", {}, form_url=url).status_code == 409
        assert submit(client, f"{url}/aktion/close_submission", {}, form_url=url).status_code == 404
    actions = audit_actions(app)
    assert "tender.start_collecting" in actions and "tender.back_to_draft" in actions


def test_collecting_without_lots_is_refused_with_the_guard_message(app, client, auth, make_tender):
    with app.test_request_context():
        tender_id = make_tender(lots=0).id
    with time_machine.travel(NOW, tick=False):
        auth.login(LEAD)
        url = f"/vergaben/{tender_id}"
        response = submit(client, f"{url}/aktion/start_collecting", {}, form_url=url)
    assert response.status_code == 409
    assert "mindestens ein Los" in page_text(response)
