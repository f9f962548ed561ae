"""Form building blocks shared by the domains (fields and messages the templates rely on)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

REQUIRED = _l("Bitte füllen Sie dieses Feld aus.")
EMAIL_INVALID = _l("Bitte geben Sie eine gültige E-Mail-Adresse ein.")


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a group of checkboxes (rendered as a fieldset by templates/_forms.html)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
