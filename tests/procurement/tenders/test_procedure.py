"""Value and procedure advisor: allowed procedures, §15 VgV minimum deadline, UVgO warning."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from procurement.errors import Conflict, DomainError
from procurement.extensions import db
from procurement.reference.deadlines import Procedure
from procurement.tenders import services
from procurement.tenders.advisor import earliest_bid_deadline
from procurement.tenders.models import Tender
from tests.conftest import audit_actions, one, page_text, submit
from tests.procurement.tenders.conftest import LEAD, NOW, user
from tests.procurement.tenders.core_support import join, make_ready, reread


def _collecting(make_tender, quantity: str) -> Tender:
    tender = make_tender()
    services.change_tender_status(user(LEAD), tender, "start_collecting", NOW)
    join(tender, LEAD, quantity)
    db.session.commit()
    return tender


def test_eu_deadline_shorter_than_section_15_is_refused_with_the_earliest_date(app_ctx, make_tender):
    tender = _collecting(make_tender, "30")  # 285,000 EUR: EU procedure
    earliest = earliest_bid_deadline(Procedure.eu_open, NOW.date())
    with pytest.raises(DomainError) as refused:
        services.choose_procedure(
            user(LEAD), tender, Procedure.eu_open, earliest - timedelta(minutes=1), False, NOW
        )
    assert "§15" in str(refused.value) and "26.12.26" in str(refused.value)
    db.session.rollback()
    assert reread(tender.id).procedure is None


def test_eu_deadline_at_the_minimum_is_accepted_and_audited(app_ctx, make_tender):
    tender = _collecting(make_tender, "30")
    earliest = earliest_bid_deadline(Procedure.eu_open, NOW.date())
    warning = services.choose_procedure(user(LEAD), tender, Procedure.eu_open, earliest, False, NOW)
    db.session.commit()
    assert warning is None
    tender = reread(tender.id)
    assert tender.procedure is Procedure.eu_open and tender.bid_deadline == earliest
    assert "tender.procedure_chosen" in audit_actions(app_ctx)


def test_national_procedure_is_refused_at_or_above_the_threshold(app_ctx, make_tender):
    tender = _collecting(make_tender, "30")
    with pytest.raises(DomainError, match="EU-Schwellenwert"):
        services.choose_procedure(
            user(LEAD), tender, Procedure.national_open, NOW + timedelta(days=40), False, NOW
        )


def test_short_national_deadline_is_only_a_warning(app_ctx, make_tender):
    tender = _collecting(make_tender, "2")
    warning = services.choose_procedure(
        user(LEAD), tender, Procedure.national_open, NOW + timedelta(days=5), False, NOW
    )
    assert warning is not None and "10 Tage" in warning
    assert reread(tender.id).procedure is Procedure.national_open


def test_small_lots_option_only_when_advised(app_ctx, make_tender):
    tender = _collecting(make_tender, "2")
    with pytest.raises(DomainError, match="Kleinlosregel"):
        services.choose_procedure(
            user(LEAD), tender, Procedure.national_open, NOW + timedelta(days=20), True, NOW
        )


def test_deadline_in_the_past_is_refused(app_ctx, make_tender):
    tender = _collecting(make_tender, "2")
    with pytest.raises(DomainError, match="Zukunft"):
        services.choose_procedure(
            user(LEAD), tender, Procedure.national_open, NOW - timedelta(hours=1), False, NOW
        )


def test_procedure_cannot_change_after_publication(app_ctx, make_tender):
    tender = make_ready(make_tender())
    services.publish_tender(user(LEAD), tender, NOW)
    with pytest.raises(Conflict):
        services.choose_procedure(user(LEAD), tender, Procedure.eu_open, NOW + timedelta(days=60), False, NOW)


# --- web ---------------------------------------------------------------------------------------


def test_advisor_page_explains_with_sources_and_offers_only_eu_above_threshold(
    app, client, auth, make_tender
):
    with app.test_request_context():
        tender_id = _collecting(make_tender, "30").id
    with time_machine.travel(NOW, tick=False):
        auth.login(LEAD)
        response = client.get(f"/vergaben/{tender_id}/verfahren")
    text = page_text(response)
    assert response.status_code == 200
    assert "285.000,00" in text and "216.000,00" in text
    assert "§106 GWB" in text and "§15 Abs. 2 und 4 VgV" in text
    html = response.get_data(as_text=True)
    assert 'value="eu_open"' in html and 'value="national_open"' not in html


def test_advisor_form_converts_berlin_time_and_refuses_a_too_short_eu_deadline(
    app, client, auth, make_tender
):
    with app.test_request_context():
        tender_id = _collecting(make_tender, "30").id
    url = f"/vergaben/{tender_id}/verfahren"
    with time_machine.travel(NOW, tick=False):
        auth.login(LEAD)
        short = submit(
            client, url, {"procedure": "eu_open", "deadline_date": "20.12.2026", "deadline_time": "12:00"}
        )
        assert short.status_code == 422
        assert "zu kurz" in page_text(short)
        ok = submit(
            client, url, {"procedure": "eu_open", "deadline_date": "2027-01-05", "deadline_time": "12:00"}
        )
    assert ok.status_code == 302
    tender = one(app, Tender, Tender.id == tender_id)
    assert tender.bid_deadline.isoformat() == "2027-01-05T11:00:00+00:00"  # CET = UTC+1


def test_advisor_form_refuses_national_procedure_above_threshold_even_if_posted(
    app, client, auth, make_tender
):
    with app.test_request_context():
        tender_id = _collecting(make_tender, "30").id
    with time_machine.travel(NOW, tick=False):
        auth.login(LEAD)
        response = submit(
            client,
            f"/vergaben/{tender_id}/verfahren",
            {"procedure": "national_open", "deadline_date": "2027-01-05", "deadline_time": "12:00"},
        )
    assert response.status_code == 422
    assert one(app, Tender, Tender.id == tender_id).procedure is None
