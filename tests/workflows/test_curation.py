"""The curation workflow of marketplace entries: the full table of allowed and forbidden moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from workflows import InvalidTransition
from workflows.curation import CURATION, EntryStatus

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@dataclass
class FakeEntry:
    status: EntryStatus


# (state, trigger) -> state after the move; every pair not listed must be refused.
ALLOWED = {
    (EntryStatus.draft, "submit"): EntryStatus.submitted,
    (EntryStatus.draft, "archive"): EntryStatus.archived,
    (EntryStatus.submitted, "withdraw"): EntryStatus.draft,
    (EntryStatus.submitted, "publish"): EntryStatus.published,
    (EntryStatus.submitted, "reject"): EntryStatus.draft,
    (EntryStatus.published, "archive"): EntryStatus.archived,
    (EntryStatus.archived, "reopen"): EntryStatus.draft,
}
TRIGGERS = ["submit", "withdraw", "publish", "reject", "archive", "reopen"]
ALL_MOVES = [(state, trigger) for state in EntryStatus for trigger in TRIGGERS]


def test_the_table_names_every_trigger_and_state_of_the_machine():
    assert sorted(CURATION.triggers) == sorted(TRIGGERS)
    assert CURATION.initial is EntryStatus.draft
    assert {state for state, _trigger in ALLOWED} | set(ALLOWED.values()) == set(EntryStatus)


@pytest.mark.parametrize(("state", "trigger"), [m for m in ALL_MOVES if m in ALLOWED])
def test_allowed_move(state, trigger):
    entry = FakeEntry(state)
    assert CURATION.fire(entry, trigger, NOW) is ALLOWED[(state, trigger)]
    assert entry.status is ALLOWED[(state, trigger)]


@pytest.mark.parametrize(("state", "trigger"), [m for m in ALL_MOVES if m not in ALLOWED])
def test_forbidden_move_raises_and_keeps_the_state(state, trigger):
    entry = FakeEntry(state)
    with pytest.raises(InvalidTransition) as err:
        CURATION.fire(entry, trigger, NOW)
    assert entry.status is state
    assert err.value.params == {"trigger": trigger, "state": state.value}


def test_allowed_triggers_per_state_match_the_table():
    for state in EntryStatus:
        expected = [trigger for trigger in TRIGGERS if (state, trigger) in ALLOWED]
        assert sorted(CURATION.allowed_triggers(FakeEntry(state), NOW)) == sorted(expected), state


def test_only_a_submitted_entry_can_be_published():
    for state in EntryStatus:
        entry = FakeEntry(state)
        if state is EntryStatus.submitted:
            assert CURATION.fire(entry, "publish", NOW) is EntryStatus.published
        else:
            with pytest.raises(InvalidTransition):
                CURATION.fire(entry, "publish", NOW)


def test_a_published_entry_can_only_leave_the_marketplace_through_the_archive():
    assert CURATION.allowed_triggers(FakeEntry(EntryStatus.published), NOW) == ["archive"]


def test_a_sent_back_entry_is_a_draft_again_and_can_be_resubmitted():
    entry = FakeEntry(EntryStatus.draft)
    CURATION.fire(entry, "submit", NOW)
    CURATION.fire(entry, "reject", NOW)
    assert entry.status is EntryStatus.draft
    assert CURATION.fire(entry, "submit", NOW) is EntryStatus.submitted


def test_unknown_trigger_is_refused():
    with pytest.raises(InvalidTransition):
        CURATION.fire(FakeEntry(EntryStatus.draft), "delete", NOW)


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        CURATION.fire(FakeEntry(EntryStatus.draft), "submit", datetime(2026, 11, 25, 12, 0))  # noqa: DTZ001
