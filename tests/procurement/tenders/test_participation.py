"""Participants of a joint tender (§4 VgV): invite, join, change, leave, decline, freeze."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from procurement.audit.models import AuditEntry
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.mail.models import OutboxMail
from procurement.tenders import participation, services
from procurement.tenders.models import LotQuantity, Participant, ParticipantStatus, Tender
from procurement.tenders.participation import JoinData
from tests.conftest import csrf_token, page_text, submit
from tests.procurement.tenders.conftest import (
    CURATOR,
    LEAD,
    LEAD_REQUESTER,
    NOW,
    PARTNER,
    THIRD,
    VENDOR,
    user,
)
from workflows.machine import InvalidTransition
from workflows.tender import TenderStatus

LATER = NOW + timedelta(hours=1)


def org_id(email: str) -> int:
    return user(email).organisation_id


def join_data(tender: Tender, *quantities: str, **changes: object) -> JoinData:
    """Valid join data of Birkenfelde: ``quantities`` per lot in lot order (default 3 for lot 1)."""
    amounts = quantities or ("3",)
    data = JoinData(
        quantities={lot.id: Decimal(q) for lot, q in zip(tender.lots, amounts, strict=False)},
        leitweg_id="06433099-KAEMMEREI-68",
        billing_name="Gemeinde Birkenfelde, Kämmerei",
        billing_street="Rathausstraße 3",
        billing_postal_code="64572",
        billing_city="Birkenfelde",
        contact_email="vergabe@birkenfelde.example",
        contact_phone="+49 6151 0000",
        confirmed=True,
    )
    return replace(data, **changes)


def audits(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq))
    )


def mails_to(email: str) -> list[OutboxMail]:
    return list(
        db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == email).order_by(OutboxMail.id))
    )


@pytest.fixture
def collecting(app, make_tender):  # type: ignore[no-untyped-def]
    """A tender of Talheim with two lots (9,500 EUR per unit), Birkenfelde invited, collecting.

    Call it inside an application context (``app_ctx`` or a ``test_request_context``).
    """

    def make(lots: int = 2, invite: tuple[str, ...] = (PARTNER,)) -> Tender:
        tender = make_tender(lots=lots)
        lead = user(LEAD)
        if invite:
            participation.invite_municipalities(lead, tender, [org_id(e) for e in invite], NOW)
        services.fire(lead, tender, "start_collecting", NOW)
        db.session.commit()
        return tender

    return make


def partner(tender: Tender) -> Participant:
    return next(p for p in tender.participants if p.organisation_id == org_id(PARTNER))


# --- inviting --------------------------------------------------------------------------------


def test_lead_officer_invites_municipalities_and_their_officers_get_mail(app_ctx, make_tender):
    tender = make_tender()
    participation.invite_municipalities(
        user(LEAD), tender, [org_id(PARTNER), org_id(THIRD)], NOW, message="Machen Sie mit?"
    )
    db.session.commit()
    statuses = {p.organisation_id: p.status for p in tender.participants}
    assert statuses == {
        org_id(LEAD): ParticipantStatus.invited,
        org_id(PARTNER): ParticipantStatus.invited,
        org_id(THIRD): ParticipantStatus.invited,
    }
    invited = partner(tender)
    assert invited.leitweg_id == "06433099-KAEMMEREI-68"  # from the organisation, as a proposal
    assert invited.invited_by_id == user(LEAD).id
    [entry] = audits("tender.participants_invited")
    assert json.loads(entry.after)["organisation_ids"] == sorted([org_id(PARTNER), org_id(THIRD)])
    [mail] = mails_to(PARTNER)
    assert mail.subject == f"Einladung zur gemeinsamen Ausschreibung „{tender.title}“"
    assert f"http://localhost/vergaben/{tender.id}/teilnahme" in mail.body
    assert "Machen Sie mit?" in mail.body and "§ 4 VgV" in mail.body
    assert len(mails_to(THIRD)) == 1
    assert mails_to(LEAD) == []


@pytest.mark.parametrize(
    ("email", "error"),
    [(LEAD_REQUESTER, PermissionDenied), (PARTNER, PermissionDenied), (THIRD, NotFound), (VENDOR, NotFound)],
)
def test_only_the_lead_officers_invite(app_ctx, collecting, email, error):
    tender = collecting()
    with pytest.raises(error):
        participation.invite_municipalities(user(email), tender, [org_id(THIRD)], NOW)
    db.session.rollback()
    assert db.session.scalar(select(Participant).where(Participant.organisation_id == org_id(THIRD))) is None


def test_only_municipalities_not_yet_invited_can_be_invited(app_ctx, collecting):
    tender = collecting()
    with pytest.raises(DomainError, match="nur Kommunen"):
        participation.invite_municipalities(user(LEAD), tender, [org_id(VENDOR)], NOW)
    with pytest.raises(Conflict, match="bereits eingeladen"):
        participation.invite_municipalities(user(LEAD), tender, [org_id(PARTNER)], NOW)
    with pytest.raises(DomainError, match="mindestens eine Kommune"):
        participation.invite_municipalities(user(LEAD), tender, [], NOW)


def test_a_municipality_that_declined_can_be_invited_again(app_ctx, collecting):
    tender = collecting()
    participation.decline_invitation(user(PARTNER), tender, NOW)
    participation.invite_municipalities(user(LEAD), tender, [org_id(PARTNER)], LATER)
    assert partner(tender).status is ParticipantStatus.invited
    assert partner(tender).invited_at == LATER


def test_no_invitations_once_the_participants_are_frozen(app_ctx, collecting):
    tender = collecting()
    participation.join_tender(user(PARTNER), tender, join_data(tender), NOW)
    participation.freeze_participants(user(LEAD), tender, NOW)
    with pytest.raises(Conflict):
        participation.invite_municipalities(user(LEAD), tender, [org_id(THIRD)], NOW)


# --- joining -----------------------------------------------------------------------------------


def test_invited_officer_joins_with_quantities_and_the_lead_is_told(app_ctx, collecting):
    tender = collecting()
    participation.join_tender(user(PARTNER), tender, join_data(tender, "3", "1.5"), NOW)
    db.session.commit()
    joined = partner(tender)
    assert joined.status is ParticipantStatus.joined
    assert joined.confirmed_by_id == user(PARTNER).id
    assert joined.joined_at == NOW
    assert [joined.quantity_for(lot) for lot in tender.lots] == [Decimal("3.000"), Decimal("1.500")]
    assert joined.billing_name == "Gemeinde Birkenfelde, Kämmerei"
    assert joined.contact_phone == "+49 6151 0000"
    [entry] = audits("tender.participant_joined")
    assert json.loads(entry.before)["quantities"] == {}
    assert json.loads(entry.after)["quantities"] == {"1": "3.000", "2": "1.500"}
    assert json.loads(entry.after)["status"] == "joined"
    assert entry.actor_email == PARTNER
    [mail] = mails_to(LEAD)
    assert mail.subject == f"Gemeinde Birkenfelde nimmt an „{tender.title}“ teil"
    assert "42.750,00" in mail.body  # 4.5 × 9,500 EUR
    assert [m.subject.startswith("Einladung") for m in mails_to(PARTNER)] == [True]  # nothing new
    assert participation.joined_total(tender) == Decimal("42750.00")


def test_changing_quantities_records_before_and_after(app_ctx, collecting):
    tender = collecting()
    participation.join_tender(user(PARTNER), tender, join_data(tender, "3", "0"), NOW)
    participation.join_tender(user(PARTNER), tender, join_data(tender, "5", "0"), LATER)
    [entry] = audits("tender.participation_changed")
    assert json.loads(entry.before)["quantities"] == {"1": "3.000", "2": "0.000"}
    assert json.loads(entry.after)["quantities"] == {"1": "5.000", "2": "0.000"}
    assert partner(tender).joined_at == NOW  # the first confirmation stays
    assert len(mails_to(LEAD)) == 2
    assert "geändert" in mails_to(LEAD)[1].subject


def test_sending_the_same_join_twice_changes_nothing(app_ctx, collecting):
    tender = collecting()
    participation.join_tender(user(PARTNER), tender, join_data(tender), NOW)
    participation.join_tender(user(PARTNER), tender, join_data(tender), LATER)
    db.session.commit()
    rows = db.session.scalars(
        select(LotQuantity).where(LotQuantity.participant_id == partner(tender).id)
    ).all()
    assert len(rows) == 2
    assert len(audits("tender.participant_joined")) == 1
    assert audits("tender.participation_changed") == []
    assert len(mails_to(LEAD)) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quantities": "negative"}, "nicht negativ"),
        ({"quantities": "zero"}, "mindestens ein Los"),
        ({"quantities": "too_many_places"}, "drei Nachkommastellen"),
        ({"quantities": "huge"}, "plausibel"),
        ({"quantities": "other_lot"}, "Lose dieser Ausschreibung"),
        ({"leitweg_id": "06433099-KAEMMEREI-69"}, "Prüfziffern"),
        ({"leitweg_id": "Kämmerei"}, "Format"),
        ({"confirmed": False}, "bestätigen"),
        ({"billing_street": "  "}, "Pflichtangaben"),
        ({"contact_email": "keine-adresse"}, "E-Mail-Adresse"),
    ],
)
def test_bad_join_data_is_refused_and_nothing_changes(app_ctx, collecting, changes, message):
    tender = collecting()
    lot = tender.lots[0]
    special = {
        "negative": {lot.id: Decimal("-1")},
        "zero": {lot.id: Decimal("0")},
        "too_many_places": {lot.id: Decimal("1.0005")},
        "huge": {lot.id: Decimal("1000000001")},
        "other_lot": {lot.id: Decimal("1"), 987654: Decimal("1")},
    }
    if "quantities" in changes:
        changes = {"quantities": special[changes["quantities"]]}
    with pytest.raises(DomainError, match=message):
        participation.join_tender(user(PARTNER), tender, join_data(tender, **changes), NOW)
    db.session.rollback()
    assert partner(tender).status is ParticipantStatus.invited
    assert partner(tender).quantities == []
    assert audits("tender.participant_joined") == []


@pytest.mark.parametrize(
    ("email", "error"),
    [(LEAD_REQUESTER, PermissionDenied), (THIRD, NotFound), (VENDOR, NotFound), (CURATOR, NotFound)],
)
def test_only_officers_of_an_invited_municipality_join(app_ctx, collecting, email, error):
    tender = collecting()
    with pytest.raises(error):
        participation.join_tender(user(email), tender, join_data(tender), NOW)


def test_other_municipalities_join_only_while_collecting_the_lead_already_in_draft(app_ctx, make_tender):
    tender = make_tender(lots=1)
    participation.invite_municipalities(user(LEAD), tender, [org_id(PARTNER)], NOW)
    with pytest.raises(Conflict, match="gesammelt"):
        participation.join_tender(user(PARTNER), tender, join_data(tender), NOW)
    lead = participation.join_tender(
        user(LEAD), tender, join_data(tender, leitweg_id="08125099-RECHNUNG-39"), NOW
    )
    assert lead.status is ParticipantStatus.joined


def test_the_lead_joining_does_not_mail_itself(app_ctx, collecting):
    tender = collecting()
    participation.join_tender(user(LEAD), tender, join_data(tender, leitweg_id="08125099-RECHNUNG-39"), NOW)
    assert mails_to(LEAD) == []
    assert len(audits("tender.participant_joined")) == 1


# --- leaving and declining -----------------------------------------------------------------------


def test_a_participant_leaves_its_quantities_stay_on_record_but_do_not_count(app_ctx, collecting):
    tender = collecting()
    participation.join_tender(user(PARTNER), tender, join_data(tender, "3"), NOW)
    participation.leave_tender(user(PARTNER), tender, LATER)
    db.session.commit()
    left = partner(tender)
    assert left.status is ParticipantStatus.left
    assert left.left_at == LATER
    assert left.quantity_for(tender.lots[0]) == Decimal("3")
    assert participation.joined_total(tender) == Decimal(0)
    assert services.advice_for(tender, NOW.date()).total == Decimal(0)
    [entry] = audits("tender.participant_left")
    assert json.loads(entry.after) == {"organisation_id": org_id(PARTNER), "status": "left"}
    assert "ausgestiegen" in mails_to(LEAD)[-1].subject


def test_the_lead_cannot_leave_it_cancels_instead(app_ctx, collecting):
    tender = collecting()
    participation.join_tender(user(LEAD), tender, join_data(tender, leitweg_id="08125099-RECHNUNG-39"), NOW)
    with pytest.raises(Conflict, match="aufheben|Aufheb|Heben Sie"):
        participation.leave_tender(user(LEAD), tender, NOW)


def test_leaving_needs_a_joined_municipality_and_a_collecting_tender(app_ctx, collecting):
    tender = collecting()
    with pytest.raises(Conflict, match="nicht teil"):
        participation.leave_tender(user(PARTNER), tender, NOW)
    participation.join_tender(user(PARTNER), tender, join_data(tender), NOW)
    participation.freeze_participants(user(LEAD), tender, NOW)
    with pytest.raises(Conflict, match="festgeschrieben"):
        participation.leave_tender(user(PARTNER), tender, NOW)


def test_declining_an_invitation_ends_the_participation(app_ctx, collecting):
    tender = collecting()
    participation.decline_invitation(user(PARTNER), tender, NOW)
    assert partner(tender).status is ParticipantStatus.declined
    assert len(audits("tender.invitation_declined")) == 1
    assert "abgesagt" in mails_to(LEAD)[-1].subject
    with pytest.raises(PermissionDenied):
        participation.join_tender(user(PARTNER), tender, join_data(tender), NOW)
    with pytest.raises(PermissionDenied):
        participation.decline_invitation(user(PARTNER), tender, NOW)


def test_a_joined_municipality_cannot_decline(app_ctx, collecting):
    tender = collecting()
    participation.join_tender(user(PARTNER), tender, join_data(tender), NOW)
    with pytest.raises(Conflict, match="bereits geantwortet"):
        participation.decline_invitation(user(PARTNER), tender, NOW)


# --- freezing ------------------------------------------------------------------------------------


def test_freezing_fixes_value_and_threshold_and_mails_each_participant_its_share(app_ctx, collecting):
    tender = collecting(invite=(PARTNER, THIRD))
    participation.join_tender(user(PARTNER), tender, join_data(tender, "20", "3"), NOW)
    participation.join_tender(
        user(LEAD), tender, join_data(tender, "2", leitweg_id="08125099-RECHNUNG-39"), NOW
    )
    participation.freeze_participants(user(LEAD), tender, LATER)
    db.session.commit()
    assert tender.status is TenderStatus.ready
    assert tender.frozen_at == LATER
    assert tender.estimated_value == Decimal("237500.00")  # 25 × 9,500 EUR
    assert tender.threshold_value == Decimal("216000.00")  # sub-central supplies, 2026-2027
    [entry] = audits("tender.freeze")
    after = json.loads(entry.after)
    assert after["status"] == "ready"
    assert after["estimated_value"] == "237500.00"
    assert after["threshold_value"] == "216000.00"
    assert after["participants"] == sorted([org_id(LEAD), org_id(PARTNER)])
    invitation, mail = mails_to(PARTNER)
    assert "festgeschrieben" in mail.subject
    assert "218.500,00" in mail.body  # 23 × 9,500 EUR: Birkenfelde's share
    assert "06433099-KAEMMEREI-68" in mail.body
    assert "EU-weites Verfahren" in mail.body
    assert "festgeschrieben" in mails_to(LEAD)[-1].subject  # the lead takes part: its share too
    assert len(mails_to(THIRD)) == 1  # the invitation only: it never joined
    with pytest.raises(Conflict):
        participation.join_tender(user(THIRD), tender, join_data(tender, leitweg_id="01058099-29"), LATER)


def test_the_planned_publication_date_decides_the_threshold(app_ctx, collecting):
    tender = collecting()
    tender.planned_publication_date = NOW.date() + timedelta(days=60)  # 2027: same threshold
    participation.join_tender(user(PARTNER), tender, join_data(tender, "1"), NOW)
    participation.freeze_participants(user(LEAD), tender, NOW)
    assert json.loads(audits("tender.freeze")[0].after)["publication_date"] == "2027-01-24"
    assert tender.estimated_value == Decimal("9500.00")


def test_freezing_needs_a_joined_participant(app_ctx, collecting):
    tender = collecting()
    with pytest.raises(InvalidTransition):
        participation.freeze_participants(user(LEAD), tender, NOW)
    db.session.rollback()
    assert tender.status is TenderStatus.collecting and tender.estimated_value is None


@pytest.mark.parametrize(
    ("email", "error"), [(PARTNER, PermissionDenied), (LEAD_REQUESTER, PermissionDenied), (THIRD, NotFound)]
)
def test_only_the_lead_officers_freeze(app_ctx, collecting, email, error):
    tender = collecting()
    participation.join_tender(user(PARTNER), tender, join_data(tender), NOW)
    with pytest.raises(error):
        participation.freeze_participants(user(email), tender, NOW)
    assert tender.status is TenderStatus.collecting


def test_unfreezing_collects_again_and_releases_the_figures(app_ctx, collecting):
    tender = collecting()
    participation.join_tender(user(PARTNER), tender, join_data(tender), NOW)
    participation.freeze_participants(user(LEAD), tender, NOW)
    participation.unfreeze_participants(user(LEAD), tender, LATER)
    assert tender.status is TenderStatus.collecting
    assert tender.estimated_value is None and tender.frozen_at is None
    assert json.loads(audits("tender.unfreeze")[0].after)["released"]["estimated_value"] == "28500.00"
    participation.join_tender(user(PARTNER), tender, join_data(tender, "4"), LATER)  # may change again


def test_no_unfreezing_after_publication(app_ctx, collecting):
    tender = collecting()
    participation.join_tender(user(PARTNER), tender, join_data(tender), NOW)
    participation.freeze_participants(user(LEAD), tender, NOW)
    tender.published_at = LATER
    with pytest.raises(Conflict, match="Veröffentlichung"):
        participation.unfreeze_participants(user(LEAD), tender, LATER)
    with pytest.raises(PermissionDenied):
        participation.unfreeze_participants(user(PARTNER), tender, LATER)


# --- pages ---------------------------------------------------------------------------------------


@pytest.fixture
def web_tender(app, collecting):  # type: ignore[no-untyped-def]
    """A collecting tender (id) with Birkenfelde invited; the session of the fixture is closed."""
    with app.test_request_context():
        return collecting().id


USERS = {
    "lead officer": LEAD,
    "partner officer (invited)": PARTNER,
    "third municipality officer": THIRD,
    "lead requester": LEAD_REQUESTER,
    "vendor": VENDOR,
    "curator": CURATOR,
    "anonymous": None,
}

PAGES = {
    # page: expected status per user in USERS order
    "teilnehmer": (200, 200, 404, 200, 404, 404, 302),
    "teilnahme": (200, 200, 404, 403, 404, 404, 302),
    "anteil": (200, 200, 404, 200, 404, 404, 302),
    "einladen": (200, 403, 404, 403, 404, 404, 302),
}


@pytest.mark.parametrize("who", USERS)
def test_who_sees_which_participation_page(app, client, auth, web_tender, who):
    if USERS[who]:
        auth.login(USERS[who])
    for page, expected in PAGES.items():
        response = client.get(f"/vergaben/{web_tender}/{page}")
        assert response.status_code == expected[list(USERS).index(who)], page
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login")


ACTIONS = {
    # action: expected status per user in USERS order (the lead's and the partner's succeed)
    "teilnehmer/festschreiben": (302, 403, 404, 403, 404, 404, "login"),
    "teilnahme/absagen": (409, 302, 404, 403, 404, 404, "login"),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", USERS)
def test_who_may_fire_which_participation_action(app, client, auth, web_tender, action, who):
    with app.test_request_context():
        tender = db.session.get(Tender, web_tender)
        participation.join_tender(
            user(LEAD), tender, join_data(tender, leitweg_id="08125099-RECHNUNG-39"), NOW
        )
        db.session.commit()
    if USERS[who]:
        auth.login(USERS[who])
    token = csrf_token(client, "/" if USERS[who] else "/login")
    response = client.post(f"/vergaben/{web_tender}/{action}", data={"csrf_token": token})
    expected = ACTIONS[action][list(USERS).index(who)]
    if expected == "login":
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == expected
    with app.app_context():
        tender = db.session.get(Tender, web_tender)
        frozen = tender.status is TenderStatus.ready
        declined = partner(tender).status is ParticipantStatus.declined
    assert frozen == (action == "teilnehmer/festschreiben" and expected == 302)
    assert declined == (action == "teilnahme/absagen" and expected == 302)


def test_actions_without_csrf_token_are_refused(app, client, auth, web_tender):
    auth.login(PARTNER)
    response = client.post(f"/vergaben/{web_tender}/teilnahme/absagen")
    assert response.status_code == 400
    with app.app_context():
        assert partner(db.session.get(Tender, web_tender)).status is ParticipantStatus.invited


def join_form(tender_id: int, **overrides: str) -> dict[str, str]:
    with_lots = {}
    with db.session.no_autoflush:
        tender = db.session.get(Tender, tender_id)
        lots = [lot.id for lot in tender.lots]
    with_lots[f"lot_{lots[0]}"] = "1.250,5"
    with_lots[f"lot_{lots[1]}"] = ""
    return (
        with_lots
        | {
            "leitweg_id": "06433099-kaemmerei-68",
            "billing_name": "Gemeinde Birkenfelde",
            "billing_street": "Rathausstraße 3",
            "billing_postal_code": "64572",
            "billing_city": "Birkenfelde",
            "contact_email": "vergabe@birkenfelde.example",
            "contact_phone": "06151 0000",
            "confirm": "y",
        }
        | overrides
    )


def test_partner_joins_on_the_web_with_german_numbers_and_the_lead_gets_mail(
    app, client, auth, mailbox, web_tender
):
    auth.login(PARTNER)
    page = client.get(f"/vergaben/{web_tender}/teilnahme")
    text = page_text(page)
    assert "Los 1: Steuergeräte 1 – Menge in Stück" in text
    assert 'value="06433099-KAEMMEREI-68"' in page.get_data(as_text=True)  # prefilled
    with app.app_context():
        data = join_form(web_tender)
    response = submit(client, f"/vergaben/{web_tender}/teilnahme", data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/vergaben/{web_tender}/anteil"
    with app.app_context():
        tender = db.session.get(Tender, web_tender)
        joined = partner(tender)
        assert joined.status is ParticipantStatus.joined
        assert joined.leitweg_id == "06433099-KAEMMEREI-68"
        assert joined.quantity_for(tender.lots[0]) == Decimal("1250.5")
        assert joined.quantity_for(tender.lots[1]) == Decimal(0)
    [mail] = mailbox.to(LEAD)
    assert "Gemeinde Birkenfelde nimmt an" in mail["Subject"]
    share = page_text(client.get(f"/vergaben/{web_tender}/anteil"))
    assert "1.250,5" in share and "11.879.750,00" in share  # 1,250.5 × 9,500 EUR
    participants = page_text(client.get(f"/vergaben/{web_tender}/teilnehmer"))
    assert "Gemeinde Birkenfelde nimmt teil" in participants
    assert "100 %" in participants


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"confirm": ""}, "Ohne diese Bestätigung"),
        ({"leitweg_id": "06433099-KAEMMEREI-11"}, "Prüfziffern der Leitweg-ID"),
        ({"first_lot": "-3"}, "nicht negativ"),
        ({"first_lot": "0"}, "mindestens ein Los"),
        ({"first_lot": "drei"}, "Bitte geben Sie eine Zahl ein"),
        ({"billing_postal_code": "6457"}, "fünfstellige Postleitzahl"),
    ],
)
def test_bad_join_form_shows_the_error_and_keeps_the_input(app, client, auth, web_tender, overrides, message):
    auth.login(PARTNER)
    with app.app_context():
        data = join_form(web_tender)
        first = next(key for key in data if key.startswith("lot_"))
    if "first_lot" in overrides:
        data[first] = overrides.pop("first_lot")
    data |= overrides
    response = submit(client, f"/vergaben/{web_tender}/teilnahme", data)
    assert response.status_code == 422
    assert message in page_text(response)
    assert 'value="Rathausstraße 3"' in response.get_data(as_text=True)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    with app.app_context():
        assert partner(db.session.get(Tender, web_tender)).status is ParticipantStatus.invited


def test_lead_invites_on_the_web(app, client, auth, mailbox, web_tender):
    auth.login(LEAD)
    page = client.get(f"/vergaben/{web_tender}/teilnehmer")
    assert "Stadt Nordhafen – Nordhafen (AGS 01058099)" in page_text(page)
    with app.app_context():
        third = org_id(THIRD)
    response = submit(
        client,
        f"/vergaben/{web_tender}/einladen",
        {"organisation_ids": [str(third)], "message": "Bitte prüfen"},
    )
    assert response.status_code == 302
    assert len(mailbox.to(THIRD)) == 1
    assert "Bitte prüfen" in mailbox.to(THIRD)[0].get_content()
    response = submit(client, f"/vergaben/{web_tender}/einladen", {"organisation_ids": []})
    assert response.status_code == 422
    assert "Bitte wählen Sie mindestens eine Kommune aus." in page_text(response)


def test_after_freezing_the_join_page_explains_and_a_late_join_is_refused(app, client, auth, web_tender):
    with app.test_request_context():
        tender = db.session.get(Tender, web_tender)
        participation.invite_municipalities(user(LEAD), tender, [org_id(THIRD)], NOW)
        participation.join_tender(user(PARTNER), tender, join_data(tender), NOW)
        participation.freeze_participants(user(LEAD), tender, NOW)
        db.session.commit()
        data = join_form(web_tender, leitweg_id="01058099-29")
    auth.login(THIRD)
    page = client.get(f"/vergaben/{web_tender}/teilnahme")
    assert "Zurzeit ist keine Teilnahme möglich" in page_text(page)
    assert "Teilnahme verbindlich bestätigen" not in page_text(page)
    response = submit(client, f"/vergaben/{web_tender}/teilnahme", data, form_url="/")
    assert response.status_code == 409
    with app.app_context():
        tender = db.session.get(Tender, web_tender)
        third = next(p for p in tender.participants if p.organisation_id == org_id(THIRD))
        assert third.status is ParticipantStatus.invited
