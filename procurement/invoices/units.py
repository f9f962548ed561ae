"""The unit of a contract (free text such as "Stück") as a UN/ECE Recommendation 20 code (BT-130).

Contracts carry the lot's unit as the municipality wrote it. An XRechnung line needs a code of
UN/ECE Recommendation 20 (with Rec. 21): the usual German words and abbreviations map to one;
anything else becomes ``C62`` ("one", a unit count), the code EN 16931 uses for a dimensionless
number of units. The vendor can change the code of every line before issuing.
"""

from __future__ import annotations

import re

UNKNOWN_UNIT = "C62"  # "one": a number of units without a dimension

# the German words (lower case, without a trailing dot) and their Rec. 20 code
_UNITS: dict[str, str] = {}
for _code, _words in {
    "H87": ("stück", "stk", "st", "stck", "stueck", "piece", "pieces", "pcs"),
    "HUR": ("stunde", "stunden", "std", "h", "hour", "hours"),
    "DAY": ("tag", "tage", "d", "day", "days", "arbeitstag", "arbeitstage"),
    "WEE": ("woche", "wochen", "wo", "week", "weeks"),
    "MON": ("monat", "monate", "mon", "mo", "month", "months"),
    "ANN": ("jahr", "jahre", "a", "j", "year", "years"),
    "LS": ("pauschal", "pauschale", "psch", "pau", "lump sum", "pauschalbetrag"),
    "KGM": ("kg", "kilogramm", "kilogram"),
    "TNE": ("t", "tonne", "tonnen"),
    "MTR": ("m", "meter", "lfm", "laufmeter", "laufende meter"),
    "KMT": ("km", "kilometer"),
    "MTK": ("m²", "m2", "qm", "quadratmeter"),
    "MTQ": ("m³", "m3", "cbm", "kubikmeter"),
    "LTR": ("l", "liter", "litre"),
    "KWH": ("kwh", "kilowattstunde", "kilowattstunden"),
    "MIN": ("min", "minute", "minuten"),
    "SET": ("satz", "set", "sets"),
    "PR": ("paar", "pair"),
    "C62": ("einheit", "einheiten", "eh", "unit", "units", "lizenz", "lizenzen"),
}.items():
    for _word in _words:
        _UNITS[_word] = _code

# the codes a vendor may choose on an invoice line (value, German label)
UNIT_CHOICES: list[tuple[str, str]] = [
    ("H87", "Stück (H87)"),
    ("C62", "Einheit (C62)"),
    ("HUR", "Stunde (HUR)"),
    ("DAY", "Tag (DAY)"),
    ("WEE", "Woche (WEE)"),
    ("MON", "Monat (MON)"),
    ("ANN", "Jahr (ANN)"),
    ("LS", "Pauschale (LS)"),
    ("SET", "Satz (SET)"),
    ("PR", "Paar (PR)"),
    ("KGM", "Kilogramm (KGM)"),
    ("TNE", "Tonne (TNE)"),
    ("MTR", "Meter (MTR)"),
    ("KMT", "Kilometer (KMT)"),
    ("MTK", "Quadratmeter (MTK)"),
    ("MTQ", "Kubikmeter (MTQ)"),
    ("LTR", "Liter (LTR)"),
    ("KWH", "Kilowattstunde (KWH)"),
    ("MIN", "Minute (MIN)"),
]
UNIT_CODES = frozenset(code for code, _label in UNIT_CHOICES)


_SPACE = re.compile(r"\s+")


def unit_code(unit: str) -> str:
    """The Rec. 20 code of a free-text unit ("Stück" -> H87, "m²" -> MTK); unknown -> C62.

    Case, surrounding blanks, a trailing dot and a leading "je"/"pro" are ignored; a text that
    already is one of the offered codes (``"HUR"``) stays that code.
    """
    text = _SPACE.sub(" ", unit.strip())
    if text.upper() in UNIT_CODES and text.isupper():
        return text.upper()
    text = text.lower().rstrip(".").strip()
    for prefix in ("je ", "pro ", "per "):
        if text.startswith(prefix):
            text = text[len(prefix) :].strip()
    return _UNITS.get(text, UNKNOWN_UNIT)
