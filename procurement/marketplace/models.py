"""The Smart-City marketplace: solutions, pilot projects (Modellprojekte) and their documents."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Numeric, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.accounts.models import Organisation, User
from procurement.database import UTCDateTime, enum_type, utcnow
from procurement.extensions import db
from workflows.curation import EntryStatus


class Category(enum.Enum):
    traffic = "traffic"  # Verkehrssteuerung
    parking = "parking"
    lighting = "lighting"
    energy = "energy"
    water = "water"
    environment = "environment"
    disaster_protection = "disaster_protection"
    open_data = "open_data"
    connectivity = "connectivity"
    administration = "administration"


class DocumentKind(enum.Enum):
    data_sheet = "data_sheet"  # Datenblatt
    specification = "specification"  # Leistungsbeschreibung (reusable)
    tender_documents = "tender_documents"  # Vergabeunterlagen of a pilot project
    report = "report"  # Projektbericht
    other = "other"


pilot_solutions = Table(
    "pilot_project_solutions",
    db.metadata,
    Column("pilot_project_id", ForeignKey("pilot_projects.id", ondelete="CASCADE"), primary_key=True),
    Column("solution_id", ForeignKey("solutions.id", ondelete="CASCADE"), primary_key=True),
)


class Solution(db.Model):
    """A product or service offered to municipalities (by a vendor or the Kompetenzzentrum)."""

    __tablename__ = "solutions"
    __table_args__ = (
        CheckConstraint("cost_min IS NULL OR cost_min >= 0", name="cost_min_not_negative"),
        CheckConstraint(
            "cost_min IS NULL OR cost_max IS NULL OR cost_max >= cost_min", name="cost_range_ordered"
        ),
        Index("ix_solutions_status_category", "status", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    status: Mapped[EntryStatus] = mapped_column(
        enum_type(EntryStatus, "entry_status"), default=EntryStatus.draft
    )
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[Category] = mapped_column(enum_type(Category, "category"))
    summary: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text)
    cost_min: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))  # typical cost, EUR net
    cost_max: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))
    licence: Mapped[str] = mapped_column(String(100))
    open_source: Mapped[bool] = mapped_column(default=False)
    standards: Mapped[str] = mapped_column(String(500), default="")  # standards and interfaces
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    rejection_reason: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[Optional[User]] = relationship()
    cpv_rows: Mapped[list[SolutionCpv]] = relationship(
        back_populates="solution", cascade="all, delete-orphan", lazy="selectin", order_by="SolutionCpv.code"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="solution", cascade="all, delete-orphan", order_by="Document.id"
    )
    pilot_projects: Mapped[list[PilotProject]] = relationship(
        secondary=pilot_solutions, back_populates="solutions"
    )

    @property
    def cpv_codes(self) -> list[str]:
        return [row.code for row in self.cpv_rows]


class SolutionCpv(db.Model):
    __tablename__ = "solution_cpv_codes"

    solution_id: Mapped[int] = mapped_column(ForeignKey("solutions.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(10), primary_key=True, index=True)

    solution: Mapped[Solution] = relationship(back_populates="cpv_rows")


class PilotProject(db.Model):
    """A project a municipality ran (Modellprojekt), documented for others to learn and reuse."""

    __tablename__ = "pilot_projects"
    __table_args__ = (
        CheckConstraint("budget IS NULL OR budget >= 0", name="budget_not_negative"),
        CheckConstraint("period_end IS NULL OR period_end >= period_start", name="period_ordered"),
        Index("ix_pilot_projects_status_category", "status", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    status: Mapped[EntryStatus] = mapped_column(
        enum_type(EntryStatus, "entry_status"), default=EntryStatus.draft
    )
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[Category] = mapped_column(enum_type(Category, "category"))
    summary: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text)
    period_start: Mapped[date]
    period_end: Mapped[Optional[date]]
    budget: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))  # EUR
    funded: Mapped[bool] = mapped_column(default=False)
    funding_programme: Mapped[Optional[str]] = mapped_column(String(200))
    results: Mapped[str] = mapped_column(Text, default="")
    lessons_learned: Mapped[str] = mapped_column(Text, default="")
    # reusable template for a need / tender (Nachnutzung)
    specification: Mapped[str] = mapped_column(Text, default="")  # Leistungsbeschreibung
    award_criteria: Mapped[str] = mapped_column(Text, default="")  # one "criterion; weight %" a line
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    rejection_reason: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[Optional[User]] = relationship()
    cpv_rows: Mapped[list[PilotProjectCpv]] = relationship(
        back_populates="pilot_project",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="PilotProjectCpv.code",
    )
    solutions: Mapped[list[Solution]] = relationship(
        secondary=pilot_solutions, back_populates="pilot_projects"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="pilot_project", cascade="all, delete-orphan", order_by="Document.id"
    )

    @property
    def cpv_codes(self) -> list[str]:
        return [row.code for row in self.cpv_rows]


class PilotProjectCpv(db.Model):
    __tablename__ = "pilot_project_cpv_codes"

    pilot_project_id: Mapped[int] = mapped_column(
        ForeignKey("pilot_projects.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(10), primary_key=True, index=True)

    pilot_project: Mapped[PilotProject] = relationship(back_populates="cpv_rows")


class Document(db.Model):
    """A file attached to a solution or a pilot project; the content lives in the storage."""

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint("(solution_id IS NULL) != (pilot_project_id IS NULL)", name="exactly_one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("solutions.id", ondelete="CASCADE"), index=True
    )
    pilot_project_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("pilot_projects.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind, "document_kind"))
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))  # sanitised, for the download
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    solution: Mapped[Optional[Solution]] = relationship(back_populates="documents")
    pilot_project: Mapped[Optional[PilotProject]] = relationship(back_populates="documents")
