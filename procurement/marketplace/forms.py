"""Forms of the marketplace (Flask-WTF: every form carries a CSRF token).

The rules of the data live in the services (`check_cost_range`, `parse_award_criteria`, ...);
the forms call them so that the message appears next to the field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    Form,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError
from wtforms.validators import Optional as OptionalValidator

from procurement.errors import DomainError
from procurement.forms import EMAIL_INVALID, REQUIRED, MultiCheckboxField
from procurement.marketplace import services
from procurement.marketplace.labels import CATEGORY_LABELS, DOCUMENT_KIND_LABELS
from procurement.marketplace.models import Category, DocumentKind, PilotProject, Solution
from procurement.numbers import decimal_separator, format_number
from procurement.reference.validators import cpv_codes

_REQUIRED = REQUIRED
_EMAIL = EMAIL_INVALID
_TOO_LONG = _l("Bitte kürzen Sie den Text auf höchstens %(max)d Zeichen.")
LONG_TEXT = 20000


def _length(maximum: int) -> Length:
    return Length(max=maximum, message=_TOO_LONG)


class EuroField(StringField):
    """An amount in EUR as Decimal (two places), typed the way people write it."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = (valuelist[0] if valuelist else "") or ""
        self.data: Optional[Decimal] = None
        if not text.strip():
            return
        try:
            self.data = services.parse_amount(text, decimal_separator())
        except DomainError as err:
            raise ValueError(err.message) from err

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return format_number(self.data)


def _amount(form: Form, field: Field) -> None:
    try:
        services.check_amount(field.data)
    except DomainError as err:
        raise ValidationError(err.message) from err


class CpvCodesField(StringField):
    """CPV codes separated by commas or spaces; the data becomes a list of checked codes."""

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if isinstance(self.data, list | tuple):
            return ", ".join(self.data)
        return self.data or ""


def _not_below_cost_min(form: Form, field: Field) -> None:
    low = form["cost_min"]
    if low.errors or field.errors:
        return
    try:
        services.check_cost_range(low.data, field.data)
    except DomainError as err:
        raise ValidationError(err.message) from err


def _at_least_one(form: Form, field: Field) -> None:
    if not field.data:
        raise ValidationError(_l("Bitte geben Sie mindestens einen CPV-Code an."))


def _category_field() -> SelectField:
    return SelectField(
        _l("Kategorie"),
        choices=[SelectChoice(category.value, label) for category, label in CATEGORY_LABELS.items()],
        validators=[DataRequired(_REQUIRED)],
        invalid_choice_message=_l("Bitte wählen Sie eine der Kategorien."),
    )


def _cpv_field() -> CpvCodesField:
    return CpvCodesField(
        _l("CPV-Codes"),
        validators=[
            InputRequired(_l("Bitte geben Sie mindestens einen CPV-Code an.")),
            cpv_codes,
            _at_least_one,
        ],
        description=_l(
            "Einer oder mehrere Codes aus dem Gemeinsamen Vokabular für öffentliche Aufträge, "
            "durch Komma getrennt, z. B. 34996000-5, 48000000-8."
        ),
    )


def _contact_fields(public_hint: Any) -> tuple[StringField, EmailField]:
    return (
        StringField(
            _l("Ansprechperson"),
            validators=[DataRequired(_REQUIRED), _length(200)],
            description=public_hint,
        ),
        EmailField(
            _l("E-Mail-Adresse der Ansprechperson"),
            validators=[DataRequired(_REQUIRED), Email(_EMAIL, check_deliverability=False), _length(254)],
            description=_l("Am besten eine Funktionsadresse, z. B. smartcity@kommune.example."),
        ),
    )


_CONTACT_PUBLIC = _l("Wird mit dem veröffentlichten Eintrag angezeigt.")


class SolutionForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(_REQUIRED), _length(200)])
    category = _category_field()
    summary = TextAreaField(
        _l("Kurzbeschreibung"),
        render_kw={"rows": 3},
        validators=[DataRequired(_REQUIRED), _length(500)],
        description=_l("Ein bis drei Sätze für die Trefferliste (höchstens 500 Zeichen)."),
    )
    description = TextAreaField(
        _l("Beschreibung"),
        render_kw={"rows": 10},
        validators=[DataRequired(_REQUIRED), _length(LONG_TEXT)],
        description=_l("Leistungsumfang, Einsatzgebiete, Voraussetzungen, Referenzen."),
    )
    cpv_codes = _cpv_field()
    cost_min = EuroField(
        _l("Typische Kosten ab (EUR netto)"),
        validators=[OptionalValidator(), _amount],
        description=_l("Zum Beispiel 12.500,00. Leer lassen, wenn die Kosten stark vom Einzelfall abhängen."),
    )
    cost_max = EuroField(
        _l("Typische Kosten bis (EUR netto)"),
        validators=[OptionalValidator(), _amount, _not_below_cost_min],
    )
    licence = StringField(
        _l("Lizenz"),
        validators=[DataRequired(_REQUIRED), _length(100)],
        description=_l("Zum Beispiel „proprietär, Jahreslizenz“ oder „EUPL-1.2“."),
    )
    open_source = BooleanField(_l("Open Source (Quellcode unter einer freien Lizenz verfügbar)"))
    standards = TextAreaField(
        _l("Unterstützte Standards und Schnittstellen"),
        validators=[_length(500)],
        description=_l("Zum Beispiel OCIT-O, DATEX II, OGC SensorThings API, LoRaWAN."),
    )
    contact_name, contact_email = _contact_fields(_CONTACT_PUBLIC)
    submit = SubmitField(_l("Speichern"))

    @classmethod
    def initial(cls, solution: Solution) -> dict[str, Any]:
        """The form's data for an existing solution (shown when the page is opened)."""
        data = {name: getattr(solution, name) for name in services.SOLUTION_FIELDS}
        data["category"] = solution.category.value
        data["cpv_codes"] = solution.cpv_codes
        return data

    def solution_data(self) -> services.SolutionData:
        return services.SolutionData(
            title=self.title.data,
            category=Category(self.category.data),
            summary=self.summary.data,
            description=self.description.data,
            cpv_codes=list(self.cpv_codes.data),
            cost_min=self.cost_min.data,
            cost_max=self.cost_max.data,
            licence=self.licence.data,
            open_source=bool(self.open_source.data),
            standards=self.standards.data or "",
            contact_name=self.contact_name.data,
            contact_email=self.contact_email.data,
        )


def _no_date_before_start(form: Form, field: Field) -> None:
    try:
        services.check_period(form["period_start"].data, field.data)
    except DomainError as err:
        raise ValidationError(err.message) from err


def _criteria(form: Form, field: Field) -> None:
    try:
        services.parse_award_criteria(field.data or "")
    except DomainError as err:
        raise ValidationError(err.message) from err


class PilotProjectForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(_REQUIRED), _length(200)])
    category = _category_field()
    summary = TextAreaField(
        _l("Kurzbeschreibung"),
        render_kw={"rows": 3},
        validators=[DataRequired(_REQUIRED), _length(500)],
        description=_l("Ein bis drei Sätze für die Trefferliste (höchstens 500 Zeichen)."),
    )
    description = TextAreaField(
        _l("Beschreibung"),
        render_kw={"rows": 10},
        validators=[DataRequired(_REQUIRED), _length(LONG_TEXT)],
        description=_l("Ausgangslage, Ziele, Umsetzung."),
    )
    cpv_codes = _cpv_field()
    solutions = MultiCheckboxField(
        _l("Eingesetzte Lösungen aus dem Marktplatz"),
        coerce=int,
        validators=[OptionalValidator()],
        invalid_choice_message=_l("Bitte wählen Sie nur veröffentlichte Lösungen aus dem Marktplatz."),
    )
    period_start = DateField(
        _l("Projektbeginn"), validators=[InputRequired(_l("Bitte geben Sie den Projektbeginn an."))]
    )
    period_end = DateField(
        _l("Projektende"),
        validators=[OptionalValidator(), _no_date_before_start],
        description=_l("Leer lassen, wenn das Projekt noch läuft."),
    )
    budget = EuroField(
        _l("Budget (EUR)"),
        validators=[OptionalValidator(), _amount],
        description=_l("Gesamtkosten des Projekts, z. B. 180.000,00."),
    )
    funded = BooleanField(_l("Das Projekt wurde gefördert"))
    funding_programme = StringField(
        _l("Förderprogramm"),
        validators=[_length(200)],
        description=_l("Zum Beispiel „Modellprojekte Smart Cities (BMWSB)“; nur bei geförderten Projekten."),
    )
    results = TextAreaField(_l("Ergebnisse"), validators=[_length(LONG_TEXT)], render_kw={"rows": 6})
    lessons_learned = TextAreaField(
        _l("Erfahrungen und Empfehlungen"), validators=[_length(LONG_TEXT)], render_kw={"rows": 6}
    )
    specification = TextAreaField(
        _l("Leistungsbeschreibung (zur Nachnutzung)"),
        render_kw={"rows": 10},
        validators=[_length(LONG_TEXT)],
        description=_l("Andere Kommunen übernehmen sie als Vorlage für ihren Bedarf."),
    )
    award_criteria = TextAreaField(
        _l("Zuschlagskriterien und Gewichtung"),
        render_kw={"rows": 5},
        validators=[_length(5000), _criteria],
        description=_l(
            "Ein Kriterium je Zeile in der Form „Kriterium; Gewichtung %“, zusammen 100 %, "
            "z. B. „Preis; 40 %“ und „Qualität; 60 %“ (§ 58 VgV)."
        ),
    )
    contact_name, contact_email = _contact_fields(
        _l(
            "Wird mit dem veröffentlichten Modellprojekt angezeigt, damit andere Kommunen "
            "Sie ansprechen können."
        )
    )
    submit = SubmitField(_l("Speichern"))

    def validate_funding_programme(self, field: Field) -> None:
        if self.funded.data and not (field.data or "").strip():
            raise ValidationError(_l("Bitte nennen Sie das Förderprogramm."))

    @classmethod
    def initial(cls, project: PilotProject) -> dict[str, Any]:
        data = {name: getattr(project, name) for name in services.PILOT_PROJECT_FIELDS}
        data["category"] = project.category.value
        data["cpv_codes"] = project.cpv_codes
        data["solutions"] = [solution.id for solution in project.solutions]
        data["funding_programme"] = project.funding_programme or ""
        return data

    def set_solution_choices(self, solutions: list[Solution]) -> None:
        self.solutions.choices = [SelectChoice(solution.id, solution.title) for solution in solutions]

    def pilot_project_data(self) -> services.PilotProjectData:
        return services.PilotProjectData(
            title=self.title.data,
            category=Category(self.category.data),
            summary=self.summary.data,
            description=self.description.data,
            cpv_codes=list(self.cpv_codes.data),
            solution_ids=list(self.solutions.data or []),
            period_start=self.period_start.data,
            period_end=self.period_end.data,
            budget=self.budget.data,
            funded=bool(self.funded.data),
            funding_programme=self.funding_programme.data or "",
            results=self.results.data or "",
            lessons_learned=self.lessons_learned.data or "",
            specification=self.specification.data or "",
            award_criteria=self.award_criteria.data or "",
            contact_name=self.contact_name.data,
            contact_email=self.contact_email.data,
        )


class ContactForm(FlaskForm):
    contact_name, contact_email = _contact_fields(_CONTACT_PUBLIC)
    submit = SubmitField(_l("Kontakt speichern"))


class SendBackForm(FlaskForm):
    reason = TextAreaField(
        _l("Begründung für die Rückgabe"),
        render_kw={"rows": 4},
        validators=[
            DataRequired(_l("Bitte begründen Sie, was am Eintrag zu ändern ist.")),
            _length(services.MAX_REASON_LENGTH),
        ],
        description=_l("Die Begründung geht per E-Mail an die einreichende Person und steht beim Eintrag."),
    )
    submit = SubmitField(_l("Zur Überarbeitung zurückgeben"))


class DocumentForm(FlaskForm):
    file = FileField(
        _l("Datei"),
        validators=[FileRequired(_l("Bitte wählen Sie eine Datei aus."))],
        description=_l("PDF, ODT, ODS, DOCX, XLSX oder ZIP."),
    )
    kind = SelectField(
        _l("Art des Dokuments"),
        choices=[SelectChoice(kind.value, label) for kind, label in DOCUMENT_KIND_LABELS.items()],
        invalid_choice_message=_l("Bitte wählen Sie eine der Dokumentarten."),
    )
    title = StringField(
        _l("Titel"),
        validators=[_length(200)],
        description=_l("Leer lassen, um den Dateinamen zu verwenden."),
    )
    submit = SubmitField(_l("Hochladen"))

    def document_kind(self) -> DocumentKind:
        return DocumentKind(self.kind.data)
