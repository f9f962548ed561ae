"""Invoices for English-speaking users: amounts read as they type them, messages in English, but
the XRechnung itself in German (it goes to a German authority)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from procurement.invoices.forms import GermanDecimalField
from procurement.invoices.xml import payment_terms_text


def read(app, text: str, language: str) -> Decimal:  # type: ignore[no-untyped-def]
    from flask_wtf import FlaskForm

    class Form(FlaskForm):
        amount = GermanDecimalField(places=4)

    with app.test_request_context(), force_locale(language):
        form = Form(formdata=MultiDict({"amount": text}), meta={"csrf": False})
        assert form.validate(), form.errors
        return form.amount.data


@pytest.mark.parametrize(
    ("language", "text", "value"),
    [
        ("de", "1.234,56", Decimal("1234.56")),
        ("en", "1,234.56", Decimal("1234.56")),
        ("en", "12,500.00", Decimal("12500.00")),
        ("de", "12.500", Decimal("12500")),
        ("en", "1920.0000", Decimal("1920.0000")),
        ("de", "73,3333", Decimal("73.3333")),
    ],
)
def test_amounts_are_read_in_the_users_language(app, language, text, value):
    assert read(app, text, language) == value


def test_amounts_are_shown_in_the_users_language(app):
    from flask_wtf import FlaskForm

    class Form(FlaskForm):
        amount = GermanDecimalField(places=4, shown=2)

    with app.test_request_context():
        for language, expected in (("de", "1920,00"), ("en", "1920.00")):
            with force_locale(language):
                form = Form(data={"amount": Decimal("1920.0000")}, meta={"csrf": False})
                assert form.amount._value() == expected
        with force_locale("de"):
            form = Form(data={"amount": Decimal("73.3333")}, meta={"csrf": False})
            assert form.amount._value() == "73,3333"  # the unit price keeps its four places


def test_payment_terms_in_the_xml_are_german_whatever_the_users_language(app):
    with app.test_request_context(), force_locale("en"):
        assert payment_terms_text(30, None) == "Zahlbar innerhalb von 30 Tagen ohne Abzug."
