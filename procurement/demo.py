"""Demo data for `flask seed-demo`: the one place it comes from (README, "Demo users").

Every later capability adds its demo records here, so that a newcomer can click through it
after `make run`. Names are fictitious; identifiers are well-formed (valid check digits).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from procurement.accounts.models import Organisation, OrganisationKind, Role, User
from procurement.accounts.services import (
    PASSWORD_HASHER,
    activate_user,
    add_invited_user,
    add_organisation,
)
from procurement.database import utcnow
from procurement.extensions import db

DEMO_PASSWORD = "Demo-Passwort-2026"  # noqa: S105 - documented in the README


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    kind: OrganisationKind
    name: str
    street: str
    postal_code: str
    city: str
    email: str
    ags: str | None = None
    leitweg_id: str | None = None
    nuts_code: str | None = None
    vat_id: str | None = None


ORGANISATIONS = [
    DemoOrganisation(
        "kz",
        OrganisationKind.competence_centre,
        "Kompetenzzentrum Smart City",
        "Invalidenstraße 44",
        "10115",
        "Berlin",
        "kontakt@kompetenzzentrum.example",
        nuts_code="DE300",
    ),
    DemoOrganisation(
        "talheim",
        OrganisationKind.municipality,
        "Stadt Talheim an der Lauter",
        "Marktplatz 1",
        "74388",
        "Talheim an der Lauter",
        "vergabe@talheim.example",
        ags="08125099",
        leitweg_id="08125099-RECHNUNG-39",
        nuts_code="DE118",
    ),
    DemoOrganisation(
        "birkenfelde",
        OrganisationKind.municipality,
        "Gemeinde Birkenfelde",
        "Rathausstraße 3",
        "64572",
        "Birkenfelde",
        "vergabe@birkenfelde.example",
        ags="06433099",
        leitweg_id="06433099-KAEMMEREI-68",
        nuts_code="DE717",
    ),
    DemoOrganisation(
        "nordhafen",
        OrganisationKind.municipality,
        "Stadt Nordhafen",
        "Am Hafen 7",
        "24768",
        "Nordhafen",
        "vergabe@nordhafen.example",
        ags="01058099",
        leitweg_id="01058099-29",
        nuts_code="DEF0B",
    ),
    DemoOrganisation(
        "verkehrstechnik",
        OrganisationKind.vendor,
        "Verkehrstechnik Süd GmbH",
        "Industriestraße 12",
        "70565",
        "Stuttgart",
        "info@verkehrstechnik-sued.example",
        vat_id="DE817902350",
    ),
    DemoOrganisation(
        "energienetz",
        OrganisationKind.vendor,
        "EnergieNetz Solutions AG",
        "Hafenweg 5",
        "20457",
        "Hamburg",
        "info@energienetz.example",
        vat_id="DE293847560",
    ),
    DemoOrganisation(
        "stadtdaten",
        OrganisationKind.vendor,
        "Offene Stadtdaten eG",
        "Lindenallee 9",
        "04109",
        "Leipzig",
        "info@offene-stadtdaten.example",
        vat_id="DE456123788",
    ),
]

# (organisation key, e-mail, name, roles): one user per role, plus colleagues to work with.
USERS = [
    ("kz", "admin@kompetenzzentrum.example", "Alex Admin", (Role.admin,)),
    ("kz", "kuratorin@kompetenzzentrum.example", "Clara Kuratorin", (Role.curator,)),
    ("talheim", "bedarf@talheim.example", "Ruth Bedarf", (Role.requester,)),
    ("talheim", "vergabe@talheim.example", "Oskar Vergabe", (Role.officer,)),
    ("talheim", "pruefung@talheim.example", "Paula Prüfung", (Role.auditor,)),
    ("birkenfelde", "vergabe@birkenfelde.example", "Bernd Beschaffer", (Role.officer, Role.requester)),
    ("nordhafen", "vergabe@nordhafen.example", "Nora Nordmann", (Role.officer, Role.requester)),
    ("verkehrstechnik", "angebot@verkehrstechnik-sued.example", "Viktor Verkehr", (Role.vendor,)),
    ("energienetz", "angebot@energienetz.example", "Erika Energie", (Role.vendor,)),
    ("stadtdaten", "angebot@offene-stadtdaten.example", "Daniel Daten", (Role.vendor,)),
]


def _organisation(spec: DemoOrganisation) -> tuple[Organisation, bool]:
    existing = db.session.scalar(select(Organisation).where(Organisation.name == spec.name))
    if existing is not None:
        return existing, False
    organisation = add_organisation(
        Organisation(
            kind=spec.kind,
            name=spec.name,
            street=spec.street,
            postal_code=spec.postal_code,
            city=spec.city,
            email=spec.email,
            ags=spec.ags,
            leitweg_id=spec.leitweg_id,
            nuts_code=spec.nuts_code,
            vat_id=spec.vat_id,
            country_code="DE",
        ),
        actor=None,
        now=utcnow(),
    )
    return organisation, True


def seed() -> int:
    """Create whatever of the demo data is missing; return how many records were added."""
    created = 0
    organisations: dict[str, Organisation] = {}
    for spec in ORGANISATIONS:
        organisations[spec.key], new = _organisation(spec)
        created += new
    password_hash = PASSWORD_HASHER.hash(DEMO_PASSWORD)
    for key, email, name, roles in USERS:
        if db.session.scalar(select(User).where(User.email == email)) is not None:
            continue
        now = utcnow()
        user = add_invited_user(
            organisations[key], email, name, set(roles), actor=None, now=now, action="user.created"
        )
        activate_user(user, "user.activated", now, password_hash=password_hash)
        created += 1
    return created
