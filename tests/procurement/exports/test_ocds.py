"""OCDS 1.1 release packages: valid against the schema, public data only before the award."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from procurement.exports import ocds
from procurement.extensions import db
from procurement.tenders.models import CancellationReason, Tender
from tests.procurement.exports.conftest import Prepared
from tests.procurement.exports.test_award_notice import make_awarded, publish_directly
from workflows.tender import TenderStatus


def fetch(client: FlaskClient, tender_id: int) -> dict:  # type: ignore[type-arg]
    response = client.get(f"/ausschreibungen/{tender_id}/ocds.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return json.loads(response.data, parse_float=Decimal)


def assert_valid(document: dict) -> None:  # type: ignore[type-arg]
    assert ocds.validation_errors(document) == []


@pytest.mark.parametrize(("lots", "buyers"), [(1, 1), (5, 3), (2, 30)])
def test_awarded_release_package_is_valid_with_awards_and_a_contract_per_municipality(
    app: Flask, client: FlaskClient, eu_tender: Callable[..., Prepared], lots: int, buyers: int
) -> None:
    awarded = make_awarded(app, eu_tender(lots=lots, buyers=buyers))

    document = fetch(client, awarded.tender_id)

    assert_valid(document)
    (release,) = document["releases"]
    with app.app_context():
        procedure_uuid = db.session.get(Tender, awarded.tender_id).procedure_uuid
    assert release["ocid"] == f"ocds-vm0dev-{procedure_uuid}"
    assert release["tag"] == ["tender", "award", "contract"]
    assert len(release["tender"]["lots"]) == lots
    assert [award["value"]["amount"] for award in release["awards"]] == [
        Decimal("40000") * n for n in range(1, lots + 1)
    ]
    assert {award["suppliers"][0]["name"] for award in release["awards"]} == {"Lieferant 1 GmbH"}
    assert len(release["contracts"]) == lots * buyers
    assert len({contract["buyer"]["id"] for contract in release["contracts"]}) == buyers
    buyer_parties = [party for party in release["parties"] if "buyer" in party["roles"]]
    assert len(buyer_parties) == buyers
    # the unsuccessful bidders and their prices are not published
    text = json.dumps(document, default=str)
    assert "Lieferant 2 GmbH" not in text and "41234.56" not in text


def test_cancelled_lot_has_no_award_and_is_marked_cancelled(
    app: Flask, client: FlaskClient, eu_tender: Callable[..., Prepared]
) -> None:
    awarded = make_awarded(app, eu_tender(lots=2), cancelled={2: CancellationReason.no_compliant_bid})

    release = fetch(client, awarded.tender_id)["releases"][0]

    assert [lot["status"] for lot in release["tender"]["lots"]] == ["complete", "cancelled"]
    assert [award["relatedLots"] for award in release["awards"]] == [["LOT-0001"]]


def test_before_the_award_the_package_has_no_award_data_and_no_prices(
    app: Flask, client: FlaskClient, eu_tender: Callable[..., Prepared]
) -> None:
    awarded = make_awarded(app, eu_tender(lots=2, buyers=2))
    with app.app_context():
        db.session.get(Tender, awarded.tender_id).status = TenderStatus.standstill
        db.session.commit()

    document = fetch(client, awarded.tender_id)

    assert_valid(document)
    release = document["releases"][0]
    assert release["tag"] == ["tender"]
    assert "awards" not in release and "contracts" not in release
    assert "numberOfTenderers" not in release["tender"]
    text = json.dumps(document, default=str)
    assert "Lieferant" not in text and "40000" not in text


def test_unpublished_tender_has_no_package(
    app: Flask, client: FlaskClient, eu_tender: Callable[..., Prepared]
) -> None:
    prepared = eu_tender()

    assert client.get(f"/ausschreibungen/{prepared.tender_id}/ocds.json").status_code == 404
    assert client.get("/ausschreibungen/ocds.json").get_json()["releases"] == []


def test_package_answers_304_to_its_etag_and_changes_with_the_award(
    app: Flask, client: FlaskClient, eu_tender: Callable[..., Prepared]
) -> None:
    awarded = make_awarded(app, eu_tender())
    first = client.get(f"/ausschreibungen/{awarded.tender_id}/ocds.json")
    assert first.headers["ETag"] and first.headers["Last-Modified"]

    again = client.get(
        f"/ausschreibungen/{awarded.tender_id}/ocds.json", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    with app.app_context():
        db.session.get(Tender, awarded.tender_id).status = TenderStatus.standstill
        db.session.commit()
    changed = client.get(
        f"/ausschreibungen/{awarded.tender_id}/ocds.json", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert changed.status_code == 200


def test_bulk_export_holds_every_published_tender_and_validates(
    app: Flask, client: FlaskClient, eu_tender: Callable[..., Prepared]
) -> None:
    awarded = make_awarded(app, eu_tender(lots=2))
    running = eu_tender()
    with app.test_request_context():
        publish_directly(running.load())
        running.load().status = TenderStatus.published
        db.session.commit()
    eu_tender()  # a draft: not exported

    response = client.get("/ausschreibungen/ocds.json")
    document = json.loads(response.data, parse_float=Decimal)

    assert_valid(document)
    tags = {
        release["tender"]["title"] + str(i): release["tag"] for i, release in enumerate(document["releases"])
    }
    assert len(document["releases"]) == 2
    assert sorted(map(tuple, tags.values())) == [("tender",), ("tender", "award", "contract")]
    assert awarded.tender_id


def test_a_broken_package_is_rejected_by_the_schema() -> None:
    broken = {
        "uri": "x",
        "version": "1.1",
        "publishedDate": "2027-01-01T00:00:00Z",
        "publisher": {},
        "releases": [{"ocid": "a", "id": "b", "date": "c", "tag": ["winner"], "initiationType": "tender"}],
    }

    errors = ocds.validation_errors(broken)

    assert any("winner" in error for error in errors)
