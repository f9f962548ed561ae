"""Joint tenders (gemeinsame Beschaffung, §4 VgV) from the first draft to the opening of bids.

draft -> collecting (participants join with quantities per lot) -> ready (the lead froze the
participants; value estimated, procedure chosen) -> published (notice out, bidder questions) ->
opening (bid deadline passed) -> evaluation (two officers opened the bids, §55 VgV) ->
award_proposed (every lot has an award proposal or is cancelled) -> standstill (the §134 GWB
letters of every lot went out) -> awarded (every lot's award is final or the lot cancelled) ->
contracted (a contract per participant and lot) -> closed. A tender can be cancelled (Aufhebung,
§63 VgV) in any state before ``awarded``.

The awards are per lot (``workflows/award.py``); the tender follows them: the award services
keep ``lot_award_states`` (one ``AwardStatus`` or None per lot) on the tender and move it with
``propose_award`` / ``withdraw_proposal`` / ``start_standstill`` / ``reconsider`` / ``award``.
A challenge of one lot takes the tender back from standstill to award_proposed until resolved;
when the review body orders a new evaluation, the lot's proposal is void (its state reads None)
and the tender goes back to the evaluation until the lot is proposed anew.

Guards read plain attributes only, so the machine stays free of Flask and SQLAlchemy: the
services keep ``lots``, ``participant_count``, ``criteria_weight_total``, ``document_count``,
``bid_deadline``, ``earliest_bid_deadline`` and ``opening_officer_ids`` on the tender object
up to date.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from workflows.award import AwardStatus
from workflows.machine import N_, Guard, Transition, Workflow


class TenderStatus(enum.Enum):
    draft = "draft"
    collecting = "collecting"
    ready = "ready"
    published = "published"
    opening = "opening"
    evaluation = "evaluation"
    award_proposed = "award_proposed"
    standstill = "standstill"
    awarded = "awarded"
    contracted = "contracted"
    closed = "closed"
    cancelled = "cancelled"


# Aufhebung (§63 VgV) is possible until the award is final.
CANCELLABLE = (
    TenderStatus.draft,
    TenderStatus.collecting,
    TenderStatus.ready,
    TenderStatus.published,
    TenderStatus.opening,
    TenderStatus.evaluation,
    TenderStatus.award_proposed,
    TenderStatus.standstill,
)

# The criteria and their weights are published with the notice and fixed from then on (§58 VgV).
CRITERIA_EDITABLE = (TenderStatus.draft, TenderStatus.collecting, TenderStatus.ready)

# Lots and their descriptions can change until the participants are frozen.
LOTS_EDITABLE = (TenderStatus.draft, TenderStatus.collecting)


def _has_lots(tender: Any, now: datetime) -> bool:
    return len(tender.lots) > 0


def _has_participants(tender: Any, now: datetime) -> bool:
    return tender.participant_count > 0


def _criteria_complete(tender: Any, now: datetime) -> bool:
    return tender.criteria_weight_total == Decimal(100)


def _has_documents(tender: Any, now: datetime) -> bool:
    return tender.document_count > 0


def _procedure_chosen(tender: Any, now: datetime) -> bool:
    return tender.procedure is not None and tender.bid_deadline is not None


def _deadline_allowed(tender: Any, now: datetime) -> bool:
    earliest = tender.earliest_bid_deadline(now)
    return tender.bid_deadline is not None and earliest is not None and tender.bid_deadline >= earliest


def _deadline_passed(tender: Any, now: datetime) -> bool:
    return tender.bid_deadline is not None and now >= tender.bid_deadline


has_lots = Guard(_has_lots, N_("Die Ausschreibung braucht mindestens ein Los."))
has_participants = Guard(
    _has_participants,
    N_("Mindestens eine Kommune muss mit Mengen für die Lose teilnehmen."),
)
criteria_complete = Guard(
    _criteria_complete,
    N_("Die Gewichte der Zuschlagskriterien müssen zusammen 100 %% ergeben (§58 VgV)."),
)
has_documents = Guard(_has_documents, N_("Ohne Vergabeunterlagen kann nicht veröffentlicht werden."))
procedure_chosen = Guard(
    _procedure_chosen,
    N_("Wählen Sie zuerst das Verfahren und die Angebotsfrist."),
)
deadline_allowed = Guard(
    _deadline_allowed,
    N_(
        "Die Angebotsfrist ist kürzer als gesetzlich erlaubt, wenn heute veröffentlicht wird. "
        "Bitte verlängern Sie sie."
    ),
)
deadline_passed = Guard(_deadline_passed, N_("Die Angebotsfrist läuft noch."))


def _two_officers_confirmed(tender: Any, now: datetime) -> bool:
    return len(set(tender.opening_officer_ids)) >= 2


two_officers_confirmed = Guard(
    _two_officers_confirmed,
    N_("Die Öffnung müssen zwei verschiedene Personen der Vergabestelle bestätigen (§55 Abs. 2 VgV)."),
)


def _states(tender: Any) -> list[Any]:
    return list(tender.lot_award_states)


def _some_lot_awarded(states: list[Any]) -> bool:
    return any(state is not None and state is not AwardStatus.cancelled for state in states)


def _awards_proposed(tender: Any, now: datetime) -> bool:
    states = _states(tender)
    return bool(states) and all(state is not None for state in states) and _some_lot_awarded(states)


def _awards_notified(tender: Any, now: datetime) -> bool:
    states = _states(tender)
    settled = (AwardStatus.notified, AwardStatus.final, AwardStatus.cancelled)
    return bool(states) and all(state in settled for state in states) and _some_lot_awarded(states)


def _awards_final(tender: Any, now: datetime) -> bool:
    states = _states(tender)
    done = (AwardStatus.final, AwardStatus.cancelled)
    return bool(states) and all(state in done for state in states) and _some_lot_awarded(states)


awards_proposed = Guard(
    _awards_proposed,
    N_("Jedes Los braucht einen Zuschlagsvorschlag oder muss aufgehoben sein."),
)
awards_notified = Guard(
    _awards_notified,
    N_("Die Information nach §134 GWB ist noch nicht für jedes Los versandt."),
)
awards_final = Guard(
    _awards_final,
    N_("Der Zuschlag ist noch nicht für jedes Los erteilt."),
)

TENDER = Workflow(
    "tender",
    TenderStatus,
    initial=TenderStatus.draft,
    transitions=[
        Transition("start_collecting", [TenderStatus.draft], TenderStatus.collecting, [has_lots]),
        Transition("back_to_draft", [TenderStatus.collecting], TenderStatus.draft),
        Transition("freeze", [TenderStatus.collecting], TenderStatus.ready, [has_lots, has_participants]),
        Transition("unfreeze", [TenderStatus.ready], TenderStatus.collecting),
        Transition(
            "publish",
            [TenderStatus.ready],
            TenderStatus.published,
            [procedure_chosen, criteria_complete, has_documents, deadline_allowed],
        ),
        Transition("close_submission", [TenderStatus.published], TenderStatus.opening, [deadline_passed]),
        # §55 VgV: the bids are opened jointly by two representatives of the lead authority.
        Transition(
            "open_bids",
            [TenderStatus.opening],
            TenderStatus.evaluation,
            [deadline_passed, two_officers_confirmed],
        ),
        # evaluation and award (§§56-60 VgV, §134 GWB): the tender follows its lots' awards
        Transition(
            "propose_award", [TenderStatus.evaluation], TenderStatus.award_proposed, [awards_proposed]
        ),
        Transition("withdraw_proposal", [TenderStatus.award_proposed], TenderStatus.evaluation),
        Transition(
            "start_standstill", [TenderStatus.award_proposed], TenderStatus.standstill, [awards_notified]
        ),
        Transition("reconsider", [TenderStatus.standstill], TenderStatus.award_proposed),
        Transition("award", [TenderStatus.standstill], TenderStatus.awarded, [awards_final]),
        Transition("conclude", [TenderStatus.awarded], TenderStatus.contracted),
        Transition("close", [TenderStatus.contracted], TenderStatus.closed),
        Transition("cancel", CANCELLABLE, TenderStatus.cancelled),
    ],
)
