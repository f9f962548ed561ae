"""Amounts and quantities are read and shown in the user's language."""

from __future__ import annotations

from decimal import Decimal

import pytest

from procurement.numbers import format_number, parse_number


@pytest.mark.parametrize(
    ("typed", "separator", "value"),
    [
        ("12.500,50", ",", "12500.50"),
        ("12500,5", ",", "12500.5"),
        ("12 500,50 €", ",", "12500.50"),
        ("25.000", ",", "25000"),
        ("1250.50", ",", "1250.50"),  # an English habit in German: still 1250.50
        ("12,500.50", ".", "12500.50"),
        ("25,000", ".", "25000"),
        ("1250,5", ".", "1250.5"),  # a German habit in English
        ("1.5", ".", "1.5"),
        ("10,125", ",", "10.125"),  # a quantity with three decimals
        ("0", ",", "0"),
    ],
)
def test_numbers_are_read_as_typed(typed, separator, value):
    assert parse_number(typed, separator) == Decimal(value)


@pytest.mark.parametrize("typed", ["abc", "1.2.3,4,5", "12,50,0", "NaN", "Infinity", "1e5", ""])
def test_unreadable_numbers_are_refused(typed):
    with pytest.raises(ValueError):
        parse_number(typed, ",")


def test_numbers_are_shown_in_the_language(app):
    from flask_babel import force_locale

    with app.test_request_context():
        with force_locale("de"):
            assert format_number(Decimal("12500.5")) == "12.500,50"
            assert format_number(Decimal("10.000"), None) == "10"
        with force_locale("en"):
            assert format_number(Decimal("12500.5")) == "12,500.50"
