"""Audit grants: the lead's officers grant and revoke other organisations' auditors access."""

from __future__ import annotations

from sqlalchemy import select

from procurement.audit.models import AuditEntry
from procurement.awards.permissions import can_audit_award
from procurement.extensions import db
from procurement.records.models import AuditGrant
from procurement.tenders.models import Tender
from tests.conftest import CSRF_RE, audit_actions, count, page_text, submit
from tests.procurement.records.test_workspace_support import (
    KZ_AUDITOR,
    LEAD_AUDITOR,
    PARTNER_AUDITOR,
    THIRD_AUDITOR,
    add_auditors,
    organisation_id,
)
from tests.procurement.tenders.conftest import LEAD, LEAD_COLLEAGUE, PARTNER, THIRD, VENDOR, user


def grants_url(tender_id: int) -> str:
    return f"/vergaben/{tender_id}/pruefrechte"


def test_the_lead_offers_only_organisations_with_auditors_and_no_access_by_right(app, closed, auth, client):
    add_auditors(app)
    auth.login(LEAD)
    response = client.get(grants_url(closed.tender_id))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    options = dict(
        (int(value), name)
        for value, name in __import__("re").findall(r'<option[^>]*value="(\d+)"[^>]*>([^<]+)</option>', html)
    )
    assert set(options) == {organisation_id(app, THIRD), organisation_id(app, KZ_AUDITOR)}
    assert "Noch keine Prüfrechte erteilt." in page_text(response)


def test_granting_and_revoking_is_audited_and_the_revoked_grant_stays_listed(app, closed, auth, client):
    add_auditors(app)
    nordhafen = organisation_id(app, THIRD)
    auth.login(LEAD)
    response = submit(client, grants_url(closed.tender_id), {"grant-organisation_id": nordhafen})
    assert response.status_code == 302
    with app.app_context():
        grant = db.session.scalars(select(AuditGrant)).one()
        assert (grant.tender_id, grant.organisation_id, grant.revoked_at) == (
            closed.tender_id,
            nordhafen,
            None,
        )
        assert grant.granted_by_id == user(LEAD).id
        grant_id = grant.id
        assert can_audit_award(user(THIRD_AUDITOR), db.session.get(Tender, closed.tender_id))
    assert audit_actions(app)[-1] == "record.audit_granted"
    text = page_text(client.get(grants_url(closed.tender_id)))
    assert "Oskar Vergabe" in text and "erteilt" in text
    # the granted auditor reads the evaluation (the awards' rule counts grants)
    auth.logout()
    auth.login(THIRD_AUDITOR)
    assert client.get(f"/vergaben/{closed.tender_id}/wertung").status_code == 200
    auth.logout()

    auth.login(LEAD_COLLEAGUE)  # any officer of the lead revokes
    response = submit(client, grants_url(closed.tender_id), {f"revoke{grant_id}-grant_id": grant_id})
    assert response.status_code == 302
    with app.app_context():
        grant = db.session.get(AuditGrant, grant_id)
        assert grant.revoked_at is not None and grant.revoked_by_id == user(LEAD_COLLEAGUE).id
        assert not can_audit_award(user(THIRD_AUDITOR), db.session.get(Tender, closed.tender_id))
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
        assert entry.action == "record.audit_revoked" and f'"grant_id":{grant_id}' in entry.after
    text = page_text(client.get(grants_url(closed.tender_id)))
    assert "entzogen am" in text and "Olga Öffner" in text
    # revoking twice is refused; granting again reactivates the one row
    response = submit(client, grants_url(closed.tender_id), {f"revoke{grant_id}-grant_id": grant_id})
    assert response.status_code == 409
    response = submit(client, grants_url(closed.tender_id), {"grant-organisation_id": nordhafen})
    assert response.status_code == 302
    assert count(app, AuditGrant) == 1
    with app.app_context():
        assert db.session.get(AuditGrant, grant_id).active


def test_only_the_leads_officers_manage_grants(app, closed, auth, client):
    add_auditors(app)
    url = grants_url(closed.tender_id)
    nordhafen = organisation_id(app, THIRD)
    assert client.get(url).status_code == 302  # anonymous: to the login
    expected = {
        PARTNER: 403,  # the participant's officer sees the tender, not its grants
        LEAD_AUDITOR: 403,  # reads the record, never changes anything
        PARTNER_AUDITOR: 403,
        THIRD: 404,  # knows nothing of the tender
        THIRD_AUDITOR: 404,
        VENDOR: 404,  # a vendor has no part in the internal pages of a tender
    }
    for email, status in expected.items():
        auth.login(email)
        assert client.get(url).status_code == status, email
        token = CSRF_RE.search(client.get("/").get_data(as_text=True)).group(1)
        response = client.post(url, data={"csrf_token": token, "grant-organisation_id": nordhafen})
        assert response.status_code == status, email
        auth.logout()
    assert count(app, AuditGrant) == 0


def test_a_grant_without_csrf_token_or_for_an_organisation_not_offered_is_refused(app, closed, auth, client):
    add_auditors(app)
    auth.login(LEAD)
    url = grants_url(closed.tender_id)
    nordhafen = organisation_id(app, THIRD)
    assert client.post(url, data={"grant-organisation_id": nordhafen}).status_code == 400
    # Birkenfelde takes part: its auditors read by right, a grant is not offered
    response = submit(client, url, {"grant-organisation_id": organisation_id(app, PARTNER)})
    assert response.status_code == 422
    vendor_org = organisation_id(app, VENDOR)
    assert submit(client, url, {"grant-organisation_id": vendor_org}).status_code == 422
    assert count(app, AuditGrant) == 0
    assert "record.audit_granted" not in audit_actions(app)


def test_the_tender_page_links_the_grants_only_for_those_who_may_grant(app, closed, auth, client):
    """The lead's officers find the grants in the tender page's Vergabeakte section; the joined
    partner's officer sees the tender page without it."""
    link = f'href="{grants_url(closed.tender_id)}"'
    auth.login(LEAD)
    response = client.get(f"/vergaben/{closed.tender_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert link in html
    assert "Prüfrechte für die Rechnungsprüfung anderer Organisationen" in page_text(response)
    assert client.get(grants_url(closed.tender_id)).status_code == 200
    auth.logout()
    auth.login(PARTNER)
    response = client.get(f"/vergaben/{closed.tender_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert link not in html
    assert client.get(grants_url(closed.tender_id)).status_code == 403
