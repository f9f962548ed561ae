"""The auditor's story (issue 9) in the browser: Talheim's Rechnungsprüfung logs in, finds its
closed procedures in the workspace (/pruefung) and not the one still open, filters them by year,
procedure type, CPV code and value, reads the full record (with nothing to change on it),
downloads the Vergabevermerk and the Vergabeakte, and checks the Vergabeakte on the archive check
page: the archive as downloaded is unchanged; a copy with one changed byte is named as changed,
with the file that no longer matches. Then Talheim's lead officer grants Nordhafen (not a
participant) an audit right, and Nordhafen's auditor, who saw nothing before, lists the procedure.

Built through the services (documented shortcut, as tests/procurement/records/conftest.py):
the joint procedure of Talheim and Birkenfelde goes from publication to the contracts
(``closed``: national, CPV 34996000-5, Zuschlag in January 2027, 49.200,50 EUR awarded); a second
tender of Talheim is published and cancelled in December 2026 (EU, CPV 48000000-8); a third is
published and waits for bids, so no auditor may see it yet. Everything the auditor does is clicks,
form fills and downloads; every page visited is checked with axe. The auditors of Birkenfelde,
Nordhafen and the Kompetenzzentrum are made through the account services (the demo has only
Talheim's).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Optional

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Locator, Page, expect
from pypdf import PdfReader
from sqlalchemy import func, select

from procurement.audit.models import AuditEntry
from procurement.extensions import db
from procurement.reference.deadlines import Procedure
from tests.e2e.conftest import assert_no_axe_violations, log_in, navigation, screenshot
from tests.procurement.records import conftest as record_fixtures
from tests.procurement.records.conftest import Closed
from tests.procurement.records.test_verify import flip_byte
from tests.procurement.records.test_workspace_support import (
    LEAD_AUDITOR,
    THIRD_AUDITOR,
    add_auditors,
    cancelled_tender,
)
from tests.procurement.tenders.conftest import LEAD, TENDER, THIRD, user

pytestmark = pytest.mark.e2e

# the fixtures this story builds on (sibling conftests are not seen from tests/e2e)
make_tender = record_fixtures.make_tender
tender_storage = record_fixtures.tender_storage
public_tender = record_fixtures.public_tender
bid_config = record_fixtures.bid_config
bid_tender = record_fixtures.bid_tender
make_bid = record_fixtures.make_bid
opened = record_fixtures.opened
closed = record_fixtures.closed

CLOSED_TITLE = TENDER.title  # "Adaptive Ampelsteuerung für drei Kommunen", contracted in 2027
CANCELLED_TITLE = "Verkehrsrechner-Software"  # EU, cancelled on 1 December 2026
OPEN_TITLE = "Winterdienst: Streufahrzeuge"  # published, bids still coming in
EU_OPEN = "Offenes Verfahren (EU, § 15 VgV)"


# --- setup ------------------------------------------------------------------------------------


@pytest.fixture
def procedures(app: Flask, closed: Closed, public_tender: Callable[..., int]) -> dict[str, int]:
    """The closed procedure, a cancelled one, and one still open for bids, all of Talheim."""
    add_auditors(app)  # Birkenfelde, Nordhafen and the Kompetenzzentrum get auditors too
    cancelled = cancelled_tender(app, public_tender)
    still_open = public_tender(title=OPEN_TITLE, procedure=Procedure.eu_open)
    return {"closed": closed.tender_id, "cancelled": cancelled, "open": still_open}


# --- helpers ----------------------------------------------------------------------------------


def check(page: Page, name: str) -> None:
    """Every distinct page of the story: axe-clean, and a screenshot for the record."""
    assert_no_axe_violations(page)
    screenshot(page, f"auditor-{name}")


def logged_in(new_context: Callable[..., BrowserContext], email: str) -> Page:
    page = new_context().new_page()
    page.set_default_timeout(15_000)
    page.goto("/login")
    log_in(page, email)
    expect(navigation(page).get_by_role("button", name="Abmelden")).to_be_visible()
    return page


def download(page: Page, link: Locator, target: Optional[Path] = None) -> tuple[str, bytes]:
    with page.expect_download() as info:
        link.click()
    if target is not None:
        info.value.save_as(target)
        return info.value.suggested_filename, target.read_bytes()
    return info.value.suggested_filename, Path(info.value.path()).read_bytes()


def results(page: Page) -> Locator:
    return page.get_by_role("region", name=re.compile(r"^\d+ Vergaben?$"))


def listed(page: Page, count: int, titles: list[str]) -> None:
    """The workspace lists exactly ``titles`` (in this order) under the heading "<count> Vergabe(n)"."""
    expect(page.locator("#h-results")).to_have_text(f"{count} Vergabe" + ("" if count == 1 else "n"))
    rows = results(page).locator("tbody tr")
    expect(rows.get_by_role("rowheader").get_by_role("link")).to_have_text(titles)


def apply_filter(page: Page, fill: Callable[[Locator], None]) -> None:
    form = page.get_by_role("form", name="Filter")
    fill(form)
    form.get_by_role("button", name="Filtern").click()


def reset_filters(page: Page) -> None:
    page.get_by_role("link", name="Filter zurücksetzen").click()
    listed(page, 2, [CLOSED_TITLE, CANCELLED_TITLE])


# --- the story's steps --------------------------------------------------------------------------


def auditor_filters_the_workspace(page: Page) -> None:
    navigation(page).get_by_role("link", name="Rechnungsprüfung", exact=True).click()
    expect(page).to_have_url(re.compile(r"/pruefung$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Rechnungsprüfung")
    # newest first: the Zuschlag of January 2027, then the cancellation of December 2026; the
    # tender still open for bids is not there
    listed(page, 2, [CLOSED_TITLE, CANCELLED_TITLE])
    expect(page.get_by_text(OPEN_TITLE)).to_have_count(0)
    closed_row = results(page).get_by_role("row", name=re.compile(f"^{CLOSED_TITLE}"))
    expect(closed_row).to_contain_text("Verträge geschlossen")
    expect(closed_row).to_contain_text("49.200,50")
    expect(results(page).get_by_role("row", name=re.compile(f"^{CANCELLED_TITLE}"))).to_contain_text(
        "aufgehoben"
    )
    check(page, "01-workspace")

    # the year of the Zuschlag or the cancellation
    apply_filter(
        page, lambda form: form.get_by_label("Jahr des Zuschlags oder der Aufhebung").select_option("2027")
    )
    expect(page).to_have_url(re.compile(r"jahr=2027"))
    listed(page, 1, [CLOSED_TITLE])
    check(page, "02-filter-year")
    apply_filter(
        page, lambda form: form.get_by_label("Jahr des Zuschlags oder der Aufhebung").select_option("2026")
    )
    listed(page, 1, [CANCELLED_TITLE])
    reset_filters(page)

    # the procedure type
    apply_filter(page, lambda form: form.get_by_label("Verfahrensart").select_option(label=EU_OPEN))
    listed(page, 1, [CANCELLED_TITLE])
    reset_filters(page)

    # the start of the CPV code
    apply_filter(page, lambda form: form.get_by_label("CPV-Code (Anfang)").fill("3499"))
    listed(page, 1, [CLOSED_TITLE])
    reset_filters(page)

    # the awarded value, typed as Germans write amounts: a cent above the Zuschlag finds nothing
    apply_filter(page, lambda form: form.get_by_label("Wert ab (EUR netto)").press_sequentially("49.200,51"))
    expect(page.locator("#h-results")).to_have_text("0 Vergaben")
    expect(page.get_by_text("Keine Vergabe passt zu diesen Filtern.")).to_be_visible()
    check(page, "03-filter-value-none")
    apply_filter(page, lambda form: form.get_by_label("Wert ab (EUR netto)").fill("49200.50"))
    listed(page, 1, [CLOSED_TITLE])
    # the form keeps what was typed
    expect(page.get_by_label("Wert ab (EUR netto)")).to_have_value("49200.50")
    check(page, "04-filter-value")


def auditor_reads_the_record(page: Page, tender_id: int) -> str:
    """The record page: read-only for the auditor. Returns the chain head it shows."""
    page.get_by_role("link", name=CLOSED_TITLE, exact=True).click()
    expect(page).to_have_url(re.compile(f"/vergaben/{tender_id}/akte$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Vergabeakte: {CLOSED_TITLE}")
    contents = page.get_by_role("navigation", name="Inhalt")
    expect(contents.get_by_role("link").first).to_be_visible()
    # nothing to change: no button, no form, no field; no way to the tender's officer pages
    main = page.locator("main")
    expect(main.get_by_role("button")).to_have_count(0)
    expect(main.locator("form")).to_have_count(0)
    expect(main.get_by_role("textbox")).to_have_count(0)
    expect(main.get_by_role("link", name="Zur Ausschreibung")).to_have_count(0)
    check(page, "05-record")
    head = page.locator("main code.text-break").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", head), head
    return head


def auditor_downloads_the_vermerk(page: Page, tender_id: int, head: str) -> None:
    filename, pdf = download(page, page.get_by_role("link", name="Vergabevermerk (PDF)"))
    assert filename == f"vergabevermerk-{tender_id}.pdf"
    assert pdf.startswith(b"%PDF-")
    pages = [re.sub(r"\s+", "", p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) > 1
    # the chain head the record page showed, on every page of the Vergabevermerk
    assert all(head in text for text in pages), [
        number for number, text in enumerate(pages, 1) if head not in text
    ]
    assert re.sub(r"\s+", "", CLOSED_TITLE) in pages[0]


def auditor_downloads_the_akte(page: Page, tender_id: int, target: Path) -> dict:  # type: ignore[type-arg]
    filename, data = download(page, page.get_by_role("link", name="Vergabeakte (ZIP)"), target)
    assert filename.startswith("vergabeakte-") and filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names[-1] == "manifest.json" and names[0] == "vergabevermerk.pdf"
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["tender"]["id"] == tender_id and manifest["tender"]["title"] == CLOSED_TITLE
        assert manifest["exporter"]["email"] == LEAD_AUDITOR
        assert manifest["includes_bids"] is True
        # every file but the manifest is listed, with the SHA-256 of what is in the archive
        listed_files = {f["path"]: f for f in manifest["files"]}
        assert sorted(listed_files) == sorted(names[:-1])
        for path, entry in listed_files.items():
            content = archive.read(path)
            assert hashlib.sha256(content).hexdigest() == entry["sha256"], path
            assert len(content) == entry["size"], path
        assert all(entry["integrity"] in ("ok", "generated") for entry in listed_files.values())
        for prefix in (
            "unterlagen/",
            "angebote/",
            "informationsschreiben/",
            "vertraege/",
            "audit/eintraege.jsonl",
        ):
            assert any(name.startswith(prefix) for name in names), prefix
        lines = archive.read("audit/eintraege.jsonl").decode().splitlines()
        assert len(lines) == manifest["audit_entries"] > 0
        assert json.loads(lines[-1])["hash"] == manifest["chain_head"]["hash"]
    return manifest


def auditor_checks_the_akte(page: Page, archive: Path, changed: Path, changed_member: str) -> None:
    navigation(page).get_by_role("link", name="Rechnungsprüfung", exact=True).click()
    page.get_by_role("link", name="Exportierte Vergabeakte prüfen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vergabeakte prüfen")
    check(page, "06-verify")
    upload = page.get_by_label("Vergabeakte (ZIP-Datei)")

    upload.set_input_files(archive)
    page.get_by_role("button", name="Prüfen").click()
    verdict = page.locator("#verify-verdict")
    expect(verdict).to_have_attribute("data-verdict", "intact")
    expect(page.get_by_role("status")).to_contain_text("Unverändert")
    result = page.get_by_role("region", name="Ergebnis der Prüfung")
    expect(result).to_contain_text(archive.name)
    expect(result).to_contain_text(CLOSED_TITLE)
    check(page, "07-verify-intact")

    page.get_by_label("Vergabeakte (ZIP-Datei)").set_input_files(changed)
    page.get_by_role("button", name="Prüfen").click()
    expect(verdict).to_have_attribute("data-verdict", "changed")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Verändert")
    expect(page.locator("#verify-first")).to_contain_text(changed_member)
    expect(page.get_by_role("region", name="Ergebnis der Prüfung")).to_contain_text(changed.name)
    check(page, "08-verify-changed")


def lead_grants_nordhafen(page: Page, tender_id: int, nordhafen: str) -> None:
    """The lead officer gives Nordhafen's auditors (not a participant) a grant for the procedure.
    Documented shortcut: the grants page is opened by its address (no page links it yet)."""
    page.goto(f"/vergaben/{tender_id}/pruefrechte")
    expect(page.get_by_role("heading", level=1)).to_have_text("Prüfrechte")
    expect(page.get_by_text("Noch keine Prüfrechte erteilt.")).to_be_visible()
    check(page, "09-grants")
    page.get_by_label("Organisation").select_option(label=nordhafen)
    page.get_by_role("button", name="Prüfrecht erteilen").click()
    expect(page.locator(".alert").filter(has_text=f"{nordhafen} hat jetzt ein Prüfrecht")).to_be_visible()
    grants = page.get_by_role("table", name="Prüfrechte dieser Vergabe, neueste zuerst")
    expect(grants.get_by_role("row", name=re.compile(f"^{re.escape(nordhafen)}"))).to_contain_text("erteilt")
    check(page, "10-granted")


def granted_auditor_sees_only_the_granted_procedure(page: Page) -> None:
    navigation(page).get_by_role("link", name="Rechnungsprüfung", exact=True).click()
    listed(page, 1, [CLOSED_TITLE])
    expect(results(page).get_by_role("row", name=re.compile(f"^{CLOSED_TITLE}"))).to_contain_text("Prüfrecht")
    check(page, "11-workspace-granted")


# --- the story ------------------------------------------------------------------------------


def test_talheims_auditor_filters_reads_downloads_and_verifies_the_vergabeakte(
    app: Flask,
    new_context: Callable[..., BrowserContext],
    procedures: dict[str, int],
    tmp_path: Path,
) -> None:
    tender_id = procedures["closed"]
    with app.app_context():
        start = db.session.scalar(select(func.max(AuditEntry.seq)))
    page = logged_in(new_context, LEAD_AUDITOR)

    auditor_filters_the_workspace(page)
    # the tender still open for bids: not even its record page (nor the workspace) shows it
    for path in (f"/vergaben/{procedures['open']}/akte", f"/vergaben/{procedures['open']}/vergabeakte.zip"):
        assert page.request.get(path).status in (403, 404), path

    head = auditor_reads_the_record(page, tender_id)
    auditor_downloads_the_vermerk(page, tender_id, head)
    archive = tmp_path / "vergabeakte.zip"
    auditor_downloads_the_akte(page, tender_id, archive)

    # a copy with one byte of one contract changed, as a damaged or doctored copy would have it
    data = archive.read_bytes()
    contract = next(n for n in zipfile.ZipFile(archive).namelist() if n.startswith("vertraege/"))
    changed = tmp_path / "vergabeakte-kopie.zip"
    changed.write_bytes(flip_byte(data, contract))
    auditor_checks_the_akte(page, archive, changed, contract)

    # the lead officer grants Nordhafen an audit right: its auditor lists the closed procedure
    # (not the cancelled one, which has no grant)
    lead = logged_in(new_context, LEAD)
    with app.app_context():
        nordhafen = user(THIRD).organisation.name
    nordhafen_auditor = logged_in(new_context, THIRD_AUDITOR)
    navigation(nordhafen_auditor).get_by_role("link", name="Rechnungsprüfung", exact=True).click()
    expect(nordhafen_auditor.locator("#h-results")).to_have_text("0 Vergaben")
    lead_grants_nordhafen(lead, tender_id, nordhafen)
    granted_auditor_sees_only_the_granted_procedure(nordhafen_auditor)

    # both downloads are on record (who, which tender, the SHA-256), and nothing else the
    # auditor did changed anything: their entries since the login are the login and the downloads
    with app.app_context():
        auditor_id = user(LEAD_AUDITOR).id
        entries = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.actor_id == auditor_id, AuditEntry.seq > start)
            .order_by(AuditEntry.seq)
        ).all()
        assert [entry.action for entry in entries] == [
            "user.login",
            "record.vermerk_downloaded",
            "record.akte_downloaded",
            "record.akte_completed",
        ]
        assert all(entry.object_id == str(tender_id) for entry in entries[1:])
        assert json.loads(entries[-1].after)["sha256"] == hashlib.sha256(data).hexdigest()
