from __future__ import annotations

from tests.conftest import page_text, submit


def test_start_page_speaks_german_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="de">' in response.get_data(as_text=True)
    assert "Smart-City-Marktplatz und gemeinsame Beschaffung" in page_text(response)


def test_language_switch_to_english_is_remembered(client):
    response = submit(client, "/language", {"language": "en", "next": "/login"}, form_url="/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    page = client.get("/login")
    assert '<html lang="en">' in page.get_data(as_text=True)
    assert "Log in" in page_text(page)


def test_language_switch_never_redirects_off_site(client):
    response = submit(client, "/language", {"language": "en", "next": "//evil.example/x"}, form_url="/")
    assert response.headers["Location"] == "/"


def test_unknown_language_is_refused(client):
    response = submit(client, "/language", {"language": "fr", "next": "/"}, form_url="/")
    assert response.status_code == 400
    assert '<html lang="de">' in client.get("/").get_data(as_text=True)


def test_pages_carry_security_headers(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_pages_contain_no_inline_script_or_style(client):
    for url in ["/", "/login", "/register", "/password/forgot"]:
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "<script type" not in html, url
        assert " style=" not in html and "<style" not in html, url
        assert " onclick=" not in html, url


def test_bootstrap_is_served_locally(client):
    html = client.get("/").get_data(as_text=True)
    assert "/bootstrap/static/css/bootstrap.min.css" in html
    assert "cdn" not in html.lower()
    with client.get("/bootstrap/static/css/bootstrap.min.css") as css:
        assert css.status_code == 200


def test_health_and_readiness(client):
    assert client.get("/healthz").get_data(as_text=True) == "ok"
    assert client.get("/readyz").get_data(as_text=True) == "ready"


def test_unknown_page_gives_german_404(client):
    response = client.get("/gibt-es-nicht")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in page_text(response)


def test_form_left_open_too_long_is_refused_without_losing_anything(app, client):
    from datetime import timedelta

    import time_machine

    from procurement.accounts.models import Organisation
    from tests.conftest import count, csrf_token

    token = csrf_token(client, "/register")
    with time_machine.travel(timedelta(hours=1, minutes=5)):
        response = client.post("/register", data={"csrf_token": token, "company_name": "Spät GmbH"})
    assert response.status_code == 400
    assert "Das Formular ist abgelaufen" in page_text(response)
    assert count(app, Organisation) == 0


def test_oversized_request_gets_a_german_413(app, client):
    from tests.conftest import csrf_token

    token = csrf_token(client, "/register")
    response = client.post("/register", data={"csrf_token": token, "company_name": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Die gesendeten Daten sind zu groß" in page_text(response)


def test_language_chosen_before_login_is_kept_after_login(client, demo, auth):
    submit(client, "/language", {"language": "en", "next": "/"}, form_url="/")
    auth.login("vergabe@talheim.example")
    assert "Logged in as Oskar Vergabe" in page_text(client.get("/"))


def test_language_is_kept_after_logout(client, demo, auth):
    submit(client, "/language", {"language": "en", "next": "/"}, form_url="/")
    auth.login("vergabe@talheim.example")
    auth.logout()
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
