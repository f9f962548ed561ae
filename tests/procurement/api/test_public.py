"""Public read endpoints: the marketplace, search, tenders, awards and OCDS, without a token."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from procurement.extensions import db
from procurement.marketplace.models import Category, PilotProject, Solution
from procurement.tenders.models import Tender
from tests.procurement.exports.conftest import Prepared
from tests.procurement.exports.test_award_notice import make_awarded
from workflows.curation import EntryStatus


def published(app: Flask, model) -> list:  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = db.session.scalars(
            select(model).where(model.status == EntryStatus.published).order_by(model.id)
        ).all()
        db.session.expunge_all()
        return rows


def test_solutions_list_only_published_entries_with_total_and_category_filter(
    app: Flask, client: FlaskClient, demo_marketplace: None
) -> None:
    solutions = published(app, Solution)
    with app.app_context():
        all_solutions = db.session.scalar(select(db.func.count()).select_from(Solution))
    assert 0 < len(solutions) < all_solutions  # the demo has drafts and entries under review too

    response = client.get("/api/v1/solutions?per_page=100")

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == str(len(solutions))
    assert {item["id"] for item in response.json} == {s.id for s in solutions}
    category = solutions[0].category
    filtered = client.get(f"/api/v1/solutions?category={category.value}&per_page=100").json
    assert {item["id"] for item in filtered} == {s.id for s in solutions if s.category is category}


def test_solution_amounts_are_exact_strings_and_a_draft_is_not_found(
    app: Flask, client: FlaskClient, demo_marketplace: None
) -> None:
    with app.app_context():
        priced = db.session.scalars(
            select(Solution).where(Solution.status == EntryStatus.published, Solution.cost_min.is_not(None))
        ).first()
        draft = db.session.scalars(select(Solution).where(Solution.status != EntryStatus.published)).first()
        expected = (priced.id, priced.cost_min, priced.title)
        draft_id = draft.id

    body = client.get(f"/api/v1/solutions/{expected[0]}").json
    assert body["title"] == expected[2]
    assert Decimal(body["cost_min"]) == expected[1] and isinstance(body["cost_min"], str)

    missing = client.get(f"/api/v1/solutions/{draft_id}")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"


def test_text_filter_finds_pilot_projects_by_word_in_title(
    app: Flask, client: FlaskClient, demo_marketplace: None
) -> None:
    projects = published(app, PilotProject)
    word = projects[0].title.split()[0]

    found = client.get("/api/v1/pilot-projects", query_string={"q": word, "per_page": 100}).json

    assert projects[0].id in {item["id"] for item in found}
    for item in found:
        detail = client.get(item["url"]).json
        assert word.lower() in json.dumps(detail, ensure_ascii=False).lower()
    assert client.get("/api/v1/pilot-projects", query_string={"q": "zzzkeinetreffer"}).json == []


def test_pagination_gives_total_count_and_links_to_the_other_pages(
    app: Flask, client: FlaskClient, demo_marketplace: None
) -> None:
    total = len(published(app, Solution))
    assert total >= 3

    first = client.get("/api/v1/solutions?per_page=2")
    second = client.get("/api/v1/solutions?per_page=2&page=2")

    assert first.headers["X-Total-Count"] == str(total)
    assert len(first.json) == 2
    links = first.headers["Link"]
    assert '</api/v1/solutions?per_page=2&page=2>; rel="next"' in links
    assert 'rel="prev"' not in links
    last_page = (total + 1) // 2
    assert f'</api/v1/solutions?per_page=2&page={last_page}>; rel="last"' in links
    assert 'rel="prev"' in second.headers["Link"]
    assert not {i["id"] for i in first.json} & {i["id"] for i in second.json}
    beyond = client.get(f"/api/v1/solutions?per_page=2&page={last_page + 1}")
    assert beyond.status_code == 200 and beyond.json == []


def test_search_runs_the_marketplace_search_with_facets(
    app: Flask, client: FlaskClient, demo_marketplace: None
) -> None:
    with app.test_request_context():
        from procurement.search.engine import SearchQuery, search

        expected = search(SearchQuery(text="Ampel", per_page=100))

    response = client.get("/api/v1/search", query_string={"q": "Ampel", "per_page": 100})

    assert response.status_code == 200
    body = response.json
    assert expected.total > 0
    assert body["total"] == expected.total
    assert [(i["kind"], i["id"]) for i in body["items"]] == [
        (i.kind.value, i.entry_id) for i in expected.items
    ]
    assert set(body["category_counts"]) == {c.value for c in Category}
    assert response.headers["X-Total-Count"] == str(expected.total)


def test_page_links_keep_repeated_filters(client: FlaskClient, demo_marketplace: None) -> None:
    response = client.get("/api/v1/search?category=traffic&category=lighting&per_page=1")

    assert response.json["total"] >= 2
    next_link = next(part for part in response.headers["Link"].split(", ") if 'rel="next"' in part)
    assert "category=traffic&category=lighting" in next_link


def test_search_refuses_an_unknown_category_with_the_field_named(
    client: FlaskClient, demo_marketplace: None
) -> None:
    response = client.get("/api/v1/search?category=nonsense")

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert [(e["location"], e["field"]) for e in response.json["errors"]] == [("query", "category.0")]


def test_tenders_list_shows_published_tenders_only(
    app: Flask, client: FlaskClient, public_tender: Callable[..., int]
) -> None:
    shown = public_tender(lots=2, title="Ampelsteuerung Talheim")
    hidden = public_tender(published=False, title="Noch nicht veröffentlicht")

    listed = client.get("/api/v1/tenders").json

    assert [item["id"] for item in listed] == [shown]
    assert listed[0]["lead_authority"] == "Stadt Talheim an der Lauter"
    assert client.get(f"/api/v1/tenders/{hidden}").status_code == 404
    assert client.get("/api/v1/tenders", query_string={"q": "ampelsteuerung"}).json[0]["id"] == shown
    assert client.get("/api/v1/tenders", query_string={"q": "Brücke"}).json == []


def test_tender_detail_has_lots_and_documents_with_a_working_download_url(
    app: Flask, client: FlaskClient, public_tender: Callable[..., int]
) -> None:
    tender_id = public_tender(lots=2, documents=2)

    body = client.get(f"/api/v1/tenders/{tender_id}").json

    assert [lot["number"] for lot in body["lots"]] == [1, 2]
    assert "unit_price" not in body["lots"][0]  # estimates stay internal
    assert len(body["documents"]) == 2
    document = body["documents"][0]
    with client.get(document["download_url"].removeprefix("http://localhost")) as download:
        assert download.status_code == 200
        assert hashlib.sha256(download.data).hexdigest() == document["sha256"]
    assert body["awards_url"] is None
    ocds_package = client.get(body["ocds_url"])
    assert ocds_package.status_code == 200
    (release,) = ocds_package.json["releases"]
    assert len(release["tender"]["documents"]) == 2


def test_awards_are_not_found_before_the_award(
    client: FlaskClient, public_tender: Callable[..., int]
) -> None:
    tender_id = public_tender()

    response = client.get(f"/api/v1/tenders/{tender_id}/awards")

    assert response.status_code == 404
    assert response.json["detail"] == "Für diese Ausschreibung gibt es keine Vergabebekanntmachung."


def test_public_resources_answer_304_to_their_etag(
    app: Flask, client: FlaskClient, public_tender: Callable[..., int]
) -> None:
    tender_id = public_tender()
    for url in (f"/api/v1/tenders/{tender_id}", "/api/v1/tenders", f"/api/v1/tenders/{tender_id}/ocds"):
        first = client.get(url)
        etag = first.headers["ETag"]

        again = client.get(url, headers={"If-None-Match": etag})

        assert again.status_code == 304, url
        assert again.data == b""
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200

    etag = client.get(f"/api/v1/tenders/{tender_id}").headers["ETag"]
    with app.app_context():
        db.session.get(Tender, tender_id).title = "Neuer Titel"
        db.session.commit()
    changed = client.get(f"/api/v1/tenders/{tender_id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.json["title"] == "Neuer Titel"


def test_awards_name_each_lot_winner_with_the_exact_amount_once_awarded(
    app: Flask, client: FlaskClient, eu_tender: Callable[..., Prepared]
) -> None:
    awarded = make_awarded(app, eu_tender(lots=2, buyers=1))

    body = client.get(f"/api/v1/tenders/{awarded.tender_id}/awards").json

    assert [(lot["lot_number"], lot["awarded"]) for lot in body["lots"]] == [(1, True), (2, True)]
    assert [lot["amount"] for lot in body["lots"]] == ["40000.00", "80000.00"]
    assert {lot["winner"] for lot in body["lots"]} == {"Lieferant 1 GmbH"}
    assert all(lot["tenderers"] == 3 for lot in body["lots"])
    detail = client.get(f"/api/v1/tenders/{awarded.tender_id}").json
    assert detail["awards_url"] == f"/api/v1/tenders/{awarded.tender_id}/awards"
    (release,) = client.get(detail["ocds_url"]).json["releases"]
    assert release["tag"] == ["tender", "award", "contract"]
