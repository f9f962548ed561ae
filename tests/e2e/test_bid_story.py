"""The story of a sealed electronic bid (issue 6) in the browser: a vendor prepares and submits
a bid to a published EU tender of Talheim and keeps the receipt; a competitor sees nothing of it;
after the deadline two officers of Talheim open the bids (§ 55 Abs. 2 VgV) and read the vendor's
prices and its files, both verified against the receipt (§ 10 Abs. 1 VgV).

The published tender is built through the services (tests/procurement/tenders/conftest.py:
`public_tender`); everything the users do is clicks and form fills, each user in a browser
context of their own. The clock is frozen a few minutes before the deadline with
``time_machine.travel(..., tick=True)``: the live server runs in a thread of this process, so it
sees the same clock, and ``traveller.move_to`` takes both past the deadline (a jump of minutes,
well within the session lifetime).
"""

from __future__ import annotations

import hashlib
import time
import zipfile
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import select

from procurement.accounts.models import User
from procurement.audit.models import AuditEntry
from procurement.bids.models import Bid, BidFileKind, Opening
from procurement.extensions import db
from procurement.reference.deadlines import Procedure
from procurement.tenders.models import Criterion, CriterionKind, ScoringMethod, Tender
from tests.conftest import Mailbox
from tests.e2e.conftest import assert_no_axe_violations, log_in, navigation, screenshot
from tests.procurement.bids import conftest as bid_fixtures
from tests.procurement.tenders import conftest as tender_fixtures
from tests.procurement.tenders.conftest import LEAD, NOW, OTHER_VENDOR, PARTNER, TENDER, VENDOR
from workflows.bid import BidStatus
from workflows.tender import TenderStatus

pytestmark = pytest.mark.e2e

# the fixtures this story builds on (sibling conftests are not seen from tests/e2e)
make_tender = tender_fixtures.make_tender
tender_storage = tender_fixtures.tender_storage
public_tender = tender_fixtures.public_tender
bid_config = bid_fixtures.bid_config

SECOND_OFFICER = "oeffnung@talheim.example"  # the second person of the opening (§ 55 Abs. 2 VgV)

START = NOW + timedelta(hours=1)  # 10:00 UTC, 11:00 in Talheim
DEADLINE = START + timedelta(minutes=10)
AFTER_DEADLINE = DEADLINE + timedelta(minutes=1)

PRICES = {1: ("48.213,57", Decimal("48213.57")), 2: ("12.500,00", Decimal("12500.00"))}
MAINTENANCE = "Wartung binnen 24 Stunden, Ersatzteile zehn Jahre lang."
OFFER = "Angebotsschreiben.pdf"
PRICE_SHEET = "Preisblatt.xlsx"


# --- setup: the tender, the files, the users --------------------------------------------------


@pytest.fixture
def story_tender(app: Flask, public_tender: Callable[..., int], bid_config: Path) -> int:
    """A published EU tender of Talheim with Birkenfelde: 2 lots, price 70 % and a quality
    criterion 30 %, the bid deadline ten minutes after START."""
    tender_id = public_tender(lots=2, deadline=DEADLINE, procedure=Procedure.eu_open)
    with app.app_context():
        tender = db.session.get(Tender, tender_id)
        assert tender is not None
        tender.criteria[0].weight = Decimal(70)
        tender.criteria.append(
            Criterion(
                position=2,
                kind=CriterionKind.quality,
                name="Wartungskonzept",
                weight=Decimal(30),
                scoring_method=ScoringMethod.points_0_10,
            )
        )
        db.session.commit()
    return tender_id


def make_pdf(path: Path) -> Path:
    """A small, valid PDF: the vendor's offer letter."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle("Angebotsschreiben")
    pdf.drawString(72, 770, "Angebotsschreiben der Verkehrstechnik Süd")
    pdf.drawString(72, 750, f"zur Ausschreibung „{TENDER.title}“, Lose 1 und 2.")
    pdf.showPage()
    pdf.save()
    return path


XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Preise" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet"/></Relationships>'
    ),
    "xl/worksheets/sheet1.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Los</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Preis (EUR netto)</t></is></c></row>'
        '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>48213.57</v></c></row>'
        '<row r="3"><c r="A3"><v>2</v></c><c r="B3"><v>12500</v></c></row>'
        "</sheetData></worksheet>"
    ),
}


def make_xlsx(path: Path) -> Path:
    """A small, valid XLSX workbook (written by hand: no spreadsheet library needed)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in XLSX_PARTS.items():
            archive.writestr(name, xml)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


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
    screenshot(page, f"bid-{name}")


def wait_for_mail(mailbox: Mailbox, address: str, subject: str, timeout: float = 10) -> list:  # type: ignore[type-arg]
    """The live server sends mail after the response: wait until a mail with ``subject`` arrived."""
    end = time.monotonic() + timeout
    while True:
        mails = [m for m in mailbox.to(address) if m["Subject"] == subject]
        if mails or time.monotonic() >= end:
            return mails
        time.sleep(0.1)


# --- the story's steps ----------------------------------------------------------------------


def vendor_prepares_the_bid(page: Page, tender_id: int, offer: Path, sheet: Path) -> None:
    page.goto(f"/ausschreibungen/{tender_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TENDER.title)
    check(page, "01-public-notice")

    page.get_by_role("link", name="Angebot abgeben").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihr Angebot")
    expect(page.get_by_text("Noch keine Dateien.")).to_be_visible()
    expect(page.get_by_text("Sie haben zu dieser Ausschreibung noch kein Angebot abgegeben.")).to_be_visible()
    check(page, "02-empty-draft")

    # prices per lot and the answer to the quality criterion, sealed at once
    for number, (typed, _value) in PRICES.items():
        page.get_by_label(f"Preis für Los {number}: Steuergeräte {number} (EUR netto)").fill(typed)
    page.get_by_label("Wartungskonzept").fill(MAINTENANCE)
    page.get_by_role("button", name="Entwurf speichern").click()
    flash(page, "Der Entwurf ist verschlüsselt gespeichert.")
    expect(page.get_by_label("Preis für Los 1: Steuergeräte 1 (EUR netto)")).to_have_value("48.213,57")

    # two files, each streamed and sealed as it arrives, with its kind
    for path, kind in ((offer, "Angebotsschreiben"), (sheet, "Preisblatt")):
        page.get_by_label("Art der Unterlage").select_option(label=kind)
        page.get_by_label("Dateien", exact=True).and_(page.locator("input[type=file]")).set_input_files(
            str(path)
        )
        page.get_by_role("button", name="Verschlüsselt hochladen").click()
        flash(page, f"1 Datei verschlüsselt gespeichert: {path.name}.")
    files = page.get_by_role("table", name="Dateien des Entwurfs")
    for path in (offer, sheet):
        expect(files.get_by_role("row", name=path.name)).to_contain_text(sha256(path))
    check(page, "03-draft-with-files")


def vendor_submits_and_keeps_the_receipt(page: Page, offer: Path, sheet: Path) -> str:
    """Submit; the receipt on screen and as PDF. Returns the receipt id shown."""
    page.get_by_role("button", name="Angebot abgeben").click()
    flash(page, "Ihr Angebot ist eingegangen (Angebotsnummer")
    receipt = page.get_by_role("region", name="Eingangsbestätigung")
    expect(receipt).to_be_visible()
    receipt_id = receipt.locator("dd code").first.inner_text().strip()
    flash(page, f"Angebotsnummer {receipt_id}")
    expect(receipt).to_contain_text("Eingang (Serverzeit)")
    expect(receipt).to_contain_text(START.strftime("%Y-%m-%d %H:"))
    table = receipt.get_by_role("table", name="Eingegangene Dateien mit SHA-256-Prüfsumme")
    for path in (offer, sheet):
        row = table.get_by_role("row", name=path.name)
        expect(row).to_contain_text(f"{path.stat().st_size} Bytes")
        # the hash on screen is the hash of the file the vendor has on disk
        assert row.locator("code").inner_text().strip() == sha256(path)
    # the submitted bid is sealed: before the deadline it can only be withdrawn (or replaced)
    expect(page.get_by_role("button", name="Angebot zurückziehen")).to_be_visible()
    check(page, "04-receipt")

    with page.expect_download() as info:
        receipt.get_by_role("link", name="Eingangsbestätigung als PDF herunterladen").click()
    download = info.value
    assert download.suggested_filename == f"eingangsbestaetigung-{receipt_id}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")

    page.get_by_role("link", name="Alle Angebote Ihres Unternehmens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Angebote")
    row = page.get_by_role("table", name="Angebote Ihres Unternehmens").get_by_role("row", name=TENDER.title)
    expect(row).to_contain_text(receipt_id)
    expect(row).to_contain_text("abgegeben (verschlüsselt)")
    check(page, "05-my-bids")
    return receipt_id


def competitor_sees_nothing(page: Page, tender_id: int, bid_id: int, receipt_id: str) -> None:
    page.goto(f"/ausschreibungen/{tender_id}/angebot")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihr Angebot")
    expect(page.get_by_text("Sie haben zu dieser Ausschreibung noch kein Angebot abgegeben.")).to_be_visible()
    assert receipt_id not in page.content()
    check(page, "06-competitor")
    receipt_pdf = f"/ausschreibungen/{tender_id}/angebot/{bid_id}/eingangsbestaetigung.pdf"
    assert page.request.get(receipt_pdf).status == 404
    response = page.goto("/angebote")
    assert response is not None and response.ok
    assert receipt_id not in page.content()


def lead_sees_nothing_before_the_deadline(page: Page, tender_id: int) -> None:
    page.goto(f"/vergaben/{tender_id}/oeffnung")
    expect(page.get_by_role("heading", level=1)).to_have_text("Öffnung der Angebote")
    expect(page.get_by_role("heading", name="Angebotsfrist läuft")).to_be_visible()
    expect(page.get_by_role("button", name="Öffnung bestätigen")).to_have_count(0)
    # not even the number of bids (§ 10 Abs. 1 Nr. 2 VgV)
    expect(page.get_by_role("heading", name="Eingegangene Angebote")).to_have_count(0)
    expect(page.get_by_text("1 Angebot")).to_have_count(0)
    check(page, "07-opening-before-deadline")


def first_officer_confirms(page: Page, tender_id: int) -> None:
    page.goto(f"/vergaben/{tender_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TENDER.title)
    check(page, "08-tender-in-opening")
    page.get_by_role("link", name="Öffnung der Angebote (§ 55 VgV)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Öffnung der Angebote")
    expect(page.get_by_text("Bis zum Ablauf der Angebotsfrist ist 1 Angebot eingegangen.")).to_be_visible()
    expect(page.get_by_text("Noch niemand hat die Öffnung bestätigt.")).to_be_visible()
    check(page, "09-opening-count")
    page.get_by_role("button", name="Öffnung bestätigen").click()
    flash(page, "Ihre Bestätigung ist gespeichert.")
    expect(page.get_by_text("Sie haben bestätigt.")).to_be_visible()
    expect(page.get_by_role("button", name="Öffnung bestätigen")).to_have_count(0)
    check(page, "10-opening-one-confirmation")


def second_officer_opens(page: Page, tender_id: int, first_officer: str) -> bytes:
    """The second confirmation opens the bids; returns the opening record PDF."""
    page.goto(f"/vergaben/{tender_id}/oeffnung")
    confirmations = page.get_by_role("region", name="Bestätigungen")
    expect(confirmations.get_by_role("listitem")).to_have_count(1)
    expect(confirmations.get_by_role("listitem")).to_contain_text(first_officer)
    page.get_by_role("button", name="Öffnung bestätigen").click()
    flash(page, "Die Angebote sind geöffnet. Das Öffnungsprotokoll ist erstellt.")
    opened = page.get_by_role("table", name=f"Geöffnete Angebote zu {TENDER.title}")
    expect(opened.get_by_role("row")).to_have_count(2)  # header and the one bid
    for number, (typed, _value) in PRICES.items():
        expect(opened).to_contain_text(f"Los {number}: {typed}")
    expect(opened).to_contain_text("2 Dateien geprüft: stimmen mit der Eingangsbestätigung überein")
    check(page, "11-opened")

    with page.expect_download() as info:
        page.get_by_role("link", name="Öffnungsprotokoll herunterladen (PDF)").click()
    download = info.value
    assert download.suggested_filename == f"oeffnungsprotokoll-{tender_id}.pdf"
    record = Path(download.path()).read_bytes()
    assert record.startswith(b"%PDF-")
    return record


def officer_reads_the_opened_bid(
    page: Page, vendor_name: str, receipt_id: str, offer: Path, sheet: Path
) -> None:
    page.get_by_role("link", name=vendor_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Angebot von {vendor_name}")
    expect(page.locator("dl").first).to_contain_text(receipt_id)
    prices = page.get_by_role("table", name="Preise je Los")
    for number, (typed, _value) in PRICES.items():
        expect(prices.get_by_role("row", name=f"Steuergeräte {number}")).to_contain_text(typed)
    expect(page.get_by_text(MAINTENANCE)).to_be_visible()
    files = page.get_by_role("table", name="Dateien des Angebots")
    for path, kind in ((offer, "Angebotsschreiben"), (sheet, "Preisblatt")):
        row = files.get_by_role("row", name=path.name)
        expect(row).to_contain_text(kind)
        expect(row).to_contain_text(sha256(path))
        expect(row).to_contain_text("stimmt überein")
    check(page, "12-opened-bid")

    # the decrypted file is the vendor's file, byte for byte
    with page.expect_download() as info:
        files.get_by_role("link", name=offer.name).click()
    assert Path(info.value.path()).read_bytes() == offer.read_bytes()


# --- the story ------------------------------------------------------------------------------


def test_a_vendor_submits_a_sealed_bid_and_two_officers_of_the_lead_open_it_after_the_deadline(
    app: Flask,
    new_context: Callable[..., BrowserContext],
    story_tender: int,
    mailbox: Mailbox,
    tmp_path: Path,
) -> None:
    tender_id = story_tender
    offer = make_pdf(tmp_path / OFFER)
    sheet = make_xlsx(tmp_path / PRICE_SHEET)
    with app.app_context():
        vendor_name = _user(VENDOR).organisation.name
        first_officer_name = _user(LEAD).name

    with time_machine.travel(START, tick=True) as traveller:
        vendor = logged_in(new_context, VENDOR)
        vendor_prepares_the_bid(vendor, tender_id, offer, sheet)
        receipt_id = vendor_submits_and_keeps_the_receipt(vendor, offer, sheet)
        with app.app_context():
            bid = db.session.scalars(select(Bid).where(Bid.receipt_id == receipt_id)).one()
            bid_id = bid.id
            assert bid.status is BidStatus.submitted
            assert START <= bid.submitted_at < DEADLINE
            assert {(f.filename, f.kind, f.sha256) for f in bid.files} == {
                (OFFER, BidFileKind.offer_letter, sha256(offer)),
                (PRICE_SHEET, BidFileKind.price_sheet, sha256(sheet)),
            }
        [receipt_mail] = wait_for_mail(
            mailbox, VENDOR, f"Eingangsbestätigung: Ihr Angebot zu „{TENDER.title}“"
        )
        body = receipt_mail.get_content()
        assert receipt_id in body and sha256(offer) in body and sha256(sheet) in body
        assert "48.213,57" not in body and "48213.57" not in body  # the receipt has no content

        competitor_sees_nothing(logged_in(new_context, OTHER_VENDOR), tender_id, bid_id, receipt_id)
        lead = logged_in(new_context, LEAD)
        lead_sees_nothing_before_the_deadline(lead, tender_id)

        # the deadline passes: the tender moves to the opening, the vendor's page is closed
        traveller.move_to(AFTER_DEADLINE)
        vendor.goto(f"/ausschreibungen/{tender_id}/angebot")
        expect(vendor.get_by_text("Die Angebotsfrist ist abgelaufen", exact=False)).to_be_visible()
        expect(vendor.get_by_role("button", name="Angebot zurückziehen")).to_have_count(0)

        first_officer_confirms(lead, tender_id)
        second = logged_in(new_context, SECOND_OFFICER)
        record = second_officer_opens(second, tender_id, first_officer_name)
        officer_reads_the_opened_bid(second, vendor_name, receipt_id, offer, sheet)

        # the vendor sees that its bid was opened, and nothing of the others
        navigation(vendor).get_by_role("link", name="Meine Angebote", exact=True).click()
        row = vendor.get_by_role("table", name="Angebote Ihres Unternehmens").get_by_role(
            "row", name=receipt_id
        )
        expect(row).to_contain_text("geöffnet")

    # the officers of the lead and of the participant hear of the opening, without prices
    for officer in (LEAD, SECOND_OFFICER, PARTNER):
        [mail] = wait_for_mail(mailbox, officer, f"Angebote geöffnet: {TENDER.title}")
        assert "48.213,57" not in mail.get_content()

    with app.app_context():
        tender = db.session.get(Tender, tender_id)
        assert tender is not None and tender.status is TenderStatus.evaluation
        opening = db.session.scalars(select(Opening).where(Opening.tender_id == tender_id)).one()
        assert (opening.first_officer_id, opening.second_officer_id) == (
            _user(LEAD).id,
            _user(SECOND_OFFICER).id,
        )
        assert opening.opened_at >= AFTER_DEADLINE
        assert opening.record_sha256 == hashlib.sha256(record).hexdigest()  # the record as issued
        bid = db.session.get(Bid, bid_id)
        assert bid is not None and bid.status is BidStatus.opened and not bid.opening_error
        assert [f.verified for f in bid.files] == [True, True]
        actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        for action in (
            "bid.submitted",
            "opening.confirmed",
            "opening.record_stored",
            "opening.bids_read",
        ):
            assert action in actions, action
        assert actions.count("opening.confirmed") == 2
