"""The standstill as the letters name it and as the Zuschlag obeys it: the same instant, across
weekends, month ends and the changes to and from daylight saving time; `flask tick` starts it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from procurement.awards import award as service
from procurement.awards.models import InformationLetter
from procurement.extensions import db
from procurement.mail.services import send_pending
from tests.procurement.awards.conftest import OTHER_VENDOR, VENDOR
from tests.procurement.awards.test_award_flow import (
    LotNo,
    act,
    award_row,
    deliver,
    evaluate,
    letters_to,
    propose_all,
)
from workflows.award import AwardStatus
from workflows.machine import GuardFailed

CASES = {
    # sent (UTC) -> first instant the contract may be concluded (UTC)
    # Wednesday 13 Jan 2027: the 10th day is Saturday 23 Jan -> runs to Monday 25 Jan
    "weekend": (datetime(2027, 1, 13, 9, 0, tzinfo=UTC), datetime(2027, 1, 25, 23, 0, tzinfo=UTC)),
    # 23:30 Berlin on Wednesday still counts as Wednesday
    "late_evening": (datetime(2027, 1, 13, 22, 30, tzinfo=UTC), datetime(2027, 1, 25, 23, 0, tzinfo=UTC)),
    # Thursday 21 Jan: the 10th day is Sunday 31 Jan -> Monday 1 February, across the month end
    "month_end": (datetime(2027, 1, 21, 9, 0, tzinfo=UTC), datetime(2027, 2, 1, 23, 0, tzinfo=UTC)),
    # Saturday 20 March, summer time from 28 March: the period ends at 00:00 CEST (22:00 UTC)
    "to_summer_time": (datetime(2027, 3, 20, 9, 0, tzinfo=UTC), datetime(2027, 3, 30, 22, 0, tzinfo=UTC)),
    # Friday 22 October, winter time from 31 October: 10th day Monday 1 Nov, 00:00 CET = 23:00 UTC
    "to_winter_time": (datetime(2027, 10, 22, 8, 0, tzinfo=UTC), datetime(2027, 11, 1, 23, 0, tzinfo=UTC)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_letter_date_and_the_zuschlag_guard_agree(app, opened, mailbox, case):
    sent, end = CASES[case]
    evaluate(app, opened)
    propose_all(app, opened)
    act(app, service.send_letters, opened.tender_id, LotNo(2), now=sent)
    deliver(app, sent)
    award = award_row(app, opened, 2)
    assert award.status is AwardStatus.notified
    assert award.standstill_ends_at == end
    with app.app_context():
        letter = db.session.scalars(select(InformationLetter)).one()
        assert letter.earliest_contract_at == end and letter.sent_at == sent
    berlin = end.astimezone(service.BERLIN)
    assert berlin.hour == 0 and berlin.minute == 0
    assert berlin.strftime("%d.%m.%Y, 00:00:00") in letters_to(mailbox, OTHER_VENDOR)[0].get_content()
    with pytest.raises(GuardFailed):
        act(app, service.finalise_lot, opened.tender_id, LotNo(2), now=end - timedelta(seconds=1))
    assert award_row(app, opened, 2).status is AwardStatus.notified
    act(app, service.finalise_lot, opened.tender_id, LotNo(2), now=end)
    assert award_row(app, opened, 2).status is AwardStatus.final


def test_flask_tick_starts_the_standstill_once_the_outbox_delivered(app, opened, mailbox, runner):
    sent = datetime(2027, 1, 13, 9, 0, tzinfo=UTC)
    evaluate(app, opened)
    propose_all(app, opened)
    act(app, service.send_letters, opened.tender_id, LotNo(2), now=sent)
    with time_machine.travel(sent, tick=False), app.test_request_context():
        send_pending()  # `flask mail send-pending`: delivered, not yet counted
        db.session.commit()
    assert award_row(app, opened, 2).status is AwardStatus.proposed
    with time_machine.travel(sent + timedelta(minutes=1), tick=False):
        result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "1 award(s) notified" in result.output
    award = award_row(app, opened, 2)
    assert award.status is AwardStatus.notified
    assert award.standstill_ends_at == datetime(2027, 1, 25, 23, 0, tzinfo=UTC)
    assert letters_to(mailbox, OTHER_VENDOR) and not letters_to(mailbox, VENDOR)
    # a second tick changes nothing
    with time_machine.travel(sent + timedelta(minutes=2), tick=False):
        result = runner.invoke(args=["tick"])
    assert "award(s) notified" not in result.output
