"""Regions for the search filter: the 16 German states as NUTS-1 codes (NUTS 2021).

A NUTS code is hierarchical: ``DE1`` Baden-Württemberg (NUTS-1), ``DE11`` Regierungsbezirk
Stuttgart (NUTS-2), ``DE118`` Landkreis Heilbronn (NUTS-3); a region filter is a prefix.
"""

from __future__ import annotations

import re

# State names are proper names: the same in German and English.
STATES: dict[str, str] = {
    "DE1": "Baden-Württemberg",
    "DE2": "Bayern",
    "DE3": "Berlin",
    "DE4": "Brandenburg",
    "DE5": "Bremen",
    "DE6": "Hamburg",
    "DE7": "Hessen",
    "DE8": "Mecklenburg-Vorpommern",
    "DE9": "Niedersachsen",
    "DEA": "Nordrhein-Westfalen",
    "DEB": "Rheinland-Pfalz",
    "DEC": "Saarland",
    "DED": "Sachsen",
    "DEE": "Sachsen-Anhalt",
    "DEF": "Schleswig-Holstein",
    "DEG": "Thüringen",
}

# Country code and up to three more levels (letters or digits), e.g. DE, DE1, DE11, DE118.
NUTS_PREFIX = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$")


def normalise_nuts_prefix(text: str) -> str | None:
    """Return the NUTS prefix in canonical form (upper case, no spaces), or None if malformed."""
    value = re.sub(r"\s+", "", text or "").upper()
    return value if NUTS_PREFIX.match(value) else None


def state_of(nuts_code: str | None) -> str | None:
    """The state a NUTS code lies in (by its NUTS-1 prefix), if it is German."""
    return STATES.get((nuts_code or "")[:3])
