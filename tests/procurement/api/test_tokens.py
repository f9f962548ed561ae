"""API tokens: stored hashed, shown once, listed, revoked (audited), and who may manage them."""

from __future__ import annotations

import hashlib
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from procurement.accounts.models import User
from procurement.api.models import ApiToken
from procurement.extensions import db
from tests.conftest import Auth, audit_actions, csrf_token, one, page_text, submit
from tests.procurement.api.conftest import TokenFactory, bearer

PAGE = "/profile/api-tokens"
TOKEN_RE = re.compile(r'id="token-value"[^>]*value="(vm_[^"]+)"')


def create_on_page(client: FlaskClient, name: str, access: str = "read") -> str:
    response = submit(client, PAGE, {"name": name, "access": access, "submit": "1"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    match = TOKEN_RE.search(response.get_data(as_text=True))
    assert match
    return match.group(1)


def all_column_values(app: Flask) -> list[str]:
    with app.app_context():
        rows = db.session.execute(select(ApiToken.__table__)).all()
        return [str(value) for row in rows for value in row]


def test_officer_creates_a_token_shown_once_and_only_its_hash_is_stored(
    app: Flask, client: FlaskClient, auth: Auth, demo: None
) -> None:
    auth.login("vergabe@talheim.example")
    assert 'href="/profile/api-tokens"' in client.get("/profile").get_data(as_text=True)

    plain = create_on_page(client, "Haushaltssystem", access="write")

    token = one(app, ApiToken, ApiToken.name == "Haushaltssystem")
    assert token.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert token.prefix == plain[:11]
    assert token.scopes == "read write"
    assert not any(plain in value for value in all_column_values(app))
    listing = client.get(PAGE)
    assert plain not in listing.get_data(as_text=True)
    text = page_text(listing)
    assert "Haushaltssystem" in text and f"{plain[:11]}…" in text and "nie" in text
    assert "api_token.created" in audit_actions(app)


def test_token_reads_the_api_and_its_use_is_noted(
    app: Flask, probe: FlaskClient, make_token: TokenFactory
) -> None:
    plain = make_token("vergabe@talheim.example")

    response = probe.get("/api/v1/probe/read", headers=bearer(plain))

    assert response.status_code == 200
    assert one(app, ApiToken, ApiToken.prefix == plain[:11]).last_used_at is not None


def test_revoked_token_is_refused_with_401_and_the_revocation_is_audited(
    app: Flask, client: FlaskClient, probe: FlaskClient, auth: Auth, make_token: TokenFactory
) -> None:
    plain = make_token("vergabe@talheim.example", name="Altsystem")
    token_id = one(app, ApiToken, ApiToken.prefix == plain[:11]).id
    auth.login("vergabe@talheim.example")

    response = submit(client, f"{PAGE}/{token_id}/revoke", {}, form_url=PAGE)

    assert response.status_code == 302
    assert one(app, ApiToken, ApiToken.id == token_id).revoked_at is not None
    refused = probe.get("/api/v1/probe/read", headers=bearer(plain))
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"
    assert refused.json["detail"] == "Der API-Token ist unbekannt oder wurde widerrufen."
    assert audit_actions(app)[-1] == "api_token.revoked"
    assert "widerrufen am" in page_text(client.get(PAGE))


def test_vendor_users_manage_their_organisations_tokens(
    app: Flask, client: FlaskClient, auth: Auth, demo: None
) -> None:
    auth.login("angebot@energienetz.example")

    create_on_page(client, "ERP")

    token = one(app, ApiToken, ApiToken.name == "ERP")
    with app.app_context():
        vendor = db.session.scalars(select(User).where(User.email == "angebot@energienetz.example")).one()
        assert token.organisation_id == vendor.organisation_id
    assert token.scopes == "read"


def test_requesters_auditors_and_curators_cannot_manage_tokens(
    client: FlaskClient, auth: Auth, demo: None
) -> None:
    for email in ("bedarf@talheim.example", "pruefung@talheim.example", "kuratorin@kompetenzzentrum.example"):
        auth.login(email)
        assert client.get(PAGE).status_code == 403, email
        assert "API-Tokens" not in page_text(client.get("/profile")), email
        auth.logout()


def test_another_organisations_token_cannot_be_revoked(
    app: Flask, client: FlaskClient, auth: Auth, make_token: TokenFactory
) -> None:
    plain = make_token("vergabe@talheim.example")
    token_id = one(app, ApiToken, ApiToken.prefix == plain[:11]).id
    auth.login("vergabe@birkenfelde.example")

    response = client.post(f"{PAGE}/{token_id}/revoke", data={"csrf_token": csrf_token(client, PAGE)})

    assert response.status_code == 404
    assert one(app, ApiToken, ApiToken.id == token_id).revoked_at is None
    assert plain[:11] not in client.get(PAGE).get_data(as_text=True)


def test_a_nameless_token_is_refused_with_the_field_marked(
    app: Flask, client: FlaskClient, auth: Auth, demo: None
) -> None:
    auth.login("vergabe@talheim.example")

    response = submit(client, PAGE, {"name": "", "access": "read", "submit": "1"})

    assert response.status_code == 422
    assert "Bitte füllen Sie dieses Feld aus." in page_text(response)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ApiToken)) == 0
