"""Invoice fixtures: a final award of one lot with a contract for each of 3 municipalities.

The tender, its bid, the final award and the contracts are written directly into the database (a
documented shortcut: the award machine and `procurement.awards.contracts` are tested in
tests/procurement/awards); everything from the contracts on goes through the invoice services.

Cast (demo accounts, ``demo`` fixture):

- lead authority of the tender: Wiesental (``LEAD_OFFICER``), which has **no** contract itself;
- contracts for Talheim (``BUYER`` officer, ``BUYER_AUDITOR``, ``BUYER_REQUESTER``), Birkenfelde
  (``PARTNER``) and Nordhafen (``THIRD``), each with its own Leitweg-ID;
- the winning vendor ``VENDOR`` (Verkehrstechnik Süd GmbH); ``OTHER_VENDOR`` has no contract;
- ``OTHER_MUNICIPALITY`` (Kleinmoorbach) takes no part; ``CURATOR`` of the competence centre.

``make_award(extra=n)`` adds ``n`` generated municipalities (each with an officer and a valid
Leitweg-ID) to the three, for the "invoice all participants" tests with many contracts.
``billing_profile`` completes the vendor's billing profile (bank account, tax number, contact).
"""

from __future__ import annotations

import importlib.util
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import insert, select

from procurement.accounts.models import Organisation, OrganisationKind, Role, User, UserRole
from procurement.awards.models import Award, Contract, Offer
from procurement.bids.models import Bid, BidStatus
from procurement.extensions import db
from procurement.invoices.models import BillingProfile
from procurement.reference.deadlines import Procedure
from procurement.tenders.models import ContractNature, Lot, Participant, ParticipantStatus, Tender
from workflows.account import UserStatus
from workflows.award import AwardStatus
from workflows.tender import TenderStatus
from xrechnung import leitweg_check_digits

LEAD_OFFICER = "vergabe@wiesental.example"  # officer of the lead authority, not a buyer
BUYER = "vergabe@talheim.example"  # officer of Talheim: the buyer of the first contract
BUYER_COLLEAGUE = "oeffnung@talheim.example"  # a second officer of Talheim
BUYER_AUDITOR = "pruefung@talheim.example"
BUYER_REQUESTER = "bedarf@talheim.example"
PARTNER = "vergabe@birkenfelde.example"
THIRD = "vergabe@nordhafen.example"
OTHER_MUNICIPALITY = "vergabe@kleinmoorbach.example"
VENDOR = "angebot@verkehrstechnik-sued.example"
OTHER_VENDOR = "angebot@energienetz.example"
CURATOR = "kuratorin@kompetenzzentrum.example"
BUYERS = (BUYER, PARTNER, THIRD)

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
CONCLUDED_AT = NOW - timedelta(days=30)
QUANTITIES = {BUYER: Decimal(10), PARTNER: Decimal(5), THIRD: Decimal(3)}
UNIT_PRICE = Decimal("3200.0000")
LOT_TITLE = "Steuergeräte mit OCIT-O-Schnittstelle"

# a valid German IBAN (ISO 13616 check digits) and BIC
IBAN = "DE02120300000000202051"
BIC = "BYLADEM1001"


def user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


@dataclass(frozen=True)
class Awarded:
    """The ids of the awarded tender: the award, and the contracts by buyer officer e-mail."""

    tender_id: int
    award_id: int
    contracts: dict[str, int]  # BUYER, PARTNER, THIRD and generated officers -> contract id
    vendor_organisation_id: int

    @property
    def contract_id(self) -> int:
        """The contract with Talheim (the buyer with officer, auditor and requester)."""
        return self.contracts[BUYER]


def _net(quantity: Decimal, price: Decimal) -> Decimal:
    return (quantity * price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def generated_municipalities(count: int, start: int = 0) -> list[dict[str, object]]:
    """Rows of ``count`` municipalities with an AGS and a Leitweg-ID with correct check digits."""
    rows = []
    for n in range(start, start + count):
        ags = f"{9100000 + n:08d}"
        rows.append(
            {
                "kind": OrganisationKind.municipality,
                "name": f"Gemeinde Rechnungsdorf {n}",
                "street": f"Rathausplatz {n % 50 + 1}",
                "postal_code": f"{20000 + n % 70000:05d}",
                "city": f"Rechnungsdorf {n}",
                "country_code": "DE",
                "ags": ags,
                "leitweg_id": f"{ags}-RECHNUNG-{leitweg_check_digits(ags, 'RECHNUNG')}",
                "created_at": CONCLUDED_AT,
            }
        )
    return rows


def build_award(
    vendor_organisation_id: int,
    lead_organisation_id: int,
    buyers: list[tuple[Organisation, Decimal]],
    unit: str = "Stück",
    unit_price: Decimal = UNIT_PRICE,
) -> tuple[int, int, dict[int, int]]:
    """Tender (awarded), one lot, the vendor's bid, a final award and one contract per buyer.

    Returns the tender id, the award id and the contract id per buyer organisation id.
    """
    session = db.session
    tender = Tender(
        reference="VG-2027-3",
        lead_organisation_id=lead_organisation_id,
        status=TenderStatus.awarded,
        title="Adaptive Ampelsteuerung für mehrere Kommunen",
        description="Lieferung und Betrieb verkehrsabhängiger Ampelsteuerungen.",
        contract_nature=ContractNature.supplies,
        cpv_code="34996000-5",
        nuts_code="DE118",
        contact_email=LEAD_OFFICER,
        contact_phone="+49 7131 0000",
        review_body_name="Vergabekammer Baden-Württemberg",
        review_body_city="Karlsruhe",
        review_body_postal_code="76133",
        review_body_nuts="DE122",
        procedure=Procedure.eu_open,
        bid_deadline=CONCLUDED_AT - timedelta(days=40),
        published_at=CONCLUDED_AT - timedelta(days=80),
        duration_months=24,
    )
    session.add(tender)
    session.flush()
    lot = Lot(
        tender_id=tender.id,
        number=1,
        title=LOT_TITLE,
        description="Verkehrsabhängige Steuergeräte.",
        cpv_code="34996000-5",
        unit=unit,
        unit_price=Decimal("9500.00"),
        nuts_code="DE118",
    )
    session.add(lot)
    session.flush()
    session.execute(
        insert(Participant),
        [
            {
                "tender_id": tender.id,
                "organisation_id": organisation.id,
                "status": ParticipantStatus.joined,
                "invited_at": CONCLUDED_AT,
                "joined_at": CONCLUDED_AT,
            }
            for organisation, _quantity in buyers
        ],
    )
    participants = dict(
        session.execute(
            select(Participant.organisation_id, Participant.id).where(Participant.tender_id == tender.id)
        ).all()
    )
    bid = Bid(
        tender_id=tender.id,
        organisation_id=vendor_organisation_id,
        status=BidStatus.successful,
        submitted_at=CONCLUDED_AT - timedelta(days=41),
    )
    session.add(bid)
    session.flush()
    total = sum((_net(quantity, unit_price) for _organisation, quantity in buyers), Decimal(0))
    session.add(Offer(tender_id=tender.id, bid_id=bid.id, lot_id=lot.id, price=total))
    award = Award(
        tender_id=tender.id,
        lot_id=lot.id,
        bid_id=bid.id,
        status=AwardStatus.final,
        reasons="wirtschaftlichstes Angebot",
        standstill_ends_at=CONCLUDED_AT - timedelta(hours=1),
        finalised_at=CONCLUDED_AT,
    )
    session.add(award)
    session.flush()
    vendor = session.get(Organisation, vendor_organisation_id)
    session.execute(
        insert(Contract),
        [
            {
                "number": f"VG-2027-3-{tender.id}-L1-{organisation.ags or organisation.id}",
                "tender_id": tender.id,
                "award_id": award.id,
                "lot_id": lot.id,
                "participant_id": participants[organisation.id],
                "buyer_organisation_id": organisation.id,
                "vendor_organisation_id": vendor_organisation_id,
                "bid_id": bid.id,
                "buyer_name": organisation.name,
                "leitweg_id": organisation.leitweg_id or "",
                "billing_name": organisation.name,
                "billing_street": organisation.street,
                "billing_postal_code": organisation.postal_code,
                "billing_city": organisation.city,
                "vendor_name": vendor.name,
                "lot_title": LOT_TITLE,
                "cpv_code": "34996000-5",
                "unit": unit,
                "quantity": quantity,
                "unit_price": unit_price,
                "net_value": _net(quantity, unit_price),
                "concluded_at": CONCLUDED_AT,
                "created_at": CONCLUDED_AT,
            }
            for organisation, quantity in buyers
        ],
    )
    contracts = dict(
        session.execute(
            select(Contract.buyer_organisation_id, Contract.id).where(Contract.award_id == award.id)
        ).all()
    )
    return tender.id, award.id, contracts


def add_municipalities(count: int, start: int = 0) -> list[tuple[Organisation, str]]:
    """``count`` generated municipalities, each with one active officer; (organisation, e-mail)."""
    session = db.session
    rows = generated_municipalities(count, start)
    session.execute(insert(Organisation), rows)
    organisations = list(
        session.scalars(select(Organisation).where(Organisation.ags.in_([row["ags"] for row in rows])))
    )
    users = [
        {
            "organisation_id": organisation.id,
            "email": f"vergabe{organisation.ags}@rechnungsdorf.example",
            "name": f"Vera Vergabe {organisation.ags}",
            "status": UserStatus.active,
            "session_token": secrets.token_hex(32),
            "created_at": CONCLUDED_AT,
        }
        for organisation in organisations
    ]
    session.execute(insert(User), users)
    ids = dict(
        session.execute(
            select(User.email, User.id).where(User.email.like("vergabe%@rechnungsdorf.example"))
        ).all()
    )
    session.execute(insert(UserRole), [{"user_id": ids[row["email"]], "role": Role.officer} for row in users])
    by_org = {row["organisation_id"]: row["email"] for row in users}
    return [(organisation, str(by_org[organisation.id])) for organisation in organisations]


def complete_billing_profile(organisation_id: int, **changes: object) -> BillingProfile:
    """Give a vendor a billing profile with everything an XRechnung needs (flushed)."""
    profile = db.session.get(BillingProfile, organisation_id) or BillingProfile(
        organisation_id=organisation_id
    )
    values: dict[str, object] = {
        "iban": IBAN,
        "bic": BIC,
        "account_name": "Verkehrstechnik Süd GmbH",
        "tax_number": "93815/08152",
        "contact_name": "Viktor Verkehr",
        "contact_phone": "+49 711 555 0100",
        "contact_email": "rechnung@verkehrstechnik-sued.example",
        "electronic_address": "rechnung@verkehrstechnik-sued.example",
        "payment_terms_days": 30,
    }
    values.update(changes)
    for name, value in values.items():
        setattr(profile, name, value)
    db.session.add(profile)
    db.session.flush()
    return profile


@pytest.fixture
def make_award(app: Flask, demo: None) -> Callable[..., Awarded]:
    """Return a factory: the awarded lot with contracts for Talheim, Birkenfelde, Nordhafen (+ extra)."""

    def make(extra: int = 0, unit: str = "Stück", vendor: str = VENDOR) -> Awarded:
        with app.app_context():
            vendor_organisation_id = user(vendor).organisation_id
            lead_organisation_id = user(LEAD_OFFICER).organisation_id
            named = [(user(email).organisation, QUANTITIES[email], email) for email in BUYERS]
            generated = add_municipalities(extra) if extra else []
            buyers = [(organisation, quantity) for organisation, quantity, _email in named]
            buyers += [
                (organisation, Decimal(1 + n % 7)) for n, (organisation, _email) in enumerate(generated)
            ]
            tender_id, award_id, by_org = build_award(
                vendor_organisation_id, lead_organisation_id, buyers, unit
            )
            contracts = {email: by_org[organisation.id] for organisation, _quantity, email in named}
            contracts.update({email: by_org[organisation.id] for organisation, email in generated})
            db.session.commit()
        return Awarded(tender_id, award_id, contracts, vendor_organisation_id)

    return make


@pytest.fixture
def awarded(make_award: Callable[..., Awarded]) -> Awarded:
    """The awarded lot with contracts for the three municipalities (no billing profile yet)."""
    return make_award()


@pytest.fixture
def billing_profile(app: Flask, awarded: Awarded) -> Awarded:
    """``awarded``, and the vendor's billing profile is complete."""
    with app.app_context():
        complete_billing_profile(awarded.vendor_organisation_id)
        db.session.commit()
    return awarded


__all__ = [
    "BIC",
    "BUYER",
    "BUYER_AUDITOR",
    "BUYER_COLLEAGUE",
    "BUYER_REQUESTER",
    "CURATOR",
    "IBAN",
    "LEAD_OFFICER",
    "NOW",
    "OTHER_MUNICIPALITY",
    "OTHER_VENDOR",
    "PARTNER",
    "THIRD",
    "VENDOR",
]


# --- the official validator --------------------------------------------------------------------

ORACLE = Path(__file__).resolve().parents[3].parent / "shared" / "xrechnung" / "validate.py"


@pytest.fixture(scope="session")
def official_fatal() -> Callable[[bytes], list[tuple[str, str, str]]]:
    """The fatal findings of ``../shared/xrechnung/validate.py`` (XSD + EN 16931 + XRechnung)."""
    if not ORACLE.exists():
        pytest.skip(f"the official XRechnung validator {ORACLE} is not there (it lives beside the checkout)")
    pytest.importorskip("saxonche")
    spec = importlib.util.spec_from_file_location("xrechnung_oracle_invoices", ORACLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def check(document: bytes) -> list[tuple[str, str, str]]:
        return [finding for finding in module.validate(document) if finding[0] == "fatal"]

    return check
