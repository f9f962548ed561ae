"""The municipality dashboard: needs by status, proposals, invitations, pilot projects nearby."""

from __future__ import annotations

from procurement.accounts.models import Organisation
from tests.conftest import one, page_text
from tests.procurement.needs.conftest import (
    BIRKENFELDE_OFFICER,
    NORDHAFEN_OFFICER,
    TALHEIM_AUDITOR,
    TALHEIM_OFFICER,
    TALHEIM_REQUESTER,
)


def section(text: str, start: str, end: str | None = None) -> str:
    part = text.split(start, 1)[1]
    return part.split(end, 1)[0] if end else part


def test_needs_are_grouped_by_status_with_the_buttons_of_the_role(app, client, demo, auth, make_need):
    make_need(TALHEIM_REQUESTER, title="Entwurf A")
    make_need(TALHEIM_REQUESTER, title="Offen B", open=True)
    auth.login(TALHEIM_REQUESTER)
    text = page_text(client.get("/dashboard"))
    assert "Entwurf (1)" in text and "offen für Bündelung (1)" in text
    drafts = section(text, "Entwurf (1)", "offen für Bündelung (1)")
    assert "Entwurf A" in drafts and "Bearbeiten" in drafts and "Bedarf zurückziehen" in drafts
    assert "Für Bündelung öffnen" not in drafts  # requesters do not open needs
    assert "Bündelungsvorschläge" not in text  # nor see other municipalities' needs
    auth.logout()

    auth.login(TALHEIM_OFFICER)
    text = page_text(client.get("/dashboard"))
    assert "Für Bündelung öffnen : Entwurf A" in text
    assert "Zur Bearbeitung zurücknehmen : Offen B" in text


def test_auditor_sees_needs_without_buttons(app, client, demo, auth, make_need):
    make_need(TALHEIM_REQUESTER, title="Entwurf A")
    auth.login(TALHEIM_AUDITOR)
    text = page_text(client.get("/dashboard"))
    assert "Entwurf A" in text
    assert "Bearbeiten" not in text and "zurückziehen" not in text and "Neuen Bedarf erfassen" not in text


def test_proposal_says_how_many_municipalities_need_something_similar_and_crosses_the_threshold(
    app, client, demo, auth, make_need
):
    make_need(TALHEIM_REQUESTER, open=True, title="Verkehrsrechner Talheim", value="108000.00")
    make_need(BIRKENFELDE_OFFICER, open=True, title="Signalanlagen Birkenfelde", value="108000.00")
    auth.login(TALHEIM_OFFICER)
    text = page_text(client.get("/dashboard"))
    proposals = section(text, "Bündelungsvorschläge", "Einladungen zu gemeinsamen Ausschreibungen")
    assert "2 Kommunen brauchen etwas Ähnliches" in proposals
    assert "Signalanlagen Birkenfelde" in proposals and "Gemeinde Birkenfelde" in proposals
    assert "Summe 216.000,00 € netto: erreicht den EU-Schwellenwert von 216.000,00 €" in proposals
    assert "Delegierte Verordnungen (EU) 2025/2152" in proposals


def test_proposal_below_the_threshold_says_national_rules_apply(app, client, demo, auth, make_need):
    make_need(TALHEIM_REQUESTER, open=True, value="108000.00")
    make_need(BIRKENFELDE_OFFICER, open=True, value="107999.99")
    auth.login(BIRKENFELDE_OFFICER)
    text = page_text(client.get("/dashboard"))
    assert "Summe 215.999,99 € netto: unter dem EU-Schwellenwert von 216.000,00 €" in text
    assert "nationalen Vergaberegeln" in text


def test_only_proposals_that_concern_the_municipality_are_shown(app, client, demo, auth, make_need):
    make_need(BIRKENFELDE_OFFICER, open=True, title="Signalanlagen Birkenfelde")
    make_need(NORDHAFEN_OFFICER, open=True, title="Ampeln Nordhafen")
    make_need(TALHEIM_REQUESTER, open=True, title="Software Talheim", cpv_code="48000000-8")
    auth.login(TALHEIM_OFFICER)
    text = page_text(client.get("/dashboard"))
    assert "Zurzeit gibt es keine Bündelungsvorschläge für Ihre offenen Bedarfe." in text
    assert "Signalanlagen Birkenfelde" not in text
    auth.logout()
    auth.login(NORDHAFEN_OFFICER)
    assert "Signalanlagen Birkenfelde" in page_text(client.get("/dashboard"))


def test_drafts_and_periods_that_do_not_overlap_make_no_proposal(app, client, demo, auth, make_need):
    make_need(TALHEIM_REQUESTER, open=True, starts_in=10, lasts=30)
    make_need(BIRKENFELDE_OFFICER, open=True, starts_in=100, lasts=30, title="Später")
    make_need(NORDHAFEN_OFFICER, open=False, starts_in=10, lasts=30, title="Nur ein Entwurf")
    auth.login(TALHEIM_OFFICER)
    text = page_text(client.get("/dashboard"))
    assert "Kommunen brauchen etwas Ähnliches" not in text
    assert "Später" not in text and "Nur ein Entwurf" not in text


def test_open_needs_of_other_municipalities_appear_only_in_proposals(app, client, demo, auth, make_need):
    talheim = make_need(TALHEIM_REQUESTER, open=True)
    birkenfelde = make_need(BIRKENFELDE_OFFICER, open=True, title="Signalanlagen Birkenfelde")
    auth.login(TALHEIM_OFFICER)
    html = client.get("/dashboard").get_data(as_text=True)
    assert f'href="/needs/{talheim}"' in html
    assert f'href="/needs/{birkenfelde}"' not in html  # no link to another municipality's need
    assert client.get(f"/needs/{birkenfelde}").status_code == 404


def test_pilot_projects_nearby_are_published_ones_of_the_same_nuts1_region_newest_first(
    app, client, demo, auth, make_entry, make_municipality
):
    near = make_municipality("Gemeinde Nahbach", "08125098", "DE113")  # Baden-Württemberg (DE1)
    talheim = one(app, Organisation, Organisation.ags == "08125099").id
    for age in range(7):
        make_entry(
            "pilot", TALHEIM_OFFICER, organisation_id=near, title=f"Nahbach {age}", published_days_ago=age
        )
    make_entry("pilot", TALHEIM_OFFICER, organisation_id=near, title="Nahbach Entwurf", published=False)
    make_entry("pilot", TALHEIM_OFFICER, organisation_id=talheim, title="Eigenes Projekt")
    make_entry("pilot", BIRKENFELDE_OFFICER, title="Hessisches Projekt")  # DE7
    auth.login(TALHEIM_REQUESTER)
    response = client.get("/dashboard")
    text = section(page_text(response), "Modellprojekte in Ihrer Nähe")
    assert [f"Nahbach {age}" in text for age in range(7)] == [True] * 5 + [False] * 2
    assert text.index("Nahbach 0") < text.index("Nahbach 4")
    assert "Nahbach Entwurf" not in text and "Eigenes Projekt" not in text and "Hessisches" not in text
    assert "/marketplace/pilots/" in response.get_data(as_text=True)


def test_no_pilot_projects_nearby_is_said(app, client, demo, auth):
    auth.login(NORDHAFEN_OFFICER)
    assert "gibt es noch keine veröffentlichten Modellprojekte" in page_text(client.get("/dashboard"))
