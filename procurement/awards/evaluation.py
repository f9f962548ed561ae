"""The evaluation of opened bids by the lead's officers (§§56-60 VgV): review, §60 explanations,
quality points, and what still stands between a lot and its award proposal.

- Review (§57 VgV): every opened bid is admitted to the scoring or excluded with a ground of
  `ExclusionGround` and a mandatory reason; a decision can be taken back (``reconsider``) while
  the tender is in evaluation. The bid's status moves through ``workflows.bid`` (`fire_bid`,
  audited as ``bid.<trigger>``), the decision itself is audited as ``evaluation.<action>``.
- §60 VgV: an admitted bid's offer for a lot is flagged when its price is more than the
  configured share (``ABNORMALLY_LOW_THRESHOLD``) below the next higher admitted price, exactly
  as the ranking flags it. The officer records the vendor's explanation and accepts it, or
  rejects it, which excludes the bid with the ground ``abnormally_low`` in the same transaction.
  An exclusion for ``abnormally_low`` needs a recorded explanation (query before rejection).
- Quality points: every officer of the lead is an evaluator and enters points per admitted bid
  and quality criterion, within the scale of the criterion's method, with a justification.
  Every evaluator who has started scoring must score every ranked bid of a lot, so that each
  bid's mean is taken over the same evaluators (`ready_for_award` says who is missing what).
- `ready_for_award(tender, lot)` lists in German why a lot cannot be proposed yet (empty when it
  can); `unexplained_abnormal_offers(tender, lot)` the flagged offers without an accepted
  explanation. Both are used by the award proposal.

Permission checks are here (``procurement.awards.permissions``); the views only map errors.
Stale forms: review forms carry the bid's version, score forms the score as the officer saw it;
a mismatch is a 409 and changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from procurement.accounts.models import User
from procurement.accounts.services import active_officers
from procurement.awards.models import (
    BidReview,
    DocumentRequest,
    ExclusionGround,
    Offer,
    QualityScore,
    RequestStatus,
)
from procurement.awards.permissions import can_evaluate, can_view_evaluation
from procurement.awards.ranking import LotResult, abnormal_threshold, offers_of_lot, rank
from procurement.awards.scoring import QUALITY_SCALES, AbnormallyLowPrice, BidPrices, abnormally_low
from procurement.awards.services import audit_evaluation
from procurement.bids.models import Bid
from procurement.bids.services import audit_bid
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.tenders.models import Criterion, CriterionKind, Lot, Tender
from procurement.web import TRIGGER_LABELS
from workflows.bid import BID, BidStatus
from workflows.tender import TenderStatus

MAX_REASON_LENGTH = 10000
CENT = Decimal("0.01")
# a spread of evaluator points above this share of the scale is highlighted (3 points on 0..10)
SPREAD_WARNING_SHARE = Decimal("0.3")

# bids the evaluation deals with: opened and later (not drafts, withdrawn, superseded)
REVIEWED_STATES = (BidStatus.opened, BidStatus.admitted, BidStatus.excluded)
EVALUATED_STATES = (*REVIEWED_STATES, BidStatus.successful, BidStatus.unsuccessful)

EXCLUSION_GROUND_LABELS = {
    ExclusionGround.form_or_deadline: _l(
        "Form- oder fristwidrig eingegangen, nicht lesbar (§ 57 Abs. 1 Nr. 1 VgV)"
    ),
    ExclusionGround.missing_documents: _l(
        "Geforderte Unterlagen fehlen, auch nach Nachforderung (§ 57 Abs. 1 Nr. 2 VgV)"
    ),
    ExclusionGround.unclear_changes: _l(
        "Änderungen des Bieters an seinen Eintragungen nicht zweifelsfrei (§ 57 Abs. 1 Nr. 3 VgV)"
    ),
    ExclusionGround.changed_documents: _l(
        "Änderungen oder Ergänzungen an den Vergabeunterlagen (§ 57 Abs. 1 Nr. 4 VgV)"
    ),
    ExclusionGround.missing_prices: _l("Erforderliche Preisangaben fehlen (§ 57 Abs. 1 Nr. 5 VgV)"),
    ExclusionGround.inadmissible_variant: _l("Nicht zugelassenes Nebenangebot (§ 57 Abs. 1 Nr. 6 VgV)"),
    ExclusionGround.mandatory_ground: _l("Zwingender Ausschlussgrund (§ 123 GWB)"),
    ExclusionGround.optional_ground: _l("Fakultativer Ausschlussgrund (§ 124 GWB)"),
    ExclusionGround.not_suitable: _l("Eignung nicht nachgewiesen (§ 122 GWB, § 42 VgV)"),
    ExclusionGround.abnormally_low: _l("Ungewöhnlich niedriger Preis (§ 60 Abs. 3 VgV)"),
}

TRIGGER_LABELS.setdefault((BID.name, "admit"), _l("Angebot zulassen"))
TRIGGER_LABELS.setdefault((BID.name, "exclude"), _l("Angebot ausschließen"))
TRIGGER_LABELS.setdefault((BID.name, "reconsider"), _l("Entscheidung zurücknehmen"))


# --- loading and the bid machine -----------------------------------------------------------


def ensure_may_view(actor: Optional[User], tender: Tender) -> None:
    if not can_view_evaluation(actor, tender):
        raise PermissionDenied(_("Die Wertung der Angebote ist Sache der Vergabestelle des Auftraggebers."))


def ensure_may_evaluate(actor: Optional[User], tender: Tender) -> None:
    ensure_may_view(actor, tender)
    if not can_evaluate(actor, tender):
        raise Conflict(
            _(
                "Die Wertung ist abgeschlossen: Entscheidungen, Punkte und Aufklärungen können nur "
                "geändert werden, solange die Ausschreibung in der Wertung ist."
            )
        )


def load_bid(actor: Optional[User], tender: Tender, bid_id: int) -> Bid:
    """An opened bid of ``tender`` that ``actor`` may evaluate or read."""
    ensure_may_view(actor, tender)
    bid = db.session.get(Bid, bid_id)
    if bid is None or bid.tender_id != tender.id or bid.status not in EVALUATED_STATES:
        raise NotFound(_("Dieses Angebot gibt es nicht."))
    return bid


def review_of(bid: Bid) -> BidReview:
    review = db.session.get(BidReview, bid.id)
    if review is None:  # opened before reviews existed: make one now
        review = BidReview(bid_id=bid.id, tender_id=bid.tender_id)
        db.session.add(review)
        db.session.flush()
    return review


def fire_bid(actor: Optional[User], bid: Bid, trigger: str, now: datetime, **after: Any) -> Bid:
    """Fire ``trigger`` on the bid machine and audit the move; permission checks are the caller's."""
    before = bid.status.value
    BID.fire(bid, trigger, now)
    db.session.flush()
    audit_bid(trigger, actor, bid, now, before={"status": before}, after={"status": bid.status.value} | after)
    return bid


def _check_version(bid: Bid, version: Optional[int]) -> None:
    if version is not None and version != bid.version:
        raise Conflict(
            _(
                "Jemand anderes hat dieses Angebot gerade bearbeitet. Ihre Änderung wurde nicht "
                "gespeichert. Bitte laden Sie die Seite neu und prüfen Sie den aktuellen Stand."
            )
        )


def _reason(text: str, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise DomainError(_("Bitte begründen Sie die Entscheidung."))
    if len(text) > MAX_REASON_LENGTH:
        raise DomainError(_("Die Begründung ist zu lang (höchstens %(n)d Zeichen).", n=MAX_REASON_LENGTH))
    return text


# --- review (§57 VgV) ------------------------------------------------------------------------


def admit(
    actor: User, tender: Tender, bid: Bid, reason: str, now: datetime, version: Optional[int] = None
) -> BidReview:
    """Admit an opened bid to the scoring (refused while a §56 request is open)."""
    ensure_may_evaluate(actor, tender)
    _check_version(bid, version)
    text = _reason(reason, required=False)
    fire_bid(actor, bid, "admit", now)
    review = review_of(bid)
    review.exclusion_ground = None
    review.reason = text
    review.decided_by_id = actor.id
    review.decided_at = now
    db.session.flush()
    audit_evaluation("bid_admitted", actor, tender, now, "bid", bid.id, after={"reason": text})
    return review


def exclude(
    actor: User,
    tender: Tender,
    bid: Bid,
    ground: ExclusionGround,
    reason: str,
    now: datetime,
    version: Optional[int] = None,
) -> BidReview:
    """Exclude a bid with a ground and a reason; ``abnormally_low`` needs a recorded explanation."""
    ensure_may_evaluate(actor, tender)
    _check_version(bid, version)
    text = _reason(reason, required=True)
    if not isinstance(ground, ExclusionGround):
        raise DomainError(_("Bitte wählen Sie einen Ausschlussgrund."))
    if ground is ExclusionGround.abnormally_low and not _has_recorded_explanation(bid):
        raise Conflict(
            _(
                "Ein Ausschluss wegen eines ungewöhnlich niedrigen Preises setzt voraus, dass der "
                "Bieter zuvor um Aufklärung gebeten und seine Erklärung erfasst wurde (§ 60 Abs. 1 "
                "und 3 VgV)."
            )
        )
    before = bid.status.value
    fire_bid(actor, bid, "exclude", now, ground=ground.value)
    review = review_of(bid)
    review.exclusion_ground = ground
    review.reason = text
    review.decided_by_id = actor.id
    review.decided_at = now
    db.session.flush()
    audit_evaluation(
        "bid_excluded",
        actor,
        tender,
        now,
        "bid",
        bid.id,
        before={"status": before},
        after={"ground": ground.value, "reason": text},
    )
    return review


def reconsider(
    actor: User, tender: Tender, bid: Bid, now: datetime, version: Optional[int] = None
) -> BidReview:
    """Take an admission or exclusion back: the bid is pending again."""
    ensure_may_evaluate(actor, tender)
    _check_version(bid, version)
    review = review_of(bid)
    before = {
        "status": bid.status.value,
        "ground": review.exclusion_ground.value if review.exclusion_ground else None,
        "reason": review.reason,
    }
    fire_bid(actor, bid, "reconsider", now)
    review.exclusion_ground = None
    review.reason = ""
    review.decided_by_id = actor.id
    review.decided_at = None
    db.session.flush()
    audit_evaluation("bid_reconsidered", actor, tender, now, "bid", bid.id, before=before)
    return review


# --- §60 VgV: abnormally low prices ------------------------------------------------------------


def abnormal_flags(lot: Lot) -> dict[int, AbnormallyLowPrice]:
    """bid id -> the §60 flag of its admitted offer for ``lot`` (the ranking's own rule)."""
    offers = offers_of_lot(lot)
    flags = abnormally_low([BidPrices(o.bid_id, Decimal(o.price)) for o in offers], abnormal_threshold())
    return {flag.bid_id: flag for flag in flags}


def flagged_offers(tender: Tender, lot: Lot) -> list[tuple[Offer, AbnormallyLowPrice]]:
    flags = abnormal_flags(lot)
    return [(offer, flags[offer.bid_id]) for offer in offers_of_lot(lot) if offer.bid_id in flags]


def unexplained_abnormal_offers(tender: Tender, lot: Lot) -> list[Offer]:
    """The lot's flagged offers of admitted bids without an accepted explanation (§60 VgV)."""
    return [offer for offer, _flag in flagged_offers(tender, lot) if offer.explanation_accepted is not True]


def _has_recorded_explanation(bid: Bid) -> bool:
    return (
        db.session.scalar(
            select(Offer.id)
            .where(Offer.bid_id == bid.id, Offer.explanation_recorded_at.is_not(None))
            .limit(1)
        )
        is not None
    )


def load_offer(tender: Tender, bid: Bid, lot_id: int) -> Offer:
    offer = db.session.scalars(select(Offer).where(Offer.bid_id == bid.id, Offer.lot_id == lot_id)).first()
    if offer is None or offer.tender_id != tender.id:
        raise NotFound(_("Dieses Angebot hat keinen Preis für dieses Los."))
    return offer


def record_explanation(
    actor: User,
    tender: Tender,
    offer: Offer,
    explanation: str,
    accepted: bool,
    now: datetime,
    exclusion_reason: str = "",
    version: Optional[int] = None,
) -> Offer:
    """Record the vendor's explanation of a flagged price and the officer's assessment.

    Rejecting it excludes the bid (ground ``abnormally_low``) in the same transaction; the
    exclusion reason defaults to the explanation's assessment.
    """
    ensure_may_evaluate(actor, tender)
    bid = offer.bid
    _check_version(bid, version)
    if offer.bid_id not in abnormal_flags(offer.lot):
        raise Conflict(
            _(
                "Dieser Preis gilt derzeit nicht als ungewöhnlich niedrig: eine Aufklärung nach "
                "§ 60 VgV ist nicht zu erfassen."
            )
        )
    text = (explanation or "").strip()
    if not text:
        raise DomainError(_("Bitte erfassen Sie die Erklärung des Bieters."))
    if len(text) > MAX_REASON_LENGTH:
        raise DomainError(_("Die Erklärung ist zu lang (höchstens %(n)d Zeichen).", n=MAX_REASON_LENGTH))
    reason = _reason(exclusion_reason, required=not accepted)
    before = {"explanation": offer.explanation, "accepted": offer.explanation_accepted}
    offer.explanation = text
    offer.explanation_accepted = accepted
    offer.explanation_recorded_by_id = actor.id
    offer.explanation_recorded_at = now
    db.session.flush()
    audit_evaluation(
        "explanation_recorded",
        actor,
        tender,
        now,
        "offer",
        offer.id,
        before=before,
        after={"bid_id": bid.id, "lot_id": offer.lot_id, "explanation": text, "accepted": accepted},
    )
    if not accepted:
        exclude(actor, tender, bid, ExclusionGround.abnormally_low, reason, now)
    return offer


# --- quality points ------------------------------------------------------------------------


def quality_criteria(tender: Tender) -> list[Criterion]:
    return [c for c in tender.criteria if c.kind is CriterionKind.quality]


def scale_of(criterion: Criterion) -> Decimal:
    return QUALITY_SCALES[criterion.scoring_method.value]


def evaluators(tender: Tender) -> list[User]:
    """The lead's active officers: each of them may score."""
    return active_officers([tender.lead_organisation_id])


def scores_of_bid(bid: Bid) -> list[QualityScore]:
    return list(
        db.session.scalars(
            select(QualityScore).where(QualityScore.bid_id == bid.id).order_by(QualityScore.id)
        )
    )


def _points(value: object, criterion: Criterion) -> Decimal:
    try:
        points = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as err:
        raise DomainError(_("Bitte geben Sie die Punkte als Zahl an, z. B. 7 oder 7,5.")) from err
    highest = scale_of(criterion)
    if not points.is_finite() or points < 0 or points > highest:
        raise DomainError(_("Die Punkte müssen zwischen 0 und %(max)s liegen.", max=format(highest, "f")))
    if points != points.quantize(CENT):
        raise DomainError(_("Die Punkte haben höchstens zwei Nachkommastellen."))
    return points.quantize(CENT)


def score_token(score: Optional[QualityScore]) -> str:
    """What a score form saw: a stale form (someone changed the score since) is refused."""
    if score is None:
        return "new"
    return f"{score.id}:{score.points}:{score.updated_at.isoformat() if score.updated_at else ''}"


def set_score(
    actor: User,
    tender: Tender,
    bid: Bid,
    criterion: Criterion,
    points: object,
    justification: str,
    now: datetime,
    seen: Optional[str] = None,
) -> QualityScore:
    """Enter or change the actor's points for a bid and a quality criterion (audited before/after)."""
    ensure_may_evaluate(actor, tender)
    if criterion.tender_id != tender.id or criterion.kind is not CriterionKind.quality:
        raise NotFound(_("Dieses Zuschlagskriterium gibt es nicht oder es wird über den Preis gewertet."))
    if bid.status is not BidStatus.admitted:
        raise Conflict(_("Punkte werden nur für zugelassene Angebote vergeben."))
    value = _points(points, criterion)
    text = (justification or "").strip()
    if not text:
        raise DomainError(_("Bitte begründen Sie die Punkte."))
    if len(text) > MAX_REASON_LENGTH:
        raise DomainError(_("Die Begründung ist zu lang (höchstens %(n)d Zeichen).", n=MAX_REASON_LENGTH))
    score = db.session.scalars(
        select(QualityScore).where(
            QualityScore.bid_id == bid.id,
            QualityScore.criterion_id == criterion.id,
            QualityScore.evaluator_id == actor.id,
        )
    ).first()
    if seen is not None and seen != score_token(score):
        raise Conflict(
            _(
                "Diese Punkte wurden inzwischen geändert. Ihre Eingabe wurde nicht gespeichert. "
                "Bitte laden Sie die Seite neu."
            )
        )
    before = None
    if score is None:
        score = QualityScore(
            tender_id=tender.id,
            bid_id=bid.id,
            criterion_id=criterion.id,
            evaluator_id=actor.id,
            points=value,
            justification=text,
            entered_at=now,
            updated_at=now,
        )
        db.session.add(score)
    else:
        if Decimal(score.points) == value and score.justification == text:
            return score  # a repeated submit changes nothing
        before = {"points": str(score.points), "justification": score.justification}
        score.points = value
        score.justification = text
        score.updated_at = now
    db.session.flush()
    audit_evaluation(
        "score_entered" if before is None else "score_changed",
        actor,
        tender,
        now,
        "quality_score",
        score.id,
        before=before,
        after={
            "bid_id": bid.id,
            "criterion_id": criterion.id,
            "evaluator_id": actor.id,
            "points": str(value),
            "justification": text,
        },
    )
    return score


def spread_warning(criterion: Criterion) -> Decimal:
    return scale_of(criterion) * SPREAD_WARNING_SHARE


# --- what is missing -----------------------------------------------------------------------


def open_requests(tender: Tender) -> dict[int, list[DocumentRequest]]:
    """bid id -> its open §56 requests."""
    rows = db.session.scalars(
        select(DocumentRequest)
        .where(DocumentRequest.tender_id == tender.id, DocumentRequest.status == RequestStatus.open)
        .order_by(DocumentRequest.deadline, DocumentRequest.id)
    )
    result: dict[int, list[DocumentRequest]] = defaultdict(list)
    for row in rows:
        result[row.bid_id].append(row)
    return result


def missing_points(tender: Tender, bid_ids: list[int]) -> list[tuple[User, Bid, Criterion]]:
    """(evaluator, bid, criterion) still without points, for every evaluator who has started."""
    criteria = quality_criteria(tender)
    if not bid_ids or not criteria:
        return []
    given = {
        (row.evaluator_id, row.bid_id, row.criterion_id)
        for row in db.session.scalars(select(QualityScore).where(QualityScore.tender_id == tender.id))
    }
    started = sorted({evaluator for evaluator, _b, _c in given})
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(started)))} if started else {}
    bids = {b.id: b for b in db.session.scalars(select(Bid).where(Bid.id.in_(bid_ids)))}
    return [
        (users[evaluator], bids[bid_id], criterion)
        for evaluator in started
        for bid_id in sorted(bid_ids)
        for criterion in criteria
        if (evaluator, bid_id, criterion.id) not in given
    ]


def _bids_of_lot(lot: Lot, statuses: tuple[BidStatus, ...]) -> list[Bid]:
    return list(
        db.session.scalars(
            select(Bid)
            .join(Offer, Offer.bid_id == Bid.id)
            .where(Offer.lot_id == lot.id, Bid.status.in_(statuses))
            .order_by(Bid.submitted_at, Bid.id)
        )
    )


def ready_for_award(tender: Tender, lot: Lot) -> list[str]:
    """Why ``lot`` cannot be proposed for award yet, in German; empty when it can."""
    reasons: list[str] = []
    pending = _bids_of_lot(lot, (BidStatus.opened,))
    for bid in pending:
        reasons.append(_("Das Angebot von %(vendor)s ist noch nicht geprüft.", vendor=bid.organisation.name))
    requests = open_requests(tender)
    for bid in _bids_of_lot(lot, (BidStatus.opened, BidStatus.admitted)):
        if requests.get(bid.id):
            reasons.append(
                _(
                    "Für das Angebot von %(vendor)s sind nachgeforderte Unterlagen offen.",
                    vendor=bid.organisation.name,
                )
            )
    admitted = _bids_of_lot(lot, (BidStatus.admitted,))
    if not admitted:
        reasons.append(_("Für dieses Los ist kein Angebot zugelassen."))
        return reasons
    for evaluator, bid, criterion in missing_points(tender, [b.id for b in admitted]):
        reasons.append(
            _(
                "%(evaluator)s hat für das Angebot von %(vendor)s noch keine Punkte zu "
                "„%(criterion)s“ vergeben.",
                evaluator=evaluator.name,
                vendor=bid.organisation.name,
                criterion=criterion.name,
            )
        )
    result = rank(tender, lot)
    if result.missing and not missing_points(tender, [b.id for b in admitted]):
        names = {b.id: b.organisation.name for b in admitted}
        criteria = {c.id: c.name for c in tender.criteria}
        for bid_id, criterion_id in result.missing:
            reasons.append(
                _(
                    "Für das Angebot von %(vendor)s fehlen die Punkte zu „%(criterion)s“.",
                    vendor=names.get(bid_id, bid_id),
                    criterion=criteria.get(criterion_id, criterion_id),
                )
            )
    if result.error:
        reasons.append(_("Die Rangfolge lässt sich nicht berechnen: %(error)s", error=result.error))
    names = {b.id: b.organisation.name for b in admitted}
    for offer in unexplained_abnormal_offers(tender, lot):
        reasons.append(
            _(
                "Der Preis von %(vendor)s ist ungewöhnlich niedrig: die Aufklärung nach § 60 VgV fehlt.",
                vendor=names.get(offer.bid_id, offer.bid_id),
            )
        )
    return reasons


# --- the overview ----------------------------------------------------------------------------


@dataclass
class BidRow:
    bid: Bid
    review: BidReview
    requests: list[DocumentRequest]


@dataclass
class LotRow:
    lot: Lot
    missing: list[str]
    admitted: int


@dataclass
class EvaluationOverview:
    tender: Tender
    bids: list[BidRow] = field(default_factory=list)
    lots: list[LotRow] = field(default_factory=list)
    can_evaluate: bool = False

    @property
    def pending(self) -> int:
        return sum(1 for row in self.bids if row.bid.status is BidStatus.opened)


def overview(actor: User, tender: Tender, now: datetime) -> EvaluationOverview:
    ensure_may_view(actor, tender)
    bids = list(
        db.session.scalars(
            select(Bid)
            .where(Bid.tender_id == tender.id, Bid.status.in_(EVALUATED_STATES))
            .order_by(Bid.submitted_at, Bid.id)
        )
    )
    requests = open_requests(tender)
    result = EvaluationOverview(tender, can_evaluate=can_evaluate(actor, tender))
    for bid in bids:
        result.bids.append(BidRow(bid, review_of(bid), requests.get(bid.id, [])))
    for lot in tender.lots:
        result.lots.append(
            LotRow(lot, ready_for_award(tender, lot), len(_bids_of_lot(lot, (BidStatus.admitted,))))
        )
    return result


@dataclass
class RankingPage:
    tender: Tender
    lot: Lot
    result: LotResult
    names: dict[int, str]
    criteria: list[Criterion]
    evaluator_points: dict[tuple[int, int], list[QualityScore]]  # (bid, criterion) -> scores
    flags: dict[int, AbnormallyLowPrice]
    offers: dict[int, Offer]
    missing: list[str]
    ties: set[int]  # ranks shared by more than one bid


def ranking_page(actor: User, tender: Tender, lot: Lot, now: datetime) -> RankingPage:
    ensure_may_view(actor, tender)
    if lot.tender_id != tender.id:
        raise NotFound(_("Dieses Los gibt es nicht."))
    result = rank(tender, lot)
    bid_ids = [offer.bid_id for offer in result.offers]
    names = {
        bid.id: bid.organisation.name
        for bid in db.session.scalars(select(Bid).where(Bid.id.in_(bid_ids or [0])))
    }
    points: dict[tuple[int, int], list[QualityScore]] = defaultdict(list)
    if bid_ids:
        for row in db.session.scalars(
            select(QualityScore).where(QualityScore.bid_id.in_(bid_ids)).order_by(QualityScore.id)
        ):
            points[(row.bid_id, row.criterion_id)].append(row)
    ties: set[int] = set()
    if result.ranking is not None:
        ranks = [row.rank for row in result.ranking.rows]
        ties = {r for r in ranks if ranks.count(r) > 1}
    audit_evaluation("ranking_read", actor, tender, now, "lot", lot.id)
    return RankingPage(
        tender,
        lot,
        result,
        names,
        list(tender.criteria),
        points,
        abnormal_flags(lot),
        {offer.bid_id: offer for offer in result.offers},
        ready_for_award(tender, lot),
        ties,
    )


def tender_in_evaluation(tender: Tender) -> bool:
    return tender.status is TenderStatus.evaluation
