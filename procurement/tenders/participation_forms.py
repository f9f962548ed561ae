"""Forms of the participation pages: invite municipalities, join with quantities, start from needs."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    Form,
    HiddenField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from procurement.forms import EMAIL_INVALID, REQUIRED
from procurement.needs.forms import AmountField
from procurement.numbers import format_number
from procurement.tenders.models import Lot
from procurement.tenders.participation import MAX_QUANTITY
from xrechnung.leitweg import InvalidLeitwegId, validate_leitweg_id

CONFIRMATION = _l(
    "Ich bestätige als Vergabestelle verbindlich die Teilnahme meiner Kommune an dieser "
    "gemeinsamen Ausschreibung mit den angegebenen Mengen. Die federführende Stelle führt das "
    "Verfahren in unserem Namen; für unseren Anteil bleiben wir verantwortlich (§ 4 VgV)."
)
NOTHING_ORDERED = _l("Bitte geben Sie für mindestens ein Los eine Menge größer als 0 an.")


def _quantity(form: Form, field: Field) -> None:
    if field.data is None:
        return
    if field.data < 0:
        raise ValidationError(str(_l("Die Menge darf nicht negativ sein.")))
    if field.data > MAX_QUANTITY:
        raise ValidationError(str(_l("Die Menge ist unplausibel groß.")))
    if field.data.as_tuple().exponent < -3:
        raise ValidationError(str(_l("Bitte höchstens drei Nachkommastellen.")))


def _leitweg(form: Form, field: Field) -> None:
    if not field.data:
        return
    try:
        field.data = validate_leitweg_id(field.data)
    except InvalidLeitwegId as err:
        if err.reason == "check_digits":
            raise ValidationError(str(_l("Die Prüfziffern der Leitweg-ID stimmen nicht."))) from err
        raise ValidationError(
            str(_l("Die Leitweg-ID hat nicht das richtige Format (z. B. 04011000-1234512345-06)."))
        ) from err


class JoinForm(FlaskForm):
    """The fixed part of the join form; ``join_form_class`` adds one quantity field per lot."""

    leitweg_id = StringField(
        _l("Leitweg-ID"),
        validators=[DataRequired(REQUIRED), Length(max=46), _leitweg],
        description=_l(
            "Adresse Ihrer Kommune für E-Rechnungen (XRechnung BT-10), z. B. 04011000-1234512345-06. "
            "Vorbelegt mit der Leitweg-ID Ihrer Kommune."
        ),
    )
    billing_name = StringField(_l("Rechnungsempfänger"), validators=[DataRequired(REQUIRED), Length(max=200)])
    billing_street = StringField(
        _l("Straße und Hausnummer"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "street-address"},
    )
    billing_postal_code = StringField(
        _l("Postleitzahl"),
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^[0-9]{5}$", message=_l("Bitte geben Sie eine fünfstellige Postleitzahl ein.")),
        ],
        render_kw={"autocomplete": "postal-code", "inputmode": "numeric"},
    )
    billing_city = StringField(_l("Ort"), validators=[DataRequired(REQUIRED), Length(max=100)])
    contact_email = EmailField(
        _l("Kontakt-E-Mail für das Verfahren"),
        validators=[
            DataRequired(REQUIRED),
            Email(EMAIL_INVALID, check_deliverability=False),
            Length(max=254),
        ],
        description=_l("Erscheint als Kontakt Ihrer Kommune in der Bekanntmachung."),
        render_kw={"autocomplete": "email"},
    )
    contact_phone = StringField(
        _l("Telefon"),
        validators=[DataRequired(REQUIRED), Length(max=40)],
        render_kw={"autocomplete": "tel", "type": "tel"},
    )
    confirm = BooleanField(
        CONFIRMATION,
        validators=[DataRequired(_l("Ohne diese Bestätigung kann Ihre Kommune nicht teilnehmen."))],
    )
    submit = SubmitField(_l("Teilnahme verbindlich bestätigen"))

    lots: Sequence[Lot] = ()

    def quantity_fields(self) -> list[Field]:
        return [self[f"lot_{lot.id}"] for lot in self.lots]

    def quantities(self) -> dict[int, Decimal]:
        return {lot.id: self[f"lot_{lot.id}"].data or Decimal(0) for lot in self.lots}

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        fields = self.quantity_fields()
        if fields and not any(f.errors for f in fields) and not any(f.data for f in fields):
            fields[0].errors = [*fields[0].errors, str(NOTHING_ORDERED)]
            return False
        return valid


def join_form_class(lots: Sequence[Lot]) -> type[JoinForm]:
    """A join form with one quantity field per lot (``lot_<id>``), labelled with the lot."""
    attrs: dict[str, Any] = {"lots": tuple(lots)}
    for lot in lots:
        attrs[f"lot_{lot.id}"] = AmountField(
            _l(
                "Los %(number)d: %(title)s – Menge in %(unit)s",
                number=lot.number,
                title=lot.title,
                unit=lot.unit,
            ),
            validators=[Optional(), _quantity],
            places=3,
            description=_l(
                "Geschätzter Preis je Einheit: %(price)s EUR netto. 0 oder leer: Ihre Kommune "
                "bestellt aus diesem Los nichts.",
                price=format_number(lot.unit_price, 2),
            ),
        )
    return type("TenderJoinForm", (JoinForm,), attrs)


class InviteForm(FlaskForm):
    organisation_ids = SelectMultipleField(
        _l("Kommunen"),
        coerce=int,
        validators=[DataRequired(_l("Bitte wählen Sie mindestens eine Kommune aus."))],
        description=_l(
            "Mehrfachauswahl mit Strg- oder Umschalttaste. Tippen Sie im Feld den Anfang des Namens, "
            "um schnell zu einer Kommune zu springen."
        ),
        render_kw={"size": 8},
    )
    message = TextAreaField(
        _l("Nachricht an die eingeladenen Vergabestellen"),
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Einladen"))


class IdListField(Field):
    """Ids sent as repeated form values (``need_ids=3&need_ids=5``)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = []
        for value in valuelist:
            if not value.strip().isdigit():
                raise ValueError(str(_l("Ungültige Auswahl.")))
            self.data.append(int(value))


class FromNeedsForm(FlaskForm):
    need_ids = IdListField(
        _l("Bedarfe"), validators=[DataRequired(_l("Bitte wählen Sie mindestens einen Bedarf aus."))]
    )


class FromProposalForm(FlaskForm):
    cpv_group = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{5}$")])
    window_from = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")])
    window_until = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")])
