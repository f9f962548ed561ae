"""Inviting the owners of matching needs to a joint tender, and answering the invitation."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from procurement.audit.models import AuditEntry
from procurement.database import utcnow
from procurement.errors import Conflict
from procurement.extensions import db
from procurement.needs import services
from procurement.needs.models import InvitationRecipient, JointTenderInvitation, Need, RecipientResponse
from tests.conftest import audit_actions, count, one, page_text, submit
from tests.procurement.needs.conftest import (
    BIRKENFELDE_OFFICER,
    NORDHAFEN_OFFICER,
    TALHEIM_OFFICER,
    TALHEIM_REQUESTER,
    VENDOR,
    user,
)


@pytest.fixture
def matching(make_need):  # type: ignore[no-untyped-def]
    """Open needs of three municipalities, same CPV group, overlapping periods: 266,000 EUR."""
    return {
        "talheim": make_need(
            TALHEIM_REQUESTER, open=True, title="Verkehrsrechner Talheim", value="108000.00"
        ),
        "birkenfelde": make_need(
            BIRKENFELDE_OFFICER,
            open=True,
            title="Signalanlagen Birkenfelde",
            value="108000.00",
            starts_in=120,
        ),
        "nordhafen": make_need(
            NORDHAFEN_OFFICER, open=True, title="Ampelsteuerung Nordhafen", value="50000.00", starts_in=60
        ),
    }


def proposal_url(client) -> str:  # type: ignore[no-untyped-def]
    html = client.get("/dashboard").get_data(as_text=True)
    match = re.search(r'href="(/needs/proposals/[^"]+)"', html)
    assert match, "no proposal on the dashboard"
    return match.group(1)


def invite(client, url, need_ids, message="Wollen wir gemeinsam ausschreiben?"):  # type: ignore[no-untyped-def]
    return submit(client, url, {"need_ids": [str(i) for i in need_ids], "message": message})


def test_officer_invites_the_matching_municipalities_and_their_officers_get_mail(
    app, client, demo, auth, mailbox, matching
):
    auth.login(TALHEIM_OFFICER)
    url = proposal_url(client)
    page = client.get(url)
    assert "3 Kommunen brauchen etwas Ähnliches" in page_text(page)
    response = invite(client, url, matching.values())
    assert response.status_code == 302
    invitation = one(app, JointTenderInvitation)
    assert response.headers["Location"] == f"/needs/invitations/{invitation.id}"
    assert invitation.total_estimated_value == Decimal("266000.00")
    assert invitation.cpv_group == "34996"
    assert invitation.message == "Wollen wir gemeinsam ausschreiben?"
    with app.app_context():
        recipients = {
            r.need_id: r.response
            for r in db.session.scalars(db.select(InvitationRecipient).order_by(InvitationRecipient.id))
        }
    assert recipients == {
        matching["talheim"]: RecipientResponse.accepted,  # the inviting municipality takes part
        matching["birkenfelde"]: RecipientResponse.pending,
        matching["nordhafen"]: RecipientResponse.pending,
    }
    entry = one(app, AuditEntry, AuditEntry.action == "joint_tender_invitation.sent")
    assert entry.actor_email == TALHEIM_OFFICER
    assert json.loads(entry.after)["need_ids"] == sorted(matching.values())
    assert json.loads(entry.after)["total_estimated_value"] == "266000.00"

    [mail] = mailbox.to(BIRKENFELDE_OFFICER)
    assert mail["Subject"] == "Einladung zur gemeinsamen Ausschreibung von Stadt Talheim an der Lauter"
    body = mail.get_content()
    assert "Signalanlagen Birkenfelde" in body and "Verkehrsrechner Talheim" not in body
    assert "266.000,00" in body and "216.000,00" in body and "EU-weites Verfahren" in body
    assert "Wollen wir gemeinsam ausschreiben?" in body
    assert f"http://localhost/needs/invitations/{invitation.id}" in body
    assert len(mailbox.to(NORDHAFEN_OFFICER)) == 1
    assert mailbox.to(TALHEIM_OFFICER) == []


def test_inviting_twice_for_the_same_needs_is_refused_with_a_clear_message(
    app, client, demo, auth, mailbox, matching
):
    auth.login(TALHEIM_OFFICER)
    url = proposal_url(client)
    assert invite(client, url, matching.values()).status_code == 302
    mailbox.clear()
    response = invite(client, url, matching.values())
    assert response.status_code == 409
    assert "Zu genau diesen Bedarfen hat Stadt Talheim an der Lauter bereits am" in page_text(response)
    assert count(app, JointTenderInvitation) == 1
    assert mailbox.messages == []


def test_a_different_set_of_the_same_needs_may_be_invited(app, client, demo, auth, matching):
    auth.login(TALHEIM_OFFICER)
    url = proposal_url(client)
    assert invite(client, url, [matching["talheim"], matching["birkenfelde"]]).status_code == 302
    assert invite(client, url, matching.values()).status_code == 302
    assert count(app, JointTenderInvitation) == 2


def test_the_inviting_municipality_must_take_part(app, client, demo, auth, matching):
    auth.login(TALHEIM_OFFICER)
    url = proposal_url(client)
    response = invite(client, url, [matching["birkenfelde"], matching["nordhafen"]])
    assert response.status_code == 422
    assert "Ihre Kommune muss mit einem eigenen offenen Bedarf beteiligt sein." in page_text(response)
    response = invite(client, url, [matching["talheim"]])
    assert response.status_code == 422
    assert count(app, JointTenderInvitation) == 0


def test_needs_outside_the_proposal_cannot_be_slipped_in(app, client, demo, auth, make_need, matching):
    other = make_need(BIRKENFELDE_OFFICER, open=True, cpv_code="48000000-8", title="Software")
    auth.login(TALHEIM_OFFICER)
    url = proposal_url(client)
    response = invite(client, url, [matching["talheim"], other])
    assert response.status_code == 422
    assert "Dieser Bedarf gehört nicht zum Vorschlag." in page_text(response)
    assert count(app, JointTenderInvitation) == 0


def test_invitation_form_without_csrf_token_sends_nothing(app, client, demo, auth, mailbox, matching):
    auth.login(TALHEIM_OFFICER)
    url = proposal_url(client)
    response = client.post(url, data={"need_ids": [str(i) for i in matching.values()], "message": "Hallo"})
    assert response.status_code == 400
    assert count(app, JointTenderInvitation) == 0
    assert mailbox.messages == []


def test_a_need_withdrawn_meanwhile_cannot_be_invited(app, demo, matching):
    with app.test_request_context():
        need = db.session.get(Need, matching["birkenfelde"])
        services.change_need_status(user(BIRKENFELDE_OFFICER), need, "withdraw", utcnow())
        with pytest.raises(Conflict, match="nicht mehr offen"):
            services.invite_to_joint_tender(user(TALHEIM_OFFICER), set(matching.values()), "Hallo", utcnow())


@pytest.mark.parametrize("email", [TALHEIM_REQUESTER, VENDOR])
def test_only_officers_see_proposals_and_invite(app, client, demo, auth, matching, email):
    auth.login(TALHEIM_OFFICER)
    url = proposal_url(client)
    auth.logout()
    auth.login(email)
    assert client.get(url).status_code == 403
    data = {"need_ids": [str(i) for i in matching.values()], "message": "x"}
    response = submit(client, url, data, form_url="/profile")
    assert response.status_code == 403
    assert count(app, JointTenderInvitation) == 0


def test_a_proposal_that_does_not_concern_the_officer_is_not_found(app, client, demo, auth, matching):
    auth.login(TALHEIM_OFFICER)
    url = proposal_url(client)
    auth.logout()
    auth.login("vergabe@birkenfelde.example")
    assert client.get(url).status_code == 200  # Birkenfelde takes part
    with app.test_request_context():
        services.change_need_status(
            user(BIRKENFELDE_OFFICER), db.session.get(Need, matching["birkenfelde"]), "withdraw", utcnow()
        )
        db.session.commit()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/needs/proposals/abc/2027-01-01/2027-02-01", "/needs/proposals/34996/x/y"])
def test_malformed_proposal_urls_are_not_found(app, client, demo, auth, url):
    auth.login(TALHEIM_OFFICER)
    assert client.get(url).status_code == 404


def sent_invitation(client, matching) -> int:  # type: ignore[no-untyped-def]
    url = proposal_url(client)
    response = invite(client, url, matching.values(), message="<script>alert(1)</script>\nZweite Zeile")
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_invited_officer_sees_the_invitation_and_accepts(app, client, demo, auth, mailbox, matching):
    auth.login(TALHEIM_OFFICER)
    invitation_id = sent_invitation(client, matching)
    auth.logout()
    mailbox.clear()
    auth.login(BIRKENFELDE_OFFICER)
    dashboard = page_text(client.get("/dashboard"))
    assert "Erhaltene Einladungen (1)" in dashboard and "Stadt Talheim an der Lauter" in dashboard
    url = f"/needs/invitations/{invitation_id}"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Zusagen" in page_text(page) and "Absagen" in page_text(page)
    response = submit(client, f"{url}/accept", {}, form_url=url)
    assert response.status_code == 302
    recipient = one(app, InvitationRecipient, InvitationRecipient.need_id == matching["birkenfelde"])
    assert recipient.response is RecipientResponse.accepted and recipient.responded_at is not None
    assert audit_actions(app)[-1] == "joint_tender_invitation.accepted"
    entry = one(app, AuditEntry, AuditEntry.action == "joint_tender_invitation.accepted")
    assert entry.actor_email == BIRKENFELDE_OFFICER
    assert json.loads(entry.after) == {"response": "accepted", "need_ids": [matching["birkenfelde"]]}
    [mail] = mailbox.to(TALHEIM_OFFICER)
    assert mail["Subject"] == "Gemeinde Birkenfelde sagt zur gemeinsamen Ausschreibung zu"
    assert "Zusagen" not in page_text(client.get(url))
    assert "Gemeinde Birkenfelde: zugesagt" in page_text(client.get(url))

    response = submit(client, f"{url}/decline", {}, form_url="/dashboard")
    assert response.status_code == 409
    assert "bereits geantwortet" in page_text(response)
    assert one(app, InvitationRecipient, InvitationRecipient.need_id == matching["birkenfelde"]).response is (
        RecipientResponse.accepted
    )


def test_invited_officer_declines_from_the_dashboard(app, client, demo, auth, matching):
    auth.login(TALHEIM_OFFICER)
    invitation_id = sent_invitation(client, matching)
    auth.logout()
    auth.login(NORDHAFEN_OFFICER)
    url = f"/needs/invitations/{invitation_id}"
    assert f'action="{url}/decline"' in client.get("/dashboard").get_data(as_text=True)
    assert submit(client, f"{url}/decline", {}, form_url="/dashboard").status_code == 302
    assert f'action="{url}/decline"' not in client.get("/dashboard").get_data(as_text=True)
    recipient = one(app, InvitationRecipient, InvitationRecipient.need_id == matching["nordhafen"])
    assert recipient.response is RecipientResponse.declined
    assert "joint_tender_invitation.declined" in audit_actions(app)


def test_the_inviting_officer_sees_answers_but_cannot_answer(app, client, demo, auth, matching):
    auth.login(TALHEIM_OFFICER)
    invitation_id = sent_invitation(client, matching)
    url = f"/needs/invitations/{invitation_id}"
    text = page_text(client.get(url))
    assert "Gemeinde Birkenfelde: Antwort ausstehend" in text and "Zusagen" not in text
    assert "Gesendete Einladungen (1)" in page_text(client.get("/dashboard"))
    assert submit(client, f"{url}/accept", {}, form_url=url).status_code == 403


@pytest.mark.parametrize("email", [TALHEIM_REQUESTER, VENDOR, "kuratorin@kompetenzzentrum.example"])
def test_others_do_not_see_the_invitation(app, client, demo, auth, matching, email):
    auth.login(TALHEIM_OFFICER)
    invitation_id = sent_invitation(client, matching)
    auth.logout()
    auth.login(email)
    assert client.get(f"/needs/invitations/{invitation_id}").status_code == 404
