"""The shared fixture: a procedure closed through the services, with contracts per participant."""

from __future__ import annotations

from sqlalchemy import func, select

from procurement.awards.models import Contract, InformationLetter
from procurement.extensions import db


def test_the_closed_procedure_has_letters_and_contracts(app, closed):
    with app.app_context():
        contracts = db.session.scalar(
            select(func.count()).select_from(Contract).where(Contract.tender_id == closed.tender_id)
        )
        letters = db.session.scalar(select(func.count()).select_from(InformationLetter))
    assert contracts == 4  # Talheim and Birkenfelde, two lots each
    assert letters == 3  # lot 1: two losers, lot 2: one
