"""Who may see and change needs: own municipality only; vendors and others never."""

from __future__ import annotations

import pytest

from procurement.needs.models import Need
from tests.conftest import count, one, page_text, submit
from tests.procurement.needs.conftest import (
    BIRKENFELDE_OFFICER,
    CURATOR,
    NORDHAFEN_OFFICER,
    TALHEIM_AUDITOR,
    TALHEIM_OFFICER,
    TALHEIM_REQUESTER,
    VENDOR,
    form_data,
)
from workflows.need import NeedStatus

# who -> expected status on (/dashboard, /needs/new, Talheim's draft, its edit page, Talheim's open need)
ACCESS = {
    TALHEIM_REQUESTER: (200, 200, 200, 200, 200),
    TALHEIM_OFFICER: (200, 200, 200, 200, 200),
    TALHEIM_AUDITOR: (200, 403, 200, 403, 200),
    BIRKENFELDE_OFFICER: (200, 200, 404, 404, 404),
    VENDOR: (403, 403, 404, 404, 404),
    CURATOR: (403, 403, 404, 404, 404),
}


@pytest.mark.parametrize("email", sorted(ACCESS))
def test_access_matrix_for_need_pages(app, client, demo, auth, make_need, email):
    draft = make_need(TALHEIM_REQUESTER)
    opened = make_need(TALHEIM_REQUESTER, open=True)
    auth.login(email)
    urls = ["/dashboard", "/needs/new", f"/needs/{draft}", f"/needs/{draft}/edit", f"/needs/{opened}"]
    assert tuple(client.get(url).status_code for url in urls) == ACCESS[email]


@pytest.mark.parametrize("url", ["/dashboard", "/needs/new", "/needs/1", "/needs/invitations/1"])
def test_pages_require_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_requester_of_another_municipality_cannot_edit_a_draft(app, client, demo, auth, make_need):
    draft = make_need(TALHEIM_REQUESTER)
    auth.login(BIRKENFELDE_OFFICER)  # requester and officer of Birkenfelde
    response = submit(client, f"/needs/{draft}/edit", form_data(title="Übernommen"), form_url="/needs/new")
    assert response.status_code == 404
    assert one(app, Need, Need.id == draft).title == "Verkehrsrechner"


@pytest.mark.parametrize("action", ["open", "withdraw"])
def test_officer_of_another_municipality_cannot_change_the_status(app, client, demo, auth, make_need, action):
    draft = make_need(TALHEIM_REQUESTER)
    auth.login(NORDHAFEN_OFFICER)
    response = submit(client, f"/needs/{draft}/{action}", {}, form_url="/dashboard")
    assert response.status_code == 404
    assert one(app, Need, Need.id == draft).status is NeedStatus.draft


def test_vendor_cannot_create_needs(app, client, demo, auth):
    auth.login(VENDOR)
    response = submit(client, "/needs/new", form_data(), form_url="/profile")
    assert response.status_code == 403
    assert count(app, Need) == 0


def test_auditor_reads_but_does_not_change(app, client, demo, auth, make_need):
    draft = make_need(TALHEIM_REQUESTER)
    auth.login(TALHEIM_AUDITOR)
    text = page_text(client.get(f"/needs/{draft}"))
    assert "Verkehrsrechner" in text and "Bearbeiten" not in text and "zurückziehen" not in text
    response = submit(client, f"/needs/{draft}/withdraw", {}, form_url=f"/needs/{draft}")
    assert response.status_code == 403
    assert one(app, Need, Need.id == draft).status is NeedStatus.draft


def test_vendor_sees_no_needs_navigation(app, client, demo, auth):
    auth.login(VENDOR)
    assert "Übersicht" not in page_text(client.get("/"))


def test_unknown_need_is_not_found(app, client, demo, auth):
    auth.login(TALHEIM_OFFICER)
    assert client.get("/needs/999").status_code == 404
