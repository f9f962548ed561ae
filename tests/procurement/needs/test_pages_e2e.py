"""The needs pages in a browser: axe-core finds no violations (Debian's chromium, Playwright).

Uses the live server and browser fixtures of tests/e2e/conftest.py.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (  # noqa: F401 - fixtures used by the tests below
    assert_no_axe_violations,
    base_url,
    browser_context_args,
    browser_type_launch_args,
    live_server,
    log_in,
    page,
    screenshot,
)
from tests.procurement.needs.conftest import BIRKENFELDE_OFFICER, TALHEIM_OFFICER, TALHEIM_REQUESTER

pytestmark = pytest.mark.e2e


def test_needs_pages_have_no_axe_violations(page: Page, make_need) -> None:  # noqa: F811
    own = make_need(TALHEIM_REQUESTER, open=True, title="Verkehrsrechner Talheim", value="108000.00")
    make_need(TALHEIM_REQUESTER, title="Entwurf Talheim")
    make_need(BIRKENFELDE_OFFICER, open=True, title="Signalanlagen Birkenfelde", value="108000.00")
    page.goto("/login")
    log_in(page, TALHEIM_OFFICER)
    expect(page.get_by_role("link", name="Übersicht")).to_be_visible()

    page.goto("/dashboard")
    expect(page.get_by_role("heading", name="2 Kommunen brauchen etwas Ähnliches")).to_be_visible()
    screenshot(page, "needs-dashboard-de")
    assert_no_axe_violations(page)

    page.goto(f"/needs/{own}")
    assert_no_axe_violations(page)

    page.goto("/needs/new")
    page.get_by_role("button", name="Bedarf speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("Bitte korrigieren Sie die markierten Angaben")
    screenshot(page, "needs-form-errors-de")
    assert_no_axe_violations(page)

    page.goto("/dashboard")
    page.get_by_role("link", name="Zur gemeinsamen Ausschreibung einladen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2 Kommunen brauchen etwas Ähnliches")
    assert_no_axe_violations(page)
    page.get_by_label("Nachricht an die eingeladenen Vergabestellen").fill("Gemeinsam ausschreiben?")
    page.get_by_role("button", name="Einladung senden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Einladung zur gemeinsamen Ausschreibung")
    screenshot(page, "needs-invitation-de")
    assert_no_axe_violations(page)
