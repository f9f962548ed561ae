"""Password reset by mail, password change, profile."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from procurement.accounts.models import User
from tests.conftest import one, page_text, submit

EMAIL = "vergabe@talheim.example"
NEW_PASSWORD = "ganz-neues-Passwort-7"


def request_reset(client, email: str = EMAIL):  # type: ignore[no-untyped-def]
    return submit(client, "/password/forgot", {"email": email})


def reset(client, link: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return submit(client, link, {"password": password, "password_repeat": password})


def test_reset_link_sets_a_new_password(app, client, demo, auth, mailbox):
    response = request_reset(client)
    assert response.status_code == 302
    link = mailbox.link(EMAIL, "/password/reset/")
    assert reset(client, link).status_code == 302
    assert "falsch" in page_text(auth.login(EMAIL))  # the old password no longer works
    assert auth.login(EMAIL, NEW_PASSWORD).status_code == 302


def test_unknown_address_gets_the_same_answer_and_no_mail(client, demo, mailbox):
    known = request_reset(client)
    unknown = request_reset(client, "niemand@talheim.example")
    assert known.status_code == unknown.status_code == 302
    assert mailbox.to("niemand@talheim.example") == []
    assert len(mailbox.messages) == 1


def test_reset_link_works_once(client, demo, mailbox):
    request_reset(client)
    link = mailbox.link(EMAIL, "/password/reset/")
    reset(client, link)
    response = client.get(link)
    assert response.status_code == 422
    assert "bereits verwendet" in page_text(response)


def test_reset_link_expires_after_two_hours(app, client, demo, mailbox):
    request_reset(client)
    link = mailbox.link(EMAIL, "/password/reset/")
    with time_machine.travel(timedelta(hours=2, minutes=1)):
        response = reset(client, link)
    assert response.status_code == 422
    assert "ungültig oder abgelaufen" in page_text(response)


def test_reset_ends_every_other_session(app, client, demo, auth, mailbox):
    other = app.test_client()
    submit(other, "/login", {"email": EMAIL, "password": "Demo-Passwort-2026"})
    assert other.get("/profile").status_code == 200
    request_reset(client)
    reset(client, mailbox.link(EMAIL, "/password/reset/"))
    assert other.get("/profile").status_code == 302


def test_change_password_needs_the_current_one(app, client, demo, auth):
    auth.login(EMAIL)
    data = {
        "pw-current_password": "falsch-falsch-falsch",
        "pw-password": NEW_PASSWORD,
        "pw-password_repeat": NEW_PASSWORD,
        "pw-submit": "1",
    }
    response = submit(client, "/profile", data)
    assert response.status_code == 422
    assert "Das bisherige Passwort ist falsch." in page_text(response)
    data["pw-current_password"] = "Demo-Passwort-2026"
    assert submit(client, "/profile", data).status_code == 302
    assert client.get("/profile").status_code == 200  # this session stays
    auth.logout()
    assert auth.login(EMAIL, NEW_PASSWORD).status_code == 302


def test_profile_changes_name_and_language(app, client, demo, auth):
    auth.login(EMAIL)
    response = submit(client, "/profile", {"name": "Oskar V. Vergabe", "language": "en", "submit": "1"})
    assert response.status_code == 302
    user = one(app, User, User.email == EMAIL)
    assert (user.name, user.language) == ("Oskar V. Vergabe", "en")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_profile_with_empty_name_is_refused(app, client, demo, auth):
    auth.login(EMAIL)
    response = submit(client, "/profile", {"name": "", "language": "de", "submit": "1"})
    assert response.status_code == 422
    assert one(app, User, User.email == EMAIL).name == "Oskar Vergabe"
