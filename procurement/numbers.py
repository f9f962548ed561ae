"""Numbers as people type and read them in the user's language (1.250,50 in German, 1,250.50 in
English): one parser and one formatter for every amount and quantity field."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal
from flask_babel import get_locale

_NOISE = re.compile(r"[\s\u00a0\u202f€]|EUR(O)?", re.IGNORECASE)


def decimal_separator() -> str:
    """The decimal separator of the current language (``,`` German, ``.`` English)."""
    return "." if str(get_locale() or "de").startswith("en") else ","


def parse_number(text: str, separator: str | None = None) -> Decimal:
    """Read ``12.500,50`` / ``12,500.50`` / ``12500.5 €`` into a Decimal; raise ValueError.

    Grouping must be in threes. A lone separator followed by one or two digits is a decimal
    point whatever the language (``1250,5`` and ``1250.50`` both mean 1250.5), so habits of the
    other language do not give a wrong amount.
    """
    decimal = separator or decimal_separator()
    group = "." if decimal == "," else ","
    cleaned = _NOISE.sub("", text)
    if re.fullmatch(r"-?[0-9]+([.,][0-9]{1,2})?", cleaned):
        cleaned = cleaned.replace(",", ".")
    elif re.fullmatch(rf"-?[0-9]{{1,3}}(\{group}[0-9]{{3}})*(\{decimal}[0-9]+)?", cleaned) or re.fullmatch(
        rf"-?[0-9]+\{decimal}[0-9]+", cleaned
    ):
        cleaned = cleaned.replace(group, "").replace(decimal, ".")
    else:
        raise ValueError(text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation as err:
        raise ValueError(text) from err
    if not value.is_finite():
        raise ValueError(text)
    return value


def format_number(value: Decimal, places: int | None = 2, grouping: bool = True) -> str:
    """Show ``value`` in the current language: fixed ``places`` decimals, or as few as needed;
    without thousands separators for an input field's value (``grouping=False``)."""
    whole = "#,##0" if grouping else "0"
    pattern = whole + "." + "0" * places if places else whole + ".###"
    return format_decimal(value, format=pattern, locale=str(get_locale() or "de"))
