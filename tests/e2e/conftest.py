"""Browser tests: the app served on a free local port, driven by Debian's chromium (Playwright).

pytest-playwright provides the `browser`, `context` and `page` fixtures; the overrides below
point it at /usr/bin/chromium (Playwright's own browser download is not used) and at the
live server. Every test module here sets `pytestmark = pytest.mark.e2e`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from werkzeug.serving import make_server

from procurement.accounts.models import Role
from procurement.demo import DEMO_PASSWORD, ORGANISATIONS, USERS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


# --- server and browser -------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The test app on 127.0.0.1 and a free port, in a background thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-playwright's base URL: `page.goto("/login")` goes to the live server."""
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's chromium; fail (not skip) when it is missing."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"The browser tests need Debian's chromium at {CHROMIUM}: run `apt-get install chromium` "
            "(Playwright's own browser download is not used).",
            pytrace=False,
        )
    return {
        "headless": True,
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_context_args,
        "locale": "de-DE",
        "timezone_id": "Europe/Berlin",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture
def page(page: Page) -> Page:
    page.set_default_timeout(10_000)
    return page


# --- demo users ---------------------------------------------------------------------------


def demo_user(role: Role) -> tuple[str, str, str]:
    """(e-mail, name, organisation name) of the first demo user with ``role``."""
    organisations = {spec.key: spec.name for spec in ORGANISATIONS}
    for key, email, name, roles in USERS:
        if role in roles:
            return email, name, organisations[key]
    raise LookupError(role)


ROLES = [Role.requester, Role.officer, Role.auditor, Role.vendor, Role.curator, Role.admin]


# --- page helpers -------------------------------------------------------------------------


def navigation(page: Page) -> Locator:
    return page.locator("header nav")


def log_in(page: Page, email: str, password: str = DEMO_PASSWORD, *, submit_label: str = "Anmelden") -> None:
    """Fill and send the login form on the current page (the login page)."""
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form").get_by_role("button", name=submit_label, exact=True).click()


def switch_language(page: Page, button: str) -> None:
    """Press the language button in the navigation ("English" or "Deutsch")."""
    lang = "en" if button == "English" else "de"
    navigation(page).get_by_role("button", name=button, exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def assert_no_axe_violations(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"axe on {page.url}:\n{results.generate_report()}"


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
