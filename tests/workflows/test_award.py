"""The award machine of a lot: every trigger in every state, the guards and their messages, the standstill."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Optional

import pytest

from procurement.reference.standstill import BERLIN, latest_standstill_end, standstill_ends_at
from workflows import GuardFailed, InvalidTransition
from workflows.award import (
    AWARD,
    CANCELLABLE,
    CHALLENGEABLE,
    AwardStatus,
    letters_complete,
    standstill_over,
)

NOW = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
# letters sent electronically on Mon 23 Nov 2026: the contract from Fri 4 Dec 00:00 CET
SENT = datetime(2026, 11, 23, 9, 15, tzinfo=UTC)
ENDS = datetime(2026, 12, 3, 23, 0, tzinfo=UTC)


@dataclass
class FakeAward:
    """The attributes the guards read, as the award service keeps them; all guards satisfied at NOW."""

    status: AwardStatus
    letters_sent: int = 3
    unsuccessful_bidders: int = 3
    standstill_ends_at: Optional[datetime] = ENDS


def fake(state: AwardStatus, **changes: object) -> FakeAward:
    return replace(FakeAward(state), **changes)


# (state, trigger) -> state after the move; every pair not listed must be refused.
ALLOWED = {
    (AwardStatus.proposed, "notify"): AwardStatus.notified,
    (AwardStatus.notified, "finalise"): AwardStatus.final,
    (AwardStatus.proposed, "challenge"): AwardStatus.challenged,
    (AwardStatus.notified, "challenge"): AwardStatus.challenged,
    (AwardStatus.challenged, "resolve_to_proposed"): AwardStatus.proposed,
    (AwardStatus.challenged, "resolve_to_notified"): AwardStatus.notified,
    (AwardStatus.proposed, "cancel"): AwardStatus.cancelled,
    (AwardStatus.notified, "cancel"): AwardStatus.cancelled,
    (AwardStatus.challenged, "cancel"): AwardStatus.cancelled,
}
TRIGGERS = ["notify", "finalise", "challenge", "resolve_to_proposed", "resolve_to_notified", "cancel"]
ALL_MOVES = [(state, trigger) for state in AwardStatus for trigger in TRIGGERS]
GUARDS = {
    "notify": [letters_complete],
    "finalise": [letters_complete, standstill_over],
    "resolve_to_notified": [letters_complete],
}


def test_the_table_names_every_trigger_and_state_of_the_machine():
    assert sorted(AWARD.triggers) == sorted(TRIGGERS)
    assert AWARD.initial is AwardStatus.proposed
    assert [state.value for state in AwardStatus] == [
        "proposed",
        "notified",
        "challenged",
        "final",
        "cancelled",
    ]


def test_the_guards_of_each_trigger_are_the_listed_ones():
    for move in AWARD.transitions:
        assert list(move.guards) == GUARDS.get(move.trigger, []), move.trigger


def test_state_sets():
    assert CANCELLABLE == (AwardStatus.proposed, AwardStatus.notified, AwardStatus.challenged)
    assert CHALLENGEABLE == (AwardStatus.proposed, AwardStatus.notified)


@pytest.mark.parametrize(("state", "trigger"), [m for m in ALL_MOVES if m in ALLOWED])
def test_allowed_move(state, trigger):
    award = fake(state)
    assert AWARD.fire(award, trigger, NOW) is ALLOWED[(state, trigger)]
    assert award.status is ALLOWED[(state, trigger)]


@pytest.mark.parametrize(("state", "trigger"), [m for m in ALL_MOVES if m not in ALLOWED])
def test_forbidden_move_raises_and_keeps_the_state(state, trigger):
    award = fake(state)  # all guards satisfied: the state alone refuses
    with pytest.raises(InvalidTransition) as err:
        AWARD.fire(award, trigger, NOW)
    assert not isinstance(err.value, GuardFailed)
    assert award.status is state
    assert err.value.params == {"trigger": trigger, "state": state.value}
    assert err.value.workflow == "award"


def test_allowed_triggers_per_state_match_the_table():
    for state in AwardStatus:
        expected = [trigger for trigger in TRIGGERS if (state, trigger) in ALLOWED]
        assert AWARD.allowed_triggers(fake(state), NOW) == expected, state


@pytest.mark.parametrize("state", [AwardStatus.final, AwardStatus.cancelled])
def test_final_and_cancelled_are_the_end(state):
    assert AWARD.allowed_triggers(fake(state), NOW) == []


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        AWARD.fire(fake(AwardStatus.notified), "finalise", datetime(2026, 12, 10, 9, 0))  # noqa: DTZ001


# --- guards and their messages -----------------------------------------------------------


def refused(award: FakeAward, trigger: str, now: datetime = NOW) -> str:
    """Fire ``trigger``, expect the guard to refuse it; return the message, check nothing moved."""
    state = award.status
    with pytest.raises(GuardFailed) as err:
        AWARD.fire(award, trigger, now)
    assert award.status is state
    assert trigger not in AWARD.allowed_triggers(award, now)
    assert err.value.params == {"trigger": trigger, "state": state.value}
    return err.value.message


def test_guard_messages_name_the_paragraph():
    assert letters_complete.message == (
        "Die Information nach §134 Abs. 1 GWB ist noch nicht an alle nicht berücksichtigten Bieter versandt."
    )
    assert standstill_over.message == (
        "Die Wartefrist nach §134 Abs. 2 GWB läuft noch: ein vorher geschlossener Vertrag wäre "
        "unwirksam (§135 GWB)."
    )
    # GuardFailed has no parameters of its own: no stray % placeholders in the messages
    assert "%" not in letters_complete.message and "%" not in standstill_over.message


@pytest.mark.parametrize(("sent", "due"), [(0, 1), (2, 3), (0, 30)])
def test_notify_needs_a_letter_to_every_unsuccessful_bidder(sent, due):
    message = refused(fake(AwardStatus.proposed, letters_sent=sent, unsuccessful_bidders=due), "notify")
    assert message == letters_complete.message


@pytest.mark.parametrize(("sent", "due"), [(0, 0), (3, 3), (4, 3)])
def test_notify_with_every_letter_out(sent, due):
    award = fake(AwardStatus.proposed, letters_sent=sent, unsuccessful_bidders=due)
    assert AWARD.fire(award, "notify", NOW) is AwardStatus.notified


def test_a_negative_count_of_bidders_is_never_complete():
    assert refused(fake(AwardStatus.proposed, letters_sent=0, unsuccessful_bidders=-1), "notify") == (
        letters_complete.message
    )


def test_finalise_exactly_at_the_end_of_the_standstill():
    award = fake(AwardStatus.notified)
    assert AWARD.fire(award, "finalise", ENDS) is AwardStatus.final


def test_finalise_one_second_before_the_end_is_refused():
    award = fake(AwardStatus.notified)
    assert refused(award, "finalise", ENDS - SECOND) == standstill_over.message
    assert AWARD.allowed_triggers(award, ENDS - SECOND) == ["challenge", "cancel"]


def test_finalise_without_a_standstill_end_is_refused_forever():
    award = fake(AwardStatus.notified, standstill_ends_at=None)
    assert refused(award, "finalise", NOW + timedelta(days=3650)) == standstill_over.message


def test_finalise_checks_the_letters_again():
    # a bidder the service added after the letters went out: the contract waits for its letter
    award = fake(AwardStatus.notified, letters_sent=3, unsuccessful_bidders=4)
    assert refused(award, "finalise") == letters_complete.message


def test_the_standstill_compares_instants_not_wall_clocks():
    award = fake(AwardStatus.notified)
    berlin_midnight = ENDS.astimezone(BERLIN)
    assert berlin_midnight.hour == 0
    assert AWARD.fire(award, "finalise", berlin_midnight) is AwardStatus.final


def test_resolve_to_notified_needs_the_letters():
    # a challenge from ``proposed`` cannot skip the §134 letters
    award = fake(AwardStatus.challenged, letters_sent=0)
    assert refused(award, "resolve_to_notified") == letters_complete.message
    assert AWARD.fire(award, "resolve_to_proposed", NOW) is AwardStatus.proposed


def test_after_a_rejected_review_the_standstill_still_counts():
    """challenged -> notified, not final: the award prohibition of §169 Abs. 1 GWB may outlast it."""
    award = fake(AwardStatus.notified)
    AWARD.fire(award, "challenge", ENDS - timedelta(days=2))
    assert AWARD.allowed_triggers(award, ENDS + timedelta(days=30)) == [
        "resolve_to_proposed",
        "resolve_to_notified",
        "cancel",
    ]
    # the Vergabekammer rejects; the service moves the earliest contract date to the end of the
    # two weeks for the sofortige Beschwerde (§172 Abs. 1 GWB)
    decided = ENDS + timedelta(days=20)
    AWARD.fire(award, "resolve_to_notified", decided)
    award.standstill_ends_at = decided + timedelta(days=14)
    assert refused(award, "finalise", decided + timedelta(days=14) - SECOND) == standstill_over.message
    assert AWARD.fire(award, "finalise", decided + timedelta(days=14)) is AwardStatus.final


def test_challenge_and_cancel_have_no_guard():
    empty = {"letters_sent": 0, "unsuccessful_bidders": 5, "standstill_ends_at": None}
    assert AWARD.fire(fake(AwardStatus.proposed, **empty), "challenge", NOW) is AwardStatus.challenged
    assert AWARD.fire(fake(AwardStatus.notified, **empty), "challenge", NOW) is AwardStatus.challenged
    for state in CANCELLABLE:
        assert AWARD.fire(fake(state, **empty), "cancel", NOW) is AwardStatus.cancelled
    assert AWARD.fire(fake(AwardStatus.challenged, **empty), "resolve_to_proposed", NOW) is (
        AwardStatus.proposed
    )


# --- no contract before the end of the standstill, through any route ---------------------


@pytest.mark.parametrize("start", list(AwardStatus))
def test_no_route_reaches_final_before_the_standstill_ends(start):
    """Every sequence of triggers, explored breadth-first, at any moment before the end."""
    for now in (SENT, ENDS - timedelta(days=1), ENDS - SECOND):
        seen = {start}
        queue = [start]
        while queue:
            state = queue.pop()
            for trigger in AWARD.allowed_triggers(fake(state), now):
                award = fake(state)
                nxt = AWARD.fire(award, trigger, now)
                assert nxt is not AwardStatus.final or start is AwardStatus.final, (start, trigger, now)
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        if start is not AwardStatus.final:
            assert AwardStatus.final not in seen


def test_once_the_standstill_is_over_final_is_reachable_from_proposed():
    award = fake(AwardStatus.proposed)
    for trigger in ("notify", "challenge", "resolve_to_notified", "finalise"):
        AWARD.fire(award, trigger, ENDS)
    assert award.status is AwardStatus.final


# --- with the computed standstill --------------------------------------------------------


def test_the_computed_standstill_blocks_to_the_second():
    end = standstill_ends_at(SENT, electronic=True)
    assert end == ENDS
    award = fake(AwardStatus.notified, standstill_ends_at=end)
    assert refused(award, "finalise", end - SECOND) == standstill_over.message
    assert AWARD.fire(award, "finalise", end) is AwardStatus.final


def test_a_paper_letter_holds_the_contract_back_for_everyone():
    letters = [(SENT, True), (SENT, True), (SENT, False)]
    end = latest_standstill_end(letters)
    assert end == datetime(2026, 12, 8, 23, 0, tzinfo=UTC)  # 15 days: Tue 8 Dec is the last day
    award = fake(AwardStatus.notified, standstill_ends_at=end)
    assert refused(award, "finalise", ENDS + timedelta(days=2)) == standstill_over.message
    assert AWARD.fire(award, "finalise", end) is AwardStatus.final


def test_a_weekend_at_the_end_holds_the_contract_until_after_monday():
    # sent Wed 25 Nov: the 10th day is Sat 5 Dec, the period runs to the end of Mon 7 Dec
    end = standstill_ends_at(datetime(2026, 11, 25, 10, 0, tzinfo=UTC), electronic=True)
    award = fake(AwardStatus.notified, standstill_ends_at=end)
    assert (
        refused(award, "finalise", datetime(2026, 12, 7, 22, 59, 59, tzinfo=UTC)) == standstill_over.message
    )
    assert AWARD.fire(award, "finalise", datetime(2026, 12, 7, 23, 0, tzinfo=UTC)) is AwardStatus.final
