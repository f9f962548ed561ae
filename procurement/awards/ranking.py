"""The ranking of a lot from the database: admitted bids' prices and the evaluators' points,
scored by ``procurement.awards.scoring`` with the criteria published with the notice (§58 VgV).

Only admitted bids are ranked; bids still under review are listed as pending, excluded bids not
at all. The §60 VgV check runs over the same admitted prices.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from flask import current_app
from sqlalchemy import select

from procurement.awards.models import Offer, QualityScore
from procurement.awards.scoring import (
    ABNORMAL_THRESHOLD,
    BidPrices,
    CriterionSpec,
    LotRanking,
    QualityScores,
    ScoringError,
    rank_lot,
)
from procurement.bids.models import Bid
from procurement.extensions import db
from procurement.tenders.models import CriterionKind, Lot, Tender
from workflows.bid import BidStatus


def abnormal_threshold() -> Decimal:
    try:
        return Decimal(current_app.config.get("ABNORMALLY_LOW_THRESHOLD", ABNORMAL_THRESHOLD))
    except RuntimeError:  # outside an app context (pure tests)
        return ABNORMAL_THRESHOLD


def criterion_specs(tender: Tender) -> list[CriterionSpec]:
    return [
        CriterionSpec(
            criterion.id, criterion.kind.value, Decimal(criterion.weight), criterion.scoring_method.value
        )
        for criterion in tender.criteria
    ]


def offers_of_lot(lot: Lot, statuses: tuple[BidStatus, ...] = (BidStatus.admitted,)) -> list[Offer]:
    """The offers for ``lot`` of bids in ``statuses``, by bid id."""
    return list(
        db.session.scalars(
            select(Offer)
            .join(Bid, Bid.id == Offer.bid_id)
            .where(Offer.lot_id == lot.id, Bid.status.in_(statuses))
            .order_by(Offer.bid_id)
        )
    )


def quality_points(tender: Tender, bid_ids: list[int]) -> dict[tuple[int, int], list[Decimal]]:
    """(bid id, criterion id) -> the points of every evaluator, in the order they were entered."""
    points: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    if not bid_ids:
        return points
    rows = db.session.scalars(
        select(QualityScore)
        .where(QualityScore.tender_id == tender.id, QualityScore.bid_id.in_(bid_ids))
        .order_by(QualityScore.id)
    )
    for row in rows:
        points[(row.bid_id, row.criterion_id)].append(Decimal(row.points))
    return points


@dataclass
class LotResult:
    """The ranking of one lot, or why it cannot be ranked yet."""

    lot: Lot
    offers: list[Offer]
    ranking: Optional[LotRanking] = None
    missing: list[tuple[int, int]] = field(default_factory=list)  # (bid id, criterion id) without points
    error: str = ""

    @property
    def complete(self) -> bool:
        return self.ranking is not None


def rank(tender: Tender, lot: Lot) -> LotResult:
    """Rank the admitted bids of ``lot``; report missing quality points instead of guessing."""
    offers = offers_of_lot(lot)
    specs = criterion_specs(tender)
    quality_ids = [c.id for c in tender.criteria if c.kind is CriterionKind.quality]
    points = quality_points(tender, [offer.bid_id for offer in offers])
    missing = [
        (offer.bid_id, criterion_id)
        for offer in offers
        for criterion_id in quality_ids
        if not points.get((offer.bid_id, criterion_id))
    ]
    result = LotResult(lot, offers, missing=missing)
    if missing:
        return result
    quality = [
        QualityScores(offer.bid_id, criterion_id, points[(offer.bid_id, criterion_id)])
        for offer in offers
        for criterion_id in quality_ids
    ]
    try:
        result.ranking = rank_lot(
            specs,
            [BidPrices(offer.bid_id, Decimal(offer.price)) for offer in offers],
            quality,
            abnormal_threshold(),
        )
    except ScoringError as err:
        result.error = str(err)
    return result
