"""The auditor's workspace: which closed procedures an auditor lists, the filters, sorting, pages."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from procurement.extensions import db
from procurement.records import grants as grant_service
from procurement.records.models import AuditGrant
from procurement.records.permissions import can_audit
from procurement.records.workspace import Filters, SortKey, ValueBasis, workspace_page
from procurement.tenders.models import Tender
from tests.conftest import page_text, submit
from tests.procurement.records.test_workspace_support import (
    KZ_AUDITOR,
    LEAD_AUDITOR,
    PARTNER_AUDITOR,
    THIRD_AUDITOR,
    add_auditors,
    cancelled_tender,
)
from tests.procurement.tenders.conftest import LEAD, PARTNER, user

GRANTED_AT = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


def listed(app, email: str, **filters) -> list[int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        page = workspace_page(user(email), Filters(**filters))
        return [row.tender.id for row in page.rows]


def test_auditors_of_the_lead_and_the_participant_list_the_closed_procedure(app, closed, auth, client):
    add_auditors(app)
    assert listed(app, LEAD_AUDITOR) == [closed.tender_id]
    assert listed(app, PARTNER_AUDITOR) == [closed.tender_id]
    auth.login(PARTNER_AUDITOR)
    response = client.get("/pruefung")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    text = page_text(response)
    assert "1 Vergabe" in text and "Adaptive Ampelsteuerung" in text and "teilnehmend" in text
    assert f'href="/vergaben/{closed.tender_id}/akte"' in response.get_data(as_text=True)
    assert "49.200,50" in text  # the winning bids: 48,000.00 + 1,200.50


def test_an_auditor_of_another_municipality_sees_nothing_without_a_grant(app, closed, auth, client):
    add_auditors(app)
    assert listed(app, THIRD_AUDITOR) == []
    assert listed(app, KZ_AUDITOR) == []
    auth.login(THIRD_AUDITOR)
    assert "Keine Vergabe passt" in page_text(client.get("/pruefung"))


def test_a_grant_lists_the_procedure_and_a_revocation_removes_it(app, closed):
    add_auditors(app)
    with app.test_request_context():
        tender = db.session.get(Tender, closed.tender_id)
        organisation = user(THIRD_AUDITOR).organisation
        grant = grant_service.grant_audit(user(LEAD), tender, organisation, GRANTED_AT)
        db.session.commit()
        grant_id = grant.id
    assert listed(app, THIRD_AUDITOR) == [closed.tender_id]
    assert listed(app, KZ_AUDITOR) == []  # the grant is for Nordhafen only
    with app.test_request_context():
        tender = db.session.get(Tender, closed.tender_id)
        grant_service.revoke_audit(user(LEAD), tender, db.session.get(AuditGrant, grant_id), GRANTED_AT)
        db.session.commit()
        assert not can_audit(user(THIRD_AUDITOR), tender)
    assert listed(app, THIRD_AUDITOR) == []


def test_nothing_is_listed_before_the_award(app, opened):
    """The tender is in evaluation: bids opened, no Zuschlag yet; a grant does not change that."""
    add_auditors(app)
    with app.test_request_context():
        tender = db.session.get(Tender, opened.tender_id)
        grant_service.grant_audit(user(LEAD), tender, user(THIRD_AUDITOR).organisation, GRANTED_AT)
        db.session.commit()
        assert not can_audit(user(LEAD_AUDITOR), tender)
        assert not can_audit(user(THIRD_AUDITOR), tender)
    for email in (LEAD_AUDITOR, PARTNER_AUDITOR, THIRD_AUDITOR):
        assert listed(app, email) == []


def test_officers_and_vendors_have_no_workspace(app, closed, auth, client):
    assert client.get("/pruefung").status_code == 302  # to the login
    for email in (LEAD, PARTNER, "angebot@verkehrstechnik-sued.example"):
        auth.login(email)
        assert client.get("/pruefung").status_code == 403
        auth.logout()


@pytest.fixture
def two_procedures(app, closed, public_tender):  # type: ignore[no-untyped-def]
    """The closed procedure (national, CPV 34996000-5, Zuschlag in January 2027) and a cancelled
    EU procedure (CPV 48000000-8, cancelled in December 2026)."""
    add_auditors(app)
    return closed.tender_id, cancelled_tender(app, public_tender)


def test_filters_by_year_status_procedure_and_cpv(app, two_procedures):
    closed_id, cancelled_id = two_procedures
    assert sorted(listed(app, LEAD_AUDITOR)) == sorted([closed_id, cancelled_id])
    assert listed(app, LEAD_AUDITOR, year=2027) == [closed_id]
    assert listed(app, LEAD_AUDITOR, year=2026) == [cancelled_id]
    assert listed(app, LEAD_AUDITOR, year=2025) == []
    from workflows.tender import TenderStatus

    assert listed(app, LEAD_AUDITOR, status=TenderStatus.cancelled) == [cancelled_id]
    assert listed(app, LEAD_AUDITOR, status=TenderStatus.contracted) == [closed_id]
    assert listed(app, LEAD_AUDITOR, status=TenderStatus.closed) == []
    from procurement.reference.deadlines import Procedure

    assert listed(app, LEAD_AUDITOR, procedure=Procedure.eu_open) == [cancelled_id]
    assert listed(app, LEAD_AUDITOR, procedure=Procedure.national_open) == [closed_id]
    assert listed(app, LEAD_AUDITOR, cpv="3499") == [closed_id]
    assert listed(app, LEAD_AUDITOR, cpv="48000000-8") == [cancelled_id]
    assert listed(app, LEAD_AUDITOR, cpv="9") == []


def test_filters_by_awarded_or_estimated_value(app, two_procedures):
    closed_id, cancelled_id = two_procedures
    awarded = {"value_basis": ValueBasis.awarded}
    assert listed(app, LEAD_AUDITOR, value_min=Decimal("49200.50"), **awarded) == [closed_id]
    assert listed(app, LEAD_AUDITOR, value_min=Decimal("49200.51"), **awarded) == []
    assert listed(app, LEAD_AUDITOR, value_max=Decimal("49200.50"), **awarded) == [closed_id]
    assert listed(app, LEAD_AUDITOR, value_max=Decimal("49200.49"), **awarded) == []
    # neither has an estimate (the fixture skips the freezing): a value filter on it finds none
    assert listed(app, LEAD_AUDITOR, value_min=Decimal(0), value_basis=ValueBasis.estimated) == []
    with app.app_context():
        db.session.get(Tender, cancelled_id).estimated_value = Decimal("300000.00")
        db.session.commit()
    estimated = {"value_basis": ValueBasis.estimated}
    assert listed(app, LEAD_AUDITOR, value_min=Decimal("250000"), **estimated) == [cancelled_id]


def test_sorting_and_pages(app, two_procedures):
    closed_id, cancelled_id = two_procedures
    assert listed(app, LEAD_AUDITOR, sort=SortKey.date_desc) == [closed_id, cancelled_id]
    assert listed(app, LEAD_AUDITOR, sort=SortKey.date_asc) == [cancelled_id, closed_id]
    assert listed(app, LEAD_AUDITOR, sort=SortKey.title) == [closed_id, cancelled_id]  # A before V
    assert listed(app, LEAD_AUDITOR, sort=SortKey.value_asc) == [closed_id, cancelled_id]  # no value last
    with app.app_context():
        first = workspace_page(user(LEAD_AUDITOR), Filters(page=1), page_size=1)
        second = workspace_page(user(LEAD_AUDITOR), Filters(page=2), page_size=1)
        beyond = workspace_page(user(LEAD_AUDITOR), Filters(page=9), page_size=1)
    assert (first.total, first.pages, [r.tender.id for r in first.rows]) == (2, 2, [closed_id])
    assert [r.tender.id for r in second.rows] == [cancelled_id]
    assert beyond.page == 2  # a page past the end shows the last one
    assert first.years == [2027, 2026]


def test_the_page_filters_from_the_query_string(app, two_procedures, auth, client):
    closed_id, cancelled_id = two_procedures
    auth.login(LEAD_AUDITOR)
    text = page_text(client.get("/pruefung?jahr=2026&status=cancelled"))
    assert "1 Vergabe" in text and "Verkehrsrechner-Software" in text and "aufgehoben" in text
    assert "Adaptive Ampelsteuerung" not in text
    text = page_text(client.get("/pruefung?verfahren=national_open&cpv=3499&wert_min=49000&wert_max=50000"))
    assert "1 Vergabe" in text and "Adaptive Ampelsteuerung" in text
    # a malformed field is named and left out; the rest still filters
    response = client.get("/pruefung?cpv=abc&jahr=2026")
    text = page_text(response)
    assert response.status_code == 200
    assert "Nur Ziffern des CPV-Codes." in text and "1 Vergabe" in text


def test_value_filters_take_amounts_as_people_type_them(app, two_procedures, auth, client):
    """The awarded value is 49.200,50 EUR: a cent above finds nothing, in German and English."""
    auth.login(LEAD_AUDITOR)
    closed_title = "Adaptive Ampelsteuerung"

    def shown(query: str) -> str:
        response = client.get("/pruefung", query_string=query)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert closed_title in shown("wert_min=49.200,50")
    assert closed_title not in shown("wert_min=49.200,51")
    assert closed_title in shown("wert_max=49.200,50 €")
    assert closed_title not in shown("wert_max=49.200,49")
    assert closed_title in shown("wert_min=49200,5")
    html = shown("wert_min=49.200,51&wert_max=50.000")
    assert closed_title not in html
    # a text field with the decimal keyboard (no browser number field), keeping what was typed
    assert 'inputmode="decimal"' in html and 'type="number"' not in html
    assert 'value="49.200,51"' in html and 'value="50.000"' in html
    # a malformed amount is named and left out; the other filters still apply
    html = shown("wert_min=viel&jahr=2026")
    assert "Bitte geben Sie eine Zahl ein" in html and "Verkehrsrechner-Software" in html
    submit(client, "/language", {"language": "en", "next": "/pruefung"}, form_url="/")
    assert closed_title in shown("wert_min=49,200.50")
    assert closed_title not in shown("wert_min=49,200.51")
    assert closed_title in shown("wert_max=49200.50")
