"""Search over published entries: words, filters, facets, order and pages, on both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from procurement.marketplace.models import Category, PilotProject, Solution
from procurement.search.engine import Funding, Sort
from procurement.search.models import EntryKind
from tests.procurement.search.conftest import BIRKENFELDE, NORDHAFEN, OTHER_VENDOR, TALHEIM, titles
from workflows.curation import EntryStatus


def test_words_in_title_or_description_find_published_solutions(entries, find):
    entries.solution("Adaptive Ampelsteuerung", description="Grüne Welle für den Busverkehr.")
    entries.solution("Parkleitsystem", description="Zeigt freie Stellplätze.")
    assert titles(find(text="Ampelsteuerung")) == ["Adaptive Ampelsteuerung"]
    assert titles(find(text="Stellplätze")) == ["Parkleitsystem"]
    assert titles(find(text="grüne welle")) == ["Adaptive Ampelsteuerung"]


def test_every_word_must_occur(entries, find):
    entries.solution("Ampel mit Radar")
    entries.solution("Ampel mit Kamera")
    assert titles(find(text="Ampel Radar")) == ["Ampel mit Radar"]


def test_a_word_finds_longer_words_that_start_with_it(entries, find):
    entries.solution("Ampelsteuerung für Kreuzungen")
    assert titles(find(text="Ampel")) == ["Ampelsteuerung für Kreuzungen"]


def test_inflected_forms_find_each_other(entries, find):
    entries.solution("Ampel mit Sensor")
    entries.solution("Vernetzte Sensoren für Ampeln")
    assert sorted(titles(find(text="Ampeln"))) == ["Ampel mit Sensor", "Vernetzte Sensoren für Ampeln"]
    assert sorted(titles(find(text="Sensoren"))) == ["Ampel mit Sensor", "Vernetzte Sensoren für Ampeln"]


def test_case_umlauts_and_sharp_s_do_not_matter(entries, find):
    entries.solution("Straßenbeleuchtung mit Bewegungsmeldern", category=Category.lighting)
    for text in ("strassenbeleuchtung", "STRASSENBELEUCHTUNG", "Straßenbeleuchtung", "bewegungsmelder"):
        assert titles(find(text=text)) == ["Straßenbeleuchtung mit Bewegungsmeldern"], text
    entries.solution("Überflutungsschutz", category=Category.water)
    assert titles(find(text="überflutung")) == ["Überflutungsschutz"]


def test_german_stemming_on_postgresql_finds_other_word_forms(app, entries, find):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("German stemming is PostgreSQL's (SQLite matches word beginnings only)")
    entries.solution("Smarte Straßenlaterne für das Dorf", category=Category.lighting)
    # "Dörfer" is no beginning of "Dorf"; the German stemmer reduces both to "dorf"
    assert titles(find(text="Dörfer")) == ["Smarte Straßenlaterne für das Dorf"]


def test_organisation_and_cpv_labels_are_searchable(entries, find):
    entries.solution("Zählsystem", cpv=("38421100-3",), vendor=OTHER_VENDOR)
    assert titles(find(text="Wasserzähler")) == ["Zählsystem"]  # label of 38421100-3
    assert titles(find(text="Stadtdaten")) == ["Zählsystem"]  # Offene Stadtdaten eG


@pytest.mark.parametrize("status", [EntryStatus.draft, EntryStatus.submitted, EntryStatus.archived])
def test_unpublished_entries_are_never_found(entries, find, status):
    entries.solution("Ampelsteuerung geheim", status=status)
    entries.pilot("Ampelprojekt geheim", status=status)
    assert find(text="geheim").total == 0
    assert find().total == 0


def test_empty_search_lists_everything_published_newest_first(entries, find):
    entries.solution("Erste Lösung")
    entries.solution("Entwurf", status=EntryStatus.draft)
    entries.pilot("Zweites Projekt")
    result = find()
    assert titles(result) == ["Zweites Projekt", "Erste Lösung"]
    assert result.total == 2 and result.sort is Sort.newest


def test_results_say_what_they_are_and_where_they_point(entries, find):
    solution_id = entries.solution("Ampelsteuerung", cost_min="1000", cost_max="5000", open_source=True)
    project_id = entries.pilot("Ampelprojekt", budget="75000.50", funded=True, solutions=[solution_id])
    items = {item.title: item for item in find(text="Ampel").items}
    solution = items["Ampelsteuerung"]
    assert (solution.kind, solution.entry_id) == (EntryKind.solution, solution_id)
    assert (solution.cost_low, solution.cost_high) == (Decimal("1000.00"), Decimal("5000.00"))
    assert solution.open_source and solution.organisation_name == "Verkehrstechnik Süd GmbH"
    project = items["Ampelprojekt"]
    assert (project.kind, project.entry_id) == (EntryKind.pilot_project, project_id)
    assert project.cost_low == Decimal("75000.50") and project.funded
    assert project.organisation_name == TALHEIM


# --- filters -----------------------------------------------------------------------------------


def test_category_filter(entries, find):
    entries.solution("Ampel", category=Category.traffic)
    entries.solution("Leuchte", category=Category.lighting)
    entries.solution("Zähler", category=Category.water)
    assert titles(find(categories=(Category.lighting,))) == ["Leuchte"]
    assert sorted(titles(find(categories=(Category.lighting, Category.water)))) == ["Leuchte", "Zähler"]


def test_kind_filter(entries, find):
    entries.solution("Ampelsteuerung")
    entries.pilot("Ampelprojekt")
    assert titles(find(kind=EntryKind.solution)) == ["Ampelsteuerung"]
    assert titles(find(kind=EntryKind.pilot_project)) == ["Ampelprojekt"]


def test_cost_filter_keeps_entries_whose_range_overlaps(entries, find):
    entries.solution("Billig", cost_min="1000", cost_max="5000")
    entries.solution("Mittel", cost_min="20000", cost_max="60000")
    entries.solution("Teuer", cost_min="200000")
    entries.solution("Auf Anfrage")
    entries.pilot("Projekt", budget="40000")
    assert sorted(titles(find(cost_to=Decimal("25000")))) == ["Billig", "Mittel"]
    assert sorted(titles(find(cost_from=Decimal("50000")))) == ["Mittel", "Teuer"]
    assert sorted(titles(find(cost_from=Decimal("30000"), cost_to=Decimal("45000")))) == ["Mittel", "Projekt"]
    assert titles(find(cost_from=Decimal("5000"), cost_to=Decimal("5000"))) == ["Billig"]


def test_cpv_filter_matches_code_prefixes(entries, find):
    entries.solution("Verkehrssteuerung", cpv=("34996000-5",))
    entries.solution("Straßenausrüstung", cpv=("34920000-2", "48000000-8"))
    entries.solution("Software", cpv=("48000000-8",))
    entries.pilot("Projekt", cpv=("34923000-3",))
    assert sorted(titles(find(cpv_prefix="349"))) == ["Projekt", "Straßenausrüstung", "Verkehrssteuerung"]
    assert sorted(titles(find(cpv_prefix="34996"))) == ["Verkehrssteuerung"]
    assert sorted(titles(find(cpv_prefix="48"))) == ["Software", "Straßenausrüstung"]
    assert titles(find(text="Verkehrssteuerung", cpv_prefix="349")) == ["Verkehrssteuerung"]


def test_region_filter_by_state_and_nuts_code(entries, find):
    used_in_talheim = entries.solution("Lösung aus Talheim")
    entries.solution("Lösung ohne Projekt")
    entries.pilot("Projekt Talheim", municipality=TALHEIM, solutions=[used_in_talheim])  # DE118
    entries.pilot("Projekt Birkenfelde", municipality=BIRKENFELDE)  # DE717
    entries.pilot("Projekt Nordhafen", municipality=NORDHAFEN)  # DEF0B
    assert sorted(titles(find(region="DE1"))) == ["Lösung aus Talheim", "Projekt Talheim"]
    assert sorted(titles(find(region="DE11"))) == ["Lösung aus Talheim", "Projekt Talheim"]
    assert titles(find(region="DE7")) == ["Projekt Birkenfelde"]
    assert titles(find(region="DEF")) == ["Projekt Nordhafen"]
    assert titles(find(region="DE2")) == []


def test_a_solution_leaves_a_region_when_its_pilot_project_is_unpublished(entries, find):
    solution_id = entries.solution("Lösung aus Talheim")
    project_id = entries.pilot("Projekt Talheim", solutions=[solution_id])
    entries.change(PilotProject, project_id, trigger="archive")
    assert find(region="DE1").total == 0


def test_funding_filter(entries, find):
    in_funded = entries.solution("Lösung im geförderten Projekt")
    in_unfunded = entries.solution("Lösung im ungeförderten Projekt")
    entries.solution("Lösung ohne Projekt")
    entries.pilot("Gefördertes Projekt", funded=True, solutions=[in_funded])
    entries.pilot("Ungefördertes Projekt", funded=False, solutions=[in_unfunded])
    assert sorted(titles(find(funding=Funding.funded))) == [
        "Gefördertes Projekt",
        "Lösung im geförderten Projekt",
    ]
    assert sorted(titles(find(funding=Funding.unfunded))) == [
        "Lösung im ungeförderten Projekt",
        "Ungefördertes Projekt",
    ]


def test_open_source_filter(entries, find):
    open_id = entries.solution("Offene Plattform", open_source=True)
    closed_id = entries.solution("Geschlossene Plattform", open_source=False)
    entries.pilot("Projekt mit offener Software", solutions=[open_id, closed_id])
    entries.pilot("Projekt mit geschlossener Software", solutions=[closed_id])
    assert sorted(titles(find(open_source=True))) == ["Offene Plattform", "Projekt mit offener Software"]


def test_a_pilot_project_is_no_longer_open_source_when_its_solution_is_archived(entries, find):
    open_id = entries.solution("Offene Plattform", open_source=True)
    entries.pilot("Projekt mit offener Software", solutions=[open_id])
    entries.change(Solution, open_id, trigger="archive")
    assert find(open_source=True).total == 0


def test_filters_combine_with_words(entries, find):
    entries.solution("Ampel offen", open_source=True, cost_max="10000")
    entries.solution("Ampel teuer offen", open_source=True, cost_min="90000")
    entries.solution("Ampel geschlossen", cost_max="10000")
    entries.solution("Leuchte offen", open_source=True, cost_max="10000", category=Category.lighting)
    assert titles(find(text="Ampel", open_source=True, cost_to=Decimal("20000"))) == ["Ampel offen"]


# --- facets, order, pages ------------------------------------------------------------------------


def test_facets_count_per_category_and_kind_with_the_other_filters(entries, find):
    entries.solution("Ampel eins", category=Category.traffic, open_source=True)
    entries.solution("Ampel zwei", category=Category.traffic)
    entries.solution("Ampelleuchte", category=Category.lighting, open_source=True)
    entries.pilot("Ampelprojekt", category=Category.traffic)
    result = find(text="Ampel", categories=(Category.traffic,), kind=EntryKind.solution)
    assert result.total == 2
    # categories counted without the category filter, kinds without the kind filter
    assert result.category_counts[Category.traffic] == 2
    assert result.category_counts[Category.lighting] == 1
    assert result.category_counts[Category.water] == 0
    assert result.kind_counts == {EntryKind.solution: 2, EntryKind.pilot_project: 1}
    assert find(text="Ampel", open_source=True).category_counts[Category.traffic] == 1


def test_pages_of_twenty_without_gaps_or_repeats(entries, find):
    for number in range(25):
        entries.solution(f"Lösung {number:02d}")
    first, second = find(page=1), find(page=2)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (25, 2, 20, 5)
    assert len(set(titles(first)) | set(titles(second))) == 25
    assert (second.first_index, second.last_index, second.has_next, second.has_previous) == (
        21,
        25,
        False,
        True,
    )


def test_a_page_beyond_the_last_shows_the_last(entries, find):
    entries.solution("Einzige Lösung")
    result = find(page=7)
    assert (result.page, result.requested_page, titles(result)) == (1, 7, ["Einzige Lösung"])


def test_sort_orders(entries, find):
    entries.solution("Bremse", cost_min="500")
    entries.solution("Ampel", cost_min="9000")
    entries.solution("Zebrastreifen")  # no costs: last when sorting by cost
    entries.solution("Übergang", cost_min="100")
    assert titles(find(sort=Sort.title)) == ["Ampel", "Bremse", "Übergang", "Zebrastreifen"]
    assert titles(find(sort=Sort.cost)) == ["Übergang", "Bremse", "Ampel", "Zebrastreifen"]
    assert titles(find(sort=Sort.newest)) == ["Übergang", "Zebrastreifen", "Ampel", "Bremse"]


def test_relevance_puts_title_matches_first(entries, find):
    entries.solution("Parkleitsystem", description="Erwähnt auch eine Ampel.")
    entries.solution("Ampelsteuerung", description="Steuert Kreuzungen.")
    assert titles(find(text="Ampel", sort=Sort.relevance))[0] == "Ampelsteuerung"
