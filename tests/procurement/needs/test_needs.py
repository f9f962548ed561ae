"""Drafting, editing, opening and withdrawing needs; bad input; audit entries."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from procurement.audit.models import AuditEntry
from procurement.needs.models import Need
from tests.conftest import audit_actions, count, one, page_text, submit
from tests.procurement.needs.conftest import (
    BIRKENFELDE_OFFICER,
    TALHEIM_OFFICER,
    TALHEIM_REQUESTER,
    form_data,
    today,
)
from workflows.need import NeedStatus


def test_requester_drafts_a_need_with_german_amounts(app, client, demo, auth):
    auth.login(TALHEIM_REQUESTER)
    response = submit(client, "/needs/new", form_data(quantity="12,5", estimated_value="1.234.567,89"))
    assert response.status_code == 302
    need = one(app, Need)
    assert response.headers["Location"] == f"/needs/{need.id}"
    assert need.status is NeedStatus.draft
    assert need.quantity == Decimal("12.5") and need.estimated_value == Decimal("1234567.89")
    assert isinstance(need.estimated_value, Decimal)
    assert need.cpv_code == "34996000-5" and need.cpv_group == "34996"
    assert need.nuts_code == "DE118" and need.created_by_id is not None
    assert audit_actions(app)[-1] == "need.created"
    entry = one(app, AuditEntry, AuditEntry.action == "need.created")
    assert entry.actor_email == TALHEIM_REQUESTER
    assert json.loads(entry.after)["estimated_value"] == "1234567.89"


def test_the_form_starts_with_the_municipalitys_nuts_code(app, client, demo, auth):
    auth.login(TALHEIM_REQUESTER)
    assert 'value="DE118"' in client.get("/needs/new").get_data(as_text=True)


def test_editing_keeps_the_cpv_group_in_step_and_records_what_changed(app, client, demo, auth, make_need):
    need_id = make_need(TALHEIM_REQUESTER)
    auth.login(TALHEIM_REQUESTER)
    url = f"/needs/{need_id}/edit"
    assert client.get(url).status_code == 200
    response = submit(client, url, form_data(cpv_code="48000000-8", estimated_value="60000.00"))
    assert response.status_code == 302
    need = one(app, Need, Need.id == need_id)
    assert (need.cpv_code, need.cpv_group) == ("48000000-8", "48000")
    entry = one(app, AuditEntry, AuditEntry.action == "need.updated")
    assert json.loads(entry.before)["cpv_code"] == "34996000-5"
    assert json.loads(entry.after)["cpv_code"] == "48000000-8"
    assert json.loads(entry.after)["estimated_value"] == "60000.00"


def test_edit_form_shows_the_stored_values(app, client, demo, auth, make_need):
    need_id = make_need(TALHEIM_REQUESTER, value="50000.00")
    auth.login(TALHEIM_REQUESTER)
    html = client.get(f"/needs/{need_id}/edit").get_data(as_text=True)
    assert 'value="50.000,00"' in html and 'value="3"' in html and 'value="34996000-5"' in html


def test_officer_of_the_same_municipality_edits_drafts_too(app, client, demo, auth, make_need):
    need_id = make_need(TALHEIM_REQUESTER)
    auth.login(TALHEIM_OFFICER)
    response = submit(client, f"/needs/{need_id}/edit", form_data(title="Neu"))
    assert response.status_code == 302
    assert one(app, Need, Need.id == need_id).title == "Neu"


def test_open_needs_are_not_edited_until_taken_back(app, client, demo, auth, make_need):
    need_id = make_need(TALHEIM_REQUESTER, open=True)
    auth.login(TALHEIM_REQUESTER)
    response = client.get(f"/needs/{need_id}/edit")
    assert response.status_code == 302
    assert "Nur Entwürfe können bearbeitet werden" in page_text(client.get(response.headers["Location"]))
    response = submit(client, f"/needs/{need_id}/edit", form_data(title="Neu"), form_url="/needs/new")
    assert response.status_code == 302
    assert one(app, Need, Need.id == need_id).title == "Verkehrsrechner"


def test_officer_opens_reopens_and_withdraws_with_audit(app, client, demo, auth, make_need):
    need_id = make_need(TALHEIM_REQUESTER)
    auth.login(TALHEIM_OFFICER)
    url = f"/needs/{need_id}"
    assert "Für Bündelung öffnen" in page_text(client.get(url))
    assert submit(client, f"{url}/open", {}, form_url=url).status_code == 302
    need = one(app, Need, Need.id == need_id)
    assert need.status is NeedStatus.open and need.opened_at is not None
    text = page_text(client.get(url))
    assert "Zur Bearbeitung zurücknehmen" in text and "Für Bündelung öffnen" not in text
    assert submit(client, f"{url}/reopen", {}, form_url=url).status_code == 302
    assert one(app, Need, Need.id == need_id).status is NeedStatus.draft
    assert submit(client, f"{url}/withdraw", {}, form_url=url).status_code == 302
    assert one(app, Need, Need.id == need_id).status is NeedStatus.withdrawn
    assert audit_actions(app)[-3:] == ["need.opened", "need.reopened", "need.withdrawn"]
    entry = one(app, AuditEntry, AuditEntry.action == "need.opened")
    assert (json.loads(entry.before), json.loads(entry.after)) == ({"status": "draft"}, {"status": "open"})


def test_only_officers_open_needs(app, client, demo, auth, make_need):
    need_id = make_need(TALHEIM_REQUESTER)
    auth.login(TALHEIM_REQUESTER)
    url = f"/needs/{need_id}"
    assert "Für Bündelung öffnen" not in page_text(client.get(url))
    response = submit(client, f"{url}/open", {}, form_url=url)
    assert response.status_code == 403
    assert one(app, Need, Need.id == need_id).status is NeedStatus.draft
    assert "need.opened" not in audit_actions(app)


def test_requester_may_withdraw_a_draft(app, client, demo, auth, make_need):
    need_id = make_need(TALHEIM_REQUESTER)
    auth.login(TALHEIM_REQUESTER)
    url = f"/needs/{need_id}"
    assert submit(client, f"{url}/withdraw", {}, form_url=url).status_code == 302
    assert one(app, Need, Need.id == need_id).status is NeedStatus.withdrawn


def test_opening_twice_is_a_conflict_with_a_german_message(app, client, demo, auth, make_need):
    need_id = make_need(TALHEIM_REQUESTER, open=True)
    auth.login(TALHEIM_OFFICER)
    url = f"/needs/{need_id}"
    response = submit(client, f"{url}/open", {}, form_url=url)
    assert response.status_code == 409
    assert "Die Aktion „Für Bündelung öffnen“ ist im Status „offen für Bündelung“ nicht möglich" in page_text(
        response
    )


def test_a_need_whose_delivery_period_is_over_cannot_be_opened(app, client, demo, auth, make_need):
    need_id = make_need(TALHEIM_REQUESTER, starts_in=1, lasts=10)
    url = f"/needs/{need_id}"
    with time_machine.travel(timedelta(days=30)):
        auth.login(TALHEIM_OFFICER)
        assert "Für Bündelung öffnen" not in page_text(client.get(url))
        response = submit(client, f"{url}/open", {}, form_url=url)
    assert response.status_code == 409
    assert "Lieferzeitraum ist bereits vorbei" in page_text(response)
    assert one(app, Need, Need.id == need_id).status is NeedStatus.draft


def test_action_without_csrf_token_changes_nothing(app, client, demo, auth, make_need):
    need_id = make_need(TALHEIM_REQUESTER)
    auth.login(TALHEIM_OFFICER)
    response = client.post(f"/needs/{need_id}/open")
    assert response.status_code == 400
    assert one(app, Need, Need.id == need_id).status is NeedStatus.draft


def test_need_form_without_csrf_token_saves_nothing(app, client, demo, auth):
    auth.login(TALHEIM_REQUESTER)
    response = client.post("/needs/new", data=form_data())
    assert response.status_code == 400
    assert count(app, Need) == 0


BAD_INPUT = [
    ({"quantity": "0"}, "Die Menge muss größer als 0 sein."),
    ({"quantity": "-3"}, "Die Menge muss größer als 0 sein."),
    ({"quantity": "1e20"}, "Bitte geben Sie eine Zahl ein"),
    ({"quantity": "100000000000"}, "Die Menge ist unplausibel groß."),
    ({"quantity": "drei"}, "Bitte geben Sie eine Zahl ein"),
    ({"estimated_value": "-1,00"}, "Der geschätzte Wert darf nicht negativ sein."),
    ({"estimated_value": "99999999999999"}, "Der geschätzte Wert ist unplausibel hoch"),
    ({"estimated_value": "NaN"}, "Bitte geben Sie eine Zahl ein"),
    ({"estimated_value": "Infinity"}, "Bitte geben Sie eine Zahl ein"),
    ({"estimated_value": "10,005"}, "höchstens zwei Nachkommastellen"),
    ({"estimated_value": ""}, "Bitte füllen Sie dieses Feld aus."),
    (
        {"cpv_code": "34996000-4"},
        "Die Prüfziffer des CPV-Codes 34996000-4 stimmt nicht (richtig wäre 34996000-5).",
    ),
    ({"cpv_code": "3499600"}, "ist kein CPV-Code"),
    ({"nuts_code": "Talheim"}, "Der NUTS-Code besteht aus Länderkennung"),
    ({"delivery_from": "31.02.2027"}, "Bitte geben Sie ein Datum ein"),
    ({"title": ""}, "Bitte füllen Sie dieses Feld aus."),
]


@pytest.mark.parametrize(("override", "message"), BAD_INPUT, ids=[str(o) for o, _ in BAD_INPUT])
def test_bad_input_is_refused_with_a_german_message_and_kept(app, client, demo, auth, override, message):
    auth.login(TALHEIM_REQUESTER)
    response = submit(client, "/needs/new", form_data(**override))
    assert response.status_code == 422
    assert message in page_text(response)
    assert count(app, Need) == 0
    value = next(iter(override.values()))
    if value:
        assert f'value="{value}"' in response.get_data(as_text=True)  # the input is kept


def test_delivery_end_before_start_is_refused(app, client, demo, auth):
    auth.login(TALHEIM_REQUESTER)
    data = form_data(
        delivery_from=(today() + timedelta(days=100)).isoformat(),
        delivery_until=(today() + timedelta(days=99)).isoformat(),
    )
    response = submit(client, "/needs/new", data)
    assert response.status_code == 422
    assert "Das Ende des Lieferzeitraums liegt vor seinem Beginn." in page_text(response)
    assert count(app, Need) == 0


def test_delivery_in_the_past_or_absurdly_far_ahead_is_refused(app, client, demo, auth):
    auth.login(TALHEIM_REQUESTER)
    past = form_data(delivery_from="2020-01-01", delivery_until="2020-12-31")
    assert "darf nicht in der Vergangenheit enden" in page_text(submit(client, "/needs/new", past))
    far = form_data(delivery_until="2999-12-31")
    assert "unplausibel weit in der Zukunft" in page_text(submit(client, "/needs/new", far))
    assert count(app, Need) == 0


def test_german_dates_are_accepted(app, client, demo, auth):
    auth.login(TALHEIM_REQUESTER)
    start, end = today() + timedelta(days=10), today() + timedelta(days=40)
    data = form_data(delivery_from=start.strftime("%d.%m.%Y"), delivery_until=end.strftime("%d.%m.%Y"))
    assert submit(client, "/needs/new", data).status_code == 302
    need = one(app, Need)
    assert (need.delivery_from, need.delivery_until) == (start, end)


def test_script_in_text_is_shown_escaped(app, client, demo, auth, make_need):
    auth.login(TALHEIM_REQUESTER)
    script = "<script>alert('x')</script>"
    response = submit(
        client, "/needs/new", form_data(title=f"Ampeln {script}", description=script, specification=script)
    )
    need = one(app, Need)
    html = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html
    assert response.status_code == 302
    auth.logout()
    auth.login(TALHEIM_OFFICER)
    assert "<script>alert" not in client.get("/dashboard").get_data(as_text=True)


def test_pages_contain_no_inline_script_or_style(app, client, demo, auth, make_need):
    need_id = make_need(TALHEIM_REQUESTER, open=True)
    make_need(BIRKENFELDE_OFFICER, open=True)
    auth.login(TALHEIM_OFFICER)
    for url in ["/dashboard", "/needs/new", f"/needs/{need_id}"]:
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "<script type" not in html, url
        assert " style=" not in html and "<style" not in html, url
        assert html.count("<h1") == 1, url
