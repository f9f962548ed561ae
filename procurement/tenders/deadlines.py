"""The bid deadline passes: published tenders move to the opening (``close_submission``).

Two ways lead there, and both may meet on the same tender:

- on access: every page that shows a tender calls :func:`refresh` first, so nobody sees a
  published tender whose bid deadline is over (§57 VgV: bids received late are not admitted);
- the clock: ``flask tick`` (cron, every minute) runs :func:`close_due_tenders` so the opening
  happens even if nobody looks at the tender.

The move is the system's (audit entry ``tender.close_submission`` with no actor). A race between
the two is harmless: the tender has an optimistic lock (``version``); the loser of the race
re-reads the row, finds it in ``opening`` already, and does nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from procurement.database import lock_sqlite_for_writing
from procurement.extensions import db
from procurement.tenders import services
from procurement.tenders.models import Tender
from workflows.tender import TenderStatus

TRIGGER = "close_submission"


def is_due(tender: Tender, now: datetime) -> bool:
    """True if the tender is published and its bid deadline is reached (the deadline itself counts)."""
    return (
        tender.status is TenderStatus.published
        and tender.bid_deadline is not None
        and now >= tender.bid_deadline
    )


def refresh(tender: Tender, now: datetime) -> bool:
    """Close the submission of ``tender`` if its bid deadline has passed; True if it moved now.

    Safe to call on every access: it does nothing (and no query) for tenders that are not due.
    Changes of ``tender`` not flushed yet are flushed first. The move happens in a savepoint: if a
    concurrent tick or request moved the tender first (StaleDataError on the version), only the
    savepoint is rolled back, the tender is re-read and False is returned.
    """
    if not is_due(tender, now):
        return False
    db.session.flush()
    _begin_writing()
    # Re-read under a row lock: a concurrent tick that is about to commit makes us wait, then we
    # see its result.
    db.session.refresh(tender, with_for_update=True)
    return _close(tender, now)


def _begin_writing() -> None:
    """On SQLite, make sure the transaction is open and holds the write lock before reading.

    pysqlite opens a transaction only before the first INSERT/UPDATE/DELETE. Without one, the
    SAVEPOINT of :func:`_close` would open it itself and its RELEASE would commit at once, so a
    request failing afterwards could not roll the move back (it can on PostgreSQL).
    ``BEGIN IMMEDIATE`` takes SQLite's write lock: the re-read that follows is what we update,
    as with ``FOR UPDATE`` on PostgreSQL.
    """
    lock_sqlite_for_writing(db.session())


def _close(tender: Tender, now: datetime) -> bool:
    """Fire ``close_submission`` on a due tender read under a row lock; False if it lost a race."""
    if not is_due(tender, now):
        return False
    assert tender.bid_deadline is not None
    try:
        with db.session.begin_nested():
            services.fire(None, tender, TRIGGER, now, bid_deadline=tender.bid_deadline.isoformat())
    except StaleDataError:
        db.session.refresh(tender)
        return False
    return True


def close_due_tenders(now: datetime) -> list[int]:
    """Move every published tender whose bid deadline has passed to ``opening``; return their ids.

    One query on (status, bid_deadline) (index ``ix_tenders_status_bid_deadline``). On
    PostgreSQL the rows are locked and rows locked by a running request are skipped: that request
    closes the tender itself or the next tick does. Idempotent: a second run at the same ``now``
    moves nothing. The caller commits.
    """
    query = (
        select(Tender)
        .where(Tender.status == TenderStatus.published, Tender.bid_deadline <= now)
        .order_by(Tender.id)
        .execution_options(populate_existing=True)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    else:
        _begin_writing()
    moved = []
    for tender in db.session.scalars(query).all():
        if _close(tender, now):
            moved.append(tender.id)
    return moved
