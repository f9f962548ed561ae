"""Translated names of tender states, triggers, cancellation reasons and the other tender enums.

Importing this module registers the state and trigger names with the web layer, which shows
them in the 409 page of a refused transition (procurement.web).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from procurement.reference.deadlines import Procedure
from procurement.tenders.models import (
    CancellationReason,
    ContractNature,
    CriterionKind,
    ParticipantStatus,
    ScoringMethod,
)
from procurement.web import STATE_LABELS, TRIGGER_LABELS
from workflows.tender import TENDER, TenderStatus

TENDER_STATUS_LABELS = {
    TenderStatus.draft: _l("Entwurf"),
    TenderStatus.collecting: _l("Teilnehmende sammeln"),
    TenderStatus.ready: _l("bereit zur Veröffentlichung"),
    TenderStatus.published: _l("veröffentlicht"),
    TenderStatus.opening: _l("Angebotsfrist abgelaufen"),
    TenderStatus.evaluation: _l("Wertung"),
    TenderStatus.award_proposed: _l("Zuschlag vorgeschlagen"),
    TenderStatus.standstill: _l("Wartefrist"),
    TenderStatus.awarded: _l("Zuschlag erteilt"),
    TenderStatus.contracted: _l("Vertrag geschlossen"),
    TenderStatus.closed: _l("abgeschlossen"),
    TenderStatus.cancelled: _l("aufgehoben"),
}

TENDER_TRIGGER_LABELS = {
    "start_collecting": _l("Teilnehmende sammeln"),
    "back_to_draft": _l("Zurück zum Entwurf"),
    "freeze": _l("Teilnehmende festschreiben"),
    "unfreeze": _l("Teilnehmende wieder öffnen"),
    "publish": _l("Veröffentlichen"),
    "close_submission": _l("Angebotsfrist beenden"),
    "cancel": _l("Aufheben"),
}

# The buttons of a tender's page: trigger -> (label, button style, success message).
# ``cancel`` has its own page (reason and explanation, §63 VgV); ``close_submission`` is the clock's.
TENDER_ACTIONS = {
    "start_collecting": (
        _l("Teilnehmende sammeln"),
        "primary",
        _l("Die eingeladenen Kommunen können jetzt mit ihren Mengen teilnehmen."),
    ),
    "back_to_draft": (
        _l("Zurück zum Entwurf"),
        "outline-secondary",
        _l("Die Ausschreibung ist wieder ein Entwurf."),
    ),
    "freeze": (
        _l("Teilnehmende festschreiben"),
        "primary",
        _l("Die Teilnehmenden und ihre Mengen sind festgeschrieben."),
    ),
    "unfreeze": (
        _l("Teilnehmende wieder öffnen"),
        "outline-secondary",
        _l("Die Kommunen können ihre Teilnahme wieder ändern."),
    ),
    "publish": (
        _l("Veröffentlichen"),
        "success",
        _l("Die Ausschreibung ist veröffentlicht. Die teilnehmenden Kommunen sind benachrichtigt."),
    ),
}

CANCELLATION_REASON_LABELS = {
    CancellationReason.no_compliant_bid: _l(
        "Kein Angebot eingegangen, das den Bewerbungsbedingungen entspricht (§ 63 Abs. 1 Satz 1 Nr. 1 VgV)"
    ),
    CancellationReason.fundamental_change: _l(
        "Die Grundlage des Vergabeverfahrens hat sich wesentlich geändert (§ 63 Abs. 1 Satz 1 Nr. 2 VgV)"
    ),
    CancellationReason.no_economic_result: _l(
        "Kein wirtschaftliches Ergebnis erzielt (§ 63 Abs. 1 Satz 1 Nr. 3 VgV)"
    ),
    CancellationReason.other_serious_reasons: _l(
        "Andere schwerwiegende Gründe (§ 63 Abs. 1 Satz 1 Nr. 4 VgV)"
    ),
}

CONTRACT_NATURE_LABELS = {
    ContractNature.supplies: _l("Lieferleistung"),
    ContractNature.services: _l("Dienstleistung"),
    ContractNature.works: _l("Bauleistung"),
}

CRITERION_KIND_LABELS = {
    CriterionKind.price: _l("Preis"),
    CriterionKind.quality: _l("Qualität"),
}

SCORING_METHOD_LABELS = {
    ScoringMethod.lowest_price_ratio: _l("Preis: Verhältnis zum niedrigsten Preis"),
    ScoringMethod.linear_interpolation: _l("Preis: lineare Interpolation (doppelter Preis 0 Punkte)"),
    ScoringMethod.points_0_10: _l("Qualität: 0 bis 10 Punkte"),
    ScoringMethod.points_0_5: _l("Qualität: 0 bis 5 Punkte"),
}

PROCEDURE_LABELS = {
    Procedure.eu_open: _l("Offenes Verfahren (EU, § 15 VgV)"),
    Procedure.national_open: _l("Öffentliche Ausschreibung (national, § 9 UVgO)"),
}

PARTICIPANT_STATUS_LABELS = {
    ParticipantStatus.invited: _l("eingeladen"),
    ParticipantStatus.joined: _l("nimmt teil"),
    ParticipantStatus.declined: _l("abgesagt"),
    ParticipantStatus.left: _l("ausgestiegen"),
}

STATE_LABELS.update(TENDER_STATUS_LABELS)
TRIGGER_LABELS.update({(TENDER.name, trigger): label for trigger, label in TENDER_TRIGGER_LABELS.items()})
