"""The value and procedure advisor: §3 VgV value, §106 GWB thresholds, §3(9) small lots, deadlines.

The advisor is pure computation: only the tests of the sentences (flask_babel) need the app.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from math import floor

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.reference.deadlines import Procedure
from procurement.reference.thresholds import ContractKind
from procurement.tenders.advisor import (
    BERLIN,
    LotInput,
    advise,
    deadline_warning,
    earliest_bid_deadline,
    explain,
    lot_value,
    proposed_bid_deadline,
)

SUPPLIES = ContractKind.supplies_services_sub_central  # a municipality buys supplies or services
WORKS = ContractKind.works
LAST_DAY_2025 = date(2025, 12, 31)  # 221,000 EUR (supplies), 5,538,000 EUR (works)
FIRST_DAY_2026 = date(2026, 1, 1)  # 216,000 EUR (supplies), 5,404,000 EUR (works)
DAY = date(2026, 11, 25)
CENT = Decimal("0.01")


def lot(number: int, unit_price: str, *quantities: str, options: str = "0") -> LotInput:
    return LotInput(
        number=number,
        title=f"Los {number}",
        unit_price=Decimal(unit_price),
        quantities=[Decimal(q) for q in quantities],
        options_value=Decimal(options),
    )


def worth(*values: str) -> list[LotInput]:
    """Lots with exactly these values (one unit at that price each), numbered from 1."""
    return [lot(number, value, "1") for number, value in enumerate(values, start=1)]


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


# --- value of lots and total (§3 VgV) ------------------------------------------------------


def test_a_lot_is_worth_all_participants_quantities_at_the_unit_price_plus_options():
    value = lot_value(lot(1, "9500.00", "4", "10", "0", options="12000.00"))
    assert value.quantity == Decimal("14")
    assert value.value == Decimal("145000.00")
    assert (value.number, value.title) == (1, "Los 1")


def test_the_total_is_the_sum_of_all_lots_options_included():
    advice = advise(
        [lot(1, "9500.00", "4", "10", options="12000.00"), lot(2, "120.50", "100", "50.5")], SUPPLIES, DAY
    )
    assert [item.value for item in advice.lots] == [Decimal("145000.00"), Decimal("18135.25")]
    assert advice.total == Decimal("163135.25")


def test_lot_values_round_half_up_to_cents():
    # 2.5 x 0.05 = 0.125: half-up gives 0.13 (banker's rounding would give 0.12)
    assert lot_value(lot(1, "0.05", "2.5")).value == Decimal("0.13")
    assert lot_value(lot(1, "0.05", "2.3")).value == Decimal("0.12")  # 0.115 -> 0.12
    assert lot_value(lot(1, "0.01", "0.333")).value == Decimal("0.00")  # 0.00333


def test_a_lot_without_quantities_is_worth_its_options():
    assert lot_value(lot(1, "500.00", options="250.00")).value == Decimal("250.00")
    assert advise([], SUPPLIES, DAY).total == Decimal("0")


# --- thresholds (§106 GWB) on both sides of the 2026 change -------------------------------


@pytest.mark.parametrize(
    ("kind", "day", "value", "eu"),
    [
        # supplies and services of a municipality: 221,000 until 2025-12-31 ...
        (SUPPLIES, LAST_DAY_2025, "220999.99", False),
        (SUPPLIES, LAST_DAY_2025, "221000.00", True),
        (SUPPLIES, LAST_DAY_2025, "221000.01", True),
        # ... 216,000 from 2026-01-01
        (SUPPLIES, FIRST_DAY_2026, "215999.99", False),
        (SUPPLIES, FIRST_DAY_2026, "216000.00", True),
        (SUPPLIES, FIRST_DAY_2026, "216000.01", True),
        # the same value is national on the last day of 2025 and EU on the first day of 2026
        (SUPPLIES, LAST_DAY_2025, "218000.00", False),
        (SUPPLIES, FIRST_DAY_2026, "218000.00", True),
        # works: 5,538,000 until 2025-12-31, 5,404,000 from 2026-01-01
        (WORKS, LAST_DAY_2025, "5537999.99", False),
        (WORKS, LAST_DAY_2025, "5538000.00", True),
        (WORKS, LAST_DAY_2025, "5538000.01", True),
        (WORKS, FIRST_DAY_2026, "5403999.99", False),
        (WORKS, FIRST_DAY_2026, "5404000.00", True),
        (WORKS, FIRST_DAY_2026, "5404000.01", True),
    ],
)
def test_threshold_edges(kind, day, value, eu):
    advice = advise([lot(1, value, "1")], kind, day)
    assert advice.total == Decimal(value)
    assert advice.eu is eu
    assert advice.procedure is (Procedure.eu_open if eu else Procedure.national_open)
    assert advice.threshold is not None
    assert advice.threshold.valid_from <= day <= advice.threshold.valid_until


def test_the_threshold_of_the_publication_day_is_used():
    assert advise(worth("1"), SUPPLIES, LAST_DAY_2025).threshold.value == Decimal("221000")
    assert advise(worth("1"), SUPPLIES, FIRST_DAY_2026).threshold.value == Decimal("216000")
    assert advise(worth("1"), WORKS, LAST_DAY_2025).threshold.value == Decimal("5538000")
    assert advise(worth("1"), WORKS, FIRST_DAY_2026).threshold.value == Decimal("5404000")


def test_works_have_a_much_higher_threshold_than_supplies():
    lots = worth("300000.00")
    assert advise(lots, SUPPLIES, DAY).eu is True
    assert advise(lots, WORKS, DAY).eu is False


def test_the_value_of_all_lots_together_decides():
    # §3(7) VgV: two lots of 110,000 each reach 216,000 together
    advice = advise(worth("110000.00", "110000.00"), SUPPLIES, DAY)
    assert advice.eu is True


def test_options_count_towards_the_threshold():
    assert advise([lot(1, "200000.00", "1")], SUPPLIES, DAY).eu is False
    assert advise([lot(1, "200000.00", "1", options="16000.00")], SUPPLIES, DAY).eu is True


@pytest.mark.parametrize("day", [date(2030, 6, 1), date(2023, 12, 31)])
def test_without_threshold_data_the_eu_procedure_is_proposed(day):
    advice = advise(worth("1000.00"), SUPPLIES, day)
    assert advice.threshold is None
    assert advice.eu is True
    assert advice.procedure is Procedure.eu_open
    assert advice.allowed_procedures() == [Procedure.eu_open]


# --- allowed procedures -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("215999.99", [Procedure.national_open, Procedure.eu_open]),
        ("216000.00", [Procedure.eu_open]),
        ("5000000.00", [Procedure.eu_open]),
    ],
)
def test_national_procedures_only_below_the_threshold(value, allowed):
    advice = advise(worth(value), SUPPLIES, FIRST_DAY_2026)
    assert advice.allowed_procedures() == allowed
    assert advice.procedure in allowed


# --- small lots (§3(9) VgV) -----------------------------------------------------------------


def test_small_lots_smallest_first_up_to_20_percent_of_the_total():
    # total 1,000,000.00; 20 % = 200,000.00; the four small lots sum to exactly 200,000.00
    advice = advise(
        worth("500000.00", "300000.00", "79999.99", "60000.00", "50000.00", "10000.01"), SUPPLIES, DAY
    )
    assert advice.total == Decimal("1000000.00")
    assert advice.small_lots == [3, 4, 5, 6]
    assert advice.small_lot_rule is not None and advice.small_lot_rule.source == "§3 Abs. 9 VgV"


def test_small_lots_stop_at_the_first_lot_that_no_longer_fits():
    # one cent more in the smallest lot: the four small lots sum to 200,000.01, more than 20 % of
    # 1,000,000.01 (200,000.002); the biggest of them no longer fits, the three smaller ones remain
    advice = advise(
        worth("500000.00", "300000.00", "79999.99", "60000.00", "50000.00", "10000.02"), SUPPLIES, DAY
    )
    assert advice.small_lots == [4, 5, 6]


def test_a_lot_of_80000_is_not_small():
    advice = advise(worth("900000.00", "80000.00", "79999.99"), SUPPLIES, DAY)
    assert advice.small_lots == [3]


def test_small_lots_are_chosen_by_value_and_listed_by_number():
    advice = advise(worth("30000.00", "800000.00", "10000.00", "30000.00"), SUPPLIES, DAY)
    assert advice.small_lots == [1, 3, 4]
    # total 216,000.00, 20 % = 43,200.00: both lots of 20,000 fit ...
    advice = advise(worth("20000.00", "20000.00", "176000.00"), SUPPLIES, FIRST_DAY_2026)
    assert advice.total == Decimal("216000.00") and advice.small_lots == [1, 2]
    advice = advise(worth("25000.00", "25000.00", "166000.00"), SUPPLIES, FIRST_DAY_2026)
    # ... of two lots of 25,000 only one fits: the lower number
    assert advice.small_lots == [1]


def test_no_small_lots_below_the_threshold():
    advice = advise(worth("100000.00", "10000.00"), SUPPLIES, DAY)
    assert advice.eu is False
    assert advice.small_lots == []


def test_no_small_lots_with_a_single_lot():
    advice = advise(worth("50000.00"), SUPPLIES, date(2030, 1, 1))  # EU (no threshold data)
    assert advice.eu is True
    assert advice.small_lots == []
    advice = advise([lot(1, "10000.00", "30")], SUPPLIES, DAY)
    assert advice.eu is True and advice.small_lots == []


def test_small_works_lots_are_those_under_one_million():
    advice = advise(worth("5000000.00", "999999.99", "1000000.00"), WORKS, DAY)
    assert advice.eu is True
    assert advice.small_lots == [2]


# --- deadlines ----------------------------------------------------------------------------


def test_eu_deadline_ends_at_midnight_berlin_after_the_30th_day():
    # sent on 25 November: day 1 is 26 November, day 30 is 25 December
    earliest = earliest_bid_deadline(Procedure.eu_open, DAY)
    assert earliest == berlin(2026, 12, 26, 0, 0)
    assert earliest == datetime(2026, 12, 25, 23, 0, tzinfo=UTC)
    assert earliest.tzinfo is not None and earliest.utcoffset() == timedelta(0)


def test_eu_deadline_across_the_change_to_summer_time():
    # sent 1 March (CET), ends at midnight CEST after 31 March: 22:00 UTC, not 23:00
    assert earliest_bid_deadline(Procedure.eu_open, date(2026, 3, 1)) == datetime(
        2026, 3, 31, 22, 0, tzinfo=UTC
    )
    # the last day is the day of the change itself (29 March 2026)
    assert earliest_bid_deadline(Procedure.eu_open, date(2026, 2, 27)) == berlin(2026, 3, 30, 0, 0)
    assert berlin(2026, 3, 30, 0, 0) == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)


def test_eu_deadline_across_the_change_to_winter_time():
    # last day 25 October 2026 (the change): midnight CET after it is 23:00 UTC
    assert earliest_bid_deadline(Procedure.eu_open, date(2026, 9, 25)) == datetime(
        2026, 10, 25, 23, 0, tzinfo=UTC
    )


def test_eu_deadline_is_the_same_on_both_sides_of_the_threshold_change():
    assert earliest_bid_deadline(Procedure.eu_open, LAST_DAY_2025) == berlin(2026, 1, 31, 0, 0)
    assert earliest_bid_deadline(Procedure.eu_open, FIRST_DAY_2026) == berlin(2026, 2, 1, 0, 0)


def test_national_deadline_has_no_minimum():
    # the start of the publication day: any deadline in the future is allowed (§13 UVgO)
    assert earliest_bid_deadline(Procedure.national_open, DAY) == berlin(2026, 11, 25, 0, 0)


def test_no_deadline_without_a_rule_for_the_day():
    assert earliest_bid_deadline(Procedure.eu_open, date(2016, 4, 17)) is None
    assert earliest_bid_deadline(Procedure.eu_open, date(2016, 4, 18)) is not None
    assert earliest_bid_deadline(Procedure.national_open, date(2017, 2, 6)) is None
    assert proposed_bid_deadline(Procedure.eu_open, date(2016, 4, 17)) is None


def test_proposed_deadline_is_noon_berlin_after_the_proposed_period():
    assert proposed_bid_deadline(Procedure.eu_open, DAY) == berlin(2026, 12, 26, 12, 0)
    assert proposed_bid_deadline(Procedure.national_open, DAY) == berlin(2026, 12, 6, 12, 0)
    # the proposal is never shorter than the minimum
    assert proposed_bid_deadline(Procedure.eu_open, DAY) > earliest_bid_deadline(Procedure.eu_open, DAY)
    # summer time: 12:00 CEST is 10:00 UTC
    assert proposed_bid_deadline(Procedure.eu_open, date(2026, 6, 1)) == datetime(
        2026, 7, 2, 10, 0, tzinfo=UTC
    )


def test_national_deadline_warning_below_ten_days(app: Flask):
    with app.test_request_context():
        nine_days = berlin(2026, 12, 4, 12, 0)
        warning = deadline_warning(Procedure.national_open, DAY, nine_days)
        assert warning is not None and "§13 Abs. 1 UVgO" in warning and "10 Tage" in warning
        # ending during the 10th day is still short; at midnight after it the 10 days are full
        assert deadline_warning(Procedure.national_open, DAY, berlin(2026, 12, 5, 23, 59)) is not None
        assert deadline_warning(Procedure.national_open, DAY, berlin(2026, 12, 6, 0, 0)) is None
        assert (
            deadline_warning(
                Procedure.national_open, DAY, proposed_bid_deadline(Procedure.national_open, DAY)
            )
            is None
        )


def test_no_deadline_warning_for_eu_procedures_or_unknown_days(app: Flask):
    with app.test_request_context():
        # EU deadlines are binding: too short is refused by the publication guard, not warned
        assert deadline_warning(Procedure.eu_open, DAY, berlin(2026, 11, 30, 12, 0)) is None
        assert deadline_warning(Procedure.national_open, date(2017, 2, 6), berlin(2017, 2, 7, 12, 0)) is None


# --- the explanation names its sources ------------------------------------------------------


def test_every_reason_names_its_paragraph(app: Flask):
    cases = [
        advise(worth("100000.00"), SUPPLIES, DAY),  # national
        advise(worth("500000.00", "300000.00", "50000.00"), SUPPLIES, DAY),  # EU with a small lot
        advise(worth("500000.00", "300000.00"), SUPPLIES, DAY),  # EU without small lots
        advise(worth("100.00"), SUPPLIES, date(2030, 1, 1)),  # no threshold data
    ]
    with app.test_request_context():
        for advice in cases:
            reasons = explain(advice)
            assert len(reasons) >= 3
            for sentence, source in reasons:
                assert sentence.strip()
                assert "§" in source, (sentence, source)


def test_explanation_below_the_threshold(app: Flask):
    with app.test_request_context():
        sources = dict(
            (source, sentence) for sentence, source in explain(advise(worth("100000.00"), SUPPLIES, DAY))
        )
    assert "§3 Abs. 1 und 7 VgV" in sources
    below = next(sentence for source, sentence in sources.items() if "§9 UVgO" in source)
    assert "216.000" in below and "UVgO" in below
    assert any("§13 Abs. 1 UVgO" in source for source in sources)
    assert not any("§3 Abs. 9 VgV" in source for source in sources)


def test_explanation_at_the_threshold_with_small_lots(app: Flask):
    with app.test_request_context():
        reasons = explain(advise(worth("500000.00", "300000.00", "50000.00"), SUPPLIES, DAY))
    sources = [source for _sentence, source in reasons]
    assert any("§106 GWB" in source and "2025/2152" in source for source in sources)
    small = next(sentence for sentence, source in reasons if source == "§3 Abs. 9 VgV")
    assert small.startswith("Das Los 3 liegt unter 80.000")
    assert "20 %" in small


def test_explanation_names_several_small_lots(app: Flask):
    with app.test_request_context():
        reasons = explain(advise(worth("700000.00", "300000.00", "50000.00", "40000.00"), SUPPLIES, DAY))
    small = next(sentence for sentence, source in reasons if source == "§3 Abs. 9 VgV")
    assert small.startswith("Die Lose 3, 4 liegen jeweils unter 80.000")
    deadline = next(sentence for sentence, source in reasons if "§15" in source)
    assert "30 Tage" in deadline and "35 Tage" in deadline


def test_explanation_without_threshold_data_asks_for_an_update(app: Flask):
    with app.test_request_context():
        reasons = explain(advise(worth("100.00"), SUPPLIES, date(2030, 1, 1)))
    sentence = next(sentence for sentence, source in reasons if source == "§106 GWB")
    assert "kein EU-Schwellenwert" in sentence


# --- properties of the value aggregation (Hypothesis) ---------------------------------------

PROPERTY = settings(max_examples=150, deadline=None)

prices = st.decimals(min_value=0, max_value=Decimal("1000000000.00"), places=2)
quantities = st.decimals(min_value=0, max_value=Decimal("1000000.000"), places=3)
options = st.decimals(min_value=0, max_value=Decimal("10000000.00"), places=2)
# totals around the supplies threshold, so that both sides are drawn often
moderate_prices = st.decimals(min_value=0, max_value=Decimal("100000.00"), places=2)
moderate_quantities = st.decimals(min_value=0, max_value=Decimal("100.000"), places=3)
moderate_options = st.decimals(min_value=0, max_value=Decimal("50000.00"), places=2)


@st.composite
def lot_inputs(draw: st.DrawFn, price=prices, quantity=quantities, option=options) -> list[LotInput]:
    """1-6 lots, each with the same number (1-6) of participants' quantities."""
    count = draw(st.integers(1, 6))
    lots = draw(st.integers(1, 6))
    return [
        LotInput(
            number=number,
            title=f"Los {number}",
            unit_price=draw(price),
            quantities=draw(st.lists(quantity, min_size=count, max_size=count)),
            options_value=draw(option),
        )
        for number in range(1, lots + 1)
    ]


def exact_lot_value(item: LotInput) -> Decimal:
    """The oracle: exact rational arithmetic, rounded half-up to cents by hand."""
    exact = sum((Fraction(q) for q in item.quantities), Fraction(0)) * Fraction(item.unit_price) + Fraction(
        item.options_value
    )
    cents = floor(exact * 100 + Fraction(1, 2))
    return Decimal(cents) / 100


@PROPERTY
@given(lot_inputs(), st.sampled_from([SUPPLIES, WORKS]), st.sampled_from([LAST_DAY_2025, FIRST_DAY_2026]))
def test_property_total_is_the_sum_of_the_lots(lots, kind, day):
    advice = advise(lots, kind, day)
    assert advice.total == sum((item.value for item in advice.lots), Decimal(0))
    assert [item.number for item in advice.lots] == [item.number for item in lots]


@PROPERTY
@given(lot_inputs())
def test_property_each_lot_is_quantity_times_price_plus_options_rounded_half_up(lots):
    for item in lots:
        value = lot_value(item)
        assert value.value == exact_lot_value(item)
        assert value.quantity == sum(item.quantities, Decimal(0))


@PROPERTY
@given(lot_inputs(), st.randoms(use_true_random=False))
def test_property_order_of_lots_and_participants_does_not_change_the_total(lots, random):
    reordered = []
    for item in lots:
        shuffled = list(item.quantities)
        random.shuffle(shuffled)
        reordered.append(LotInput(item.number, item.title, item.unit_price, shuffled, item.options_value))
    random.shuffle(reordered)
    before = advise(lots, SUPPLIES, DAY)
    after = advise(reordered, SUPPLIES, DAY)
    assert after.total == before.total
    assert after.eu is before.eu
    assert after.small_lots == before.small_lots
    assert sorted(after.lots, key=lambda item: item.number) == before.lots


@PROPERTY
@given(st.data())
def test_property_adding_a_participant_never_lowers_the_value(data):
    lots = data.draw(lot_inputs())
    joined = [
        LotInput(
            item.number,
            item.title,
            item.unit_price,
            [*item.quantities, data.draw(quantities)],
            item.options_value,
        )
        for item in lots
    ]
    before = advise(lots, SUPPLIES, DAY)
    after = advise(joined, SUPPLIES, DAY)
    assert after.total >= before.total
    assert all(new.value >= old.value for old, new in zip(before.lots, after.lots, strict=True))


@PROPERTY
@given(st.data(), st.sampled_from([SUPPLIES, WORKS]), st.sampled_from([LAST_DAY_2025, FIRST_DAY_2026]))
def test_property_eu_is_monotone_in_the_quantities(data, kind, day):
    # moderate prices so that both sides of the thresholds are reached often
    lots = data.draw(lot_inputs(moderate_prices, moderate_quantities, moderate_options))
    more = [
        LotInput(
            item.number,
            item.title,
            item.unit_price,
            [q + data.draw(moderate_quantities) for q in item.quantities],
            item.options_value,
        )
        for item in lots
    ]
    if advise(lots, kind, day).eu:
        assert advise(more, kind, day).eu


@PROPERTY
@given(lot_inputs(), st.sampled_from([SUPPLIES, WORKS]), st.dates(date(2015, 1, 1), date(2031, 12, 31)))
def test_property_all_amounts_are_decimals_in_cents(lots, kind, day):
    advice = advise(lots, kind, day)
    assert isinstance(advice.total, Decimal) and not isinstance(advice.total, float)
    assert advice.total.is_finite() and advice.total >= 0
    for item in advice.lots:
        assert isinstance(item.value, Decimal) and isinstance(item.quantity, Decimal)
        assert item.value.as_tuple().exponent == -2
    assert isinstance(advice.threshold.value if advice.threshold else Decimal(0), Decimal)
    # the proposal and the allowed procedures agree, never national at/above the threshold
    assert advice.procedure in advice.allowed_procedures()
    if advice.threshold is None or advice.total >= advice.threshold.value:
        assert advice.allowed_procedures() == [Procedure.eu_open]
