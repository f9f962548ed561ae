"""The story of the evaluation and the award (issue 7) in the browser: three vendors' bids to a
joint EU tender of Talheim, Birkenfelde and Nordhafen are opened by two officers of Talheim; the
lead officer admits and scores them (a colleague scores too), reads the ranking, proposes the
award per lot and sends the §134 GWB letters; a losing vendor reads its own letter and no one
else's; a Zuschlag before the standstill is over is refused; after it the lead awards both lots,
each municipality finds its own contracts with their PDFs, and the public sees the winner.

Built through the services (documented shortcut): the tender goes all the way to publication
through the tender and participation services (Nordhafen is invited and joins like the others),
the bids are prepared and submitted through the bid services (the bid pages have their own
story, test_bid_story.py). Everything after the deadline is clicks and form fills, each user in
a browser context of their own.

The clock: ``time_machine.travel(..., tick=True)`` freezes the process clock a few minutes
before the deadline; the live server runs in a thread of this process, so it sees the same
clock. ``traveller.move_to`` takes both past the deadline and later past the standstill. The
server honours a session cookie for ``PERMANENT_SESSION_LIFETIME`` (eight hours), so after the
ten-day jump the lead officer is sent to the login page and from there back to the award page,
whose forms are then fresh. The letters count as sent when the outbox delivered them: the live
server sends mail right after the request (``MAIL_SEND_AFTER_REQUEST``) to the test SMTP server
of tests/conftest.py and counts the delivered letters at once.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Optional

import pytest
import time_machine
from flask import Flask
from playwright.sync_api import BrowserContext, Locator, Page, expect
from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from procurement.accounts.models import CompanySize
from procurement.audit.models import AuditEntry
from procurement.awards.models import Award, Contract, InformationLetter, QualityScore
from procurement.bids import services as bid_services
from procurement.bids.models import Bid, BidFileKind
from procurement.database import utcnow
from procurement.extensions import db
from procurement.reference.deadlines import Procedure
from procurement.tenders import participation
from procurement.tenders import services as tender_services
from procurement.tenders.documents import add_document
from procurement.tenders.models import CriterionKind, ScoringMethod, Tender
from tests.conftest import Mailbox
from tests.e2e.conftest import assert_no_axe_violations, log_in, navigation, screenshot
from tests.procurement.bids import conftest as bid_fixtures
from tests.procurement.tenders import conftest as tender_fixtures
from tests.procurement.tenders.conftest import (
    LEAD,
    LEAD_COLLEAGUE,
    NOW,
    OTHER_VENDOR,
    PARTNER,
    TENDER,
    THIRD,
    VENDOR,
    pdf_bytes,
    user,
)
from workflows.award import AwardStatus
from workflows.bid import BidStatus
from workflows.tender import TenderStatus

pytestmark = pytest.mark.e2e

# the fixtures this story builds on (sibling conftests are not seen from tests/e2e)
make_tender = tender_fixtures.make_tender
tender_storage = tender_fixtures.tender_storage
bid_config = bid_fixtures.bid_config

SECOND_OFFICER = LEAD_COLLEAGUE  # oeffnung@talheim.example: opens with LEAD and scores too
THIRD_VENDOR = "angebot@offene-stadtdaten.example"
WINNER, LOSER = VENDOR, OTHER_VENDOR  # Verkehrstechnik Süd wins both lots; Energienetz loses both

PUBLISHED = NOW  # Wednesday 25 November 2026, 10:00 in Talheim
DEADLINE = datetime(2027, 1, 5, 10, 0, tzinfo=UTC)  # Tuesday 5 January 2027, 11:00 in Talheim
START = DEADLINE - timedelta(minutes=10)
AFTER_DEADLINE = DEADLINE + timedelta(minutes=1)
# letters sent on Tuesday 5 January: ten calendar days from Wednesday 6 January, the last one
# Friday 15 January; the contract may be concluded from Saturday 16 January, 00:00 in Talheim
STANDSTILL_END = datetime(2027, 1, 15, 23, 0, tzinfo=UTC)
EARLIEST_CONTRACT = "16.01.2027, 00:00:00"
AFTER_STANDSTILL = datetime(2027, 1, 18, 8, 0, tzinfo=UTC)  # Monday 18 January, 09:00 in Talheim

QUALITY = "Wartungskonzept"
# lot 1: all three vendors; lot 2: two of them. Prices net, for each lot's whole quantity.
PRICES = {
    WINNER: {1: Decimal("48000.00"), 2: Decimal("2500.00")},
    LOSER: {1: Decimal("52000.00"), 2: Decimal("2600.00")},
    THIRD_VENDOR: {1: Decimal("50000.00")},
}
# quality points (0 to 10) of the lead officer and of the colleague
POINTS = {
    LEAD: {WINNER: "8", LOSER: "6", THIRD_VENDOR: "7"},
    SECOND_OFFICER: {WINNER: "7", LOSER: "6", THIRD_VENDOR: "7"},
}
# price 70 % (lowest price / price), quality 30 % (mean points / 10):
# lot 1: 70 + 22.5 = 92.50; 70 * 48/50 + 21 = 88.20; 70 * 48/52 + 18 = 82.62 (82.615…)
# lot 2: 70 + 22.5 = 92.50; 70 * 25/26 + 18 = 85.31 (85.307…)
RANKING = {
    1: [(WINNER, "48.000,00", "92,50"), (THIRD_VENDOR, "50.000,00", "88,20"), (LOSER, "52.000,00", "82,62")],
    2: [(WINNER, "2.500,00", "92,50"), (LOSER, "2.600,00", "85,31")],
}
# quantities per municipality and lot (Nordhafen orders from lot 1 only)
QUANTITIES = {LEAD: {1: "12", 2: "12"}, PARTNER: {1: "8", 2: "8"}, THIRD: {1: "5"}}
# lot 1: 48,000.00 / 25 = 1,920.0000 per unit; lot 2: 2,500.00 / 20 = 125.0000 per unit
CONTRACTS = {
    LEAD: {1: ("12 Stück", "23.040,00\xa0€"), 2: ("12 Stück", "1.500,00\xa0€")},
    PARTNER: {1: ("8 Stück", "15.360,00\xa0€"), 2: ("8 Stück", "1.000,00\xa0€")},
    THIRD: {1: ("5 Stück", "9.600,00\xa0€")},
}
# company size and NUTS code of the vendors (Stuttgart, Hamburg, Leipzig)
VENDOR_DATA = (
    (WINNER, CompanySize.medium, "DE111"),
    (LOSER, CompanySize.large, "DE600"),
    (THIRD_VENDOR, CompanySize.small, "DED51"),
)
REASONS = "Das wirtschaftlichste Angebot: niedrigster Preis und bestes Wartungskonzept."


# --- setup: the tender and the bids, through the services -------------------------------------


def _join(email: str, tender: Tender, quantities: dict[int, str]) -> None:
    actor = user(email)
    organisation = actor.organisation
    lots = {lot.number: lot.id for lot in tender.lots}
    participation.join_tender(
        actor,
        tender,
        participation.JoinData(
            quantities={lots[number]: Decimal(value) for number, value in quantities.items()},
            leitweg_id=organisation.leitweg_id or "",
            billing_name=organisation.name,
            billing_street=organisation.street,
            billing_postal_code=organisation.postal_code,
            billing_city=organisation.city,
            contact_email=actor.email,
            contact_phone="+49 7131 0000",
            confirmed=True,
        ),
        PUBLISHED,
    )


@pytest.fixture
def story_tender(app: Flask, make_tender: Callable[..., Tender], bid_config: Path) -> int:
    """A joint EU tender of Talheim (lead), Birkenfelde and Nordhafen, published through the
    services: 2 lots, price 70 % and quality 30 %, the bid deadline DEADLINE."""
    with app.test_request_context():
        tender = make_tender(lots=2, now=PUBLISHED, place_of_performance="Talheim, Birkenfelde, Nordhafen")
        lead = user(LEAD)
        tender_services.fire(lead, tender, "start_collecting", PUBLISHED)
        participation.invite_municipalities(
            lead, tender, [user(PARTNER).organisation_id, user(THIRD).organisation_id], PUBLISHED
        )
        for email, quantities in QUANTITIES.items():
            _join(email, tender, quantities)
        participation.freeze_participants(lead, tender, PUBLISHED)
        tender_services.set_criteria(
            lead,
            tender,
            [
                tender_services.CriterionData(
                    CriterionKind.price, "Preis", Decimal(70), ScoringMethod.lowest_price_ratio
                ),
                tender_services.CriterionData(
                    CriterionKind.quality,
                    QUALITY,
                    Decimal(30),
                    ScoringMethod.points_0_10,
                    "Reaktionszeit, Ersatzteilversorgung und Fernwartung.",
                ),
            ],
            PUBLISHED,
        )
        tender_services.choose_procedure(lead, tender, Procedure.eu_open, DEADLINE, False, PUBLISHED)
        upload = FileStorage(BytesIO(pdf_bytes()), filename="Leistungsbeschreibung.pdf")
        add_document(lead, tender, upload, "Leistungsbeschreibung", PUBLISHED)
        tender_services.publish_tender(lead, tender, PUBLISHED)
        # the EU award notice names each tenderer's size (BT-165) and region (BT-507); the demo
        # vendors have a size but no NUTS code
        for email, size, nuts in VENDOR_DATA:
            organisation = user(email).organisation
            organisation.company_size = organisation.company_size or size
            organisation.nuts_code = organisation.nuts_code or nuts
        db.session.commit()
        assert tender.status is TenderStatus.published
        assert len(tender.joined_participants) == 3
        return tender.id


def submit_bid(app: Flask, tender_id: int, email: str) -> int:
    """A bid of ``email``'s company through the bid services, now (before the deadline)."""
    with app.test_request_context():
        now = utcnow()
        tender = db.session.get(Tender, tender_id)
        actor = user(email)
        bid = bid_services.get_or_create_draft(actor, tender, now)
        lots = {lot.number: lot.id for lot in tender.lots}
        quality = next(c.id for c in tender.criteria if c.kind is CriterionKind.quality)
        data = bid_services.BidData(
            prices={lots[number]: price for number, price in PRICES[email].items()},
            answers={quality: "Wartung binnen 24 Stunden, Ersatzteile zehn Jahre lang."},
            consortium=[],
        )
        bid_services.save_draft(actor, bid, data, now)
        bid_services.add_file(
            actor,
            bid,
            "Angebotsschreiben.pdf",
            BytesIO(pdf_bytes()),
            now,
            kind=BidFileKind.offer_letter,
            clock=lambda: now,
        )
        bid_services.submit_bid(actor, bid, now)
        db.session.commit()
        return bid.id


# --- helpers --------------------------------------------------------------------------------


def logged_in(new_context: Callable[..., BrowserContext], email: Optional[str]) -> Page:
    """A fresh browser context (own cookies) with ``email`` logged in (None: anonymous)."""
    page = new_context().new_page()
    page.set_default_timeout(15_000)
    if email is not None:
        page.goto("/login")
        log_in(page, email)
        expect(navigation(page).get_by_role("button", name="Abmelden")).to_be_visible()
    return page


def flash(page: Page, text: str) -> None:
    expect(page.locator(".alert").filter(has_text=text).first).to_be_visible()


def check(page: Page, name: str) -> None:
    """Every distinct page of the story: axe-clean, and a screenshot for the record."""
    assert_no_axe_violations(page)
    screenshot(page, f"award-{name}")


def wait_for_mail(mailbox: Mailbox, address: str, pattern: str, count: int, timeout: float = 10) -> list:  # type: ignore[type-arg]
    """Mails to ``address`` whose subject contains ``pattern``, once ``count`` of them arrived."""
    end = time.monotonic() + timeout
    while True:
        mails = [m for m in mailbox.to(address) if pattern in m["Subject"]]
        if len(mails) >= count or time.monotonic() >= end:
            return mails
        time.sleep(0.1)


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def download(page: Page, link: Locator) -> tuple[str, bytes]:
    with page.expect_download() as info:
        link.click()
    return info.value.suggested_filename, Path(info.value.path()).read_bytes()


def lot_section(page: Page, number: int) -> Locator:
    return page.locator(f"section#los-{number}")


# --- the story's steps ----------------------------------------------------------------------


def officers_open_the_bids(lead: Page, second: Page, tender_id: int) -> None:
    lead.goto(f"/vergaben/{tender_id}")
    expect(lead.get_by_role("heading", level=1)).to_have_text(TENDER.title)
    lead.get_by_role("link", name="Öffnung der Angebote (§ 55 VgV)").click()
    expect(lead.get_by_text("Bis zum Ablauf der Angebotsfrist sind 3 Angebote eingegangen.")).to_be_visible()
    check(lead, "01-opening-count")
    lead.get_by_role("button", name="Öffnung bestätigen").click()
    flash(lead, "Ihre Bestätigung ist gespeichert.")
    check(lead, "02-opening-one-confirmation")
    second.goto(f"/vergaben/{tender_id}/oeffnung")
    second.get_by_role("button", name="Öffnung bestätigen").click()
    flash(second, "Die Angebote sind geöffnet. Das Öffnungsprotokoll ist erstellt.")
    check(second, "03-opened")


def lead_admits_and_scores(page: Page, tender_id: int, names: dict[str, str]) -> None:
    page.goto(f"/vergaben/{tender_id}")
    page.get_by_role("link", name="Prüfung und Wertung der Angebote").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wertung der Angebote")
    expect(page.get_by_text("3 Angebote sind noch nicht geprüft.")).to_be_visible()
    check(page, "04-evaluation-unreviewed")
    for number, email in enumerate((WINNER, LOSER, THIRD_VENDOR)):
        page.get_by_role("table", name="Geöffnete Angebote mit Prüfstand").get_by_role(
            "link", name=names[email]
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Prüfung des Angebots von {names[email]}")
        if number == 0:
            check(page, "05-review-unreviewed")
        page.get_by_label("Vermerk zur Zulassung").fill("Form und Frist gewahrt, Eignung nachgewiesen.")
        page.get_by_role("button", name="Angebot zulassen").click()
        flash(page, f"Das Angebot von {names[email]} ist zur Wertung zugelassen.")
        expect(page.locator("#review-state")).to_contain_text("zugelassen")
        score(page, POINTS[LEAD][email])
        if number == 0:
            check(page, "06-review-admitted-and-scored")
        page.get_by_role("link", name=f"Wertung: {TENDER.title}").click()
    expect(page.get_by_text("0 Angebote sind noch nicht geprüft.")).to_be_visible()


def score(page: Page, points: str) -> None:
    form = page.locator("form").filter(has=page.get_by_role("button", name="Punkte speichern"))
    form.get_by_label("Punkte", exact=True).fill(points)
    form.get_by_label("Begründung der Punkte").fill(f"{points} Punkte nach dem Bewertungsschema.")
    form.get_by_role("button", name="Punkte speichern").click()
    flash(page, f"Ihre Punkte zu „{QUALITY}“ sind gespeichert.")


def colleague_scores(page: Page, tender_id: int, names: dict[str, str]) -> None:
    page.goto(f"/vergaben/{tender_id}/wertung")
    for email in (WINNER, LOSER, THIRD_VENDOR):
        page.get_by_role("link", name=names[email]).click()
        score(page, POINTS[SECOND_OFFICER][email])
        table = page.get_by_role("table", name="Punkte aller Bewertenden")
        expect(table.get_by_role("row")).to_have_count(3)  # header, the lead's and the colleague's
        if email == WINNER:
            check(page, "07-review-two-evaluators")
        page.get_by_role("link", name=f"Wertung: {TENDER.title}").click()


def lead_reads_the_rankings(page: Page, tender_id: int, names: dict[str, str]) -> None:
    page.goto(f"/vergaben/{tender_id}/wertung")
    expect(page.get_by_text("Vollständig: der Zuschlag kann vorgeschlagen werden.")).to_have_count(2)
    check(page, "08-evaluation-complete")
    for number, rows in RANKING.items():
        page.goto(f"/vergaben/{tender_id}/wertung")
        page.get_by_role("link", name=f"Rangfolge von Los {number}").click()
        ranking = page.get_by_role("table", name=re.compile("^Rangfolge mit allen Zahlen"))
        body = ranking.locator("tbody tr")
        expect(body).to_have_count(len(rows))
        for rank, (row, (email, price, total)) in enumerate(zip(body.all(), rows, strict=True), start=1):
            expect(row.locator("td").first).to_have_text(str(rank))
            expect(row.get_by_role("rowheader")).to_contain_text(names[email])
            expect(row).to_contain_text(price)
            expect(row.locator("td").last).to_have_text(total)
        # the spread of the two evaluators' points is shown per bid
        points = page.get_by_role("table", name=re.compile(f"^{QUALITY}: Punkte je bewertender Person"))
        expect(points.get_by_role("row", name=names[WINNER])).to_contain_text("7,5")
        check(page, f"09-ranking-lot-{number}")


def lead_proposes_and_sends_letters(page: Page, tender_id: int, names: dict[str, str]) -> None:
    page.goto(f"/vergaben/{tender_id}")
    page.get_by_role("link", name="Zuschlag je Los (§ 134 GWB)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zuschlag")
    check(page, "10-award-nothing-proposed")
    for number in RANKING:
        lot = lot_section(page, number)
        # only rank 1 is offered for the award
        expect(lot.get_by_role("radio")).to_have_count(1)
        lot.get_by_role("radio", name=re.compile(re.escape(names[WINNER]))).check()
        lot.get_by_label("Gründe für den Zuschlag").fill(REASONS)
        lot.get_by_role("button", name="Zuschlag vorschlagen").click()
        flash(page, f"Der Zuschlagsvorschlag für Los {number} ist gespeichert.")
        expect(lot_section(page, number)).to_contain_text("Zuschlag vorgeschlagen")
    check(page, "11-award-proposed")
    for number, rows in RANKING.items():
        lot_section(page, number).get_by_role("button", name="Information nach § 134 GWB versenden").click()
        flash(page, f"Die Information nach § 134 GWB an {len(rows) - 1} Bieter ist geschrieben")
        lot = lot_section(page, number)
        # delivered by the outbox right after the request: the standstill runs
        expect(lot).to_contain_text(f"{len(rows) - 1} von {len(rows) - 1} versandt")
        expect(lot).to_contain_text("Bieter informiert, Wartefrist läuft")
        expect(lot.locator("dd").filter(has_text=EARLIEST_CONTRACT)).to_have_count(1)
        letters = lot.get_by_role("table", name="Informationsschreiben (§ 134 GWB)")
        expect(letters.locator("tbody tr")).to_have_count(len(rows) - 1)
    # before the standstill is over there is no button for the Zuschlag
    expect(page.get_by_role("button", name="Zuschlag erteilen")).to_have_count(0)
    check(page, "12-letters-sent")


def loser_reads_its_letters(page: Page, names: dict[str, str], other_letter_id: int) -> None:
    navigation(page).get_by_role("link", name="Meine Angebote", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Angebote")
    check(page, "13-vendor-bids")
    page.get_by_role("link", name="Informationsschreiben nach § 134 GWB").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Informationsschreiben nach § 134 GWB")
    table = page.get_by_role("table", name="Informationsschreiben an Ihr Unternehmen")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)  # its two lots, nothing of the others' letters
    for number, own_rank in ((1, "3"), (2, "2")):
        row = rows.filter(has_text=f"Los {number}: Steuergeräte {number}")
        expect(row.locator("td").nth(1)).to_have_text(own_rank)
        expect(row).to_contain_text(EARLIEST_CONTRACT)
    check(page, "14-vendor-letters")
    filename, pdf = download(page, rows.filter(has_text="Los 1: Steuergeräte 1").get_by_role("link"))
    assert filename.endswith(".pdf") and pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert f"auf das Angebot von {names[WINNER]} zu erteilen" in text, text
    assert "Rang 3 von 3" in text, text
    assert "16.01.2027" in text, text
    assert names[LOSER] in text and names[THIRD_VENDOR] not in text
    # the letter to the other unsuccessful bidder is not there for this vendor
    assert page.request.get(f"/informationsschreiben/{other_letter_id}.pdf").status == 404


def early_zuschlag_is_refused(page: Page, tender_id: int, lot_ids: dict[int, int]) -> None:
    """A Zuschlag before the standstill ends: no button; a form sent anyway (an old bookmark, a
    crafted request) is refused with a 409 and changes nothing (§134 Abs. 2, §135 GWB)."""
    page.goto(f"/vergaben/{tender_id}/zuschlag")
    expect(page.get_by_role("button", name="Zuschlag erteilen")).to_have_count(0)
    lot_id = lot_ids[1]
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        page.evaluate(
            """([action, prefix]) => {
                const token = document.querySelector('input[name$="csrf_token"]').value;
                const version = document.querySelector(`input[name="${prefix}-challenge-version"]`).value;
                const form = document.createElement('form');
                form.method = 'post';
                form.action = action;
                for (const [name, value] of [[`${prefix}-finalise-csrf_token`, token],
                                             [`${prefix}-finalise-version`, version]]) {
                    const input = document.createElement('input');
                    input.type = 'hidden'; input.name = name; input.value = value;
                    form.appendChild(input);
                }
                document.body.appendChild(form);
                form.submit();
            }""",
            [f"/vergaben/{tender_id}/zuschlag/lose/{lot_id}/erteilen", f"lot{lot_id}"],
        )
    assert info.value.status == 409
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktion nicht möglich")
    expect(page.get_by_role("alert")).to_contain_text("Die Wartefrist nach §134 Abs. 2 GWB läuft noch")
    check(page, "15-early-zuschlag-refused")


def lead_awards_after_the_standstill(page: Page, tender_id: int) -> None:
    # ten days later the session has ended: log in again, back to the award page
    page.goto(f"/vergaben/{tender_id}/zuschlag")
    flash(page, "Bitte melden Sie sich an, um diese Seite zu sehen.")
    log_in(page, LEAD)
    expect(page).to_have_url(re.compile(f"/vergaben/{tender_id}/zuschlag$"))
    for number in RANKING:
        lot_section(page, number).get_by_role("button", name="Zuschlag erteilen").click()
        flash(page, f"Der Zuschlag für Los {number} ist erteilt.")
        expect(lot_section(page, number).locator("dt").filter(has_text="Zuschlag erteilt")).to_have_count(1)
    expect(page.get_by_role("button", name="Zuschlag erteilen")).to_have_count(0)
    check(page, "16-awarded")


def municipality_sees_its_contracts(page: Page, email: str, names: dict[str, str], first: bool) -> None:
    navigation(page).get_by_role("link", name="Verträge", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verträge")
    own = CONTRACTS[email]
    table = page.get_by_role("table", name=re.compile(r"^\d+ (Vertrag|Verträge)$"))
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(own))  # its own contracts only
    for number, (quantity, value) in own.items():
        row = rows.filter(has_text=f"Steuergeräte {number}")
        expect(row).to_contain_text(names[email])
        expect(row).to_contain_text(names[WINNER])
        expect(row.locator("td").nth(3)).to_have_text(quantity)
        expect(row.locator("td").nth(5)).to_have_text(value)
    if first:
        check(page, "17-my-contracts")
    row = rows.filter(has_text="Steuergeräte 1")
    contract_number = row.get_by_role("rowheader").inner_text().strip()
    assert re.fullmatch(r"VG-2026-17-\d+-L1-\w+", contract_number), contract_number
    row.get_by_role("link", name=contract_number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Vertrag {contract_number}")
    terms = page.get_by_role("table", name="Menge, Einzelpreis und Auftragswert")
    expect(terms.get_by_role("row", name="Menge")).to_contain_text(own[1][0])
    expect(terms.get_by_role("row", name="Einzelpreis (netto)")).to_contain_text("1.920,00\xa0€")
    expect(terms.get_by_role("row", name="Auftragswert (netto)")).to_contain_text(own[1][1])
    expect(page.get_by_role("region", name="Zuschlag und Vertragsschluss")).to_contain_text(EARLIEST_CONTRACT)
    if first:
        check(page, "18-contract")
    filename, pdf = download(page, page.get_by_role("link", name="Vertrag herunterladen (PDF)"))
    assert filename == f"vertrag-{contract_number}.pdf"
    assert pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == page.locator("#h-document ~ p code").inner_text().strip()
    assert contract_number in pdf_text(pdf)


def public_sees_the_winner(page: Page, tender_id: int, names: dict[str, str]) -> None:
    page.goto(f"/ausschreibungen/{tender_id}/vergabebekanntmachung")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vergabebekanntmachung")
    results = page.get_by_role("table", name="Zuschläge und Aufhebungen je Los")
    for number, rows in RANKING.items():
        row = results.get_by_role("row", name=re.compile(f"^Los {number}: Steuergeräte {number}"))
        expect(row).to_contain_text(f"Zuschlag an {names[WINNER]}")
        expect(row.locator("td").nth(2)).to_have_text(str(len(rows)))
    expect(page.get_by_role("link", name="EU-Vergabebekanntmachung (eForms-XML)")).to_be_visible()
    check(page, "19-public-award")


# --- the story ------------------------------------------------------------------------------


def test_the_lead_scores_three_bids_awards_after_the_standstill_and_three_municipalities_get_their_contracts(
    app: Flask,
    new_context: Callable[..., BrowserContext],
    story_tender: int,
    mailbox: Mailbox,
) -> None:
    tender_id = story_tender
    with app.app_context():
        names = {
            email: user(email).organisation.name
            for email in (WINNER, LOSER, THIRD_VENDOR, LEAD, PARTNER, THIRD)
        }
        lot_ids = {lot.number: lot.id for lot in db.session.get(Tender, tender_id).lots}

    with time_machine.travel(START, tick=True) as traveller:
        bids = {email: submit_bid(app, tender_id, email) for email in PRICES}

        # the deadline passes; two officers of Talheim open the bids (§ 55 Abs. 2 VgV)
        traveller.move_to(AFTER_DEADLINE)
        lead = logged_in(new_context, LEAD)
        second = logged_in(new_context, SECOND_OFFICER)
        officers_open_the_bids(lead, second, tender_id)

        # review, quality points by two evaluators, the ranking
        lead_admits_and_scores(lead, tender_id, names)
        colleague_scores(second, tender_id, names)
        lead_reads_the_rankings(lead, tender_id, names)

        # the proposal per lot and the §134 GWB letters, delivered to the test SMTP server
        lead_proposes_and_sends_letters(lead, tender_id, names)
        loser_mails = wait_for_mail(mailbox, LOSER, "134 GWB", 2)
        third_mails = wait_for_mail(mailbox, THIRD_VENDOR, "134 GWB", 1)
        assert len(loser_mails) == 2 and len(third_mails) == 1
        assert wait_for_mail(mailbox, WINNER, "134 GWB", 1, timeout=0) == []
        assert f"auf das Angebot von {names[WINNER]} zu erteilen" in third_mails[0].get_content()
        with app.app_context():
            [third_letter_id] = db.session.scalars(
                select(InformationLetter.id).where(
                    InformationLetter.organisation_id == user(THIRD_VENDOR).organisation_id
                )
            ).all()
        loser_reads_its_letters(logged_in(new_context, LOSER), names, third_letter_id)

        # a Zuschlag before the end of the standstill is refused
        early_zuschlag_is_refused(lead, tender_id, lot_ids)
        with app.app_context():
            awards = db.session.scalars(select(Award).where(Award.tender_id == tender_id)).all()
            assert {a.status for a in awards} == {AwardStatus.notified}
            assert {a.standstill_ends_at for a in awards} == {STANDSTILL_END}
            assert db.session.scalars(select(Contract)).all() == []

        # the standstill is over: the Zuschlag, and a contract per municipality and lot
        traveller.move_to(AFTER_STANDSTILL)
        lead_awards_after_the_standstill(lead, tender_id)
        for position, email in enumerate((LEAD, PARTNER, THIRD)):
            page = lead if email == LEAD else logged_in(new_context, email)
            municipality_sees_its_contracts(page, email, names, first=position == 0)
        public_sees_the_winner(logged_in(new_context, None), tender_id, names)

    with app.app_context():
        tender = db.session.get(Tender, tender_id)
        assert tender is not None and tender.status in (TenderStatus.awarded, TenderStatus.contracted)
        awards = db.session.scalars(select(Award).where(Award.tender_id == tender_id)).all()
        assert [(a.status, a.bid_id) for a in awards] == [(AwardStatus.final, bids[WINNER])] * 2
        assert all(a.finalised_at is not None and a.finalised_at >= AFTER_STANDSTILL for a in awards)
        statuses = {email: db.session.get(Bid, bid_id).status for email, bid_id in bids.items()}
        assert statuses == {
            WINNER: BidStatus.successful,
            LOSER: BidStatus.unsuccessful,
            THIRD_VENDOR: BidStatus.unsuccessful,
        }
        contracts = db.session.scalars(select(Contract).order_by(Contract.id)).all()
        assert sorted((c.buyer_name, c.lot.number, c.net_value) for c in contracts) == sorted(
            (names[email], number, Decimal(value.replace(".", "").replace(",", ".").removesuffix("\xa0€")))
            for email, lots in CONTRACTS.items()
            for number, (_quantity, value) in lots.items()
        )
        scores = db.session.scalars(select(QualityScore)).all()
        assert len(scores) == 6  # three bids, two evaluators
        letters = db.session.scalars(select(InformationLetter)).all()
        assert len(letters) == 3 and all(letter.sent_at is not None for letter in letters)
        assert all(letter.sent_at < STANDSTILL_END - timedelta(days=10) for letter in letters)
        actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        for action in (
            "opening.bids_read",
            "award.proposed",
            "award.letters_delivered",
            "award.notify",
            "award.finalise",
            "contract.concluded",
        ):
            assert action in actions, action
        assert "award.notice_failed" not in actions  # the EU award notice passed its checks
