"""Who may see and change which entry: only published entries are public; others' drafts are 404."""

from __future__ import annotations

import pytest

from procurement.marketplace.models import Solution
from tests.conftest import page_text, submit
from tests.procurement.marketplace.conftest import (
    ADMIN,
    AUDITOR,
    CURATOR,
    OFFICER,
    OTHER_OFFICER,
    OTHER_VENDOR,
    REQUESTER,
    VENDOR,
)
from workflows.curation import EntryStatus

LOGIN = 302  # anonymous visitors are sent to the login page

# who -> status on (draft detail, draft edit, submitted detail, published detail, published edit)
# for a solution of Verkehrstechnik Süd
SOLUTION_ACCESS = {
    None: (404, LOGIN, 404, 200, LOGIN),
    VENDOR: (200, 200, 200, 200, 302),  # a published entry: on to the contact form
    OTHER_VENDOR: (404, 404, 404, 200, 403),
    CURATOR: (200, 403, 200, 200, 403),
    ADMIN: (200, 403, 200, 200, 403),
    OFFICER: (404, 404, 404, 200, 403),
    AUDITOR: (404, 404, 404, 200, 403),
}

# the same for a pilot project of Talheim
PILOT_ACCESS = {
    None: (404, LOGIN, 404, 200, LOGIN),
    OFFICER: (200, 200, 200, 200, 302),
    REQUESTER: (200, 403, 200, 200, 403),  # same municipality: reads, does not edit
    AUDITOR: (200, 403, 200, 200, 403),
    OTHER_OFFICER: (404, 404, 404, 200, 403),
    VENDOR: (404, 404, 404, 200, 403),
    CURATOR: (200, 403, 200, 200, 403),
}


@pytest.mark.parametrize("email", list(SOLUTION_ACCESS))
def test_access_matrix_for_solutions(client, market, sign_in, email):
    draft, submitted, published = (market.solution(status=s) for s in ("draft", "submitted", "published"))
    sign_in(email)
    urls = [
        f"/marketplace/solutions/{draft}",
        f"/marketplace/solutions/{draft}/edit",
        f"/marketplace/solutions/{submitted}",
        f"/marketplace/solutions/{published}",
        f"/marketplace/solutions/{published}/edit",
    ]
    assert tuple(client.get(url).status_code for url in urls) == SOLUTION_ACCESS[email]


@pytest.mark.parametrize("email", list(PILOT_ACCESS))
def test_access_matrix_for_pilot_projects(client, market, sign_in, email):
    draft, submitted, published = (market.pilot(status=s) for s in ("draft", "submitted", "published"))
    sign_in(email)
    urls = [
        f"/marketplace/pilots/{draft}",
        f"/marketplace/pilots/{draft}/edit",
        f"/marketplace/pilots/{submitted}",
        f"/marketplace/pilots/{published}",
        f"/marketplace/pilots/{published}/edit",
    ]
    assert tuple(client.get(url).status_code for url in urls) == PILOT_ACCESS[email]


def test_an_archived_entry_is_gone_for_everybody_but_its_owners_and_curators(client, market, sign_in):
    archived = market.solution(status="archived")
    for email, expected in [(None, 404), (OTHER_VENDOR, 404), (OFFICER, 404), (VENDOR, 200), (CURATOR, 200)]:
        sign_in(email)
        assert client.get(f"/marketplace/solutions/{archived}").status_code == expected, email


def test_unknown_entries_are_not_found(client, market, sign_in):
    sign_in(CURATOR)
    assert client.get("/marketplace/solutions/999").status_code == 404
    assert client.get("/marketplace/pilots/999").status_code == 404
    assert client.get("/marketplace/documents/999").status_code == 404


def test_unpublished_entries_never_appear_in_public_lists(client, market, sign_in):
    for status in ("draft", "submitted", "published", "archived"):
        market.solution(status=status, title=f"Lösung im Status {status}")
        market.pilot(status=status, title=f"Projekt im Status {status}")
    for email in (None, VENDOR, CURATOR):
        sign_in(email)
        solutions = page_text(client.get("/marketplace/solutions"))
        pilots = page_text(client.get("/marketplace/pilots"))
        assert "Lösung im Status published" in solutions
        assert "Projekt im Status published" in pilots
        for status in ("draft", "submitted", "archived"):
            assert f"Lösung im Status {status}" not in solutions, (email, status)
            assert f"Projekt im Status {status}" not in pilots, (email, status)


def test_public_list_filters_by_category_and_pages(client, market):
    for n in range(22):
        market.solution(status="published", title=f"Ampel Nummer {n:02d}")
    market.solution(status="published", title="Straßenlicht", category=_lighting())
    first = page_text(client.get("/marketplace/solutions"))
    assert "Seite 1 von 2" in first and "Ampel Nummer 21" in first
    lighting = page_text(client.get("/marketplace/solutions?category=lighting"))
    assert "Straßenlicht" in lighting and "Ampel Nummer" not in lighting


def _lighting():  # type: ignore[no-untyped-def]
    from procurement.marketplace.models import Category

    return Category.lighting


def test_a_pilot_project_names_a_solution_only_while_it_is_visible(client, market, sign_in):
    solution_id = market.solution(status="published")
    project_id = market.pilot(status="published", solution_ids=[solution_id])
    assert "Adaptive Ampelsteuerung" in page_text(client.get(f"/marketplace/pilots/{project_id}"))
    sign_in(VENDOR)
    submit(
        client,
        f"/marketplace/solutions/{solution_id}/actions/archive",
        {},
        form_url=f"/marketplace/solutions/{solution_id}",
    )
    sign_in(None)
    assert "Adaptive Ampelsteuerung" not in page_text(client.get(f"/marketplace/pilots/{project_id}"))


# who -> status on downloading a document of (a draft, a published) solution of Verkehrstechnik Süd
DOWNLOAD_ACCESS = {
    None: (404, 200),
    VENDOR: (200, 200),
    OTHER_VENDOR: (404, 200),
    OFFICER: (404, 200),
    CURATOR: (200, 200),
}


@pytest.mark.parametrize("email", list(DOWNLOAD_ACCESS))
def test_document_downloads_follow_the_visibility_of_the_entry(client, market, sign_in, email):
    [in_draft] = market.document_ids(Solution, market.solution(documents=1))
    [in_published] = market.document_ids(Solution, market.solution(status="published", documents=1))
    sign_in(email)
    statuses = []
    for document_id in (in_draft, in_published):
        with client.get(f"/marketplace/documents/{document_id}") as response:
            statuses.append(response.status_code)
    assert tuple(statuses) == DOWNLOAD_ACCESS[email]


@pytest.mark.parametrize("email", [OTHER_VENDOR, OFFICER, None])
def test_others_cannot_reach_the_document_pages_of_a_draft(client, market, sign_in, email):
    draft = market.solution()
    sign_in(email)
    expected = 302 if email is None else 404
    assert client.get(f"/marketplace/solutions/{draft}/documents").status_code == expected


def test_a_vendor_cannot_upload_to_another_vendors_published_solution(client, market, sign_in):
    published = market.solution(status="published")
    sign_in(OTHER_VENDOR)
    assert client.get(f"/marketplace/solutions/{published}/documents").status_code == 403


def test_the_owner_cannot_change_documents_of_a_submitted_entry(client, market, sign_in):
    submitted = market.solution(status="submitted")
    sign_in(VENDOR)
    response = client.get(f"/marketplace/solutions/{submitted}/documents")
    assert response.status_code == 409
    assert "Dokumente können Sie nur bei Entwürfen hinzufügen oder löschen." in page_text(response)


def test_entries_of_others_stay_out_of_my_entries(client, market, sign_in):
    market.solution(title="Verkehrstechnik-Entwurf")
    sign_in(CURATOR)
    assert "Verkehrstechnik-Entwurf" not in page_text(client.get("/marketplace/mine"))


def test_status_of_a_published_entry_is_not_shown_as_management_to_visitors(client, market):
    published = market.solution(status="published")
    text = page_text(client.get(f"/marketplace/solutions/{published}"))
    assert "Verwaltung" not in text
    assert EntryStatus.published.value not in text
