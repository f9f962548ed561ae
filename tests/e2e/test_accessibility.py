"""Keyboard use, axe-core on the public pages (zero violations), screenshots for a human eye.

Screenshots go to test-artifacts/screenshots/ (gitignored).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from procurement.accounts.models import Role
from tests.e2e.conftest import (
    assert_no_axe_violations,
    demo_user,
    log_in,
    navigation,
    screenshot,
    switch_language,
)

pytestmark = pytest.mark.e2e

PAGES = {"start": "/", "login": "/login", "register": "/register"}
LANGUAGES = {"de": "Deutsch", "en": "English"}


def test_first_tab_focuses_the_skip_link_which_moves_focus_to_main(page: Page, demo: None) -> None:
    page.goto("/")

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    box = skip_link.bounding_box()
    assert box and box["width"] > 1 and box["height"] > 1, f"focused skip link is not visible: {box}"

    page.keyboard.press("Enter")

    expect(page.locator("#main")).to_be_focused()
    expect(page).to_have_url(page.url.split("#")[0] + "#main")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_public_page_has_no_axe_violations(page: Page, demo: None, name: str, language: str) -> None:
    page.goto("/")
    if language == "en":
        switch_language(page, "English")
    page.goto(PAGES[name])
    expect(page.locator("html")).to_have_attribute("lang", language)

    screenshot(page, f"{name}-{language}")
    assert_no_axe_violations(page)


def test_login_page_with_validation_errors_has_no_axe_violations(page: Page, demo: None) -> None:
    page.goto("/login")
    page.locator("main form").get_by_role("button", name="Anmelden", exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text("Bitte korrigieren Sie die markierten Angaben")
    expect(page.get_by_label("E-Mail-Adresse")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Passwort", exact=True)).to_have_attribute("aria-invalid", "true")

    screenshot(page, "login-errors-de")
    assert_no_axe_violations(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_start_page_of_a_logged_in_officer_has_no_axe_violations(
    page: Page, demo: None, language: str
) -> None:
    email, name, _organisation = demo_user(Role.officer)
    page.goto("/login")
    log_in(page, email)
    expect(navigation(page).get_by_role("link", name=name, exact=True)).to_be_visible()
    if language == "en":
        switch_language(page, "English")

    screenshot(page, f"start-logged-in-{language}")
    assert_no_axe_violations(page)
