"""The public award notice page: after the award, for everyone; winners, values, bid counts,
cancelled lots with their reason; never the losers' prices."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from procurement.awards import notice as award_notice
from procurement.extensions import db
from procurement.reference.deadlines import Procedure
from procurement.tenders.models import CancellationReason, Tender
from tests.conftest import Auth, page_text
from tests.procurement.exports import conftest as export_fixtures
from tests.procurement.exports.conftest import Prepared
from tests.procurement.exports.test_award_notice import ISSUED_AT, make_awarded
from tests.procurement.tenders import conftest as tender_fixtures
from tests.procurement.tenders.conftest import LEAD, OTHER_VENDOR, VENDOR, user
from workflows.tender import TenderStatus

eu_tender = export_fixtures.eu_tender
make_tender = tender_fixtures.make_tender
official_rules = export_fixtures.official_rules


def page(client: FlaskClient, tender_id: int):  # type: ignore[no-untyped-def]
    return client.get(f"/ausschreibungen/{tender_id}/vergabebekanntmachung")


@pytest.mark.usefixtures("official_rules")
def test_public_page_shows_winner_value_bid_count_and_links_the_eu_notice(
    app: Flask, client: FlaskClient, eu_tender: Callable[..., Prepared]
) -> None:
    awarded = make_awarded(app, eu_tender(lots=2), cancelled={2: CancellationReason.no_economic_result})
    with app.test_request_context():
        award_notice.issue_award_notice(user(LEAD), db.session.get(Tender, awarded.tender_id), ISSUED_AT)
        db.session.commit()

    response = page(client, awarded.tender_id)

    assert response.status_code == 200
    text = page_text(response)
    assert "Zuschlag an Lieferant 1 GmbH" in text
    assert "40.000,00" in text
    assert "Aufgehoben: Kein wirtschaftliches Ergebnis erzielt" in text
    assert "Lieferant 2 GmbH" not in text and "41.234,56" not in text  # no losers, no their prices
    assert b"<caption>" in response.data and b'scope="row"' in response.data
    xml = client.get(f"/ausschreibungen/{awarded.tender_id}/vergabebekanntmachung.xml")
    assert xml.status_code == 200 and b"ContractAwardNotice" in xml.data
    assert f"/ausschreibungen/{awarded.tender_id}/vergabebekanntmachung.xml".encode() in response.data
    # the tender's public page leads there
    detail = client.get(f"/ausschreibungen/{awarded.tender_id}")
    assert "Der Auftrag ist vergeben." in page_text(detail)
    assert f'href="/ausschreibungen/{awarded.tender_id}/vergabebekanntmachung"'.encode() in detail.data


def test_national_award_page_has_no_eu_notice(
    app: Flask, client: FlaskClient, eu_tender: Callable[..., Prepared]
) -> None:
    prepared = eu_tender()
    with app.app_context():
        prepared.load().procedure = Procedure.national_open
        db.session.commit()
    awarded = make_awarded(app, prepared)
    with app.test_request_context():
        award_notice.issue_award_notice(user(LEAD), db.session.get(Tender, awarded.tender_id), ISSUED_AT)
        db.session.commit()

    response = page(client, awarded.tender_id)

    assert response.status_code == 200
    assert b"vergabebekanntmachung.xml" not in response.data
    assert client.get(f"/ausschreibungen/{awarded.tender_id}/vergabebekanntmachung.xml").status_code == 404


@pytest.mark.parametrize("who", [None, VENDOR, OTHER_VENDOR, LEAD])
def test_everyone_reads_the_award_page_after_the_award(
    app: Flask, client: FlaskClient, auth: Auth, eu_tender: Callable[..., Prepared], who: str | None
) -> None:
    awarded = make_awarded(app, eu_tender())
    if who:
        auth.login(who)

    assert page(client, awarded.tender_id).status_code == 200
    assert client.post(f"/ausschreibungen/{awarded.tender_id}/vergabebekanntmachung").status_code in (
        400,
        405,
    )


@pytest.mark.parametrize(
    "status", [TenderStatus.evaluation, TenderStatus.award_proposed, TenderStatus.standstill]
)
def test_no_award_page_before_the_award_is_final(
    app: Flask, client: FlaskClient, eu_tender: Callable[..., Prepared], status: TenderStatus
) -> None:
    awarded = make_awarded(app, eu_tender())
    with app.app_context():
        db.session.get(Tender, awarded.tender_id).status = status
        db.session.commit()

    assert page(client, awarded.tender_id).status_code == 404
    assert client.get(f"/ausschreibungen/{awarded.tender_id}/vergabebekanntmachung.xml").status_code == 404


def test_unknown_tender_has_no_award_page(client: FlaskClient) -> None:
    assert page(client, 999999).status_code == 404
