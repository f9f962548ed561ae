"""Helpers of the workspace, grants, retention and overview tests (no tests here).

Auditors of the participant (Birkenfelde), of an uninvolved municipality (Nordhafen) and of the
Kompetenzzentrum are invited and activated through the account services (the demo has only
Talheim's auditor). A cancelled procedure is made through the tender services.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from flask import Flask
from sqlalchemy import select

from procurement.accounts.models import Organisation, Role
from procurement.accounts.services import activate_user, add_invited_user
from procurement.database import utcnow
from procurement.demo import _demo_password_hash
from procurement.extensions import db
from procurement.reference.deadlines import Procedure
from procurement.tenders import services as tender_services
from procurement.tenders.models import CancellationReason, Tender
from tests.procurement.tenders.conftest import LEAD, PARTNER, THIRD, user

LEAD_AUDITOR = "pruefung@talheim.example"
PARTNER_AUDITOR = "pruefung@birkenfelde.example"
THIRD_AUDITOR = "pruefung@nordhafen.example"
KZ_AUDITOR = "pruefung@kompetenzzentrum.example"
CURATOR = "kuratorin@kompetenzzentrum.example"
CANCELLED_AT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 2026 in Berlin

__all__ = ["LEAD", "PARTNER", "THIRD"]


def add_auditors(app: Flask) -> None:
    """Auditors for Birkenfelde, Nordhafen and the Kompetenzzentrum (password DEMO_PASSWORD)."""
    with app.app_context():
        for of, email in ((PARTNER, PARTNER_AUDITOR), (THIRD, THIRD_AUDITOR), (CURATOR, KZ_AUDITOR)):
            organisation = db.session.get(Organisation, user(of).organisation_id)
            now = utcnow()
            member = add_invited_user(
                organisation,
                email,
                "Rita Revision",
                {Role.auditor},
                actor=None,
                now=now,
                action="user.created",
            )
            activate_user(member, "user.activated", now, password_hash=_demo_password_hash())
        db.session.commit()


def cancelled_tender(app: Flask, public_tender) -> int:  # type: ignore[no-untyped-def]
    """A published EU tender for software of Talheim and Birkenfelde, cancelled on CANCELLED_AT."""
    tender_id = public_tender(
        procedure=Procedure.eu_open, title="Verkehrsrechner-Software", cpv_code="48000000-8"
    )
    with app.test_request_context():
        tender = db.session.get(Tender, tender_id)
        tender_services.cancel_tender(
            user(LEAD), tender, CancellationReason.no_compliant_bid, "Kein Angebot.", CANCELLED_AT
        )
        db.session.commit()
    return tender_id


def set_estimated_value(app: Flask, tender_id: int, value: str) -> None:
    """Shortcut (documented): the estimate is fixed at freezing, which the fixture skips."""
    with app.app_context():
        tender = db.session.get(Tender, tender_id)
        tender.estimated_value = Decimal(value)
        db.session.commit()


def organisation_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Organisation.id).where(Organisation.id == user(email).organisation_id)
        )
