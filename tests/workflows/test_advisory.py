"""The advisory request workflow: every trigger in every state, the assignee guard and its message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Optional

import pytest

from workflows import GuardFailed, InvalidTransition
from workflows.advisory import ADVISORY, AdvisoryStatus, has_assignee

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@dataclass
class FakeRequest:
    """The attributes the guards read, as AdvisoryRequest offers them; the guard satisfied."""

    status: AdvisoryStatus
    assignee_id: Optional[int] = 7


# (state, trigger) -> state after the move; every pair not listed must be refused.
ALLOWED = {
    (AdvisoryStatus.new, "assign"): AdvisoryStatus.assigned,
    (AdvisoryStatus.assigned, "assign"): AdvisoryStatus.assigned,  # handed to another curator
    (AdvisoryStatus.assigned, "answer"): AdvisoryStatus.answered,
    (AdvisoryStatus.answered, "reopen"): AdvisoryStatus.assigned,
    (AdvisoryStatus.closed, "reopen"): AdvisoryStatus.assigned,
    (AdvisoryStatus.new, "close"): AdvisoryStatus.closed,
    (AdvisoryStatus.assigned, "close"): AdvisoryStatus.closed,
    (AdvisoryStatus.answered, "close"): AdvisoryStatus.closed,
}
TRIGGERS = ["assign", "answer", "reopen", "close"]
ALL_MOVES = [(state, trigger) for state in AdvisoryStatus for trigger in TRIGGERS]
GUARDED = {"assign", "answer", "reopen"}


def test_the_table_names_every_trigger_of_the_machine():
    assert sorted(ADVISORY.triggers) == sorted(TRIGGERS)
    assert ADVISORY.initial is AdvisoryStatus.new


def test_the_guards_of_each_trigger_are_the_listed_ones():
    for move in ADVISORY.transitions:
        assert list(move.guards) == ([has_assignee] if move.trigger in GUARDED else []), move.trigger


@pytest.mark.parametrize(("state", "trigger"), [m for m in ALL_MOVES if m in ALLOWED])
def test_allowed_move(state, trigger):
    request = FakeRequest(state)
    assert ADVISORY.fire(request, trigger, NOW) is ALLOWED[(state, trigger)]
    assert request.status is ALLOWED[(state, trigger)]


@pytest.mark.parametrize(("state", "trigger"), [m for m in ALL_MOVES if m not in ALLOWED])
def test_forbidden_move_raises_and_keeps_the_state(state, trigger):
    request = FakeRequest(state)  # the guard satisfied: the state alone refuses
    with pytest.raises(InvalidTransition) as err:
        ADVISORY.fire(request, trigger, NOW)
    assert not isinstance(err.value, GuardFailed)
    assert request.status is state
    assert err.value.params == {"trigger": trigger, "state": state.value}
    assert err.value.workflow == "advisory"


def test_allowed_triggers_per_state_match_the_table():
    for state in AdvisoryStatus:
        expected = [trigger for trigger in TRIGGERS if (state, trigger) in ALLOWED]
        assert sorted(ADVISORY.allowed_triggers(FakeRequest(state), NOW)) == sorted(expected), state


@pytest.mark.parametrize(("state", "trigger"), [m for m in ALL_MOVES if m in ALLOWED and m[1] in GUARDED])
def test_assigning_answering_and_reopening_need_an_assignee(state, trigger):
    request = FakeRequest(state, assignee_id=None)
    with pytest.raises(GuardFailed) as err:
        ADVISORY.fire(request, trigger, NOW)
    assert request.status is state
    assert err.value.message == has_assignee.message
    assert "niemandem im Kompetenzzentrum zugewiesen" in err.value.message
    assert trigger not in ADVISORY.allowed_triggers(request, NOW)


@pytest.mark.parametrize("state", [AdvisoryStatus.new, AdvisoryStatus.assigned, AdvisoryStatus.answered])
def test_closing_needs_no_assignee(state):
    request = FakeRequest(state, assignee_id=None)
    assert ADVISORY.fire(request, "close", NOW) is AdvisoryStatus.closed


def test_a_closed_request_only_reopens():
    assert ADVISORY.allowed_triggers(FakeRequest(AdvisoryStatus.closed), NOW) == ["reopen"]
    assert ADVISORY.allowed_triggers(FakeRequest(AdvisoryStatus.closed, assignee_id=None), NOW) == []


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        ADVISORY.fire(FakeRequest(AdvisoryStatus.new), "assign", datetime(2026, 11, 25, 9, 0))  # noqa: DTZ001
