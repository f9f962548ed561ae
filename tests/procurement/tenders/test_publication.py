"""Publication: the guards (criteria, documents, deadline), the notice, the fixed value, the mail."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from procurement.audit.models import AuditEntry
from procurement.errors import Conflict, PermissionDenied
from procurement.extensions import db
from procurement.mail.models import OutboxMail
from procurement.reference.deadlines import Procedure
from procurement.tenders import services
from procurement.tenders.advisor import earliest_bid_deadline
from procurement.tenders.models import Notice, NoticeKind, Tender
from tests.conftest import audit_actions, count, one, page_text, submit
from tests.procurement.tenders.conftest import LEAD, LEAD_COLLEAGUE, NOW, PARTNER, user
from tests.procurement.tenders.core_support import join, make_ready, make_ready_after_collecting, reread
from workflows.machine import GuardFailed
from workflows.tender import TenderStatus


def test_publishing_fixes_value_threshold_and_time_and_issues_a_notice(app_ctx, make_tender):
    tender = make_ready(make_tender(lots=2))
    services.publish_tender(user(LEAD), tender, NOW)
    db.session.commit()
    tender = reread(tender.id)
    assert tender.status is TenderStatus.published
    assert tender.published_at == NOW
    # 2 lots × 2 units × 9,500.00 EUR
    assert tender.estimated_value == Decimal("38000.00")
    assert tender.threshold_value == Decimal("216000.00")
    assert [n.kind for n in tender.notices] == [NoticeKind.national_notice]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "tender.publish")).one()
    after = json.loads(entry.after)
    assert after["status"] == "published" and after["estimated_value"] == "38000.00"


def test_publication_mails_the_officers_of_joined_participants_but_not_the_publisher(app_ctx, make_tender):
    tender = make_tender()
    services.change_tender_status(user(LEAD), tender, "start_collecting", NOW)
    join(tender, PARTNER, "1")
    make_ready_after_collecting(tender)
    before = {m.id for m in db.session.scalars(select(OutboxMail))}
    services.publish_tender(user(LEAD), tender, NOW)
    db.session.commit()
    mails = [m for m in db.session.scalars(select(OutboxMail)) if m.id not in before]
    assert sorted(m.recipient for m in mails) == sorted([LEAD_COLLEAGUE, PARTNER])
    assert all(m.subject == f"Veröffentlicht: {tender.title}" for m in mails)
    assert all(f"http://localhost/vergaben/{tender.id}" in m.body for m in mails)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"criteria": None}, "100 %"),
        ({"documents": 0}, "Vergabeunterlagen"),
        ({"procedure": None}, "Verfahren"),
    ],
)
def test_publication_is_refused_while_something_is_missing(app_ctx, make_tender, changes, message):
    tender = make_ready(make_tender(), **changes)
    with pytest.raises(GuardFailed) as refused:
        services.publish_tender(user(LEAD), tender, NOW)
    assert message in refused.value.message
    db.session.rollback()
    tender = reread(tender.id)
    assert tender.status is TenderStatus.ready and tender.published_at is None
    assert tender.notices == []


def test_publication_later_than_planned_rechecks_the_eu_deadline_against_the_real_day(app_ctx, make_tender):
    # a value above the threshold: EU procedure, deadline exactly the minimum for today
    tender = make_ready(make_tender(), quantity="30", procedure=None)
    lead = user(LEAD)
    earliest = earliest_bid_deadline(Procedure.eu_open, NOW.date())
    services.choose_procedure(lead, tender, Procedure.eu_open, earliest, False, NOW)
    db.session.commit()
    # two days later the same deadline is too short (§15 VgV)
    with pytest.raises(GuardFailed) as refused:
        services.publish_tender(lead, tender, NOW + timedelta(days=2))
    assert "kürzer als gesetzlich erlaubt" in refused.value.message


def test_national_procedure_is_refused_at_publication_once_the_value_reaches_the_threshold(
    app_ctx, make_tender
):
    tender = make_ready(make_tender())
    # a partner's quantity raised after the choice: 2 + 30 units × 9,500 EUR > 216,000 EUR
    participant = tender.participants[0]
    participant.quantities[0].quantity = Decimal("30")
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        services.publish_tender(user(LEAD), tender, NOW)
    assert "EU-Schwellenwert" in refused.value.message


def test_partner_officer_cannot_publish(app_ctx, make_tender):
    tender = make_ready(make_tender())
    join(tender, PARTNER, "1")
    with pytest.raises(PermissionDenied):
        services.publish_tender(user(PARTNER), tender, NOW)
    db.session.rollback()
    assert reread(tender.id).status is TenderStatus.ready


# --- web ---------------------------------------------------------------------------------------


def test_publish_button_publishes_and_mails(app, client, auth, make_tender, mailbox):
    with app.test_request_context():
        tender = make_tender()
        tender_id = tender.id
        services.change_tender_status(user(LEAD), tender, "start_collecting", NOW)
        join(tender, PARTNER, "1")
        db.session.commit()
        make_ready_after_collecting(tender)
    with time_machine.travel(NOW, tick=False):
        auth.login(LEAD)
        detail = page_text(client.get(f"/vergaben/{tender_id}"))
        assert "Veröffentlichen" in detail
        response = submit(
            client, f"/vergaben/{tender_id}/aktion/publish", {}, form_url=f"/vergaben/{tender_id}"
        )
    assert response.status_code == 302
    assert one(app, Tender, Tender.id == tender_id).status is TenderStatus.published
    assert "tender.publish" in audit_actions(app)
    assert [m["Subject"] for m in mailbox.to(PARTNER)][-1:] == [
        "Veröffentlicht: Adaptive Ampelsteuerung für drei Kommunen"
    ]


def test_double_submit_of_publish_gives_409_not_500(app, client, auth, make_tender):
    with app.test_request_context():
        tender_id = make_ready(make_tender()).id
    with time_machine.travel(NOW, tick=False):
        auth.login(LEAD)
        url = f"/vergaben/{tender_id}/aktion/publish"
        first = submit(client, url, {}, form_url=f"/vergaben/{tender_id}")
        second = submit(client, url, {}, form_url=f"/vergaben/{tender_id}")
    assert first.status_code == 302
    assert second.status_code == 409
    assert "nicht möglich" in page_text(second)
    assert count(app, Notice) == 1
    assert audit_actions(app).count("tender.publish") == 1


def test_publish_without_documents_shows_the_guard_message_with_409(app, client, auth, make_tender):
    with app.test_request_context():
        tender_id = make_ready(make_tender(), documents=0).id
    with time_machine.travel(NOW, tick=False):
        auth.login(LEAD)
        page = page_text(client.get(f"/vergaben/{tender_id}"))
        assert "Ohne Vergabeunterlagen kann nicht veröffentlicht werden." in page
        response = submit(
            client, f"/vergaben/{tender_id}/aktion/publish", {}, form_url=f"/vergaben/{tender_id}"
        )
    assert response.status_code == 409
    assert "Ohne Vergabeunterlagen kann nicht veröffentlicht werden." in page_text(response)
    assert one(app, Tender, Tender.id == tender_id).status is TenderStatus.ready
    assert count(app, Notice) == 0


def test_publish_without_criteria_gives_409_with_the_guard_message(app, client, auth, make_tender):
    with app.test_request_context():
        tender_id = make_ready(make_tender(), criteria=None).id
    with time_machine.travel(NOW, tick=False):
        auth.login(LEAD)
        response = submit(
            client, f"/vergaben/{tender_id}/aktion/publish", {}, form_url=f"/vergaben/{tender_id}"
        )
    assert response.status_code == 409
    assert "100 % ergeben (§58 VgV)" in page_text(response)
    assert one(app, Tender, Tender.id == tender_id).status is TenderStatus.ready


def test_publish_requires_a_csrf_token(app, client, auth, make_tender):
    with app.test_request_context():
        tender_id = make_ready(make_tender()).id
    auth.login(LEAD)
    response = client.post(f"/vergaben/{tender_id}/aktion/publish")
    assert response.status_code == 400
    assert one(app, Tender, Tender.id == tender_id).status is TenderStatus.ready
