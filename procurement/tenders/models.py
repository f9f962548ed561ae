"""Joint tenders (§4 VgV): lots, participants with their quantities, criteria, documents,
notices, bidder questions."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.accounts.models import Organisation, User
from procurement.database import UTCDateTime, enum_type, utcnow
from procurement.extensions import db
from procurement.needs.models import Need
from procurement.reference.deadlines import Procedure
from procurement.tenders.advisor import BERLIN, earliest_bid_deadline
from workflows.tender import TenderStatus


class ContractNature(enum.Enum):
    """BT-23 main nature of the contract (eForms code list contract-nature)."""

    supplies = "supplies"
    services = "services"
    works = "works"


class CancellationReason(enum.Enum):
    """The grounds for an Aufhebung that §63(1) VgV lists."""

    no_compliant_bid = "no_compliant_bid"  # Nr. 1: kein Angebot, das den Bedingungen entspricht
    fundamental_change = "fundamental_change"  # Nr. 2: Grundlage wesentlich geändert
    no_economic_result = "no_economic_result"  # Nr. 3: kein wirtschaftliches Ergebnis
    other_serious_reasons = "other_serious_reasons"  # Nr. 4: andere schwerwiegende Gründe


class ParticipantStatus(enum.Enum):
    invited = "invited"
    joined = "joined"
    declined = "declined"
    left = "left"


class CriterionKind(enum.Enum):
    """BT-539 award criterion type."""

    price = "price"
    quality = "quality"


class ScoringMethod(enum.Enum):
    lowest_price_ratio = "lowest_price_ratio"  # points = max × lowest price / price
    linear_interpolation = "linear_interpolation"  # lowest price max points, double price 0 points
    points_0_10 = "points_0_10"  # quality: 0-10 points by the published scale
    points_0_5 = "points_0_5"  # quality: 0-5 points by the published scale


PRICE_METHODS = (ScoringMethod.lowest_price_ratio, ScoringMethod.linear_interpolation)
QUALITY_METHODS = (ScoringMethod.points_0_10, ScoringMethod.points_0_5)


class Tender(db.Model):
    """A procurement led by one municipality (the lead authority) for all participants."""

    __tablename__ = "tenders"
    __table_args__ = (
        CheckConstraint("duration_months > 0", name="duration_positive"),
        CheckConstraint("bid_validity_months > 0", name="validity_positive"),
        Index("ix_tenders_status_bid_deadline", "status", "bid_deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # BT-04 procedure identifier (ContractFolderID): fixed for the tender's life
    procedure_uuid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    reference: Mapped[str] = mapped_column(String(40), default="")  # the lead's file number (Aktenzeichen)
    lead_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    status: Mapped[TenderStatus] = mapped_column(
        enum_type(TenderStatus, "tender_status"), default=TenderStatus.draft
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    contract_nature: Mapped[ContractNature] = mapped_column(enum_type(ContractNature, "contract_nature"))
    cpv_code: Mapped[str] = mapped_column(String(10))  # BT-262 main classification
    nuts_code: Mapped[str] = mapped_column(String(5))  # BT-5071 place of performance
    place_of_performance: Mapped[str] = mapped_column(String(200), default="")
    duration_months: Mapped[int] = mapped_column(default=12)  # BT-36
    bid_validity_months: Mapped[int] = mapped_column(default=3)  # BT-98
    contact_email: Mapped[str] = mapped_column(String(254))  # BT-506
    contact_phone: Mapped[str] = mapped_column(String(40))  # BT-503
    # Vergabekammer (review body, BT-500 of the organisation in the review role)
    review_body_name: Mapped[str] = mapped_column(String(200))
    review_body_city: Mapped[str] = mapped_column(String(100))
    review_body_postal_code: Mapped[str] = mapped_column(String(10))
    review_body_nuts: Mapped[str] = mapped_column(String(5))
    review_body_email: Mapped[str] = mapped_column(String(254), default="")
    # BT-501 of the review body in the eForms notice (the SDK requires an identifier for every
    # organisation): its Leitweg-ID or another registration number
    review_body_registration_id: Mapped[str] = mapped_column(String(46), default="")
    planned_publication_date: Mapped[Optional[date]]
    procedure: Mapped[Optional[Procedure]] = mapped_column(enum_type(Procedure, "procedure"))
    use_small_lots: Mapped[bool] = mapped_column(default=False)  # §3(9) VgV chosen by the officer
    bid_deadline: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # fixed at freezing / publication: what the procedure decision was based on (§3 VgV)
    estimated_value: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))
    threshold_value: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))
    source_invitation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("joint_tender_invitations.id"))
    cancellation_reason: Mapped[Optional[CancellationReason]] = mapped_column(
        enum_type(CancellationReason, "cancellation_reason")
    )
    cancellation_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    frozen_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # optimistic lock: two officers changing the same tender at once cannot both win
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    lead_organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[Optional[User]] = relationship()
    lots: Mapped[list[Lot]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="Lot.number"
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="Participant.id"
    )
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="Criterion.position"
    )
    documents: Mapped[list[TenderDocument]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="TenderDocument.id"
    )
    notices: Mapped[list[Notice]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="Notice.id"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="Question.id"
    )
    needs: Mapped[list[Need]] = relationship(secondary="tender_needs", order_by="Need.id")

    # --- what the tender machine's guards read (workflows/tender.py) ---------------------------

    @property
    def joined_participants(self) -> list[Participant]:
        return [p for p in self.participants if p.status is ParticipantStatus.joined]

    @property
    def participant_count(self) -> int:
        return len(self.joined_participants)

    @property
    def criteria_weight_total(self) -> Decimal:
        return sum((criterion.weight for criterion in self.criteria), Decimal(0))

    @property
    def current_documents(self) -> list[TenderDocument]:
        """The newest version of every document."""
        newest: dict[int, TenderDocument] = {}
        for document in self.documents:
            known = newest.get(document.series_id)
            if known is None or document.version > known.version:
                newest[document.series_id] = document
        return sorted(newest.values(), key=lambda document: document.series_id)

    @property
    def document_count(self) -> int:
        return len(self.current_documents)

    def earliest_bid_deadline(self, now: datetime) -> Optional[datetime]:
        """The earliest deadline the chosen procedure allows when the notice is sent ``now``."""
        if self.procedure is None:
            return None
        earliest = earliest_bid_deadline(self.procedure, now.astimezone(BERLIN).date())
        return None if earliest is None else max(earliest, now)

    @property
    def opening_officer_ids(self) -> list[int]:
        """The officers who confirmed the opening (the relationship is declared with the bids)."""
        return [row.officer_id for row in getattr(self, "opening_confirmations", [])]

    @property
    def is_eu(self) -> bool:
        return self.procedure is Procedure.eu_open


class Lot(db.Model):
    """A lot (Los, §97(4) GWB): one part of the tender that can be awarded on its own."""

    __tablename__ = "tender_lots"
    __table_args__ = (
        UniqueConstraint("tender_id", "number"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint("options_value >= 0", name="options_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # LOT-0001 in the notice
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    cpv_code: Mapped[str] = mapped_column(String(10))
    unit: Mapped[str] = mapped_column(String(40))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # estimated EUR net per unit
    options_value: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    nuts_code: Mapped[str] = mapped_column(String(5))
    place_of_performance: Mapped[str] = mapped_column(String(200), default="")

    tender: Mapped[Tender] = relationship(back_populates="lots")
    quantities: Mapped[list[LotQuantity]] = relationship(
        back_populates="lot", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def eforms_id(self) -> str:
        return f"LOT-{self.number:04d}"


class Participant(db.Model):
    """A municipality taking part in a joint tender; the lead takes part like the others."""

    __tablename__ = "tender_participants"
    __table_args__ = (UniqueConstraint("tender_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[ParticipantStatus] = mapped_column(
        enum_type(ParticipantStatus, "participant_status"), default=ParticipantStatus.invited
    )
    # what each participant's contract and invoices need (XRechnung BT-10, buyer address)
    leitweg_id: Mapped[str] = mapped_column(String(46), default="")
    billing_name: Mapped[str] = mapped_column(String(200), default="")
    billing_street: Mapped[str] = mapped_column(String(200), default="")
    billing_postal_code: Mapped[str] = mapped_column(String(10), default="")
    billing_city: Mapped[str] = mapped_column(String(100), default="")
    # the participant's contact for the procedure (buyer contact in the notice, BT-503/BT-506)
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    invited_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    confirmed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))  # the officer who joined
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    joined_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    left_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    tender: Mapped[Tender] = relationship(back_populates="participants")
    # Pages, the advisor and the notice read every participant's name and quantities: one query
    # each for all participants instead of one per participant (a tender may have hundreds).
    organisation: Mapped[Organisation] = relationship(lazy="selectin")
    invited_by: Mapped[Optional[User]] = relationship(foreign_keys=[invited_by_id])
    confirmed_by: Mapped[Optional[User]] = relationship(foreign_keys=[confirmed_by_id])
    quantities: Mapped[list[LotQuantity]] = relationship(
        back_populates="participant", cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )

    def quantity_for(self, lot: Lot) -> Decimal:
        return next((row.quantity for row in self.quantities if row.lot_id == lot.id), Decimal(0))


class LotQuantity(db.Model):
    """How much of a lot one participant orders."""

    __tablename__ = "tender_lot_quantities"
    __table_args__ = (
        UniqueConstraint("participant_id", "lot_id"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("tender_participants.id", ondelete="CASCADE"), index=True
    )
    lot_id: Mapped[int] = mapped_column(ForeignKey("tender_lots.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))

    participant: Mapped[Participant] = relationship(back_populates="quantities")
    lot: Mapped[Lot] = relationship(back_populates="quantities")


class TenderNeed(db.Model):
    """A need that is bundled into a tender."""

    __tablename__ = "tender_needs"

    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), primary_key=True, index=True)


class Criterion(db.Model):
    """An award criterion with its weight (§58 VgV); fixed when the tender is published."""

    __tablename__ = "tender_criteria"
    __table_args__ = (
        CheckConstraint("weight > 0 AND weight <= 100", name="weight_range"),
        UniqueConstraint("tender_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kind: Mapped[CriterionKind] = mapped_column(enum_type(CriterionKind, "criterion_kind"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[Decimal] = mapped_column(Numeric(5, 2))  # percent
    scoring_method: Mapped[ScoringMethod] = mapped_column(enum_type(ScoringMethod, "scoring_method"))

    tender: Mapped[Tender] = relationship(back_populates="criteria")


class TenderDocument(db.Model):
    """One version of a tender document (Vergabeunterlagen); the content lives in the storage."""

    __tablename__ = "tender_documents"
    __table_args__ = (UniqueConstraint("series_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    # all versions of one document share the series id (the id of the first version)
    series_id: Mapped[int] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))  # sanitised, for the download
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    change_note: Mapped[str] = mapped_column(Text, default="")
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tender: Mapped[Tender] = relationship(back_populates="documents")
    uploaded_by: Mapped[Optional[User]] = relationship()


class DocumentDownload(db.Model):
    """A registered vendor user fetched the tender documents: they are told about every change."""

    __tablename__ = "tender_document_downloads"
    __table_args__ = (UniqueConstraint("tender_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    first_downloaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class NoticeKind(enum.Enum):
    contract_notice = "contract_notice"  # eForms subtype 16
    national_notice = "national_notice"  # the platform's own notice page (UVgO)
    award_notice = "award_notice"  # eForms subtype 29 (contract award notice)
    national_award_notice = "national_award_notice"  # the platform's public award page


class Notice(db.Model):
    """A notice as published: the XML exactly as it left the system and the checks it passed."""

    __tablename__ = "tender_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(enum_type(NoticeKind, "notice_kind"))
    notice_uuid: Mapped[str] = mapped_column(String(36), unique=True)  # BT-701
    version: Mapped[str] = mapped_column(String(2), default="01")  # BT-757
    xml: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    # "official": XSD and the SDK's rules ran; "platform": only the platform's own checks
    validation_level: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tender: Mapped[Tender] = relationship(back_populates="notices")


class Question(db.Model):
    """A bidder question (Bieterfrage); its answer goes to all vendors without the asker's name."""

    __tablename__ = "tender_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # shown to everyone: "Frage 3"
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    text: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    tender: Mapped[Tender] = relationship(back_populates="questions")
    asked_by: Mapped[User] = relationship(foreign_keys=[asked_by_id])
    answered_by: Mapped[Optional[User]] = relationship(foreign_keys=[answered_by_id])

    __table_args__ = (UniqueConstraint("tender_id", "number"),)

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
