"""Score and rank the bids of one lot (§58 VgV) and flag abnormally low prices (§60 VgV).

Pure computation on plain values (no database, no request): the service maps the tender's
criteria, the opened bids' prices and the evaluators' points to the input dataclasses below, and
the page, the award proposal and the §134 GWB letters all read the same `LotRanking`.

Scale: every criterion is first scored on a common scale of 0..100 points ("normalised points"),
then weighted by its published weight in percent:

- price, ``lowest_price_ratio``: 100 × lowest price / price;
- price, ``linear_interpolation``: 100 × (1 − (price − lowest) / lowest), floored at 0 (the
  lowest price gets 100, double the lowest price and anything above it 0, linear in between);
- quality, ``points_0_10``: mean evaluator points × 10; ``points_0_5``: mean × 20. The points of
  a criterion for a bid are the mean of its evaluators' points; the spread (max − min, on the
  method's own scale) shows how far the evaluators disagree;
- weighted points = weight / 100 × normalised points; total = Σ weighted points (0..100).

Rounding rule: every intermediate value is kept exact in Decimal (products and sums are exact;
quotients carry 60 significant digits, far more than could ever move a cent). Only at the end
each criterion's weighted points and the total are rounded ROUND_HALF_UP to 2 decimal places.
The total is rounded from the exact sum, so the displayed criterion points may differ from the
displayed total by a cent per criterion; the exact values stay in the result for the record.

Ranking: by the rounded total, highest first. Equal rounded totals share a rank (standard
competition ranking "1, 1, 3"). Tied bids are listed by lower price, then lower bid id, so the
order never depends on the order the bids were entered; that order is for display only, the
officer decides a tie.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from itertools import pairwise
from typing import TYPE_CHECKING, Optional, Union

if TYPE_CHECKING:  # only for the hints: this module must not import the database models
    from procurement.tenders.models import CriterionKind, ScoringMethod

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MAX_POINTS = HUNDRED  # the common scale every criterion is normalised to
ABNORMAL_THRESHOLD = Decimal("0.20")  # §60 VgV: commonly flagged at more than 20 % below the next bid

PRICE = "price"
QUALITY = "quality"
PRICE_METHODS = frozenset({"lowest_price_ratio", "linear_interpolation"})
QUALITY_SCALES = {"points_0_10": Decimal(10), "points_0_5": Decimal(5)}  # method -> highest points

_EXACT = Context(prec=60, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])


class ScoringError(ValueError):
    """The scoring inputs are inconsistent (weights, prices, points); nothing was ranked."""


def _value(member: object) -> str:
    """Return the value of a CriterionKind / ScoringMethod member, or the string itself."""
    value = getattr(member, "value", member)
    if not isinstance(value, str):
        raise ScoringError(f"expected a CriterionKind/ScoringMethod or its value, got {member!r}")
    return value


def _decimal(value: object, what: str) -> Decimal:
    if not isinstance(value, Decimal):
        # floats would carry binary rounding errors into the points
        raise TypeError(f"{what} must be a Decimal, got {type(value).__name__} {value!r}")
    if not value.is_finite():
        raise ScoringError(f"{what} must be a finite number, got {value}")
    return value


def _round(value: Decimal) -> Decimal:
    with localcontext(_EXACT):
        return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CriterionSpec:
    """One published award criterion: its kind, weight in percent and scoring method."""

    id: int
    kind: Union[CriterionKind, str]
    weight: Decimal  # percent, > 0; all criteria of a lot add up to exactly 100
    method: Union[ScoringMethod, str]

    def __post_init__(self) -> None:
        weight = _decimal(self.weight, f"the weight of criterion {self.id}")
        if weight <= 0 or weight > HUNDRED:
            raise ScoringError(
                f"the weight of criterion {self.id} must be above 0 and at most 100, not {weight}"
            )
        kind, method = _value(self.kind), _value(self.method)
        if kind == PRICE:
            if method not in PRICE_METHODS:
                raise ScoringError(f"criterion {self.id}: {method!r} is not a price scoring method")
        elif kind == QUALITY:
            if method not in QUALITY_SCALES:
                raise ScoringError(f"criterion {self.id}: {method!r} is not a quality scoring method")
        else:
            raise ScoringError(f"criterion {self.id}: unknown criterion kind {kind!r}")

    @property
    def is_price(self) -> bool:
        return _value(self.kind) == PRICE

    @property
    def method_name(self) -> str:
        return _value(self.method)


@dataclass(frozen=True)
class BidPrices:
    """The total net price in EUR of one bid for the lot being ranked."""

    bid_id: int
    price: Decimal

    def __post_init__(self) -> None:
        price = _decimal(self.price, f"the price of bid {self.bid_id}")
        if price <= 0:
            raise ScoringError(f"the price of bid {self.bid_id} must be above 0 EUR, not {price}")


@dataclass(frozen=True)
class QualityScores:
    """The points each evaluator gave one bid for one quality criterion."""

    bid_id: int
    criterion_id: int
    points: Sequence[Decimal]

    def __post_init__(self) -> None:
        # a tuple keeps the frozen dataclass hashable and the record unchangeable
        object.__setattr__(self, "points", tuple(self.points))
        if not self.points:
            raise ScoringError(f"bid {self.bid_id}, criterion {self.criterion_id}: no evaluator points")
        for point in self.points:
            _decimal(point, f"the points of bid {self.bid_id} for criterion {self.criterion_id}")

    @property
    def mean(self) -> Decimal:
        with localcontext(_EXACT):
            return sum(self.points, Decimal(0)) / len(self.points)

    @property
    def spread(self) -> Decimal:
        return max(self.points) - min(self.points)


@dataclass(frozen=True)
class CriterionScore:
    """One criterion's points for one bid, from its input to the weighted result."""

    criterion: CriterionSpec
    basis: Decimal  # the price in EUR, or the mean evaluator points on the method's scale
    points: Decimal  # normalised to 0..100, exact
    weighted_exact: Decimal  # weight / 100 × points, exact
    weighted: Decimal  # rounded HALF_UP to cents
    evaluator_points: tuple[Decimal, ...] = ()  # quality only
    spread: Optional[Decimal] = None  # quality only: max − min of the evaluator points


@dataclass(frozen=True)
class AbnormallyLowPrice:
    """§60 VgV: a price more than the threshold below the next higher price of the lot."""

    bid_id: int
    price: Decimal
    next_price: Decimal
    gap: Decimal  # (next price − price) / next price, exact
    gap_percent: Decimal  # 100 × gap rounded HALF_UP to 2 places, for display


@dataclass(frozen=True)
class BidRanking:
    """One bid's place in the lot ranking with every number that led to it."""

    bid_id: int
    price: Decimal
    rank: int
    total: Decimal  # rounded HALF_UP to cents; the ranking uses this
    total_exact: Decimal
    scores: tuple[CriterionScore, ...]  # in the order of the criteria
    abnormally_low: Optional[AbnormallyLowPrice] = None

    @property
    def price_points(self) -> Optional[Decimal]:
        """Return the normalised points of the (first) price criterion, None without one."""
        for score in self.scores:
            if score.criterion.is_price:
                return score.points
        return None

    def score(self, criterion_id: int) -> CriterionScore:
        for score in self.scores:
            if score.criterion.id == criterion_id:
                return score
        raise KeyError(criterion_id)


@dataclass(frozen=True)
class LotRanking:
    """The ranking of one lot and its inputs (in a canonical order, whatever the entry order)."""

    criteria: tuple[CriterionSpec, ...]
    prices: tuple[BidPrices, ...]  # by bid id
    quality: tuple[QualityScores, ...]  # by bid id, then criterion id
    abnormal_threshold: Decimal
    lowest_price: Optional[Decimal]
    rows: tuple[BidRanking, ...] = field(default=())  # best first

    @property
    def first_ranked(self) -> tuple[BidRanking, ...]:
        return tuple(row for row in self.rows if row.rank == 1)

    @property
    def abnormally_low(self) -> tuple[AbnormallyLowPrice, ...]:
        return tuple(row.abnormally_low for row in self.rows if row.abnormally_low is not None)

    def row(self, bid_id: int) -> BidRanking:
        for row in self.rows:
            if row.bid_id == bid_id:
                return row
        raise KeyError(bid_id)


def price_points(method: Union[ScoringMethod, str], price: Decimal, lowest: Decimal) -> Decimal:
    """Return the exact price points (0..100) of a price by a price scoring method."""
    name = _value(method)
    with localcontext(_EXACT):
        if name == "lowest_price_ratio":
            return MAX_POINTS * lowest / price
        if name == "linear_interpolation":
            # the lowest price gets 100, double the lowest price 0, linear in between
            return max(Decimal(0), MAX_POINTS * (1 - (price - lowest) / lowest))
    raise ScoringError(f"{name!r} is not a price scoring method")


def quality_points(method: Union[ScoringMethod, str], mean: Decimal) -> Decimal:
    """Return the exact normalised points (0..100) of mean evaluator points on a method's scale."""
    name = _value(method)
    if name not in QUALITY_SCALES:
        raise ScoringError(f"{name!r} is not a quality scoring method")
    with localcontext(_EXACT):
        return mean * (MAX_POINTS / QUALITY_SCALES[name])


def check_weights(criteria: Sequence[CriterionSpec]) -> None:
    """Refuse criteria without a weight sum of exactly 100 % or with repeated ids (§58 VgV)."""
    if not criteria:
        raise ScoringError("a lot needs at least one award criterion (§58 VgV)")
    ids = [criterion.id for criterion in criteria]
    if len(set(ids)) != len(ids):
        raise ScoringError(f"criterion ids must be unique, got {ids}")
    total = sum((criterion.weight for criterion in criteria), Decimal(0))
    if total != HUNDRED:
        weights = " + ".join(str(criterion.weight) for criterion in criteria)
        raise ScoringError(f"the criteria weights must add up to 100 %, but {weights} = {total} %")


def _check_prices(prices: Iterable[BidPrices]) -> tuple[BidPrices, ...]:
    canonical = tuple(sorted(prices, key=lambda entry: entry.bid_id))
    for before, after in pairwise(canonical):
        if before.bid_id == after.bid_id:
            raise ScoringError(f"bid {after.bid_id} has more than one price for the lot")
    return canonical


def abnormally_low(
    prices: Iterable[BidPrices], threshold: Decimal = ABNORMAL_THRESHOLD
) -> tuple[AbnormallyLowPrice, ...]:
    """Return the bids priced more than `threshold` below the next higher price (§60 VgV).

    The gap is measured against the next higher distinct price: (next − price) / next. Exactly
    the threshold is not abnormal. Bids at the same price are flagged (or not) together; the
    highest price has no next bid and is never flagged. Lowest price first.
    """
    threshold = _decimal(threshold, "the abnormally-low threshold")
    if not Decimal(0) <= threshold < 1:
        raise ScoringError(f"the abnormally-low threshold must be a share from 0 to below 1, not {threshold}")
    canonical = _check_prices(prices)
    distinct = sorted({entry.price for entry in canonical})
    next_higher = dict(pairwise(distinct))
    flagged = []
    with localcontext(_EXACT):
        for entry in sorted(canonical, key=lambda item: (item.price, item.bid_id)):
            following = next_higher.get(entry.price)
            if following is None:
                continue
            gap = (following - entry.price) / following
            if gap > threshold:
                flagged.append(
                    AbnormallyLowPrice(entry.bid_id, entry.price, following, gap, _round(gap * HUNDRED))
                )
    return tuple(flagged)


def rank_lot(
    criteria: Sequence[CriterionSpec],
    prices: Iterable[BidPrices],
    quality: Iterable[QualityScores],
    abnormal_threshold: Decimal = ABNORMAL_THRESHOLD,
) -> LotRanking:
    """Score every bid of one lot by the published criteria and rank them (§58 VgV).

    Every bid needs exactly one entry of evaluator points per quality criterion; points outside
    the method's scale, unknown bids or criteria and weights not adding up to 100 are refused.
    """
    criteria = tuple(criteria)
    check_weights(criteria)
    canonical_prices = _check_prices(prices)
    bid_ids = {entry.bid_id for entry in canonical_prices}
    by_id = {criterion.id: criterion for criterion in criteria}
    canonical_quality = tuple(sorted(quality, key=lambda entry: (entry.bid_id, entry.criterion_id)))
    scores_of: dict[tuple[int, int], QualityScores] = {}
    for entry in canonical_quality:
        criterion = by_id.get(entry.criterion_id)
        if criterion is None:
            raise ScoringError(f"bid {entry.bid_id}: points for unknown criterion {entry.criterion_id}")
        if criterion.is_price:
            raise ScoringError(
                f"bid {entry.bid_id}: criterion {entry.criterion_id} is scored by price, not by points"
            )
        if entry.bid_id not in bid_ids:
            raise ScoringError(f"points for bid {entry.bid_id}, which has no price for the lot")
        if (entry.bid_id, entry.criterion_id) in scores_of:
            raise ScoringError(
                f"bid {entry.bid_id}: more than one entry of points for criterion {entry.criterion_id}"
            )
        highest = QUALITY_SCALES[criterion.method_name]
        for point in entry.points:
            if not Decimal(0) <= point <= highest:
                raise ScoringError(
                    f"bid {entry.bid_id}, criterion {entry.criterion_id}: {point} points are outside "
                    f"the scale 0 to {highest} ({criterion.method_name})"
                )
        scores_of[(entry.bid_id, entry.criterion_id)] = entry

    flags = {flag.bid_id: flag for flag in abnormally_low(canonical_prices, abnormal_threshold)}
    if not canonical_prices:
        return LotRanking(criteria, (), canonical_quality, abnormal_threshold, None)
    lowest = min(entry.price for entry in canonical_prices)
    unranked = []
    with localcontext(_EXACT):
        for entry in canonical_prices:
            scores = []
            for criterion in criteria:
                if criterion.is_price:
                    basis = entry.price
                    points = price_points(criterion.method, entry.price, lowest)
                    evaluator_points: tuple[Decimal, ...] = ()
                    spread = None
                else:
                    given = scores_of.get((entry.bid_id, criterion.id))
                    if given is None:
                        raise ScoringError(f"bid {entry.bid_id} has no points for criterion {criterion.id}")
                    basis = given.mean
                    points = quality_points(criterion.method, basis)
                    evaluator_points = tuple(given.points)
                    spread = given.spread
                weighted_exact = criterion.weight * points / HUNDRED
                scores.append(
                    CriterionScore(
                        criterion,
                        basis,
                        points,
                        weighted_exact,
                        _round(weighted_exact),
                        evaluator_points,
                        spread,
                    )
                )
            total_exact = sum((score.weighted_exact for score in scores), Decimal(0))
            unranked.append((entry, tuple(scores), total_exact, _round(total_exact)))

    unranked.sort(key=lambda item: (-item[3], item[0].price, item[0].bid_id))
    rows = []
    for position, (entry, scores, total_exact, total) in enumerate(unranked):
        # standard competition ranking: a tie shares the rank of its first bid, the next rank skips
        rank = rows[-1].rank if rows and rows[-1].total == total else position + 1
        rows.append(
            BidRanking(entry.bid_id, entry.price, rank, total, total_exact, scores, flags.get(entry.bid_id))
        )
    return LotRanking(criteria, canonical_prices, canonical_quality, abnormal_threshold, lowest, tuple(rows))
