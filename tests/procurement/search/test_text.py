"""The user's search text becomes safe terms: no input reaches the full-text engines as syntax."""

from __future__ import annotations

import pytest

from procurement.search.engine import (
    MAX_QUERY_CHARS,
    MAX_TERMS,
    SearchQuery,
    _FullText,
    _PostgresBackend,
    _SqliteBackend,
    analyse,
    light_stem,
    search,
)

HOSTILE = [
    '"',
    '""',
    '"Ampel',
    "Ampel AND Sensor",
    "Ampel OR",
    "NOT Ampel",
    "NEAR(Ampel Sensor, 2)",
    "Ampel*",
    "*",
    "-Ampel",
    "Ampel -Sensor",
    "(Ampel",
    "Ampel)",
    "title:Ampel",
    "cpv_codes : 3499*",
    "{title summary}: Ampel",
    "^Ampel",
    "Ampel + Sensor",
    "'; DROP TABLE solutions; --",
    "ampel' & 'sensor",
    "ampel:*A | !x",
    "<script>alert(1)</script>",
    "\\",
    "%",
    "_",
    "\x00Ampel",
    "Ampel\u200bsteuerung",
    "Straße",
    "ẞTRASSE",
    "Ｆｕｌｌｗｉｄｔｈ",
    "Ölsensor Übergröße",
    "日本語 テキスト",
    "مرحبا",
    "emoji 🚦🚦",
    "x" * 5000,
    "Ampel " * 100,
    "a b c d e f g h i j k l",
    "   ",
    "",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_analysed_terms_are_letters_and_digits_only(text):
    result = analyse(text)
    assert len(result.stems) <= MAX_TERMS
    for stem in (*result.terms, *result.stems):
        assert stem and all(ch.isalnum() for ch in stem), stem


@pytest.mark.parametrize("text", HOSTILE)
def test_query_expressions_quote_every_term(text):
    stems = analyse(text).stems
    sqlite = _SqliteBackend.expression(_FullText(stems, "3499"))
    postgres = _PostgresBackend.expression(_FullText(stems, "3499"))
    for stem in stems:
        assert f'"{stem}"*' in sqlite
        assert f"'{stem}':*" in postgres
    assert sqlite.count('"') == 2 * (len(stems) + 1)
    assert postgres.count("'") == 2 * (len(stems) + 1)


def test_operators_and_stop_words_are_not_searched():
    assert analyse("Ampel AND der Sensor OR NOT near").terms == ("ampel", "sensor")


def test_only_stop_words_is_reported():
    result = analyse("und oder die")
    assert result.stems == () and result.only_stop_words


def test_empty_text_has_no_terms_and_no_complaint():
    result = analyse("   ")
    assert result.stems == () and not result.only_stop_words and not result.truncated


def test_long_text_is_cut_and_reported():
    result = analyse("Ampel " * 100)
    assert result.truncated and result.terms == ("ampel",)
    assert analyse("x" * MAX_QUERY_CHARS).truncated is False


def test_words_beyond_the_limit_are_dropped_and_reported():
    words = [f"wort{i}" for i in range(MAX_TERMS + 3)]
    result = analyse(" ".join(words))
    assert result.terms == tuple(words[:MAX_TERMS])
    assert result.dropped_terms == tuple(words[MAX_TERMS:])


def test_sharp_s_is_folded_to_ss():
    assert analyse("Straße").terms == ("strasse",)
    assert analyse("STRASSE").terms == ("strasse",)


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("ampeln", "ampel"),
        ("ampel", "ampel"),
        ("sensoren", "sensor"),
        ("leuchten", "leucht"),
        ("lösungen", "lösung"),
        ("daten", "date"),
        ("bus", "bus"),
        ("34996000", "34996000"),
    ],
)
def test_light_stem_removes_one_inflection_ending(word, stem):
    assert light_stem(word) == stem


@pytest.mark.parametrize("prefix", ["3", "34a", '3"*', "349960001", "34 99"])
def test_the_engine_refuses_a_cpv_prefix_that_is_not_digits(app, prefix):
    with app.app_context(), pytest.raises(ValueError):
        search(SearchQuery(cpv_prefix=prefix))
