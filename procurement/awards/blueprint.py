"""The evaluation and award pages: /vergaben/<id>/wertung/…, /vergaben/<id>/zuschlag/…, contracts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Optional, Union

from flask import Blueprint
from flask_babel import format_decimal

bp = Blueprint("awards", __name__)


@bp.app_template_filter("points")
def points(value: Optional[Union[Decimal, str]]) -> str:
    """Scoring points with two decimals in the page's language (85,25 / 85.25), rounded half-up
    like the scoring itself (procurement/awards/scoring.py)."""
    if value is None or value == "":
        return ""
    rounded = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format_decimal(rounded, format="#,##0.00")
