"""The award notice of a tender: eForms Contract Award Notice (subtype 29) for EU procedures
(§39 VgV, Art. 50 of Directive 2014/24/EU), the platform's public award page for national ones.

An award notice that fails its checks stores nothing and raises a `Conflict` naming the failed
rules, so the officer sees why. The award notice follows the award (§39(1) VgV: within 30 days
of the contract's conclusion) and a publication fault should not undo a Zuschlag: a caller
inside the finalising transaction must catch the `Conflict` (or issue the notice after the
commit) and let the officer issue it again once the data is fixed. `issue_award_notice` is
idempotent: a stored notice is returned, never made twice.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import select

from procurement.accounts.models import Organisation, User
from procurement.awards.models import Award, Contract, Offer
from procurement.awards.permissions import can_manage_award
from procurement.bids.models import Bid
from procurement.errors import Conflict, PermissionDenied
from procurement.exports.eforms import NoticeDataMissing
from procurement.exports.eforms_award import LotOutcome, build_award_notice
from procurement.exports.validation import FATAL, PLATFORM, check_notice
from procurement.extensions import db
from procurement.tenders.models import Notice, NoticeKind, Tender
from procurement.tenders.notices import issued_contract_notice
from procurement.tenders.services import audit_tender
from workflows.award import AwardStatus
from workflows.bid import BidStatus

AWARD_NOTICE_VERSION = "01"  # BT-757: the platform sends each award notice once
AWARD_NOTICE_KINDS = (NoticeKind.award_notice, NoticeKind.national_award_notice)
DECIDED = (AwardStatus.final, AwardStatus.cancelled)
# the bids that were received by the deadline: opened, then reviewed and decided
RECEIVED = (
    BidStatus.opened,
    BidStatus.admitted,
    BidStatus.excluded,
    BidStatus.successful,
    BidStatus.unsuccessful,
)


def lot_outcomes(tender: Tender) -> list[LotOutcome]:
    """The result of every lot whose award is final or cancelled, in lot order.

    Three queries for the whole tender: the awards, the offers with their vendors, the contracts.
    """
    awards = {
        award.lot_id: award
        for award in db.session.scalars(select(Award).where(Award.tender_id == tender.id))
        if award.status in DECIDED
    }
    offers = db.session.execute(
        select(Offer.lot_id, Offer.bid_id, Offer.price, Organisation)
        .join(Bid, Bid.id == Offer.bid_id)
        .join(Organisation, Organisation.id == Bid.organisation_id)
        .where(Offer.tender_id == tender.id, Bid.status.in_(RECEIVED))
        .order_by(Offer.lot_id, Organisation.name)
    ).all()
    contracts: dict[int, list[Contract]] = {}
    for contract in db.session.scalars(
        select(Contract).where(Contract.tender_id == tender.id).order_by(Contract.id)
    ):
        contracts.setdefault(contract.award_id, []).append(contract)

    outcomes = []
    for lot in tender.lots:
        award = awards.get(lot.id)
        if award is None:
            continue
        lot_offers = [row for row in offers if row.lot_id == lot.id]
        outcome = LotOutcome(
            lot=lot,
            award_id=award.id,
            decided_at=award.cancelled_at if award.status is AwardStatus.cancelled else award.proposed_at,
            tenderers=[row.Organisation for row in lot_offers],
            contracts=contracts.get(award.id, []),
        )
        if award.status is AwardStatus.final and award.bid_id is not None:
            winning = next((row for row in lot_offers if row.bid_id == award.bid_id), None)
            outcome.winner = (
                winning.Organisation if winning else db.session.get(Bid, award.bid_id).organisation
            )
            outcome.amount = winning.price if winning else None
            outcome.tender_reference = award.bid.receipt_id if award.bid is not None else ""
            outcome.decided_at = award.proposed_at or award.finalised_at
        else:
            outcome.cancellation_reason = award.cancellation_reason
            outcome.cancellation_text = award.cancellation_text
        outcomes.append(outcome)
    return outcomes


def issued_award_notice(tender: Tender) -> Optional[Notice]:
    """The award notice issued for the tender (XML for EU procedures), if any."""
    return next((notice for notice in tender.notices if notice.kind in AWARD_NOTICE_KINDS), None)


def _undecided_lots(tender: Tender, outcomes: Sequence[LotOutcome]) -> list[str]:
    decided = {outcome.lot.id for outcome in outcomes}
    return [str(lot.number) for lot in tender.lots if lot.id not in decided]


def issue_award_notice(actor: Optional[User], tender: Tender, now: datetime) -> Optional[Notice]:
    """Build, check and store the award notice once every lot's award is final or cancelled.

    Idempotent: a notice already issued is returned unchanged.

    :param actor: the lead officer (None: the platform itself, e.g. after the standstill)
    :raises PermissionDenied: ``actor`` does not run the tender
    :raises Conflict: a lot is undecided, the contract notice is missing, data is missing, or the
        notice failed its checks (the message names the rules); nothing is stored then
    """
    if actor is not None and not can_manage_award(actor, tender):
        raise PermissionDenied(
            _("Nur die Vergabestelle der federführenden Kommune veröffentlicht den Zuschlag.")
        )
    existing = issued_award_notice(tender)
    if existing is not None:
        return existing
    outcomes = lot_outcomes(tender)
    undecided = _undecided_lots(tender, outcomes)
    if undecided:
        raise Conflict(
            _(
                "Die Vergabebekanntmachung kann erst erstellt werden, wenn über alle Lose entschieden "
                "ist. Offen: Los %(lots)s.",
                lots=", ".join(undecided),
            )
        )
    notice_uuid = str(uuid.uuid4())
    if tender.is_eu:
        contract_notice = issued_contract_notice(tender)
        if contract_notice is None:
            raise Conflict(
                _(
                    "Zu dieser Ausschreibung gibt es keine EU-Auftragsbekanntmachung, auf die sich die "
                    "Vergabebekanntmachung beziehen kann."
                )
            )
        try:
            xml = build_award_notice(
                tender,
                outcomes,
                notice_uuid=notice_uuid,
                issued_at=now,
                contract_notice_uuid=contract_notice.notice_uuid,
                contract_notice_version=contract_notice.version,
                version=AWARD_NOTICE_VERSION,
            )
        except NoticeDataMissing as missing:
            raise Conflict(str(missing)) from missing
        check = check_notice(xml)
        if not check.ok:
            problems = "; ".join(
                f"{finding.rule}: {finding.message}"
                for finding in check.findings
                if finding.severity == FATAL
            )
            raise Conflict(
                _(
                    "Die EU-Vergabebekanntmachung hat die Prüfung nicht bestanden und wurde nicht "
                    "gespeichert: %(problems)s",
                    problems=problems,
                )
            )
        notice = Notice(
            kind=NoticeKind.award_notice,
            xml=xml,
            sha256=hashlib.sha256(xml).hexdigest(),
            validation_level=check.level,
        )
    else:
        notice = Notice(kind=NoticeKind.national_award_notice, xml=None, sha256="", validation_level=PLATFORM)
    notice.notice_uuid = notice_uuid
    notice.version = AWARD_NOTICE_VERSION
    notice.created_by_id = actor.id if actor is not None else None
    notice.created_at = now
    tender.notices.append(notice)
    db.session.flush()
    audit_tender(
        "award_notice_issued",
        actor,
        tender,
        now,
        after={
            "kind": notice.kind.value,
            "notice_uuid": notice.notice_uuid,
            "sha256": notice.sha256,
            "validation_level": notice.validation_level,
        },
    )
    return notice
