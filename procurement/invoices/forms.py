"""Forms of the vendor's invoice pages: billing profile, invoice with its lines, the action buttons.

Amounts and quantities are typed the German way ("1.234,56"; "1234.56" is read too) and become
``Decimal``, never float. Every form that changes an invoice carries its ``version``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, ValidationError
from wtforms.validators import Optional as OptionalValue
from wtforms.widgets import TextInput

from procurement.forms import EMAIL_INVALID, REQUIRED, VersionForm
from procurement.invoices.units import UNIT_CHOICES
from procurement.invoices.xml import bic_valid, iban_valid
from procurement.numbers import format_number, parse_number

# VAT of a line: category and rate (BT-151, BT-152) as one choice
VAT_CHOICES = [
    SelectChoice("S:19", _l("19 % (Regelsteuersatz, S)")),
    SelectChoice("S:7", _l("7 % (ermäßigt, S)")),
    SelectChoice("Z:0", _l("0 % (Nullsatz, Z)")),
]
UNIT_SELECT = [SelectChoice(code, label) for code, label in UNIT_CHOICES]


class GermanDecimalField(Field):
    """A decimal typed in the page's language (1.234,56 / 1,234.56, `procurement.numbers`);
    ``places`` decimals at most (the column's scale), ``shown`` at least when displayed."""

    widget = TextInput()

    def __init__(
        self, label: Any = None, validators: Any = None, places: int = 2, shown: int = 2, **kwargs: Any
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.places = places
        self.shown = shown
        self.render_kw = {"inputmode": "decimal", **(self.render_kw or {})}

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if not isinstance(self.data, Decimal):
            return ""
        places = max(self.shown, -min(0, int(self.data.normalize().as_tuple().exponent)))
        return format_number(self.data, places or None, grouping=False)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            number = parse_number(str(valuelist[0]))
        except ValueError as err:
            self.data = None
            raise ValueError(_l("Bitte geben Sie eine Zahl ein, z. B. 1.234,56.")) from err
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > self.places:
            self.data = None
            raise ValueError(_l("Höchstens %(places)s Nachkommastellen.", places=self.places))
        if abs(number) >= Decimal(10) ** 12:
            self.data = None
            raise ValueError(_l("Die Zahl ist zu groß."))
        self.data = number


# --- billing profile ---------------------------------------------------------------------------


def _iban(form: Form, field: Field) -> None:
    if field.data and not iban_valid(field.data):
        raise ValidationError(_l("Die IBAN ist ungültig: bitte prüfen Sie Länge und Prüfziffer (ISO 13616)."))


def _bic(form: Form, field: Field) -> None:
    if field.data and not bic_valid(field.data):
        raise ValidationError(_l("Eine BIC hat 8 oder 11 Zeichen, z. B. COBADEFFXXX."))


_VAT_ID = re.compile(r"^[A-Z]{2}[0-9A-Z+*.]{2,12}$")


def _vat_id(form: Form, field: Field) -> None:
    value = (field.data or "").strip().upper().replace(" ", "")
    if value and not _VAT_ID.match(value):
        raise ValidationError(_l("Eine USt-IdNr. beginnt mit dem Ländercode, z. B. DE123456789."))


class BillingProfileForm(FlaskForm):
    iban = StringField(
        _l("IBAN"),
        validators=[DataRequired(REQUIRED), Length(max=42), _iban],
        description=_l("Das Konto, auf das Kommunen überweisen (SEPA, BT-84)."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    bic = StringField(_l("BIC"), validators=[OptionalValue(), Length(max=11), _bic])
    account_name = StringField(_l("Kontoinhaber"), validators=[OptionalValue(), Length(max=200)])
    tax_number = StringField(
        _l("Steuernummer"),
        validators=[OptionalValue(), Length(max=30)],
        description=_l("Steuernummer oder USt-IdNr.: eines von beiden ist Pflicht."),
    )
    vat_id = StringField(_l("USt-IdNr."), validators=[OptionalValue(), Length(max=20), _vat_id])
    contact_name = StringField(
        _l("Ansprechperson für Rechnungen"), validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    contact_phone = StringField(_l("Telefon"), validators=[DataRequired(REQUIRED), Length(max=40)])
    contact_email = EmailField(
        _l("E-Mail"), validators=[DataRequired(REQUIRED), Email(EMAIL_INVALID), Length(max=254)]
    )
    electronic_address = EmailField(
        _l("Elektronische Adresse (E-Mail für Rechnungsantworten)"),
        validators=[OptionalValue(), Email(EMAIL_INVALID), Length(max=254)],
        description=_l("Leer: die E-Mail der Ansprechperson (BT-34)."),
    )
    payment_terms_days = IntegerField(
        _l("Zahlungsziel in Tagen"),
        default=30,
        validators=[DataRequired(REQUIRED), NumberRange(min=0, max=120, message=_l("0 bis 120 Tage."))],
    )
    submit = SubmitField(_l("Rechnungsdaten speichern"))

    def validate_vat_id(self, field: Field) -> None:
        if not (field.data or "").strip() and not (self.tax_number.data or "").strip():
            raise ValidationError(_l("Bitte geben Sie eine Steuernummer oder eine USt-IdNr. an."))


# --- invoice -----------------------------------------------------------------------------------


class LineForm(Form):
    name = StringField(_l("Bezeichnung"), validators=[OptionalValue(), Length(max=200)])
    description = TextAreaField(
        _l("Beschreibung"), validators=[OptionalValue(), Length(max=2000)], render_kw={"rows": 1}
    )
    quantity = GermanDecimalField(_l("Menge"), places=3, shown=0)
    unit_code = SelectField(_l("Einheit"), choices=UNIT_SELECT, default="C62")
    unit_price = GermanDecimalField(_l("Einzelpreis netto (€)"), places=4, shown=2)
    vat = SelectField(_l("USt."), choices=VAT_CHOICES, default="S:19")
    cpv_code = HiddenField()
    remove = BooleanField(_l("Position entfernen"))

    def is_blank(self) -> bool:
        return (
            not (self.name.data or "").strip() and self.quantity.data is None and self.unit_price.data is None
        )


class InvoiceForm(VersionForm):
    issue_date = DateField(_l("Rechnungsdatum"), validators=[DataRequired(REQUIRED)])
    due_date = DateField(_l("Fällig am"), validators=[OptionalValue()])
    period_start = DateField(_l("Leistungszeitraum von"), validators=[OptionalValue()])
    period_end = DateField(_l("Leistungszeitraum bis"), validators=[OptionalValue()])
    note = TextAreaField(
        _l("Bemerkung"), validators=[OptionalValue(), Length(max=2000)], render_kw={"rows": 2}
    )
    lines = FieldList(FormField(LineForm), min_entries=1, max_entries=200)
    save = SubmitField(_l("Entwurf speichern"))
    add_line = SubmitField(_l("Position hinzufügen"))

    def validate_lines(self, field: Field) -> None:
        kept = [entry for entry in self.lines if not entry.form.remove.data and not entry.form.is_blank()]
        if not kept:
            raise ValidationError(_l("Eine Rechnung braucht mindestens eine Position."))
        for entry in kept:
            line = entry.form
            if not (line.name.data or "").strip():
                line.name.errors.append(_l("Bitte geben Sie eine Bezeichnung an."))
            if line.quantity.data is None:
                line.quantity.errors.append(_l("Bitte geben Sie eine Menge an."))
            elif line.quantity.data == 0:
                line.quantity.errors.append(_l("Die Menge darf nicht 0 sein."))
            if line.unit_price.data is None:
                line.unit_price.errors.append(_l("Bitte geben Sie einen Einzelpreis an."))
            elif line.unit_price.data < 0:
                line.unit_price.errors.append(_l("Der Einzelpreis darf nicht negativ sein."))
        if any(entry.form.errors for entry in kept):
            raise ValidationError(_l("Bitte prüfen Sie die markierten Positionen."))

    def validate_due_date(self, field: Field) -> None:
        if field.data and self.issue_date.data and field.data < self.issue_date.data:
            raise ValidationError(_l("Das Fälligkeitsdatum darf nicht vor dem Rechnungsdatum liegen."))

    def validate_period_end(self, field: Field) -> None:
        if field.data and self.period_start.data and field.data < self.period_start.data:
            raise ValidationError(_l("Der Leistungszeitraum endet vor seinem Beginn."))


class ActionForm(VersionForm):
    """One button of an invoice (issue, send, discard, credit note): CSRF and version only."""

    submit = SubmitField(_l("Ausführen"))


class InvoiceAllForm(FlaskForm):
    submit = SubmitField(_l("Allen Teilnehmern Rechnungen stellen"))
