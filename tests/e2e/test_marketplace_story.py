"""The marketplace story in the browser: a municipality without funding learns from a pilot
project, turns it into a need and finds others to buy together with."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from procurement.accounts.models import User
from procurement.database import utcnow
from procurement.needs.models import Need
from tests.conftest import one
from tests.e2e.conftest import assert_no_axe_violations, log_in, navigation, screenshot
from workflows.need import NeedStatus

pytestmark = pytest.mark.e2e

OFFICER = "vergabe@kleinmoorbach.example"  # Gemeinde Kleinmoorbach: no funding programme
PILOT = "Belegung des Pendlerparkplatzes am Bahnhof Birkenfelde"


def test_unfunded_officer_finds_a_pilot_creates_a_need_and_sees_a_bundling_proposal(
    app, page: Page, demo_marketplace: None
) -> None:
    page.goto("/login")
    log_in(page, OFFICER)

    navigation(page).get_by_role("link", name="Marktplatz", exact=True).click()
    page.get_by_label("Suchbegriffe").fill("Pendlerparkplatz")
    page.get_by_role("button", name="Suchen").click()
    expect(page.get_by_role("link", name=PILOT)).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "story-1-search")

    page.get_by_role("link", name=PILOT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PILOT)
    assert_no_axe_violations(page)
    screenshot(page, "story-2-pilot")

    page.get_by_role("link", name="Bedarf daraus erstellen").click()
    expect(page.get_by_label("CPV-Code", exact=False).first).to_have_value("34926000-4")
    start = utcnow().date().replace(day=1) + timedelta(days=130)
    page.get_by_label("Titel", exact=True).fill("Sensoren für den Parkplatz am Dorfgemeinschaftshaus")
    page.get_by_label("Menge", exact=True).fill("24")
    page.get_by_label("Einheit", exact=True).fill("Sensoren")
    page.get_by_label("Geschätzter Auftragswert", exact=False).fill("9.600,00")
    page.get_by_label("Gewünschte Lieferung ab").fill(start.isoformat())
    page.get_by_label("Gewünschte Lieferung bis").fill((start + timedelta(days=120)).isoformat())
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Bedarf speichern").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sensoren für den Parkplatz am Dorfgemeinschaftshaus"
    )
    page.get_by_role("button", name="Für Bündelung öffnen").click()
    expect(page.get_by_text("Der Bedarf ist offen")).to_be_visible()
    need = one(app, Need, Need.title == "Sensoren für den Parkplatz am Dorfgemeinschaftshaus")
    officer = one(app, User, User.email == OFFICER)
    assert need.status is NeedStatus.open and need.organisation_id == officer.organisation_id
    assert need.source_pilot_project_id is not None

    navigation(page).get_by_role("link", name="Übersicht", exact=True).click()
    proposal = page.get_by_text("4 Kommunen brauchen etwas Ähnliches")
    expect(proposal.first).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "story-3-dashboard")
