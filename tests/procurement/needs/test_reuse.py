"""Nachnutzung: a need made from a published pilot project or solution."""

from __future__ import annotations

import json

import pytest

from procurement.audit.models import AuditEntry
from procurement.needs.models import Need
from tests.conftest import count, one, page_text, submit
from tests.procurement.needs.conftest import (
    BIRKENFELDE_OFFICER,
    TALHEIM_AUDITOR,
    TALHEIM_OFFICER,
    TALHEIM_REQUESTER,
    VENDOR,
    form_data,
)


def test_need_from_a_pilot_project_is_prefilled_with_its_specification_cpv_and_criteria(
    app, client, demo, auth, make_entry
):
    pilot = make_entry("pilot", BIRKENFELDE_OFFICER, codes=("34996000-5", "48000000-8"))
    auth.login(TALHEIM_OFFICER)
    response = client.get(f"/needs/new?pilot={pilot}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert 'value="34996000-5"' in html  # the first code is the main subject
    assert "Leistungsbeschreibung der Pilotkommune" in html
    assert "Preis; 40 %" in html and "Qualität; 60 %" in html
    assert 'value="Adaptive Verkehrssteuerung"' in html
    assert "Gemeinde Birkenfelde" in text and "48000000-8" in text  # further codes named
    assert 'value="DE118"' in html  # the place of performance is still Talheim's


def test_saving_a_reused_need_records_its_source_and_links_back(app, client, demo, auth, make_entry):
    pilot = make_entry("pilot", BIRKENFELDE_OFFICER)
    auth.login(TALHEIM_REQUESTER)
    url = f"/needs/new?pilot={pilot}"
    response = submit(
        client, url, form_data(specification="Leistungsbeschreibung der Pilotkommune, angepasst")
    )
    assert response.status_code == 302
    need = one(app, Need)
    assert need.source_pilot_project_id == pilot and need.source_solution_id is None
    assert need.specification == "Leistungsbeschreibung der Pilotkommune, angepasst"
    assert json.loads(one(app, AuditEntry, AuditEntry.action == "need.created").after)["source"] == (
        f"pilot_project:{pilot}"
    )
    page = client.get(f"/needs/{need.id}")
    assert "Modellprojekt „Adaptive Verkehrssteuerung“ von Gemeinde Birkenfelde" in page_text(page)
    assert f'href="/marketplace/pilots/{pilot}"' in page.get_data(as_text=True)


def test_need_from_a_solution_takes_its_description_standards_and_first_cpv_code(
    app, client, demo, auth, make_entry
):
    solution = make_entry("solution", VENDOR, title="Parkraumsensorik", codes=("34926000-4", "48000000-8"))
    auth.login(BIRKENFELDE_OFFICER)
    html = client.get(f"/needs/new?solution={solution}").get_data(as_text=True)
    assert 'value="34926000-4"' in html and "Beschreibung Parkraumsensorik" in html
    assert "OCIT-O, DATEX II" in html
    response = submit(client, f"/needs/new?solution={solution}", form_data(cpv_code="34926000-4"))
    assert response.status_code == 302
    need = one(app, Need)
    assert need.source_solution_id == solution and need.cpv_group == "34926"
    assert f'href="/marketplace/solutions/{solution}"' in client.get(f"/needs/{need.id}").get_data(
        as_text=True
    )


@pytest.mark.parametrize("kind", ["pilot", "solution"])
def test_unpublished_sources_are_not_found(app, client, demo, auth, make_entry, kind):
    owner = BIRKENFELDE_OFFICER if kind == "pilot" else VENDOR
    entry = make_entry(kind, owner, published=False)
    auth.login(TALHEIM_OFFICER)
    assert client.get(f"/needs/new?{kind}={entry}").status_code == 404
    response = submit(client, f"/needs/new?{kind}={entry}", form_data(), form_url="/needs/new")
    assert response.status_code == 404
    assert count(app, Need) == 0


@pytest.mark.parametrize("query", ["pilot=999", "solution=999", "pilot=abc", "solution=-1"])
def test_unknown_sources_are_not_found(app, client, demo, auth, query):
    auth.login(TALHEIM_OFFICER)
    assert client.get(f"/needs/new?{query}").status_code == 404


@pytest.mark.parametrize("email", [VENDOR, TALHEIM_AUDITOR])
def test_only_requesters_and_officers_make_needs_from_entries(app, client, demo, auth, make_entry, email):
    pilot = make_entry("pilot", BIRKENFELDE_OFFICER)
    auth.login(email)
    assert client.get(f"/needs/new?pilot={pilot}").status_code == 403
