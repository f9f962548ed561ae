"""Forms of the FAQ (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.validators import Optional as OptionalValidator

from procurement.desk.faq import MAX_ANSWER, MAX_QUESTION, FaqData
from procurement.desk.forms import TOPIC_LABELS
from procurement.desk.models import AdvisoryTopic, FaqEntry
from procurement.forms import REQUIRED

_TOO_LONG = _l("Bitte kürzen Sie den Text auf höchstens %(max)d Zeichen.")


class FaqEntryForm(FlaskForm):
    topic = SelectField(
        _l("Thema"),
        choices=[SelectChoice(topic.value, label) for topic, label in TOPIC_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
    )
    question = StringField(
        _l("Frage"),
        validators=[DataRequired(REQUIRED), Length(max=MAX_QUESTION, message=_TOO_LONG)],
        description=_l("So, wie eine Kommune sie stellen würde – ohne Namen."),
    )
    answer = TextAreaField(
        _l("Antwort"),
        validators=[DataRequired(REQUIRED), Length(max=MAX_ANSWER, message=_TOO_LONG)],
        description=_l("Absätze durch eine Leerzeile trennen."),
        render_kw={"rows": 12},
    )
    submit = SubmitField(_l("Speichern"))

    @staticmethod
    def initial(entry: FaqEntry) -> dict[str, Any]:
        return {"topic": entry.topic.value, "question": entry.question, "answer": entry.answer}

    def faq_data(self) -> FaqData:
        return FaqData(
            topic=AdvisoryTopic(self.topic.data),
            question=self.question.data or "",
            answer=self.answer.data or "",
        )


class FaqSearchForm(FlaskForm):
    """The search box of the public FAQ (GET, no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Suchbegriffe"),
        validators=[OptionalValidator(), Length(max=200)],
        description=_l("Groß- und Kleinschreibung und Umlaute (ä oder ae) spielen keine Rolle."),
    )
    topic = SelectField(
        _l("Thema"),
        choices=[SelectChoice("", _l("alle Themen"))]
        + [SelectChoice(topic.value, label) for topic, label in TOPIC_LABELS.items()],
        validators=[OptionalValidator()],
        validate_choice=False,
    )

    def chosen_topic(self) -> AdvisoryTopic | None:
        try:
            return AdvisoryTopic(self.topic.data) if self.topic.data else None
        except ValueError:
            return None
