"""The tender follows its lots' awards; a lot nobody ordered does not hold it in ``awarded``."""

from __future__ import annotations

from procurement.awards.services import sync_tender
from procurement.extensions import db
from procurement.tenders.models import Tender
from tests.procurement.awards.test_contracts import FINAL_AT, conclude, put_final, set_quantity
from tests.procurement.tenders.conftest import LEAD, PARTNER, user
from workflows.tender import TenderStatus


def _sync(app, tender_id: int) -> TenderStatus:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        tender = db.session.get(Tender, tender_id)
        sync_tender(user(LEAD), tender, FINAL_AT)
        db.session.commit()
        return tender.status


def test_the_tender_is_contracted_once_every_final_lot_has_its_contracts(app, opened):
    awards = put_final(app, opened)
    conclude(app, [awards[1]])
    assert _sync(app, opened.tender_id) is TenderStatus.awarded  # lot 2 has no contracts yet
    conclude(app, [awards[2]])
    assert _sync(app, opened.tender_id) is TenderStatus.contracted


def test_a_lot_without_any_ordered_quantity_needs_no_contract(app, opened):
    awards = put_final(app, opened)
    for email in (LEAD, PARTNER):
        set_quantity(app, opened.tender_id, email, opened.lots[2], "0")
    conclude(app, [awards[1]])
    assert conclude(app, [awards[2]]) == []  # nothing to contract for lot 2
    assert _sync(app, opened.tender_id) is TenderStatus.contracted
