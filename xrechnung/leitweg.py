"""Leitweg-ID: the routing id of a public buyer, carried in XRechnung BT-10 (Buyer reference).

Structure (KoSIT, Leitweg-ID format specification 2.0): coarse address of 2-12 digits, an optional
fine address of up to 30 letters and digits, and two check digits computed with ISO 7064
MOD 97-10 over coarse + fine address (letters as A=10 ... Z=35).
"""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^(?P<coarse>[0-9]{2,12})(?:-(?P<fine>[0-9A-Za-z]{1,30}))?-(?P<check>[0-9]{2})$")


class InvalidLeitwegId(ValueError):
    """The text is not a structurally valid Leitweg-ID, or its check digits do not match."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason  # "structure" or "check_digits"


def _digits(text: str) -> int:
    return int("".join(str(int(ch, 36)) for ch in text.upper()))


def leitweg_check_digits(coarse: str, fine: str = "") -> str:
    """Return the two check digits for a coarse and an optional fine address."""
    return f"{98 - (_digits(coarse + fine) * 100) % 97:02d}"


def validate_leitweg_id(value: str) -> str:
    """Return the normalised Leitweg-ID (fine address upper case) or raise InvalidLeitwegId."""
    text = value.strip()
    match = _PATTERN.match(text)
    if match is None:
        raise InvalidLeitwegId(
            "structure",
            "coarse address (2-12 digits), optional fine address (up to 30 letters and "
            "digits) and two check digits, separated by hyphens",
        )
    coarse, fine, check = match["coarse"], (match["fine"] or "").upper(), match["check"]
    if _digits(coarse + fine + check) % 97 != 1:
        raise InvalidLeitwegId("check_digits", "check digits do not match (ISO 7064 MOD 97-10)")
    return f"{coarse}-{fine}-{check}" if fine else f"{coarse}-{check}"
