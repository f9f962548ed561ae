"""The auditor's workspace: the closed procedures an auditor may read, filtered, sorted, paged.

Which procedures: exactly those `permissions.can_audit` allows — awarded (in any later state) or
cancelled, of the auditor's own municipality as lead or joined participant, or granted to the
auditor's organisation by the lead. The database narrows by state and access; the award year (in
Berlin), the value and the sort are applied to the narrowed rows here, which keeps the rules in
one language for SQLite and PostgreSQL (an auditor reads hundreds of procedures, not millions).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Optional
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select

from procurement.accounts.models import User
from procurement.awards.models import Award, Offer
from procurement.extensions import db
from procurement.records.models import AuditGrant
from procurement.records.permissions import AUDITABLE_STATES, is_auditor
from procurement.reference.deadlines import Procedure
from procurement.tenders.models import Participant, ParticipantStatus, Tender
from workflows.tender import TenderStatus

BERLIN = ZoneInfo("Europe/Berlin")
PAGE_SIZE = 25


class SortKey(enum.Enum):
    date_desc = "datum_ab"
    date_asc = "datum_auf"
    value_desc = "wert_ab"
    value_asc = "wert_auf"
    title = "titel"


class ValueBasis(enum.Enum):
    awarded = "vergeben"  # the winning bids' prices (estimated where nothing was awarded)
    estimated = "geschaetzt"  # the estimated value (§3 VgV)


@dataclass(frozen=True)
class Filters:
    year: Optional[int] = None
    value_min: Optional[Decimal] = None
    value_max: Optional[Decimal] = None
    value_basis: ValueBasis = ValueBasis.awarded
    procedure: Optional[Procedure] = None
    cpv: str = ""  # a prefix of the main CPV code: "3499" matches 34996000-5
    status: Optional[TenderStatus] = None
    sort: SortKey = SortKey.date_desc
    page: int = 1


@dataclass(frozen=True)
class Row:
    tender: Tender
    concluded_at: Optional[datetime]  # the last Zuschlag or the cancellation
    estimated_value: Optional[Decimal]
    awarded_value: Optional[Decimal]
    participants: int
    access: str  # "lead", "participant" or "grant"

    @property
    def year(self) -> Optional[int]:
        return self.concluded_at.astimezone(BERLIN).year if self.concluded_at else None

    def value(self, basis: ValueBasis) -> Optional[Decimal]:
        if basis is ValueBasis.estimated:
            return self.estimated_value
        return self.awarded_value if self.awarded_value is not None else self.estimated_value


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total: int
    page: int
    pages: int
    years: list[int] = field(default_factory=list)  # the years with procedures, for the filter


def awarded_values(tender_ids: list[int]) -> dict[int, Decimal]:
    """Per tender: the sum of the winning bids' prices of the lots awarded (final or not)."""
    if not tender_ids:
        return {}
    rows = db.session.execute(
        select(Award.tender_id, func.sum(Offer.price))
        .join(Offer, and_(Offer.bid_id == Award.bid_id, Offer.lot_id == Award.lot_id))
        .where(Award.tender_id.in_(tender_ids), Award.finalised_at.is_not(None))
        .group_by(Award.tender_id)
    ).all()
    return {tender_id: Decimal(total) for tender_id, total in rows if total is not None}


def concluded_moments(tenders: list[Tender]) -> dict[int, Optional[datetime]]:
    """Per tender: the last Zuschlag, or the cancellation of a cancelled procedure."""
    ids = [t.id for t in tenders]
    finalised = (
        dict(
            db.session.execute(
                select(Award.tender_id, func.max(Award.finalised_at))
                .where(Award.tender_id.in_(ids))
                .group_by(Award.tender_id)
            ).all()
        )
        if ids
        else {}
    )
    return {
        t.id: t.cancelled_at if t.status is TenderStatus.cancelled else finalised.get(t.id) for t in tenders
    }


def auditable_tenders(user: User) -> list[Tender]:
    """Every procedure the auditor may read now (`can_audit`), unordered."""
    if not is_auditor(user):
        return []
    org = user.organisation_id
    joined = select(Participant.tender_id).where(
        Participant.organisation_id == org, Participant.status == ParticipantStatus.joined
    )
    granted = select(AuditGrant.tender_id).where(
        AuditGrant.organisation_id == org, AuditGrant.revoked_at.is_(None)
    )
    return list(
        db.session.scalars(
            select(Tender).where(
                Tender.status.in_(AUDITABLE_STATES),
                or_(Tender.lead_organisation_id == org, Tender.id.in_(joined), Tender.id.in_(granted)),
            )
        )
    )


def _access(user: User, tender: Tender) -> str:
    if tender.lead_organisation_id == user.organisation_id:
        return "lead"
    if any(
        p.organisation_id == user.organisation_id and p.status is ParticipantStatus.joined
        for p in tender.participants
    ):
        return "participant"
    return "grant"


def _matches(row: Row, filters: Filters) -> bool:
    tender = row.tender
    if filters.year is not None and row.year != filters.year:
        return False
    if filters.procedure is not None and tender.procedure is not filters.procedure:
        return False
    if filters.status is not None and tender.status is not filters.status:
        return False
    if filters.cpv and not tender.cpv_code.replace("-", "").startswith(filters.cpv.replace("-", "")):
        return False
    if filters.value_min is not None or filters.value_max is not None:
        value = row.value(filters.value_basis)
        if value is None:
            return False
        if filters.value_min is not None and value < filters.value_min:
            return False
        if filters.value_max is not None and value > filters.value_max:
            return False
    return True


def _sort(rows: list[Row], filters: Filters) -> list[Row]:
    oldest = datetime.min.replace(tzinfo=BERLIN)
    if filters.sort is SortKey.title:
        return sorted(rows, key=lambda r: (r.tender.title.casefold(), r.tender.id))
    if filters.sort in (SortKey.value_asc, SortKey.value_desc):
        present = [r for r in rows if r.value(filters.value_basis) is not None]
        missing = [r for r in rows if r.value(filters.value_basis) is None]
        present.sort(
            key=lambda r: (r.value(filters.value_basis), r.tender.id),
            reverse=filters.sort is SortKey.value_desc,
        )
        return present + missing  # procedures without a value last, either way
    return sorted(
        rows,
        key=lambda r: (r.concluded_at or oldest, r.tender.id),
        reverse=filters.sort is SortKey.date_desc,
    )


def workspace_page(user: User, filters: Filters, page_size: int = PAGE_SIZE) -> Page:
    """The auditor's procedures matching ``filters``: one page of rows, and the total."""
    tenders = auditable_tenders(user)
    ids = [t.id for t in tenders]
    awarded = awarded_values(ids)
    moments = concluded_moments(tenders)
    rows = [
        Row(
            tender=t,
            concluded_at=moments.get(t.id),
            estimated_value=t.estimated_value,
            awarded_value=awarded.get(t.id),
            participants=t.participant_count,
            access=_access(user, t),
        )
        for t in tenders
    ]
    years = sorted({r.year for r in rows if r.year is not None}, reverse=True)
    shown = _sort([r for r in rows if _matches(r, filters)], filters)
    pages = max(1, -(-len(shown) // page_size))
    page = min(max(filters.page, 1), pages)
    return Page(
        rows=shown[(page - 1) * page_size : page * page_size],
        total=len(shown),
        page=page,
        pages=pages,
        years=years,
    )
