"""The needs of a municipality over the API: its own list, drafting with the web's validation and
audit, opening through the machine; other municipalities' needs are not found, vendors refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from procurement.audit.models import AuditEntry
from procurement.extensions import db
from procurement.needs.models import Need
from tests.procurement.api.private_fixtures import *  # noqa: F403  (the fixtures)
from tests.procurement.api.private_fixtures import (
    KLEINMOORBACH,
    NOW,
    TALHEIM,
    TALHEIM_REQUESTER,
    VENDOR,
    user,
)
from workflows.need import NeedStatus

NEEDS = "/api/v1/needs"
NEW_NEED = {
    "title": "  Digitale Parkraumerfassung ",
    "description": "Sensoren und Plattform für 120 Stellplätze.",
    "cpv_code": "34996000-5",
    "quantity": "120",
    "unit": "Stück",
    "estimated_value": "45000.50",
    "delivery_from": "2027-05-01",
    "delivery_until": "2027-12-31",
    "nuts_code": "de118",
}


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _need(app, need_id: int) -> Need:  # type: ignore[no-untyped-def]
    with app.app_context():
        need = db.session.get(Need, need_id)
        db.session.expunge(need)
        return need


def _audit(app, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        for entry in entries:
            db.session.expunge(entry)
        return entries


def test_a_municipality_lists_only_its_own_needs_with_a_status_filter(app, api_as, make_need):
    draft = make_need(TALHEIM, title="Ladesäulen")
    opened = make_need(TALHEIM, opened=True, title="Parksensoren")
    make_need(KLEINMOORBACH, title="Fremder Bedarf")
    api = api_as(TALHEIM, "read")

    response = api.get(NEEDS)

    assert response.status_code == 200
    assert {need["id"] for need in response.json} == {draft, opened}
    assert response.headers["X-Total-Count"] == "2"
    assert {need["title"] for need in response.json} == {"Ladesäulen", "Parksensoren"}
    only_open = api.get(NEEDS, query_string={"status": "open"}).json
    assert [need["id"] for need in only_open] == [opened]
    assert only_open[0]["estimated_value"] == "18000.00"  # Decimal as a string, cents kept


def test_drafting_a_need_validates_normalises_and_audits_like_the_web(app, api_as):
    response = api_as(TALHEIM).post(NEEDS, json=NEW_NEED)

    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "draft"
    assert body["title"] == "Digitale Parkraumerfassung"
    assert body["nuts_code"] == "DE118"
    assert body["estimated_value"] == "45000.50"
    assert body["quantity"] == "120.000"
    assert response.headers["Location"].endswith(f"/api/v1/needs/{body['id']}")
    need = _need(app, body["id"])
    assert need.status is NeedStatus.draft
    assert need.estimated_value == Decimal("45000.50")
    assert need.cpv_group == "34996"
    with app.app_context():
        assert need.organisation_id == user(TALHEIM).organisation_id
        officer_id = user(TALHEIM).id
    [entry] = _audit(app, "need.created")
    assert entry.actor_id == officer_id
    assert entry.object_id == str(body["id"])


def test_an_officers_token_opens_a_need_a_requester_drafted(app, api_as, make_need):
    need_id = make_need(TALHEIM_REQUESTER)
    response = api_as(TALHEIM).post(f"{NEEDS}/{need_id}/open")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "open"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cpv_code": "34996000-4"}, "cpv_code"),  # wrong check digit
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "1.2345"}, "quantity"),
        ({"estimated_value": "-1"}, "estimated_value"),
        ({"estimated_value": "10.001"}, "estimated_value"),
        ({"estimated_value": "1000000000.01"}, "estimated_value"),
        ({"delivery_until": "2027-04-30"}, "delivery_until"),  # before the start
        ({"delivery_from": "2026-01-01", "delivery_until": "2027-02-01"}, "delivery_until"),  # over
        ({"nuts_code": "DE-118"}, "nuts_code"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "Text\x00mit NUL"}, "description"),
        ({"unit": "\ud800"}, "unit"),
    ],
)
def test_an_invalid_need_is_refused_with_the_field_named_and_nothing_stored(app, api_as, changes, field):
    response = api_as(TALHEIM).post(NEEDS, json={**NEW_NEED, **changes})

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert field in {error["field"] for error in response.json["errors"]}
    with app.app_context():
        assert db.session.scalars(select(Need)).all() == []


def test_a_missing_field_is_named(app, api_as):
    incomplete = {key: value for key, value in NEW_NEED.items() if key != "cpv_code"}
    response = api_as(TALHEIM).post(NEEDS, json=incomplete)
    assert response.status_code == 400
    assert [error["field"] for error in response.json["errors"]] == ["cpv_code"]


def test_opening_fires_the_machine_and_is_audited(app, api_as, make_need):
    need_id = make_need(TALHEIM)

    response = api_as(TALHEIM).post(f"{NEEDS}/{need_id}/open")

    assert response.status_code == 200
    assert response.json["status"] == "open"
    assert response.json["opened_at"].startswith("2027-03-01T09:00:00")
    assert _need(app, need_id).status is NeedStatus.open
    [entry] = _audit(app, "need.opened")
    assert (json.loads(entry.before), json.loads(entry.after)) == ({"status": "draft"}, {"status": "open"})


def test_opening_an_open_need_again_is_a_conflict(app, api_as, make_need):
    need_id = make_need(TALHEIM, opened=True)

    response = api_as(TALHEIM).post(f"{NEEDS}/{need_id}/open")

    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert [entry.occurred_at < NOW for entry in _audit(app, "need.opened")] == [True]


def test_a_need_whose_delivery_period_is_over_cannot_be_opened(app, api_as, make_need):
    need_id = make_need(TALHEIM, delivery_from=date(2027, 1, 1), delivery_until=date(2027, 2, 28))

    response = api_as(TALHEIM).post(f"{NEEDS}/{need_id}/open")

    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert _need(app, need_id).status is NeedStatus.draft


def test_another_municipalitys_need_is_not_found_and_stays_untouched(app, api_as, make_need):
    foreign = make_need(KLEINMOORBACH)
    api = api_as(TALHEIM)

    assert api.get(f"{NEEDS}/{foreign}").status_code == 404
    response = api.post(f"{NEEDS}/{foreign}/open")

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert _need(app, foreign).status is NeedStatus.draft
    assert _audit(app, "need.opened") == []


def test_a_vendors_token_is_refused_on_needs(app, api_as, make_need):
    need_id = make_need(TALHEIM)
    api = api_as(VENDOR)

    assert api.get(NEEDS).status_code == 403
    assert api.post(NEEDS, json=NEW_NEED).status_code == 403
    assert api.post(f"{NEEDS}/{need_id}/open").status_code == 403
    with app.app_context():
        assert len(db.session.scalars(select(Need)).all()) == 1
