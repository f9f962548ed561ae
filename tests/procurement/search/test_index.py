"""The index follows the marketplace: published entries in, everything else out."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from procurement.extensions import db
from procurement.marketplace.models import PilotProject, Solution
from procurement.search.index import rebuild_index, reindex_pilot_project, reindex_solution
from procurement.search.models import SearchDocument, SearchEntry, SearchPilotSolution
from tests.conftest import count
from tests.procurement.search.conftest import NOW, titles
from workflows.curation import CURATION, EntryStatus


def test_publishing_puts_an_entry_into_the_index(app, entries, find):
    solution_id = entries.solution("Ampelsteuerung", status=EntryStatus.submitted)
    assert count(app, SearchEntry) == 0
    entries.change(Solution, solution_id, trigger="publish")
    assert titles(find(text="Ampel")) == ["Ampelsteuerung"]
    assert count(app, SearchEntry, SearchEntry.solution_id == solution_id) == 1


def test_archiving_takes_an_entry_out(app, entries, find):
    solution_id = entries.solution("Ampelsteuerung")
    project_id = entries.pilot("Ampelprojekt", solutions=[solution_id])
    entries.change(Solution, solution_id, trigger="archive")
    entries.change(PilotProject, project_id, trigger="archive")
    assert find(text="Ampel").total == 0
    assert count(app, SearchEntry) == count(app, SearchDocument) == count(app, SearchPilotSolution) == 0


def test_an_entry_leaves_the_index_when_its_status_changes_even_without_the_hook(app, entries, find):
    solution_id = entries.solution("Ampelsteuerung")
    project_id = entries.pilot("Ampelprojekt")
    with app.app_context():
        # a caller that forgets reindex_*: the database triggers still take the entries out
        CURATION.fire(db.session.get(Solution, solution_id), "archive", NOW)
        CURATION.fire(db.session.get(PilotProject, project_id), "archive", NOW)
        db.session.commit()
    assert find(text="Ampel").total == 0
    assert count(app, SearchEntry) == count(app, SearchDocument) == 0


def test_deleting_an_entry_takes_it_out(app, entries, find):
    solution_id = entries.solution("Ampelsteuerung")
    entries.pilot("Ampelprojekt", solutions=[solution_id])
    with app.app_context():
        db.session.execute(delete(Solution).where(Solution.id == solution_id))
        db.session.commit()
    assert titles(find(text="Ampel")) == ["Ampelprojekt"]
    assert count(app, SearchEntry, SearchEntry.solution_id == solution_id) == 0
    assert find(text="Ampel", open_source=True).total == 0


def test_an_edit_replaces_the_indexed_text(app, entries, find):
    solution_id = entries.solution("Ampelsteuerung", description="Mit Radar.")
    entries.change(Solution, solution_id, title="Parkleitsystem", description="Mit Bodensensoren.")
    assert find(text="Ampel").total == 0 and find(text="Radar").total == 0
    assert titles(find(text="Bodensensoren")) == ["Parkleitsystem"]
    assert count(app, SearchEntry) == count(app, SearchDocument) == 1


def test_reindexing_twice_keeps_one_entry(app, entries):
    solution_id = entries.solution("Ampelsteuerung")
    with app.app_context():
        solution = db.session.get(Solution, solution_id)
        reindex_solution(solution)
        reindex_solution(solution)
        db.session.commit()
    assert count(app, SearchEntry) == 1


def test_a_solution_dropped_from_a_pilot_project_leaves_its_region(app, entries, find):
    kept = entries.solution("Weiter eingesetzt")
    dropped = entries.solution("Nicht mehr eingesetzt")
    project_id = entries.pilot("Projekt Talheim", solutions=[kept, dropped])
    assert find(region="DE1").total == 3
    with app.app_context():
        project = db.session.get(PilotProject, project_id)
        project.solutions = [db.session.get(Solution, kept)]
        entries_before = db.session.scalar(select(func.count()).select_from(SearchPilotSolution))
        reindex_pilot_project(project)
        db.session.commit()
    assert entries_before == 2
    assert sorted(titles(find(region="DE1"))) == ["Projekt Talheim", "Weiter eingesetzt"]


def test_a_licence_change_of_a_solution_reaches_the_pilot_projects_using_it(entries, find):
    solution_id = entries.solution("Plattform", open_source=False)
    entries.pilot("Projekt mit der Plattform", solutions=[solution_id])
    assert find(open_source=True).total == 0
    entries.change(Solution, solution_id, open_source=True, licence="EUPL-1.2")
    assert sorted(titles(find(open_source=True))) == ["Plattform", "Projekt mit der Plattform"]


def test_rebuild_restores_the_index_from_the_published_entries(app, entries, find):
    solution_id = entries.solution("Ampelsteuerung", open_source=True)
    entries.solution("Entwurf", status=EntryStatus.draft)
    entries.pilot("Ampelprojekt", solutions=[solution_id])
    with app.app_context():
        for model in (SearchDocument, SearchPilotSolution, SearchEntry):
            db.session.execute(delete(model))
        db.session.commit()
    assert find(text="Ampel").total == 0
    with app.app_context():
        report = rebuild_index()
        db.session.commit()
    assert (report.solutions, report.pilot_projects) == (1, 1)
    assert sorted(titles(find(text="Ampel"))) == ["Ampelprojekt", "Ampelsteuerung"]
    assert find(open_source=True).total == 2 and find(region="DE1").total == 2


def test_flask_search_reindex_rebuilds_the_index(app, entries, find):
    entries.solution("Ampelsteuerung")
    entries.pilot("Ampelprojekt")
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "1 solutions, 1 pilot projects" in result.output
    assert find(text="Ampel").total == 2
