"""Minimum bid deadlines as dated data (procurement/reference/deadlines.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from procurement.reference import deadlines
from procurement.reference.deadlines import (
    ANSWER_DAYS_BEFORE_DEADLINE,
    DEADLINE_RULES,
    EU_OPEN_PAPER_DAYS,
    NoDeadlineRule,
    Procedure,
    deadline_rule,
    find_rule,
)

EU_IN_FORCE = date(2016, 4, 18)  # VgV 2016 in force
UVGO_IN_FORCE = date(2017, 2, 7)  # UVgO published


def test_eu_open_procedure_needs_30_days_with_electronic_bids():
    rule = deadline_rule(Procedure.eu_open, date(2026, 11, 25))
    assert (rule.minimum_days, rule.proposed_days) == (30, 30)
    assert rule.binding is True and rule.electronic is True
    assert "§15" in rule.source and "VgV" in rule.source


def test_the_paper_deadline_of_35_days_is_kept_for_the_explanation():
    assert EU_OPEN_PAPER_DAYS == 35
    assert EU_OPEN_PAPER_DAYS > deadline_rule(Procedure.eu_open, date(2026, 11, 25)).minimum_days


def test_national_procedure_has_no_binding_minimum_and_a_proposal_of_10_days():
    rule = deadline_rule(Procedure.national_open, date(2026, 11, 25))
    assert (rule.minimum_days, rule.proposed_days) == (0, 10)
    assert rule.binding is False
    assert "§13" in rule.source and "UVgO" in rule.source


def test_answers_to_bidder_questions_six_days_before_the_deadline():
    assert ANSWER_DAYS_BEFORE_DEADLINE == 6


@pytest.mark.parametrize(
    ("procedure", "first_day"),
    [(Procedure.eu_open, EU_IN_FORCE), (Procedure.national_open, UVGO_IN_FORCE)],
)
def test_a_rule_applies_from_its_first_day_not_before(procedure, first_day):
    assert deadline_rule(procedure, first_day).valid_from == first_day
    assert find_rule(procedure, first_day) is not None
    before = date.fromordinal(first_day.toordinal() - 1)
    assert find_rule(procedure, before) is None
    with pytest.raises(
        NoDeadlineRule, match=f"no deadline rule for {procedure.value} on {before.isoformat()}"
    ):
        deadline_rule(procedure, before)


@pytest.mark.parametrize("procedure", list(Procedure))
def test_every_procedure_has_a_rule_today_and_far_ahead(procedure):
    for day in (date(2025, 12, 31), date(2026, 1, 1), date(2030, 1, 1), date(9999, 12, 31)):
        assert deadline_rule(procedure, day).procedure is procedure


def test_no_deadline_rule_is_a_lookup_error():
    assert issubclass(NoDeadlineRule, LookupError)


def test_rules_are_consistent_data():
    for rule in DEADLINE_RULES:
        assert rule.valid_from <= rule.valid_until
        assert 0 <= rule.minimum_days <= rule.proposed_days
        assert rule.source.startswith("§")
    # at most one rule per procedure on any day: no overlapping validity
    for first in DEADLINE_RULES:
        for second in DEADLINE_RULES:
            if first is not second and first.procedure is second.procedure:
                assert first.valid_until < second.valid_from or second.valid_until < first.valid_from


def test_a_change_of_law_is_a_new_dated_rule(monkeypatch):
    """The rule in force on the day decides; the days up to the change keep the old rule."""
    old = deadline_rule(Procedure.eu_open, date(2026, 1, 1))
    until = replace(old, valid_until=date(2027, 12, 31))
    new = replace(old, minimum_days=25, proposed_days=28, valid_from=date(2028, 1, 1), source="§15 neu")
    others = tuple(rule for rule in DEADLINE_RULES if rule is not old)
    monkeypatch.setattr(deadlines, "DEADLINE_RULES", (*others, until, new))
    assert deadline_rule(Procedure.eu_open, date(2027, 12, 31)).minimum_days == 30
    assert deadline_rule(Procedure.eu_open, date(2028, 1, 1)).minimum_days == 25
    assert find_rule(Procedure.eu_open, date(2028, 1, 1)).source == "§15 neu"
    assert deadline_rule(Procedure.national_open, date(2028, 1, 1)).proposed_days == 10


def test_rules_are_immutable():
    rule = deadline_rule(Procedure.eu_open, date(2026, 1, 1))
    with pytest.raises(AttributeError):
        rule.minimum_days = 1  # type: ignore[misc]
