"""Forms of the officers' tender pages (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional as Opt
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from procurement.accounts.identifiers import InvalidIdentifier, normalise_nuts
from procurement.forms import EMAIL_INVALID, REQUIRED
from procurement.needs.forms import AmountField, GermanDateField
from procurement.reference.validators import cpv_code
from procurement.tenders.advisor import BERLIN
from procurement.tenders.labels import (
    CANCELLATION_REASON_LABELS,
    CONTRACT_NATURE_LABELS,
    CRITERION_KIND_LABELS,
    SCORING_METHOD_LABELS,
)
from procurement.tenders.services import MAX_CRITERIA, MAX_DURATION_MONTHS, MAX_UNIT_PRICE

UTC = ZoneInfo("UTC")


def _nuts(form: Form, field: Field) -> None:
    if not field.data:
        return
    try:
        field.data = normalise_nuts(field.data)
    except InvalidIdentifier as err:
        raise ValidationError(str(err)) from err


def _amount(form: Form, field: Field) -> None:
    if field.data is None:
        return
    if field.data < 0:
        raise ValidationError(str(_l("Der Betrag darf nicht negativ sein.")))
    if field.data > MAX_UNIT_PRICE:
        raise ValidationError(str(_l("Der Betrag ist unplausibel hoch.")))
    if field.data.as_tuple().exponent < -2:
        raise ValidationError(str(_l("Bitte höchstens zwei Nachkommastellen (Cent).")))


class TenderForm(FlaskForm):
    title = StringField(_l("Titel der Ausschreibung"), validators=[DataRequired(REQUIRED), Length(max=200)])
    reference = StringField(
        _l("Aktenzeichen (Vergabenummer)"),
        validators=[Optional(), Length(max=40)],
        description=_l("Ihr internes Aktenzeichen, erscheint in der Bekanntmachung."),
    )
    description = TextAreaField(
        _l("Kurzbeschreibung des Auftrags"),
        validators=[DataRequired(REQUIRED), Length(max=10000)],
        render_kw={"rows": 5},
    )
    contract_nature = SelectField(
        _l("Art des Auftrags"),
        choices=[SelectChoice(nature.value, label) for nature, label in CONTRACT_NATURE_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
    )
    cpv_code = StringField(
        _l("CPV-Code (Hauptgegenstand)"),
        validators=[DataRequired(REQUIRED), cpv_code],
        description=_l("8 Ziffern, Bindestrich, Prüfziffer, z. B. 34996000-5."),
    )
    nuts_code = StringField(
        _l("Ort der Leistung: NUTS-Code"),
        validators=[DataRequired(REQUIRED), _nuts],
        description=_l("Region, z. B. DE118."),
    )
    place_of_performance = StringField(
        _l("Ort der Leistung: Beschreibung"), validators=[Optional(), Length(max=200)]
    )
    duration_months = IntegerField(
        _l("Laufzeit des Vertrags in Monaten"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(1, MAX_DURATION_MONTHS, _l("Bitte 1 bis %(max)s Monate.")),
        ],
    )
    bid_validity_months = IntegerField(
        _l("Bindefrist der Angebote in Monaten"),
        validators=[InputRequired(REQUIRED), NumberRange(1, 24, _l("Bitte 1 bis 24 Monate."))],
    )
    planned_publication_date = GermanDateField(
        _l("Geplante Veröffentlichung"),
        validators=[Optional()],
        description=_l(
            "Der Schwellenwert und die Fristen richten sich nach dem Tag der Veröffentlichung. "
            "Ohne Angabe rechnet der Berater mit dem heutigen Tag."
        ),
    )
    contact_email = StringField(
        _l("E-Mail der Vergabestelle"),
        validators=[DataRequired(REQUIRED), Email(EMAIL_INVALID), Length(max=254)],
    )
    contact_phone = StringField(
        _l("Telefon der Vergabestelle"), validators=[DataRequired(REQUIRED), Length(max=40)]
    )
    review_body_name = StringField(
        _l("Vergabekammer: Name"), validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    review_body_city = StringField(
        _l("Vergabekammer: Ort"), validators=[DataRequired(REQUIRED), Length(max=100)]
    )
    review_body_postal_code = StringField(
        _l("Vergabekammer: Postleitzahl"), validators=[DataRequired(REQUIRED), Length(max=10)]
    )
    review_body_nuts = StringField(
        _l("Vergabekammer: NUTS-Code"),
        validators=[DataRequired(REQUIRED), _nuts],
        description=_l("Region des Sitzes der Vergabekammer, z. B. DE122 für Karlsruhe."),
    )
    review_body_email = StringField(
        _l("Vergabekammer: E-Mail"), validators=[Optional(), Email(EMAIL_INVALID), Length(max=254)]
    )
    review_body_registration_id = StringField(
        _l("Vergabekammer: Kennung"),
        validators=[Optional(), Length(max=46)],
        description=_l(
            "Für EU-Bekanntmachungen erforderlich (eForms BT-501), z. B. die Leitweg-ID der Vergabekammer."
        ),
    )
    submit = SubmitField(_l("Ausschreibung speichern"))


class LotForm(FlaskForm):
    title = StringField(_l("Titel des Loses"), validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField(
        _l("Beschreibung"), validators=[Optional(), Length(max=10000)], render_kw={"rows": 4}
    )
    cpv_code = StringField(
        _l("CPV-Code des Loses"),
        validators=[DataRequired(REQUIRED), cpv_code],
        description=_l("8 Ziffern, Bindestrich, Prüfziffer, z. B. 34996000-5."),
    )
    unit = StringField(
        _l("Einheit"),
        validators=[DataRequired(REQUIRED), Length(max=40)],
        description=_l("z. B. Stück, Lizenzen, Jahre"),
    )
    unit_price = AmountField(
        _l("Geschätzter Einzelpreis in EUR (netto)"),
        validators=[InputRequired(REQUIRED), _amount],
        description=_l("Grundlage der Schätzung des Auftragswerts (§ 3 VgV)."),
    )
    options_value = AmountField(
        _l("Optionen und Verlängerungen in EUR (netto)"),
        validators=[Optional(), _amount],
        description=_l("Wert möglicher Optionen und Vertragsverlängerungen (§ 3 Abs. 1 VgV); sonst leer."),
    )
    nuts_code = StringField(
        _l("Ort der Leistung: NUTS-Code"),
        validators=[DataRequired(REQUIRED), _nuts],
        description=_l("Region, z. B. DE118."),
    )
    place_of_performance = StringField(
        _l("Ort der Leistung: Beschreibung"), validators=[Optional(), Length(max=200)]
    )
    submit = SubmitField(_l("Los speichern"))


class CriterionRow(Form):
    """One row of the criteria table; a row without a name is left out."""

    kind = SelectField(
        _l("Art"),
        choices=[SelectChoice("", "–")]
        + [SelectChoice(kind.value, label) for kind, label in CRITERION_KIND_LABELS.items()],
        validators=[Optional()],
    )
    name = StringField(_l("Kriterium"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(
        _l("Beschreibung"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 2}
    )
    weight = AmountField(_l("Gewicht in %"), validators=[Optional()])
    scoring_method = SelectField(
        _l("Bewertungsmethode"),
        choices=[SelectChoice("", "–")]
        + [SelectChoice(method.value, label) for method, label in SCORING_METHOD_LABELS.items()],
        validators=[Optional()],
    )

    @property
    def is_blank(self) -> bool:
        return not (self.name.data or "").strip() and self.weight.data is None and not self.kind.data

    def validate(self, extra_validators: object = None) -> bool:  # type: ignore[override]
        ok = super().validate(extra_validators)  # type: ignore[arg-type]
        if self.is_blank:
            return ok
        for field in (self.kind, self.name, self.weight, self.scoring_method):
            if field.data in (None, "") and not field.errors:
                field.errors = [*field.errors, str(REQUIRED)]
                ok = False
        weight = self.weight.data
        if weight is not None and not self.weight.errors and not Decimal(0) < weight <= Decimal(100):
            self.weight.errors = [str(_l("Das Gewicht muss größer als 0 und höchstens 100 sein."))]
            ok = False
        return ok


class CriteriaForm(FlaskForm):
    criteria = FieldList(FormField(CriterionRow), min_entries=1, max_entries=MAX_CRITERIA)
    submit = SubmitField(_l("Zuschlagskriterien speichern"))

    def filled_rows(self) -> list[CriterionRow]:
        return [entry.form for entry in self.criteria if not entry.form.is_blank]

    def validate_criteria(self, field: Field) -> None:
        if not self.filled_rows():
            raise ValidationError(str(_l("Geben Sie mindestens ein Zuschlagskriterium an.")))


class ProcedureForm(FlaskForm):
    procedure = RadioField(_l("Verfahren"), validators=[InputRequired(REQUIRED)])
    use_small_lots = BooleanField(_l("Kleinlosregel anwenden (§ 3 Abs. 9 VgV)"))
    deadline_date = GermanDateField(_l("Angebotsfrist: Datum"), validators=[InputRequired(REQUIRED)])
    deadline_time = TimeField(
        _l("Angebotsfrist: Uhrzeit"),
        validators=[InputRequired(REQUIRED)],
        description=_l("Deutsche Zeit (Europe/Berlin), z. B. 12:00."),
    )
    submit = SubmitField(_l("Verfahren und Frist speichern"))

    def bid_deadline(self) -> Opt[datetime]:
        """The deadline in UTC, read as Berlin time."""
        if self.deadline_date.data is None or self.deadline_time.data is None:
            return None
        local = datetime.combine(self.deadline_date.data, self.deadline_time.data, BERLIN)
        return local.astimezone(UTC)


class CancelForm(FlaskForm):
    reason = RadioField(
        _l("Grund der Aufhebung"),
        choices=[SelectChoice(reason.value, label) for reason, label in CANCELLATION_REASON_LABELS.items()],
        validators=[InputRequired(_l("Bitte wählen Sie einen Grund nach § 63 Abs. 1 VgV."))],
    )
    text = TextAreaField(
        _l("Begründung"),
        validators=[DataRequired(REQUIRED), Length(max=10000)],
        description=_l(
            "Die Begründung geht an die teilnehmenden Kommunen und an alle Unternehmen, die die "
            "Unterlagen heruntergeladen oder Fragen gestellt haben (§ 63 Abs. 2 VgV)."
        ),
        render_kw={"rows": 5},
    )
    confirm = BooleanField(
        _l("Ich bestätige: Die Ausschreibung wird aufgehoben. Das kann nicht rückgängig gemacht werden."),
        validators=[DataRequired(_l("Bitte bestätigen Sie die Aufhebung."))],
    )
    submit = SubmitField(_l("Ausschreibung aufheben"))
