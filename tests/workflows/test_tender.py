"""The tender workflow: every trigger in every state, each guard and its message, the deadlines."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Optional

import pytest

from procurement.reference.deadlines import Procedure
from procurement.tenders.advisor import BERLIN, earliest_bid_deadline
from workflows import GuardFailed, InvalidTransition
from workflows.award import AwardStatus
from workflows.tender import (
    CANCELLABLE,
    CRITERIA_EDITABLE,
    LOTS_EDITABLE,
    TENDER,
    TenderStatus,
    awards_final,
    awards_notified,
    awards_proposed,
    criteria_complete,
    deadline_allowed,
    deadline_passed,
    has_documents,
    has_lots,
    has_participants,
    procedure_chosen,
    two_officers_confirmed,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
# midnight Berlin after the 30th day from 2026-11-25 (§15 VgV): 2026-12-26 00:00 CET
EARLIEST_EU = datetime(2026, 12, 25, 23, 0, tzinfo=UTC)


@dataclass
class FakeTender:
    """The attributes the guards read, as the Tender model offers them; all guards satisfied."""

    status: TenderStatus
    lots: list[object] = field(default_factory=lambda: ["Los 1"])
    participant_count: int = 2
    criteria_weight_total: Decimal = Decimal("100.00")
    document_count: int = 1
    procedure: Optional[Procedure] = Procedure.eu_open
    bid_deadline: Optional[datetime] = EARLIEST_EU + timedelta(days=7)
    opening_officer_ids: list[int] = field(default_factory=lambda: [1, 2])
    lot_award_states: list[Optional[AwardStatus]] = field(default_factory=lambda: [AwardStatus.final])

    def earliest_bid_deadline(self, now: datetime) -> Optional[datetime]:
        # the same computation as Tender.earliest_bid_deadline
        if self.procedure is None:
            return None
        earliest = earliest_bid_deadline(self.procedure, now.astimezone(BERLIN).date())
        return None if earliest is None else max(earliest, now)


def fake(state: TenderStatus, trigger: str = "", **changes: object) -> FakeTender:
    """A tender in ``state`` that satisfies every guard of ``trigger``."""
    tender = FakeTender(state)
    if trigger in ("close_submission", "open_bids"):
        tender.bid_deadline = NOW - timedelta(days=1)
    return replace(tender, **changes)


# (state, trigger) -> state after the move; every pair not listed must be refused.
ALLOWED = {
    (TenderStatus.draft, "start_collecting"): TenderStatus.collecting,
    (TenderStatus.collecting, "back_to_draft"): TenderStatus.draft,
    (TenderStatus.collecting, "freeze"): TenderStatus.ready,
    (TenderStatus.ready, "unfreeze"): TenderStatus.collecting,
    (TenderStatus.ready, "publish"): TenderStatus.published,
    (TenderStatus.published, "close_submission"): TenderStatus.opening,
    (TenderStatus.opening, "open_bids"): TenderStatus.evaluation,
    (TenderStatus.evaluation, "propose_award"): TenderStatus.award_proposed,
    (TenderStatus.award_proposed, "withdraw_proposal"): TenderStatus.evaluation,
    (TenderStatus.award_proposed, "start_standstill"): TenderStatus.standstill,
    (TenderStatus.standstill, "reconsider"): TenderStatus.award_proposed,
    (TenderStatus.standstill, "award"): TenderStatus.awarded,
    (TenderStatus.awarded, "conclude"): TenderStatus.contracted,
    (TenderStatus.contracted, "close"): TenderStatus.closed,
    **{(state, "cancel"): TenderStatus.cancelled for state in CANCELLABLE},
}
TRIGGERS = [
    "start_collecting",
    "back_to_draft",
    "freeze",
    "unfreeze",
    "publish",
    "close_submission",
    "open_bids",
    "propose_award",
    "withdraw_proposal",
    "start_standstill",
    "reconsider",
    "award",
    "conclude",
    "close",
    "cancel",
]
ALL_MOVES = [(state, trigger) for state in TenderStatus for trigger in TRIGGERS]
GUARDS = {
    "start_collecting": [has_lots],
    "freeze": [has_lots, has_participants],
    "publish": [procedure_chosen, criteria_complete, has_documents, deadline_allowed],
    "close_submission": [deadline_passed],
    "open_bids": [deadline_passed, two_officers_confirmed],
    "propose_award": [awards_proposed],
    "start_standstill": [awards_notified],
    "award": [awards_final],
}


def test_the_table_names_every_trigger_of_the_machine():
    assert sorted(TENDER.triggers) == sorted(TRIGGERS)
    assert TENDER.initial is TenderStatus.draft


def test_the_guards_of_each_trigger_are_the_listed_ones():
    for move in TENDER.transitions:
        assert list(move.guards) == GUARDS.get(move.trigger, []), move.trigger


@pytest.mark.parametrize(("state", "trigger"), [m for m in ALL_MOVES if m in ALLOWED])
def test_allowed_move(state, trigger):
    tender = fake(state, trigger)
    assert TENDER.fire(tender, trigger, NOW) is ALLOWED[(state, trigger)]
    assert tender.status is ALLOWED[(state, trigger)]


@pytest.mark.parametrize(("state", "trigger"), [m for m in ALL_MOVES if m not in ALLOWED])
def test_forbidden_move_raises_and_keeps_the_state(state, trigger):
    tender = fake(state, trigger)  # all guards satisfied: the state alone refuses
    with pytest.raises(InvalidTransition) as err:
        TENDER.fire(tender, trigger, NOW)
    assert not isinstance(err.value, GuardFailed)
    assert tender.status is state
    assert err.value.params == {"trigger": trigger, "state": state.value}
    assert err.value.workflow == "tender"


def test_allowed_triggers_per_state_match_the_table():
    for state in TenderStatus:
        expected = {trigger for trigger in TRIGGERS if (state, trigger) in ALLOWED}
        satisfied = {
            trigger for trigger in TRIGGERS if trigger in TENDER.allowed_triggers(fake(state, trigger), NOW)
        }
        assert satisfied == expected, state


@pytest.mark.parametrize(
    "state", [TenderStatus.awarded, TenderStatus.contracted, TenderStatus.closed, TenderStatus.cancelled]
)
def test_no_cancellation_once_awarded_and_cancelled_is_final(state):
    assert state not in CANCELLABLE
    assert "cancel" not in TENDER.allowed_triggers(fake(state), NOW)
    if state in (TenderStatus.closed, TenderStatus.cancelled):
        assert TENDER.allowed_triggers(fake(state), NOW) == []


def test_every_state_before_the_award_is_cancellable():
    before_award = list(TenderStatus)[: list(TenderStatus).index(TenderStatus.awarded)]
    assert list(CANCELLABLE) == before_award


def test_editable_state_sets():
    assert CRITERIA_EDITABLE == (TenderStatus.draft, TenderStatus.collecting, TenderStatus.ready)
    assert LOTS_EDITABLE == (TenderStatus.draft, TenderStatus.collecting)


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        TENDER.fire(fake(TenderStatus.draft), "start_collecting", datetime(2026, 11, 25, 9, 0))  # noqa: DTZ001


# --- guards and their messages -----------------------------------------------------------


def refused(tender: FakeTender, trigger: str, now: datetime = NOW) -> str:
    """Fire ``trigger``, expect the guard to refuse it; return the message, check nothing moved."""
    state = tender.status
    with pytest.raises(GuardFailed) as err:
        TENDER.fire(tender, trigger, now)
    assert tender.status is state
    assert trigger not in TENDER.allowed_triggers(tender, now)
    assert err.value.params == {"trigger": trigger, "state": state.value}
    return err.value.message


def test_collecting_needs_a_lot():
    message = refused(fake(TenderStatus.draft, lots=[]), "start_collecting")
    assert message == has_lots.message == "Die Ausschreibung braucht mindestens ein Los."


def test_freezing_needs_a_lot():
    assert refused(fake(TenderStatus.collecting, lots=[]), "freeze") == has_lots.message


def test_freezing_needs_a_participating_municipality():
    message = refused(fake(TenderStatus.collecting, participant_count=0), "freeze")
    assert message == has_participants.message
    assert "Mindestens eine Kommune" in message


def test_back_to_draft_and_unfreeze_have_no_guard():
    empty = {"lots": [], "participant_count": 0, "document_count": 0, "procedure": None, "bid_deadline": None}
    assert TENDER.fire(fake(TenderStatus.collecting, **empty), "back_to_draft", NOW) is TenderStatus.draft
    assert TENDER.fire(fake(TenderStatus.ready, **empty), "unfreeze", NOW) is TenderStatus.collecting


def test_cancel_has_no_guard():
    tender = fake(TenderStatus.published, bid_deadline=None, lots=[], participant_count=0)
    assert TENDER.fire(tender, "cancel", NOW) is TenderStatus.cancelled


@pytest.mark.parametrize(
    "changes", [{"procedure": None}, {"bid_deadline": None}, {"procedure": None, "bid_deadline": None}]
)
def test_publishing_needs_procedure_and_deadline(changes):
    message = refused(fake(TenderStatus.ready, **changes), "publish")
    assert message == procedure_chosen.message
    assert "Verfahren und die Angebotsfrist" in message


@pytest.mark.parametrize("total", ["0", "99.99", "100.01", "60"])
def test_publishing_needs_criteria_weights_of_exactly_100_percent(total):
    message = refused(fake(TenderStatus.ready, criteria_weight_total=Decimal(total)), "publish")
    assert message == criteria_complete.message
    assert "§58 VgV" in message


def test_criteria_weights_compare_as_decimals_not_as_text():
    for total in (Decimal(100), Decimal("100.00"), Decimal("1E+2")):
        assert TENDER.fire(fake(TenderStatus.ready, criteria_weight_total=total), "publish", NOW) is (
            TenderStatus.published
        )


def test_publishing_needs_documents():
    message = refused(fake(TenderStatus.ready, document_count=0), "publish")
    assert message == has_documents.message == "Ohne Vergabeunterlagen kann nicht veröffentlicht werden."


def test_publishing_names_the_first_failing_guard():
    tender = fake(TenderStatus.ready, criteria_weight_total=Decimal(0), document_count=0)
    assert refused(tender, "publish") == criteria_complete.message


def test_eu_deadline_at_the_earliest_moment_can_be_published():
    tender = fake(TenderStatus.ready, bid_deadline=EARLIEST_EU)
    assert tender.earliest_bid_deadline(NOW) == EARLIEST_EU
    assert TENDER.fire(tender, "publish", NOW) is TenderStatus.published


def test_eu_deadline_one_second_too_short_is_refused():
    message = refused(fake(TenderStatus.ready, bid_deadline=EARLIEST_EU - SECOND), "publish")
    assert message == deadline_allowed.message
    assert "kürzer als gesetzlich erlaubt" in message


def test_a_deadline_fine_yesterday_is_too_short_when_published_a_day_later():
    tender = fake(TenderStatus.ready, bid_deadline=EARLIEST_EU)
    assert refused(tender, "publish", NOW + timedelta(days=1)) == deadline_allowed.message


def test_national_deadline_has_no_minimum_but_must_lie_in_the_future():
    national = fake(TenderStatus.ready, procedure=Procedure.national_open, bid_deadline=NOW)
    assert TENDER.fire(national, "publish", NOW) is TenderStatus.published
    past = fake(TenderStatus.ready, procedure=Procedure.national_open, bid_deadline=NOW - SECOND)
    assert refused(past, "publish") == deadline_allowed.message


def test_no_deadline_rule_for_the_day_refuses_publication():
    tender = fake(TenderStatus.ready)
    tender.earliest_bid_deadline = lambda now: None  # type: ignore[method-assign]
    assert refused(tender, "publish") == deadline_allowed.message


def test_submission_closes_exactly_at_the_deadline():
    deadline = datetime(2026, 12, 26, 11, 0, tzinfo=UTC)
    assert TENDER.fire(fake(TenderStatus.published, bid_deadline=deadline), "close_submission", deadline) is (
        TenderStatus.opening
    )


def test_submission_stays_open_one_second_before_the_deadline():
    deadline = datetime(2026, 12, 26, 11, 0, tzinfo=UTC)
    tender = fake(TenderStatus.published, bid_deadline=deadline)
    message = refused(tender, "close_submission", deadline - SECOND)
    assert message == deadline_passed.message == "Die Angebotsfrist läuft noch."
    assert TENDER.allowed_triggers(tender, deadline - SECOND) == ["cancel"]


def test_submission_deadline_compares_instants_not_wall_clocks():
    deadline = datetime(2026, 12, 26, 12, 0, tzinfo=BERLIN)  # 11:00 UTC
    tender = fake(TenderStatus.published, bid_deadline=deadline)
    assert "close_submission" not in TENDER.allowed_triggers(
        tender, datetime(2026, 12, 26, 10, 59, 59, tzinfo=UTC)
    )
    assert "close_submission" in TENDER.allowed_triggers(tender, datetime(2026, 12, 26, 11, 0, tzinfo=UTC))


def test_a_published_tender_without_deadline_never_closes_by_itself():
    tender = fake(TenderStatus.published, bid_deadline=None)
    assert refused(tender, "close_submission", NOW + timedelta(days=3650)) == deadline_passed.message


def test_the_bids_are_opened_only_by_two_distinct_officers():
    """§55(2) VgV: the opening is done jointly by at least two representatives."""
    assert refused(fake(TenderStatus.opening, "open_bids", opening_officer_ids=[]), "open_bids", NOW) == (
        two_officers_confirmed.message
    )
    assert refused(fake(TenderStatus.opening, "open_bids", opening_officer_ids=[7, 7]), "open_bids", NOW) == (
        two_officers_confirmed.message
    )
    tender = fake(TenderStatus.opening, "open_bids", opening_officer_ids=[7, 8])
    assert TENDER.fire(tender, "open_bids", NOW) is TenderStatus.evaluation


# --- the tender follows its lots' awards ----------------------------------------------------

P, N, C, F, X = (
    AwardStatus.proposed,
    AwardStatus.notified,
    AwardStatus.challenged,
    AwardStatus.final,
    AwardStatus.cancelled,
)


@pytest.mark.parametrize(
    ("states", "allowed"),
    [
        ([P], True),
        ([P, X], True),
        ([N, F, C], True),  # every lot has an award, whatever its state
        ([P, None], False),  # a lot without a proposal
        ([X, X], False),  # every lot cancelled: that is the Aufhebung of the tender, not an award
        ([], False),
    ],
)
def test_the_award_is_proposed_when_every_lot_has_a_proposal_or_is_cancelled(states, allowed):
    tender = fake(TenderStatus.evaluation, lot_award_states=states)
    if allowed:
        assert TENDER.fire(tender, "propose_award", NOW) is TenderStatus.award_proposed
    else:
        assert refused(tender, "propose_award") == awards_proposed.message


@pytest.mark.parametrize(
    ("states", "allowed"),
    [
        ([N], True),
        ([N, X, F], True),
        ([N, P], False),  # the letters of one lot are not out yet
        ([N, C], False),  # a challenged lot holds the tender back
        ([X], False),
    ],
)
def test_the_standstill_starts_when_the_letters_of_every_lot_are_out(states, allowed):
    tender = fake(TenderStatus.award_proposed, lot_award_states=states)
    if allowed:
        assert TENDER.fire(tender, "start_standstill", NOW) is TenderStatus.standstill
    else:
        assert refused(tender, "start_standstill") == awards_notified.message


@pytest.mark.parametrize(
    ("states", "allowed"),
    [([F], True), ([F, X], True), ([F, N], False), ([F, C], False), ([X, X], False), ([None], False)],
)
def test_the_tender_is_awarded_when_every_lot_is_final_or_cancelled(states, allowed):
    tender = fake(TenderStatus.standstill, lot_award_states=states)
    if allowed:
        assert TENDER.fire(tender, "award", NOW) is TenderStatus.awarded
    else:
        assert refused(tender, "award") == awards_final.message
