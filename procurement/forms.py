"""Form building blocks shared by the domains (fields and messages the templates rely on)."""

from __future__ import annotations

from typing import Optional

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

REQUIRED = _l("Bitte füllen Sie dieses Feld aus.")
EMAIL_INVALID = _l("Bitte geben Sie eine gültige E-Mail-Adresse ein.")


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a group of checkboxes (rendered as a fieldset by templates/_forms.html)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class VersionForm(FlaskForm):
    """A form that carries the version of the row it was shown with (optimistic locking): the
    service compares it and answers 409 when someone else changed the row in between."""

    version = HiddenField()

    @property
    def version_number(self) -> Optional[int]:
        try:
            return int(self.version.data) if self.version.data else None
        except ValueError:
            return None
