"""Marketplace operations: write solutions and pilot projects, curate them, and the rules of their data.

Every change checks permission, fires the curation workflow where the status moves, writes an
audit entry in the same transaction, flushes, and updates the search index; the request commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, select

from procurement.accounts.models import User
from procurement.audit.services import record
from procurement.errors import Conflict, DomainError, PermissionDenied
from procurement.extensions import db
from procurement.mail.services import queue_mail
from procurement.marketplace.models import (
    Category,
    PilotProject,
    PilotProjectCpv,
    Solution,
    SolutionCpv,
)
from procurement.marketplace.permissions import (
    Entry,
    can_create_pilot_project,
    can_create_solution,
    can_edit_contact,
    can_edit_entry,
    can_fire,
    is_owner,
)
from procurement.numbers import format_number, parse_number
from procurement.search.index import reindex_pilot_project, reindex_solution
from workflows.curation import CURATION, EntryStatus

# A typical cost or budget above this is a typo (the column holds up to 10^12).
MAX_AMOUNT = Decimal("9999999999.99")
MAX_REASON_LENGTH = 2000

# trigger -> the audit action's verb
_ACTION_NAMES = {
    "submit": "submitted",
    "withdraw": "withdrawn",
    "publish": "published",
    "reject": "sent_back",
    "archive": "archived",
    "reopen": "reopened",
}


def entry_type(entry: Entry) -> str:
    """The name of the entry's kind in the audit log and URLs: ``solution`` or ``pilot_project``."""
    return "solution" if isinstance(entry, Solution) else "pilot_project"


# --- rules of the data (the forms show their messages next to the field) --------------------


def check_amount(value: Optional[Decimal]) -> None:
    """An amount in EUR: not negative, at most two decimals, not absurdly high."""
    if value is None:
        return
    if not value.is_finite():
        raise DomainError(_("Bitte geben Sie einen Betrag in Euro ein, z. B. 12500,00."))
    if value < 0:
        raise DomainError(_("Der Betrag darf nicht negativ sein."))
    if value > MAX_AMOUNT:
        raise DomainError(
            _("Der Betrag ist unrealistisch hoch. Bitte prüfen Sie ihn (höchstens 9.999.999.999,99 EUR).")
        )
    if value != value.quantize(Decimal("0.01")):
        raise DomainError(_("Bitte geben Sie höchstens zwei Nachkommastellen an."))


def check_cost_range(cost_min: Optional[Decimal], cost_max: Optional[Decimal]) -> None:
    check_amount(cost_min)
    check_amount(cost_max)
    if cost_min is not None and cost_max is not None and cost_max < cost_min:
        raise DomainError(_("Die Kosten bis dürfen nicht kleiner sein als die Kosten ab."))


def check_period(start: Optional[date], end: Optional[date]) -> None:
    if start is not None and end is not None and end < start:
        raise DomainError(_("Das Ende des Projekts darf nicht vor seinem Beginn liegen."))


@dataclass(frozen=True)
class AwardCriterion:
    name: str
    weight: Decimal  # percent


_CRITERION_LINE = re.compile(r"^(?P<name>[^;]+);\s*(?P<weight>[0-9]+(?:[.,][0-9]+)?)\s*%?$")


def parse_award_criteria(text: str) -> list[AwardCriterion]:
    """Read one ``criterion; weight %`` a line (§58 VgV: criteria and weights); weights sum to 100.

    Empty text means no criteria. Raises DomainError naming the first problem.
    """
    criteria: list[AwardCriterion] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _CRITERION_LINE.match(line)
        if match is None:
            raise DomainError(
                _(
                    "Zeile %(n)d hat nicht die Form „Kriterium; Gewichtung %%“, z. B. „Preis; 40 %%“.",
                    n=number,
                )
            )
        name = match.group("name").strip()
        weight = Decimal(match.group("weight").replace(",", "."))
        if not 0 < weight <= 100:
            raise DomainError(
                _("Zeile %(n)d: Die Gewichtung muss größer als 0 und höchstens 100 %% sein.", n=number)
            )
        if name.casefold() in seen:
            raise DomainError(_("Das Kriterium „%(name)s“ steht mehrfach in der Liste.", name=name))
        seen.add(name.casefold())
        criteria.append(AwardCriterion(name, weight))
    total = sum((criterion.weight for criterion in criteria), Decimal(0))
    if criteria and total != 100:
        raise DomainError(
            _(
                "Die Gewichtungen ergeben zusammen %(total)s %%; sie müssen genau 100 %% ergeben.",
                total=format_number(total, None),
            )
        )
    return criteria


def parse_amount(text: str, decimal_separator: str = ",") -> Decimal:
    """Read an amount as people type it (``12.500,50``, ``12500,5``, ``12500.50 €``).

    :param decimal_separator: the separator of the user's language (``,`` German, ``.`` English)
    """
    try:
        return parse_number(text, decimal_separator)
    except ValueError as err:
        raise DomainError(_("Bitte geben Sie einen Betrag in Euro ein, z. B. 12500,00.")) from err


# --- input of the services ----------------------------------------------------------------


@dataclass(frozen=True)
class SolutionData:
    title: str
    category: Category
    summary: str
    description: str
    cpv_codes: Sequence[str]
    cost_min: Optional[Decimal]
    cost_max: Optional[Decimal]
    licence: str
    open_source: bool
    standards: str
    contact_name: str
    contact_email: str


@dataclass(frozen=True)
class PilotProjectData:
    title: str
    category: Category
    summary: str
    description: str
    cpv_codes: Sequence[str]
    solution_ids: Sequence[int]
    period_start: date
    period_end: Optional[date]
    budget: Optional[Decimal]
    funded: bool
    funding_programme: str
    results: str
    lessons_learned: str
    specification: str
    award_criteria: str
    contact_name: str
    contact_email: str


SOLUTION_FIELDS = [f.name for f in fields(SolutionData) if f.name != "cpv_codes"]
PILOT_PROJECT_FIELDS = [
    f.name for f in fields(PilotProjectData) if f.name not in ("cpv_codes", "solution_ids")
]


def _audit_value(value: Any) -> Any:
    if isinstance(value, Category):
        return value.value
    if isinstance(value, Decimal | date):
        return str(value)
    return value


def _snapshot(entry: Entry) -> dict[str, Any]:
    names = SOLUTION_FIELDS if isinstance(entry, Solution) else PILOT_PROJECT_FIELDS
    snapshot = {name: _audit_value(getattr(entry, name)) for name in names}
    snapshot["cpv_codes"] = list(entry.cpv_codes)
    if isinstance(entry, PilotProject):
        snapshot["solution_ids"] = sorted(solution.id for solution in entry.solutions)
    return snapshot


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    changed = [name for name in after if before.get(name) != after[name]]
    return {name: before.get(name) for name in changed}, {name: after[name] for name in changed}


def _set_cpv_codes(entry: Entry, codes: Sequence[str]) -> None:
    if not codes:
        raise DomainError(_("Bitte geben Sie mindestens einen CPV-Code an."))
    wanted = list(dict.fromkeys(codes))
    for row in [row for row in entry.cpv_rows if row.code not in wanted]:
        entry.cpv_rows.remove(row)
    present = set(entry.cpv_codes)
    row_type = SolutionCpv if isinstance(entry, Solution) else PilotProjectCpv
    for code in wanted:
        if code not in present:
            entry.cpv_rows.append(row_type(code=code))


def _money(value: Optional[Decimal]) -> Optional[Decimal]:
    return None if value is None else value.quantize(Decimal("0.01"))


def _clean(text: str) -> str:
    # Kept as typed (the templates escape it); only surrounding white space and CR go.
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _apply_solution(solution: Solution, data: SolutionData) -> None:
    check_cost_range(data.cost_min, data.cost_max)
    solution.title = _clean(data.title)
    solution.category = data.category
    solution.summary = _clean(data.summary)
    solution.description = _clean(data.description)
    solution.cost_min = _money(data.cost_min)
    solution.cost_max = _money(data.cost_max)
    solution.licence = _clean(data.licence)
    solution.open_source = bool(data.open_source)
    solution.standards = _clean(data.standards)
    solution.contact_name = _clean(data.contact_name)
    solution.contact_email = _clean(data.contact_email)
    _set_cpv_codes(solution, data.cpv_codes)


def _apply_pilot_project(project: PilotProject, data: PilotProjectData) -> None:
    check_amount(data.budget)
    check_period(data.period_start, data.period_end)
    parse_award_criteria(data.award_criteria)
    if data.funded and not data.funding_programme.strip():
        raise DomainError(_("Bitte nennen Sie das Förderprogramm."))
    project.title = _clean(data.title)
    project.category = data.category
    project.summary = _clean(data.summary)
    project.description = _clean(data.description)
    project.period_start = data.period_start
    project.period_end = data.period_end
    project.budget = _money(data.budget)
    project.funded = bool(data.funded)
    project.funding_programme = _clean(data.funding_programme) if data.funded else None
    project.results = _clean(data.results)
    project.lessons_learned = _clean(data.lessons_learned)
    project.specification = _clean(data.specification)
    project.award_criteria = "\n".join(
        line.strip() for line in data.award_criteria.splitlines() if line.strip()
    )
    project.contact_name = _clean(data.contact_name)
    project.contact_email = _clean(data.contact_email)
    _set_cpv_codes(project, data.cpv_codes)
    _set_solutions(project, data.solution_ids)


def _set_solutions(project: PilotProject, solution_ids: Iterable[int]) -> None:
    """Link the solutions used; a new link must be to a published solution."""
    wanted = set(solution_ids)
    current = {solution.id: solution for solution in project.solutions}
    new_ids = wanted - current.keys()
    new = (
        db.session.scalars(
            select(Solution).where(Solution.id.in_(new_ids), Solution.status == EntryStatus.published)
        ).all()
        if new_ids
        else []
    )
    if len(new) != len(new_ids):
        raise DomainError(_("Bitte wählen Sie nur veröffentlichte Lösungen aus dem Marktplatz."))
    for solution_id, solution in current.items():
        if solution_id not in wanted:
            project.solutions.remove(solution)
    project.solutions.extend(sorted(new, key=lambda solution: solution.id))


def reindex_entry(entry: Entry) -> None:
    """Bring the search index in step with ``entry`` (after every change)."""
    if isinstance(entry, Solution):
        reindex_solution(entry)
    else:
        reindex_pilot_project(entry)


def audit_entry(
    action: str,
    actor: User,
    entry: Entry,
    now: datetime,
    before: Optional[dict[str, Any]] = None,
    after: Optional[dict[str, Any]] = None,
) -> None:
    record(
        f"{entry_type(entry)}.{action}",
        actor=actor,
        object_type=entry_type(entry),
        object_id=entry.id,
        organisation_id=entry.organisation_id,
        now=now,
        before=before,
        after=after,
    )


# --- writing entries ------------------------------------------------------------------------


def create_solution(actor: User, data: SolutionData, now: datetime) -> Solution:
    """Create a draft solution of the actor's organisation.

    :param data: validated form data (CPV codes normalised)
    """
    if not can_create_solution(actor):
        raise PermissionDenied(_("Lösungen stellen Unternehmen und das Kompetenzzentrum ein."))
    solution = Solution(
        organisation_id=actor.organisation_id,
        created_by_id=actor.id,
        status=CURATION.initial,
        created_at=now,
        updated_at=now,
    )
    _apply_solution(solution, data)
    db.session.add(solution)
    db.session.flush()
    audit_entry(
        "created", actor, solution, now, after={"status": solution.status.value} | _snapshot(solution)
    )
    reindex_entry(solution)
    return solution


def create_pilot_project(actor: User, data: PilotProjectData, now: datetime) -> PilotProject:
    """Create a draft pilot project (Modellprojekt) of the actor's municipality."""
    if not can_create_pilot_project(actor):
        raise PermissionDenied(_("Modellprojekte dokumentiert die Vergabestelle einer Kommune."))
    project = PilotProject(
        organisation_id=actor.organisation_id,
        created_by_id=actor.id,
        status=CURATION.initial,
        created_at=now,
        updated_at=now,
    )
    _apply_pilot_project(project, data)
    db.session.add(project)
    db.session.flush()
    audit_entry("created", actor, project, now, after={"status": project.status.value} | _snapshot(project))
    reindex_entry(project)
    return project


def ensure_editable(actor: User, entry: Entry) -> None:
    """Raise unless ``actor`` may change the content of ``entry`` (409 owners, 403 others)."""
    if can_edit_entry(actor, entry):
        return
    if is_owner(actor, entry):
        raise Conflict(
            _(
                "Nur Entwürfe können bearbeitet werden. Ziehen Sie eine Einreichung zurück oder "
                "archivieren Sie einen veröffentlichten Eintrag und bearbeiten Sie ihn dann wieder."
            )
        )
    raise PermissionDenied(_("Sie dürfen diesen Eintrag nicht bearbeiten."))


def _record_edit(actor: User, entry: Entry, before: dict[str, Any], now: datetime) -> None:
    changed_before, changed_after = _changes(before, _snapshot(entry))
    if not changed_after:
        return
    status = {"status": entry.status.value}
    entry.updated_at = now
    audit_entry("updated", actor, entry, now, before=status | changed_before, after=status | changed_after)
    reindex_entry(entry)


def update_solution(actor: User, solution: Solution, data: SolutionData, now: datetime) -> None:
    """Change a draft solution (owners only); the change is audited field by field."""
    ensure_editable(actor, solution)
    before = _snapshot(solution)
    _apply_solution(solution, data)
    db.session.flush()
    _record_edit(actor, solution, before, now)


def update_pilot_project(actor: User, project: PilotProject, data: PilotProjectData, now: datetime) -> None:
    """Change a draft pilot project (owners only)."""
    ensure_editable(actor, project)
    before = _snapshot(project)
    _apply_pilot_project(project, data)
    db.session.flush()
    _record_edit(actor, project, before, now)


def update_contact(actor: User, entry: Entry, contact_name: str, contact_email: str, now: datetime) -> None:
    """Correct the contact of a published entry (owners); the content stays as it was checked."""
    if not can_edit_contact(actor, entry):
        if can_edit_entry(actor, entry):
            raise Conflict(_("Einen Entwurf bearbeiten Sie vollständig über „Bearbeiten“."))
        raise PermissionDenied(_("Sie dürfen diesen Eintrag nicht bearbeiten."))
    before = _snapshot(entry)
    entry.contact_name = _clean(contact_name)
    entry.contact_email = _clean(contact_email)
    db.session.flush()
    _record_edit(actor, entry, before, now)


# --- curation -------------------------------------------------------------------------------


def _fire(actor: User, entry: Entry, trigger: str, now: datetime, **after: Any) -> None:
    """Check the permission, move the status, audit it; the caller finishes with ``_finish``."""
    if not can_fire(actor, entry, trigger):
        raise PermissionDenied(_("Diese Aktion dürfen Sie bei diesem Eintrag nicht ausführen."))
    before = {"status": entry.status.value}
    CURATION.fire(entry, trigger, now)
    entry.updated_at = now
    audit_entry(
        _ACTION_NAMES[trigger], actor, entry, now, before=before, after={"status": entry.status.value} | after
    )


def _finish(entry: Entry, now: datetime) -> None:
    entry.updated_at = now  # else the column's onupdate would take the wall clock
    db.session.flush()
    reindex_entry(entry)


def submit_entry(actor: User, entry: Entry, now: datetime) -> None:
    """Hand a draft to the Kompetenzzentrum for checking (owners)."""
    _fire(actor, entry, "submit", now)
    entry.submitted_at = now
    _finish(entry, now)


def withdraw_entry(actor: User, entry: Entry, now: datetime) -> None:
    """Take a submitted entry back to draft before it is checked (owners)."""
    _fire(actor, entry, "withdraw", now)
    entry.submitted_at = None
    _finish(entry, now)


def archive_entry(actor: User, entry: Entry, now: datetime) -> None:
    """Take an entry off the marketplace (owners; curators for published entries)."""
    by_curator = not is_owner(actor, entry)
    _fire(actor, entry, "archive", now)
    _finish(entry, now)
    if by_curator:
        _mail_creator(entry, "entry_archived")


def reopen_entry(actor: User, entry: Entry, now: datetime) -> None:
    """Make an archived entry a draft again, to revise and submit it anew (owners)."""
    _fire(actor, entry, "reopen", now)
    _finish(entry, now)


def publish_entry(actor: User, entry: Entry, now: datetime) -> None:
    """Publish a submitted entry (curators); the creator gets a mail."""
    _fire(actor, entry, "publish", now)
    entry.published_at = now
    entry.rejection_reason = None
    _finish(entry, now)
    _mail_creator(entry, "entry_published")


def send_back_entry(actor: User, entry: Entry, reason: str, now: datetime) -> None:
    """Return a submitted entry to its owners as a draft with the curator's reason (mailed).

    :param reason: what to change; shown to the owners and kept in the audit log
    """
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Bitte begründen Sie, was am Eintrag zu ändern ist."))
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError(_("Die Begründung ist zu lang (höchstens 2000 Zeichen)."))
    _fire(actor, entry, "reject", now, reason=reason)
    entry.rejection_reason = reason
    _finish(entry, now)
    _mail_creator(entry, "entry_sent_back", reason=reason)


def entry_url(entry: Entry, external: bool = False) -> str:
    if isinstance(entry, Solution):
        path = url_for("marketplace.solution", solution_id=entry.id)
    else:
        path = url_for("marketplace.pilot_project", project_id=entry.id)
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path if external else path


def _mail_creator(entry: Entry, template: str, **context: Any) -> None:
    creator = entry.created_by
    if creator is None or not creator.is_active:
        return
    queue_mail(
        creator.email,
        template,
        creator.language,
        user=creator,
        entry=entry,
        is_solution=isinstance(entry, Solution),
        link=entry_url(entry, external=True),
        **context,
    )


# --- reading --------------------------------------------------------------------------------


def published_solutions_query(category: Optional[Category] = None) -> Select[tuple[Solution]]:
    query = select(Solution).where(Solution.status == EntryStatus.published)
    if category is not None:
        query = query.where(Solution.category == category)
    return query.order_by(Solution.published_at.desc(), Solution.id.desc())


def published_pilot_projects_query(category: Optional[Category] = None) -> Select[tuple[PilotProject]]:
    query = select(PilotProject).where(PilotProject.status == EntryStatus.published)
    if category is not None:
        query = query.where(PilotProject.category == category)
    return query.order_by(PilotProject.published_at.desc(), PilotProject.id.desc())


def linkable_solutions(project: Optional[PilotProject] = None) -> list[Solution]:
    """Solutions a pilot project may name: the published ones, and those it already names."""
    solutions = {solution.id: solution for solution in db.session.scalars(published_solutions_query())}
    if project is not None:
        solutions.update({solution.id: solution for solution in project.solutions})
    return sorted(solutions.values(), key=lambda solution: solution.title.casefold())


def entries_of_organisation(organisation_id: int) -> tuple[list[Solution], list[PilotProject]]:
    solutions = db.session.scalars(
        select(Solution)
        .where(Solution.organisation_id == organisation_id)
        .order_by(Solution.updated_at.desc())
    ).all()
    projects = db.session.scalars(
        select(PilotProject)
        .where(PilotProject.organisation_id == organisation_id)
        .order_by(PilotProject.updated_at.desc())
    ).all()
    return list(solutions), list(projects)


def curation_queue() -> list[Entry]:
    """Submitted entries, the longest waiting first."""
    solutions = db.session.scalars(select(Solution).where(Solution.status == EntryStatus.submitted)).all()
    projects = db.session.scalars(
        select(PilotProject).where(PilotProject.status == EntryStatus.submitted)
    ).all()
    entries: list[Entry] = [*solutions, *projects]
    return sorted(
        entries, key=lambda entry: (entry.submitted_at or entry.updated_at, entry_type(entry), entry.id)
    )
