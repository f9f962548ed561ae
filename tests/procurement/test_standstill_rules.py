"""The §134 GWB standstill as dated data and its end to the second (procurement/reference/standstill.py).

Every expected instant is written out in UTC: 23:00 UTC is midnight Berlin in winter (CET),
22:00 UTC in summer (CEST). The returned instant is the first moment a contract may be concluded.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from procurement.reference import standstill
from procurement.reference.standstill import (
    BERLIN,
    STANDSTILL_RULES,
    NoStandstillRule,
    easter_sunday,
    find_standstill_rule,
    is_working_day,
    last_day_of_standstill,
    latest_standstill_end,
    national_holidays,
    standstill_ends_at,
    standstill_rule,
)

SECOND = timedelta(seconds=1)
GWB_2009 = date(2009, 4, 24)  # §101a GWB in force
GWB_2016 = date(2016, 4, 18)  # §134 GWB in force (VergRModG)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def without_extension(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plain calendar count: the rules with ``extends_to_working_day`` switched off."""
    rules = tuple(replace(rule, extends_to_working_day=False) for rule in STANDSTILL_RULES)
    monkeypatch.setattr(standstill, "STANDSTILL_RULES", rules)


# --- the rules --------------------------------------------------------------------------------


def test_ten_days_electronic_fifteen_days_otherwise_today():
    electronic = standstill_rule(True, date(2026, 11, 25))
    paper = standstill_rule(False, date(2026, 11, 25))
    assert (electronic.days, paper.days) == (10, 15)
    assert electronic.source.startswith("§134 Abs. 2") and "GWB" in electronic.source
    assert paper.source.startswith("§134 Abs. 2") and "GWB" in paper.source
    assert electronic.extends_to_working_day is True and paper.extends_to_working_day is True


@pytest.mark.parametrize("electronic", [True, False])
def test_rule_lookup_by_date_of_sending(electronic):
    assert "§101a" in standstill_rule(electronic, GWB_2016 - timedelta(days=1)).source
    assert "§134" in standstill_rule(electronic, GWB_2016).source
    assert "§101a" in standstill_rule(electronic, GWB_2009).source
    before = GWB_2009 - timedelta(days=1)
    assert find_standstill_rule(electronic, before) is None
    kind = "electronic" if electronic else "paper"
    with pytest.raises(
        NoStandstillRule, match=f"no standstill rule for {kind} information sent on 2009-04-23"
    ):
        standstill_rule(electronic, before)
    for day in (date(2026, 1, 1), date(2040, 6, 30), date(9999, 12, 31)):
        assert standstill_rule(electronic, day).electronic is electronic


def test_no_standstill_rule_is_a_lookup_error_and_reaches_the_caller():
    assert issubclass(NoStandstillRule, LookupError)
    with pytest.raises(NoStandstillRule):
        standstill_ends_at(utc(2009, 4, 23, 12, 0), True)


def test_the_rule_is_chosen_by_the_berlin_day_of_sending():
    # 2009-04-23 22:30 UTC is already 2009-04-24 00:30 in Berlin (CEST): §101a GWB applies
    assert standstill_ends_at(utc(2009, 4, 23, 22, 30), True) == utc(2009, 5, 4, 22, 0)
    with pytest.raises(NoStandstillRule):
        standstill_ends_at(utc(2009, 4, 23, 21, 59, 59), True)


def test_rules_are_consistent_data():
    for rule in STANDSTILL_RULES:
        assert rule.valid_from <= rule.valid_until
        assert rule.days == (10 if rule.electronic else 15)
        assert rule.source.startswith("§")
    for first in STANDSTILL_RULES:
        for second in STANDSTILL_RULES:
            if first is not second and first.electronic is second.electronic:
                assert first.valid_until < second.valid_from or second.valid_until < first.valid_from


def test_a_change_of_law_is_a_new_dated_rule(monkeypatch):
    old = standstill_rule(True, date(2026, 1, 1))
    until = replace(old, valid_until=date(2029, 12, 31))
    new = replace(old, days=7, valid_from=date(2030, 1, 1), source="§134 neu")
    others = tuple(rule for rule in STANDSTILL_RULES if rule is not old)
    monkeypatch.setattr(standstill, "STANDSTILL_RULES", (*others, until, new))
    assert standstill_rule(True, date(2029, 12, 31)).days == 10
    assert standstill_rule(True, date(2030, 1, 1)).source == "§134 neu"
    # Mon 2030-01-07: last day Mon 14 January (7 days) instead of Thu 17 January (10 days)
    assert standstill_ends_at(utc(2030, 1, 7, 9, 0), True) == utc(2030, 1, 14, 23, 0)
    assert standstill_ends_at(utc(2030, 1, 7, 9, 0), False) == utc(2030, 1, 22, 23, 0)


def test_rules_are_immutable():
    with pytest.raises(AttributeError):
        standstill_rule(True, date(2026, 1, 1)).days = 1  # type: ignore[misc]


# --- holidays ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2000, date(2000, 4, 23)),
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_nationwide_holidays_2026():
    assert sorted(national_holidays(2026)) == [
        date(2026, 1, 1),
        date(2026, 4, 3),  # Karfreitag
        date(2026, 4, 6),  # Ostermontag
        date(2026, 5, 1),
        date(2026, 5, 14),  # Christi Himmelfahrt
        date(2026, 5, 25),  # Pfingstmontag
        date(2026, 10, 3),
        date(2026, 12, 25),
        date(2026, 12, 26),
    ]
    assert date(2017, 10, 31) in national_holidays(2017)
    assert date(2026, 10, 31) not in national_holidays(2026)  # Reformationstag: only some Länder


def test_working_days():
    assert is_working_day(date(2026, 11, 25))  # Wednesday
    assert not is_working_day(date(2026, 11, 28))  # Saturday
    assert not is_working_day(date(2026, 11, 29))  # Sunday
    assert not is_working_day(date(2026, 10, 3))  # Saturday and holiday
    assert not is_working_day(date(2026, 4, 3))  # Karfreitag
    assert is_working_day(date(2027, 1, 6))
    assert not is_working_day(date(2027, 1, 6), [date(2027, 1, 6)])  # Heilige Drei Könige in Bavaria


# --- the end of the standstill, to the second -------------------------------------------------


def test_ten_days_from_the_day_after_sending_then_the_next_day_from_midnight_berlin():
    # sent Mon 23 Nov: days 24 Nov .. Thu 3 Dec; the contract from Fri 4 Dec 00:00 CET
    sent = utc(2026, 11, 23, 9, 15)
    assert standstill_ends_at(sent, True) == utc(2026, 12, 3, 23, 0)
    # 15 days: the last day is Tue 8 Dec
    assert standstill_ends_at(sent, False) == utc(2026, 12, 8, 23, 0)


def test_the_result_is_an_aware_utc_instant():
    end = standstill_ends_at(utc(2026, 11, 23, 9, 15), True)
    assert end.tzinfo is UTC
    assert end.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 12, 4, 0, 0)  # noqa: DTZ001


def test_the_time_of_day_of_sending_does_not_matter_only_the_berlin_day():
    first = utc(2026, 11, 22, 23, 0)  # Mon 23 Nov 00:00 Berlin
    last = utc(2026, 11, 23, 22, 59, 59)  # Mon 23 Nov 23:59:59 Berlin
    assert standstill_ends_at(first, True) == standstill_ends_at(last, True) == utc(2026, 12, 3, 23, 0)
    # one second later it is Tuesday in Berlin: one day more
    assert standstill_ends_at(last + SECOND, True) == utc(2026, 12, 4, 23, 0)
    # and one second before Monday it is still Sunday (not a working day, but sending may be on any day)
    assert standstill_ends_at(first - SECOND, True) == utc(2026, 12, 2, 23, 0)


def test_the_same_instant_in_any_time_zone_gives_the_same_end():
    sent = utc(2026, 11, 23, 9, 15)
    assert standstill_ends_at(sent.astimezone(BERLIN), True) == standstill_ends_at(sent, True)


def test_a_naive_sending_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        standstill_ends_at(datetime(2026, 11, 23, 9, 15), True)  # noqa: DTZ001


def test_a_last_day_on_a_saturday_runs_to_the_end_of_monday():
    # sent Wed 25 Nov: the 10th day is Sat 5 Dec -> Mon 7 Dec; the contract from Tue 8 Dec 00:00 CET
    sent = utc(2026, 11, 25, 10, 0)
    assert last_day_of_standstill(standstill_rule(True, date(2026, 11, 25)), date(2026, 11, 25)) == date(
        2026, 12, 7
    )
    assert standstill_ends_at(sent, True) == utc(2026, 12, 7, 23, 0)


def test_a_last_day_on_a_sunday_runs_to_the_end_of_monday():
    # sent Thu 26 Nov: the 10th day is Sun 6 Dec -> Mon 7 Dec
    assert standstill_ends_at(utc(2026, 11, 26, 10, 0), True) == utc(2026, 12, 7, 23, 0)


def test_without_the_extension_weekends_are_plain_calendar_days(monkeypatch):
    without_extension(monkeypatch)
    assert standstill_ends_at(utc(2026, 11, 25, 10, 0), True) == utc(2026, 12, 5, 23, 0)  # Sat 5 Dec ends
    assert standstill_ends_at(utc(2026, 11, 26, 10, 0), True) == utc(2026, 12, 6, 23, 0)  # Sun 6 Dec ends
    assert standstill_ends_at(utc(2026, 12, 16, 10, 0), True) == utc(2026, 12, 26, 23, 0)  # 2. Weihnachtstag


def test_month_end():
    # sent Mon 25 Jan 2027: days 26 Jan .. Thu 4 Feb
    assert standstill_ends_at(utc(2027, 1, 25, 8, 0), True) == utc(2027, 2, 4, 23, 0)
    # sent Fri 19 Feb 2027: the 10th day is Mon 1 March (February has 28 days)
    assert standstill_ends_at(utc(2027, 2, 19, 8, 0), True) == utc(2027, 3, 1, 23, 0)
    # leap year: sent Fri 18 Feb 2028, the 10th day is Mon 28 Feb, the contract from 29 Feb
    assert standstill_ends_at(utc(2028, 2, 18, 8, 0), True) == utc(2028, 2, 28, 23, 0)


def test_year_end():
    # sent Mon 21 Dec: last day Thu 31 Dec; the contract from 1 Jan 00:00 (a holiday, no matter)
    assert standstill_ends_at(utc(2026, 12, 21, 8, 0), True) == utc(2026, 12, 31, 23, 0)
    # sent Wed 16 Dec: the 10th day is Sat 26 Dec (holiday) -> Sun 27 -> Mon 28 Dec
    assert standstill_ends_at(utc(2026, 12, 16, 8, 0), True) == utc(2026, 12, 28, 23, 0)
    # paper, sent Tue 22 Dec: the 15th day is Wed 6 Jan 2027
    assert standstill_ends_at(utc(2026, 12, 22, 8, 0), False) == utc(2027, 1, 6, 23, 0)


def test_a_holiday_of_the_authoritys_land_extends_the_period():
    sent = utc(2026, 12, 22, 8, 0)
    bavaria = [date(2027, 1, 6)]  # Heilige Drei Könige
    assert standstill_ends_at(sent, False, holidays=bavaria) == utc(2027, 1, 7, 23, 0)


def test_easter_extends_over_four_days():
    # sent Tue 24 March 2026: the 10th day is Karfreitag 3 April -> Sat, Sun, Ostermontag -> Tue 7 April
    assert standstill_ends_at(utc(2026, 3, 24, 8, 0), True) == utc(2026, 4, 7, 22, 0)


def test_reformationstag_2017_was_a_holiday_everywhere():
    # sent Sat 21 Oct 2017: the 10th day is Tue 31 Oct 2017 -> Wed 1 Nov
    assert standstill_ends_at(utc(2017, 10, 21, 8, 0), True) == utc(2017, 11, 1, 23, 0)


def test_daylight_saving_starts_during_the_standstill():
    """29 March 2026, 02:00 CET -> 03:00 CEST: midnight Berlin moves from 23:00 to 22:00 UTC."""
    # before the change: sent Tue 17 March, last day Fri 27 March (CET)
    assert standstill_ends_at(utc(2026, 3, 17, 8, 0), True) == utc(2026, 3, 27, 23, 0)
    # across the change: sent Fri 20 March, last day Mon 30 March (CEST): one hour earlier in UTC
    assert standstill_ends_at(utc(2026, 3, 20, 8, 0), True) == utc(2026, 3, 30, 22, 0)
    # the 10th day Sat 28 March -> Mon 30 March
    assert standstill_ends_at(utc(2026, 3, 18, 8, 0), True) == utc(2026, 3, 30, 22, 0)


def test_daylight_saving_starts_the_night_after_the_last_day(monkeypatch):
    without_extension(monkeypatch)
    # the 10th day is Sat 28 March; midnight after it is still CET (the switch is at 02:00)
    assert standstill_ends_at(utc(2026, 3, 18, 8, 0), True) == utc(2026, 3, 28, 23, 0)
    # the 10th day is Sun 29 March, the day of the switch: its end is 22:00 UTC
    assert standstill_ends_at(utc(2026, 3, 19, 8, 0), True) == utc(2026, 3, 29, 22, 0)


def test_daylight_saving_ends_during_the_standstill():
    """25 October 2026, 03:00 CEST -> 02:00 CET: midnight Berlin moves from 22:00 to 23:00 UTC."""
    # before the change: sent Fri 9 Oct, last day Mon 19 Oct (CEST)
    assert standstill_ends_at(utc(2026, 10, 9, 8, 0), True) == utc(2026, 10, 19, 22, 0)
    # across the change: sent Fri 16 Oct, last day Mon 26 Oct (CET): one hour later in UTC
    assert standstill_ends_at(utc(2026, 10, 16, 8, 0), True) == utc(2026, 10, 26, 23, 0)
    # the 10th day is Sun 25 Oct, the day of the change -> Mon 26 Oct
    assert standstill_ends_at(utc(2026, 10, 15, 8, 0), True) == utc(2026, 10, 26, 23, 0)


def test_daylight_saving_ends_on_the_last_day(monkeypatch):
    without_extension(monkeypatch)
    # the 10th day is Sun 25 Oct (25 hours long); it ends at 23:00 UTC, not 22:00
    assert standstill_ends_at(utc(2026, 10, 15, 8, 0), True) == utc(2026, 10, 25, 23, 0)
    # sent in the doubled hour 02:30 (first, CEST = 00:30 UTC; then CET = 01:30 UTC): same day
    assert standstill_ends_at(utc(2026, 10, 25, 0, 30), True) == standstill_ends_at(
        utc(2026, 10, 25, 1, 30), True
    )


def test_sent_just_before_midnight_in_summer():
    # Mon 1 June 2026 23:59:59 CEST is 21:59:59 UTC: still Monday, last day Thu 11 June
    assert standstill_ends_at(utc(2026, 6, 1, 21, 59, 59), True) == utc(2026, 6, 11, 22, 0)
    assert standstill_ends_at(utc(2026, 6, 1, 22, 0, 0), True) == utc(2026, 6, 12, 22, 0)


# --- several letters --------------------------------------------------------------------------


def test_the_latest_letter_decides():
    letters = [
        (utc(2026, 11, 23, 9, 0), True),  # -> 3 Dec 23:00 UTC
        (utc(2026, 11, 24, 9, 0), True),  # -> 4 Dec 23:00 UTC
        (utc(2026, 11, 23, 9, 0), False),  # paper -> 8 Dec 23:00 UTC
    ]
    assert latest_standstill_end(letters[:2]) == utc(2026, 12, 4, 23, 0)
    assert latest_standstill_end(letters) == utc(2026, 12, 8, 23, 0)
    assert latest_standstill_end(iter(letters)) == utc(2026, 12, 8, 23, 0)


def test_no_letters_no_standstill():
    assert latest_standstill_end([]) is None


def test_the_lands_holidays_apply_to_every_letter():
    letters = [(utc(2026, 12, 22, 8, 0), False), (utc(2026, 12, 23, 8, 0), True)]
    assert latest_standstill_end(letters) == utc(2027, 1, 6, 23, 0)
    assert latest_standstill_end(letters, holidays=[date(2027, 1, 6)]) == utc(2027, 1, 7, 23, 0)
