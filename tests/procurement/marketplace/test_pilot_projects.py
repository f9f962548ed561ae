"""Pilot projects (Modellprojekte): a municipality's officers document them for others to reuse."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from procurement.errors import DomainError
from procurement.marketplace import services
from procurement.marketplace.models import Category, PilotProject
from tests.conftest import count, one, page_text, submit
from tests.procurement.marketplace.conftest import (
    AUDITOR,
    CURATOR,
    OFFICER,
    OTHER_OFFICER,
    REQUESTER,
    VENDOR,
    pilot_form,
)
from workflows.curation import EntryStatus

NEW = "/marketplace/pilots/new"


def test_officer_documents_a_pilot_project_with_the_solutions_it_used(app, client, market, sign_in):
    used = market.solution(status="published")
    sign_in(OFFICER)
    response = submit(client, NEW, pilot_form(solutions=[str(used)]))
    assert response.status_code == 302

    project = one(app, PilotProject, PilotProject.title == "Hochwasser-Frühwarnung an der Lauter")
    project = market.get(PilotProject, project.id)
    assert project.status is EntryStatus.draft
    assert project.category is Category.disaster_protection
    assert (project.period_start, project.period_end) == (date(2024, 4, 1), date(2025, 3, 31))
    assert project.budget == Decimal("95000.00")
    assert project.funded and project.funding_programme == "Modellprojekte Smart Cities"
    assert project.award_criteria == "Preis; 30 %\nQualität; 50 %\nWartung; 20 %"
    assert [solution.id for solution in project.solutions] == [used]
    assert project.cpv_codes == ["35120000-1"]


@pytest.mark.parametrize("email", [REQUESTER, AUDITOR, VENDOR, CURATOR])
def test_only_officers_of_a_municipality_document_pilot_projects(app, client, market, sign_in, email):
    sign_in(email)
    assert client.get(NEW).status_code == 403
    assert count(app, PilotProject) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("award_criteria", "Preis; 40 %\nQualität; 50 %", "Die Gewichtungen ergeben zusammen 90 %"),
        ("award_criteria", "Preis 40 %", "Zeile 1 hat nicht die Form „Kriterium; Gewichtung %“"),
        ("award_criteria", "Preis; 0 %\nQualität; 100 %", "Zeile 1: Die Gewichtung muss größer als 0"),
        ("award_criteria", "Preis; 50\npreis; 50", "Das Kriterium „preis“ steht mehrfach in der Liste."),
        ("period_end", "2024-03-31", "Das Ende des Projekts darf nicht vor seinem Beginn liegen."),
        ("period_start", "", "Bitte geben Sie den Projektbeginn an."),
        ("budget", "-5", "Der Betrag darf nicht negativ sein."),
        ("budget", "99.999.999.999,00", "Der Betrag ist unrealistisch hoch."),
        ("funding_programme", "", "Bitte nennen Sie das Förderprogramm."),
        ("cpv_codes", "35120000-2", "Die Prüfziffer des CPV-Codes 35120000-2 stimmt nicht"),
    ],
)
def test_bad_pilot_project_input_is_refused_with_a_german_message(
    app, client, market, sign_in, field, value, message
):
    sign_in(OFFICER)
    response = submit(client, NEW, pilot_form(**{field: value}))
    assert response.status_code == 422
    assert message in page_text(response)
    assert count(app, PilotProject) == 0


def test_criteria_with_decimal_weights_that_sum_to_100_are_accepted(app_ctx):
    criteria = services.parse_award_criteria("Preis; 33,5 %\n\nQualität;66.5%\n")
    assert [(c.name, c.weight) for c in criteria] == [
        ("Preis", Decimal("33.5")),
        ("Qualität", Decimal("66.5")),
    ]


def test_no_criteria_is_fine(app_ctx):
    assert services.parse_award_criteria("  \n") == []


def test_the_service_refuses_criteria_that_do_not_sum_to_100(app_ctx):
    with pytest.raises(DomainError, match="110"):
        services.parse_award_criteria("Preis; 60\nQualität; 50")


def test_a_pilot_project_cannot_name_an_unpublished_solution(app, client, market, sign_in):
    draft = market.solution()
    sign_in(OFFICER)
    page = client.get(NEW)
    assert "Adaptive Ampelsteuerung" not in page_text(page)
    response = submit(client, NEW, pilot_form(solutions=[str(draft)]))
    assert response.status_code == 422
    assert "Bitte wählen Sie nur veröffentlichte Lösungen aus dem Marktplatz." in page_text(response)
    assert count(app, PilotProject) == 0


def test_the_service_refuses_links_to_unpublished_solutions(app, market):
    from dataclasses import replace

    from sqlalchemy import select

    from procurement.accounts.models import User
    from procurement.extensions import db
    from tests.procurement.marketplace.conftest import NOW, PILOT

    draft = market.solution()
    with app.test_request_context():
        officer = db.session.scalars(select(User).where(User.email == OFFICER)).one()
        with pytest.raises(DomainError, match="veröffentlichte Lösungen"):
            services.create_pilot_project(officer, replace(PILOT, solution_ids=[draft]), NOW)


def test_an_officer_of_another_municipality_cannot_edit_the_pilot_project(client, market, sign_in):
    draft = market.pilot()
    published = market.pilot(status="published")
    sign_in(OTHER_OFFICER)
    assert client.get(f"/marketplace/pilots/{draft}/edit").status_code == 404
    assert client.get(f"/marketplace/pilots/{published}/edit").status_code == 403
    response = submit(client, f"/marketplace/pilots/{published}/edit", pilot_form(), form_url=NEW)
    assert response.status_code == 403
    assert market.get(PilotProject, published).title == "Smarte Ampeln in der Innenstadt"


def test_a_requester_of_the_same_municipality_sees_the_draft_but_does_not_edit_it(client, market, sign_in):
    draft = market.pilot()
    sign_in(REQUESTER)
    assert client.get(f"/marketplace/pilots/{draft}").status_code == 200
    assert client.get(f"/marketplace/pilots/{draft}/edit").status_code == 403


def test_officer_edits_the_draft_and_keeps_linked_solutions_in_step(app, client, market, sign_in):
    first = market.solution(status="published")
    second = market.solution(status="published", title="Parkleitsystem")
    project_id = market.pilot(solution_ids=[first])
    sign_in(OFFICER)
    url = f"/marketplace/pilots/{project_id}/edit"
    html = client.get(url).get_data(as_text=True)
    assert "Smarte Ampeln in der Innenstadt" in html and "180.000,00" in html
    response = submit(client, url, pilot_form(solutions=[str(second)], period_end=""))
    assert response.status_code == 302
    project = market.get(PilotProject, project_id)
    assert [solution.id for solution in project.solutions] == [second]
    assert project.period_end is None


def test_a_published_pilot_project_shows_contact_criteria_and_reuse_to_everybody(client, market):
    project_id = market.pilot(status="published")
    text = page_text(client.get(f"/marketplace/pilots/{project_id}"))
    assert "Modellprojekt von Stadt Talheim an der Lauter" in text
    assert "Ansprechperson Oskar Vergabe smartcity@talheim.example" in text
    assert "Preis 40 % Qualität 60 %" in text
    assert "Lieferung und Einbau adaptiver Steuergeräte." in text
    assert "01.03.2025 bis 31.12.2025" in text
    assert "180.000,00 €" in text and "gefördert: Modellprojekte Smart Cities" in text


@pytest.mark.parametrize(
    ("email", "offered"),
    [
        (OFFICER, True),
        (REQUESTER, True),
        (OTHER_OFFICER, True),
        (AUDITOR, False),
        (VENDOR, False),
        (CURATOR, False),
        (None, False),
    ],
)
def test_municipal_buyers_get_a_button_to_draft_a_need_from_a_published_entry(
    client, market, sign_in, email, offered
):
    project_id = market.pilot(status="published")
    solution_id = market.solution(status="published")
    sign_in(email)
    pilot_html = client.get(f"/marketplace/pilots/{project_id}").get_data(as_text=True)
    solution_html = client.get(f"/marketplace/solutions/{solution_id}").get_data(as_text=True)
    assert (f'href="/needs/new?pilot={project_id}"' in pilot_html) is offered
    assert (f'href="/needs/new?solution={solution_id}"' in solution_html) is offered
    assert ("Bedarf daraus erstellen" in pilot_html) is offered


def test_no_need_button_on_a_draft(client, market, sign_in):
    project_id = market.pilot()
    sign_in(OFFICER)
    assert "Bedarf daraus erstellen" not in page_text(client.get(f"/marketplace/pilots/{project_id}"))


def test_pilot_page_names_only_solutions_the_visitor_may_see(client, market):
    solution_id = market.solution(status="published")
    project_id = market.pilot(status="published", solution_ids=[solution_id])
    assert "Adaptive Ampelsteuerung" in page_text(client.get(f"/marketplace/pilots/{project_id}"))
    assert "Smarte Ampeln in der Innenstadt" in page_text(client.get(f"/marketplace/solutions/{solution_id}"))
