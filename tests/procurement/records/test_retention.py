"""Retention (§8(4) VgV): three years from the award; `flask records retention` and `purge`.

The closed fixture's Zuschlag is at STANDSTILL_END = 7 January 2027 23:00 UTC, which is
8 January 2027 00:00 in Berlin: the award date is 8 January 2027, the record is kept through
8 January 2030 and may be deleted from 9 January 2030 00:00 Berlin (8 January 23:00 UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from procurement.audit.models import AuditEntry
from procurement.audit.services import verify_chain
from procurement.awards.models import Award, Contract, InformationLetter
from procurement.bids.models import Bid, BidFile
from procurement.extensions import db
from procurement.records.retention import (
    RetentionRunning,
    _add_years,
    _storage_keys,
    is_past_retention,
    purge_tender,
    retention_end,
    retention_last_day,
)
from procurement.storage import storage
from procurement.tenders.models import Tender, TenderDocument
from tests.conftest import count
from tests.procurement.records.test_workspace_support import cancelled_tender

RETENTION_END = datetime(2030, 1, 8, 23, 0, tzinfo=UTC)
JUST_BEFORE = RETENTION_END - timedelta(microseconds=1)


def tender(tender_id: int) -> Tender:
    return db.session.get(Tender, tender_id)


def test_the_record_is_kept_three_calendar_years_through_the_award_day_in_berlin(app, closed):
    with app.app_context():
        closed_tender = tender(closed.tender_id)
        assert retention_last_day(closed_tender) == date(2030, 1, 8)
        assert retention_end(closed_tender) == RETENTION_END
        assert not is_past_retention(closed_tender, JUST_BEFORE)
        assert is_past_retention(closed_tender, RETENTION_END)


def test_an_award_on_29_february_is_kept_through_28_february():
    assert _add_years(date(2028, 2, 29), 3) == date(2031, 2, 28)
    assert _add_years(date(2028, 2, 29), 4) == date(2032, 2, 29)
    assert _add_years(date(2027, 12, 31), 3) == date(2030, 12, 31)


def test_a_cancelled_procedure_is_kept_three_years_from_its_cancellation(app, public_tender):
    tender_id = cancelled_tender(app, public_tender)  # 1 December 2026, 11:00 Berlin
    with app.app_context():
        assert retention_last_day(tender(tender_id)) == date(2029, 12, 1)
        assert retention_end(tender(tender_id)) == datetime(2029, 12, 1, 23, 0, tzinfo=UTC)


def test_a_procedure_without_award_has_no_retention_end_and_is_never_purged(app, opened):
    with app.app_context():
        running = tender(opened.tender_id)
        assert retention_end(running) is None
        with pytest.raises(RetentionRunning, match="kein Ende der Aufbewahrung"):
            purge_tender(None, running, datetime(2099, 1, 1, tzinfo=UTC))


def test_retention_lists_only_procedures_past_their_end(app, closed, runner):
    with time_machine.travel(JUST_BEFORE, tick=False):
        result = runner.invoke(args=["records", "retention"])
    assert result.exit_code == 0 and "no procedure is past its retention" in result.output
    with time_machine.travel(RETENTION_END, tick=False):
        result = runner.invoke(args=["records", "retention"])
    assert result.exit_code == 0
    assert f"{closed.tender_id}\tAdaptive Ampelsteuerung für drei Kommunen\t2030-01-08" in result.output


def _files(app, tender_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return _storage_keys(tender_id)


def test_purge_before_the_end_is_refused_and_keeps_everything(app, closed, runner):
    keys = _files(app, closed.tender_id)
    entries = count(app, AuditEntry)
    with time_machine.travel(JUST_BEFORE, tick=False):
        result = runner.invoke(args=["records", "purge", "--tender", str(closed.tender_id), "--yes"])
    assert result.exit_code == 1
    assert "läuft noch bis einschließlich 08.01.2030" in result.output
    assert count(app, Tender, Tender.id == closed.tender_id) == 1
    assert count(app, AuditEntry) == entries
    with app.app_context():
        assert all(storage().exists(key) for key in keys)


def test_purge_unknown_procedure_or_without_confirmation_deletes_nothing(app, closed, runner):
    with time_machine.travel(RETENTION_END, tick=False):
        unknown = runner.invoke(args=["records", "purge", "--tender", "999"])
        declined = runner.invoke(args=["records", "purge", "--tender", str(closed.tender_id)], input="n\n")
    assert unknown.exit_code == 1 and "no procedure with id 999" in unknown.output
    assert declined.exit_code == 1 and "nothing deleted" in declined.output
    assert count(app, Tender, Tender.id == closed.tender_id) == 1


def test_purge_after_the_end_deletes_files_and_rows_but_never_audit_entries(app, closed, runner):
    keys = _files(app, closed.tender_id)
    with app.app_context():
        kinds = {
            "documents": db.session.scalar(select(func.count()).select_from(TenderDocument)),
            "bid files": db.session.scalar(select(func.count()).select_from(BidFile)),
        }
        before = [(e.seq, e.hash) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    assert kinds["documents"] >= 1 and kinds["bid files"] >= 3
    assert len(keys) >= kinds["documents"] + kinds["bid files"] + 4 + 3  # + contracts, letters
    with app.app_context():
        assert all(storage().exists(key) for key in keys)

    with time_machine.travel(RETENTION_END, tick=False):
        result = runner.invoke(args=["records", "purge", "--tender", str(closed.tender_id), "--yes"])
    assert result.exit_code == 0, result.output
    assert f"{len(keys)} file(s)" in result.output

    with app.app_context():
        assert not any(storage().exists(key) for key in keys)
        for model in (Tender, Bid, BidFile, Award, Contract, InformationLetter, TenderDocument):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model
        after = [(e.seq, e.hash) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
        assert after[: len(before)] == before  # every entry of the procedure is still there
        last = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
        assert last.action == "record.purged" and last.object_id == str(closed.tender_id)
        assert f'"files":{len(keys)}' in last.after and '"retention_last_day":"2030-01-08"' in last.after
        assert verify_chain().ok
