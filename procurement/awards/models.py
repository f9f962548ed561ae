"""Evaluation and award (§§56-60 VgV, §§134-135 GWB): reviews, offers, scores, awards, letters,
contracts.

- ``BidReview``: the lead's decision on an opened bid (admitted or excluded with a ground); one
  per opened bid, made at the opening.
- ``Offer``: a bid's price for one lot, taken from the sealed content at the opening (after the
  opening the prices are no secret to the lead any more; access stays with its officers), with
  the §60 VgV inquiry when the price is abnormally low.
- ``DocumentRequest`` / ``DocumentReplyFile``: documents requested under §56 VgV and the vendor's
  answer; the files are sealed with the tender key like the bid's own files.
- ``QualityScore``: one evaluator's points for one bid and quality criterion.
- ``Award``: the award of one lot, through ``workflows.award``; it keeps the ranking as proposed.
- ``InformationLetter``: the §134 GWB letter to one unsuccessful bidder of a lot.
- ``Contract``: one participant's contract for one lot, created when the lot's award is final.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.accounts.models import Organisation, User
from procurement.bids.models import Bid
from procurement.database import UTCDateTime, enum_type, utcnow
from procurement.extensions import db
from procurement.mail.models import OutboxMail
from procurement.tenders.models import CancellationReason, Criterion, Lot, Participant, Tender
from workflows.award import AwardStatus


class ExclusionGround(enum.Enum):
    """Why a bid is excluded: the list of §57(1) VgV, the GWB grounds, §60(3) VgV."""

    form_or_deadline = "form_or_deadline"  # §57(1) Nr. 1 VgV (also: content not decryptable)
    missing_documents = "missing_documents"  # §57(1) Nr. 2 VgV
    unclear_changes = "unclear_changes"  # §57(1) Nr. 3 VgV
    changed_documents = "changed_documents"  # §57(1) Nr. 4 VgV
    missing_prices = "missing_prices"  # §57(1) Nr. 5 VgV
    inadmissible_variant = "inadmissible_variant"  # §57(1) Nr. 6 VgV
    mandatory_ground = "mandatory_ground"  # §123 GWB
    optional_ground = "optional_ground"  # §124 GWB
    not_suitable = "not_suitable"  # §122 GWB, §42 VgV: suitability not shown
    abnormally_low = "abnormally_low"  # §60(3) VgV


class BidReview(db.Model):
    """The lead's decision on an opened bid; the bid's own status says admitted or excluded."""

    __tablename__ = "bid_reviews"

    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id", ondelete="CASCADE"), primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    exclusion_ground: Mapped[Optional[ExclusionGround]] = mapped_column(
        enum_type(ExclusionGround, "exclusion_ground")
    )
    reason: Mapped[str] = mapped_column(Text, default="")  # why admitted / excluded, for the record
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bid: Mapped[Bid] = relationship()
    decided_by: Mapped[Optional[User]] = relationship()


class Offer(db.Model):
    """A bid's total net price for one lot (EUR), and the §60 VgV inquiry if it is abnormally low."""

    __tablename__ = "bid_offers"
    __table_args__ = (
        UniqueConstraint("bid_id", "lot_id"),
        CheckConstraint("price > 0", name="price_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("tender_lots.id", ondelete="CASCADE"), index=True)
    price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    # §60 VgV: the vendor's explanation of an abnormally low price and the officer's assessment
    explanation: Mapped[str] = mapped_column(Text, default="")
    explanation_accepted: Mapped[Optional[bool]]
    explanation_recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    explanation_recorded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    bid: Mapped[Bid] = relationship()
    lot: Mapped[Lot] = relationship()
    explanation_recorded_by: Mapped[Optional[User]] = relationship()


class RequestStatus(enum.Enum):
    open = "open"
    answered = "answered"
    lapsed = "lapsed"  # the deadline passed without an answer
    withdrawn = "withdrawn"


class DocumentRequest(db.Model):
    """Documents the lead requests from a bidder after the opening (§56(2) VgV), with a deadline."""

    __tablename__ = "document_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id", ondelete="CASCADE"), index=True)
    status: Mapped[RequestStatus] = mapped_column(
        enum_type(RequestStatus, "document_request_status"), default=RequestStatus.open
    )
    text: Mapped[str] = mapped_column(Text)  # what is missing, as the bidder reads it
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer_text: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # lapsed or withdrawn
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    bid: Mapped[Bid] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    answered_by: Mapped[Optional[User]] = relationship(foreign_keys=[answered_by_id])
    files: Mapped[list[DocumentReplyFile]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="DocumentReplyFile.id"
    )


class DocumentReplyFile(db.Model):
    """A file the bidder sent in answer to a request; sealed with the tender key like bid files."""

    __tablename__ = "document_reply_files"
    __table_args__ = (UniqueConstraint("request_id", "filename"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("document_requests.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))  # sanitised
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]  # plaintext bytes
    sha256: Mapped[str] = mapped_column(String(64))  # of the plaintext
    sealed_size: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)  # data key, wrapped with the tender key
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[DocumentRequest] = relationship(back_populates="files")


class QualityScore(db.Model):
    """One evaluator's points for one bid and one quality criterion (on the criterion's scale)."""

    __tablename__ = "quality_scores"
    __table_args__ = (
        UniqueConstraint("bid_id", "criterion_id", "evaluator_id"),
        CheckConstraint("points >= 0", name="points_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("tender_criteria.id", ondelete="CASCADE"))
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    points: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    justification: Mapped[str] = mapped_column(Text, default="")
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    criterion: Mapped[Criterion] = relationship()
    evaluator: Mapped[User] = relationship()


class Award(db.Model):
    """The award of one lot (``workflows.award``): proposed -> notified -> final, or cancelled.

    ``ranking`` keeps the ranking exactly as it stood when the award was proposed (the numbers
    the letters and the record quote), as JSON with Decimal values as strings.
    """

    __tablename__ = "awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("tender_lots.id", ondelete="CASCADE"), unique=True)
    bid_id: Mapped[Optional[int]] = mapped_column(ForeignKey("bids.id"))  # the winner; None: lot cancelled
    status: Mapped[AwardStatus] = mapped_column(
        enum_type(AwardStatus, "award_status"), default=AwardStatus.proposed
    )
    reasons: Mapped[str] = mapped_column(Text, default="")  # why this bid (§134 GWB, §8 VgV)
    ranking: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    proposed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    # None while ``proposed``: no current proposal (a review ordered a new evaluation)
    proposed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # what the award machine's guards read (workflows/award.py)
    unsuccessful_bidders: Mapped[int] = mapped_column(default=0)
    letters_sent: Mapped[int] = mapped_column(default=0)
    notified_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    standstill_ends_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    challenged_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    challenge_note: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    finalised_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    finalised_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # Zuschlag: contract concluded
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    cancellation_reason: Mapped[Optional[CancellationReason]] = mapped_column(
        enum_type(CancellationReason, "cancellation_reason")
    )
    cancellation_text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    tender: Mapped[Tender] = relationship()
    lot: Mapped[Lot] = relationship()
    bid: Mapped[Optional[Bid]] = relationship()
    proposed_by: Mapped[Optional[User]] = relationship(foreign_keys=[proposed_by_id])
    finalised_by: Mapped[Optional[User]] = relationship(foreign_keys=[finalised_by_id])
    letters: Mapped[list[InformationLetter]] = relationship(
        back_populates="award", cascade="all, delete-orphan", order_by="InformationLetter.id"
    )


class InformationLetter(db.Model):
    """The §134(1) GWB information of one unsuccessful bidder of a lot, as PDF and by mail.

    ``sent_at`` is when the mail left the outbox (the SMTP server accepted it): the standstill
    counts from the day after (§134(2) GWB). ``earliest_contract_at`` is the date the letter
    names, computed when it was written; should the mail leave later, the award's standstill
    follows the actual sending and the later of the two holds.
    """

    __tablename__ = "award_letters"
    __table_args__ = (UniqueConstraint("award_id", "bid_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), index=True)
    # a new proposal after a review needs new letters: each proposal is one round
    round: Mapped[int] = mapped_column(default=1)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    rank: Mapped[Optional[int]]  # None: the bid was excluded
    reasons: Mapped[str] = mapped_column(Text)  # why this bid is not to be accepted
    earliest_contract_at: Mapped[datetime] = mapped_column(UTCDateTime)
    pdf_storage_key: Mapped[Optional[str]] = mapped_column(String(100))
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")
    outbox_mail_id: Mapped[Optional[int]] = mapped_column(ForeignKey("outbox_mails.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    award: Mapped[Award] = relationship(back_populates="letters")
    bid: Mapped[Bid] = relationship()
    organisation: Mapped[Organisation] = relationship()
    outbox_mail: Mapped[Optional[OutboxMail]] = relationship()


class Contract(db.Model):
    """One participant's contract for one lot with the winning vendor, made when the award is final.

    Unit price: the bid's total price for the lot divided by the lot's total quantity of all
    participants, rounded half-up to 4 decimal places; the net value is quantity × unit price
    rounded half-up to cents, the way an invoice line computes it (EN 16931), so the invoices
    of a contract add up to its net value.
    """

    __tablename__ = "contracts"
    __table_args__ = (
        UniqueConstraint("award_id", "participant_id"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # the contract reference (BT-12)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("tender_lots.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("tender_participants.id"), index=True)
    buyer_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    vendor_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id"))
    # the parties and terms as they stood at the conclusion (copied: later profile edits do not
    # change a concluded contract)
    buyer_name: Mapped[str] = mapped_column(String(200))
    leitweg_id: Mapped[str] = mapped_column(String(46))
    billing_name: Mapped[str] = mapped_column(String(200))
    billing_street: Mapped[str] = mapped_column(String(200))
    billing_postal_code: Mapped[str] = mapped_column(String(10))
    billing_city: Mapped[str] = mapped_column(String(100))
    vendor_name: Mapped[str] = mapped_column(String(200))
    lot_title: Mapped[str] = mapped_column(String(200))
    cpv_code: Mapped[str] = mapped_column(String(10))
    unit: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    net_value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    concluded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    pdf_storage_key: Mapped[Optional[str]] = mapped_column(String(100))
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tender: Mapped[Tender] = relationship()
    award: Mapped[Award] = relationship()
    lot: Mapped[Lot] = relationship()
    participant: Mapped[Participant] = relationship()
    buyer_organisation: Mapped[Organisation] = relationship(foreign_keys=[buyer_organisation_id])
    vendor_organisation: Mapped[Organisation] = relationship(foreign_keys=[vendor_organisation_id])
    bid: Mapped[Bid] = relationship()


def _lot_award_states(tender: Tender) -> list[Optional[AwardStatus]]:
    """One AwardStatus per lot, in lot order: what the tender guards read.

    None: the lot has no award proposal yet, or its proposal was voided because the review body
    ordered a new evaluation (``proposed`` without ``proposed_at``): the tender goes back to the
    evaluation until the lot is proposed again.
    """
    by_lot = {
        lot_id: None if status is AwardStatus.proposed and proposed_at is None else status
        for lot_id, status, proposed_at in db.session.execute(
            select(Award.lot_id, Award.status, Award.proposed_at).where(Award.tender_id == tender.id)
        )
    }
    return [by_lot.get(lot.id) for lot in tender.lots]


# The tender machine's award guards read the lots' award states (workflows/tender.py).
Tender.lot_award_states = property(_lot_award_states)  # type: ignore[attr-defined]


def _open_document_requests(bid: Bid) -> int:
    """How many §56 VgV requests of this bid are still open: what the bid's admit guard reads."""
    return len(
        db.session.scalars(
            select(DocumentRequest.id).where(
                DocumentRequest.bid_id == bid.id, DocumentRequest.status == RequestStatus.open
            )
        ).all()
    )


Bid.open_document_requests = property(_open_document_requests)  # type: ignore[attr-defined]
