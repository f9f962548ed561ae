"""The award per lot: proposal, §134 GWB letters, challenge (§160 GWB), Zuschlag, cancellation.

Every service checks the permission, locks the tender row (two officers clicking at once queue
up), checks the state, fires the award machine through `services.fire_award` (audited) and lets
the tender follow with `services.sync_tender`. The server clock decides: no service takes a
time from the client. A contract can only come from `finalise_lot`, whose machine guard needs
the letters out and ``now >= standstill_ends_at`` (§134 Abs. 2, §135 GWB).

The ranking snapshot (``Award.ranking``) is JSON with Decimal values as strings:
``{"round", "lot_id", "computed_at", "criteria": [...], "rows": [...], "excluded": [...],
"tied_bid_ids", "tie_reason"}``. ``round`` counts the proposals after reviews: a review body
ordering a new evaluation starts the next round, which needs its own letters.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Optional

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from procurement.accounts.models import Role, User
from procurement.accounts.services import active_members, active_officers
from procurement.awards import contracts, notice
from procurement.awards.evaluation import ready_for_award
from procurement.awards.letters import current_round, letters_of_round, notify, standstill_of, write_letters
from procurement.awards.models import Award, BidReview, ExclusionGround, Offer
from procurement.awards.permissions import can_manage_award
from procurement.awards.ranking import LotResult, rank
from procurement.awards.services import audit_award, fire_award, sync_tender
from procurement.bids.models import Bid
from procurement.database import lock_sqlite_for_writing
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.mail.services import queue_mail
from procurement.reference.standstill import BERLIN
from procurement.tenders import services as tender_services
from procurement.tenders.models import CancellationReason, Lot, Tender
from procurement.web import external_url
from workflows.award import AWARD, AwardStatus
from workflows.bid import BID, BidStatus
from workflows.tender import TenderStatus

log = logging.getLogger(__name__)

MAX_TEXT = 10000
# the tender states in which a lot's award is proposed, re-proposed or cancelled
PROPOSAL_STATES = frozenset({TenderStatus.evaluation, TenderStatus.award_proposed})
# ... in which the award of a lot moves on (letters, challenge, Zuschlag, cancellation)
AWARD_TENDER_STATES = frozenset(
    {TenderStatus.evaluation, TenderStatus.award_proposed, TenderStatus.standstill, TenderStatus.awarded}
)

AWARD_STATUS_LABELS = {
    AwardStatus.proposed: _l("Zuschlag vorgeschlagen"),
    AwardStatus.notified: _l("Bieter informiert, Wartefrist läuft"),
    AwardStatus.challenged: _l("Nachprüfungsverfahren"),
    AwardStatus.final: _l("Zuschlag erteilt"),
    AwardStatus.cancelled: _l("Los aufgehoben"),
}

# German in the letters and the record, whatever the officer's language
EXCLUSION_GROUND_LABELS = {
    ExclusionGround.form_or_deadline: "Form oder Frist nicht eingehalten (§ 57 Abs. 1 Nr. 1 VgV)",
    ExclusionGround.missing_documents: "Unterlagen fehlen (§ 57 Abs. 1 Nr. 2 VgV)",
    ExclusionGround.unclear_changes: "Änderungen nicht zweifelsfrei (§ 57 Abs. 1 Nr. 3 VgV)",
    ExclusionGround.changed_documents: "Vergabeunterlagen geändert (§ 57 Abs. 1 Nr. 4 VgV)",
    ExclusionGround.missing_prices: "Preisangaben fehlen (§ 57 Abs. 1 Nr. 5 VgV)",
    ExclusionGround.inadmissible_variant: "Unzulässiges Nebenangebot (§ 57 Abs. 1 Nr. 6 VgV)",
    ExclusionGround.mandatory_ground: "Zwingender Ausschlussgrund (§ 123 GWB)",
    ExclusionGround.optional_ground: "Fakultativer Ausschlussgrund (§ 124 GWB)",
    ExclusionGround.not_suitable: "Eignung nicht nachgewiesen (§ 122 GWB, § 42 VgV)",
    ExclusionGround.abnormally_low: "Ungewöhnlich niedriges Angebot (§ 60 Abs. 3 VgV)",
}


# --- reading --------------------------------------------------------------------------------------


def award_of(lot: Lot) -> Optional[Award]:
    return db.session.scalars(select(Award).where(Award.lot_id == lot.id)).first()


def lot_of(tender: Tender, lot_id: int) -> Lot:
    for lot in tender.lots:
        if lot.id == lot_id:
            return lot
    raise NotFound(_("Dieses Los gibt es nicht."))


def _lot_bids(lot: Lot, statuses: tuple[BidStatus, ...]) -> list[Bid]:
    return list(
        db.session.scalars(
            select(Bid)
            .join(Offer, Offer.bid_id == Bid.id)
            .where(Offer.lot_id == lot.id, Bid.status.in_(statuses))
            .order_by(Bid.id)
        )
    )


def lot_offers(lot: Lot) -> list[Offer]:
    """Every offer made for the lot, by bid id."""
    return list(db.session.scalars(select(Offer).where(Offer.lot_id == lot.id).order_by(Offer.bid_id)))


@dataclass
class LotReadiness:
    """Whether a lot can be proposed now, and why not."""

    result: LotResult
    problems: list[str] = field(default_factory=list)
    no_admitted_bid: bool = False

    @property
    def ready(self) -> bool:
        return not self.problems and self.result.ranking is not None and not self.no_admitted_bid


def readiness(tender: Tender, lot: Lot) -> LotReadiness:
    """Rank the lot and list what still stands in the way of a proposal (§§56-60 VgV): the
    evaluation's own check (`evaluation.ready_for_award`)."""
    result = rank(tender, lot)
    state = LotReadiness(result)
    if not result.offers and not _lot_bids(lot, (BidStatus.opened,)):
        state.no_admitted_bid = True
        state.problems.append(
            _("Für dieses Los gibt es kein zugelassenes Angebot: es kann nur aufgehoben werden.")
        )
        return state
    state.problems.extend(ready_for_award(tender, lot))
    return state


def _snapshot(tender: Tender, lot: Lot, result: LotResult, now: datetime, round_: int) -> dict[str, Any]:
    assert result.ranking is not None
    names = {criterion.id: criterion.name for criterion in tender.criteria}
    bids = {bid.id: bid for bid in _lot_bids(lot, (BidStatus.admitted, BidStatus.excluded))}
    rows = []
    for row in result.ranking.rows:
        rows.append(
            {
                "bid_id": row.bid_id,
                "organisation": bids[row.bid_id].organisation.name,
                "price": str(row.price),
                "rank": row.rank,
                "total": str(row.total),
                "scores": [
                    {
                        "criterion_id": score.criterion.id,
                        "basis": str(score.basis),
                        "points": str(score.points),
                        "weighted": str(score.weighted),
                        "evaluator_points": [str(p) for p in score.evaluator_points],
                        "spread": None if score.spread is None else str(score.spread),
                    }
                    for score in row.scores
                ],
                "abnormally_low": row.abnormally_low is not None,
            }
        )
    excluded = []
    for bid in bids.values():
        if bid.status is not BidStatus.excluded:
            continue
        review = db.session.get(BidReview, bid.id)
        ground = review.exclusion_ground if review is not None else None
        excluded.append(
            {
                "bid_id": bid.id,
                "organisation": bid.organisation.name,
                "ground": ground.value if ground else "",
                "ground_label": EXCLUSION_GROUND_LABELS.get(ground, "") if ground else "",
                "reason": review.reason if review is not None else "",
            }
        )
    return {
        "round": round_,
        "lot_id": lot.id,
        "computed_at": now.isoformat(),
        "criteria": [
            {
                "id": c.id,
                "name": names[c.id],
                "kind": str(c.kind),
                "weight": str(c.weight),
                "method": str(c.method),
            }
            for c in result.ranking.criteria
        ],
        "rows": rows,
        "excluded": excluded,
        "tied_bid_ids": [row.bid_id for row in result.ranking.first_ranked],
        "tie_reason": "",
    }


# --- locking and checks ---------------------------------------------------------------------------


def _lock(tender: Tender) -> None:
    """Re-read the tender under a write lock: concurrent award actions on a tender queue here."""
    db.session.flush()
    if db.session.get_bind().dialect.name == "sqlite":
        lock_sqlite_for_writing(db.session())
        db.session.refresh(tender)
    else:
        db.session.refresh(tender, with_for_update=True)


def _check_manager(actor: User, tender: Tender) -> None:
    if not can_manage_award(actor, tender):
        raise PermissionDenied(_("Den Zuschlag erteilen nur Beschaffende der federführenden Kommune."))


def _check_version(award: Award, version: Optional[int]) -> None:
    if version is not None and version != award.version:
        raise Conflict(
            _(
                "Jemand anderes hat diesen Zuschlag gerade geändert. Ihre Änderung wurde nicht "
                "gespeichert. Bitte laden Sie die Seite neu und prüfen Sie den aktuellen Stand."
            )
        )


def _text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message)
    if len(value) > MAX_TEXT:
        raise DomainError(_("Der Text ist zu lang."))
    return value


def _award_for(tender: Tender, lot: Lot) -> Award:
    award = award_of(lot)
    if award is None:
        raise Conflict(_("Für dieses Los gibt es noch keinen Zuschlagsvorschlag."))
    db.session.refresh(award)
    return award


def _check_machine(award: Award, trigger: str) -> None:
    """A clear 409 when the award's state does not offer ``trigger`` (guards are checked on firing)."""
    if not AWARD.moves_from(award.status, trigger):
        raise Conflict(
            _("Das ist im Stand „%(state)s“ dieses Loses nicht möglich.")
            % {"state": AWARD_STATUS_LABELS[award.status]}
        )


# --- proposal -------------------------------------------------------------------------------------


def propose_award(
    actor: User,
    tender: Tender,
    lot: Lot,
    bid_id: int,
    reasons: str,
    now: datetime,
    tie_reason: str = "",
    version: Optional[int] = None,
) -> Award:
    """Propose the award of ``lot`` to a first-ranked bid (again while no letters are out).

    :param bid_id: a bid of rank 1 in the current ranking; with a tie one of the tied bids, and
        ``tie_reason`` says why this one
    :param reasons: why this bid (quoted in the §134 letters and the record), mandatory
    :param version: the award's version the form was shown with (re-proposal), for a 409 if stale
    """
    _check_manager(actor, tender)
    _lock(tender)
    if tender.status not in PROPOSAL_STATES:
        raise Conflict(_("In diesem Stand der Ausschreibung kann kein Zuschlag vorgeschlagen werden."))
    reasons = _text(reasons, _("Bitte begründen Sie den Zuschlagsvorschlag."))
    award = award_of(lot)
    round_ = 1
    if award is not None:
        db.session.refresh(award)
        _check_version(award, version)
        if award.status is not AwardStatus.proposed or letters_of_round(award):
            raise Conflict(
                _(
                    "Der Vorschlag für dieses Los kann nicht mehr geändert werden: die Information "
                    "nach § 134 GWB ist bereits geschrieben oder das Los ist weiter."
                )
            )
        round_ = current_round(award)
    state = readiness(tender, lot)
    if not state.ready:
        raise Conflict(" ".join(state.problems))
    ranking = state.result.ranking
    assert ranking is not None
    first = [row.bid_id for row in ranking.first_ranked]
    if bid_id not in first:
        raise Conflict(_("Vorgeschlagen werden kann nur ein Angebot auf Rang 1."))
    tie_reason = (tie_reason or "").strip()
    if len(first) > 1 and not tie_reason:
        raise DomainError(
            _("Mehrere Angebote liegen gleichauf auf Rang 1: bitte begründen Sie, warum Sie dieses wählen.")
        )
    with force_locale("de"):
        snapshot = _snapshot(tender, lot, state.result, now, round_)
    snapshot["tie_reason"] = tie_reason if len(first) > 1 else ""
    if award is None:
        award = Award(tender=tender, lot=lot, status=AWARD.initial)
        db.session.add(award)
        action = "proposed"
    else:
        action = "reproposed"
    award.bid_id = bid_id
    award.reasons = reasons
    award.ranking = snapshot
    award.proposed_by_id = actor.id
    award.proposed_at = now
    award.unsuccessful_bidders = 0
    award.letters_sent = 0
    db.session.flush()
    audit_award(
        action, actor, award, now, after={"status": award.status.value, "reasons": reasons, "round": round_}
    )
    sync_tender(actor, tender, now)
    return award


# --- letters --------------------------------------------------------------------------------------


def send_letters(
    actor: User, tender: Tender, lot: Lot, now: datetime, version: Optional[int] = None
) -> Award:
    """Write the §134 GWB letters of the lot's current proposal and queue them for sending.

    The letters count as sent when the outbox delivered them (`letters.sync_deliveries`); with no
    unsuccessful bidder the award is notified at once.
    """
    _check_manager(actor, tender)
    _lock(tender)
    award = _award_for(tender, lot)
    _check_version(award, version)
    if tender.status is not TenderStatus.award_proposed:
        raise Conflict(
            _(
                "Die Information nach § 134 GWB geht hinaus, wenn jedes Los einen Zuschlagsvorschlag "
                "hat oder aufgehoben ist."
            )
        )
    if award.status is not AwardStatus.proposed or letters_of_round(award):
        raise Conflict(_("Die Information nach § 134 GWB für dieses Los ist bereits geschrieben."))
    with force_locale("de"):
        letters = write_letters(actor, award, now)
    award.unsuccessful_bidders = len(letters)
    award.letters_sent = 0
    db.session.flush()
    audit_award(
        "letters_written",
        actor,
        award,
        now,
        after={"round": current_round(award), "letters": [letter.id for letter in letters]},
    )
    if not letters:
        notify(award, now, actor)
    return award


# --- challenge ------------------------------------------------------------------------------------


def challenge_lot(
    actor: User, tender: Tender, lot: Lot, note: str, now: datetime, version: Optional[int] = None
) -> Award:
    """Record a review application (§160 GWB): the lot is blocked until it is resolved (§169 GWB)."""
    _check_manager(actor, tender)
    _lock(tender)
    award = _award_for(tender, lot)
    _check_version(award, version)
    note = _text(note, _("Bitte beschreiben Sie den Nachprüfungsantrag (Antragsteller, Datum, Gegenstand)."))
    _check_machine(award, "challenge")
    award.challenged_at = now
    award.challenge_note = note
    fire_award(actor, award, "challenge", now, note=note)
    sync_tender(actor, tender, now)
    return award


def end_of_day(day: date) -> datetime:
    """The first instant after the Berlin calendar day ``day`` (a period ending that day is over)."""
    return datetime.combine(day + timedelta(days=1), time(0), BERLIN).astimezone(UTC)


def resolve_challenge(
    actor: User,
    tender: Tender,
    lot: Lot,
    new_evaluation: bool,
    note: str,
    now: datetime,
    period_end: Optional[date] = None,
    version: Optional[int] = None,
) -> Award:
    """Record the outcome of the review proceedings.

    :param new_evaluation: the review body ordered a new evaluation: the lot goes back to
        ``proposed`` and needs a new proposal round with new letters
    :param period_end: when the application was rejected or withdrawn, the last Berlin day of
        the period during which the contract still must not be concluded (§169 Abs. 1, §172 GWB);
        the standstill then ends at the later of its old end and the end of that day
    """
    _check_manager(actor, tender)
    _lock(tender)
    award = _award_for(tender, lot)
    _check_version(award, version)
    note = _text(note, _("Bitte geben Sie die Entscheidung der Vergabekammer an."))
    if award.status is not AwardStatus.challenged:
        raise Conflict(_("Für dieses Los ist kein Nachprüfungsverfahren eingetragen."))
    award.resolved_at = now
    award.resolution_note = note
    if new_evaluation:
        round_ = current_round(award) + 1
        award.ranking = dict(award.ranking or {}) | {"round": round_}
        award.letters_sent = 0
        award.unsuccessful_bidders = 0
        award.standstill_ends_at = None
        award.notified_at = None
        # the proposal is void: the tender goes back to the evaluation (reviews and points can
        # change again) until the lead proposes this lot anew
        award.proposed_at = None
        fire_award(actor, award, "resolve_to_proposed", now, note=note, round=round_)
    else:
        if period_end is None:
            raise DomainError(
                _(
                    "Bitte geben Sie an, bis wann der Zuschlag nach § 169 Abs. 1 / § 172 GWB noch "
                    "verboten ist."
                )
            )
        letters = letters_of_round(award)
        if (
            len(letters) < award.unsuccessful_bidders
            or award.letters_sent < award.unsuccessful_bidders
            or (not letters and award.notified_at is None)
        ):
            raise Conflict(
                _(
                    "Die Information nach § 134 GWB ist für dieses Los noch nicht an alle nicht "
                    "berücksichtigten Bieter versandt."
                )
            )
        ends = [end_of_day(period_end)]
        for end in (award.standstill_ends_at, standstill_of(award)):
            if end is not None:
                ends.append(end)
        award.standstill_ends_at = max(ends)
        fire_award(
            actor,
            award,
            "resolve_to_notified",
            now,
            note=note,
            standstill_ends_at=award.standstill_ends_at.isoformat(),
        )
    sync_tender(actor, tender, now)
    return award


# --- cancellation ---------------------------------------------------------------------------------


def cancel_lot(
    actor: User,
    tender: Tender,
    lot: Lot,
    reason: CancellationReason,
    text: str,
    now: datetime,
    version: Optional[int] = None,
) -> Award:
    """Cancel the lot (Aufhebung, §63 VgV); when every lot is cancelled, the whole tender is."""
    _check_manager(actor, tender)
    _lock(tender)
    if tender.status not in (TenderStatus.evaluation, TenderStatus.award_proposed, TenderStatus.standstill):
        raise Conflict(_("In diesem Stand der Ausschreibung kann kein Los aufgehoben werden."))
    if not isinstance(reason, CancellationReason):
        raise DomainError(_("Bitte wählen Sie einen Grund nach § 63 Abs. 1 VgV."))
    text = _text(text, _("Bitte begründen Sie die Aufhebung (§63 Abs. 2 VgV)."))
    award = award_of(lot)
    if award is None:
        award = Award(tender=tender, lot=lot, status=AWARD.initial)
        db.session.add(award)
        db.session.flush()
    else:
        db.session.refresh(award)
        _check_version(award, version)
        _check_machine(award, "cancel")
    award.cancelled_at = now
    award.cancellation_reason = reason
    award.cancellation_text = text
    fire_award(actor, award, "cancel", now, reason=reason.value, text=text)
    if all(state is AwardStatus.cancelled for state in tender.lot_award_states):
        tender_services.cancel_tender(actor, tender, reason, text, now)
        return award
    _mail_lot_cancelled(award)
    sync_tender(actor, tender, now)
    return award


def _mail_lot_cancelled(award: Award) -> None:
    """§63 Abs. 2 VgV: the bidders of the lot learn of the cancellation and its reason."""
    from procurement.tenders.labels import CANCELLATION_REASON_LABELS

    statuses = tuple(BidStatus)
    for bid in _lot_bids(award.lot, statuses):
        if bid.opened_at is None:
            continue
        for user in active_members([bid.organisation_id], Role.vendor):
            queue_mail(
                user.email,
                "award_lot_cancelled",
                user.language,
                user=user,
                award=award,
                reason_label=CANCELLATION_REASON_LABELS[award.cancellation_reason],
            )


# --- the Zuschlag ---------------------------------------------------------------------------------


def finalise_lot(
    actor: User, tender: Tender, lot: Lot, now: datetime, version: Optional[int] = None
) -> Award:
    """Award the lot (Zuschlag): only after the standstill by the server clock (§134, §135 GWB).

    Makes the contracts of the lot; when the whole tender is awarded the bids learn whether they
    won and the award notice is issued.
    """
    _check_manager(actor, tender)
    _lock(tender)
    award = _award_for(tender, lot)
    _check_version(award, version)
    _check_machine(award, "finalise")
    if tender.status not in AWARD_TENDER_STATES:
        raise Conflict(_("In diesem Stand der Ausschreibung kann kein Zuschlag erteilt werden."))
    fire_award(actor, award, "finalise", now)
    award.finalised_at = now
    award.finalised_by_id = actor.id
    db.session.flush()
    contracts.create_contracts(actor, award, now)
    sync_tender(actor, tender, now)
    _mail_award_final(award)
    if tender.status in (TenderStatus.awarded, TenderStatus.contracted):
        _settle_bids(actor, tender, now)
        _issue_notice(actor, tender, award, now)
        sync_tender(actor, tender, now)
    return award


def _issue_notice(actor: User, tender: Tender, award: Award, now: datetime) -> None:
    """Issue the award notice; a notice failing its checks must not undo the Zuschlag (§39 VgV
    gives 30 days): it is audited and the officer issues it again once the data is fixed."""
    try:
        with db.session.begin_nested():
            notice.issue_award_notice(actor, tender, now)
    except Conflict as err:
        log.warning("award notice of tender %s not issued: %s", tender.id, err)
        audit_award("notice_failed", actor, award, now, after={"message": str(err)})


def _settle_bids(actor: User, tender: Tender, now: datetime) -> None:
    """Every admitted bid learns whether it won a lot (``workflows.bid`` win / lose)."""
    from procurement.bids.services import audit_bid

    winners = set(
        db.session.scalars(
            select(Award.bid_id).where(Award.tender_id == tender.id, Award.status == AwardStatus.final)
        )
    )
    admitted = db.session.scalars(
        select(Bid).where(Bid.tender_id == tender.id, Bid.status == BidStatus.admitted).order_by(Bid.id)
    )
    for bid in admitted:
        trigger = "win" if bid.id in winners else "lose"
        BID.fire(bid, trigger, now)
        bid.updated_at = now
        db.session.flush()
        audit_bid(trigger, actor, bid, now, after={"status": bid.status.value})


def _mail_award_final(award: Award) -> None:
    """Tell the winner and the officers of the lead and of the participants."""
    tender = award.tender
    assert award.bid is not None
    for user in active_members([award.bid.organisation_id], Role.vendor):
        queue_mail(user.email, "award_final_winner", user.language, user=user, award=award)
    organisations = {tender.lead_organisation_id} | {p.organisation_id for p in tender.joined_participants}
    link = external_url("awards.award_overview", tender_id=tender.id)
    for officer in active_officers(organisations):
        queue_mail(
            officer.email, "award_final_participant", officer.language, user=officer, award=award, link=link
        )


# --- the overview page ----------------------------------------------------------------------------


@dataclass
class LotView:
    """One lot on the award page: its award, what the lead may do next, and (for the lead) the ranking."""

    lot: Lot
    award: Optional[Award]
    readiness: Optional[LotReadiness] = None
    letters: list[Any] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)

    @property
    def status(self) -> Optional[AwardStatus]:
        return self.award.status if self.award is not None else None

    @property
    def tied(self) -> bool:
        ranking = self.readiness.result.ranking if self.readiness else None
        return ranking is not None and len(ranking.first_ranked) > 1


def lot_actions(
    tender: Tender, award: Optional[Award], state: Optional[LotReadiness], now: datetime
) -> list[str]:
    """The buttons the lead's officers get for a lot: one per action the states allow now."""
    actions: list[str] = []
    if award is None:
        if tender.status in PROPOSAL_STATES:
            if state is not None and state.ready:
                actions.append("propose")
            actions.append("cancel")
        return actions
    status = award.status
    if status is AwardStatus.proposed and not letters_of_round(award):
        if tender.status in PROPOSAL_STATES and state is not None and state.ready:
            actions.append("propose")
        if tender.status is TenderStatus.award_proposed:
            actions.append("letters")
    if status in (AwardStatus.proposed, AwardStatus.notified):
        actions.append("challenge")
    if status is AwardStatus.challenged:
        actions.append("resolve")
    if "finalise" in AWARD.allowed_triggers(award, now):
        actions.append("finalise")
    if status in (AwardStatus.proposed, AwardStatus.notified, AwardStatus.challenged) and tender.status in (
        TenderStatus.evaluation,
        TenderStatus.award_proposed,
        TenderStatus.standstill,
    ):
        actions.append("cancel")
    return actions


def award_overview(actor: User, tender: Tender, now: datetime, with_ranking: bool) -> list[LotView]:
    """The lots with their awards; ``with_ranking`` (the lead's officers): the live ranking and actions."""
    views = []
    for lot in tender.lots:
        award = award_of(lot)
        view = LotView(lot, award)
        if award is not None:
            view.letters = letters_of_round(award)
        if with_ranking:
            if (award is None or award.status is AwardStatus.proposed) and tender.status in PROPOSAL_STATES:
                view.readiness = readiness(tender, lot)
            if can_manage_award(actor, tender):
                view.actions = lot_actions(tender, award, view.readiness, now)
        views.append(view)
    return views
