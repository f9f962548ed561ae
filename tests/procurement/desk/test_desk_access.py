"""Who may use which desk page: the authorization matrix (404 for requests one may not read)."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from sqlalchemy import select

from procurement.accounts.models import Role
from procurement.accounts.services import activate_user, add_invited_user
from procurement.database import utcnow
from procurement.demo import _demo_password_hash
from procurement.desk.models import AdvisoryRequest, RequestAttachment, RequestMessage
from procurement.extensions import db
from tests.conftest import audit_actions, count, csrf_token
from tests.procurement.desk.conftest import (
    ADMIN,
    ASKER,
    ASKER_OFFICER,
    AUDITOR,
    CURATOR,
    OTHER,
    PDF,
    VENDOR,
    organisation,
    user,
)

KZ_AUDITOR = "pruefung@kompetenzzentrum.example"
ANONYMOUS = None
LOGIN = "login"

# who -> expected status of: my requests, new request form, the request, its attachment, the queue
GETS = {
    ANONYMOUS: (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    ASKER: (200, 200, 200, 200, 403),
    ASKER_OFFICER: (200, 200, 200, 200, 403),
    OTHER: (200, 200, 404, 404, 403),
    AUDITOR: (403, 403, 404, 404, 403),
    VENDOR: (403, 403, 404, 404, 403),
    KZ_AUDITOR: (403, 403, 404, 404, 403),
    CURATOR: (403, 403, 200, 200, 200),
    ADMIN: (403, 403, 200, 200, 200),
}
# who -> expected status of: reply, close, assign, answer, introduce (with valid forms)
POSTS = {
    ASKER: (303, 303, 403, 403, 403),
    OTHER: (404, 404, 403, 403, 403),
    AUDITOR: (404, 404, 403, 403, 403),
    VENDOR: (404, 404, 403, 403, 403),
    KZ_AUDITOR: (404, 404, 403, 403, 403),
    CURATOR: (403, 303, 303, 303, 303),
}


@pytest.fixture
def desk_request(app: Flask, demo: None, make_request, pilot_project) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """A request of ASKER with one attachment, a pilot project of another municipality, a KZ auditor."""
    from werkzeug.datastructures import FileStorage

    project_id = pilot_project()
    request_id = make_request(ASKER, uploads=[FileStorage(io.BytesIO(PDF), "Plan.pdf")])
    with app.app_context():
        now = utcnow()
        auditor = add_invited_user(
            organisation("Kompetenzzentrum"),
            KZ_AUDITOR,
            "Karl Kontrolle",
            {Role.auditor},
            actor=None,
            now=now,
            action="user.created",
        )
        activate_user(auditor, "user.activated", now, password_hash=_demo_password_hash())
        db.session.commit()
        attachment_id = db.session.scalars(select(RequestAttachment.id)).one()
        curator_id = user(CURATOR).id
    return {"request": request_id, "attachment": attachment_id, "project": project_id, "curator": curator_id}


def _login(auth, who):  # type: ignore[no-untyped-def]
    if who is not ANONYMOUS:
        assert auth.login(who).status_code in (302, 303)


@pytest.mark.parametrize("who", list(GETS), ids=lambda who: who or "anonymous")
def test_get_matrix(app, desk_request, auth, client, who):
    _login(auth, who)
    rid, aid = desk_request["request"], desk_request["attachment"]
    urls = [
        "/beratung",
        "/beratung/neu",
        f"/beratung/{rid}",
        f"/beratung/{rid}/anhang/{aid}",
        "/kompetenzzentrum/anfragen",
    ]
    for url, expected in zip(urls, GETS[who], strict=True):
        with client.get(url) as response:
            if expected == LOGIN:
                assert response.status_code == 302 and "/login" in response.headers["Location"], url
            else:
                assert response.status_code == expected, url


def _state(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        request = db.session.scalars(select(AdvisoryRequest)).one()
        return (
            request.status,
            request.assignee_id,
            request.version,
            count(app, RequestMessage),
            len(audit_actions(app)),
        )


@pytest.mark.parametrize("action", range(5), ids=["reply", "close", "assign", "answer", "introduce"])
@pytest.mark.parametrize("who", list(POSTS))
def test_post_matrix(app, desk_request, auth, client, who, action):
    _login(auth, who)
    rid = desk_request["request"]
    version = str(_state(app)[2])
    url, data = [
        (f"/beratung/{rid}/antworten", {"text": "Nachtrag"}),
        (f"/beratung/{rid}/schliessen", {}),
        (f"/kompetenzzentrum/anfragen/{rid}/zuweisen", {"assignee": desk_request["curator"]}),
        (f"/kompetenzzentrum/anfragen/{rid}/antwort", {"text": "Antwort"}),
        (f"/kompetenzzentrum/anfragen/{rid}/vorstellen", {"pilot_project": desk_request["project"]}),
    ][action]
    token = csrf_token(client, "/")
    before = _state(app)
    response = client.post(
        url, data={"csrf_token": token, "version": version, **data}, content_type="multipart/form-data"
    )
    expected = POSTS[who][action]
    assert response.status_code == expected
    if expected >= 400:
        assert _state(app) == before
    else:
        assert _state(app) != before


@pytest.mark.parametrize(
    "path",
    ["antworten", "schliessen"],
)
def test_municipality_forms_without_csrf_token_change_nothing(app, desk_request, auth, client, path):
    auth.login(ASKER)
    before = _state(app)
    response = client.post(
        f"/beratung/{desk_request['request']}/{path}", data={"text": "x", "version": str(before[2])}
    )
    assert response.status_code == 400
    assert _state(app) == before


@pytest.mark.parametrize("path", ["zuweisen", "antwort", "vorstellen"])
def test_curator_forms_without_csrf_token_change_nothing(app, desk_request, auth, client, path):
    auth.login(CURATOR)
    before = _state(app)
    response = client.post(
        f"/kompetenzzentrum/anfragen/{desk_request['request']}/{path}",
        data={
            "text": "x",
            "assignee": desk_request["curator"],
            "pilot_project": desk_request["project"],
            "version": str(before[2]),
        },
    )
    assert response.status_code == 400
    assert _state(app) == before


def test_requests_that_do_not_exist_are_404(app, demo, auth, client):
    auth.login(CURATOR)
    assert client.get("/beratung/999").status_code == 404
    auth.logout()
    auth.login(ASKER)
    assert client.get("/beratung/999").status_code == 404
