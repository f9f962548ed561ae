"""Organisations, users and their roles."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.database import UTCDateTime, enum_type, utcnow
from procurement.extensions import db
from workflows.account import UserStatus


class OrganisationKind(enum.Enum):
    municipality = "municipality"
    vendor = "vendor"
    competence_centre = "competence_centre"


class CompanySize(enum.Enum):
    """A vendor's size (EU recommendation 2003/361/EC; eForms BT-165 economic-operator-size)."""

    micro = "micro"
    small = "small"
    medium = "medium"
    large = "large"


class Role(enum.Enum):
    requester = "requester"  # Bedarfsträger: drafts needs
    officer = "officer"  # Vergabestelle: runs procedures, manages the municipality's members
    vendor = "vendor"  # Bieter
    auditor = "auditor"  # Rechnungsprüfung: read-only
    curator = "curator"  # Kompetenzzentrum: curates the marketplace, onboards municipalities
    admin = "admin"  # platform operator


ROLES_BY_KIND: dict[OrganisationKind, tuple[Role, ...]] = {
    OrganisationKind.municipality: (Role.requester, Role.officer, Role.auditor),
    OrganisationKind.vendor: (Role.vendor,),
    OrganisationKind.competence_centre: (Role.curator, Role.auditor, Role.admin),
}


class Organisation(db.Model):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(
            "kind != 'municipality' OR (ags IS NOT NULL AND leitweg_id IS NOT NULL)",
            name="municipality_ids",
        ),
        CheckConstraint("kind != 'vendor' OR vat_id IS NOT NULL", name="vendor_vat_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_type(OrganisationKind, "organisation_kind"))
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(100))
    country_code: Mapped[str] = mapped_column(String(2), default="DE")
    email: Mapped[Optional[str]] = mapped_column(String(254))
    # Amtlicher Gemeindeschlüssel, 8 digits (municipalities only)
    ags: Mapped[Optional[str]] = mapped_column(String(8), unique=True)
    # routing id for e-invoices, XRechnung BT-10 (municipalities only)
    leitweg_id: Mapped[Optional[str]] = mapped_column(String(46))
    nuts_code: Mapped[Optional[str]] = mapped_column(String(5))
    vat_id: Mapped[Optional[str]] = mapped_column(String(20), unique=True)
    # vendors only: declared size, for the award notice's statistics and winner (eForms BT-165)
    company_size: Mapped[Optional[CompanySize]] = mapped_column(enum_type(CompanySize, "company_size"))
    # municipalities: funded as a Smart-City model project (Modellprojekt); the desk counts the
    # non-funded ones separately (the platform is for them too)
    funded: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="organisation", order_by="User.name")

    @property
    def allowed_roles(self) -> tuple[Role, ...]:
        return ROLES_BY_KIND[self.kind]


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[Optional[str]] = mapped_column(String(200))
    status: Mapped[UserStatus] = mapped_column(
        enum_type(UserStatus, "user_status"), default=UserStatus.invited
    )
    language: Mapped[str] = mapped_column(String(2), default="de")
    # Rotated on activation, password change and disabling: ends every session and link.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_hex(32))
    invitation_expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    invited_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    activated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(back_populates="members")
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    def rotate_session_token(self) -> None:
        self.session_token = secrets.token_hex(32)

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.status is UserStatus.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))

    user: Mapped[User] = relationship(back_populates="role_rows")
