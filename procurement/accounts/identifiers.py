"""Validation of the identifiers organisations carry (AGS, Leitweg-ID, VAT id, NUTS)."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from stdnum.eu import vat
from stdnum.exceptions import ValidationError

from xrechnung.leitweg import InvalidLeitwegId, validate_leitweg_id

_AGS = re.compile(r"^(0[1-9]|1[0-6])[0-9]{6}$")
_NUTS = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$")


class InvalidIdentifier(ValueError):
    """Raised with a German message naming what is wrong."""


def normalise_ags(value: str) -> str:
    """Return the 8-digit Amtlicher Gemeindeschlüssel; the first two digits are the state (01-16)."""
    text = value.strip().replace(" ", "")
    if not _AGS.match(text):
        raise InvalidIdentifier(
            _(
                "Der Amtliche Gemeindeschlüssel (AGS) hat 8 Ziffern und beginnt mit dem "
                "Länderschlüssel 01 bis 16."
            )
        )
    return text


def normalise_leitweg_id(value: str) -> str:
    try:
        return validate_leitweg_id(value)
    except InvalidLeitwegId as err:
        if err.reason == "check_digits":
            raise InvalidIdentifier(
                _("Die Prüfziffern der Leitweg-ID stimmen nicht (ISO 7064 MOD 97-10).")
            ) from err
        raise InvalidIdentifier(
            _(
                "Die Leitweg-ID hat die Form Grobadressierung (2-12 Ziffern), optional "
                "Feinadressierung (bis 30 Buchstaben/Ziffern) und zwei Prüfziffern, "
                "getrennt durch Bindestriche, z. B. 04011000-1234512345-06."
            )
        ) from err


def normalise_vat_id(value: str) -> str:
    try:
        return vat.validate(value)
    except ValidationError as err:
        raise InvalidIdentifier(
            _(
                "Die Umsatzsteuer-Identifikationsnummer ist ungültig (Länderkennung und "
                "Prüfziffer werden geprüft, z. B. DE136695976)."
            )
        ) from err


def normalise_nuts(value: str) -> str:
    text = value.strip().upper()
    if not _NUTS.match(text):
        raise InvalidIdentifier(
            _("Der NUTS-Code besteht aus Länderkennung und bis zu 3 Zeichen, z. B. DE300.")
        )
    return text
