"""The §134 GWB standstill (Wartefrist) as dated data: a change of law is a data change.

§134 Abs. 2 GWB: the contract may be concluded only 15 calendar days after the information to the
unsuccessful bidders was *sent*, 10 calendar days if it was sent electronically or by fax; the
period starts on the day after sending, the day the bidder receives it does not matter. A contract
concluded earlier is void (§135 Abs. 1 Nr. 1 GWB). The same periods applied from 24 April 2009
under §101a Abs. 1 GWB a.F.; §134 GWB replaced it on 18 April 2016 (VergRModG).

How the period is counted here (all calendar days in Europe/Berlin, where the authority sends):

1. The day of sending is the Berlin calendar day of ``sent_at``; the rule in force on that day
   applies. The first day of the period is the day after it (§134 Abs. 2 Satz 3 GWB; §187 Abs. 1
   BGB; Art. 3 Abs. 1 Unterabs. 2 VO (EWG, Euratom) Nr. 1182/71).
2. The last day is the ``days``-th day; the period ends at its end, 24:00 Berlin (§188 Abs. 1 BGB;
   Art. 3 Abs. 2 lit. b VO 1182/71).
3. Saturdays, Sundays and public holidays count (they are calendar days). Whether a period whose
   last day is a Saturday, Sunday or public holiday runs on to the end of the next working day
   (§193 BGB, Art. 3 Abs. 4 VO 1182/71) is contested for this waiting period: §193 BGB speaks of
   periods for a declaration or a performance, and the Act says "Kalendertage"; a large part of
   the literature and of the practice applies the extension nonetheless. The platform takes the
   safe reading, because a contract one second too early is void while a contract two days late
   costs nothing: ``extends_to_working_day`` is True in the rule data. Setting it to False gives
   the plain calendar count. Nationwide holidays are built in; the holidays of the authority's
   Land (e.g. 6 January in Bavaria) are passed in by the caller.

``standstill_ends_at`` returns the **first instant at which the contract may be concluded**: 00:00
Berlin time of the day after the last day of the period (the same instant as 24:00 of the last
day), as an aware datetime in UTC. The award guard compares ``now >= standstill_ends_at``, so the
returned instant itself is allowed and one second before it is not. Across a daylight saving
change the UTC value shifts by an hour (22:00 UTC in summer, 23:00 UTC in winter), because the
period is defined by Berlin calendar days, not by a number of hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class StandstillRule:
    electronic: bool  # the information was sent electronically (or by fax, which the Act treats alike)
    days: int  # calendar days, counted from the day after sending
    valid_from: date  # for information sent on or after this Berlin calendar day ...
    valid_until: date  # ... up to and including this one
    source: str
    # a last day on a Saturday, Sunday or public holiday runs on to the end of the next working day
    # (§193 BGB / Art. 3 Abs. 4 VO 1182/71): contested, the safe reading is the default (see above)
    extends_to_working_day: bool = True


STANDSTILL_RULES: tuple[StandstillRule, ...] = (
    StandstillRule(
        electronic=False,
        days=15,
        valid_from=date(2009, 4, 24),
        valid_until=date(2016, 4, 17),
        source="§101a Abs. 1 Satz 3 GWB a.F. (15 Kalendertage)",
    ),
    StandstillRule(
        electronic=True,
        days=10,
        valid_from=date(2009, 4, 24),
        valid_until=date(2016, 4, 17),
        source="§101a Abs. 1 Satz 4 GWB a.F. (10 Kalendertage per Fax oder elektronisch)",
    ),
    StandstillRule(
        electronic=False,
        days=15,
        valid_from=date(2016, 4, 18),
        valid_until=date(9999, 12, 31),
        source="§134 Abs. 2 Satz 1 GWB (15 Kalendertage)",
    ),
    StandstillRule(
        electronic=True,
        days=10,
        valid_from=date(2016, 4, 18),
        valid_until=date(9999, 12, 31),
        source="§134 Abs. 2 Satz 2 GWB (10 Kalendertage bei elektronischer Versendung oder per Fax)",
    ),
)


class NoStandstillRule(LookupError):
    """No standstill rule is known for information sent on that day (the data needs an update)."""


def standstill_rule(electronic: bool, day: date) -> StandstillRule:
    """Return the rule in force for information sent on the Berlin calendar day ``day``."""
    for rule in STANDSTILL_RULES:
        if rule.electronic is electronic and rule.valid_from <= day <= rule.valid_until:
            return rule
    kind = "electronic" if electronic else "paper"
    raise NoStandstillRule(f"no standstill rule for {kind} information sent on {day.isoformat()}")


def find_standstill_rule(electronic: bool, day: date) -> Optional[StandstillRule]:
    try:
        return standstill_rule(electronic, day)
    except NoStandstillRule:
        return None


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def national_holidays(year: int) -> frozenset[date]:
    """The public holidays in every Land: fixed by federal law (3 October) or by all Länder laws."""
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1),  # Neujahr
        easter - timedelta(days=2),  # Karfreitag
        easter + timedelta(days=1),  # Ostermontag
        date(year, 5, 1),  # Tag der Arbeit
        easter + timedelta(days=39),  # Christi Himmelfahrt
        easter + timedelta(days=50),  # Pfingstmontag
        date(year, 10, 3),  # Tag der Deutschen Einheit
        date(year, 12, 25),  # 1. Weihnachtstag
        date(year, 12, 26),  # 2. Weihnachtstag
    }
    if year == 2017:
        days.add(date(2017, 10, 31))  # Reformationstag, once in every Land (500 years)
    return frozenset(days)


def is_working_day(day: date, holidays: Iterable[date] = ()) -> bool:
    """Monday to Friday and neither a nationwide holiday nor one of ``holidays`` (the Land's)."""
    return day.weekday() < 5 and day not in national_holidays(day.year) and day not in set(holidays)


def last_day_of_standstill(rule: StandstillRule, sent_on: date, holidays: Iterable[date] = ()) -> date:
    """The last Berlin calendar day of the period for information sent on ``sent_on``."""
    extra = frozenset(holidays)
    last = sent_on + timedelta(days=rule.days)
    if rule.extends_to_working_day:
        while not is_working_day(last, extra):
            last += timedelta(days=1)
    return last


def standstill_ends_at(sent_at: datetime, electronic: bool, *, holidays: Iterable[date] = ()) -> datetime:
    """The first instant (aware, UTC) at which the contract may be concluded; see the module text.

    ``sent_at`` is the moment the information left the platform (aware); ``holidays`` are the
    public holidays of the contracting authority's Land beyond the nationwide ones. Raises
    NoStandstillRule when no rule covers the day of sending.
    """
    if sent_at.tzinfo is None or sent_at.utcoffset() is None:
        raise ValueError("sent_at must be timezone-aware")
    sent_on = sent_at.astimezone(BERLIN).date()
    rule = standstill_rule(electronic, sent_on)
    last = last_day_of_standstill(rule, sent_on, holidays)
    return datetime.combine(last + timedelta(days=1), time(0), BERLIN).astimezone(UTC)


def latest_standstill_end(
    letters: Iterable[tuple[datetime, bool]], *, holidays: Iterable[date] = ()
) -> Optional[datetime]:
    """The standstill of a lot: the latest end over its letters ``(sent_at, electronic)``.

    Each unsuccessful bidder's period runs from its own letter, so a letter sent later (or on
    paper) holds the contract back for everyone. None when no letter was sent.
    """
    extra = frozenset(holidays)
    ends = [standstill_ends_at(sent_at, electronic, holidays=extra) for sent_at, electronic in letters]
    return max(ends) if ends else None
