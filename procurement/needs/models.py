"""Needs (Bedarfe) that municipalities announce, and invitations to buy together."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.accounts.models import Organisation, User
from procurement.database import UTCDateTime, enum_type, utcnow
from procurement.extensions import db
from workflows.need import NeedStatus


class Need(db.Model):
    __tablename__ = "needs"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("estimated_value >= 0", name="value_not_negative"),
        CheckConstraint("delivery_until >= delivery_from", name="delivery_ordered"),
        Index("ix_needs_status_cpv_group", "status", "cpv_group"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    status: Mapped[NeedStatus] = mapped_column(enum_type(NeedStatus, "need_status"), default=NeedStatus.draft)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    cpv_code: Mapped[str] = mapped_column(String(10))  # main subject (BT-262)
    cpv_group: Mapped[str] = mapped_column(String(5))  # first 5 digits: what bundling matches on
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit: Mapped[str] = mapped_column(String(40))
    estimated_value: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # EUR net (§3 VgV)
    delivery_from: Mapped[date]
    delivery_until: Mapped[date]
    nuts_code: Mapped[str] = mapped_column(String(5))  # place of performance
    place_of_performance: Mapped[str] = mapped_column(String(200), default="")
    specification: Mapped[str] = mapped_column(Text, default="")
    award_criteria: Mapped[str] = mapped_column(Text, default="")
    source_solution_id: Mapped[Optional[int]] = mapped_column(ForeignKey("solutions.id"))
    source_pilot_project_id: Mapped[Optional[int]] = mapped_column(ForeignKey("pilot_projects.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    opened_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[Optional[User]] = relationship()


class JointTenderInvitation(db.Model):
    """An officer invites the owners of matching needs to a joint tender (§4 VgV)."""

    __tablename__ = "joint_tender_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)  # inviting
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    cpv_group: Mapped[str] = mapped_column(String(5))
    message: Mapped[str] = mapped_column(Text, default="")
    total_estimated_value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User] = relationship()
    recipients: Mapped[list[InvitationRecipient]] = relationship(
        back_populates="invitation", cascade="all, delete-orphan", order_by="InvitationRecipient.id"
    )


class RecipientResponse(enum.Enum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"


class InvitationRecipient(db.Model):
    __tablename__ = "joint_tender_invitation_recipients"
    __table_args__ = (UniqueConstraint("invitation_id", "need_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("joint_tender_invitations.id", ondelete="CASCADE"))
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    response: Mapped[RecipientResponse] = mapped_column(
        enum_type(RecipientResponse, "recipient_response"), default=RecipientResponse.pending
    )
    responded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    invitation: Mapped[JointTenderInvitation] = relationship(back_populates="recipients")
    need: Mapped[Need] = relationship()
    organisation: Mapped[Organisation] = relationship()
