"""Advisory requests of municipalities to the Kompetenzzentrum, their conversation, introductions
to pilot municipalities, and the FAQ of published answers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.accounts.models import Organisation, User
from procurement.database import UTCDateTime, enum_type, utcnow
from procurement.extensions import db
from workflows.advisory import AdvisoryStatus


class AdvisoryTopic(enum.Enum):
    finding_solution = "finding_solution"  # Lösung finden
    joint_tender = "joint_tender"  # gemeinsame Ausschreibung vorbereiten
    legal_procedure = "legal_procedure"  # Rechtsfrage zum Verfahren
    funding = "funding"  # Förderung
    operation = "operation"  # Betrieb


class AdvisoryRequest(db.Model):
    """A municipality asks the Kompetenzzentrum for advice (``workflows.advisory``)."""

    __tablename__ = "advisory_requests"
    __table_args__ = (Index("ix_advisory_requests_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    topic: Mapped[AdvisoryTopic] = mapped_column(enum_type(AdvisoryTopic, "advisory_topic"))
    subject: Mapped[str] = mapped_column(String(200))
    status: Mapped[AdvisoryStatus] = mapped_column(
        enum_type(AdvisoryStatus, "advisory_status"), default=AdvisoryStatus.new
    )
    assignee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    # optional link to what the request is about
    need_id: Mapped[Optional[int]] = mapped_column(ForeignKey("needs.id"))
    tender_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tenders.id"))
    solution_id: Mapped[Optional[int]] = mapped_column(ForeignKey("solutions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # the latest answer
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    assignee: Mapped[Optional[User]] = relationship(foreign_keys=[assignee_id])
    messages: Mapped[list[RequestMessage]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestMessage.id"
    )
    introductions: Mapped[list[Introduction]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="Introduction.id"
    )


class RequestMessage(db.Model):
    """One message of the conversation: the municipality's request and replies, the answers."""

    __tablename__ = "advisory_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("advisory_requests.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    from_desk: Mapped[bool] = mapped_column(default=False)  # written by the Kompetenzzentrum
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[AdvisoryRequest] = relationship(back_populates="messages")
    author: Mapped[User] = relationship()
    attachments: Mapped[list[RequestAttachment]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="RequestAttachment.id"
    )


class RequestAttachment(db.Model):
    """A file attached to a message (checked and stored like marketplace documents)."""

    __tablename__ = "advisory_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("advisory_messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    message: Mapped[RequestMessage] = relationship(back_populates="attachments")


class Introduction(db.Model):
    """A curator introduced the requesting municipality to a pilot municipality (mail to both)."""

    __tablename__ = "advisory_introductions"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("advisory_requests.id", ondelete="CASCADE"), index=True
    )
    pilot_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    pilot_project_id: Mapped[Optional[int]] = mapped_column(ForeignKey("pilot_projects.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    introduced_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[AdvisoryRequest] = relationship(back_populates="introductions")
    pilot_organisation: Mapped[Organisation] = relationship()
    introduced_by: Mapped[User] = relationship()


class FaqEntry(db.Model):
    """A published answer for everyone (curated from requests, anonymised by the curator)."""

    __tablename__ = "faq_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[AdvisoryTopic] = mapped_column(enum_type(AdvisoryTopic, "advisory_topic"))
    question: Mapped[str] = mapped_column(String(300))
    answer: Mapped[str] = mapped_column(Text)
    source_request_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("advisory_requests.id", ondelete="SET NULL")
    )
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
