"""Organisation pages, role changes and locking accounts: who may see and change what."""

from __future__ import annotations

import json

import pytest

from procurement.accounts.models import Organisation, Role, User
from procurement.audit.models import AuditEntry
from tests.conftest import one, page_text, submit
from workflows.account import UserStatus

TALHEIM_OFFICER = "vergabe@talheim.example"
REQUESTER = "bedarf@talheim.example"

# who -> expected status on (organisations list, Talheim page, Talheim invite, vendor org page)
ACCESS = {
    "admin@kompetenzzentrum.example": (200, 200, 200, 200),
    "kuratorin@kompetenzzentrum.example": (200, 200, 200, 403),
    TALHEIM_OFFICER: (403, 200, 200, 403),
    REQUESTER: (403, 403, 403, 403),
    "pruefung@talheim.example": (403, 403, 403, 403),
    "vergabe@birkenfelde.example": (403, 403, 403, 403),
    "angebot@verkehrstechnik-sued.example": (403, 403, 403, 403),
}


def org(app, **where) -> Organisation:  # type: ignore[no-untyped-def]
    (column, value) = next(iter(where.items()))
    return one(app, Organisation, getattr(Organisation, column) == value)


@pytest.mark.parametrize("email", sorted(ACCESS))
def test_access_matrix_for_organisation_pages(app, client, demo, auth, email):
    talheim = org(app, ags="08125099").id
    vendor = org(app, vat_id="DE817902350").id
    auth.login(email)
    urls = [
        "/organisations",
        f"/organisations/{talheim}",
        f"/organisations/{talheim}/invite",
        f"/organisations/{vendor}",
    ]
    assert tuple(client.get(url).status_code for url in urls) == ACCESS[email]


def test_officer_sees_the_members_of_the_municipality(app, client, demo, auth):
    auth.login(TALHEIM_OFFICER)
    text = page_text(client.get(f"/organisations/{org(app, ags='08125099').id}"))
    assert "Ruth Bedarf" in text and "Paula Prüfung" in text and "Bedarfsträger" in text
    assert "Bernd Beschaffer" not in text  # Birkenfelde's officer


def member_url(app, email: str) -> str:
    user = one(app, User, User.email == email)
    return f"/organisations/{user.organisation_id}/members/{user.id}"


def test_officer_changes_roles_and_the_change_is_audited(app, client, demo, auth):
    auth.login(TALHEIM_OFFICER)
    url = member_url(app, REQUESTER)
    response = submit(client, url, {"roles": ["requester", "auditor"]})
    assert response.status_code == 302
    with app.app_context():
        assert one(app, User, User.email == REQUESTER).roles == {Role.requester, Role.auditor}
    entry = one(app, AuditEntry, AuditEntry.action == "user.roles_changed")
    assert json.loads(entry.before)["roles"] == ["requester"]
    assert json.loads(entry.after)["roles"] == ["auditor", "requester"]
    assert entry.actor_email == TALHEIM_OFFICER


def test_officer_of_another_municipality_cannot_change_roles(app, client, demo, auth):
    auth.login("vergabe@birkenfelde.example")
    url = member_url(app, REQUESTER)
    assert client.get(url).status_code == 403
    token_page = client.get("/profile")
    assert token_page.status_code == 200
    with app.app_context():
        assert one(app, User, User.email == REQUESTER).roles == {Role.requester}


def test_member_of_another_organisation_is_not_found_under_this_one(app, client, demo, auth):
    auth.login(TALHEIM_OFFICER)
    talheim = org(app, ags="08125099").id
    stranger = one(app, User, User.email == "vergabe@birkenfelde.example")
    assert client.get(f"/organisations/{talheim}/members/{stranger.id}").status_code == 404


def test_locked_account_cannot_log_in_and_its_session_ends(app, client, demo, auth):
    colleague = app.test_client()
    submit(colleague, "/login", {"email": REQUESTER, "password": "Demo-Passwort-2026"})
    assert colleague.get("/profile").status_code == 200

    auth.login(TALHEIM_OFFICER)
    url = member_url(app, REQUESTER)
    response = submit(client, f"{url}/disable", {}, form_url=url)
    assert response.status_code == 302
    assert one(app, User, User.email == REQUESTER).status is UserStatus.disabled
    assert colleague.get("/profile").status_code == 302  # logged out at once

    response = submit(colleague, "/login", {"email": REQUESTER, "password": "Demo-Passwort-2026"})
    assert "Dieses Konto ist gesperrt" in page_text(response)

    response = submit(client, f"{url}/enable", {}, form_url=url)
    assert response.status_code == 302
    assert one(app, User, User.email == REQUESTER).status is UserStatus.active


def test_member_page_offers_only_allowed_actions(app, client, demo, auth):
    auth.login(TALHEIM_OFFICER)
    url = member_url(app, REQUESTER)
    text = page_text(client.get(url))
    assert "Konto sperren" in text and "Konto entsperren" not in text
    assert "Einladung erneut senden" not in text


def test_disabling_twice_is_a_conflict_with_a_clear_message(app, client, demo, auth):
    auth.login(TALHEIM_OFFICER)
    url = member_url(app, REQUESTER)
    submit(client, f"{url}/disable", {}, form_url=url)
    response = submit(client, f"{url}/disable", {}, form_url=url)
    assert response.status_code == 409
    assert "Die Aktion „Konto sperren“ ist im Status „gesperrt“ nicht möglich." in page_text(response)


def test_officer_cannot_lock_out_themselves(app, client, demo, auth):
    auth.login(TALHEIM_OFFICER)
    url = member_url(app, TALHEIM_OFFICER)
    response = submit(client, f"{url}/disable", {}, form_url="/profile")
    assert response.status_code == 422
    assert one(app, User, User.email == TALHEIM_OFFICER).status is UserStatus.active


def test_officer_cannot_drop_the_own_officer_role(app, client, demo, auth):
    auth.login(TALHEIM_OFFICER)
    url = member_url(app, TALHEIM_OFFICER)
    response = submit(client, url, {"roles": ["requester"]})
    assert response.status_code == 422
    assert "eigene Verwaltungsrolle" in page_text(response)
    with app.app_context():
        assert Role.officer in one(app, User, User.email == TALHEIM_OFFICER).roles


def test_member_action_without_csrf_token_changes_nothing(app, client, demo, auth):
    auth.login(TALHEIM_OFFICER)
    response = client.post(member_url(app, REQUESTER) + "/disable")
    assert response.status_code == 400
    assert one(app, User, User.email == REQUESTER).status is UserStatus.active


def test_unknown_member_action_is_not_found(app, client, demo, auth):
    auth.login(TALHEIM_OFFICER)
    url = member_url(app, REQUESTER)
    assert submit(client, f"{url}/delete", {}, form_url=url).status_code == 404
