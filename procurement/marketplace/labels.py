"""Translated names of marketplace categories, statuses and document kinds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from procurement.marketplace.models import Category, DocumentKind
from workflows.curation import EntryStatus

CATEGORY_LABELS = {
    Category.traffic: _l("Verkehrssteuerung"),
    Category.parking: _l("Parken"),
    Category.lighting: _l("Straßenbeleuchtung"),
    Category.energy: _l("Energiemanagement"),
    Category.water: _l("Wasser und Abwasser"),
    Category.environment: _l("Umwelt und Klima"),
    Category.disaster_protection: _l("Katastrophenschutz"),
    Category.open_data: _l("Offene Daten"),
    Category.connectivity: _l("Netze und Sensorik"),
    Category.administration: _l("Digitale Verwaltung"),
}

ENTRY_STATUS_LABELS = {
    EntryStatus.draft: _l("Entwurf"),
    EntryStatus.submitted: _l("zur Prüfung eingereicht"),
    EntryStatus.published: _l("veröffentlicht"),
    EntryStatus.archived: _l("archiviert"),
}

DOCUMENT_KIND_LABELS = {
    DocumentKind.data_sheet: _l("Datenblatt"),
    DocumentKind.specification: _l("Leistungsbeschreibung"),
    DocumentKind.tender_documents: _l("Vergabeunterlagen"),
    DocumentKind.report: _l("Projektbericht"),
    DocumentKind.other: _l("Sonstiges"),
}
