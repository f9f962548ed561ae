"""Translated names of bid states, triggers and file kinds.

Importing this module registers the state and trigger names with the web layer, which shows
them in the 409 page of a refused transition (procurement.web).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from procurement.bids.models import BidFileKind
from procurement.web import STATE_LABELS, TRIGGER_LABELS
from workflows.bid import BID, BidStatus

BID_STATUS_LABELS = {
    BidStatus.draft: _l("Entwurf"),
    BidStatus.submitted: _l("abgegeben (verschlüsselt)"),
    BidStatus.withdrawn: _l("zurückgezogen"),
    BidStatus.superseded: _l("ersetzt durch ein neueres Angebot"),
    BidStatus.opened: _l("geöffnet"),
    BidStatus.admitted: _l("zugelassen"),
    BidStatus.excluded: _l("ausgeschlossen"),
    BidStatus.successful: _l("Zuschlag erhalten"),
    BidStatus.unsuccessful: _l("nicht berücksichtigt"),
}

BID_TRIGGER_LABELS = {
    "submit": _l("Angebot abgeben"),
    "withdraw": _l("Angebot zurückziehen"),
    "supersede": _l("Durch neues Angebot ersetzen"),
    "discard": _l("Entwurf verwerfen"),
    "open": _l("Angebot öffnen"),
}

BID_FILE_KIND_LABELS = {
    BidFileKind.offer_letter: _l("Angebotsschreiben"),
    BidFileKind.price_sheet: _l("Preisblatt"),
    BidFileKind.references: _l("Referenzen"),
    BidFileKind.other: _l("Sonstige Unterlage"),
}

STATE_LABELS.update(BID_STATUS_LABELS)
TRIGGER_LABELS.update({(BID.name, trigger): label for trigger, label in BID_TRIGGER_LABELS.items()})
