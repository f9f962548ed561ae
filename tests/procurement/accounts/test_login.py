"""Login, logout, sessions, rate limiting and the pages that need a login."""

from __future__ import annotations

import pytest

from procurement.accounts.models import User
from procurement.audit.models import AuditEntry
from procurement.demo import USERS
from tests.conftest import audit_actions, count, one, page_text, submit

OFFICER = "vergabe@talheim.example"
ONE_PER_ROLE = {roles[0].value: email for _key, email, _name, roles in USERS if len(roles) == 1}


def test_demo_has_a_user_for_every_role():
    assert set(ONE_PER_ROLE) == {"requester", "officer", "vendor", "auditor", "curator", "admin"}


@pytest.mark.parametrize("role", sorted(ONE_PER_ROLE))
def test_every_role_can_log_in_and_out(app, client, demo, auth, role):
    email = ONE_PER_ROLE[role]
    response = auth.login(email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    user = one(app, User, User.email == email)
    assert f"Angemeldet als {user.name}" in page_text(client.get("/"))
    assert user.last_login_at is not None

    response = auth.logout()
    assert response.status_code == 302
    assert "Angemeldet als" not in page_text(client.get("/"))
    assert audit_actions(app)[-2:] == ["user.login", "user.logout"]


def test_wrong_password_is_refused_and_recorded(app, client, demo, auth):
    response = auth.login(OFFICER, "falsches-passwort")
    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist falsch." in page_text(response)
    assert client.get("/profile").status_code == 302
    entry = one(app, AuditEntry, AuditEntry.action == "user.login_failed")
    assert entry.actor_id is None and OFFICER in entry.after


def test_unknown_user_gets_the_same_message(app, client, demo, auth):
    response = auth.login("niemand@talheim.example", "irgendein-passwort")
    assert "E-Mail-Adresse oder Passwort ist falsch." in page_text(response)
    assert audit_actions(app)[-1] == "user.login_failed"


def test_email_is_case_insensitive(client, demo, auth):
    assert auth.login(OFFICER.upper()).status_code == 302


def test_login_is_rate_limited_with_a_german_message(client, demo, auth):
    for _ in range(10):
        auth.login(OFFICER, "falsches-passwort")
    response = auth.login(OFFICER)  # even the right password waits now
    assert response.status_code == 429
    assert "Zu viele Versuche" in page_text(response)
    assert response.headers["Retry-After"] == "60"


def test_login_without_csrf_token_is_refused(app, client, demo):
    response = client.post("/login", data={"email": OFFICER, "password": "Demo-Passwort-2026"})
    assert response.status_code == 400
    assert client.get("/profile").status_code == 302
    assert count(app, AuditEntry, AuditEntry.action == "user.login") == 0


def test_logout_needs_a_post(client, demo, auth):
    auth.login(OFFICER)
    assert client.get("/logout").status_code == 405
    assert client.get("/profile").status_code == 200


def test_login_redirects_back_to_the_page_asked_for(client, demo):
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/profile"
    response = submit(client, "/login?next=/profile", {"email": OFFICER, "password": "Demo-Passwort-2026"})
    assert response.headers["Location"] == "/profile"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_login_never_redirects_to_another_site(client, demo, target):
    response = submit(client, f"/login?next={target}", {"email": OFFICER, "password": "Demo-Passwort-2026"})
    assert response.headers["Location"] == "/"


def test_session_cookie_is_httponly_and_samesite(client, demo, auth):
    response = auth.login(OFFICER)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure_and_need_a_secret_key_and_a_platform_key():
    from config import load_config

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        load_config({"APP_ENV": "production"})
    with pytest.raises(RuntimeError, match="PLATFORM_KEY"):
        load_config({"APP_ENV": "production", "SECRET_KEY": "x" * 32})
    config = load_config({"APP_ENV": "production", "SECRET_KEY": "x" * 32, "PLATFORM_KEY": "A" * 44})
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize(
    "url",
    ["/profile", "/organisations", "/organisations/new", "/organisations/2", "/organisations/2/invite"],
)
def test_pages_need_a_login(client, demo, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_idle_session_expires_after_its_lifetime(client, demo, auth):
    from datetime import timedelta

    import time_machine

    auth.login(OFFICER)
    with time_machine.travel(timedelta(hours=7, minutes=50)):
        assert client.get("/profile").status_code == 200
    auth.logout()
    auth.login(OFFICER)
    with time_machine.travel(timedelta(hours=8, minutes=10)):
        response = client.get("/profile")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_rate_limit_counts_the_client_behind_a_trusted_proxy(app, client, demo, monkeypatch):
    from werkzeug.middleware.proxy_fix import ProxyFix

    monkeypatch.setattr(app, "wsgi_app", ProxyFix(app.wsgi_app, x_for=1))  # as TRUSTED_PROXIES=1
    wrong = {"email": OFFICER, "password": "falsch"}
    first = {"X-Forwarded-For": "203.0.113.7"}
    for _ in range(10):
        submit(client, "/login", wrong, headers=first)
    assert submit(client, "/login", wrong, headers=first).status_code == 429
    second = {"X-Forwarded-For": "203.0.113.8"}
    assert submit(client, "/login", wrong, headers=second).status_code == 200
