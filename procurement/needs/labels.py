"""Translated names of need states, actions and invitation answers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from procurement.needs.models import RecipientResponse
from workflows.need import NeedStatus

NEED_STATUS_LABELS = {
    NeedStatus.draft: _l("Entwurf"),
    NeedStatus.open: _l("offen für Bündelung"),
    NeedStatus.bundled: _l("gebündelt"),
    NeedStatus.fulfilled: _l("erfüllt"),
    NeedStatus.withdrawn: _l("zurückgezogen"),
}

# The buttons of a need's page: trigger -> (label, button style, success message)
NEED_ACTIONS = {
    "open": (
        _l("Für Bündelung öffnen"),
        "primary",
        _l("Der Bedarf ist offen: andere Kommunen können ihn jetzt in Bündelungsvorschlägen sehen."),
    ),
    "reopen": (
        _l("Zur Bearbeitung zurücknehmen"),
        "outline-primary",
        _l("Der Bedarf ist wieder ein Entwurf."),
    ),
    "withdraw": (_l("Bedarf zurückziehen"), "outline-danger", _l("Der Bedarf ist zurückgezogen.")),
}

# Names of the triggers in conflict messages; bundle, unbundle and fulfil come with the joint tender.
NEED_TRIGGER_LABELS = {
    "open": _l("Für Bündelung öffnen"),
    "reopen": _l("Zur Bearbeitung zurücknehmen"),
    "withdraw": _l("Zurückziehen"),
    "bundle": _l("Bündeln"),
    "unbundle": _l("Bündelung aufheben"),
    "fulfil": _l("Als erfüllt markieren"),
}

RESPONSE_LABELS = {
    RecipientResponse.pending: _l("Antwort ausstehend"),
    RecipientResponse.accepted: _l("zugesagt"),
    RecipientResponse.declined: _l("abgesagt"),
}
