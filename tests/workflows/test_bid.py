"""The bid workflow: every trigger in every state, each guard and its message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Optional

import pytest

from workflows import GuardFailed, InvalidTransition
from workflows.bid import (
    BID,
    BidStatus,
    after_deadline,
    before_deadline,
    has_content,
    no_open_request,
)

DEADLINE = datetime(2026, 12, 26, 11, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@dataclass
class FakeBid:
    """The attributes the guards read, as the Bid model offers them."""

    status: BidStatus
    bid_deadline: Optional[datetime] = DEADLINE
    has_prices: bool = True
    files: list[object] = field(default_factory=lambda: ["Angebot.pdf"])
    open_document_requests: int = 0

    @property
    def file_count(self) -> int:
        return len(self.files)


ALLOWED = {
    (BidStatus.draft, "submit"): BidStatus.submitted,
    (BidStatus.submitted, "withdraw"): BidStatus.withdrawn,
    (BidStatus.submitted, "supersede"): BidStatus.superseded,
    (BidStatus.draft, "discard"): BidStatus.withdrawn,
    (BidStatus.submitted, "open"): BidStatus.opened,
    (BidStatus.opened, "admit"): BidStatus.admitted,
    (BidStatus.opened, "exclude"): BidStatus.excluded,
    (BidStatus.admitted, "exclude"): BidStatus.excluded,
    (BidStatus.admitted, "reconsider"): BidStatus.opened,
    (BidStatus.excluded, "reconsider"): BidStatus.opened,
    (BidStatus.admitted, "win"): BidStatus.successful,
    (BidStatus.admitted, "lose"): BidStatus.unsuccessful,
}
TRIGGERS = [
    "submit",
    "withdraw",
    "supersede",
    "discard",
    "open",
    "admit",
    "exclude",
    "reconsider",
    "win",
    "lose",
]
GUARDS = {
    "submit": [before_deadline, has_content],
    "withdraw": [before_deadline],
    "supersede": [before_deadline],
    "open": [after_deadline],
    "admit": [no_open_request],
}
ALL_MOVES = [(state, trigger) for state in BidStatus for trigger in TRIGGERS]
BEFORE, AFTER = DEADLINE - SECOND, DEADLINE


def moment(trigger: str) -> datetime:
    """A time at which the deadline guards of ``trigger`` hold."""
    return AFTER if trigger == "open" else BEFORE


def test_the_table_names_every_trigger_of_the_machine():
    assert sorted(BID.triggers) == sorted(TRIGGERS)
    assert BID.initial is BidStatus.draft


def test_the_guards_of_each_trigger_are_the_listed_ones():
    for move in BID.transitions:
        assert list(move.guards) == GUARDS.get(move.trigger, []), move.trigger


@pytest.mark.parametrize(("state", "trigger"), [m for m in ALL_MOVES if m in ALLOWED])
def test_allowed_move(state, trigger):
    bid = FakeBid(state)
    assert BID.fire(bid, trigger, moment(trigger)) is ALLOWED[(state, trigger)]
    assert bid.status is ALLOWED[(state, trigger)]


@pytest.mark.parametrize(("state", "trigger"), [m for m in ALL_MOVES if m not in ALLOWED])
def test_forbidden_move_raises_and_keeps_the_state(state, trigger):
    bid = FakeBid(state)  # every guard satisfied: the state alone refuses
    with pytest.raises(InvalidTransition) as err:
        BID.fire(bid, trigger, moment(trigger))
    assert not isinstance(err.value, GuardFailed)
    assert bid.status is state
    assert err.value.params == {"trigger": trigger, "state": state.value}
    assert err.value.workflow == "bid"


@pytest.mark.parametrize(
    "state", [BidStatus.withdrawn, BidStatus.superseded, BidStatus.successful, BidStatus.unsuccessful]
)
def test_final_states_allow_nothing(state):
    assert BID.allowed_triggers(FakeBid(state), BEFORE) == []
    assert BID.allowed_triggers(FakeBid(state), AFTER) == []


def refused(bid: FakeBid, trigger: str, now: datetime) -> str:
    state = bid.status
    with pytest.raises(GuardFailed) as err:
        BID.fire(bid, trigger, now)
    assert bid.status is state
    assert trigger not in BID.allowed_triggers(bid, now)
    return err.value.message


@pytest.mark.parametrize("trigger", ["withdraw", "supersede"])
def test_submitted_bids_change_only_before_the_deadline(trigger):
    assert refused(FakeBid(BidStatus.submitted), trigger, AFTER) == before_deadline.message
    assert BID.fire(FakeBid(BidStatus.submitted), trigger, BEFORE) is not BidStatus.submitted


def test_submission_needs_the_deadline_ahead_and_a_price_and_a_file():
    assert refused(FakeBid(BidStatus.draft), "submit", AFTER) == before_deadline.message
    assert refused(FakeBid(BidStatus.draft, has_prices=False), "submit", BEFORE) == has_content.message
    assert refused(FakeBid(BidStatus.draft, files=[]), "submit", BEFORE) == has_content.message
    assert refused(FakeBid(BidStatus.draft, bid_deadline=None), "submit", BEFORE) == before_deadline.message


def test_opening_only_from_the_deadline_on():
    assert refused(FakeBid(BidStatus.submitted), "open", AFTER - SECOND) == after_deadline.message
    assert BID.fire(FakeBid(BidStatus.submitted), "open", AFTER) is BidStatus.opened


def test_admission_waits_for_open_document_requests():
    bid = FakeBid(BidStatus.opened, open_document_requests=1)
    message = refused(bid, "admit", AFTER)
    assert message == no_open_request.message and "§56 VgV" in message
    # exclusion needs no answer: a bid can be excluded while a request is open
    assert BID.fire(bid, "exclude", AFTER) is BidStatus.excluded


def test_the_review_decisions_ignore_the_deadline():
    for trigger, state in (
        ("admit", BidStatus.opened),
        ("exclude", BidStatus.opened),
        ("reconsider", BidStatus.excluded),
    ):
        assert BID.fire(FakeBid(state), trigger, DEADLINE + timedelta(days=40)) is ALLOWED[(state, trigger)]


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        BID.fire(FakeBid(BidStatus.opened), "admit", datetime(2026, 12, 26, 12, 0))  # noqa: DTZ001
