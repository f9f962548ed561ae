"""The bid deadline passes: refresh on access, close_due_tenders and `flask tick`.

Shortcut (documented): the tenders are built as drafts through the services (fixture
``make_tender``) and then put into ``published`` by setting status, published_at, procedure and
bid_deadline directly; publishing through the services needs criteria, documents and a notice,
which are tested where they are built.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select, update

from procurement.audit.models import AuditEntry
from procurement.audit.services import verify_chain
from procurement.extensions import db
from procurement.reference.deadlines import Procedure
from procurement.tenders import deadlines
from procurement.tenders.models import Tender
from workflows.tender import TenderStatus

from .conftest import NOW

DEADLINE = NOW + timedelta(days=30)  # 2026-12-25 09:00 UTC
SECOND = timedelta(seconds=1)


def published(tender: Tender, deadline: datetime = DEADLINE) -> Tender:
    """Put a draft tender into ``published`` directly (see the module docstring)."""
    tender.status = TenderStatus.published
    tender.procedure = Procedure.eu_open
    tender.published_at = NOW
    tender.bid_deadline = deadline
    db.session.commit()
    return tender


@pytest.fixture
def published_tender(app_ctx: Flask, make_tender: Callable[..., Tender]) -> Callable[..., Tender]:
    def make(deadline: datetime = DEADLINE, **changes: object) -> Tender:
        return published(make_tender(**changes), deadline)

    return make


def reread(tender_id: int) -> Tender:
    db.session.expire_all()
    tender = db.session.get(Tender, tender_id)
    assert tender is not None
    return tender


def close_entries(tender_id: int) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "tender.close_submission", AuditEntry.object_id == str(tender_id))
            .order_by(AuditEntry.seq)
        )
    )


# --- refresh (on access) ------------------------------------------------------------------


def test_refresh_one_second_before_the_deadline_moves_nothing(published_tender):
    tender = published_tender()
    assert deadlines.refresh(tender, DEADLINE - SECOND) is False
    db.session.commit()
    assert reread(tender.id).status is TenderStatus.published
    assert close_entries(tender.id) == []


def test_refresh_at_the_deadline_moves_the_tender_to_opening(published_tender):
    tender = published_tender()
    assert deadlines.refresh(tender, DEADLINE) is True
    db.session.commit()
    assert reread(tender.id).status is TenderStatus.opening


def test_refresh_after_the_deadline_moves_the_tender_to_opening(published_tender):
    tender = published_tender()
    assert deadlines.refresh(tender, DEADLINE + timedelta(days=3)) is True
    db.session.commit()
    assert reread(tender.id).status is TenderStatus.opening


def test_the_system_closes_the_submission_in_the_audit_log(published_tender):
    tender = published_tender()
    deadlines.refresh(tender, DEADLINE)
    db.session.commit()
    (entry,) = close_entries(tender.id)
    assert entry.actor_id is None and entry.actor_email is None
    assert entry.object_type == "tender"
    assert entry.occurred_at == DEADLINE
    assert entry.organisation_id == tender.lead_organisation_id
    assert json.loads(entry.before) == {"status": "published"}
    assert json.loads(entry.after) == {"status": "opening", "bid_deadline": DEADLINE.isoformat()}
    assert verify_chain().ok


def test_refresh_twice_moves_once(published_tender):
    tender = published_tender()
    assert deadlines.refresh(tender, DEADLINE) is True
    assert deadlines.refresh(tender, DEADLINE + SECOND) is False
    db.session.commit()
    assert len(close_entries(tender.id)) == 1


def test_refresh_keeps_changes_made_before_it(published_tender):
    tender = published_tender()
    tender.reference = "VG-2026-99"
    assert deadlines.refresh(tender, DEADLINE) is True
    db.session.commit()
    moved = reread(tender.id)
    assert (moved.status, moved.reference) == (TenderStatus.opening, "VG-2026-99")


@pytest.mark.parametrize(
    "status",
    [TenderStatus.draft, TenderStatus.collecting, TenderStatus.ready, TenderStatus.cancelled],
)
def test_refresh_leaves_tenders_that_are_not_published_alone(published_tender, status):
    tender = published_tender()
    tender.status = status
    db.session.commit()
    assert deadlines.refresh(tender, DEADLINE + timedelta(days=1)) is False
    db.session.commit()
    assert reread(tender.id).status is status
    assert close_entries(tender.id) == []


def test_refresh_of_a_published_tender_without_deadline_moves_nothing(published_tender):
    tender = published_tender()
    tender.bid_deadline = None
    db.session.commit()
    assert deadlines.refresh(tender, DEADLINE) is False


def test_refresh_finds_a_tender_closed_meanwhile_and_moves_nothing(app, published_tender):
    """Another process (a tick) closed the tender after this session loaded it."""
    tender = published_tender()
    assert tender.status is TenderStatus.published  # loaded in this session
    with db.engine.begin() as other:
        other.execute(
            update(Tender.__table__)
            .where(Tender.__table__.c.id == tender.id)
            .values(status="opening", version=Tender.__table__.c.version + 1)
        )
    assert deadlines.refresh(tender, DEADLINE) is False
    assert tender.status is TenderStatus.opening
    db.session.commit()
    assert close_entries(tender.id) == []


def test_losing_the_race_after_the_locked_read_rolls_back_only_the_move(app, published_tender):
    """The optimistic lock is the last line: a stale version raises inside the savepoint only."""
    tender = published_tender()
    other_tender = published_tender(title="Zweite Ausschreibung")
    assert tender.status is TenderStatus.published  # loaded in this session, version 1
    with db.engine.begin() as other:
        other.execute(
            update(Tender.__table__)
            .where(Tender.__table__.c.id == tender.id)
            .values(status="opening", version=Tender.__table__.c.version + 1)
        )
    other_tender.reference = "VG-2026-18"  # a change of the same transaction, not flushed yet
    assert deadlines._close(tender, DEADLINE) is False
    assert tender.status is TenderStatus.opening
    db.session.commit()
    assert reread(other_tender.id).reference == "VG-2026-18"
    assert close_entries(tender.id) == []


# --- close_due_tenders (the clock) ----------------------------------------------------------


def test_close_due_tenders_one_second_before_the_deadline_moves_nothing(published_tender):
    tender = published_tender()
    assert deadlines.close_due_tenders(DEADLINE - SECOND) == []
    db.session.commit()
    assert reread(tender.id).status is TenderStatus.published


def test_close_due_tenders_moves_exactly_the_due_published_tenders(published_tender):
    due = published_tender()
    due_earlier = published_tender(deadline=DEADLINE - timedelta(days=2))
    not_yet = published_tender(deadline=DEADLINE + SECOND)
    draft = published_tender(deadline=DEADLINE - timedelta(days=1))
    draft.status = TenderStatus.draft
    cancelled = published_tender(deadline=DEADLINE - timedelta(days=1))
    cancelled.status = TenderStatus.cancelled
    db.session.commit()

    assert deadlines.close_due_tenders(DEADLINE) == [due.id, due_earlier.id]
    db.session.commit()

    statuses = {t.id: reread(t.id).status for t in (due, due_earlier, not_yet, draft, cancelled)}
    assert statuses == {
        due.id: TenderStatus.opening,
        due_earlier.id: TenderStatus.opening,
        not_yet.id: TenderStatus.published,
        draft.id: TenderStatus.draft,
        cancelled.id: TenderStatus.cancelled,
    }
    assert [e.actor_id for e in close_entries(due.id) + close_entries(due_earlier.id)] == [None, None]


def test_close_due_tenders_is_idempotent(published_tender):
    tender = published_tender()
    assert deadlines.close_due_tenders(DEADLINE) == [tender.id]
    db.session.commit()
    assert deadlines.close_due_tenders(DEADLINE) == []
    assert deadlines.close_due_tenders(DEADLINE + timedelta(days=1)) == []
    db.session.commit()
    assert len(close_entries(tender.id)) == 1


# --- flask tick -----------------------------------------------------------------------------


def test_flask_tick_closes_due_tenders_and_commits(app, published_tender):
    tender = published_tender()
    tender_id = tender.id
    runner = app.test_cli_runner()
    with time_machine.travel(DEADLINE - SECOND, tick=False):
        result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "0 tender(s) moved to opening"

    with time_machine.travel(DEADLINE, tick=False):
        result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"1 tender(s) moved to opening: {tender_id}"

    with time_machine.travel(DEADLINE + timedelta(minutes=1), tick=False):
        again = runner.invoke(args=["tick"])
    assert again.output.strip() == "0 tender(s) moved to opening"

    db.session.remove()
    with app.app_context():
        assert db.session.get(Tender, tender_id).status is TenderStatus.opening
        assert len(close_entries(tender_id)) == 1


# --- concurrency on PostgreSQL (row locks) --------------------------------------------------

postgres_only = pytest.mark.skipif(
    "postgresql" not in os.environ.get("TEST_DATABASE_URL", ""), reason="row locks need PostgreSQL"
)


@postgres_only
def test_tick_skips_a_tender_a_request_is_changing_and_takes_it_next_time(app, published_tender):
    tender = published_tender()
    with db.engine.connect() as request:
        request.execute(
            update(Tender.__table__).where(Tender.__table__.c.id == tender.id).values(reference="VG-2026-20")
        )  # row locked until the request commits
        assert deadlines.close_due_tenders(DEADLINE) == []
        db.session.commit()
        request.commit()
    assert deadlines.close_due_tenders(DEADLINE) == [tender.id]
    db.session.commit()
    moved = reread(tender.id)
    assert (moved.status, moved.reference) == (TenderStatus.opening, "VG-2026-20")


@postgres_only
def test_refresh_waits_for_a_running_tick_and_then_moves_nothing(app, published_tender):
    tender = published_tender()
    assert tender.status is TenderStatus.published  # loaded in this session
    table = Tender.__table__
    tick = db.engine.connect()
    tick.execute(select(table.c.id).where(table.c.id == tender.id).with_for_update())
    tick.execute(
        update(table).where(table.c.id == tender.id).values(status="opening", version=table.c.version + 1)
    )
    committer = threading.Timer(0.3, tick.commit)
    committer.start()
    try:
        started = time.monotonic()
        assert deadlines.refresh(tender, DEADLINE) is False
        assert time.monotonic() - started >= 0.25  # it waited for the tick's row lock
    finally:
        committer.join()
        tick.close()
    assert tender.status is TenderStatus.opening
    db.session.commit()
    assert close_entries(tender.id) == []


def test_a_request_that_fails_after_the_refresh_rolls_the_move_back(published_tender):
    """The move belongs to the request's transaction on both databases (SQLite: no early commit)."""
    tender = published_tender()
    assert deadlines.refresh(tender, DEADLINE) is True
    db.session.rollback()
    assert reread(tender.id).status is TenderStatus.published
    assert close_entries(tender.id) == []
    assert deadlines.refresh(reread(tender.id), DEADLINE) is True  # the next access moves it
    db.session.commit()
    assert reread(tender.id).status is TenderStatus.opening


def test_a_tick_that_fails_before_its_commit_moves_nothing(published_tender):
    tender = published_tender()
    assert deadlines.close_due_tenders(DEADLINE) == [tender.id]
    db.session.rollback()
    assert reread(tender.id).status is TenderStatus.published
    assert close_entries(tender.id) == []
