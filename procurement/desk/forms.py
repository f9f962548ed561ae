"""Forms of the support desk: a new request, a reply or answer, assignment, introduction, filters.

The forms that change a request carry its ``version`` as shown (``VersionForm``): a change made
meanwhile by someone else gives a 409 instead of acting on a stale page.
"""

from __future__ import annotations

from typing import Optional

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from procurement.desk.models import AdvisoryTopic
from procurement.desk.services import MAX_SUBJECT_LENGTH, MAX_TEXT_LENGTH
from procurement.forms import REQUIRED, VersionForm
from workflows.advisory import AdvisoryStatus

TOPIC_LABELS = {
    AdvisoryTopic.finding_solution: _l("Eine Lösung finden"),
    AdvisoryTopic.joint_tender: _l("Gemeinsame Ausschreibung vorbereiten"),
    AdvisoryTopic.legal_procedure: _l("Rechtsfrage zum Vergabeverfahren"),
    AdvisoryTopic.funding: _l("Förderung"),
    AdvisoryTopic.operation: _l("Betrieb"),
}
STATUS_LABELS = {
    AdvisoryStatus.new: _l("Neu"),
    AdvisoryStatus.assigned: _l("In Bearbeitung"),
    AdvisoryStatus.answered: _l("Beantwortet"),
    AdvisoryStatus.closed: _l("Geschlossen"),
}
TRIGGER_LABELS = {
    "assign": _l("Zuweisen"),
    "answer": _l("Antworten"),
    "reopen": _l("Wieder öffnen"),
    "close": _l("Schließen"),
}
ATTACHMENT_HINT = _l("Bis zu 5 Dateien: PDF, ODT, ODS, DOCX, XLSX oder ZIP.")


class RequestForm(FlaskForm):
    topic = SelectField(
        _l("Thema"),
        choices=[SelectChoice(topic.value, label) for topic, label in TOPIC_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
    )
    subject = StringField(_l("Betreff"), validators=[DataRequired(REQUIRED), Length(max=MAX_SUBJECT_LENGTH)])
    text = TextAreaField(
        _l("Ihre Frage"),
        validators=[DataRequired(REQUIRED), Length(max=MAX_TEXT_LENGTH)],
        description=_l("Beschreiben Sie, wobei das Kompetenzzentrum Ihnen helfen soll."),
        render_kw={"rows": 8},
    )
    link = SelectField(
        _l("Bezug (optional)"),
        choices=[],
        validate_choice=False,
        description=_l("Ein Bedarf oder eine Ausschreibung Ihrer Kommune oder eine Lösung im Marktplatz."),
    )
    attachments = MultipleFileField(_l("Anhänge"), description=ATTACHMENT_HINT)
    submit = SubmitField(_l("Anfrage senden"))

    def set_links(self, choices: dict[str, list[tuple[int, str]]]) -> None:
        groups = {
            "need": str(_l("Bedarf")),
            "tender": str(_l("Ausschreibung")),
            "solution": str(_l("Lösung")),
        }
        self.link.choices = [SelectChoice("", str(_l("Kein Bezug")))] + [
            SelectChoice(f"{kind}:{object_id}", title, optgroup=groups[kind])
            for kind in ("need", "tender", "solution")
            for object_id, title in choices[kind]
        ]

    def topic_value(self) -> AdvisoryTopic:
        return AdvisoryTopic(self.topic.data)

    def link_value(self) -> Optional[tuple[str, int]]:
        kind, _sep, object_id = (self.link.data or "").partition(":")
        if not kind or not object_id.isdigit():
            return None
        return kind, int(object_id)


class MessageForm(VersionForm):
    """A reply of the municipality or an answer of the Kompetenzzentrum."""

    text = TextAreaField(
        _l("Nachricht"),
        validators=[DataRequired(REQUIRED), Length(max=MAX_TEXT_LENGTH)],
        render_kw={"rows": 6},
    )
    attachments = MultipleFileField(_l("Anhänge"), description=ATTACHMENT_HINT)
    submit = SubmitField(_l("Senden"))


class AnswerForm(MessageForm):
    text = TextAreaField(
        _l("Antwort"),
        validators=[DataRequired(REQUIRED), Length(max=MAX_TEXT_LENGTH)],
        render_kw={"rows": 8},
    )
    submit = SubmitField(_l("Antwort senden"))


class CloseForm(VersionForm):
    submit = SubmitField(_l("Anfrage schließen"))


class AssignForm(VersionForm):
    assignee = SelectField(_l("Zuständig"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Zuweisen"))

    def assignee_id(self) -> Optional[int]:
        try:
            return int(self.assignee.data) if self.assignee.data else None
        except ValueError:
            return None


class IntroductionForm(VersionForm):
    pilot_project = SelectField(
        _l("Pilotprojekt"),
        choices=[],
        validate_choice=False,
        validators=[DataRequired(_l("Bitte wählen Sie ein Pilotprojekt."))],
        description=_l(
            "Vorschläge zuerst: Projekte, die zur Lösung, zur Kategorie oder zum CPV-Code der Anfrage passen."
        ),
    )
    note = TextAreaField(
        _l("Nachricht an beide Kommunen (optional)"),
        validators=[Length(max=MAX_TEXT_LENGTH)],
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Kommunen miteinander bekannt machen"))

    def pilot_project_id(self) -> Optional[int]:
        try:
            return int(self.pilot_project.data) if self.pilot_project.data else None
        except ValueError:
            return None


class QueueFilterForm(FlaskForm):
    """The queue filters (GET, no CSRF: they change nothing)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    topic = SelectField(_l("Thema"), choices=[], validate_choice=False)
    assignee = SelectField(_l("Zuständig"), choices=[], validate_choice=False)
    funded = SelectField(_l("Kommune"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Filtern"))

    def set_choices(self, curators: list[tuple[int, str]]) -> None:
        self.status.choices = [SelectChoice("", str(_l("Offen (neu, in Bearbeitung, beantwortet)")))] + [
            SelectChoice(status.value, str(label)) for status, label in STATUS_LABELS.items()
        ]
        self.topic.choices = [SelectChoice("", str(_l("Alle")))] + [
            SelectChoice(topic.value, str(label)) for topic, label in TOPIC_LABELS.items()
        ]
        self.assignee.choices = [SelectChoice("", str(_l("Alle"))), SelectChoice("0", str(_l("Niemand")))] + [
            SelectChoice(str(user_id), name) for user_id, name in curators
        ]
        self.funded.choices = [
            SelectChoice("", str(_l("Alle"))),
            SelectChoice("nein", str(_l("nicht gefördert"))),
            SelectChoice("ja", str(_l("gefördert (Modellprojekt)"))),
        ]

    def status_value(self) -> Optional[AdvisoryStatus]:
        try:
            return AdvisoryStatus(self.status.data) if self.status.data else None
        except ValueError:
            return None

    def topic_value(self) -> Optional[AdvisoryTopic]:
        try:
            return AdvisoryTopic(self.topic.data) if self.topic.data else None
        except ValueError:
            return None

    def assignee_value(self) -> Optional[int]:
        try:
            return int(self.assignee.data) if self.assignee.data else None
        except ValueError:
            return None

    def funded_value(self) -> Optional[bool]:
        return {"ja": True, "nein": False}.get(self.funded.data or "")
