"""Forms of the award pages: proposal, letters, challenge and its outcome, Zuschlag, cancellation.

Every form carries the award's ``version`` as shown, so a change made meanwhile by someone else
gives a 409 instead of acting on a stale page.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, RadioField, SelectChoice, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.validators import Optional as OptionalValue

from procurement.forms import REQUIRED, VersionForm
from procurement.tenders.labels import CANCELLATION_REASON_LABELS


class ProposeForm(VersionForm):
    bid_id = RadioField(
        _l("Angebot für den Zuschlag"),
        coerce=int,
        validators=[InputRequired(_l("Bitte wählen Sie ein Angebot auf Rang 1."))],
    )
    reasons = TextAreaField(
        _l("Gründe für den Zuschlag"),
        validators=[DataRequired(REQUIRED), Length(max=10000)],
        description=_l("Die Gründe stehen in der Information nach § 134 GWB an die anderen Bieter."),
        render_kw={"rows": 4},
    )
    tie_reason = TextAreaField(
        _l("Begründung der Wahl bei Gleichstand"),
        validators=[OptionalValue(), Length(max=10000)],
        description=_l("Nur nötig, wenn mehrere Angebote gleichauf auf Rang 1 liegen."),
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Zuschlag vorschlagen"))


class LettersForm(VersionForm):
    submit = SubmitField(_l("Information nach § 134 GWB versenden"))


class FinaliseForm(VersionForm):
    submit = SubmitField(_l("Zuschlag erteilen"))


class ChallengeForm(VersionForm):
    note = TextAreaField(
        _l("Nachprüfungsantrag"),
        validators=[DataRequired(REQUIRED), Length(max=10000)],
        description=_l(
            "Antragsteller, Datum der Mitteilung durch die Vergabekammer, Gegenstand (§ 160 GWB)."
        ),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Nachprüfungsverfahren eintragen"))


class ResolveForm(VersionForm):
    outcome = RadioField(
        _l("Entscheidung"),
        choices=[
            SelectChoice("rejected", _l("Antrag zurückgewiesen oder zurückgenommen: der Vorschlag bleibt")),
            SelectChoice(
                "new_evaluation", _l("Neue Wertung angeordnet: neuer Vorschlag und neue Information nötig")
            ),
        ],
        validators=[InputRequired(_l("Bitte wählen Sie die Entscheidung."))],
    )
    note = TextAreaField(
        _l("Entscheidung der Vergabekammer"),
        validators=[DataRequired(REQUIRED), Length(max=10000)],
        render_kw={"rows": 3},
    )
    period_end = DateField(
        _l("Zuschlagsverbot bis einschließlich"),
        validators=[OptionalValue()],
        description=_l(
            "Bei Zurückweisung: der letzte Tag der Frist für die sofortige Beschwerde (§ 169 Abs. 1, "
            "§ 172 Abs. 1 GWB)."
        ),
    )
    submit = SubmitField(_l("Entscheidung eintragen"))


class CancelLotForm(VersionForm):
    reason = RadioField(
        _l("Grund der Aufhebung"),
        choices=[SelectChoice(reason.value, label) for reason, label in CANCELLATION_REASON_LABELS.items()],
        validators=[InputRequired(_l("Bitte wählen Sie einen Grund nach § 63 Abs. 1 VgV."))],
    )
    text = TextAreaField(
        _l("Begründung"),
        validators=[DataRequired(REQUIRED), Length(max=10000)],
        description=_l("Die Bieter des Loses erhalten die Begründung (§ 63 Abs. 2 VgV)."),
        render_kw={"rows": 3},
    )
    confirm = BooleanField(
        _l("Ich bestätige: Das Los wird aufgehoben. Das kann nicht rückgängig gemacht werden."),
        validators=[DataRequired(_l("Bitte bestätigen Sie die Aufhebung."))],
    )
    submit = SubmitField(_l("Los aufheben"))
