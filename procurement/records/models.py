"""Notes officers add to a procedure's record (§8(1) VgV: documented from the start, in text form)
and the grants by which a lead authority lets other organisations' auditors read a procedure."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.accounts.models import Organisation, User
from procurement.database import UTCDateTime, utcnow
from procurement.extensions import db
from procurement.tenders.models import Tender


class RecordNote(db.Model):
    """A free-text note of an officer of the lead, kept with the stage the procedure was in.

    Notes are never changed or deleted (a correction is a new note); each is an audit entry.
    """

    __tablename__ = "record_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(32))  # the tender's status when the note was written
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tender: Mapped[Tender] = relationship()
    author: Mapped[User] = relationship()


class AuditGrant(db.Model):
    """The lead authority lets an organisation's auditors read a procedure (e.g. a supervisory
    authority, the Rechnungsprüfung of a district); revoked grants stay on record."""

    __tablename__ = "audit_grants"
    __table_args__ = (UniqueConstraint("tender_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    tender: Mapped[Tender] = relationship()
    organisation: Mapped[Organisation] = relationship()
    granted_by: Mapped[User] = relationship(foreign_keys=[granted_by_id])

    @property
    def active(self) -> bool:
        return self.revoked_at is None
