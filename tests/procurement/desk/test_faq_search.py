"""FAQ search: German-friendly matching (case, umlauts, ß, compounds, inflection), published
answers only, on the FAQ page and as their own group on the marketplace search page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from procurement.accounts.models import User
from procurement.desk import faq
from procurement.desk.models import AdvisoryTopic
from procurement.extensions import db
from tests.conftest import page_text

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
LIGHTING = "Welche Förderprogramme gibt es für die Straßenbeleuchtung?"
PARKING = "Wie zählen kleine Gemeinden freie Parkplätze?"
DRAFT = "Entwurf: Förderprogramme für Ampeln?"


@pytest.fixture
def entries(app: Flask, demo: None) -> dict[str, int]:
    """Two published answers and one draft, written through the FAQ services."""
    with app.test_request_context():
        curator = db.session.scalars(
            select(User).where(User.email == "kuratorin@kompetenzzentrum.example")
        ).one()
        made = {}
        for key, topic, question, answer, publish in [
            (
                "lighting",
                AdvisoryTopic.funding,
                LIGHTING,
                "Die Kommunalrichtlinie fördert LED-Leuchten; Anträge stellen Kommunen beim Projektträger.",
                True,
            ),
            (
                "parking",
                AdvisoryTopic.finding_solution,
                PARKING,
                "Mit Bodensensoren oder Kameras; Open-Source-Plattformen übernehmen die Auswertung.",
                True,
            ),
            ("draft", AdvisoryTopic.funding, DRAFT, "Noch in Arbeit.", False),
        ]:
            entry = faq.create_entry(curator, faq.FaqData(topic, question, answer), NOW)
            if publish:
                faq.publish_entry(curator, entry, NOW)
            made[key] = entry.id
        db.session.commit()
        return made


def _questions(app: Flask, text: str) -> list[str]:
    with app.app_context():
        return [hit.question for hit in faq.search_faq(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Förderprogramme",
        "FÖRDERPROGRAMM",
        "foerderprogramme",  # umlaut typed as oe
        "Strassenbeleuchtung",  # ß typed as ss
        "straßenbeleuchtung",
        "Beleuchtung",  # part of a compound
        "Leuchten",
        "kommunalrichtlinie LED",  # every word, in question or answer
        "Förderung Beleuchtung",  # inflection: "Förderung" finds "fördert"
    ],
)
def test_search_folds_case_umlauts_and_finds_parts_of_compounds(
    app: Flask, entries: dict[str, int], text: str
) -> None:
    assert _questions(app, text) == [LIGHTING]


@pytest.mark.parametrize("text", ["Ampeln", "Förderprogramme Parkplätze", "Straßenbahn", "", "und oder"])
def test_search_needs_every_word_and_never_shows_drafts(
    app: Flask, entries: dict[str, int], text: str
) -> None:
    assert _questions(app, text) == []


def test_hits_in_the_question_come_first(app: Flask, entries: dict[str, int]) -> None:
    # "Gemeinden" stands in the parking question; "Kommunen" in the lighting answer only
    with app.test_request_context():
        curator = db.session.scalars(
            select(User).where(User.email == "kuratorin@kompetenzzentrum.example")
        ).one()
        entry = faq.create_entry(
            curator,
            faq.FaqData(AdvisoryTopic.operation, "Wer betreibt die Plattform?", "Viele Gemeinden."),
            NOW,
        )
        faq.publish_entry(curator, entry, NOW)
        db.session.commit()
    assert _questions(app, "Gemeinden") == [PARKING, "Wer betreibt die Plattform?"]


def test_faq_page_searches_with_its_box(client: FlaskClient, entries: dict[str, int]) -> None:
    text = page_text(client.get("/faq?q=foerderprogramme"))
    assert "1 Antwort" in text and LIGHTING in text and PARKING not in text and DRAFT not in text
    text = page_text(client.get("/faq?q=Parkplätze&topic=funding"))
    assert "0 Antworten" in text and "Keine veröffentlichte Antwort passt" in text


def test_marketplace_search_lists_faq_answers_as_their_own_group(
    client: FlaskClient, entries: dict[str, int]
) -> None:
    response = client.get("/search?q=Förderprogramme")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert "Antworten aus den häufigen Fragen" in text
    assert f'href="/faq/{entries["lighting"]}"' in html
    assert DRAFT not in text and PARKING not in text


def test_marketplace_search_without_words_shows_no_faq_group(
    client: FlaskClient, entries: dict[str, int]
) -> None:
    assert "Antworten aus den häufigen Fragen" not in page_text(client.get("/search"))
    assert "Antworten aus den häufigen Fragen" not in page_text(client.get("/search?q=Ampelsteuerung"))


def test_many_faq_hits_link_to_the_full_list(app: Flask, client: FlaskClient, demo: None) -> None:
    with app.test_request_context():
        curator = db.session.scalars(
            select(User).where(User.email == "kuratorin@kompetenzzentrum.example")
        ).one()
        for number in range(7):
            entry = faq.create_entry(
                curator, faq.FaqData(AdvisoryTopic.operation, f"Wartung Frage {number}?", "Antwort."), NOW
            )
            faq.publish_entry(curator, entry, NOW)
        db.session.commit()
    response = client.get("/search?q=Wartung")
    html = response.get_data(as_text=True)
    assert html.count('href="/faq/') == 5
    assert 'href="/faq?q=Wartung"' in html
