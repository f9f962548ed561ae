"""The audit log: append-only and hash-chained."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from procurement.database import UTCDateTime
from procurement.extensions import db


class AuditEntry(db.Model):
    """One recorded event; ``hash = SHA-256(prev_hash + canonical entry)``.

    ``seq`` is unique, so two transactions that read the same head cannot both append: the chain
    never forks. Database triggers (see the migration) refuse UPDATE and DELETE.
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(64), index=True)
    actor_id: Mapped[Optional[int]] = mapped_column()
    actor_email: Mapped[Optional[str]] = mapped_column(String(254))
    organisation_id: Mapped[Optional[int]] = mapped_column(index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[Optional[str]] = mapped_column(Text)  # canonical JSON
    after: Mapped[Optional[str]] = mapped_column(Text)  # canonical JSON
    ip_address: Mapped[Optional[str]] = mapped_column(String(45))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
