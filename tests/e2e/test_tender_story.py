"""The joint tender story of issue 5 in the browser: from a bundling proposal to a published
tender that a vendor finds, downloads and asks about, and the lead's public answer.

Only the needs behind the bundling proposal are made through the services (the marketplace
story covers making needs in the browser); everything else is clicks and form fills, each user
in a browser context of their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import select

from procurement.accounts.models import User
from procurement.audit.models import AuditEntry
from procurement.database import utcnow
from procurement.demo import ORGANISATIONS, USERS
from procurement.extensions import db
from procurement.needs import services as need_services
from procurement.reference.deadlines import Procedure
from procurement.tenders.advisor import BERLIN
from procurement.tenders.models import (
    DocumentDownload,
    ParticipantStatus,
    Question,
    Tender,
)
from tests.conftest import Mailbox
from tests.e2e.conftest import assert_no_axe_violations, log_in, navigation, screenshot
from workflows.need import NeedStatus
from workflows.tender import TenderStatus

pytestmark = pytest.mark.e2e

LEAD = "vergabe@talheim.example"  # officer of Talheim: the lead authority (§4 VgV)
LEAD_REQUESTER = "bedarf@talheim.example"
PARTNER = "vergabe@birkenfelde.example"
THIRD = "vergabe@nordhafen.example"
VENDOR = "angebot@verkehrstechnik-sued.example"

CPV = "34996000-5"  # control, safety or signalling equipment for roads
TITLE = "Verkehrsrechner für Talheim, Birkenfelde und Nordhafen"
DOCUMENT = "Leistungsbeschreibung Verkehrsrechner"
QUESTION = "Müssen die Verkehrsrechner die OCIT-O-Schnittstelle in Version 3 unterstützen?"
ANSWER = "Ja, gefordert ist OCIT-O ab Version 3.0; ältere Versionen genügen nicht."


# --- setup: the needs behind the proposal, the document, the users ------------------------


def _user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


@pytest.fixture
def proposal_needs(app: Flask, demo: None) -> dict[str, int]:
    """Open needs of Talheim, Birkenfelde and Nordhafen in CPV group 34996 whose delivery
    windows overlap: together above the EU threshold for supplies, so a bundling proposal for
    an EU procedure exists."""
    needs = {
        # (author, officer who opens it): title, quantity, estimated value
        (LEAD_REQUESTER, LEAD): ("Verkehrsrechner für die Ortsdurchfahrt Talheim", "4", "100000.00"),
        (PARTNER, PARTNER): ("Verkehrsrechner Birkenfelde", "6", "150000.00"),
        (THIRD, THIRD): ("Verkehrsrechner am Hafen Nordhafen", "2", "50000.00"),
    }
    ids = {}
    with app.test_request_context():
        now = utcnow()
        for (author, officer), (title, quantity, value) in needs.items():
            actor = _user(author)
            need = need_services.create_need(
                actor,
                need_services.NeedData(
                    title=title,
                    description="Lieferung, Montage und Inbetriebnahme.",
                    cpv_code=CPV,
                    quantity=Decimal(quantity),
                    unit="Stück",
                    estimated_value=Decimal(value),
                    delivery_from=now.date() + timedelta(days=90),
                    delivery_until=now.date() + timedelta(days=330),
                    nuts_code=actor.organisation.nuts_code,
                    place_of_performance=actor.organisation.city,
                ),
                now,
            )
            need_services.change_need_status(_user(officer), need, "open", now)
            assert need.status is NeedStatus.open
            ids[author] = need.id
        db.session.commit()
    return ids


@pytest.fixture
def document_storage(app: Flask, tmp_path: Path) -> Iterator[Path]:
    """Uploaded documents go to a directory of the test."""
    previous = app.config["STORAGE_DIR"]
    app.config["STORAGE_DIR"] = str(tmp_path / "storage")
    yield tmp_path / "storage"
    app.config["STORAGE_DIR"] = previous


def make_pdf(path: Path) -> Path:
    """A small, valid PDF with one page of text."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle(DOCUMENT)
    pdf.drawString(72, 770, DOCUMENT)
    pdf.drawString(72, 750, "Los 1: Verkehrsrechner mit OCIT-O-Schnittstelle, Lieferung und Montage.")
    pdf.showPage()
    pdf.save()
    return path


def names_of(email: str) -> tuple[str, str]:
    """The user's name and the name of their organisation, from the demo data."""
    organisations = {spec.key: spec.name for spec in ORGANISATIONS}
    for key, address, name, _roles in USERS:
        if address == email:
            return name, organisations[key]
    raise LookupError(email)


def logged_in(new_context: Callable[..., BrowserContext], email: str) -> Page:
    """A fresh browser context (own cookies) with ``email`` logged in."""
    page = new_context().new_page()
    page.set_default_timeout(15_000)
    page.goto("/login")
    log_in(page, email)
    expect(navigation(page).get_by_role("button", name="Abmelden")).to_be_visible()
    return page


def flash(page: Page, text: str) -> None:
    expect(page.locator(".alert").filter(has_text=text).first).to_be_visible()


def check(page: Page, name: str) -> None:
    """Every distinct page of the story: axe-clean, and a screenshot for the record."""
    assert_no_axe_violations(page)
    screenshot(page, f"tender-{name}")


def wait_for_mail(mailbox: Mailbox, address: str, count: int = 1, timeout: float = 10) -> list:  # type: ignore[type-arg]
    """The live server sends mail after the response: wait until it arrived."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        mails = mailbox.to(address)
        if len(mails) >= count:
            return mails
        time.sleep(0.1)
    return mailbox.to(address)


# --- the story's steps ----------------------------------------------------------------------


def lead_creates_the_tender_from_the_proposal(page: Page) -> int:
    navigation(page).get_by_role("link", name="Übersicht", exact=True).click()
    expect(page.get_by_text("3 Kommunen brauchen etwas Ähnliches").first).to_be_visible()
    check(page, "01-dashboard")

    page.get_by_role("link", name="Zur gemeinsamen Ausschreibung einladen").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("3 Kommunen brauchen etwas Ähnliches")
    check(page, "02-proposal")

    page.get_by_role("button", name="Gemeinsame Ausschreibung aus diesem Vorschlag anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ausschreibung bearbeiten")
    flash(page, "ist als Entwurf angelegt")
    tender_id = int(page.url.rstrip("/").split("/")[-2])

    # the tender from the proposal leaves the title to improve and the review body to fill in
    page.get_by_label("Titel der Ausschreibung").fill(TITLE)
    page.get_by_label("Aktenzeichen (Vergabenummer)").fill("VG-2026-42")
    page.get_by_label("Telefon der Vergabestelle").fill("+49 7131 0000")
    page.get_by_label("Vergabekammer: Name").fill("Vergabekammer Baden-Württemberg")
    page.get_by_label("Vergabekammer: Postleitzahl").fill("76133")
    page.get_by_label("Vergabekammer: Ort").fill("Karlsruhe")
    page.get_by_label("Vergabekammer: NUTS-Code").fill("DE122")
    page.get_by_label("Vergabekammer: E-Mail").fill("vergabekammer@rpk.bwl.example")
    page.get_by_label("Vergabekammer: Kennung").fill("08-VK-KARLSRUHE")
    check(page, "03-edit")
    page.get_by_role("button", name="Ausschreibung speichern").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    flash(page, "Die Ausschreibung ist gespeichert.")
    page.get_by_role("button", name="Teilnehmende sammeln").click()
    flash(page, "Die eingeladenen Kommunen können jetzt mit ihren Mengen teilnehmen.")
    expect(page.get_by_text("Status: Teilnehmende sammeln")).to_be_visible()
    check(page, "04-detail-collecting")
    return tender_id


def municipality_joins(page: Page, name: str, quantity: str | None = None) -> None:
    """An invited municipality's officer finds the tender under "Vergaben" and joins."""
    navigation(page).get_by_role("link", name="Vergaben", exact=True).click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.get_by_role("link", name="Teilnehmende verwalten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Teilnehmende: {TITLE}")
    check(page, f"{name}-1-participants")

    page.get_by_role("link", name="Teilnahme bestätigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Teilnahme: {TITLE}")
    quantity_field = page.get_by_label("Los 1:", exact=False)
    expect(quantity_field).not_to_have_value("")  # the quantity of the need is proposed
    if quantity is not None:
        quantity_field.fill(quantity)
    expect(page.get_by_label("Leitweg-ID")).not_to_have_value("")  # from the municipality's data
    page.get_by_label("Telefon").fill("+49 6131 4711")
    page.get_by_label("Ich bestätige als Vergabestelle verbindlich", exact=False).check()
    check(page, f"{name}-2-join")
    page.get_by_role("button", name="Teilnahme verbindlich bestätigen").click()

    flash(page, "Die Teilnahme Ihrer Kommune ist verbindlich bestätigt.")
    expect(page.get_by_text("Status Ihrer Kommune: nimmt teil")).to_be_visible()
    check(page, f"{name}-3-share")


def lead_prepares_and_publishes(page: Page, tender_id: int, pdf: Path) -> None:
    # the lead's own municipality joins too
    page.goto(f"/vergaben/{tender_id}/teilnehmer")
    page.get_by_role("link", name="Teilnahme bestätigen").click()
    page.get_by_label("Ich bestätige als Vergabestelle verbindlich", exact=False).check()
    page.get_by_role("button", name="Teilnahme verbindlich bestätigen").click()
    flash(page, "Die Teilnahme Ihrer Kommune ist verbindlich bestätigt.")

    # award criteria (§58 VgV): price 60 %, quality 40 %
    page.goto(f"/vergaben/{tender_id}")
    page.get_by_role("link", name="Zuschlagskriterien bearbeiten").click()
    expect(page.get_by_label("Kriterium (Zeile 1)")).to_have_value("Preis")
    page.get_by_label("Gewicht in % (Zeile 1)").fill("60")
    page.get_by_label("Art (Zeile 2)").select_option(label="Qualität")
    page.get_by_label("Kriterium (Zeile 2)").fill("Technischer Wert")
    page.get_by_label("Beschreibung (Zeile 2)").fill("Schnittstellen, Wartung und Energiebedarf.")
    page.get_by_label("Gewicht in % (Zeile 2)").fill("40")
    page.get_by_label("Bewertungsmethode (Zeile 2)").select_option(label="Qualität: 0 bis 10 Punkte")
    check(page, "05-criteria")
    page.get_by_role("button", name="Zuschlagskriterien speichern").click()
    flash(page, "Die Zuschlagskriterien sind gespeichert.")

    # the advisor: EU procedure above the threshold, a deadline longer than the minimum
    page.get_by_role("link", name="Auftragswert und Verfahren (Berater)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Auftragswert und Verfahren")
    expect(page.get_by_role("radio", name="Offenes Verfahren (EU, § 15 VgV)")).to_be_checked()
    check(page, "06-advisor")
    deadline = (utcnow().astimezone(BERLIN) + timedelta(days=45)).date()
    page.get_by_role("radio", name="Offenes Verfahren (EU, § 15 VgV)").check()
    page.get_by_label("Angebotsfrist: Datum").fill(deadline.isoformat())
    page.get_by_label("Angebotsfrist: Uhrzeit").fill("12:00")
    page.get_by_role("button", name="Verfahren und Frist speichern").click()
    flash(page, "Verfahren und Angebotsfrist sind gespeichert.")

    # the tender documents
    page.get_by_role("link", name="Vergabeunterlagen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vergabeunterlagen")
    page.get_by_label("Datei").set_input_files(str(pdf))
    page.get_by_label("Titel").fill(DOCUMENT)
    page.get_by_role("button", name="Hochladen").click()
    flash(page, f"Das Dokument „{DOCUMENT}“ ist hochgeladen.")
    expect(page.get_by_role("link", name=DOCUMENT)).to_be_visible()
    check(page, "07-documents")

    # freeze the participants, look at the notice, publish
    page.goto(f"/vergaben/{tender_id}")
    page.get_by_role("button", name="Teilnehmende festschreiben").click()
    flash(page, "Die Teilnehmenden und ihre Mengen sind festgeschrieben")
    expect(page.get_by_text("Status: bereit zur Veröffentlichung")).to_be_visible()
    check(page, "08-detail-ready")

    page.get_by_role("link", name="Bekanntmachung", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bekanntmachung: {TITLE}")
    expect(
        page.get_by_text("Keine Fehler: Die Bekanntmachung kann so veröffentlicht werden.")
    ).to_be_visible()
    check(page, "09-notice-preview")

    page.goto(f"/vergaben/{tender_id}")
    page.get_by_role("button", name="Veröffentlichen").click()
    flash(page, "Die Ausschreibung ist veröffentlicht.")
    expect(page.get_by_text("Status: veröffentlicht")).to_be_visible()
    check(page, "10-detail-published")


def vendor_finds_downloads_and_asks(page: Page, tender_id: int, pdf: Path) -> None:
    navigation(page).get_by_role("link", name="Ausschreibungen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Offene Ausschreibungen")
    page.get_by_label("CPV-Code").fill("34996")
    page.get_by_role("button", name="Filtern").click()
    expect(page.get_by_role("heading", name="1 Ausschreibung", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    check(page, "11-public-list")

    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("Bisher sind keine Antworten veröffentlicht.")).to_be_visible()
    check(page, "12-public-notice")

    with page.expect_download() as info:
        page.get_by_role("link", name=DOCUMENT).click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes() == pdf.read_bytes()

    page.get_by_label("Ihre Frage").fill(QUESTION)
    page.get_by_role("button", name="Frage senden").click()
    flash(page, "Ihre Frage ist als Frage 1 eingegangen.")
    expect(page.get_by_role("heading", name="Frage 1 noch offen")).to_be_visible()
    check(page, "13-vendor-questions")


def lead_answers(page: Page, tender_id: int) -> None:
    page.goto(f"/ausschreibungen/{tender_id}")
    page.get_by_role("link", name="Alle Bieterfragen (intern)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bieterfragen")
    vendor_name, vendor_organisation = names_of(VENDOR)
    expect(page.get_by_text(f"von {vendor_name} ({vendor_organisation})", exact=False)).to_be_visible()
    page.get_by_label("Antwort").fill(ANSWER)
    check(page, "14-lead-questions")
    page.get_by_role("button", name="Antwort veröffentlichen").click()
    flash(page, "Die Antwort auf Frage 1 ist für alle Bieter veröffentlicht.")
    expect(page.get_by_text(ANSWER)).to_be_visible()


def vendor_reads_the_answer(page: Page, tender_id: int) -> None:
    page.goto(f"/ausschreibungen/{tender_id}")
    answers = page.locator("#fragen")
    expect(answers.get_by_role("heading", name="Frage 1")).to_be_visible()
    expect(answers.get_by_text(QUESTION)).to_be_visible()
    expect(answers.get_by_text(ANSWER)).to_be_visible()
    check(page, "15-public-answer")
    text = page.locator("main").inner_text()
    vendor_name, vendor_organisation = names_of(VENDOR)
    assert vendor_name not in text and vendor_organisation not in text  # §97(2) GWB


# --- the story ------------------------------------------------------------------------------


def test_lead_publishes_a_joint_tender_from_a_proposal_and_a_vendor_sees_the_answer_to_its_question(
    app: Flask,
    new_context: Callable[..., BrowserContext],
    proposal_needs: dict[str, int],
    document_storage: Path,
    mailbox: Mailbox,
    tmp_path: Path,
) -> None:
    pdf = make_pdf(tmp_path / "Leistungsbeschreibung.pdf")

    lead = logged_in(new_context, LEAD)
    tender_id = lead_creates_the_tender_from_the_proposal(lead)
    # the municipalities of the proposal are invited by mail
    for officer in (PARTNER, THIRD):
        [invitation] = wait_for_mail(mailbox, officer)
        assert invitation["Subject"].startswith("Einladung zur gemeinsamen Ausschreibung")

    municipality_joins(logged_in(new_context, PARTNER), "birkenfelde")
    municipality_joins(logged_in(new_context, THIRD), "nordhafen", quantity="3")

    mailbox.clear()
    lead_prepares_and_publishes(lead, tender_id, pdf)
    # the participating municipalities' officers received their share and hear of the publication
    for officer in (PARTNER, THIRD):
        subjects = {m["Subject"] for m in wait_for_mail(mailbox, officer, count=2)}
        assert subjects == {
            f"Teilnehmende von „{TITLE}“ festgeschrieben: Ihr Anteil",
            f"Veröffentlicht: {TITLE}",
        }

    with app.app_context():
        tender = db.session.get(Tender, tender_id)
        assert tender is not None
        assert tender.status is TenderStatus.published and tender.published_at is not None
        assert tender.procedure is Procedure.eu_open
        # §3 VgV: 4 + 6 + 3 (Nordhafen changed its 2) units at 300,000 EUR / 12 units
        assert tender.estimated_value == Decimal("325000.00")
        assert [p.status for p in tender.participants] == [ParticipantStatus.joined] * 3
        assert sorted(c.weight for c in tender.criteria) == [Decimal(40), Decimal(60)]
        assert tender.bid_deadline is not None
        assert tender.bid_deadline.astimezone(BERLIN).strftime("%H:%M") == "12:00"
        assert len(tender.needs) == 3

    vendor = logged_in(new_context, VENDOR)
    vendor_finds_downloads_and_asks(vendor, tender_id, pdf)
    lead_answers(lead, tender_id)
    vendor_reads_the_answer(vendor, tender_id)

    # the vendor who downloaded the documents hears of the answer by mail, with a link to the notice
    [mail] = [
        m for m in wait_for_mail(mailbox, VENDOR) if m["Subject"].startswith("Antwort auf Bieterfrage 1")
    ]
    body = mail.get_content()
    assert ANSWER in body and f"http://localhost/ausschreibungen/{tender_id}" in body
    with app.app_context():
        vendor_user = _user(VENDOR)
        downloads = db.session.scalars(
            select(DocumentDownload).where(DocumentDownload.user_id == vendor_user.id)
        ).all()
        assert len(downloads) == 1
        question = db.session.scalars(select(Question).where(Question.tender_id == tender_id)).one()
        assert question.asked_by_id == vendor_user.id and question.answer == ANSWER
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"tender.start_collecting", "tender.freeze", "tender.publish"} <= actions
