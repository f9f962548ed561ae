"""Joint tenders made from bundled needs: from a proposal, from own needs, from an invitation."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from procurement.audit.models import AuditEntry
from procurement.database import utcnow
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.mail.models import OutboxMail
from procurement.needs import services as need_services
from procurement.needs.models import Need
from procurement.tenders import participation, services
from procurement.tenders.models import ContractNature, ParticipantStatus, Tender, TenderNeed
from procurement.tenders.participation import JoinData
from tests.conftest import count, csrf_token, page_text, submit
from tests.procurement.tenders.conftest import LEAD, LEAD_REQUESTER, PARTNER, THIRD, VENDOR, user
from workflows.need import NeedStatus
from workflows.tender import TenderStatus


def _now():  # type: ignore[no-untyped-def]
    return utcnow()


@pytest.fixture
def make_need(app, demo) -> Callable[..., int]:  # type: ignore[no-untyped-def]
    """An open need of the user's municipality (opened by its officer), made through the services."""

    def make(
        email: str,
        title: str = "Verkehrsrechner",
        cpv_code: str = "34996000-5",
        quantity: str = "4",
        unit: str = "Stück",
        value: str = "40000.00",
        opened: bool = True,
    ) -> int:
        with app.test_request_context():
            actor = user(email)
            now = _now()
            need = need_services.create_need(
                actor,
                need_services.NeedData(
                    title=title,
                    description=f"Beschreibung {title}",
                    cpv_code=cpv_code,
                    quantity=Decimal(quantity),
                    unit=unit,
                    estimated_value=Decimal(value),
                    delivery_from=now.date() + timedelta(days=60),
                    delivery_until=now.date() + timedelta(days=300),
                    nuts_code=actor.organisation.nuts_code,
                    place_of_performance="Stadtgebiet",
                ),
                now,
            )
            if opened:
                officer = user(LEAD if email == LEAD_REQUESTER else email)
                need_services.change_need_status(officer, need, "open", now)
            db.session.commit()
            return need.id

    return make


@pytest.fixture
def three_needs(make_need):  # type: ignore[no-untyped-def]
    """Open needs of Talheim, Birkenfelde and Nordhafen in CPV group 34996 (one unit: Stück)."""
    return {
        "talheim": make_need(LEAD_REQUESTER, "Verkehrsrechner Talheim", quantity="4", value="40000.00"),
        "birkenfelde": make_need(PARTNER, "Signalanlagen Birkenfelde", quantity="6", value="66000.00"),
        "nordhafen": make_need(THIRD, "Ampeln Nordhafen", quantity="2", value="20000.00"),
    }


def proposal_for(actor):  # type: ignore[no-untyped-def]
    [proposal] = need_services.proposals_for(actor, _now().date())
    return proposal


def org_id(email: str) -> int:
    return user(email).organisation_id


def by_org(tender: Tender) -> dict[int, object]:
    return {p.organisation_id: p for p in tender.participants}


def lead_join(tender: Tender, quantities: dict[int, Decimal]) -> JoinData:
    return JoinData(
        quantities=quantities,
        leitweg_id="08125099-RECHNUNG-39",
        billing_name="Stadt Talheim an der Lauter",
        billing_street="Marktplatz 1",
        billing_postal_code="74388",
        billing_city="Talheim an der Lauter",
        contact_email="vergabe@talheim.example",
        contact_phone="+49 7131 0000",
        confirmed=True,
    )


# --- from a proposal -----------------------------------------------------------------------------


def test_a_tender_from_a_proposal_invites_its_municipalities_with_their_quantities(app_ctx, three_needs):
    lead = user(LEAD)
    now = _now()
    tender = participation.create_from_proposal(lead, proposal_for(lead), now)
    db.session.commit()
    assert tender.status is TenderStatus.draft
    assert tender.lead_organisation_id == org_id(LEAD)
    assert tender.contract_nature is ContractNature.supplies
    assert tender.cpv_code == "34996000-5"
    assert "Stadt Talheim an der Lauter" in tender.description and "Ampeln Nordhafen" in tender.description
    [lot] = tender.lots  # one CPV code: one lot
    assert lot.cpv_code == "34996000-5"
    assert lot.unit == "Stück"
    assert lot.unit_price == Decimal("10500.00")  # 126,000 EUR / 12 units
    assert lot.nuts_code == "DE118"  # the lead's region
    participants = by_org(tender)
    assert {p.status for p in participants.values()} == {ParticipantStatus.invited}
    assert participants[org_id(PARTNER)].quantity_for(lot) == Decimal("6")
    assert participants[org_id(THIRD)].quantity_for(lot) == Decimal("2")
    assert participants[org_id(LEAD)].quantity_for(lot) == Decimal("4")
    assert participation.joined_total(tender) == Decimal(0)  # proposals only, nobody confirmed yet
    assert sorted(n.id for n in tender.needs) == sorted(three_needs.values())
    assert {n.status for n in tender.needs} == {NeedStatus.open}
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "tender.created_from_needs")
    ).one()
    assert json.loads(entry.after)["source"] == "proposal"
    assert json.loads(entry.after)["need_ids"] == sorted(three_needs.values())
    [mail] = db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == PARTNER)).all()
    assert "6 Stück" in mail.body and "63.000,00" in mail.body  # 6 × 10,500 EUR
    assert f"/vergaben/{tender.id}/teilnahme" in mail.body


def test_needs_whose_units_disagree_order_their_value_in_euros(app_ctx, make_need):
    make_need(LEAD_REQUESTER, "Verkehrsrechner", quantity="4", value="40000.00")
    make_need(PARTNER, "Rechner Birkenfelde", quantity="1", unit="Pauschale", value="15000.00")
    lead = user(LEAD)
    tender = participation.create_from_proposal(lead, proposal_for(lead), _now())
    [lot] = tender.lots
    assert lot.unit == "EUR (netto)" and lot.unit_price == Decimal("1.00")
    assert by_org(tender)[org_id(PARTNER)].quantity_for(lot) == Decimal("15000")
    assert by_org(tender)[org_id(LEAD)].quantity_for(lot) == Decimal("40000")


# --- joining bundles the needs --------------------------------------------------------------------


def test_needs_are_bundled_when_their_municipality_joins_and_open_again_when_it_leaves(app_ctx, three_needs):
    lead, partner = user(LEAD), user(PARTNER)
    now = _now()
    tender = participation.create_from_proposal(lead, proposal_for(lead), now)
    [lot] = tender.lots
    participation.join_tender(lead, tender, lead_join(tender, {lot.id: Decimal(4)}), now)  # in draft
    assert db.session.get(Need, three_needs["talheim"]).status is NeedStatus.bundled
    assert db.session.get(Need, three_needs["birkenfelde"]).status is NeedStatus.open
    services.fire(lead, tender, "start_collecting", now)
    participation.join_tender(
        partner,
        tender,
        JoinData(
            quantities={lot.id: Decimal(6)},
            leitweg_id="06433099-KAEMMEREI-68",
            billing_name="Gemeinde Birkenfelde",
            billing_street="Rathausstraße 3",
            billing_postal_code="64572",
            billing_city="Birkenfelde",
            contact_email="vergabe@birkenfelde.example",
            contact_phone="06151 0000",
            confirmed=True,
        ),
        now,
    )
    assert db.session.get(Need, three_needs["birkenfelde"]).status is NeedStatus.bundled
    assert participation.joined_total(tender) == Decimal("105000.00")
    participation.leave_tender(partner, tender, now)
    assert db.session.get(Need, three_needs["birkenfelde"]).status is NeedStatus.open
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("need.%bundled")).order_by(AuditEntry.seq)
    ).all()
    assert actions == ["need.bundled", "need.bundled", "need.unbundled"]


# --- from own needs ------------------------------------------------------------------------------


def test_an_officer_starts_a_tender_from_an_own_need(app_ctx, make_need):
    need_id = make_need(
        LEAD_REQUESTER, "Parkscheinautomaten", cpv_code="34996000-5", quantity="8", value="36000"
    )
    tender = participation.create_from_needs(user(LEAD), [need_id], _now())
    assert tender.title == "Parkscheinautomaten"
    assert [p.organisation_id for p in tender.participants] == [org_id(LEAD)]  # nobody else invited
    assert tender.lots[0].unit_price == Decimal("4500.00")
    assert db.session.scalar(select(TenderNeed.need_id).where(TenderNeed.tender_id == tender.id)) == need_id


def test_other_municipalities_needs_cannot_be_taken_as_own(app_ctx, make_need):
    need_id = make_need(PARTNER)
    with pytest.raises(NotFound):
        participation.create_from_needs(user(LEAD), [need_id], _now())
    assert count(app_ctx, Tender) == 0


def test_a_need_that_is_not_open_is_refused(app_ctx, make_need):
    need_id = make_need(LEAD_REQUESTER, opened=False)
    with pytest.raises(Conflict, match="nicht mehr offen"):
        participation.create_from_needs(user(LEAD), [need_id], _now())


def test_a_need_in_another_tender_is_refused_until_that_tender_is_cancelled(app_ctx, make_need):
    need_id = make_need(LEAD_REQUESTER)
    first = participation.create_from_needs(user(LEAD), [need_id], _now())
    with pytest.raises(Conflict, match="bereits zu einer anderen Ausschreibung"):
        participation.create_from_needs(user(LEAD), [need_id], _now())
    services.fire(user(LEAD), first, "cancel", _now())
    second = participation.create_from_needs(user(LEAD), [need_id], _now())
    assert second.id != first.id


def test_needs_of_different_cpv_groups_are_not_one_tender(app_ctx, make_need):
    one = make_need(LEAD_REQUESTER, cpv_code="34996000-5")
    other = make_need(LEAD_REQUESTER, cpv_code="48000000-8")
    with pytest.raises(DomainError, match="CPV-Gruppe"):
        participation.create_from_needs(user(LEAD), [one, other], _now())


@pytest.mark.parametrize("email", [LEAD_REQUESTER, VENDOR])
def test_only_officers_create_tenders_from_needs(app_ctx, make_need, email):
    need_id = make_need(LEAD_REQUESTER)
    with pytest.raises(PermissionDenied):
        participation.create_from_needs(user(email), [need_id], _now())


# --- from an invitation --------------------------------------------------------------------------


@pytest.fixture
def invitation(app, three_needs):  # type: ignore[no-untyped-def]
    """Talheim invited Birkenfelde (accepted) and Nordhafen (no answer yet)."""
    with app.test_request_context():
        now = _now()
        sent = need_services.invite_to_joint_tender(user(LEAD), set(three_needs.values()), "Gemeinsam?", now)
        need_services.respond_to_invitation(user(PARTNER), sent, True, now)
        db.session.commit()
        return sent.id


def test_a_tender_from_an_invitation_takes_the_needs_of_those_who_accepted(app_ctx, invitation, three_needs):
    from procurement.needs.models import JointTenderInvitation

    sent = db.session.get(JointTenderInvitation, invitation)
    tender = participation.create_from_invitation(user(LEAD), sent, _now())
    assert tender.source_invitation_id == invitation
    assert sorted(n.id for n in tender.needs) == sorted([three_needs["talheim"], three_needs["birkenfelde"]])
    assert set(by_org(tender)) == {org_id(LEAD), org_id(PARTNER)}
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == PARTNER)).all()[-1]
    assert "Gemeinsam?" in mail.body
    with pytest.raises(Conflict):  # the same needs cannot go into a second tender
        participation.create_from_invitation(user(LEAD), sent, _now())


def test_only_the_inviting_officers_create_the_tender_of_an_invitation(app_ctx, invitation):
    from procurement.needs.models import JointTenderInvitation

    sent = db.session.get(JointTenderInvitation, invitation)
    with pytest.raises(PermissionDenied):
        participation.create_from_invitation(user(PARTNER), sent, _now())


# --- pages ---------------------------------------------------------------------------------------


def test_officer_creates_a_tender_from_the_proposal_page(app, client, auth, mailbox, three_needs):
    auth.login(LEAD)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    url = re.search(r'href="(/needs/proposals/[^"]+)"', dashboard).group(1)
    page = client.get(url)
    assert "Gemeinsame Ausschreibung aus diesem Vorschlag anlegen" in page_text(page)
    _, group, start, end = url.rsplit("/", 3)
    response = submit(
        client,
        "/vergaben/neu/aus-vorschlag",
        {"cpv_group": group, "window_from": start, "window_until": end},
        form_url=url,
    )
    assert response.status_code == 302
    with app.app_context():
        tender = db.session.scalars(select(Tender)).one()
        assert response.headers["Location"] == f"/vergaben/{tender.id}/bearbeiten"
        assert len(tender.needs) == 3
    assert len(mailbox.to(PARTNER)) == 1 and len(mailbox.to(THIRD)) == 1


def test_a_stale_proposal_is_not_found(app, client, auth, three_needs):
    auth.login(LEAD)
    response = submit(
        client,
        "/vergaben/neu/aus-vorschlag",
        {"cpv_group": "34996", "window_from": "2020-01-01", "window_until": "2020-02-01"},
        form_url="/dashboard",
    )
    assert response.status_code == 404
    assert count(app, Tender) == 0


def test_officer_creates_a_tender_from_an_own_need_page_and_the_requester_sees_no_button(
    app, client, auth, make_need
):
    need_id = make_need(LEAD_REQUESTER)
    auth.login(LEAD_REQUESTER)
    assert "Ausschreibung aus diesem Bedarf anlegen" not in page_text(client.get(f"/needs/{need_id}"))
    response = submit(client, "/vergaben/neu/aus-bedarfen", {"need_ids": [str(need_id)]}, form_url="/")
    assert response.status_code == 403
    auth.logout()
    auth.login(LEAD)
    assert "Ausschreibung aus diesem Bedarf anlegen" in page_text(client.get(f"/needs/{need_id}"))
    response = submit(
        client, "/vergaben/neu/aus-bedarfen", {"need_ids": [str(need_id)]}, form_url=f"/needs/{need_id}"
    )
    assert response.status_code == 302
    assert count(app, TenderNeed, TenderNeed.need_id == need_id) == 1
    # the same need again: refused with a clear message, nothing created
    response = submit(client, "/vergaben/neu/aus-bedarfen", {"need_ids": [str(need_id)]}, form_url="/")
    assert response.status_code == 409
    assert "bereits zu einer anderen Ausschreibung" in page_text(response)
    assert count(app, Tender) == 1


def test_creating_from_needs_without_csrf_or_with_bad_ids_is_refused(app, client, auth, make_need):
    need_id = make_need(LEAD_REQUESTER)
    auth.login(LEAD)
    assert client.post("/vergaben/neu/aus-bedarfen", data={"need_ids": [str(need_id)]}).status_code == 400
    token = csrf_token(client, "/")
    assert (
        client.post("/vergaben/neu/aus-bedarfen", data={"csrf_token": token, "need_ids": "x"}).status_code
        == 400
    )
    assert count(app, Tender) == 0


@pytest.mark.parametrize(
    ("email", "button", "status"),
    [(LEAD, True, 302), (PARTNER, False, 403), (THIRD, False, 403), (VENDOR, False, 404)],
)
def test_who_starts_the_tender_of_an_invitation(app, client, auth, invitation, email, button, status):
    auth.login(email)
    if email != VENDOR:
        page = client.get(f"/needs/invitations/{invitation}")
        assert ("Gemeinsame Ausschreibung anlegen" in page_text(page)) is button
    response = submit(client, f"/vergaben/neu/aus-einladung/{invitation}", {}, form_url="/")
    assert response.status_code == status
    assert count(app, Tender) == (1 if status == 302 else 0)
