"""Officers' notes on a procedure's record (§8(1) VgV: documented in text form from the start).

A note is written once and never changed or deleted (a correction is a new note); each is an
audit entry ``record.note_added`` with the text's SHA-256 and the stage it was written in, so a
note removed from the table would show as a gap against the chain.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from procurement.accounts.models import User
from procurement.audit.services import record
from procurement.errors import DomainError, PermissionDenied
from procurement.extensions import db
from procurement.records.models import RecordNote
from procurement.records.permissions import can_add_note
from procurement.records.vermerk import NOTE_TOPICS, TOPIC_PREFIXES
from procurement.tenders.models import Tender

MAX_NOTE_LENGTH = 5000

TOPIC_LABELS = {
    "general": _l("Allgemeiner Vermerk"),
    "lots": _l("Gründe für die (Nicht-)Aufteilung in Lose (§ 97 Abs. 4 GWB)"),
    "conflicts": _l("Interessenkonflikt und Maßnahmen (§ 6 VgV)"),
    "subcontracting": _l("Unteraufträge (§ 8 Abs. 2 Nr. 6 VgV)"),
}


class NoteForm(FlaskForm):
    topic = SelectField(
        _l("Thema"), choices=[SelectChoice(t, TOPIC_LABELS[t]) for t in NOTE_TOPICS], default="general"
    )
    text = TextAreaField(
        _l("Vermerk"),
        validators=[
            DataRequired(_l("Bitte schreiben Sie den Vermerk.")),
            Length(max=MAX_NOTE_LENGTH, message=_l("Höchstens %(max)d Zeichen.")),
        ],
        description=_l("Vermerke werden nicht geändert oder gelöscht; eine Korrektur ist ein neuer Vermerk."),
    )


def add_note(actor: User, tender: Tender, text: str, now: datetime, topic: str = "general") -> RecordNote:
    """Add a note of an officer of the lead to the record, at the tender's current stage.

    :param topic: one of ``NOTE_TOPICS``; a topic's prefix puts the note into its section of the
        Vermerk (lots, conflicts of interest, subcontracting)
    """
    if not can_add_note(actor, tender):
        raise PermissionDenied(_("Vermerke schreiben nur Beschaffende der federführenden Kommune."))
    text = text.strip().replace("\r\n", "\n")
    if not text:
        raise DomainError(_("Bitte schreiben Sie den Vermerk."))
    if len(text) > MAX_NOTE_LENGTH:
        raise DomainError(_("Der Vermerk ist zu lang (höchstens %(max)d Zeichen).", max=MAX_NOTE_LENGTH))
    if topic not in NOTE_TOPICS:
        raise DomainError(_("Bitte wählen Sie ein Thema."))
    text = TOPIC_PREFIXES.get(topic, "") + text
    note = RecordNote(
        tender_id=tender.id, stage=tender.status.value, text=text, author_id=actor.id, created_at=now
    )
    db.session.add(note)
    db.session.flush()
    record(
        "record.note_added",
        actor=actor,
        object_type="tender",
        object_id=tender.id,
        organisation_id=tender.lead_organisation_id,
        now=now,
        after={
            "note_id": note.id,
            "stage": note.stage,
            "tender_id": tender.id,
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "length": len(text),
        },
    )
    return note
