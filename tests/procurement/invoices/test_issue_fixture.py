"""The shared invoice fixture: three municipalities' contracts of one final award, and more on request."""

from __future__ import annotations

from decimal import Decimal

from procurement.awards.models import Contract
from procurement.extensions import db
from tests.procurement.invoices.conftest import BUYER, PARTNER, THIRD, VENDOR, user
from xrechnung import validate_leitweg_id


def test_the_award_has_one_contract_per_municipality_with_a_valid_leitweg_id(app, awarded):
    with app.app_context():
        contracts = [db.session.get(Contract, awarded.contracts[email]) for email in (BUYER, PARTNER, THIRD)]
        assert [c.buyer_name for c in contracts] == [
            "Stadt Talheim an der Lauter",
            "Gemeinde Birkenfelde",
            "Stadt Nordhafen",
        ]
        assert {c.award_id for c in contracts} == {awarded.award_id}
        assert all(validate_leitweg_id(c.leitweg_id) == c.leitweg_id for c in contracts)
        assert all(c.vendor_organisation_id == user(VENDOR).organisation_id for c in contracts)
        assert contracts[0].net_value == Decimal("32000.00")


def test_extra_municipalities_get_contracts_and_officers(app, make_award):
    made = make_award(extra=30)
    assert len(made.contracts) == 33
    with app.app_context():
        leitweg_ids = {db.session.get(Contract, cid).leitweg_id for cid in made.contracts.values()}
        assert len(leitweg_ids) == 33
        assert all(validate_leitweg_id(value) == value for value in leitweg_ids)
