"""The public list of open tenders with its filters, and a tender's public notice page.

Shortcut (documented in ``public_tender``): the tenders are built through the services and put
into ``published`` (or ``cancelled``) directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import update

from procurement.extensions import db
from procurement.reference.deadlines import Procedure
from procurement.tenders import public_views
from procurement.tenders.models import CancellationReason, Tender
from tests.conftest import page_text, submit
from workflows.tender import TenderStatus

from .conftest import LEAD, LEAD_REQUESTER, NOW, PARTNER, TENDER, THIRD, VENDOR

DEADLINE = NOW + timedelta(days=30)
TENDER_TITLE = TENDER.title


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        yield


def titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The tender titles in the result table, in order."""
    html = response.get_data(as_text=True)
    return re.findall(r'<th scope="row"><a href="/ausschreibungen/\d+">([^<]+)</a>', html)


def change(app, tender_id: int, **values: object) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        db.session.execute(update(Tender).where(Tender.id == tender_id).values(**values))
        db.session.commit()


@pytest.fixture
def catalogue(app, public_tender):  # type: ignore[no-untyped-def]
    """Four published tenders (traffic lights, software, electricity, IT services) and a draft."""
    ids = {
        "ampel": public_tender(title="Ampelsteuerung Talheim", deadline=DEADLINE),
        "software": public_tender(
            lots=0,
            title="Fachverfahren Bauamt",
            description="Software für die Bauaufsicht.",
            cpv_code="48000000-8",
            nuts_code="DE300",
            deadline=DEADLINE + timedelta(days=10),
        ),
        "strom": public_tender(
            lots=0,
            title="Strom für Straßenbeleuchtung",
            description="Ökostrom für 3.000 Leuchten.",
            cpv_code="09300000-2",
            nuts_code="DE111",
            deadline=DEADLINE + timedelta(days=20),
            procedure=Procedure.eu_open,
        ),
        "it": public_tender(
            lots=0,
            title="IT-Betrieb Rechenzentrum",
            description="Betrieb der Server.",
            cpv_code="72000000-5",
            nuts_code="DEA23",
            deadline=DEADLINE + timedelta(days=40),
        ),
        "draft": public_tender(title="Geheimer Entwurf", published=False),
    }
    # newest publication first: software, strom, it, ampel
    for position, key in enumerate(["ampel", "it", "strom", "software"]):
        change(app, ids[key], published_at=NOW - timedelta(days=10 - position))
    return ids


# --- the list ----------------------------------------------------------------------------------


def test_the_list_shows_open_published_tenders_newest_first(client, catalogue):
    response = client.get("/ausschreibungen/")
    assert response.status_code == 200
    assert titles(response) == [
        "Fachverfahren Bauamt",
        "Strom für Straßenbeleuchtung",
        "IT-Betrieb Rechenzentrum",
        "Ampelsteuerung Talheim",
    ]
    text = page_text(response)
    assert "Geheimer Entwurf" not in text
    assert "Talheim" in text and "34996000-5" in text and "DE118" in text
    assert (
        "Offenes Verfahren (EU, § 15 VgV)" in text
        and "Öffentliche Ausschreibung (national, § 9 UVgO)" in text
    )
    assert "25.12.26, 10:00" in text  # the deadline in German time


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cpv=34996", ["Ampelsteuerung Talheim"]),
        ("cpv=34996000-5", ["Ampelsteuerung Talheim"]),
        ("cpv=48", ["Fachverfahren Bauamt"]),
        ("nuts=DE1", ["Strom für Straßenbeleuchtung", "Ampelsteuerung Talheim"]),
        ("nuts=de118", ["Ampelsteuerung Talheim"]),
        ("nuts=DE3", ["Fachverfahren Bauamt"]),
        (
            "deadline_from=2027-01-01",
            ["Fachverfahren Bauamt", "Strom für Straßenbeleuchtung", "IT-Betrieb Rechenzentrum"],
        ),
        ("deadline_until=25.12.2026", ["Ampelsteuerung Talheim"]),
        (
            "deadline_from=2027-01-04&deadline_until=2027-01-14",
            ["Fachverfahren Bauamt", "Strom für Straßenbeleuchtung"],
        ),
        ("deadline_from=2027-01-05&deadline_until=2027-01-13", []),
        ("q=strom", ["Strom für Straßenbeleuchtung"]),
        ("q=server+betrieb", ["IT-Betrieb Rechenzentrum"]),
        ("q=bauaufsicht", ["Fachverfahren Bauamt"]),
        ("q=geheimer", []),
        ("q=100%25", []),
    ],
)
def test_the_list_filters(client, catalogue, query, expected):
    response = client.get(f"/ausschreibungen/?{query}")
    assert response.status_code == 200
    assert titles(response) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("cpv=abc", "CPV-Code"),
        ("nuts=Stuttgart", "NUTS-Code"),
        ("deadline_from=gestern", "Datum"),
        ("deadline_from=2027-02-01&deadline_until=2027-01-01", "liegt vor"),
        ("page=-3", "keine Seitenzahl"),
    ],
)
def test_unusable_filters_are_ignored_with_a_message(client, catalogue, query, message):
    response = client.get(f"/ausschreibungen/?{query}")
    assert response.status_code == 200
    assert message in page_text(response)
    assert len(titles(response)) >= 1


def test_tenders_past_their_deadline_and_cancelled_ones_are_in_the_past_list(app, client, catalogue):
    change(app, catalogue["ampel"], bid_deadline=NOW)  # passed, not moved by the clock yet
    change(
        app,
        catalogue["it"],
        status=TenderStatus.cancelled,
        cancellation_reason=CancellationReason.fundamental_change,
        cancelled_at=NOW,
    )
    assert titles(client.get("/ausschreibungen/")) == ["Fachverfahren Bauamt", "Strom für Straßenbeleuchtung"]
    response = client.get("/ausschreibungen/?past=y")
    assert titles(response) == ["IT-Betrieb Rechenzentrum", "Ampelsteuerung Talheim"]
    assert "aufgehoben" in page_text(response) and "Geheimer Entwurf" not in page_text(response)


def test_the_list_is_paginated(client, catalogue, monkeypatch):
    monkeypatch.setattr(public_views, "PAGE_SIZE", 3)
    first = client.get("/ausschreibungen/")
    assert len(titles(first)) == 3 and "4 Ausschreibungen" in page_text(first)
    second = client.get("/ausschreibungen/?page=2")
    assert titles(second) == ["Ampelsteuerung Talheim"]
    beyond = client.get("/ausschreibungen/?page=9")
    assert titles(beyond) == ["Ampelsteuerung Talheim"]
    assert "Diese Seite gibt es nicht; gezeigt wird Seite 2." in page_text(beyond)


# --- the notice page ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "status"),
    [(None, 404), (VENDOR, 404), (THIRD, 404), (PARTNER, 200), (LEAD_REQUESTER, 200), (LEAD, 200)],
)
def test_a_draft_notice_is_visible_only_to_the_tenders_own_people(client, auth, public_tender, email, status):
    tender_id = public_tender(published=False)
    if email:
        auth.login(email)
    response = client.get(f"/ausschreibungen/{tender_id}")
    assert response.status_code == status
    if status == 200:
        assert "Vorschau: Diese Ausschreibung ist noch nicht veröffentlicht." in page_text(response)


def test_the_notice_shows_buyers_lots_procedure_criteria_and_documents_but_no_estimates(
    client, public_tender
):
    tender_id = public_tender(lots=2)
    response = client.get(f"/ausschreibungen/{tender_id}")
    assert response.status_code == 200
    text = page_text(response)
    for expected in [
        "Talheim",
        "Birkenfelde",  # joint procurement: the participants are named (§4 VgV)
        "§ 4 VgV",
        "Los 1: Steuergeräte 1",
        "Los 2: Steuergeräte 2",
        "15 Stück",  # 10 (Talheim) + 5 (Birkenfelde)
        "Öffentliche Ausschreibung (national, § 9 UVgO)",
        "25. Dezember 2026, 10:00:00 MEZ",
        "3 Monate nach Ablauf der Angebotsfrist",
        "Preis: Verhältnis zum niedrigsten Preis",
        "100 %",
        "Leistungsbeschreibung 1",
        "Vergabekammer Baden-Württemberg",
    ]:
        assert expected in text, expected
    assert "9.500" not in text and "9500" not in text  # no unit price estimates
    assert "Geschätzt" not in text and "Vorschau" not in text
    assert "eForms" not in text  # a national procedure has no EU notice


def test_an_eu_notice_links_its_eforms_xml(client, public_tender):
    tender_id = public_tender(procedure=Procedure.eu_open)
    html = client.get(f"/ausschreibungen/{tender_id}").get_data(as_text=True)
    assert f'href="/ausschreibungen/{tender_id}/bekanntmachung.xml"' in html


def test_a_cancelled_tender_shows_the_cancellation_notice(app, client, public_tender):
    tender_id = public_tender()
    change(
        app,
        tender_id,
        status=TenderStatus.cancelled,
        cancellation_reason=CancellationReason.no_economic_result,
        cancellation_text="Alle Angebote lagen weit über dem Budget.",
        cancelled_at=NOW,
    )
    text = page_text(client.get(f"/ausschreibungen/{tender_id}"))
    assert "Dieses Vergabeverfahren ist aufgehoben" in text
    assert "§ 63 Abs. 1 Satz 1 Nr. 3 VgV" in text and "weit über dem Budget" in text
    assert "Frage stellen" not in text


def test_the_question_form_is_offered_to_logged_in_vendors_only(client, auth, public_tender):
    tender_id = public_tender()
    url = f"/ausschreibungen/{tender_id}"
    assert "Melden Sie sich als Unternehmen an" in page_text(client.get(url))
    auth.login(PARTNER)
    assert "Frage senden" not in page_text(client.get(url))
    auth.logout()
    auth.login(VENDOR)
    assert "Frage senden" in page_text(client.get(url))


def test_an_unknown_tender_is_not_found(client):
    assert client.get("/ausschreibungen/999").status_code == 404


# --- through the real publication ---------------------------------------------------------------


def test_a_tender_published_through_the_services_is_found_downloaded_asked_and_answered(
    app, client, auth, make_tender, tender_storage, mailbox
):
    """No shortcut: the lead uploads, freezes, chooses the procedure and publishes via the services."""
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from procurement.tenders import services
    from procurement.tenders.documents import add_document
    from tests.procurement.tenders.conftest import pdf_bytes, user
    from tests.procurement.tenders.core_support import NATIONAL_DEADLINE, PRICE_ONLY, join

    with app.test_request_context():
        tender = make_tender()
        lead = user(LEAD)
        add_document(
            lead, tender, FileStorage(BytesIO(pdf_bytes()), filename="LV.pdf"), "Leistungsverzeichnis", NOW
        )
        services.set_criteria(lead, tender, PRICE_ONLY, NOW)
        services.change_tender_status(lead, tender, "start_collecting", NOW)
        join(tender, LEAD, "3")
        join(tender, PARTNER, "4")
        services.change_tender_status(lead, tender, "freeze", NOW)
        services.choose_procedure(lead, tender, Procedure.national_open, NATIONAL_DEADLINE, False, NOW)
        services.publish_tender(lead, tender, NOW)
        db.session.commit()
        tender_id, document_id = tender.id, tender.documents[0].id

    auth.login(VENDOR)
    assert titles(client.get("/ausschreibungen/?cpv=34996")) == [TENDER_TITLE]
    text = page_text(client.get(f"/ausschreibungen/{tender_id}"))
    assert "7 Stück" in text and "Leistungsverzeichnis" in text
    client.get(f"/ausschreibungen/{tender_id}/unterlagen/{document_id}").close()
    assert (
        submit(client, f"/vergaben/{tender_id}/fragen", {"text": "Sind Teillieferungen möglich?"}).status_code
        == 302
    )
    auth.logout()

    auth.login(LEAD)
    [question_id] = re.findall(
        r"/fragen/(\d+)/antwort", client.get(f"/vergaben/{tender_id}/fragen").get_data(as_text=True)
    )
    mailbox.clear()
    response = submit(
        client,
        f"/vergaben/{tender_id}/fragen/{question_id}/antwort",
        {f"q{question_id}-answer": "Ja, je Kommune."},
        form_url=f"/vergaben/{tender_id}/fragen",
    )
    assert response.status_code == 302
    [mail] = mailbox.to(VENDOR)
    assert "Ja, je Kommune." in mail.get_content()
    assert "Ja, je Kommune." in page_text(client.get(f"/ausschreibungen/{tender_id}"))
