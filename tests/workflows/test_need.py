"""The need workflow: the full table of allowed and forbidden moves, and the delivery guard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from workflows import GuardFailed, InvalidTransition
from workflows.need import NEED, NeedStatus

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


@dataclass
class FakeNeed:
    status: NeedStatus
    delivery_until: date | None = date(2027, 6, 30)


# (state, trigger) -> state after the move; every pair not listed must be refused.
ALLOWED = {
    (NeedStatus.draft, "open"): NeedStatus.open,
    (NeedStatus.draft, "withdraw"): NeedStatus.withdrawn,
    (NeedStatus.open, "reopen"): NeedStatus.draft,
    (NeedStatus.open, "bundle"): NeedStatus.bundled,
    (NeedStatus.open, "withdraw"): NeedStatus.withdrawn,
    (NeedStatus.bundled, "unbundle"): NeedStatus.open,
    (NeedStatus.bundled, "fulfil"): NeedStatus.fulfilled,
}
TRIGGERS = ["open", "reopen", "bundle", "unbundle", "fulfil", "withdraw"]
ALL_MOVES = [(state, trigger) for state in NeedStatus for trigger in TRIGGERS]


def test_the_table_names_every_trigger_of_the_machine():
    assert sorted(NEED.triggers) == sorted(TRIGGERS)
    assert NEED.initial is NeedStatus.draft


@pytest.mark.parametrize(("state", "trigger"), [m for m in ALL_MOVES if m in ALLOWED])
def test_allowed_move(state, trigger):
    need = FakeNeed(state)
    assert NEED.fire(need, trigger, NOW) is ALLOWED[(state, trigger)]
    assert need.status is ALLOWED[(state, trigger)]


@pytest.mark.parametrize(("state", "trigger"), [m for m in ALL_MOVES if m not in ALLOWED])
def test_forbidden_move_raises_and_keeps_the_state(state, trigger):
    need = FakeNeed(state)
    with pytest.raises(InvalidTransition) as err:
        NEED.fire(need, trigger, NOW)
    assert need.status is state
    assert err.value.params == {"trigger": trigger, "state": state.value}


@pytest.mark.parametrize("state", [NeedStatus.fulfilled, NeedStatus.withdrawn])
def test_fulfilled_and_withdrawn_are_final(state):
    assert NEED.allowed_triggers(FakeNeed(state), NOW) == []


def test_allowed_triggers_per_state_match_the_table():
    for state in NeedStatus:
        expected = [trigger for trigger in TRIGGERS if (state, trigger) in ALLOWED]
        assert sorted(NEED.allowed_triggers(FakeNeed(state), NOW)) == sorted(expected), state


def test_a_need_whose_delivery_period_is_over_cannot_be_opened():
    need = FakeNeed(NeedStatus.draft, delivery_until=TODAY - timedelta(days=1))
    with pytest.raises(GuardFailed) as err:
        NEED.fire(need, "open", NOW)
    assert need.status is NeedStatus.draft
    assert "Lieferzeitraum ist bereits vorbei" in err.value.message
    assert "open" not in NEED.allowed_triggers(need, NOW)
    assert "withdraw" in NEED.allowed_triggers(need, NOW)


def test_a_need_delivered_until_today_can_still_be_opened():
    need = FakeNeed(NeedStatus.draft, delivery_until=TODAY)
    assert NEED.fire(need, "open", NOW) is NeedStatus.open


def test_the_delivery_guard_uses_the_given_now_not_the_wall_clock():
    need = FakeNeed(NeedStatus.draft, delivery_until=date(2026, 1, 31))
    assert "open" in NEED.allowed_triggers(need, datetime(2026, 1, 31, 22, 59, tzinfo=UTC))
    # 23:00 UTC is midnight in Germany (CET): the period of the municipality is over
    assert "open" not in NEED.allowed_triggers(need, datetime(2026, 1, 31, 23, 0, tzinfo=UTC))


def test_a_need_without_delivery_end_can_be_opened():
    need = FakeNeed(NeedStatus.draft, delivery_until=None)
    assert NEED.fire(need, "open", NOW) is NeedStatus.open


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        NEED.fire(FakeNeed(NeedStatus.draft), "open", datetime(2026, 11, 25, 12, 0))  # noqa: DTZ001
