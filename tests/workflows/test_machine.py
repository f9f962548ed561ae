"""The workflow helper, shown on a small machine and on the account lifecycle."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from workflows import Guard, GuardFailed, InvalidTransition, Transition, Workflow
from workflows.account import ACCOUNT, UserStatus

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class Door(enum.Enum):
    closed = "closed"
    open = "open"
    locked = "locked"


@dataclass
class Thing:
    status: Door
    opens_at: datetime | None = None


not_before_opening = Guard(lambda thing, now: thing.opens_at is None or now >= thing.opens_at, "too early")

DOOR = Workflow(
    "door",
    Door,
    initial=Door.closed,
    transitions=[
        Transition("open", [Door.closed], Door.open, [not_before_opening]),
        Transition("close", [Door.open], Door.closed),
        Transition("lock", [Door.closed], Door.locked),
    ],
)


def test_fire_moves_the_status_and_returns_it():
    thing = Thing(Door.closed)
    assert DOOR.fire(thing, "open", NOW) is Door.open
    assert thing.status is Door.open


def test_trigger_not_allowed_in_state_raises_invalid_transition_and_changes_nothing():
    thing = Thing(Door.locked)
    with pytest.raises(InvalidTransition) as err:
        DOOR.fire(thing, "open", NOW)
    assert thing.status is Door.locked
    assert err.value.params == {"trigger": "open", "state": "locked"}


def test_unknown_trigger_raises_invalid_transition():
    with pytest.raises(InvalidTransition):
        DOOR.fire(Thing(Door.closed), "explode", NOW)


def test_guard_uses_the_explicit_now_not_the_wall_clock():
    opens_at = NOW + timedelta(hours=1)
    thing = Thing(Door.closed, opens_at=opens_at)
    with pytest.raises(GuardFailed) as err:
        DOOR.fire(thing, "open", NOW)
    assert err.value.message == "too early"
    assert thing.status is Door.closed
    assert DOOR.fire(thing, "open", opens_at) is Door.open


def test_allowed_triggers_respect_state_and_guards():
    thing = Thing(Door.closed, opens_at=NOW + timedelta(minutes=1))
    assert DOOR.allowed_triggers(thing, NOW) == ["lock"]
    assert DOOR.allowed_triggers(thing, NOW + timedelta(minutes=1)) == ["open", "lock"]


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        DOOR.fire(Thing(Door.closed), "open", datetime(2026, 1, 1))  # noqa: DTZ001


def test_states_of_another_enum_are_refused_at_declaration():
    with pytest.raises(ValueError, match="is not a Door"):
        Workflow("bad", Door, Door.closed, [Transition("x", [Door.closed], UserStatus.active)])


def test_the_machine_binds_nothing_onto_the_object():
    thing = Thing(Door.closed)
    DOOR.fire(thing, "open", NOW)
    assert set(vars(thing)) == {"status", "opens_at"}


# --- the account lifecycle: invited -> active -> disabled ------------------------------------


@dataclass
class Account:
    status: UserStatus
    invitation_expires_at: datetime | None = None
    password_hash: str | None = None


IN_A_WEEK = NOW + timedelta(days=7)

# (state, trigger) -> resulting state, or None where the move is forbidden
ACCOUNT_MOVES = {
    (UserStatus.invited, "activate"): UserStatus.active,
    (UserStatus.invited, "reinvite"): UserStatus.invited,
    (UserStatus.invited, "disable"): UserStatus.disabled,
    (UserStatus.invited, "enable"): None,
    (UserStatus.active, "activate"): None,
    (UserStatus.active, "reinvite"): None,
    (UserStatus.active, "disable"): UserStatus.disabled,
    (UserStatus.active, "enable"): None,
    (UserStatus.disabled, "activate"): None,
    (UserStatus.disabled, "reinvite"): None,
    (UserStatus.disabled, "disable"): None,
    (UserStatus.disabled, "enable"): UserStatus.active,
}


def test_account_table_covers_every_state_and_trigger():
    assert set(ACCOUNT_MOVES) == {(s, t) for s in UserStatus for t in ACCOUNT.triggers}


@pytest.mark.parametrize(("state", "trigger"), list(ACCOUNT_MOVES))
def test_account_moves(state, trigger):
    account = Account(state, invitation_expires_at=IN_A_WEEK, password_hash="hash")
    expected = ACCOUNT_MOVES[(state, trigger)]
    if expected is None:
        with pytest.raises(InvalidTransition):
            ACCOUNT.fire(account, trigger, NOW)
        assert account.status is state
    else:
        assert ACCOUNT.fire(account, trigger, NOW) is expected


def test_expired_invitation_cannot_be_activated():
    account = Account(UserStatus.invited, invitation_expires_at=NOW)
    with pytest.raises(GuardFailed) as err:
        ACCOUNT.fire(account, "activate", NOW)
    assert "abgelaufen" in err.value.message
    assert account.status is UserStatus.invited


def test_never_activated_account_cannot_be_enabled_without_password():
    account = Account(UserStatus.disabled, password_hash=None)
    with pytest.raises(GuardFailed):
        ACCOUNT.fire(account, "enable", NOW)
