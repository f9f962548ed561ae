"""Forms of the evaluation pages (officers) and of the vendor's answer to a §56 VgV request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.validators import Optional as OptionalValue
from wtforms.widgets import HiddenInput

from procurement.awards.evaluation import EXCLUSION_GROUND_LABELS, MAX_REASON_LENGTH
from procurement.tenders.advisor import BERLIN

REQUIRED = _l("Bitte füllen Sie dieses Feld aus.")


class VersionedForm(FlaskForm):
    """The version of the record the officer saw: a stale form is refused with 409."""

    version = IntegerField(widget=HiddenInput(), validators=[OptionalValue()])


class AdmitForm(VersionedForm):
    reason = TextAreaField(
        _l("Vermerk zur Zulassung"),
        validators=[Length(max=MAX_REASON_LENGTH)],
        description=_l("Optional: z. B. „Eignung nachgewiesen, Unterlagen vollständig“."),
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Angebot zulassen"))


class ExcludeForm(VersionedForm):
    ground = RadioField(
        _l("Ausschlussgrund"),
        choices=[SelectChoice(ground.value, label) for ground, label in EXCLUSION_GROUND_LABELS.items()],
        validators=[InputRequired(_l("Bitte wählen Sie einen Ausschlussgrund."))],
    )
    reason = TextAreaField(
        _l("Begründung des Ausschlusses"),
        validators=[DataRequired(REQUIRED), Length(max=MAX_REASON_LENGTH)],
        description=_l("Die Begründung steht im Vergabevermerk und im Informationsschreiben an den Bieter."),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Angebot ausschließen"))


class ReconsiderForm(VersionedForm):
    submit = SubmitField(_l("Entscheidung zurücknehmen"))


class RequestForm(FlaskForm):
    text = TextAreaField(
        _l("Welche Unterlagen fehlen?"),
        validators=[DataRequired(REQUIRED), Length(max=20000)],
        description=_l("Der Bieter liest diesen Text so, wie er hier steht."),
        render_kw={"rows": 4},
    )
    deadline = DateTimeLocalField(
        _l("Frist"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(_l("Bitte geben Sie eine Frist an (Datum und Uhrzeit)."))],
        description=_l("Deutsche Zeit (Europe/Berlin); die Frist muss in der Zukunft liegen."),
    )
    submit = SubmitField(_l("Unterlagen nachfordern"))

    def deadline_utc(self) -> Optional[datetime]:
        """The deadline in UTC, read as Berlin time."""
        if self.deadline.data is None:
            return None
        return self.deadline.data.replace(tzinfo=BERLIN).astimezone(UTC)


class WithdrawRequestForm(VersionedForm):
    submit = SubmitField(_l("Nachforderung zurückziehen"))


class ScoreForm(FlaskForm):
    criterion_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    seen = StringField(widget=HiddenInput())
    points = StringField(_l("Punkte"), validators=[InputRequired(REQUIRED), Length(max=12)])
    justification = TextAreaField(
        _l("Begründung der Punkte"),
        validators=[DataRequired(REQUIRED), Length(max=MAX_REASON_LENGTH)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Punkte speichern"))


class ExplanationForm(VersionedForm):
    lot_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    explanation = TextAreaField(
        _l("Erklärung des Bieters (§ 60 Abs. 1 VgV)"),
        validators=[DataRequired(REQUIRED), Length(max=MAX_REASON_LENGTH)],
        render_kw={"rows": 3},
    )
    decision = RadioField(
        _l("Bewertung der Erklärung"),
        choices=[
            SelectChoice("accept", _l("Erklärung akzeptiert: das Angebot bleibt in der Wertung")),
            SelectChoice("reject", _l("Erklärung nicht ausreichend: Angebot ausschließen (§ 60 Abs. 3 VgV)")),
        ],
        validators=[InputRequired(_l("Bitte bewerten Sie die Erklärung."))],
    )
    reason = TextAreaField(
        _l("Begründung"),
        validators=[Length(max=MAX_REASON_LENGTH)],
        description=_l("Pflicht bei einem Ausschluss."),
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Aufklärung erfassen"))


class AnswerForm(FlaskForm):
    """Rendered for the vendor; the POST is read as a stream (files sealed as they arrive)."""

    version = IntegerField(widget=HiddenInput(), validators=[OptionalValue()])
    text = TextAreaField(_l("Ihre Antwort"), validators=[Length(max=20000)], render_kw={"rows": 5})
    submit = SubmitField(_l("Antwort senden"))
