"""Logging in and out through the real forms, as every demo role, in German and in English."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from procurement.accounts.models import Role
from tests.e2e.conftest import ROLES, demo_user, log_in, navigation, switch_language

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.value)
def test_every_role_can_log_in_and_out_in_german(page: Page, demo: None, base_url: str, role: Role) -> None:
    email, name, organisation = demo_user(role)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    navigation(page).get_by_role("link", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")

    log_in(page, email)

    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_text(f"Angemeldet als {name} ({organisation}).")).to_be_visible()
    expect(navigation(page).get_by_role("link", name=name, exact=True)).to_be_visible()

    navigation(page).get_by_role("button", name="Abmelden", exact=True).click()

    expect(page.get_by_text("Sie sind abgemeldet.")).to_be_visible()
    expect(navigation(page).get_by_role("link", name="Anmelden", exact=True)).to_be_visible()
    expect(navigation(page).get_by_role("link", name=name, exact=True)).to_have_count(0)
    expect(page.get_by_text("Angemeldet als")).to_have_count(0)


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.value)
def test_every_role_can_log_in_and_out_in_english(page: Page, demo: None, base_url: str, role: Role) -> None:
    email, name, organisation = demo_user(role)
    page.goto("/")
    switch_language(page, "English")
    navigation(page).get_by_role("link", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    log_in(page, email, submit_label="Log in")

    expect(page).to_have_url(f"{base_url}/")
    page.wait_for_load_state()
    lang = page.locator("html").get_attribute("lang")
    assert lang == "en", f"English, chosen before logging in, is lost after logging in (lang={lang!r})"
    expect(page.get_by_text(f"Logged in as {name} ({organisation}).")).to_be_visible()
    expect(navigation(page).get_by_role("link", name=name, exact=True)).to_be_visible()

    navigation(page).locator("form[action$='/logout'] button").click()

    # Logging out clears the session, language included: check what does not depend on it.
    expect(navigation(page).locator("a[href$='/login']")).to_be_visible()
    expect(navigation(page).get_by_role("link", name=name, exact=True)).to_have_count(0)


def test_wrong_password_shows_an_error_and_does_not_log_in(page: Page, demo: None) -> None:
    email, name, _organisation = demo_user(Role.officer)
    page.goto("/login")

    log_in(page, email, "Falsches-Passwort-2026")

    message = "E-Mail-Adresse oder Passwort ist falsch."
    expect(page.get_by_role("alert")).to_contain_text(message)
    password = page.get_by_label("Passwort", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(message)
    expect(navigation(page).get_by_role("link", name="Anmelden", exact=True)).to_be_visible()
    expect(navigation(page).get_by_role("button", name="Abmelden")).to_have_count(0)
    expect(navigation(page).get_by_role("link", name=name)).to_have_count(0)

    page.goto("/")
    expect(page.get_by_text("Angemeldet als")).to_have_count(0)
