"""Shared pieces of the evaluation and award services: the audit entries, the award machine,
and the tender following its lots' awards.

The state changes of an award go through `fire_award` only (audited as ``award.<trigger>``); the
tender then follows with `sync_tender`, which fires at most the moves the lots' states allow:
evaluation -> award_proposed -> standstill -> awarded -> contracted, and back from
award_proposed to evaluation or from standstill to award_proposed when a proposal is withdrawn
or a lot is challenged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import select

from procurement.accounts.models import User
from procurement.audit.services import record
from procurement.awards.models import Award, Contract
from procurement.extensions import db
from procurement.tenders.models import Tender
from procurement.tenders.services import fire as fire_tender
from workflows.award import AWARD, AwardStatus
from workflows.tender import TENDER, TenderStatus


def audit_award(
    action: str,
    actor: Optional[User],
    award: Award,
    now: datetime,
    before: Optional[dict[str, Any]] = None,
    after: Optional[dict[str, Any]] = None,
) -> None:
    """Record ``award.<action>`` in the chain, in the request's transaction."""
    record(
        f"award.{action}",
        actor=actor,
        object_type="award",
        object_id=award.id,
        organisation_id=award.tender.lead_organisation_id,
        now=now,
        before=before,
        after={"tender_id": award.tender_id, "lot_id": award.lot_id, "bid_id": award.bid_id} | (after or {}),
    )


def audit_evaluation(
    action: str,
    actor: Optional[User],
    tender: Tender,
    now: datetime,
    object_type: str,
    object_id: int,
    after: Optional[dict[str, Any]] = None,
    before: Optional[dict[str, Any]] = None,
) -> None:
    """Record ``evaluation.<action>`` (reviews, scores, requests, §60 explanations)."""
    record(
        f"evaluation.{action}",
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        organisation_id=tender.lead_organisation_id,
        now=now,
        before=before,
        after={"tender_id": tender.id} | (after or {}),
    )


def fire_award(actor: Optional[User], award: Award, trigger: str, now: datetime, **after: Any) -> Award:
    """Fire ``trigger`` on the award machine and audit the move; permission checks are the caller's."""
    before = award.status.value
    AWARD.fire(award, trigger, now)
    db.session.flush()
    audit_award(
        trigger, actor, award, now, before={"status": before}, after={"status": award.status.value} | after
    )
    return award


def _contracts_complete(tender: Tender) -> bool:
    """Every final award has its contracts: one per joined participant with a quantity of the lot.

    A lot nobody ordered any quantity of has no contract to wait for (it must not hold the
    tender in ``awarded`` for ever).
    """
    final = db.session.scalars(
        select(Award).where(Award.tender_id == tender.id, Award.status == AwardStatus.final)
    ).all()
    for award in final:
        ordered = any(participant.quantity_for(award.lot) > 0 for participant in tender.joined_participants)
        if (
            ordered
            and db.session.scalar(select(Contract.id).where(Contract.award_id == award.id).limit(1)) is None
        ):
            return False
    return True


def sync_tender(actor: Optional[User], tender: Tender, now: datetime) -> Tender:
    """Move the tender as far as its lots' awards allow, forwards or back; each move is audited."""
    for _step in range(8):
        allowed = set(TENDER.allowed_triggers(tender, now))
        status = tender.status
        if status is TenderStatus.evaluation and "propose_award" in allowed:
            fire_tender(actor, tender, "propose_award", now)
        elif status is TenderStatus.award_proposed:
            if "start_standstill" in allowed:
                fire_tender(actor, tender, "start_standstill", now)
            elif not _guard_holds(tender, "propose_award", now):
                fire_tender(actor, tender, "withdraw_proposal", now)
            else:
                break
        elif status is TenderStatus.standstill:
            if "award" in allowed:
                fire_tender(actor, tender, "award", now)
            elif not _guard_holds(tender, "start_standstill", now):
                fire_tender(actor, tender, "reconsider", now)
            else:
                break
        elif status is TenderStatus.awarded and _contracts_complete(tender):
            fire_tender(actor, tender, "conclude", now)
        else:
            break
    return tender


def _guard_holds(tender: Tender, trigger: str, now: datetime) -> bool:
    """Whether the guards of ``trigger`` hold, whatever the tender's state (for moving back)."""
    guards = [guard for move in TENDER.transitions if move.trigger == trigger for guard in move.guards]
    return all(guard(tender, now) for guard in guards)
