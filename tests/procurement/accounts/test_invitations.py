"""Municipal users are invited by mail by the Kompetenzzentrum or an officer of their municipality."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from procurement.accounts.models import Organisation, Role, User
from procurement.mail.models import OutboxMail
from tests.conftest import audit_actions, count, one, page_text, submit
from workflows.account import UserStatus

NEW = "neu@talheim.example"
PASSWORD = "mein-neues-Passwort-1"


def talheim(app) -> Organisation:  # type: ignore[no-untyped-def]
    return one(app, Organisation, Organisation.ags == "08125099")


def invite(client, organisation_id: int, email: str = NEW, roles=("requester",)):  # type: ignore[no-untyped-def]
    return submit(
        client,
        f"/organisations/{organisation_id}/invite",
        {"name": "Nina Neu", "email": email, "roles": list(roles)},
    )


def accept(client, link: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return submit(client, link, {"password": password, "password_repeat": password})


def test_officer_invites_a_colleague_who_sets_a_password(app, client, demo, auth, mailbox):
    auth.login("vergabe@talheim.example")
    response = invite(client, talheim(app).id)
    assert response.status_code == 302
    invited = one(app, User, User.email == NEW)
    assert invited.status is UserStatus.invited and invited.password_hash is None
    [mail] = mailbox.to(NEW)
    assert mail["Subject"] == "Einladung zum Vergabe-Marktplatz"
    assert "Oskar Vergabe" in mail.get_content()
    auth.logout()

    link = mailbox.link(NEW, "/invitation/")
    assert "Stadt Talheim an der Lauter" in page_text(client.get(link))
    response = accept(client, link)
    assert response.status_code == 302
    assert one(app, User, User.email == NEW).status is UserStatus.active
    assert auth.login(NEW, PASSWORD).status_code == 302
    actions = audit_actions(app)
    assert actions.index("user.invited") < actions.index("user.invitation_accepted")


def test_invitation_link_works_once(app, client, demo, auth, mailbox):
    auth.login("vergabe@talheim.example")
    invite(client, talheim(app).id)
    auth.logout()
    link = mailbox.link(NEW, "/invitation/")
    accept(client, link)
    response = client.get(link)
    assert response.status_code == 422
    assert "bereits verwendet" in page_text(response)


def test_expired_invitation_is_refused_until_sent_again(app, client, demo, auth, mailbox):
    auth.login("vergabe@talheim.example")
    invite(client, talheim(app).id)
    old_link = mailbox.link(NEW, "/invitation/")
    with time_machine.travel(timedelta(days=8)):
        response = client.get(old_link)
        assert response.status_code == 422
        assert "ungültig oder abgelaufen" in page_text(response)
        invited = one(app, User, User.email == NEW)
        auth.login("vergabe@talheim.example")  # the old session has expired meanwhile
        member_page = f"/organisations/{invited.organisation_id}/members/{invited.id}"
        response = submit(client, f"{member_page}/reinvite", {}, form_url=member_page)
        assert response.status_code == 302
        new_link = mailbox.link(NEW, "/invitation/")
        assert new_link != old_link
        auth.logout()
        assert accept(client, new_link).status_code == 302
    assert one(app, User, User.email == NEW).status is UserStatus.active


def test_curator_invites_into_any_municipality(app, client, demo, auth, mailbox):
    auth.login("kuratorin@kompetenzzentrum.example")
    response = invite(client, talheim(app).id, roles=("officer",))
    assert response.status_code == 302
    with app.app_context():
        assert one(app, User, User.email == NEW).roles == {Role.officer}


def test_officer_cannot_invite_into_another_municipality(app, client, demo, auth):
    auth.login("vergabe@birkenfelde.example")
    url = f"/organisations/{talheim(app).id}/invite"
    assert client.get(url).status_code == 403
    response = client.post(url, data={"name": "X", "email": NEW, "roles": ["requester"]})
    assert response.status_code in (400, 403)
    assert count(app, User, User.email == NEW) == 0


@pytest.mark.parametrize(
    "email", ["bedarf@talheim.example", "pruefung@talheim.example", "angebot@energienetz.example"]
)
def test_members_without_officer_role_cannot_invite(app, client, demo, auth, email):
    auth.login(email)
    assert client.get(f"/organisations/{talheim(app).id}/invite").status_code == 403


@pytest.mark.parametrize("role", ["admin", "vendor", "curator"])
def test_officer_cannot_grant_roles_outside_the_municipality(app, client, demo, auth, role):
    auth.login("vergabe@talheim.example")
    response = invite(client, talheim(app).id, roles=(role,))
    assert response.status_code == 422
    assert "Diese Rolle dürfen Sie hier nicht vergeben." in page_text(response)
    assert count(app, User, User.email == NEW) == 0


def test_invitation_to_existing_address_is_refused(app, client, demo, auth):
    auth.login("vergabe@talheim.example")
    response = invite(client, talheim(app).id, email="bedarf@talheim.example")
    assert response.status_code == 409
    assert "besteht bereits ein Konto" in page_text(response)
    assert count(app, OutboxMail) == 0


def test_invitation_needs_a_role(app, client, demo, auth):
    auth.login("vergabe@talheim.example")
    response = invite(client, talheim(app).id, roles=())
    assert response.status_code == 422
    assert "mindestens eine Rolle" in page_text(response)


def test_short_password_on_acceptance_keeps_the_invitation_open(app, client, demo, auth, mailbox):
    auth.login("vergabe@talheim.example")
    invite(client, talheim(app).id)
    auth.logout()
    link = mailbox.link(NEW, "/invitation/")
    response = accept(client, link, password="kurz")
    assert response.status_code == 422
    assert "mindestens 12 Zeichen" in page_text(response)
    assert one(app, User, User.email == NEW).status is UserStatus.invited
    assert accept(client, link).status_code == 302
