"""Forms of the auditor's workspace (a GET filter) and of the audit grants (CSRF-protected POSTs)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, NumberRange, Regexp
from wtforms.validators import Optional as OptionalValue

from procurement.needs.forms import AmountField
from procurement.records.workspace import SortKey, ValueBasis

STATUS_CHOICES = [
    SelectChoice("", _l("alle")),
    SelectChoice("awarded", _l("Zuschlag erteilt")),
    SelectChoice("contracted", _l("Verträge geschlossen")),
    SelectChoice("closed", _l("abgeschlossen")),
    SelectChoice("cancelled", _l("aufgehoben")),
]
PROCEDURE_CHOICES = [
    SelectChoice("", _l("alle")),
    SelectChoice("eu_open", _l("Offenes Verfahren (EU, § 15 VgV)")),
    SelectChoice("national_open", _l("Öffentliche Ausschreibung (national, § 9 UVgO)")),
]
SORT_CHOICES = [
    SelectChoice(SortKey.date_desc.value, _l("Zuschlag/Aufhebung, neueste zuerst")),
    SelectChoice(SortKey.date_asc.value, _l("Zuschlag/Aufhebung, älteste zuerst")),
    SelectChoice(SortKey.value_desc.value, _l("Wert, höchster zuerst")),
    SelectChoice(SortKey.value_asc.value, _l("Wert, niedrigster zuerst")),
    SelectChoice(SortKey.title.value, _l("Titel")),
]
BASIS_CHOICES = [
    SelectChoice(ValueBasis.awarded.value, _l("Zuschlagswert")),
    SelectChoice(ValueBasis.estimated.value, _l("geschätzter Auftragswert")),
]


class WorkspaceFilterForm(FlaskForm):
    """The workspace's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    jahr = SelectField(_l("Jahr des Zuschlags oder der Aufhebung"), choices=[], validate_choice=False)
    # amounts as people type them in their language: 49.200,51 / 49,200.51 / 49200.51
    wert_min = AmountField(_l("Wert ab (EUR netto)"), validators=[OptionalValue(), NumberRange(min=0)])
    wert_max = AmountField(_l("Wert bis (EUR netto)"), validators=[OptionalValue(), NumberRange(min=0)])
    wertbasis = SelectField(_l("Wert"), choices=BASIS_CHOICES, default=ValueBasis.awarded.value)
    verfahren = SelectField(_l("Verfahrensart"), choices=PROCEDURE_CHOICES, default="")
    cpv = StringField(
        _l("CPV-Code (Anfang)"),
        validators=[
            OptionalValue(),
            Regexp(r"^[0-9]{1,8}(-[0-9])?$", message=_l("Nur Ziffern des CPV-Codes.")),
        ],
        description=_l("z. B. 3499 für alle Codes, die so beginnen"),
    )
    status = SelectField(_l("Stand"), choices=STATUS_CHOICES, default="")
    sortierung = SelectField(_l("Sortierung"), choices=SORT_CHOICES, default=SortKey.date_desc.value)
    seite = IntegerField(default=1, validators=[OptionalValue(), NumberRange(min=1)])
    submit = SubmitField(_l("Filtern"))


class GrantForm(FlaskForm):
    organisation_id = SelectField(
        _l("Organisation"),
        coerce=int,
        choices=[],
        validators=[InputRequired(_l("Bitte wählen Sie eine Organisation."))],
        description=_l("Organisationen mit Rechnungsprüfung: Kommunen und das Kompetenzzentrum."),
    )
    submit = SubmitField(_l("Prüfrecht erteilen"))


class RevokeForm(FlaskForm):
    grant_id = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("Prüfrecht entziehen"))
