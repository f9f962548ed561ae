"""Scoring and ranking of one lot (§58 VgV) and abnormally low prices (§60 VgV).

Pure computation: no app, no database.
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from procurement.awards.scoring import (
    BidPrices,
    CriterionSpec,
    QualityScores,
    ScoringError,
    abnormally_low,
    price_points,
    quality_points,
    rank_lot,
)
from procurement.tenders.models import CriterionKind, ScoringMethod

D = Decimal
PROPERTY = settings(max_examples=150, deadline=None)


def price(criterion_id: int, weight: str, method: str = "lowest_price_ratio") -> CriterionSpec:
    return CriterionSpec(criterion_id, "price", D(weight), method)


def quality(criterion_id: int, weight: str, method: str = "points_0_10") -> CriterionSpec:
    return CriterionSpec(criterion_id, "quality", D(weight), method)


def bid(bid_id: int, amount: str) -> BidPrices:
    return BidPrices(bid_id, D(amount))


def points(bid_id: int, criterion_id: int, *given: str) -> QualityScores:
    return QualityScores(bid_id, criterion_id, [D(value) for value in given])


# -- the formulas ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "amount", "expected"),
    [
        ("lowest_price_ratio", "100", "100"),
        ("lowest_price_ratio", "125", "80"),
        ("lowest_price_ratio", "200", "50"),
        ("lowest_price_ratio", "250", "40"),
        ("linear_interpolation", "100", "100"),
        ("linear_interpolation", "125", "75"),
        ("linear_interpolation", "150", "50"),
        ("linear_interpolation", "200", "0"),
        ("linear_interpolation", "250", "0"),  # more than double the lowest price: floored at 0
    ],
)
def test_price_points_follow_the_published_formula(method: str, amount: str, expected: str) -> None:
    assert price_points(method, D(amount), D(100)) == D(expected)


@pytest.mark.parametrize(
    ("method", "mean", "expected"),
    [
        ("points_0_10", "7", "70"),
        ("points_0_10", "10", "100"),
        ("points_0_10", "0", "0"),
        ("points_0_5", "3.5", "70"),
        ("points_0_5", "5", "100"),
    ],
)
def test_quality_points_are_normalised_to_0_100(method: str, mean: str, expected: str) -> None:
    assert quality_points(method, D(mean)) == D(expected)


def test_weighted_total_of_a_hand_computed_lot() -> None:
    criteria = [price(1, "60"), quality(2, "40")]
    ranking = rank_lot(
        criteria,
        [bid(10, "100000.00"), bid(20, "125000.00"), bid(30, "200000.00")],
        [points(10, 2, "8", "6"), points(20, 2, "10", "10"), points(30, 2, "5", "9")],
    )
    first, second, third = ranking.rows
    # bid 10: price 100 -> 60.00, quality mean 7 -> 70 -> 28.00: total 88.00
    assert first.bid_id == 10
    assert (first.price_points, first.score(1).weighted) == (D(100), D("60.00"))
    assert (first.score(2).basis, first.score(2).points, first.score(2).weighted) == (D(7), D(70), D("28.00"))
    assert first.total == D("88.00")
    # bid 20: 100000 / 125000 -> 80 -> 48.00, quality 10 -> 100 -> 40.00: total 88.00, a tie
    assert (second.bid_id, second.price_points, second.total) == (20, D(80), D("88.00"))
    # bid 30: 50 -> 30.00, quality mean 7 -> 28.00: total 58.00
    assert (third.bid_id, third.price_points, third.total) == (30, D(50), D("58.00"))
    assert [row.rank for row in ranking.rows] == [1, 1, 3]
    assert ranking.lowest_price == D("100000.00")
    assert [row.bid_id for row in ranking.first_ranked] == [10, 20]


def test_quality_points_are_the_mean_of_the_evaluators_with_their_spread() -> None:
    ranking = rank_lot(
        [price(1, "50"), quality(2, "50", "points_0_5")],
        [bid(1, "10")],
        [points(1, 2, "2", "5", "3.5")],
    )
    score = ranking.row(1).score(2)
    assert score.evaluator_points == (D(2), D(5), D("3.5"))
    assert score.basis == D("3.5")
    assert score.spread == D(3)  # on the method's own scale: 5 - 2
    assert score.points == D(70)
    assert score.weighted == D("35.00")
    assert ranking.row(1).score(1).spread is None


def test_the_ranking_keeps_its_inputs_for_the_record() -> None:
    criteria = [price(1, "70", "linear_interpolation"), quality(2, "30")]
    prices = [bid(2, "150"), bid(1, "100")]
    given = [points(2, 2, "6"), points(1, 2, "4")]
    ranking = rank_lot(criteria, prices, given)
    assert ranking.criteria == tuple(criteria)
    assert ranking.prices == (bid(1, "100"), bid(2, "150"))
    assert ranking.quality == (points(1, 2, "4"), points(2, 2, "6"))
    assert ranking.abnormal_threshold == D("0.20")
    for row in ranking.rows:
        assert row.total_exact == sum((score.weighted_exact for score in row.scores), D(0))
        for score in row.scores:
            assert score.weighted_exact == score.criterion.weight * score.points / 100


def test_the_scoring_accepts_the_tender_enums() -> None:
    criteria = [
        CriterionSpec(1, CriterionKind.price, D("80"), ScoringMethod.lowest_price_ratio),
        CriterionSpec(2, CriterionKind.quality, D("20"), ScoringMethod.points_0_5),
    ]
    ranking = rank_lot(criteria, [bid(1, "50"), bid(2, "100")], [points(1, 2, "0"), points(2, 2, "5")])
    assert [(row.bid_id, row.total) for row in ranking.rows] == [(1, D("80.00")), (2, D("60.00"))]


def test_a_quality_only_lot_has_no_price_points() -> None:
    ranking = rank_lot(
        [quality(1, "100")], [bid(1, "10"), bid(2, "5")], [points(1, 1, "9"), points(2, 1, "3")]
    )
    assert ranking.row(1).price_points is None
    assert [(row.bid_id, row.total) for row in ranking.rows] == [(1, D("90.00")), (2, D("30.00"))]


def test_a_lot_without_bids_has_an_empty_ranking() -> None:
    ranking = rank_lot([price(1, "100")], [], [])
    assert ranking.rows == ()
    assert ranking.lowest_price is None


# -- rounding ------------------------------------------------------------------------------------


def test_exactly_half_a_cent_rounds_up() -> None:
    # 100 × 1 / 32 = 3.125: HALF_UP gives 3.13 (banker's rounding would give 3.12)
    ranking = rank_lot([price(1, "100")], [bid(1, "1.00"), bid(2, "32.00")], [])
    row = ranking.row(2)
    assert row.score(1).weighted_exact == D("3.125")
    assert row.score(1).weighted == D("3.13")
    assert row.total == D("3.13")


@pytest.mark.parametrize(
    ("mean", "expected"),
    [("0.1005", "1.01"), ("0.10049", "1.00"), ("0.1015", "1.02"), ("0.10051", "1.01")],
)
def test_totals_round_half_up_at_the_half_cent(mean: str, expected: str) -> None:
    ranking = rank_lot([quality(1, "100")], [bid(1, "10")], [points(1, 1, mean)])
    assert ranking.row(1).total == D(expected)


def test_repeating_quotients_stay_exact_until_the_end() -> None:
    ranking = rank_lot([price(1, "100")], [bid(1, "1"), bid(2, "3"), bid(3, "1.5")], [])
    assert ranking.row(2).total == D("33.33")
    assert ranking.row(3).total == D("66.67")


def test_the_total_is_rounded_from_the_exact_sum_not_from_the_rounded_parts() -> None:
    # each criterion: 0.5 × 10 × mean(0.2, 0.202) = 1.005 -> 1.01; the exact total 2.010 -> 2.01
    ranking = rank_lot(
        [quality(1, "50"), quality(2, "50")],
        [bid(1, "10")],
        [points(1, 1, "0.2", "0.202"), points(1, 2, "0.2", "0.202")],
    )
    row = ranking.row(1)
    assert [score.weighted for score in row.scores] == [D("1.01"), D("1.01")]
    assert row.total_exact == D("2.010")
    assert row.total == D("2.01")


# -- ties ----------------------------------------------------------------------------------------


def test_equal_rounded_totals_share_a_rank_and_the_next_rank_is_skipped() -> None:
    # 50.004 and 49.996 both round to 50.00: one rank, listed by the lower price first
    ranking = rank_lot(
        [quality(1, "100")],
        [bid(1, "200"), bid(2, "100"), bid(3, "100")],
        [points(1, 1, "5.0004"), points(2, 1, "4.9996"), points(3, 1, "4")],
    )
    assert [(row.bid_id, row.total, row.rank) for row in ranking.rows] == [
        (2, D("50.00"), 1),
        (1, D("50.00"), 1),
        (3, D("40.00"), 3),
    ]


def test_tied_bids_at_the_same_price_are_listed_by_bid_id_whatever_the_entry_order() -> None:
    criteria = [price(1, "50"), quality(2, "50")]
    for order in ([7, 3, 5], [5, 7, 3], [3, 5, 7]):
        ranking = rank_lot(
            criteria, [bid(n, "100") for n in order], [points(n, 2, "6", "8") for n in reversed(order)]
        )
        assert [(row.bid_id, row.rank) for row in ranking.rows] == [(3, 1), (5, 1), (7, 1)]


# -- weights and validation ----------------------------------------------------------------------


def test_weights_with_decimals_adding_up_to_100_are_accepted() -> None:
    ranking = rank_lot(
        [price(1, "33.33"), quality(2, "33.33"), quality(3, "33.34", "points_0_5")],
        [bid(1, "10")],
        [points(1, 2, "10"), points(1, 3, "5")],
    )
    assert ranking.row(1).total == D("100.00")


def test_weights_decide_between_a_cheap_and_a_good_bid() -> None:
    prices = [bid(1, "80"), bid(2, "100")]
    given = [points(1, 2, "5"), points(2, 2, "10")]
    by_price = rank_lot([price(1, "80"), quality(2, "20")], prices, given)
    by_quality = rank_lot([price(1, "20"), quality(2, "80")], prices, given)
    assert [row.bid_id for row in by_price.rows] == [1, 2]  # 90.00 against 84.00
    assert [row.bid_id for row in by_quality.rows] == [2, 1]  # 96.00 against 60.00


@pytest.mark.parametrize("weights", [("60", "30"), ("60", "50"), ("99.99", "0.02")])
def test_weights_not_adding_up_to_100_are_refused(weights: tuple[str, str]) -> None:
    total = D(weights[0]) + D(weights[1])
    with pytest.raises(ScoringError, match=rf"add up to 100 %, but {weights[0]} \+ {weights[1]} = {total} %"):
        rank_lot([price(1, weights[0]), quality(2, weights[1])], [bid(1, "10")], [points(1, 2, "5")])


@pytest.mark.parametrize("weight", ["0", "-10", "100.01", "NaN", "Infinity"])
def test_a_weight_outside_0_to_100_is_refused(weight: str) -> None:
    with pytest.raises(ScoringError, match="criterion 1"):
        price(1, weight)


def test_a_float_weight_is_refused() -> None:
    with pytest.raises(TypeError, match="must be a Decimal"):
        CriterionSpec(1, "price", 100.0, "lowest_price_ratio")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "method"),
    [("price", "points_0_10"), ("quality", "linear_interpolation"), ("beauty", "points_0_5")],
)
def test_a_method_must_fit_its_criterion_kind(kind: str, method: str) -> None:
    with pytest.raises(ScoringError, match="criterion 1"):
        CriterionSpec(1, kind, D(100), method)


def test_criterion_ids_must_be_unique() -> None:
    with pytest.raises(ScoringError, match="unique"):
        rank_lot([price(1, "50"), quality(1, "50")], [bid(1, "10")], [])


def test_a_lot_needs_a_criterion() -> None:
    with pytest.raises(ScoringError, match="at least one award criterion"):
        rank_lot([], [bid(1, "10")], [])


@pytest.mark.parametrize("amount", ["0", "-0.01", "NaN", "Infinity"])
def test_prices_must_be_above_zero(amount: str) -> None:
    with pytest.raises(ScoringError, match="price of bid 1"):
        bid(1, amount)


def test_a_float_price_is_refused() -> None:
    with pytest.raises(TypeError, match="must be a Decimal"):
        BidPrices(1, 99.99)  # type: ignore[arg-type]


def test_a_bid_has_one_price_per_lot() -> None:
    with pytest.raises(ScoringError, match="bid 1 has more than one price"):
        rank_lot([price(1, "100")], [bid(1, "10"), bid(1, "12")], [])


@pytest.mark.parametrize(
    ("method", "given"),
    [("points_0_10", "10.01"), ("points_0_10", "-1"), ("points_0_5", "5.5"), ("points_0_5", "6")],
)
def test_points_outside_the_methods_scale_are_refused(method: str, given: str) -> None:
    with pytest.raises(ScoringError, match="outside the scale"):
        rank_lot([quality(1, "100", method)], [bid(1, "10")], [points(1, 1, "1", given)])


def test_every_bid_needs_points_for_every_quality_criterion() -> None:
    with pytest.raises(ScoringError, match="bid 2 has no points for criterion 2"):
        rank_lot([price(1, "50"), quality(2, "50")], [bid(1, "10"), bid(2, "12")], [points(1, 2, "5")])


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ([points(1, 9, "5")], "unknown criterion 9"),
        ([points(1, 1, "5"), points(1, 2, "5")], "scored by price"),
        ([points(1, 2, "5"), points(4, 2, "5")], "bid 4, which has no price"),
        ([points(1, 2, "5"), points(1, 2, "6")], "more than one entry"),
    ],
)
def test_points_must_belong_to_a_bid_and_a_quality_criterion(
    given: list[QualityScores], message: str
) -> None:
    with pytest.raises(ScoringError, match=message):
        rank_lot([price(1, "50"), quality(2, "50")], [bid(1, "10")], given)


def test_points_need_at_least_one_evaluator() -> None:
    with pytest.raises(ScoringError, match="no evaluator points"):
        QualityScores(1, 2, [])


def test_the_scoring_module_loads_neither_the_database_nor_other_platform_modules() -> None:
    code = (
        "import sys, procurement.awards.scoring\n"
        "own = ('procurement.awards', 'procurement.awards.scoring')\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('flask_sqlalchemy', 'sqlalchemy')"
        " or m.startswith('procurement.') and m not in own]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603


# -- abnormally low prices (§60 VgV) -------------------------------------------------------------


def test_exactly_20_percent_below_the_next_bid_is_not_abnormally_low() -> None:
    assert abnormally_low([bid(1, "80.00"), bid(2, "100.00")]) == ()


def test_more_than_20_percent_below_the_next_bid_is_abnormally_low() -> None:
    (flag,) = abnormally_low([bid(2, "100.00"), bid(1, "79.99"), bid(3, "120.00")])
    assert (flag.bid_id, flag.price, flag.next_price) == (1, D("79.99"), D("100.00"))
    assert flag.gap == D("0.2001")
    assert flag.gap_percent == D("20.01")


def test_the_abnormally_low_threshold_is_configurable() -> None:
    prices = [bid(1, "85"), bid(2, "100")]
    assert abnormally_low(prices) == ()
    assert [flag.bid_id for flag in abnormally_low(prices, threshold=D("0.10"))] == [1]


def test_the_gap_is_measured_to_the_next_higher_price() -> None:
    # 50 is 50 % below 100; 100 is only 9.09 % below 110; the highest price is never flagged
    flags = abnormally_low([bid(1, "50"), bid(2, "100"), bid(3, "110"), bid(4, "50")])
    assert [(flag.bid_id, flag.next_price, flag.gap_percent) for flag in flags] == [
        (1, D(100), D("50.00")),
        (4, D(100), D("50.00")),
    ]


def test_a_single_bid_is_never_abnormally_low() -> None:
    assert abnormally_low([bid(1, "1")]) == ()


@pytest.mark.parametrize("threshold", ["-0.01", "1", "NaN"])
def test_the_threshold_must_be_a_share_below_one(threshold: str) -> None:
    with pytest.raises(ScoringError, match="threshold"):
        abnormally_low([bid(1, "1")], threshold=D(threshold))


def test_the_ranking_flags_abnormally_low_bids() -> None:
    ranking = rank_lot([price(1, "100")], [bid(1, "70"), bid(2, "100"), bid(3, "110")], [])
    assert ranking.row(1).abnormally_low is not None
    assert ranking.row(1).abnormally_low.gap_percent == D("30.00")
    assert ranking.row(2).abnormally_low is None
    assert [flag.bid_id for flag in ranking.abnormally_low] == [1]
    relaxed = rank_lot([price(1, "100")], [bid(1, "70"), bid(2, "100")], [], abnormal_threshold=D("0.40"))
    assert relaxed.abnormally_low == ()


# -- properties ----------------------------------------------------------------------------------

PRICES = st.integers(1, 10**9).map(lambda cents: D(cents).scaleb(-2))  # 0.01 .. 10,000,000.00 EUR


@st.composite
def lots(draw: st.DrawFn) -> tuple[list[CriterionSpec], list[BidPrices], list[QualityScores]]:
    """A lot with one price criterion, up to three quality criteria and up to eight bids."""
    count = draw(st.integers(1, 4))
    cuts = sorted(draw(st.sets(st.integers(1, 9999), min_size=count - 1, max_size=count - 1)))
    bounds = [0, *cuts, 10000]
    weights = [D(high - low).scaleb(-2) for low, high in zip(bounds, bounds[1:], strict=False)]
    criteria = [price(1, "1", draw(st.sampled_from(["lowest_price_ratio", "linear_interpolation"])))]
    criteria += [
        quality(n, "1", draw(st.sampled_from(["points_0_10", "points_0_5"]))) for n in range(2, count + 1)
    ]
    criteria = [
        CriterionSpec(c.id, c.kind, weight, c.method) for c, weight in zip(criteria, weights, strict=True)
    ]
    bid_ids = draw(st.lists(st.integers(1, 10**6), min_size=1, max_size=8, unique=True))
    prices = [BidPrices(bid_id, draw(PRICES)) for bid_id in bid_ids]
    given = []
    for bid_id in bid_ids:
        for criterion in criteria[1:]:
            top = 10 if criterion.method == "points_0_10" else 5
            halves = st.integers(0, 2 * top).map(lambda n: D(n) / 2)
            given.append(QualityScores(bid_id, criterion.id, draw(st.lists(halves, min_size=1, max_size=3))))
    return criteria, prices, given


@PROPERTY
@given(lots(), st.randoms(use_true_random=False))
def test_the_ranking_never_depends_on_the_order_bids_were_entered(lot, random) -> None:  # type: ignore[no-untyped-def]
    criteria, prices, given = lot
    ranking = rank_lot(criteria, prices, given)
    random.shuffle(prices)
    random.shuffle(given)
    assert rank_lot(criteria, prices, given) == ranking


@PROPERTY
@given(lots())
def test_every_total_lies_between_0_and_100(lot) -> None:  # type: ignore[no-untyped-def]
    ranking = rank_lot(*lot)
    for row in ranking.rows:
        assert D(0) <= row.total_exact <= D(100)
        assert D(0) <= row.total <= D(100)
        assert row.total == row.total.quantize(D("0.01"))
        assert row.rank == 1 + sum(other.total > row.total for other in ranking.rows)


@PROPERTY
@given(lots(), st.data())
def test_a_cheaper_bid_with_equal_quality_never_ranks_worse(lot, data) -> None:  # type: ignore[no-untyped-def]
    criteria, prices, given = lot
    model = data.draw(st.sampled_from(prices))
    cents = int(model.price.scaleb(2))
    assume(cents > 1)
    cheaper_price = D(data.draw(st.integers(1, cents - 1))).scaleb(-2)
    cheaper_id = max(entry.bid_id for entry in prices) + 1
    prices.append(BidPrices(cheaper_id, cheaper_price))
    given += [
        QualityScores(cheaper_id, entry.criterion_id, entry.points)
        for entry in given
        if entry.bid_id == model.bid_id
    ]
    ranking = rank_lot(criteria, prices, given)
    assert ranking.row(cheaper_id).rank <= ranking.row(model.bid_id).rank
    order = [row.bid_id for row in ranking.rows]
    assert order.index(cheaper_id) < order.index(model.bid_id)


@PROPERTY
@given(lots())
def test_the_lowest_price_always_gets_100_price_points(lot) -> None:  # type: ignore[no-untyped-def]
    ranking = rank_lot(*lot)
    lowest = min(entry.price for entry in lot[1])
    for row in ranking.rows:
        if row.price == lowest:
            assert row.price_points == D(100)
        else:
            assert D(0) <= row.price_points < D(100)
