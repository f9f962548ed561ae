"""The contract pages and downloads: who sees which contract, what the pages show, the PDF check.

Lot 1 went to Verkehrstechnik Süd (VENDOR), lot 2 to EnergieNetz (OTHER_VENDOR); Talheim (lead)
and Birkenfelde (PARTNER) take part in both lots, so there are four contracts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from procurement.awards.models import Contract
from procurement.extensions import db
from procurement.storage import storage
from tests.conftest import page_text
from tests.procurement.awards.conftest import LEAD, OTHER_VENDOR, THIRD_VENDOR, VENDOR, Opened
from tests.procurement.awards.test_contracts import conclude, put_final
from tests.procurement.tenders.conftest import CURATOR, LEAD_AUDITOR, LEAD_REQUESTER, PARTNER, THIRD

TALHEIM = "Stadt Talheim an der Lauter"
BIRKENFELDE = "Gemeinde Birkenfelde"


@dataclass(frozen=True)
class Concluded:
    tender_id: int
    # (buyer name, lot number) -> (contract id, number)
    contracts: dict[tuple[str, int], tuple[int, str]]


@pytest.fixture
def concluded(app: Flask, opened: Opened) -> Concluded:
    final = put_final(app, opened)
    conclude(app, [final[1], final[2]])
    lot_numbers = {lot_id: number for number, lot_id in opened.lots.items()}
    with app.app_context():
        contracts = {
            (c.buyer_name, lot_numbers[c.lot_id]): (c.id, c.number)
            for c in db.session.scalars(select(Contract))
        }
    return Concluded(opened.tender_id, contracts)


# who may read which of the four contracts (the lead's officers all of them)
VISIBLE = {
    LEAD: {(TALHEIM, 1), (TALHEIM, 2), (BIRKENFELDE, 1), (BIRKENFELDE, 2)},
    LEAD_REQUESTER: {(TALHEIM, 1), (TALHEIM, 2)},
    LEAD_AUDITOR: {(TALHEIM, 1), (TALHEIM, 2)},
    PARTNER: {(BIRKENFELDE, 1), (BIRKENFELDE, 2)},
    VENDOR: {(TALHEIM, 1), (BIRKENFELDE, 1)},
    OTHER_VENDOR: {(TALHEIM, 2), (BIRKENFELDE, 2)},
    THIRD_VENDOR: set(),
    THIRD: set(),  # an officer of a municipality that does not take part
    CURATOR: set(),
}
# the tender's contracts page: 200 (listing VISIBLE), else this status
TENDER_PAGE_REFUSED = {THIRD_VENDOR: 404, THIRD: 404, CURATOR: 404}
# the own contracts page (/vertraege): members of municipalities and vendors, their own
# organisation's contracts only (the lead's officers see the others on the tender's page)
MY_PAGE_REFUSED = {CURATOR: 403}
MINE = VISIBLE | {LEAD: {(TALHEIM, 1), (TALHEIM, 2)}}


@pytest.mark.parametrize("email", list(VISIBLE))
def test_each_user_reads_exactly_the_contracts_the_rules_allow(app, client, auth, concluded, email):
    auth.login(email)
    for key, (contract_id, number) in concluded.contracts.items():
        page = client.get(f"/vertraege/{contract_id}")
        pdf = client.get(f"/vertraege/{contract_id}.pdf")
        if key in VISIBLE[email]:
            assert page.status_code == 200, (email, key)
            assert number in page_text(page)
            assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
            assert pdf.headers["Cache-Control"] == "private, no-store"
        else:
            assert (page.status_code, pdf.status_code) == (404, 404), (email, key)
            assert number not in page.get_data(as_text=True)

    tender_page = client.get(f"/vergaben/{concluded.tender_id}/vertraege")
    if email in TENDER_PAGE_REFUSED:
        assert tender_page.status_code == TENDER_PAGE_REFUSED[email]
    else:
        assert tender_page.status_code == 200
        text = page_text(tender_page)
        for key, (_id, number) in concluded.contracts.items():
            assert (number in text) == (key in VISIBLE[email]), (email, key)

    mine = client.get("/vertraege")
    if email in MY_PAGE_REFUSED:
        assert mine.status_code == MY_PAGE_REFUSED[email]
    else:
        assert mine.status_code == 200
        text = page_text(mine)
        for key, (_id, number) in concluded.contracts.items():
            assert (number in text) == (key in MINE[email]), (email, key)


def test_anonymous_visitors_are_sent_to_the_login(client, concluded):
    contract_id, _number = concluded.contracts[BIRKENFELDE, 1]
    for url in (
        f"/vertraege/{contract_id}",
        f"/vertraege/{contract_id}.pdf",
        "/vertraege",
        f"/vergaben/{concluded.tender_id}/vertraege",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_the_pages_are_read_only(client, auth, concluded):
    auth.login(LEAD)
    contract_id, _number = concluded.contracts[BIRKENFELDE, 1]
    for url in (f"/vertraege/{contract_id}", "/vertraege", f"/vergaben/{concluded.tender_id}/vertraege"):
        assert client.post(url).status_code in (400, 405), url


def test_the_contract_page_shows_parties_amounts_and_dates(client, auth, concluded):
    auth.login(PARTNER)
    contract_id, number = concluded.contracts[BIRKENFELDE, 2]
    text = page_text(client.get(f"/vertraege/{contract_id}"))
    for expected in (
        number,
        BIRKENFELDE,
        "EnergieNetz Solutions AG",
        "5 Stück",
        "73,3333 €",
        "366,67 €",
        "Leitweg-ID",
        "Wartefrist (§ 134 GWB) endete",
        "Vertrag herunterladen (PDF)",
    ):
        assert expected in text, expected


def test_the_lead_sees_per_lot_the_sum_of_the_contracts_beside_the_bid_price(client, auth, concluded):
    auth.login(LEAD)
    text = page_text(client.get(f"/vergaben/{concluded.tender_id}/vertraege"))
    assert "48.000,00 €" in text  # lot 1: 32.000,00 + 16.000,00, the bid's price
    assert "1.100,00 €" in text  # lot 2: 733,33 + 366,67
    only_lot_2 = page_text(client.get(f"/vergaben/{concluded.tender_id}/vertraege?los=2"))
    assert concluded.contracts[TALHEIM, 2][1] in only_lot_2
    assert concluded.contracts[TALHEIM, 1][1] not in only_lot_2.split("Verträge zu Los 2", 1)[1]


def test_the_nav_offers_contracts_to_municipal_members_and_vendors(client, auth, concluded):
    auth.login(PARTNER)
    assert 'href="/vertraege"' in client.get("/vertraege").get_data(as_text=True)
    auth.logout()
    auth.login(CURATOR)
    assert 'href="/vertraege"' not in client.get("/").get_data(as_text=True)


def test_the_download_is_the_stored_document_checked_against_its_hash(app, client, auth, concluded):
    auth.login(VENDOR)
    contract_id, number = concluded.contracts[BIRKENFELDE, 1]
    response = client.get(f"/vertraege/{contract_id}.pdf")
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        assert hashlib.sha256(response.data).hexdigest() == contract.pdf_sha256
    assert response.data.startswith(b"%PDF-")
    assert f"vertrag-{number}.pdf" in response.headers["Content-Disposition"]


def test_a_changed_document_is_refused_not_served(app, client, auth, concluded):
    contract_id, _number = concluded.contracts[BIRKENFELDE, 1]
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        path = storage().path(contract.pdf_storage_key)  # type: ignore[attr-defined]
    path.write_bytes(path.read_bytes().replace(b"16.000,00", b"61.000,00"))
    auth.login(PARTNER)
    response = client.get(f"/vertraege/{contract_id}.pdf")
    assert response.status_code == 409
    assert "Prüfsumme" in page_text(response)
    assert b"61.000,00" not in response.data


def test_a_missing_document_is_a_clear_conflict(app, client, auth, concluded):
    contract_id, _number = concluded.contracts[TALHEIM, 1]
    with app.app_context():
        contract = db.session.get(Contract, contract_id)
        storage().delete(contract.pdf_storage_key)
    auth.login(LEAD)
    response = client.get(f"/vertraege/{contract_id}.pdf")
    assert response.status_code == 409
    assert "fehlt im Speicher" in page_text(response)
