"""Minimum bid deadlines per procedure as dated data: a change of law is a data change.

Each rule names its source. A rule is in force for notices sent between ``valid_from`` and
``valid_until`` (inclusive); the deadline counts in calendar days from the day the notice is
sent (EU procedures, §15 VgV) or published (national procedures).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Optional


class Procedure(enum.Enum):
    eu_open = "eu_open"  # offenes Verfahren (§15 VgV), eForms notice to TED
    national_open = "national_open"  # öffentliche Ausschreibung (§9 UVgO)


@dataclass(frozen=True)
class DeadlineRule:
    procedure: Procedure
    minimum_days: int  # below this the deadline is refused (EU) ...
    proposed_days: int  # ... and this is what the platform proposes
    binding: bool  # False: the law asks for an "angemessene" deadline; below the proposal is a warning
    electronic: bool  # the rule assumes electronic submission of bids
    valid_from: date
    valid_until: date
    source: str


# The platform accepts bids only electronically, so the shortened EU deadline applies (§15(4) VgV).
DEADLINE_RULES: tuple[DeadlineRule, ...] = (
    DeadlineRule(
        Procedure.eu_open,
        minimum_days=30,
        proposed_days=30,
        binding=True,
        electronic=True,
        valid_from=date(2016, 4, 18),
        valid_until=date(9999, 12, 31),
        source="§15 Abs. 2 und 4 VgV (35 Tage, 30 Tage bei elektronischer Angebotsabgabe)",
    ),
    DeadlineRule(
        Procedure.national_open,
        minimum_days=0,
        proposed_days=10,
        binding=False,
        electronic=True,
        valid_from=date(2017, 2, 7),
        valid_until=date(9999, 12, 31),
        source="§13 Abs. 1 UVgO (angemessene Frist; die Plattform schlägt 10 Tage vor)",
    ),
)

# §15(2) VgV without electronic submission: shown in the explanation, not used by the platform.
EU_OPEN_PAPER_DAYS = 35

# §20(3) VgV: answers to bidder questions at the latest 6 days before the bid deadline.
ANSWER_DAYS_BEFORE_DEADLINE = 6


class NoDeadlineRule(LookupError):
    """No deadline rule is known for that procedure on that day (the data needs an update)."""


def deadline_rule(procedure: Procedure, day: date) -> DeadlineRule:
    """Return the deadline rule for ``procedure`` in force on ``day``."""
    for rule in DEADLINE_RULES:
        if rule.procedure is procedure and rule.valid_from <= day <= rule.valid_until:
            return rule
    raise NoDeadlineRule(f"no deadline rule for {procedure.value} on {day.isoformat()}")


def find_rule(procedure: Procedure, day: date) -> Optional[DeadlineRule]:
    try:
        return deadline_rule(procedure, day)
    except NoDeadlineRule:
        return None
