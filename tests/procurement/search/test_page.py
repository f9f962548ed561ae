"""The search page: public, accessible, and never an error page, whatever the query string."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import quote, urlencode

import pytest
from babel.numbers import format_currency
from flask import session, url_for

from procurement.extensions import db
from procurement.marketplace.models import Category, Solution
from procurement.search import engine
from procurement.search.views import _Rows
from tests.conftest import page_text
from tests.procurement.search.conftest import NOW, TALHEIM
from tests.procurement.search.test_text import HOSTILE
from workflows.curation import CURATION, EntryStatus


def _main(response) -> str:  # type: ignore[no-untyped-def]
    html = response.get_data(as_text=True)
    return html[html.index("<main") : html.index("</main>")]


def test_anyone_can_search_without_logging_in(client, entries):
    entries.solution(
        "Ampelsteuerung für Kreuzungen", summary="Grüne Welle.", cost_min="1000", cost_max="2500"
    )
    response = client.get("/search?q=Ampel")
    assert response.status_code == 200
    text = page_text(response)
    assert "1 Treffer" in text
    assert "Ampelsteuerung für Kreuzungen" in text and "Grüne Welle." in text
    assert "Lösung" in text and "Verkehrssteuerung" in text and "Verkehrstechnik Süd GmbH" in text
    assert "1.000,00" in text and "2.500,00" in text


def test_results_link_to_the_detail_pages(app, client, entries):
    solution_id = entries.solution("Ampelsteuerung")
    project_id = entries.pilot("Ampelprojekt", funded=True, budget="50000")
    html = _main(client.get("/search?q=Ampel"))
    with app.test_request_context():
        solution_url = url_for("marketplace.solution", solution_id=solution_id)
        project_url = url_for("marketplace.pilot_project", project_id=project_id)
    assert f'href="{solution_url}"' in html and f'href="{project_url}"' in html
    assert "Modellprojekt" in html and "gefördert" in html and TALHEIM in html


def test_unpublished_entries_are_not_on_the_page(client, entries):
    entries.solution("Geheimer Entwurf", status=EntryStatus.draft)
    entries.solution("Eingereichte Lösung", status=EntryStatus.submitted)
    entries.solution("Archivierte Lösung", status=EntryStatus.archived)
    text = page_text(client.get("/search"))
    assert "0 Treffer" in text
    assert "Geheimer Entwurf" not in text and "Eingereichte" not in text and "Archivierte" not in text


def test_the_form_is_a_search_landmark_with_a_label_for_every_field(client, entries):
    html = _main(client.get("/search"))
    assert re.search(r'<form[^>]*method="get"[^>]*role="search"', html)
    assert 'name="csrf_token"' not in html
    for field_id in re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html):
        assert f'for="{field_id}"' in html, field_id
    assert " style=" not in html and "<script" not in html


def test_one_h1_and_headings_in_order(client, entries):
    entries.solution("Ampelsteuerung")
    html = client.get("/search").get_data(as_text=True)
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_facet_counts_are_shown_per_category(client, entries):
    entries.solution("Ampel eins", category=Category.traffic)
    entries.solution("Ampel zwei", category=Category.traffic)
    entries.solution("Ampelleuchte", category=Category.lighting)
    text = page_text(client.get("/search?q=Ampel&category=lighting"))
    assert "1 Treffer" in text
    assert "Verkehrssteuerung (2)" in text and "Straßenbeleuchtung (1)" in text and "Parken (0)" in text


def test_filters_are_kept_in_the_form_and_in_the_page_links(client, entries):
    for number in range(23):
        entries.solution(f"Ampel {number:02d}", open_source=True, category=Category.traffic)
    response = client.get("/search?q=Ampel&category=traffic&open_source=y&sort=title&page=2")
    html = _main(response)
    assert "23 Treffer" in page_text(response) and "Seite 2 von 2" in page_text(response)
    assert 'value="traffic" checked' in html
    assert re.search(r'<input(?=[^>]*name="open_source")(?=[^>]*checked)[^>]*>', html)
    assert re.search(r'aria-current="page"[^>]*>2<', html)
    previous = re.search(r'href="([^"]+)" rel="prev"', html).group(1)
    assert "page=1" in previous and "open_source=y" in previous and "category=traffic" in previous
    assert "Ampel 20" in html and "Ampel 19" not in html  # sorted by title, page 2


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_search_text_never_breaks_the_page(client, entries, text):
    entries.solution("Ampelsteuerung")
    response = client.get("/search?" + urlencode({"q": text}))
    assert response.status_code == 200
    assert "Treffer" in page_text(response)


@pytest.mark.parametrize(
    "query",
    [
        "cost_from=abc",
        "cost_from=-5",
        "cost_to=1e400",
        "cost_to=99999999999999999999",
        "cost_from=5000&cost_to=100",
        "cost_from=25.000,50",
        "category=bogus",
        "category=traffic&category=%00",
        "kind=alien",
        "sort=DROP",
        "page=abc",
        "page=-1",
        "page=0",
        "page=99999999999999999999",
        "page=1.5",
        "cpv=abc",
        "cpv=34996000-4",
        "cpv=1",
        "cpv=" + quote("3499' OR 1=1"),
        "nuts=%3Cscript%3E",
        "nuts=DE1&state=DE2",
        "state=XX",
        "funding=maybe",
        "open_source=%FF",
        "q=%FF%FE",
        "q=a&q=b",
        "unknown=1",
    ],
)
def test_invalid_filter_values_give_a_notice_not_an_error(client, entries, query):
    entries.solution("Ampelsteuerung", cost_min="1000", cost_max="2000")
    response = client.get(f"/search?{query}")
    assert response.status_code == 200
    assert "Treffer" in page_text(response)


def test_an_unusable_value_is_named_and_ignored(client, entries):
    entries.solution("Ampelsteuerung", cost_min="1000", cost_max="2000")
    text = page_text(client.get("/search?cost_from=abc&category=bogus&page=x"))
    assert "„abc“ ist kein Betrag" in text
    assert "Unbekannte Kategorie „bogus“" in text
    assert "„x“ ist keine Seitenzahl" in text
    assert "1 Treffer" in text  # the search ran without them


def test_amounts_are_read_the_german_way(client, entries):
    entries.solution("Günstig", cost_min="1000", cost_max="20000")
    entries.solution("Teuer", cost_min="30000", cost_max="90000")
    assert "1 Treffer" in page_text(client.get("/search?" + urlencode({"cost_to": "25.000,00 €"})))


def test_amounts_are_read_in_the_users_language(client, entries):
    entries.solution("Günstig", cost_min="1000", cost_max="20000")
    entries.solution("Teuer", cost_min="30000", cost_max="90000")
    with client.session_transaction() as browser_session:
        browser_session["lang"] = "en"
    text = page_text(client.get("/search?" + urlencode({"cost_to": "25,000.00"})))
    assert "1 result" in text and "€1,000.00" in text


def test_a_negative_amount_is_refused(client, entries):
    text = page_text(client.get("/search?cost_from=-5"))
    assert "darf nicht negativ sein" in text


def test_a_full_cpv_code_with_a_wrong_check_digit_is_explained(client, entries):
    text = page_text(client.get("/search?cpv=34996000-4"))
    assert "34996000-5" in text  # the message names the right code


def test_a_page_beyond_the_last_is_explained(client, entries):
    entries.solution("Ampelsteuerung")
    text = page_text(client.get("/search?page=40"))
    assert "Diese Seite gibt es nicht" in text and "1 Treffer" in text


def test_a_long_text_is_cut_with_a_notice(client, entries):
    text = page_text(client.get("/search?" + urlencode({"q": "Ampel " * 60})))
    assert "Der Suchtext war zu lang" in text


def test_the_navigation_links_to_the_search(client):
    assert 'href="/search"' in client.get("/").get_data(as_text=True)


# --- the result cache ------------------------------------------------------------------------


def test_a_repeated_search_is_answered_from_the_cache(client, entries, monkeypatch):
    entries.solution("Ampelsteuerung")
    calls = []
    original = engine.search
    monkeypatch.setattr(engine, "search", lambda *args, **kw: calls.append(1) or original(*args, **kw))
    for _ in range(3):
        assert "1 Treffer" in page_text(client.get("/search?q=Ampel&sort=title"))
    assert len(calls) == 1


def test_the_cache_never_shows_a_state_older_than_the_index(app, client, entries):
    solution_id = entries.solution("Ampelsteuerung")
    assert "1 Treffer" in page_text(client.get("/search?q=Ampel"))
    entries.solution("Ampelanlage")  # through the index hook
    assert "2 Treffer" in page_text(client.get("/search?q=Ampel"))
    with app.app_context():  # without the hook: the database trigger changes the token
        CURATION.fire(db.session.get(Solution, solution_id), "archive", NOW)
        db.session.commit()
    response = client.get("/search?q=Ampel")
    assert "1 Treffer" in page_text(response)
    assert ">Ampelanlage</a>" in _main(response) and ">Ampelsteuerung</a>" not in _main(response)


def test_amounts_look_like_babel_formats_them(app):
    for language in ("de", "en"):
        with app.test_request_context(headers={"Accept-Language": language}):
            session["lang"] = language
            rows = _Rows()
            for value in ("0", "0.5", "999.99", "1000", "1234567.89", "10000000000"):
                amount = Decimal(value)
                assert rows.money(amount) == format_currency(amount, "EUR", locale=language), (
                    language,
                    value,
                )
