"""Form validators for reference data (CPV codes) with German messages."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _
from wtforms import Field, Form, ValidationError

from procurement.reference.cpv import InvalidCpv, Vocabulary, load_vocabulary


def vocabulary() -> Vocabulary:
    """The CPV vocabulary in force: the operator's list (CPV_CODES_FILE) or the built-in one."""
    return load_vocabulary(current_app.config.get("CPV_CODES_FILE") or None)


def cpv_message(err: InvalidCpv) -> str:
    if err.reason == "check_digit":
        return _(
            "Die Prüfziffer des CPV-Codes %(code)s stimmt nicht (richtig wäre %(expected)s).",
            code=err.code,
            expected=err.expected,
        )
    if err.reason == "unknown":
        return _("Der CPV-Code %(code)s ist nicht im CPV-Verzeichnis.", code=err.code)
    return _(
        "„%(code)s“ ist kein CPV-Code. Die Form ist 8 Ziffern, Bindestrich, Prüfziffer, z. B. 48000000-8.",
        code=err.code,
    )


def cpv_code(form: Form, field: Field) -> None:
    """Validate one CPV code and normalise the field's data."""
    if not field.data:
        return
    try:
        field.data = vocabulary().validate(field.data).code
    except InvalidCpv as err:
        raise ValidationError(cpv_message(err)) from err


def cpv_codes(form: Form, field: Field) -> None:
    """Validate a list of CPV codes (separated by commas, semicolons or white space).

    The field's data becomes a list of unique codes in the order given.
    """
    raw = field.data if isinstance(field.data, list) else re.split(r"[\s,;]+", field.data or "")
    codes: list[str] = []
    for item in (part for part in raw if part):
        try:
            code = vocabulary().validate(item).code
        except InvalidCpv as err:
            raise ValidationError(cpv_message(err)) from err
        if code not in codes:
            codes.append(code)
    if len(codes) > 20:
        raise ValidationError(_("Bitte geben Sie höchstens 20 CPV-Codes an."))
    field.data = codes
