"""Lots (§97(4) GWB): German numbers, CPV checked, no negative prices, only before freezing."""

from __future__ import annotations

from decimal import Decimal

import time_machine

from procurement.extensions import db
from procurement.tenders import services
from procurement.tenders.models import Lot
from tests.conftest import audit_actions, count, one, page_text, submit
from tests.procurement.tenders.conftest import LEAD, NOW, user
from tests.procurement.tenders.core_support import make_ready

LOT_FORM = {
    "title": "Detektoren",
    "description": "Radardetektoren",
    "cpv_code": "34996000-5",
    "unit": "Stück",
    "unit_price": "1.250,50",
    "options_value": "",
    "nuts_code": "de118",
    "place_of_performance": "Talheim",
}


def test_lot_form_reads_german_numbers_and_numbers_the_lot(app, client, auth, make_tender):
    with app.test_request_context():
        tender_id = make_tender(lots=1).id
    auth.login(LEAD)
    response = submit(client, f"/vergaben/{tender_id}/lose/neu", LOT_FORM)
    assert response.status_code == 302
    lot = one(app, Lot, Lot.tender_id == tender_id, Lot.number == 2)
    assert (lot.unit_price, lot.options_value, lot.nuts_code) == (
        Decimal("1250.50"),
        Decimal("0.00"),
        "DE118",
    )
    assert "tender.lot_added" in audit_actions(app)


def test_negative_price_and_bad_cpv_are_refused_and_the_input_kept(app, client, auth, make_tender):
    with app.test_request_context():
        tender_id = make_tender(lots=0).id
    auth.login(LEAD)
    response = submit(
        client, f"/vergaben/{tender_id}/lose/neu", LOT_FORM | {"unit_price": "-5", "cpv_code": "34996000-4"}
    )
    assert response.status_code == 422
    text = page_text(response)
    assert "nicht negativ" in text and "CPV" in text
    assert 'value="Detektoren"' in response.get_data(as_text=True)
    assert count(app, Lot) == 0


def test_unparseable_amount_gets_a_german_error(app, client, auth, make_tender):
    with app.test_request_context():
        tender_id = make_tender(lots=0).id
    auth.login(LEAD)
    response = submit(client, f"/vergaben/{tender_id}/lose/neu", LOT_FORM | {"unit_price": "zwölf"})
    assert response.status_code == 422
    assert "Bitte geben Sie eine Zahl ein" in page_text(response)


def test_lot_is_edited_and_deleted(app, client, auth, make_tender):
    with app.test_request_context():
        tender = make_tender(lots=2)
        tender_id, first, second = tender.id, tender.lots[0].id, tender.lots[1].id
    auth.login(LEAD)
    edited = submit(client, f"/vergaben/{tender_id}/lose/{first}/bearbeiten", LOT_FORM | {"title": "Neu"})
    assert edited.status_code == 302
    assert one(app, Lot, Lot.id == first).title == "Neu"
    deleted = submit(
        client, f"/vergaben/{tender_id}/lose/{second}/loeschen", {}, form_url=f"/vergaben/{tender_id}"
    )
    assert deleted.status_code == 302
    assert count(app, Lot, Lot.tender_id == tender_id) == 1
    assert {"tender.lot_updated", "tender.lot_deleted"} <= set(audit_actions(app))


def test_lots_cannot_change_after_freezing(app, client, auth, make_tender):
    with app.test_request_context():
        tender = make_ready(make_tender())
        tender_id, lot_id = tender.id, tender.lots[0].id
    with time_machine.travel(NOW, tick=False):
        auth.login(LEAD)
        assert client.get(f"/vergaben/{tender_id}/lose/neu").status_code == 302
        added = submit(client, f"/vergaben/{tender_id}/lose/neu", LOT_FORM, form_url=f"/vergaben/{tender_id}")
        deleted = submit(
            client, f"/vergaben/{tender_id}/lose/{lot_id}/loeschen", {}, form_url=f"/vergaben/{tender_id}"
        )
    assert added.status_code == 409 and deleted.status_code == 409
    assert count(app, Lot, Lot.tender_id == tender_id) == 1


def test_lot_of_another_tender_is_not_found(app, client, auth, make_tender):
    with app.test_request_context():
        first = make_tender(lots=1)
        second = make_tender(lots=1)
        first_id, foreign_lot = first.id, second.lots[0].id
    auth.login(LEAD)
    assert client.get(f"/vergaben/{first_id}/lose/{foreign_lot}/bearbeiten").status_code == 404


def test_add_lot_service_refuses_negative_options(app_ctx, make_tender):
    import pytest

    from procurement.errors import DomainError
    from tests.procurement.tenders.conftest import LOT

    tender = make_tender(lots=0)
    from dataclasses import replace

    with pytest.raises(DomainError):
        services.add_lot(user(LEAD), tender, replace(LOT, options_value=Decimal("-1")), NOW)
    db.session.rollback()
    assert count(app_ctx, Lot) == 0
