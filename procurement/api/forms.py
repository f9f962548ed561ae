"""Forms of the API token page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from procurement.forms import REQUIRED


class TokenForm(FlaskForm):
    name = StringField(
        _l("Bezeichnung"),
        validators=[DataRequired(message=REQUIRED), Length(max=100)],
        description=_l("Wofür der Token ist, z. B. „Fachverfahren Haushalt“."),
    )
    access = RadioField(
        _l("Berechtigung"),
        choices=[SelectChoice("read", _l("nur lesen")), SelectChoice("write", _l("lesen und schreiben"))],
        default="read",
        validators=[DataRequired(message=REQUIRED)],
    )
    submit = SubmitField(_l("Token erzeugen"))
