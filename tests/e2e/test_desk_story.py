"""The support desk in the browser: a non-funded municipality asks the Kompetenzzentrum for help,
a curator answers and introduces a pilot municipality, both see the conversation, the
municipality replies (the request opens again), and the answer becomes an anonymised FAQ entry
that the marketplace search finds."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from procurement.desk.models import AdvisoryRequest, FaqEntry, Introduction
from tests.conftest import Mailbox, one
from tests.e2e.conftest import assert_no_axe_violations, log_in, navigation, screenshot
from workflows.advisory import AdvisoryStatus

pytestmark = pytest.mark.e2e

ASKER = "bedarf@kleinmoorbach.example"  # Tobias Heide, Gemeinde Kleinmoorbach: no funding
CURATOR = "kuratorin@kompetenzzentrum.example"
PILOT_OFFICER = "vergabe@talheim.example"  # Stadt Talheim an der Lauter: the LED pilot project
SUBJECT = "Straßenbeleuchtung auf LED umstellen"
QUESTION = (
    "Wir möchten die Straßenbeleuchtung unserer Gemeinde auf LED umstellen, haben aber keine "
    "Erfahrung damit. Welche Lösung passt zu einer Gemeinde mit 900 Einwohnern?"
)
ANSWER = (
    "Guten Tag Herr Heide, für Kleinmoorbach bieten sich LED-Leuchten mit Nachtabsenkung an. "
    "Die Stadt Talheim an der Lauter hat das schon umgesetzt; wir stellen Sie einander vor."
)
REPLY = "Danke! Gibt es eine Förderung für die Umrüstung?"
FAQ_QUESTION = "Welche Lösung passt für die LED-Straßenbeleuchtung einer kleinen Gemeinde?"
FAQ_ANSWER = (
    "LED-Leuchten mit Nachtabsenkung. Die Stadt Talheim an der Lauter hat das schon umgesetzt; "
    "das Kompetenzzentrum stellt den Kontakt her."
)


def _log_in_as(page: Page, email: str) -> None:
    page.goto("/login")
    log_in(page, email)
    expect(navigation(page).get_by_role("button", name="Abmelden")).to_be_visible()


def _log_out(page: Page) -> None:
    navigation(page).get_by_role("button", name="Abmelden").click()


def _check(page: Page, name: str) -> None:
    assert_no_axe_violations(page)
    screenshot(page, f"desk-{name}")


def test_non_funded_municipality_asks_curator_answers_introduces_a_pilot_and_publishes_a_faq(
    app, page: Page, demo_marketplace: None, mailbox: Mailbox
) -> None:
    started = time.monotonic()

    # 1. the municipality asks for help
    _log_in_as(page, ASKER)
    navigation(page).get_by_role("link", name="Beratung", exact=True).click()
    _check(page, "1-my-requests")
    page.get_by_role("link", name="Neue Anfrage").first.click()
    page.get_by_label("Thema").select_option(label="Eine Lösung finden")
    page.get_by_label("Betreff").fill(SUBJECT)
    page.get_by_label("Ihre Frage").fill(QUESTION)
    _check(page, "2-new-request")
    page.get_by_role("button", name="Anfrage senden").click()
    expect(page.get_by_text("Ihre Anfrage ist beim Kompetenzzentrum eingegangen.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    expect(page.locator("#request-status")).to_have_text("Neu")
    _check(page, "3-request-sent")
    request_url = page.url
    _log_out(page)

    # 2. the curator sees it in the queue, marked as not funded, and takes it
    _log_in_as(page, CURATOR)
    navigation(page).get_by_role("link", name="Anfragen", exact=True).click()
    row = page.locator("#queue tbody tr", has_text=SUBJECT)
    expect(row).to_contain_text("Gemeinde Kleinmoorbach")
    expect(row).to_contain_text("nicht gefördert")
    _check(page, "4-queue")
    row.get_by_role("link", name=SUBJECT).click()
    expect(page.locator("#request-facts")).to_contain_text("nicht gefördert")
    page.get_by_label("Zuständig").select_option(label="Clara Kuratorin")
    page.get_by_role("button", name="Zuweisen").click()
    expect(page.locator("#request-assignee")).to_have_text("Clara Kuratorin")
    expect(page.locator("#request-status")).to_have_text("In Bearbeitung")

    # 3. she answers and introduces Talheim, which ran a matching pilot project
    page.get_by_label("Antwort", exact=True).fill(ANSWER)
    page.get_by_role("button", name="Antwort senden").click()
    expect(page.locator("#request-status")).to_have_text("Beantwortet")
    project = page.get_by_label("Pilotprojekt")
    talheim = project.locator("option", has_text="LED-Umrüstung mit Nachtabsenkung").first
    project.select_option(value=talheim.get_attribute("value"))
    page.get_by_label("Nachricht an beide Kommunen (optional)").fill("Sie haben dieselbe Frage gelöst.")
    page.get_by_role("button", name="Kommunen miteinander bekannt machen").click()
    expect(page.locator("#introductions")).to_contain_text("Stadt Talheim an der Lauter")
    _check(page, "5-answered-and-introduced")
    advisory = one(app, AdvisoryRequest, AdvisoryRequest.subject == SUBJECT)
    assert advisory.status is AdvisoryStatus.answered
    assert one(app, Introduction, Introduction.request_id == advisory.id).pilot_project_id is not None
    assert mailbox.to(ASKER) and mailbox.to(PILOT_OFFICER)
    _log_out(page)

    # 4. the municipality reads the conversation and replies: the request opens again
    _log_in_as(page, ASKER)
    page.goto(request_url)
    conversation = page.locator("#conversation")
    expect(conversation).to_contain_text(QUESTION)
    expect(conversation).to_contain_text(ANSWER)
    expect(page.locator("#introductions")).to_contain_text("Stadt Talheim an der Lauter")
    page.get_by_label("Nachricht").fill(REPLY)
    page.get_by_role("button", name="Senden", exact=True).click()
    expect(conversation).to_contain_text(REPLY)
    expect(page.locator("#request-status")).not_to_have_text("Beantwortet")
    _check(page, "6-municipality-replied")
    assert one(app, AdvisoryRequest, AdvisoryRequest.id == advisory.id).status is not AdvisoryStatus.answered
    _log_out(page)

    # 5. the curator sees the reply and turns her answer into an FAQ entry, anonymised
    _log_in_as(page, CURATOR)
    page.goto(request_url)
    expect(page.locator("#conversation")).to_contain_text(REPLY)
    page.get_by_role("link", name="Antwort anonymisiert in die häufigen Fragen übernehmen").click()
    expect(page.get_by_label("Antwort", exact=True)).to_have_value(ANSWER)
    findings = page.locator("#anonymisation-findings")
    expect(findings).to_contain_text("Kleinmoorbach")
    expect(findings).to_contain_text("Heide")
    _check(page, "7-faq-from-request")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_role("button", name="Veröffentlichen").click()
    expect(page.locator("#faq-error")).to_contain_text("nicht veröffentlicht")
    assert one(app, FaqEntry).published_at is None
    page.get_by_label("Frage", exact=True).fill(FAQ_QUESTION)
    page.get_by_label("Antwort", exact=True).fill(FAQ_ANSWER)
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator("#anonymisation-ok")).to_be_visible()
    page.get_by_role("button", name="Veröffentlichen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FAQ_QUESTION)
    _check(page, "8-faq-published")
    _log_out(page)

    # 6. anyone finds the answer in the FAQ and next to the marketplace's results
    navigation(page).get_by_role("link", name="Häufige Fragen", exact=True).click()
    page.get_by_label("Suchbegriffe").fill("strassenbeleuchtung")
    page.get_by_role("button", name="Suchen").click()
    expect(page.get_by_role("link", name=FAQ_QUESTION)).to_be_visible()
    _check(page, "9-faq-search")
    navigation(page).get_by_role("link", name="Marktplatz", exact=True).click()
    page.get_by_label("Suchbegriffe").fill("Nachtabsenkung")
    page.get_by_role("button", name="Suchen").click()
    faq_group = page.locator("#faq-results")
    expect(faq_group.get_by_role("link", name=FAQ_QUESTION)).to_be_visible()
    _check(page, "10-marketplace-search")

    assert time.monotonic() - started < 60
