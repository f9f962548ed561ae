"""Aufhebung (§63 VgV): a legal reason, an explanation, needs unbundled, everyone told."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from procurement.errors import DomainError, PermissionDenied
from procurement.extensions import db
from procurement.mail.models import OutboxMail
from procurement.needs.models import Need
from procurement.tenders import services
from procurement.tenders.models import CancellationReason, DocumentDownload, Question, Tender
from tests.conftest import audit_actions, one, page_text, submit
from tests.procurement.tenders.conftest import LEAD, LEAD_COLLEAGUE, NOW, OTHER_VENDOR, PARTNER, VENDOR, user
from tests.procurement.tenders.core_support import join, make_ready_after_collecting, reread
from workflows.machine import InvalidTransition
from workflows.need import NeedStatus
from workflows.tender import TenderStatus

REASON = CancellationReason.fundamental_change
TEXT = "Der Kreistag hat die Mittel gestrichen."


def _bundled_need(tender: Tender) -> Need:
    need = Need(
        organisation_id=tender.lead_organisation_id,
        status=NeedStatus.bundled,
        title="Ampelsteuerung",
        description="Bedarf",
        cpv_code="34996000-5",
        cpv_group="34996",
        quantity=Decimal(2),
        unit="Stück",
        estimated_value=Decimal("19000"),
        delivery_from=date(2027, 1, 1),
        delivery_until=date(2027, 12, 31),
        nuts_code="DE118",
    )
    db.session.add(need)
    db.session.flush()
    tender.needs.append(need)
    db.session.flush()
    return need


def _new_mail() -> list[OutboxMail]:
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.subject.startswith("Aufgehoben"))))


def test_cancelling_a_draft_unbundles_its_needs_and_audits(app_ctx, make_tender):
    tender = make_tender()
    need = _bundled_need(tender)
    services.cancel_tender(user(LEAD), tender, REASON, TEXT, NOW)
    db.session.commit()
    tender = reread(tender.id)
    assert tender.status is TenderStatus.cancelled
    assert (tender.cancellation_reason, tender.cancellation_text, tender.cancelled_at) == (REASON, TEXT, NOW)
    assert db.session.get(Need, need.id).status is NeedStatus.open
    actions = audit_actions(app_ctx)
    assert "tender.cancel" in actions and "need.unbundled" in actions


def test_cancelling_a_published_tender_mails_participants_downloaders_and_askers(app_ctx, make_tender):
    tender = make_tender()
    services.change_tender_status(user(LEAD), tender, "start_collecting", NOW)
    join(tender, PARTNER, "1")
    make_ready_after_collecting(tender)
    services.publish_tender(user(LEAD), tender, NOW)
    vendor, other = user(VENDOR), user(OTHER_VENDOR)
    db.session.add(
        DocumentDownload(tender_id=tender.id, user_id=vendor.id, organisation_id=vendor.organisation_id)
    )
    db.session.add(
        Question(
            tender_id=tender.id,
            number=1,
            asked_by_id=other.id,
            organisation_id=other.organisation_id,
            text="?",
        )
    )
    db.session.commit()
    services.cancel_tender(user(LEAD), tender, REASON, TEXT, NOW + timedelta(days=1))
    db.session.commit()
    mails = _new_mail()
    assert sorted(m.recipient for m in mails) == sorted([LEAD_COLLEAGUE, PARTNER, VENDOR, OTHER_VENDOR])
    assert all(TEXT in m.body and "§ 63 Abs. 1 Satz 1 Nr. 2 VgV" in m.body for m in mails)


def test_cancelling_an_unpublished_tender_does_not_mail_vendors(app_ctx, make_tender):
    tender = make_tender()
    vendor = user(VENDOR)
    db.session.add(
        DocumentDownload(tender_id=tender.id, user_id=vendor.id, organisation_id=vendor.organisation_id)
    )
    services.cancel_tender(user(LEAD), tender, REASON, TEXT, NOW)
    # the lead's other officer is told; vendors never heard of an unpublished tender
    assert [m.recipient for m in _new_mail()] == [LEAD_COLLEAGUE]


@pytest.mark.parametrize("text", ["", "   "])
def test_cancellation_needs_an_explanation(app_ctx, make_tender, text):
    tender = make_tender()
    with pytest.raises(DomainError, match="begründen"):
        services.cancel_tender(user(LEAD), tender, REASON, text, NOW)
    db.session.rollback()
    assert reread(tender.id).status is TenderStatus.draft


def test_partner_cannot_cancel(app_ctx, make_tender):
    tender = make_tender()
    join(tender, PARTNER, "1")
    with pytest.raises(PermissionDenied):
        services.cancel_tender(user(PARTNER), tender, REASON, TEXT, NOW)


def test_cancellation_is_refused_after_the_award(app_ctx, make_tender):
    tender = make_tender()
    tender.status = TenderStatus.awarded  # later issues move it there; set directly here
    db.session.commit()
    with pytest.raises(InvalidTransition):
        services.cancel_tender(user(LEAD), tender, REASON, TEXT, NOW)
    db.session.rollback()
    assert reread(tender.id).cancelled_at is None


def test_cancel_page_cancels_with_reason_and_confirmation(app, client, auth, make_tender, mailbox):
    with app.test_request_context():
        tender = make_tender()
        join(tender, PARTNER, "1")
        db.session.commit()
        tender_id = tender.id
    url = f"/vergaben/{tender_id}/aufheben"
    with time_machine.travel(NOW, tick=False):
        auth.login(LEAD)
        page = page_text(client.get(url))
        assert "§ 63 Abs. 1 Satz 1 Nr. 4 VgV" in page
        unconfirmed = submit(client, url, {"reason": REASON.value, "text": TEXT})
        assert unconfirmed.status_code == 422
        assert "bestätigen" in page_text(unconfirmed)
        done = submit(client, url, {"reason": REASON.value, "text": TEXT, "confirm": "y"})
    assert done.status_code == 302
    assert one(app, Tender, Tender.id == tender_id).status is TenderStatus.cancelled
    assert [m["Subject"] for m in mailbox.to(PARTNER)] == [
        "Aufgehoben: Adaptive Ampelsteuerung für drei Kommunen"
    ]


def test_cancel_page_of_a_cancelled_tender_is_409(app, client, auth, make_tender):
    with app.test_request_context():
        tender = make_tender()
        services.cancel_tender(user(LEAD), tender, REASON, TEXT, NOW)
        db.session.commit()
        tender_id = tender.id
    with time_machine.travel(NOW, tick=False):
        auth.login(LEAD)
        assert client.get(f"/vergaben/{tender_id}/aufheben").status_code == 409
