"""Sealed bids (§§53-55 VgV): bids, their files, the tender's key, the opening.

What a bid says (prices per lot, answers to the quality criteria, consortium members) is kept
as a sealed JSON document (``content_sealed``), the files as sealed blobs in the storage: the
database holds no price and no file content in clear before the opening. What the receipt
names (time of receipt, file names, sizes, SHA-256 of each plaintext file) is not secret.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.accounts.models import Organisation, User
from procurement.database import UTCDateTime, enum_type, utcnow
from procurement.extensions import db
from procurement.tenders.models import Tender
from workflows.bid import BidStatus


class TenderKey(db.Model):
    """The tender's key, wrapped with the platform key; it wraps the data key of every bid file."""

    __tablename__ = "tender_keys"

    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), primary_key=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    platform_key_id: Mapped[str] = mapped_column(String(16))  # which platform key wrapped it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Bid(db.Model):
    """One bid of a vendor for a tender; a newer submission supersedes an older one."""

    __tablename__ = "bids"
    __table_args__ = (Index("ix_bids_tender_status", "tender_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)  # the vendor
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    status: Mapped[BidStatus] = mapped_column(enum_type(BidStatus, "bid_status"), default=BidStatus.draft)
    # shown on the receipt and quoted by the vendor; not guessable
    receipt_id: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    # sealed JSON: {"lots": {lot id: price}, "answers": {criterion id: text}, "consortium": [...]}
    content_sealed: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    content_key_wrapped: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    has_prices: Mapped[bool] = mapped_column(default=False)  # whether the sealed content names a price
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # time of receipt (§10(1) Nr. 1)
    submitted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    opened_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # after the opening: why the bid could not be decrypted or verified (shown in the record)
    opening_error: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    tender: Mapped[Tender] = relationship()
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[Optional[User]] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[Optional[User]] = relationship(foreign_keys=[submitted_by_id])
    files: Mapped[list[BidFile]] = relationship(
        back_populates="bid", cascade="all, delete-orphan", order_by="BidFile.id"
    )

    @property
    def bid_deadline(self) -> Optional[datetime]:
        return self.tender.bid_deadline

    @property
    def file_count(self) -> int:
        return len(self.files)


class BidFileKind(enum.Enum):
    offer_letter = "offer_letter"  # Angebotsschreiben
    price_sheet = "price_sheet"  # Preisblatt
    references = "references"  # Referenzen
    other = "other"


class BidFile(db.Model):
    """A file of a bid, sealed in the storage under its own data key."""

    __tablename__ = "bid_files"
    __table_args__ = (UniqueConstraint("bid_id", "filename"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id", ondelete="CASCADE"), index=True)
    kind: Mapped[BidFileKind] = mapped_column(enum_type(BidFileKind, "bid_file_kind"))
    filename: Mapped[str] = mapped_column(String(200))  # sanitised
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]  # plaintext bytes
    sha256: Mapped[str] = mapped_column(String(64))  # of the plaintext, as on the receipt
    sealed_size: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)  # data key, wrapped with the tender key
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # set at the opening: the decrypted file's hash matched the receipt (None: not checked yet)
    verified: Mapped[Optional[bool]]
    verification_error: Mapped[str] = mapped_column(Text, default="")

    bid: Mapped[Bid] = relationship(back_populates="files")


class OpeningConfirmation(db.Model):
    """An officer of the lead confirms the opening; two distinct officers open (§55(2) VgV)."""

    __tablename__ = "opening_confirmations"
    __table_args__ = (UniqueConstraint("tender_id", "officer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    officer: Mapped[User] = relationship()


class Opening(db.Model):
    """The opening of a tender's bids and its record (Öffnungsprotokoll), stored as issued."""

    __tablename__ = "openings"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    second_officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    record_storage_key: Mapped[Optional[str]] = mapped_column(String(100))
    record_sha256: Mapped[str] = mapped_column(String(64), default="")

    first_officer: Mapped[User] = relationship(foreign_keys=[first_officer_id])
    second_officer: Mapped[User] = relationship(foreign_keys=[second_officer_id])


# The tender machine's opening guard reads who confirmed (workflows/tender.py).
Tender.opening_confirmations = relationship(  # type: ignore[attr-defined]
    OpeningConfirmation, order_by=OpeningConfirmation.id, cascade="all, delete-orphan"
)
