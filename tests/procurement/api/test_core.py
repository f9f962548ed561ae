"""API core: problem details, token auth, rate limits, pagination errors, docs and OpenAPI."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from tests.procurement.api.conftest import TokenFactory, bearer

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert PROBLEM_KEYS <= set(body)
    assert body["status"] == status
    assert body["instance"] == response.request.path
    return body


def test_unknown_api_path_is_a_problem_while_web_pages_stay_html(client: FlaskClient) -> None:
    body = assert_problem(client.get("/api/v1/gibt-es-nicht"), 404)
    assert body["title"] == "Not Found"
    assert body["type"] == "about:blank"

    web = client.get("/gibt-es-nicht")
    assert web.status_code == 404
    assert web.mimetype == "text/html"


def test_wrong_method_is_405_with_the_allowed_ones(client: FlaskClient) -> None:
    response = client.delete("/api/v1/tenders")

    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}


def test_invalid_parameters_are_400_naming_each_field(client: FlaskClient) -> None:
    response = client.get("/api/v1/tenders?page=x&per_page=1000")

    body = assert_problem(response, 400)
    fields = {(error["location"], error["field"]) for error in body["errors"]}
    assert fields == {("query", "page"), ("query", "per_page")}
    assert all(error["messages"] for error in body["errors"])


def test_no_token_unknown_token_and_other_schemes_are_refused_with_401(
    probe: FlaskClient, demo: None
) -> None:
    for headers in ({}, bearer("vm_gibtesnicht"), {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = probe.get("/api/v1/probe/read", headers=headers)

        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_of_the_organisation_authenticates(probe: FlaskClient, make_token: TokenFactory) -> None:
    token = make_token("vergabe@talheim.example")

    response = probe.get("/api/v1/probe/read", headers=bearer(token))

    assert response.status_code == 200
    assert response.json == {"organisation": "Stadt Talheim an der Lauter", "prefix": token[:11]}


def test_read_token_is_refused_on_a_write_endpoint_with_403(
    probe: FlaskClient, make_token: TokenFactory
) -> None:
    read_only = make_token("angebot@energienetz.example", access="read")
    writer = make_token("angebot@energienetz.example", access="write")

    assert_problem(probe.post("/api/v1/probe/write", headers=bearer(read_only)), 403)
    assert probe.post("/api/v1/probe/write", headers=bearer(writer)).json == {"written": True}


def test_domain_rule_and_crash_are_problems_too(probe: FlaskClient, app: Flask) -> None:
    refused = assert_problem(probe.get("/api/v1/probe/refused"), 422)
    assert refused["detail"] == "Die Frist ist abgelaufen."

    crash = assert_problem(probe.get("/api/v1/probe/crash"), 500)
    assert "a bug" not in crash["detail"]


def test_rate_limit_counts_per_token_and_answers_429_with_retry_after(
    probe: FlaskClient, make_token: TokenFactory
) -> None:
    first = make_token("vergabe@talheim.example")
    second = make_token("vergabe@birkenfelde.example")
    for _ in range(5):
        assert probe.get("/api/v1/probe/read", headers=bearer(first)).status_code == 200

    limited = probe.get("/api/v1/probe/read", headers=bearer(first))

    assert_problem(limited, 429)
    assert 1 <= int(limited.headers["Retry-After"]) <= 61  # the rest of the minute window
    # another organisation's token and anonymous callers have their own allowance
    assert probe.get("/api/v1/probe/read", headers=bearer(second)).status_code == 200
    assert probe.get("/api/v1/tenders").status_code == 200


def test_unknown_tokens_share_the_callers_address_allowance(probe: FlaskClient, demo: None) -> None:
    """Made-up tokens do not buy fresh allowances: they count against the client address."""
    for number in range(5):
        probe.get("/api/v1/tenders", headers=bearer(f"vm_ausgedacht{number}"))

    assert_problem(probe.get("/api/v1/tenders", headers=bearer("vm_nocheiner")), 429)


def test_docs_page_loads_swagger_ui_from_this_server_only(client: FlaskClient) -> None:
    page = client.get("/api/v1/docs")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    sources = re.findall(r'(?:src|href)="(/api/v1/docs/[^"]+)"', html)
    assert len(sources) == 5  # stylesheet, icon, bundle, preset, the page's own script
    for source in sources:
        with client.get(source) as asset:
            assert asset.status_code == 200, source
            assert b"https://unpkg" not in asset.data and b"cdn.jsdelivr" not in asset.data
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    with client.get("/api/v1/docs/init.js") as init:
        assert b"/api/v1/openapi.json" in init.data
        assert b'"validatorUrl": null' in init.data  # no description sent to validator.swagger.io


def test_openapi_description_is_valid_and_marks_the_token_endpoints(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json

    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "API token (vm_…)",
    }
    paths = spec["paths"]
    assert {"/api/v1/solutions", "/api/v1/search", "/api/v1/tenders/{tender_id}/ocds"} <= set(paths)
    assert "security" not in paths["/api/v1/tenders"]["get"]
    secured = [
        operation
        for path in paths.values()
        for operation in path.values()
        if isinstance(operation, dict) and "security" in operation
    ]
    for operation in secured:
        assert operation["security"] == [{"bearerAuth": []}]
        assert {"401", "403"} <= set(operation["responses"])
    problem = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(problem) == ["application/problem+json"]
