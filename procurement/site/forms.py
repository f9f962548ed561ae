"""Forms of the public site."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField


class LanguageForm(FlaskForm):
    """Switch the interface language (the button's value is the language code)."""

    language = HiddenField()
    next = HiddenField()
    submit = SubmitField()
