"""Forms of the documents, bidder questions, deadline extension and the public tender list."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Field,
    Form,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length

from procurement.forms import REQUIRED
from procurement.needs.forms import GermanDateField
from procurement.reference.cpv import CPV_PATTERN, InvalidCpv
from procurement.reference.validators import cpv_message, vocabulary
from procurement.search.regions import normalise_nuts_prefix
from procurement.tenders.advisor import BERLIN
from procurement.tenders.documents import MAX_CHANGE_NOTE_LENGTH, MAX_TITLE_LENGTH
from procurement.tenders.questions import (
    MAX_ANSWER_LENGTH,
    MAX_QUESTION_LENGTH,
    MAX_REASON_LENGTH,
    MIN_QUESTION_LENGTH,
)

NEW_DOCUMENT = ""


class DocumentForm(FlaskForm):
    file = FileField(
        _l("Datei"),
        validators=[FileRequired(_l("Bitte wählen Sie eine Datei aus."))],
        description=_l("PDF, ODT, ODS, DOCX, XLSX oder ZIP."),
    )
    series = SelectField(
        _l("Neues Dokument oder neue Fassung"),
        choices=[],
        validate_choice=True,
        invalid_choice_message=_l("Dieses Dokument gibt es nicht."),
        description=_l("Eine neue Fassung ersetzt die bisherige; ältere Fassungen bleiben abrufbar."),
    )
    title = StringField(
        _l("Titel"),
        validators=[Length(max=MAX_TITLE_LENGTH)],
        description=_l(
            "Leer lassen, um den Dateinamen (bei einer neuen Fassung den bisherigen Titel) zu verwenden."
        ),
    )
    change_note = TextAreaField(
        _l("Was hat sich geändert?"),
        validators=[Length(max=MAX_CHANGE_NOTE_LENGTH)],
        description=_l("Bei einer neuen Fassung: die Bieter erhalten diesen Hinweis per E-Mail."),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Hochladen"))

    def set_series(self, options: list[tuple[int, str]]) -> None:
        self.series.choices = [(NEW_DOCUMENT, str(_l("Neues Dokument")))] + [
            (str(series_id), str(_l("Neue Fassung von „%(title)s“")) % {"title": title})
            for series_id, title in options
        ]

    def series_id(self) -> Optional[int]:
        return int(self.series.data) if self.series.data else None


class QuestionForm(FlaskForm):
    text = TextAreaField(
        _l("Ihre Frage"),
        validators=[
            DataRequired(REQUIRED),
            Length(
                min=MIN_QUESTION_LENGTH,
                max=MAX_QUESTION_LENGTH,
                message=_l("Die Frage muss zwischen %(min)d und %(max)d Zeichen lang sein."),
            ),
        ],
        description=_l(
            "Die Antwort wird für alle Bieter veröffentlicht, ohne Ihren Namen oder Ihr Unternehmen zu "
            "nennen (§ 97 Abs. 2 GWB). Nennen Sie Ihr Unternehmen deshalb nicht in der Frage."
        ),
        render_kw={"rows": 4, "maxlength": MAX_QUESTION_LENGTH},
    )
    submit = SubmitField(_l("Frage senden"))


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Antwort"),
        validators=[DataRequired(REQUIRED), Length(max=MAX_ANSWER_LENGTH)],
        description=_l(
            "Die Antwort wird sofort für alle Bieter veröffentlicht und kann danach nicht mehr geändert "
            "werden. Nennen Sie nicht, wer gefragt hat."
        ),
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Antwort veröffentlichen"))


class ExtendDeadlineForm(FlaskForm):
    new_deadline = DateTimeLocalField(
        _l("Neue Angebotsfrist"),
        format=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"],
        validators=[InputRequired(REQUIRED)],
        description=_l("Datum und Uhrzeit (deutsche Zeit), z. B. 15.01.2027 12:00."),
    )
    reason = TextAreaField(
        _l("Grund der Verlängerung"),
        validators=[DataRequired(REQUIRED), Length(max=MAX_REASON_LENGTH)],
        description=_l("Die Bieter erhalten den Grund per E-Mail."),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Frist verlängern"))

    def deadline(self) -> datetime:
        """The new deadline as typed in German time, made aware."""
        return self.new_deadline.data.replace(tzinfo=BERLIN)


# --- the public list of tenders: a GET form that never fails ---------------------------------


class TenderFilterForm(Form):
    """Filters of the public tender list; bound to ``request.args``; unusable values are ignored."""

    q = StringField(
        _l("Suchbegriffe"),
        description=_l("Sucht in Titel und Beschreibung."),
        render_kw={"type": "search", "maxlength": 200},
    )
    cpv = StringField(
        _l("CPV-Code"),
        description=_l("Ganzer Code (z. B. 34996000-5) oder sein Anfang (z. B. 34996)."),
        render_kw={"inputmode": "numeric", "maxlength": 12},
    )
    nuts = StringField(
        _l("Region (NUTS-Code)"),
        description=_l("Ort der Leistung, z. B. DE1 (Baden-Württemberg) oder DE118."),
        render_kw={"maxlength": 5},
    )
    deadline_from = GermanDateField(_l("Angebotsfrist ab"))
    deadline_until = GermanDateField(_l("Angebotsfrist bis"))
    past = BooleanField(
        _l("Abgelaufene und aufgehobene Ausschreibungen zeigen"),
        false_values=("", "0", "false", "off"),
    )
    page = StringField(_l("Seite"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cpv_prefix = ""
        self.nuts_prefix = ""
        self.page_number = 1

    def validate_q(self, field: Field) -> None:
        field.data = (field.data or "").strip()[:200]

    def validate_cpv(self, field: Field) -> None:
        text = re.sub(r"\s", "", field.data or "")
        if not text:
            return
        if CPV_PATTERN.match(text):
            try:
                self.cpv_prefix = vocabulary().validate(text).significant
            except InvalidCpv as err:
                raise ValidationError(cpv_message(err)) from None
            return
        if re.fullmatch(r"\d{2,8}", text):
            self.cpv_prefix = text
            return
        raise ValidationError(
            _l(
                "Bitte geben Sie einen CPV-Code (z. B. 34996000-5) oder seine ersten Ziffern "
                "(mindestens 2) ein."
            )
        )

    def validate_nuts(self, field: Field) -> None:
        if not (field.data or "").strip():
            return
        prefix = normalise_nuts_prefix(field.data)
        if prefix is None:
            raise ValidationError(
                _l(
                    "Ein NUTS-Code besteht aus dem Länderkürzel und bis zu drei Zeichen, "
                    "z. B. DE1 oder DE118."
                )
            )
        self.nuts_prefix = prefix

    def validate_deadline_until(self, field: Field) -> None:
        start: Optional[date] = self.deadline_from.data
        if start is not None and field.data is not None and field.data < start:
            raise ValidationError(
                _l("„Angebotsfrist bis“ liegt vor „Angebotsfrist ab“; sie wurde ignoriert.")
            )

    def validate_page(self, field: Field) -> None:
        text = (field.data or "").strip()
        if not text:
            return
        if not re.fullmatch(r"\d{1,5}", text) or int(text) < 1:
            raise ValidationError(
                _l("„%(value)s“ ist keine Seitenzahl; Seite 1 wird gezeigt.") % {"value": text[:20]}
            )
        self.page_number = int(text)

    def usable(self, name: str) -> Any:
        """The parsed value of a field, or None when it had an error."""
        return None if name in self.errors else self[name].data

    def notices(self) -> list[str]:
        return [
            f"{self[name].label.text}: {' '.join(str(e) for e in errors)}"
            for name, errors in self.errors.items()
        ]
