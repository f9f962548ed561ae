"""`flask seed-demo` loads realistic, well-formed demo data, once, through the workflows."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from procurement.accounts.identifiers import normalise_ags, normalise_leitweg_id, normalise_nuts
from procurement.accounts.models import Organisation, OrganisationKind, Role, User
from procurement.audit.models import AuditEntry
from procurement.database import utcnow
from procurement.demo import DEMO_PASSWORD, seed, seed_marketplace
from procurement.demo_content import NEEDS, ORGANISATIONS, PILOT_PROJECTS, SOLUTIONS, USERS
from procurement.extensions import db
from procurement.marketplace.models import Category, PilotProject, PilotProjectCpv, Solution, SolutionCpv
from procurement.needs.bundling import propose_bundles
from procurement.needs.models import Need
from procurement.reference.cpv import built_in_vocabulary
from procurement.reference.thresholds import ContractKind, threshold_on
from tests.conftest import count
from workflows.account import UserStatus
from workflows.curation import EntryStatus
from workflows.need import NeedStatus

NEW_MUNICIPALITIES = {"wiesental", "kleinmoorbach", "maarhausen", "neisseufer", "uckerwalde", "boddenhagen"}
README = Path(__file__).resolve().parents[2] / "README.md"
TABLES = (Organisation, User, Solution, SolutionCpv, PilotProject, PilotProjectCpv, Need, AuditEntry)
# AGS state key (first two digits) -> NUTS-1 region of that state
STATE_NUTS1 = {
    "01": "DEF", "02": "DE6", "03": "DE9", "04": "DE5", "05": "DEA", "06": "DE7", "07": "DEB", "08": "DE1",
    "09": "DE2", "10": "DEC", "11": "DE3", "12": "DE4", "13": "DE8", "14": "DED", "15": "DEE", "16": "DEG",
}  # fmt: skip


def counts(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {table.__name__: count(app, table) for table in TABLES}


def all_rows(app, model, *where):  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = list(db.session.scalars(select(model).where(*where)))
        for row in rows:
            db.session.expunge(row)
        return rows


def test_seeding_twice_adds_nothing(app):
    with app.app_context():
        assert seed() > 0
        db.session.commit()
    first = counts(app)
    with app.app_context():
        assert seed() == 0
        db.session.commit()
    assert counts(app) == first


def test_seed_demo_command_loads_everything_and_the_audit_chain_verifies(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "new records" in result.output
    assert count(app, Solution) == len(SOLUTIONS) and count(app, Need) == len(NEEDS)
    assert runner.invoke(args=["seed-demo"]).output.strip() == "demo data already present"
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0, verify.output
    assert f"{count(app, AuditEntry)} entries verified" in verify.output


def test_seed_accounts_loads_no_marketplace_data(app, demo):
    assert count(app, Organisation) == len(ORGANISATIONS) and count(app, User) == len(USERS)
    assert count(app, Solution) == 0 and count(app, PilotProject) == 0 and count(app, Need) == 0


def test_marketplace_seed_needs_the_accounts(app):
    with app.app_context(), pytest.raises(RuntimeError, match="seed_accounts"):
        seed_marketplace()


# --- organisations and users --------------------------------------------------------------


def test_every_municipality_has_valid_identifiers(app, demo):
    municipalities = all_rows(app, Organisation, Organisation.kind == OrganisationKind.municipality)
    assert len(municipalities) >= 8
    for organisation in municipalities:
        assert normalise_ags(organisation.ags) == organisation.ags
        assert normalise_leitweg_id(organisation.leitweg_id) == organisation.leitweg_id
        assert normalise_nuts(organisation.nuts_code) == organisation.nuts_code
        # the Leitweg-ID starts with the AGS; the NUTS region lies in the AGS's state
        assert organisation.leitweg_id.startswith(organisation.ags)
        assert organisation.nuts_code[:3] == STATE_NUTS1[organisation.ags[:2]]
        assert len(organisation.nuts_code) == 5  # NUTS-3: the district


def test_small_municipalities_without_funding_take_part():
    unfunded = [
        spec for spec in ORGANISATIONS if spec.kind is OrganisationKind.municipality and not spec.funded
    ]
    assert len(unfunded) >= 2
    unfunded_keys = {spec.key for spec in unfunded}
    assert any(not project.funding_programme and project.owner in unfunded_keys for project in PILOT_PROJECTS)
    assert {need.owner for need in NEEDS if need.status is NeedStatus.open} >= unfunded_keys


def test_every_municipality_has_an_active_officer_and_requester(app, demo):
    with app.app_context():
        query = select(Organisation).where(Organisation.kind == OrganisationKind.municipality)
        for organisation in db.session.scalars(query):
            assert all(member.status is UserStatus.active for member in organisation.members)
            roles = {role for member in organisation.members for role in member.roles}
            assert {Role.officer, Role.requester} <= roles, organisation.name


@pytest.mark.parametrize("email", [email for key, email, _n, _r in USERS if key in NEW_MUNICIPALITIES])
def test_new_demo_users_log_in_with_the_demo_password(app, demo, auth, email):
    response = auth.login(email, DEMO_PASSWORD)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        assert user.last_login_at is not None


def test_readme_lists_every_demo_user():
    section = README.read_text(encoding="utf-8").split("## Demo users", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| ([^ |]+@[^ |]+) \|", section, flags=re.M))
    assert listed == {email for _key, email, _name, _roles in USERS}


# --- marketplace --------------------------------------------------------------------------


def test_marketplace_has_sixty_solutions_and_fifteen_pilot_projects_in_every_category(app, demo_marketplace):
    solutions = all_rows(app, Solution)
    projects = all_rows(app, PilotProject)
    assert len(solutions) >= 60
    assert len([p for p in projects if p.status is EntryStatus.published]) >= 15
    published = {s.category for s in solutions if s.status is EntryStatus.published}
    assert published == set(Category)
    owners = {s.organisation_id for s in solutions}
    assert len(owners) == 4  # the three vendors and the Kompetenzzentrum
    assert {p.funded for p in projects} == {True, False}


def test_curation_queue_has_submitted_draft_and_archived_entries(app, demo_marketplace):
    statuses = defaultdict(int)
    for solution in all_rows(app, Solution):
        statuses[solution.status] += 1
    assert statuses[EntryStatus.submitted] >= 3
    assert statuses[EntryStatus.draft] >= 2
    assert statuses[EntryStatus.archived] >= 1
    sent_back = all_rows(app, Solution, Solution.rejection_reason.is_not(None))
    assert sent_back and all(s.status is EntryStatus.draft for s in sent_back)


def test_entries_carry_realistic_content(app, demo_marketplace):
    for solution in all_rows(app, Solution):
        assert solution.description.count(".") >= 3, solution.title
        assert solution.licence and solution.contact_email.endswith(".example")
        if solution.cost_min is not None:
            assert isinstance(solution.cost_min, Decimal) and solution.cost_max >= solution.cost_min
    licences = " ".join(s.licence for s in all_rows(app, Solution))
    for licence in ("EUPL-1.2", "MIT", "Apache-2.0", "AGPL-3.0", "proprietär"):
        assert licence in licences
    standards = " ".join(s.standards for s in all_rows(app, Solution))
    for standard in ("OCPP", "OpenAPI", "MQTT", "LoRaWAN", "DATEX II", "OCIT-O", "SensorThings API"):
        assert standard in standards
    for standard in ("FIWARE NGSI-LD", "GTFS", "DCAT-AP.de", "XÖV", "OZG"):
        assert standard in standards


def test_all_cpv_codes_are_in_the_vocabulary(app, demo_marketplace):
    vocabulary = built_in_vocabulary()
    codes = [row.code for row in all_rows(app, SolutionCpv)] + [
        row.code for row in all_rows(app, PilotProjectCpv)
    ]
    needs = all_rows(app, Need)
    codes += [need.cpv_code for need in needs]
    assert codes
    for code in codes:
        assert vocabulary.validate(code).code == code
    assert all(need.cpv_group == need.cpv_code[:5] for need in needs)


def test_award_criteria_sum_to_one_hundred(app, demo_marketplace):
    texts = [p.award_criteria for p in all_rows(app, PilotProject)]
    texts += [n.award_criteria for n in all_rows(app, Need) if n.award_criteria]
    for text in texts:
        weights = []
        for line in text.splitlines():
            match = re.fullmatch(r"([^;]+); (\d+)", line)
            assert match, line
            weights.append(int(match.group(2)))
        assert sum(weights) == 100, text


def test_pilot_projects_are_reusable_and_link_published_solutions(app, demo_marketplace):
    with app.app_context():
        for project in db.session.scalars(select(PilotProject)):
            assert 1 <= len(project.solutions) <= 3, project.title
            if project.status is EntryStatus.published:
                assert all(s.status is EntryStatus.published for s in project.solutions)
                assert project.specification.count("\n\n") >= 1  # several paragraphs
                assert project.results and project.lessons_learned
                assert project.period_end is None or project.period_end >= project.period_start


def test_every_status_change_is_audited(app, demo_marketplace):
    with app.app_context():
        actions = dict(
            db.session.execute(select(AuditEntry.action, func.count()).group_by(AuditEntry.action)).all()
        )
        published = db.session.scalar(
            select(func.count())
            .select_from(Solution)
            .where(Solution.status.in_([EntryStatus.published, EntryStatus.archived]))
        )
        open_needs = db.session.scalar(
            select(func.count()).select_from(Need).where(Need.status == NeedStatus.open)
        )
    assert actions["solution.created"] == len(SOLUTIONS)
    assert actions["solution.published"] == published
    assert actions["solution.sent_back"] >= 1 and actions["solution.archived"] >= 1
    assert actions["pilot_project.created"] == len(PILOT_PROJECTS)
    assert actions["need.created"] == len(NEEDS) and actions["need.opened"] == open_needs


# --- needs and bundling -------------------------------------------------------------------


def overlapping_groups(needs: list[Need]) -> list[list[Need]]:
    """Open needs of one CPV group whose delivery periods chain into one overlapping run."""
    by_group: defaultdict[str, list[Need]] = defaultdict(list)
    for need in needs:
        by_group[need.cpv_group].append(need)
    runs: list[list[Need]] = []
    for members in by_group.values():
        members.sort(key=lambda need: need.delivery_from)
        run = [members[0]]
        for need in members[1:]:
            if need.delivery_from <= max(member.delivery_until for member in run):
                run.append(need)
            else:
                runs.append(run)
                run = [need]
        runs.append(run)
    return [run for run in runs if len({need.organisation_id for need in run}) >= 2]


def test_open_needs_form_bundles_above_and_below_the_eu_threshold(app, demo_marketplace):
    today = utcnow().date()
    threshold = threshold_on(ContractKind.supplies_services_sub_central, today).value
    needs = all_rows(app, Need, Need.status == NeedStatus.open)
    assert all(need.delivery_from > today for need in needs)
    groups = overlapping_groups(needs)
    assert len(groups) >= 2
    totals = [sum(need.estimated_value for need in group) for group in groups]
    assert any(total >= threshold for total in totals)
    assert any(total < threshold for total in totals)
    # every need of the group above the threshold is below it alone: bundling makes the difference
    above = next(group for group, total in zip(groups, totals, strict=True) if total >= threshold)
    assert all(need.estimated_value < threshold for need in above)
    assert len({need.organisation_id for need in above}) >= 4


def test_bundling_proposes_the_demo_bundles(app, demo_marketplace):
    today = utcnow().date()
    needs = all_rows(app, Need, Need.status == NeedStatus.open)
    proposals = propose_bundles(needs, today)
    by_group = {proposal.cpv_group: proposal for proposal in proposals}
    assert {"34928", "34926", "32400"} <= by_group.keys()
    assert by_group["34928"].eu_procedure is True and by_group["34928"].municipality_count == 5
    assert by_group["34926"].eu_procedure is False and by_group["32400"].eu_procedure is False


def test_drafts_and_distant_needs_match_nothing(app, demo_marketplace):
    today = utcnow().date()
    needs = all_rows(app, Need)
    assert len([n for n in needs if n.status is NeedStatus.draft]) >= 2
    bundled = {
        need.id
        for p in propose_bundles([n for n in needs if n.status is NeedStatus.open], today)
        for need in p.needs
    }
    unmatched = [n for n in needs if n.status is NeedStatus.open and n.id not in bundled]
    assert len(unmatched) >= 3
    assert any(n.cpv_group == "34928" for n in unmatched)  # same group, years apart
