"""Demo data for `flask seed-demo`: the one place it comes from (README, "Demo users").

Every later capability adds its demo records here, so that a newcomer can click through it
after `make run`. Names are fictitious; identifiers are well-formed (valid check digits). The
texts live in `procurement/demo_content.py`; this module loads them the way the platform would:
through the workflows, with an audit entry for every step. Seeding is idempotent: whatever
exists (matched by name, e-mail or title) is left alone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from procurement.accounts.models import Organisation, OrganisationKind, Role, User
from procurement.accounts.services import (
    PASSWORD_HASHER,
    activate_user,
    add_invited_user,
    add_organisation,
)
from procurement.audit.services import record
from procurement.database import utcnow
from procurement.demo_content import (
    NEEDS,
    ORGANISATIONS,
    PILOT_PROJECTS,
    SOLUTIONS,
    USERS,
    DemoNeed,
    DemoOrganisation,
    DemoPilotProject,
    DemoSolution,
)
from procurement.extensions import db
from procurement.marketplace.models import PilotProject, PilotProjectCpv, Solution, SolutionCpv
from procurement.needs.models import Need
from procurement.reference.cpv import built_in_vocabulary, cpv_group
from procurement.search.index import reindex_pilot_project, reindex_solution
from workflows.curation import CURATION, EntryStatus
from workflows.need import NEED, NeedStatus

__all__ = [
    "DEMO_PASSWORD",
    "ORGANISATIONS",
    "USERS",
    "seed",
    "seed_accounts",
    "seed_marketplace",
    "seed_tenders",
]

DEMO_PASSWORD = "Demo-Passwort-2026"  # noqa: S105 - documented in the README
CURATOR_EMAIL = "kuratorin@kompetenzzentrum.example"

# the triggers that take a new entry (draft) to its demo status
_CURATION_PATH = {
    EntryStatus.draft: (),
    EntryStatus.submitted: ("submit",),
    EntryStatus.published: ("submit", "publish"),
    EntryStatus.archived: ("submit", "publish", "archive"),
}
# trigger -> the audit action's verb, as the marketplace services write it
_PAST = {
    "submit": "submitted",
    "publish": "published",
    "reject": "sent_back",
    "archive": "archived",
    "open": "opened",
}


def seed() -> int:
    """Create whatever of the demo data is missing; return how many records were added."""
    return seed_accounts() + seed_marketplace() + seed_tenders()


# --- organisations and users --------------------------------------------------------------


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
            company_size=spec.company_size,
            funded=spec.kind is OrganisationKind.municipality and spec.funded,
            country_code="DE",
        ),
        actor=None,
        now=utcnow(),
    )
    return organisation, True


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    """One argon2 hash for every demo user, computed once per process: keeps the seed fast."""
    return PASSWORD_HASHER.hash(DEMO_PASSWORD)


def seed_accounts() -> int:
    """Create the missing demo organisations and users (all active, password DEMO_PASSWORD)."""
    created = 0
    organisations: dict[str, Organisation] = {}
    for spec in ORGANISATIONS:
        organisations[spec.key], new = _organisation(spec)
        created += new
    existing = set(db.session.scalars(select(User.email).where(User.email.in_([u[1] for u in USERS]))))
    missing = [user for user in USERS if user[1] not in existing]
    if not missing:
        return created
    password_hash = _demo_password_hash()
    for key, email, name, roles in missing:
        now = utcnow()
        user = add_invited_user(
            organisations[key], email, name, set(roles), actor=None, now=now, action="user.created"
        )
        activate_user(user, "user.activated", now, password_hash=password_hash)
        created += 1
    return created


# --- marketplace and needs ----------------------------------------------------------------


class _Cast:
    """The demo organisations and the users who act for them, loaded once."""

    def __init__(self) -> None:
        names = {spec.name: spec.key for spec in ORGANISATIONS}
        self.organisations = {
            names[org.name]: org
            for org in db.session.scalars(select(Organisation).where(Organisation.name.in_(names)))
        }
        emails = [email for _key, email, _name, _roles in USERS]
        by_email = {
            user.email: user for user in db.session.scalars(select(User).where(User.email.in_(emails)))
        }
        if len(self.organisations) != len(ORGANISATIONS) or len(by_email) != len(USERS):
            raise RuntimeError("seed_marketplace() needs the demo accounts: run seed_accounts() first")
        self.first_with_role: dict[tuple[str, Role], User] = {}
        for key, email, _name, roles in USERS:
            for role in roles:
                self.first_with_role.setdefault((key, role), by_email[email])
        self.curator = by_email[CURATOR_EMAIL]

    def author(self, key: str) -> User:
        """Who writes entries for an organisation: its vendor, its officer, or the KZ admin."""
        for role in (Role.vendor, Role.officer, Role.admin):
            if (key, role) in self.first_with_role:
                return self.first_with_role[key, role]
        raise LookupError(key)


def _cpv_codes(codes: tuple[str, ...]) -> list[str]:
    vocabulary = built_in_vocabulary()
    return [vocabulary.validate(code).code for code in codes]


def _criteria(lines: tuple[tuple[str, int], ...]) -> str:
    return "\n".join(f"{criterion}; {weight}" for criterion, weight in lines)


def _audit(action: str, actor: User, obj: Any, object_type: str, now: datetime, **changes: Any) -> None:
    record(
        action,
        actor=actor,
        object_type=object_type,
        object_id=obj.id,
        organisation_id=obj.organisation_id,
        now=now,
        **changes,
    )


_Row = Solution | PilotProject | Need


def _create(rows: list[tuple[_Row, User]], object_type: str, now: datetime) -> None:
    """Insert new rows (drafts) in one flush, then record who created each."""
    db.session.add_all(row for row, _author in rows)
    db.session.flush()
    for row, author in rows:
        after: dict[str, Any] = {"title": row.title, "status": row.status.value}
        if isinstance(row, Need):
            after |= {"cpv_code": row.cpv_code, "estimated_value": str(row.estimated_value)}
        else:
            after |= {"category": row.category.value, "cpv_codes": row.cpv_codes}
        if isinstance(row, PilotProject):
            after["solution_ids"] = sorted(solution.id for solution in row.solutions)
        _audit(f"{object_type}.created", author, row, object_type, now, after=after)


def _move(
    moves: list[tuple[_Row, str, User, str | None]], workflow: Any, object_type: str, now: datetime
) -> None:
    """Fire ``(row, trigger, actor, reason)`` moves, then record each of them.

    All status changes of a round reach the database in one flush, before its audit entries
    (same transaction), which keeps the seed fast on PostgreSQL.
    """
    done = []
    for row, trigger, actor, reason in moves:
        before = row.status
        workflow.fire(row, trigger, now)
        row.updated_at = now
        after: dict[str, Any] = {"status": row.status.value}
        if trigger == "submit":
            row.submitted_at = now
        elif trigger == "publish":
            row.published_at = now
        elif trigger == "reject":
            row.rejection_reason = after["reason"] = reason
        elif trigger == "open":
            row.opened_at = now
        done.append((row, trigger, actor, before, after))
    for row, trigger, actor, before, after in done:
        _audit(
            f"{object_type}.{_PAST[trigger]}",
            actor,
            row,
            object_type,
            now,
            before={"status": before.value},
            after=after,
        )


def _curate(
    entries: list[tuple[Solution | PilotProject, User, EntryStatus, str | None]],
    object_type: str,
    curator: User,
    now: datetime,
) -> None:
    """Take new entries through the curation workflow to their demo status, one step a round.

    Owners submit (and archive); the curator publishes or sends back with a reason.
    """
    paths = [
        (entry, author, ("submit", "reject") if reason else _CURATION_PATH[status], reason)
        for entry, author, status, reason in entries
    ]
    for step in range(max((len(path) for _e, _a, path, _r in paths), default=0)):
        _move(
            [
                (entry, path[step], curator if path[step] in ("publish", "reject") else author, reason)
                for entry, author, path, reason in paths
                if step < len(path)
            ],
            CURATION,
            object_type,
            now,
        )
    for entry, _author, status, _reason in entries:
        if entry.status is not status:
            raise RuntimeError(f"{entry.title}: ended in {entry.status.value}, expected {status.value}")


def _solution(spec: DemoSolution, cast: _Cast, now: datetime) -> Solution:
    return Solution(
        organisation=cast.organisations[spec.owner],
        created_by=cast.author(spec.owner),
        status=CURATION.initial,
        title=spec.title,
        category=spec.category,
        summary=spec.summary,
        description=spec.description,
        cost_min=spec.cost_min,
        cost_max=spec.cost_max,
        licence=spec.licence,
        open_source=spec.open_source,
        standards=spec.standards,
        contact_name=spec.contact[0],
        contact_email=spec.contact[1],
        cpv_rows=[SolutionCpv(code=code) for code in _cpv_codes(spec.cpv_codes)],
        created_at=now,
        updated_at=now,
    )


def _pilot_project(
    spec: DemoPilotProject, cast: _Cast, solutions: dict[str, Solution], now: datetime
) -> PilotProject:
    return PilotProject(
        organisation=cast.organisations[spec.owner],
        created_by=cast.author(spec.owner),
        status=CURATION.initial,
        title=spec.title,
        category=spec.category,
        summary=spec.summary,
        description=spec.description,
        period_start=spec.period_start,
        period_end=spec.period_end,
        budget=spec.budget,
        funded=spec.funding_programme is not None,
        funding_programme=spec.funding_programme,
        results=spec.results,
        lessons_learned=spec.lessons_learned,
        specification=spec.specification,
        award_criteria=_criteria(spec.award_criteria),
        contact_name=spec.contact[0],
        contact_email=spec.contact[1],
        cpv_rows=[PilotProjectCpv(code=code) for code in _cpv_codes(spec.cpv_codes)],
        solutions=[solutions[key] for key in spec.solutions],
        created_at=now,
        updated_at=now,
    )


def _month_start(day: date, months_ahead: int) -> date:
    index = day.year * 12 + day.month - 1 + months_ahead
    return date(index // 12, index % 12 + 1, 1)


def _need(
    spec: DemoNeed,
    cast: _Cast,
    solutions: dict[str, Solution],
    projects: dict[str, PilotProject],
    now: datetime,
) -> Need:
    organisation = cast.organisations[spec.owner]
    source = projects[spec.source_pilot] if spec.source_pilot else None
    (code,) = _cpv_codes((spec.cpv_code,))
    today = now.date()
    return Need(
        organisation=organisation,
        created_by=cast.first_with_role[spec.owner, Role.requester],
        status=NEED.initial,
        title=spec.title,
        description=spec.description,
        cpv_code=code,
        cpv_group=cpv_group(code),
        quantity=spec.quantity,
        unit=spec.unit,
        estimated_value=spec.estimated_value,
        delivery_from=_month_start(today, spec.starts_in_months),
        delivery_until=_month_start(today, spec.starts_in_months + spec.lasts_months) - timedelta(days=1),
        nuts_code=organisation.nuts_code,
        place_of_performance=spec.place_of_performance,
        specification=source.specification if source else "",
        award_criteria=source.award_criteria if source else "",
        source_solution_id=solutions[spec.source_solution].id if spec.source_solution else None,
        source_pilot_project_id=source.id if source else None,
        created_at=now,
        updated_at=now,
    )


def seed_marketplace(now: datetime | None = None) -> int:
    """Create the missing solutions, pilot projects and needs; return how many were added.

    Needs the demo accounts (seed_accounts). Delivery periods of needs are counted from ``now``.
    """
    now = now or utcnow()
    cast = _Cast()

    titles = [spec.title for spec in SOLUTIONS]
    solutions = {
        row.title: row for row in db.session.scalars(select(Solution).where(Solution.title.in_(titles)))
    }
    new_solutions = [(spec, _solution(spec, cast, now)) for spec in SOLUTIONS if spec.title not in solutions]
    solutions |= {solution.title: solution for _spec, solution in new_solutions}
    by_key = {spec.key: solutions[spec.title] for spec in SOLUTIONS}
    _create([(solution, solution.created_by) for _spec, solution in new_solutions], "solution", now)
    _curate(
        [(s, s.created_by, spec.status, spec.rejection_reason) for spec, s in new_solutions],
        "solution",
        cast.curator,
        now,
    )
    for _spec, solution in new_solutions:
        reindex_solution(solution)

    titles = [spec.title for spec in PILOT_PROJECTS]
    projects = {
        row.title: row
        for row in db.session.scalars(select(PilotProject).where(PilotProject.title.in_(titles)))
    }
    new_projects = [
        (spec, _pilot_project(spec, cast, by_key, now))
        for spec in PILOT_PROJECTS
        if spec.title not in projects
    ]
    projects |= {project.title: project for _spec, project in new_projects}
    _create([(project, project.created_by) for _spec, project in new_projects], "pilot_project", now)
    _curate(
        [(p, p.created_by, spec.status, None) for spec, p in new_projects], "pilot_project", cast.curator, now
    )
    for _spec, project in new_projects:
        reindex_pilot_project(project)

    rows = db.session.execute(
        select(Need.organisation_id, Need.title).where(Need.title.in_([spec.title for spec in NEEDS]))
    )
    existing_needs = {(row.organisation_id, row.title) for row in rows}
    project_by_key = {spec.key: projects[spec.title] for spec in PILOT_PROJECTS}
    new_needs = [
        (spec, _need(spec, cast, by_key, project_by_key, now))
        for spec in NEEDS
        if (cast.organisations[spec.owner].id, spec.title) not in existing_needs
    ]
    _create([(need, need.created_by) for _spec, need in new_needs], "need", now)
    _move(
        [
            (need, "open", cast.first_with_role[spec.owner, Role.officer], None)
            for spec, need in new_needs
            if spec.status is NeedStatus.open
        ],
        NEED,
        "need",
        now,
    )
    for spec, need in new_needs:
        if need.status is not spec.status:
            raise RuntimeError(f"{need.title}: ended in {need.status.value}, expected {spec.status.value}")
    return len(new_solutions) + len(new_projects) + len(new_needs)


# --- joint tenders --------------------------------------------------------------------------

DEMO_TENDER_PUBLISHED = "Adaptive Ampelsteuerung für Talheim und Birkenfelde"
DEMO_TENDER_COLLECTING = "Gemeinsame Beschaffung von Straßenbeleuchtung (LED)"


def _demo_pdf(title: str, lines: list[str]) -> bytes:
    """A small PDF for a demo tender document (Leistungsbeschreibung)."""
    from io import BytesIO

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(title)
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(56, 780, title)
    canvas.setFont("Helvetica", 11)
    for number, line in enumerate(lines):
        canvas.drawString(56, 750 - 18 * number, line)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _join(actor: User, tender: Any, quantities: dict[int, str], now: datetime) -> None:
    from decimal import Decimal

    from procurement.tenders.participation import JoinData, join_tender

    organisation = actor.organisation
    join_tender(
        actor,
        tender,
        JoinData(
            quantities={lot_id: Decimal(value) for lot_id, value in quantities.items()},
            leitweg_id=organisation.leitweg_id or "",
            billing_name=organisation.name,
            billing_street=organisation.street,
            billing_postal_code=organisation.postal_code,
            billing_city=organisation.city,
            contact_email=actor.email,
            contact_phone="+49 711 000000",
            confirmed=True,
        ),
        now,
    )


def seed_tenders() -> int:
    """Create the demo tenders: one published EU tender of two municipalities, one collecting."""
    from dataclasses import replace
    from decimal import Decimal
    from io import BytesIO

    from flask import current_app
    from werkzeug.datastructures import FileStorage

    from procurement.reference.deadlines import Procedure
    from procurement.tenders import documents, participation, questions, services
    from procurement.tenders.advisor import proposed_bid_deadline
    from procurement.tenders.models import ContractNature, CriterionKind, ScoringMethod, Tender

    existing = set(
        db.session.scalars(
            select(Tender.title).where(Tender.title.in_([DEMO_TENDER_PUBLISHED, DEMO_TENDER_COLLECTING]))
        )
    )
    if len(existing) == 2:
        return 0
    cast = _Cast()
    talheim = cast.first_with_role["talheim", Role.officer]
    birkenfelde = cast.first_with_role["birkenfelde", Role.officer]
    nordhafen = cast.first_with_role["nordhafen", Role.officer]
    vendor = cast.first_with_role["verkehrstechnik", Role.vendor]
    base = services.TenderData(
        title=DEMO_TENDER_PUBLISHED,
        description=(
            "Lieferung, Einbau und Betrieb verkehrsabhängiger Ampelsteuerungen mit OCIT-O-Schnittstelle "
            "für die Knotenpunkte beider Kommunen, nach dem Vorbild des Talheimer Pilotprojekts."
        ),
        contract_nature=ContractNature.supplies,
        cpv_code="34996000-5",
        nuts_code="DE118",
        place_of_performance="Talheim und Birkenfelde",
        contact_email="vergabe@talheim.example",
        contact_phone="+49 7133 123450",
        review_body_name="Vergabekammer Baden-Württemberg",
        review_body_city="Karlsruhe",
        review_body_postal_code="76133",
        review_body_nuts="DE122",
        review_body_email="vergabekammer@rpk.bwl.example",
        review_body_registration_id="08-VK-BW",
        reference="VG-2026-17",
        duration_months=48,
    )
    created = 0
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        if DEMO_TENDER_PUBLISHED not in existing:
            now = utcnow()
            tender = services.create_tender(talheim, base, now)
            controllers = services.add_lot(
                talheim,
                tender,
                services.LotData(
                    title="Steuergeräte für Lichtsignalanlagen",
                    description="Verkehrsabhängige Steuergeräte (OCIT-O), Einbau und Inbetriebnahme.",
                    cpv_code="34996000-5",
                    unit="Stück",
                    unit_price=Decimal("14500.00"),
                    nuts_code="DE118",
                ),
                now,
            )
            software = services.add_lot(
                talheim,
                tender,
                services.LotData(
                    title="Verkehrsrechner und Betrieb",
                    description="Software für den Verkehrsrechner, Wartung und Betrieb für vier Jahre.",
                    cpv_code="48000000-8",
                    unit="Knotenpunkt",
                    unit_price=Decimal("2400.00"),
                    nuts_code="DE118",
                    options_value=Decimal("12000.00"),
                ),
                now,
            )
            services.fire(talheim, tender, "start_collecting", now)
            participation.invite_municipalities(talheim, tender, [birkenfelde.organisation_id], now)
            _join(talheim, tender, {controllers.id: "12", software.id: "12"}, now)
            _join(birkenfelde, tender, {controllers.id: "8", software.id: "8"}, now)
            participation.freeze_participants(talheim, tender, now)
            services.set_criteria(
                talheim,
                tender,
                [
                    services.CriterionData(
                        CriterionKind.price, "Preis", Decimal(60), ScoringMethod.lowest_price_ratio
                    ),
                    services.CriterionData(
                        CriterionKind.quality,
                        "Konzept für Einbau und Betrieb",
                        Decimal(40),
                        ScoringMethod.points_0_10,
                        "Bewertet nach dem Bewertungsschema der Vergabeunterlagen.",
                    ),
                ],
                now,
            )
            deadline = proposed_bid_deadline(Procedure.eu_open, now.date()) + timedelta(days=7)
            services.choose_procedure(talheim, tender, Procedure.eu_open, deadline, False, now)
            pdf = _demo_pdf(
                "Leistungsbeschreibung Ampelsteuerung",
                ["Los 1: 20 Steuergeräte (OCIT-O)", "Los 2: Verkehrsrechner, Betrieb 48 Monate"],
            )
            documents.add_document(
                talheim,
                tender,
                FileStorage(BytesIO(pdf), filename="Leistungsbeschreibung.pdf"),
                "Leistungsbeschreibung",
                now,
            )
            services.publish_tender(talheim, tender, now)
            question = questions.ask_question(
                vendor, tender, "Sind Steuergeräte mit OCIT-O Version 3 zulässig?", now
            )
            questions.answer_question(
                talheim, question, "Ja, OCIT-O ab Version 3.0 erfüllt die Anforderungen.", now
            )
            created += 1
        if DEMO_TENDER_COLLECTING not in existing:
            now = utcnow()
            tender = services.create_tender(
                nordhafen,
                replace(
                    base,
                    title=DEMO_TENDER_COLLECTING,
                    description="Umrüstung der Straßenbeleuchtung auf LED-Leuchten mit Fernsteuerung.",
                    cpv_code="31520000-7",
                    nuts_code="DEF0B",
                    place_of_performance="Nordhafen",
                    contact_email="vergabe@nordhafen.example",
                    review_body_name="Vergabekammer Schleswig-Holstein",
                    review_body_city="Kiel",
                    review_body_postal_code="24105",
                    review_body_nuts="DEF02",
                    review_body_email="vergabekammer@wimi.landsh.example",
                    review_body_registration_id="01-VK-SH",
                    reference="NH-2026-44",
                ),
                now,
            )
            lot = services.add_lot(
                nordhafen,
                tender,
                services.LotData(
                    title="LED-Leuchten",
                    description="LED-Straßenleuchten mit Steuermodul.",
                    cpv_code="31520000-7",
                    unit="Stück",
                    unit_price=Decimal("650.00"),
                    nuts_code="DEF0B",
                ),
                now,
            )
            services.fire(nordhafen, tender, "start_collecting", now)
            participation.invite_municipalities(nordhafen, tender, [talheim.organisation_id], now)
            _join(nordhafen, tender, {lot.id: "400"}, now)
            created += 1
    return created
