"""The Vergabevermerk (§8 VgV) of a procedure closed through the services: every item is in the PDF
(read back with pypdf), on every page the chain head and "Seite x von y"; the same data gives the
same bytes; the download is audited; the record page shows the same to those who may read it."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest
from flask import Flask
from sqlalchemy import select

from procurement.audit.models import AuditEntry
from procurement.awards import award as award_service
from procurement.awards.models import Contract
from procurement.extensions import db
from procurement.records.chain import chain_head
from procurement.records.notes import add_note
from procurement.records.vermerk_pdf import vermerk_pdf
from procurement.tenders import services as tender_services
from procurement.tenders.models import CancellationReason, Tender
from tests.conftest import page_text
from tests.procurement.awards.test_award_flow import (
    EVALUATED,
    STANDSTILL_END,
    LotNo,
    act,
    deliver,
    evaluate,
    propose_all,
)
from tests.procurement.records.conftest import Closed
from tests.procurement.tenders.conftest import LEAD, LEAD_AUDITOR, PARTNER, THIRD, VENDOR, user
from workflows.tender import TenderStatus

THIRD_VENDOR = "angebot@offene-stadtdaten.example"
EXCLUSION_REASON = "Der Nachweis der Haftpflichtversicherung fehlt."
CONFLICT = "Ein Mitglied der Wertung ist mit einem Bieter verwandt und hat nicht mitgewertet."
NOTE = "Markterkundung bei drei Herstellern vor der Schätzung."
CANCEL_TEXT = "Der Kreistag hat die Mittel gestrichen."
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "vermerk"


def squash(text: str) -> str:
    """Text without whitespace: table cells break lines anywhere, the words stay in order."""
    return re.sub(r"\s+", "", text)


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def excluded_closed(app: Flask, opened) -> Closed:  # type: ignore[no-untyped-def]
    """The joint procedure with the third vendor excluded (§57), notes, letters and Zuschlag."""
    with app.test_request_context():
        tender = db.session.get(Tender, opened.tender_id)
        add_note(user(LEAD), tender, NOTE, EVALUATED)
        db.session.commit()
    evaluate(app, opened, exclude=(THIRD_VENDOR,))
    propose_all(app, opened)
    with app.test_request_context():
        tender = db.session.get(Tender, opened.tender_id)
        add_note(user(LEAD), tender, CONFLICT, EVALUATED, topic="conflicts")
        db.session.commit()
    for number in (1, 2):
        act(app, award_service.send_letters, opened.tender_id, LotNo(number))
    deliver(app, EVALUATED)
    for number in (1, 2):
        act(app, award_service.finalise_lot, opened.tender_id, LotNo(number), now=STANDSTILL_END)
    return Closed(opened.tender_id, opened.lots, opened.bids)


def _pdf(app: Flask, tender_id: int) -> tuple[bytes, str]:
    with app.test_request_context():
        head = chain_head()
        assert head is not None
        return vermerk_pdf(db.session.get(Tender, tender_id)), head["hash"]


def test_the_vermerk_names_every_item_of_section_8(app, excluded_closed):
    pdf, head = _pdf(app, excluded_closed.tender_id)
    pages = pages_of(pdf)
    text = squash("\n".join(pages))
    with app.app_context():
        numbers = list(db.session.scalars(select(Contract.number).order_by(Contract.number)))
    assert len(numbers) == 4
    expected = [
        # title page: authority, subject, reference, procedure id
        "Vergabevermerk",
        "StadtTalheimanderLauter",
        "AdaptiveAmpelsteuerungfürdreiKommunen",
        "VG-2026-17",
        "Inhalt",
        # stages and dates
        "VerlaufdesVerfahrens",
        "Angebotsfristabgelaufen",
        "Angebotegeöffnet(§55VgV)",
        "Informationsschreiben(§134GWB)versandt",
        "Zuschlagerteilt",
        # value, threshold and procedure
        "GeschätzterAuftragswert",
        "§106GWB",
        "ÖffentlicheAusschreibung(national,§9UVgO)",
        # lots, participants, documents, questions
        "DieLeistungistin2Loseaufgeteilt.(§97Abs.4GWB)",
        "GemeindeBirkenfelde",
        "§4VgV",
        "Leistungsbeschreibung1",
        "KeineBieterfragen.",
        # bids, opening, exclusions, requests
        "VerkehrstechnikSüdGmbH",
        "EnergieNetzSolutionsAG",
        "OffeneStadtdateneG",
        "48.000,00€",
        "Geöffnetam25.12.2026",
        "ausgeschlossen",
        "Unterlagenfehlen(§57Abs.1Nr.2VgV)",
        squash(EXCLUSION_REASON),
        "KeineUnterlagennachgefordert.",
        # ranking, §60, award and reasons
        "WertungundRangfolgejeLos",
        "§60VgV",
        "ZuschlaganVerkehrstechnikSüdGmbH.Begründung:BestesVerhältnis.",
        # §134 letters and standstill
        "28.12.2026,10:00Uhr",
        "Wartefristendetam08.01.2027,00:00Uhr",
        "KeinNachprüfungsverfahren.",
        # contracts, invoices, cancellation, conflicts, subcontracting, notes
        *numbers,
        "SummederVerträge:49.200,50€netto.",
        "KeineRechnungen.",
        "DasVerfahrenistnichtaufgehoben.",
        squash(CONFLICT),
        "AnteilvonUnteraufträgen:nichtbekannt.",
        squash(NOTE),
        "OskarVergabe",
    ]
    missing = [item for item in expected if item not in text]
    assert not missing
    # the notes section lists the notes in the order they were written
    notes_part = text[text.rindex("VermerkederVergabestelle") :]
    assert notes_part.index(squash(NOTE)) < notes_part.index(squash(CONFLICT))


def test_every_page_carries_the_chain_head_and_its_number(app, excluded_closed):
    pdf, head = _pdf(app, excluded_closed.tender_id)
    pages = pages_of(pdf)
    total = len(pages)
    assert total >= 5
    assert f"Seite 1 von {total}" in pages[0]
    for number, page in enumerate(pages, start=1):
        assert head in squash(page), number
        assert f"Seite {number} von {total}" in page
    # the table of contents names sections with their pages
    assert re.search(r"14\. Zuschlag und Begründung je Los\s+\d+", pages[1])


def test_the_same_record_gives_the_same_bytes_and_a_new_note_changes_them(app, excluded_closed):
    first, _head = _pdf(app, excluded_closed.tender_id)
    again, _head = _pdf(app, excluded_closed.tender_id)
    assert first == again
    with app.test_request_context():
        add_note(user(LEAD), db.session.get(Tender, excluded_closed.tender_id), "Nachtrag.", STANDSTILL_END)
        db.session.commit()
    changed, head = _pdf(app, excluded_closed.tender_id)
    assert changed != first and head in squash(pages_of(changed)[-1])


def test_pages_render_as_images(app, excluded_closed):
    """Render the pages for a person to look at (test-artifacts/vermerk/)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    pdf, _head = _pdf(app, excluded_closed.tender_id)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "vergabevermerk.pdf").write_bytes(pdf)
    for old in ARTIFACTS.glob("page-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(ARTIFACTS / "vergabevermerk.pdf"), str(ARTIFACTS / "page")],
        check=True,
        timeout=60,
    )
    images = sorted(ARTIFACTS.glob("page-*.png"))
    assert len(images) == len(pages_of(pdf))
    assert all(image.read_bytes().startswith(b"\x89PNG") for image in images)


def test_prices_appear_only_after_the_opening(app, bid_tender, make_bid):
    make_bid(VENDOR)
    with app.test_request_context():
        tender = db.session.get(Tender, bid_tender)
        assert tender.status is TenderStatus.published
        text = squash("\n".join(pages_of(vermerk_pdf(tender))))
    assert "VerkehrstechnikSüdGmbH" in text and "verschlossenbiszurÖffnung" in text
    assert "€" not in text.split("EingegangeneAngebote")[-1].split("ÖffnungderAngebote")[0]


def test_a_cancelled_procedure_names_its_reason_and_the_missing_lot_reason(app, public_tender):
    tender_id = public_tender(lots=1)
    with app.test_request_context():
        tender = db.session.get(Tender, tender_id)
        tender_services.cancel_tender(
            user(LEAD),
            tender,
            CancellationReason.fundamental_change,
            CANCEL_TEXT,
            datetime(2026, 12, 1, tzinfo=UTC),
        )
        db.session.commit()
        text = squash("\n".join(pages_of(vermerk_pdf(tender))))
    assert "GründefürdieNichtaufteilunginLose:nichtangegeben" in text
    assert "Aufgehobenam01.12.2026" in text
    assert "DieGrundlagedesVergabeverfahrenshatsichwesentlichgeändert(§63Abs.1Satz1Nr.2VgV)" in text
    assert squash(CANCEL_TEXT) in text
    assert "DieAngebotesindnichtgeöffnet." in text


def test_a_single_lot_reason_from_a_note_replaces_nicht_angegeben(app, public_tender):
    tender_id = public_tender(lots=1)
    with app.test_request_context():
        tender = db.session.get(Tender, tender_id)
        add_note(
            user(LEAD),
            tender,
            "Ein Gesamtsystem aus einer Hand.",
            datetime(2026, 11, 26, tzinfo=UTC),
            topic="lots",
        )
        db.session.commit()
        text = squash("\n".join(pages_of(vermerk_pdf(tender))))
    assert "nichtangegeben" not in text
    assert "Losaufteilung" not in text.split("GründefürdieNichtaufteilunginLose")[1].split("Teilnehmende")[0]
    assert "EinGesamtsystemauseinerHand." in text


# --- the download and the record page ------------------------------------------------------------


def test_the_download_is_audited_with_the_pdfs_hash(app, client, auth, closed):
    auth.login(LEAD)
    response = client.get(f"/vergaben/{closed.tender_id}/vergabevermerk.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "record.vermerk_downloaded")
        ).one()
        assert entry.actor_email == LEAD and entry.object_id == str(closed.tender_id)
        assert f'"sha256":"{hashlib.sha256(response.data).hexdigest()}"' in entry.after


@pytest.mark.parametrize(
    ("email", "status"),
    [(LEAD, 200), (LEAD_AUDITOR, 200), (PARTNER, 403), (THIRD, 404), (VENDOR, 404), (None, 302)],
)
def test_who_reads_the_record_of_a_closed_procedure(client, auth, closed, email, status):
    if email:
        auth.login(email)
    for url in (f"/vergaben/{closed.tender_id}/akte", f"/vergaben/{closed.tender_id}/vergabevermerk.pdf"):
        assert client.get(url).status_code == status, url


def test_auditors_see_nothing_before_the_award(client, auth, opened):
    auth.login(LEAD_AUDITOR)
    for url in (f"/vergaben/{opened.tender_id}/akte", f"/vergaben/{opened.tender_id}/vergabevermerk.pdf"):
        assert client.get(url).status_code in (403, 404), url
    auth.logout()
    auth.login(LEAD)  # the lead's officer reads it at any stage
    assert client.get(f"/vergaben/{opened.tender_id}/akte").status_code == 200


def test_the_record_page_shows_the_vermerk_and_the_note_form_only_to_officers(client, auth, excluded_closed):
    url = f"/vergaben/{excluded_closed.tender_id}/akte"
    auth.login(LEAD)
    officer_page = client.get(url)
    text = page_text(officer_page)
    assert "Zuschlag an Verkehrstechnik Süd GmbH" in text and EXCLUSION_REASON in text and CONFLICT in text
    assert "Vermerk speichern" in text
    assert f'href="/vergaben/{excluded_closed.tender_id}/vergabevermerk.pdf"' in officer_page.get_data(
        as_text=True
    )
    assert "vergabeakte.zip" in officer_page.get_data(as_text=True)
    auth.logout()
    auth.login(LEAD_AUDITOR)
    auditor_text = page_text(client.get(url))
    assert "Zuschlag an Verkehrstechnik Süd GmbH" in auditor_text
    assert "Vermerk speichern" not in auditor_text


def test_the_tender_page_links_the_record_for_those_who_may_read_it(client, auth, closed):
    auth.login(LEAD)
    assert f'href="/vergaben/{closed.tender_id}/akte"' in client.get(
        f"/vergaben/{closed.tender_id}"
    ).get_data(as_text=True)
    auth.logout()
    auth.login(PARTNER)  # a participant's officer sees the tender, not the lead's record
    page = client.get(f"/vergaben/{closed.tender_id}")
    assert page.status_code == 200 and "/akte" not in page.get_data(as_text=True)
