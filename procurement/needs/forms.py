"""Forms of the needs domain (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    Form,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from procurement.accounts.identifiers import InvalidIdentifier, normalise_nuts
from procurement.forms import REQUIRED, MultiCheckboxField
from procurement.needs.services import MAX_DELIVERY_YEARS, MAX_ESTIMATED_VALUE, MAX_QUANTITY
from procurement.numbers import format_number, parse_number
from procurement.reference.validators import cpv_code

_REQUIRED = REQUIRED
_NUMBER = _l("Bitte geben Sie eine Zahl ein, z. B. 1250,50.")
_DATE = _l("Bitte geben Sie ein Datum ein (TT.MM.JJJJ oder JJJJ-MM-TT).")


class AmountField(StringField):
    """A decimal number as Germans write it (1.250,50) or with a decimal point (1250.50)."""

    def __init__(
        self, label: object = None, validators: object = None, places: int = 2, **kwargs: object
    ) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal"})
        super().__init__(label, validators, **kwargs)  # type: ignore[arg-type]
        self.places = places

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = parse_number(valuelist[0])
        except ValueError:
            raise ValueError(str(_NUMBER)) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        # money always with cents; quantities without trailing zeros (10.000 -> 10)
        return format_number(Decimal(self.data), 2 if self.places == 2 else None)


class GermanDateField(DateField):
    """A date as TT.MM.JJJJ or ISO (the browser's date input sends ISO)."""

    def __init__(self, label: object = None, validators: object = None, **kwargs: object) -> None:
        super().__init__(label, validators, format=["%Y-%m-%d", "%d.%m.%Y"], **kwargs)  # type: ignore[arg-type]

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_DATE)) from None


def _decimal_places(places: int, message: object):  # type: ignore[no-untyped-def]
    def validate(form: Form, field: Field) -> None:
        if field.data is not None and field.data.as_tuple().exponent < -places:
            raise ValidationError(str(message))

    return validate


def _positive_quantity(form: Form, field: Field) -> None:
    if field.data is None:
        return
    if field.data <= 0:
        raise ValidationError(str(_l("Die Menge muss größer als 0 sein.")))
    if field.data > MAX_QUANTITY:
        raise ValidationError(str(_l("Die Menge ist unplausibel groß.")))


def _plausible_value(form: Form, field: Field) -> None:
    if field.data is None:
        return
    if field.data < 0:
        raise ValidationError(str(_l("Der geschätzte Wert darf nicht negativ sein.")))
    if field.data > MAX_ESTIMATED_VALUE:
        raise ValidationError(
            str(_l("Der geschätzte Wert ist unplausibel hoch (höchstens 1.000.000.000,00 EUR)."))
        )


def _nuts(form: Form, field: Field) -> None:
    if not field.data:
        return
    try:
        field.data = normalise_nuts(field.data)
    except InvalidIdentifier as err:
        raise ValidationError(str(err)) from err


class NeedForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(_REQUIRED), Length(max=200)])
    description = TextAreaField(
        _l("Beschreibung des Bedarfs"),
        validators=[DataRequired(_REQUIRED), Length(max=10000)],
        render_kw={"rows": 4},
    )
    cpv_code = StringField(
        _l("CPV-Code (Hauptgegenstand)"),
        validators=[DataRequired(_REQUIRED), cpv_code],
        description=_l("8 Ziffern, Bindestrich, Prüfziffer, z. B. 34996000-5."),
    )
    quantity = AmountField(
        _l("Menge"),
        validators=[
            InputRequired(_REQUIRED),
            _positive_quantity,
            _decimal_places(3, _l("Bitte höchstens drei Nachkommastellen.")),
        ],
        places=3,
    )
    unit = StringField(
        _l("Einheit"),
        validators=[DataRequired(_REQUIRED), Length(max=40)],
        description=_l("z. B. Stück, Lizenzen, Jahre"),
    )
    estimated_value = AmountField(
        _l("Geschätzter Auftragswert in EUR (netto)"),
        validators=[
            InputRequired(_REQUIRED),
            _plausible_value,
            _decimal_places(2, _l("Bitte höchstens zwei Nachkommastellen (Cent).")),
        ],
        description=_l("Ohne Umsatzsteuer, einschließlich Optionen und Verlängerungen (§ 3 VgV)."),
    )
    delivery_from = GermanDateField(_l("Gewünschte Lieferung ab"), validators=[InputRequired(_REQUIRED)])
    delivery_until = GermanDateField(_l("Gewünschte Lieferung bis"), validators=[InputRequired(_REQUIRED)])
    nuts_code = StringField(
        _l("Ort der Leistung: NUTS-Code"),
        validators=[DataRequired(_REQUIRED), _nuts],
        description=_l("Region, z. B. DE118. Vorbelegt mit dem NUTS-Code Ihrer Kommune."),
    )
    place_of_performance = StringField(
        _l("Ort der Leistung: Beschreibung"), validators=[Optional(), Length(max=200)]
    )
    specification = TextAreaField(
        _l("Leistungsbeschreibung"), validators=[Optional(), Length(max=50000)], render_kw={"rows": 8}
    )
    award_criteria = TextAreaField(
        _l("Zuschlagskriterien"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Ein Kriterium je Zeile: „Kriterium; Gewichtung %“."),
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Bedarf speichern"))

    def __init__(self, *args: object, today: date | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.today = today

    def validate_delivery_until(self, field: Field) -> None:
        start = self.delivery_from.data
        if field.data is None:
            return
        if start is not None and field.data < start:
            raise ValidationError(str(_l("Das Ende des Lieferzeitraums liegt vor seinem Beginn.")))
        if self.today is not None:
            if field.data < self.today:
                raise ValidationError(str(_l("Der Lieferzeitraum darf nicht in der Vergangenheit enden.")))
            if field.data > self.today + timedelta(days=366 * MAX_DELIVERY_YEARS):
                raise ValidationError(str(_l("Der Lieferzeitraum liegt unplausibel weit in der Zukunft.")))


class InviteForm(FlaskForm):
    need_ids = MultiCheckboxField(
        _l("Beteiligte Bedarfe"),
        coerce=int,
        validators=[DataRequired(_l("Bitte wählen Sie die Bedarfe aus, zu denen Sie einladen."))],
        invalid_choice_message=_l("Dieser Bedarf gehört nicht zum Vorschlag."),
    )
    message = TextAreaField(
        _l("Nachricht an die eingeladenen Vergabestellen"),
        validators=[DataRequired(_REQUIRED), Length(max=5000)],
        render_kw={"rows": 5},
    )
    submit = SubmitField(_l("Einladung senden"))
