"""The award pages: the lead's flow through the forms, refusals as 409 that change nothing,
and who reaches which route (users × routes, GET and POST)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from procurement.awards.models import Award, InformationLetter
from procurement.extensions import db
from procurement.storage import storage
from tests.conftest import Auth, csrf_token, page_text
from tests.procurement.awards.conftest import LEAD, OTHER_VENDOR, THIRD_VENDOR, VENDOR
from tests.procurement.awards.test_award_flow import (
    EVALUATED,
    STANDSTILL_END,
    award_row,
    evaluate,
    letters_to,
    notified_tender,
    tender_status,
)
from tests.procurement.tenders.conftest import CURATOR, LEAD_AUDITOR, LEAD_REQUESTER, PARTNER, THIRD
from workflows.award import AwardStatus
from workflows.tender import TenderStatus

ANONYMOUS = ""


def token(client) -> str:  # type: ignore[no-untyped-def]
    """A CSRF token of the session (the logout form on the start page, or the login form)."""
    try:
        return csrf_token(client, "/")
    except AssertionError:
        return csrf_token(client, "/login")


def post(client, url: str, prefix: str, **fields: object):  # type: ignore[no-untyped-def]
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    data[f"{prefix}-csrf_token"] = token(client)
    return client.post(url, data=data)


def base(opened) -> str:  # type: ignore[no-untyped-def]
    return f"/vergaben/{opened.tender_id}/zuschlag"


def lot_url(opened, number: int, action: str) -> str:  # type: ignore[no-untyped-def]
    return f"{base(opened)}/lose/{opened.lots[number]}/{action}"


def test_the_lead_proposes_sends_letters_and_awards_through_the_pages(app, client, auth, opened, mailbox):
    evaluate(app, opened)
    with time_machine.travel(EVALUATED, tick=False):
        auth.login(LEAD)
        page = page_text(client.get(base(opened)))
        assert "Zuschlag vorschlagen" in page and "Noch kein Zuschlagsvorschlag" in page
        for number in (1, 2):
            prefix = f"lot{opened.lots[number]}-propose"
            response = post(
                client,
                lot_url(opened, number, "vorschlag"),
                prefix,
                bid_id=opened.bids[VENDOR],
                reasons="Wirtschaftlichstes Angebot.",
            )
            assert response.status_code == 302, page_text(response)
        assert tender_status(app, opened) is TenderStatus.award_proposed
        # the ranking as proposed, with amounts and points in the page's language
        page = page_text(client.get(base(opened))).replace("\xa0", " ")
        assert "Rangfolge wie vorgeschlagen (Los 1)" in page
        assert "48.000,00 €" in page and "52.000,00 €" in page and "48000.00" not in page
        # missing reasons: the form comes back with the error, nothing changes
        version = award_row(app, opened, 1).version
        response = post(
            client,
            lot_url(opened, 1, "vorschlag"),
            f"lot{opened.lots[1]}-propose",
            bid_id=opened.bids[VENDOR],
        )
        assert response.status_code == 422 and "Gründe für den Zuschlag" in page_text(response)
        assert award_row(app, opened, 1).version == version
        for number in (1, 2):
            award = award_row(app, opened, number)
            response = post(
                client,
                lot_url(opened, number, "information"),
                f"lot{award.lot_id}-letters",
                version=award.version,
            )
            assert response.status_code == 302
        # the outbox ran after the request and the letters counted as sent at once
        assert len(letters_to(mailbox, OTHER_VENDOR)) == 2 and len(letters_to(mailbox, THIRD_VENDOR)) == 1
        assert tender_status(app, opened) is TenderStatus.standstill
        assert award_row(app, opened, 1).standstill_ends_at == STANDSTILL_END
        # a double submit of the letters changes nothing
        award = award_row(app, opened, 1)
        response = post(
            client, lot_url(opened, 1, "information"), f"lot{award.lot_id}-letters", version=award.version
        )
        assert response.status_code == 409
        assert len(letters_to(mailbox, OTHER_VENDOR)) == 2
    # one second before the end of the standstill: 409, nothing concluded
    # days later: a new session (the old one expired)
    client = app.test_client()
    with time_machine.travel(STANDSTILL_END - timedelta(seconds=1), tick=False):
        Auth(client).login(LEAD)
        award = award_row(app, opened, 1)
        response = post(
            client, lot_url(opened, 1, "erteilen"), f"lot{award.lot_id}-finalise", version=award.version
        )
        assert response.status_code == 409 and "Wartefrist" in page_text(response), response.location
        assert award_row(app, opened, 1).status is AwardStatus.notified
        assert "Zuschlag erteilen" not in page_text(client.get(base(opened)))
    client = app.test_client()
    with time_machine.travel(STANDSTILL_END, tick=False):
        Auth(client).login(LEAD)
        assert "Zuschlag erteilen" in page_text(client.get(base(opened)))
        for number in (1, 2):
            award = award_row(app, opened, number)
            response = post(
                client,
                lot_url(opened, number, "erteilen"),
                f"lot{award.lot_id}-finalise",
                version=award.version,
            )
            assert response.status_code == 302
    assert award_row(app, opened, 2).status is AwardStatus.final
    assert tender_status(app, opened) in (TenderStatus.awarded, TenderStatus.contracted)


def test_a_post_without_csrf_token_changes_nothing(app, client, auth, opened):
    evaluate(app, opened)
    with time_machine.travel(EVALUATED, tick=False):
        auth.login(LEAD)
        prefix = f"lot{opened.lots[1]}-propose"
        response = client.post(
            lot_url(opened, 1, "vorschlag"),
            data={f"{prefix}-bid_id": opened.bids[VENDOR], f"{prefix}-reasons": "G"},
        )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(Award)).all() == []


def test_a_stale_form_gives_409(app, client, auth, opened):
    notified_tender(app, opened)
    with time_machine.travel(STANDSTILL_END, tick=False):
        auth.login(LEAD)
        award = award_row(app, opened, 1)
        response = post(
            client, lot_url(opened, 1, "erteilen"), f"lot{award.lot_id}-finalise", version=award.version - 1
        )
    assert response.status_code == 409 and "gerade geändert" in page_text(response)
    assert award_row(app, opened, 1).status is AwardStatus.notified


def test_the_vendor_sees_only_its_own_letters_and_the_pdf_is_checked(app, client, auth, opened, mailbox):
    notified_tender(app, opened)
    with app.app_context():
        letters = {
            letter.organisation_id: letter.id for letter in db.session.scalars(select(InformationLetter))
        }
        own = db.session.scalars(
            select(InformationLetter).where(InformationLetter.bid_id == opened.bids[THIRD_VENDOR])
        ).one()
        own_id, key = own.id, own.pdf_storage_key
    assert len(letters) == 2  # THIRD_VENDOR (lot 1) and OTHER_VENDOR (lots 1 and 2)
    auth.login(THIRD_VENDOR)
    page = page_text(client.get("/informationsschreiben"))
    assert "Los 1" in page and "Los 2" not in page
    assert "Verkehrstechnik Süd GmbH" in page  # the winner the letter names
    response = client.get(f"/informationsschreiben/{own_id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    other = next(letter_id for letter_id in letters.values() if letter_id != own_id)
    with app.app_context():
        other_ids = db.session.scalars(
            select(InformationLetter.id).where(InformationLetter.bid_id == opened.bids[OTHER_VENDOR])
        ).all()
    assert other in other_ids or other_ids
    assert client.get(f"/informationsschreiben/{other_ids[0]}.pdf").status_code == 404
    # a changed file is refused, loudly
    with app.app_context():
        path = storage().path(key)  # type: ignore[attr-defined]
    path.write_bytes(path.read_bytes() + b"x")
    response = client.get(f"/informationsschreiben/{own_id}.pdf")
    assert response.status_code == 409 and "Prüfsumme" in page_text(response)


# --- the access matrix ------------------------------------------------------------------------------

ROUTES = ("overview", "propose", "letters", "challenge", "finalise", "cancel", "my_letters", "letter_pdf")
# who -> status per route in the standstill (POSTs carry a valid CSRF token)
ACCESS = {
    LEAD: (200, 409, 409, 302, 409, 302, 404, 200),
    LEAD_REQUESTER: (200, 403, 403, 403, 403, 403, 404, 404),
    PARTNER: (200, 403, 403, 403, 403, 403, 404, 404),
    LEAD_AUDITOR: (404, 404, 404, 404, 404, 404, 404, 404),
    THIRD: (404, 404, 404, 404, 404, 404, 404, 404),  # officer of a municipality not involved
    CURATOR: (404, 404, 404, 404, 404, 404, 404, 404),
    VENDOR: (404, 404, 404, 404, 404, 404, 200, 404),  # the winner: no letter
    OTHER_VENDOR: (404, 404, 404, 404, 404, 404, 200, 200),  # the letter's addressee
    THIRD_VENDOR: (404, 404, 404, 404, 404, 404, 200, 404),
    ANONYMOUS: (302, 302, 302, 302, 302, 302, 302, 302),
}


@pytest.mark.parametrize("email", list(ACCESS), ids=lambda e: e or "anonymous")
def test_access_matrix_of_the_award_routes(app, client, auth, opened, email):
    notified_tender(app, opened)
    with app.app_context():
        letter_id = db.session.scalars(
            select(InformationLetter.id).where(InformationLetter.bid_id == opened.bids[OTHER_VENDOR])
        ).first()
    award = award_row(app, opened, 1)
    lot = award.lot_id
    with time_machine.travel(EVALUATED + timedelta(days=1), tick=False):
        if email:
            auth.login(email)
        statuses = [
            client.get(base(opened)).status_code,
            post(
                client, lot_url(opened, 1, "vorschlag"), f"lot{lot}-propose", bid_id=award.bid_id, reasons="G"
            ).status_code,
            post(client, lot_url(opened, 1, "information"), f"lot{lot}-letters").status_code,
            post(
                client, lot_url(opened, 1, "nachpruefung"), f"lot{lot}-challenge", note="Antrag"
            ).status_code,
            post(client, lot_url(opened, 2, "erteilen"), f"lot{opened.lots[2]}-finalise").status_code,
            post(
                client,
                lot_url(opened, 2, "aufhebung"),
                f"lot{opened.lots[2]}-cancel",
                reason="no_economic_result",
                text="Zu teuer",
                confirm="y",
            ).status_code,
            client.get("/informationsschreiben").status_code,
            client.get(f"/informationsschreiben/{letter_id}.pdf").status_code,
        ]
    assert dict(zip(ROUTES, statuses, strict=True)) == dict(zip(ROUTES, ACCESS[email], strict=True))
    changed = email == LEAD
    assert (award_row(app, opened, 1).status is AwardStatus.challenged) is changed
    assert (award_row(app, opened, 2).status is AwardStatus.cancelled) is changed


def test_the_participants_read_the_award_but_not_the_ranking(app, client, auth, opened):
    notified_tender(app, opened)
    auth.login(PARTNER)
    page = page_text(client.get(base(opened)))
    assert "Verkehrstechnik" in page and "08.01.2027" in page
    assert "Rangfolge" not in page and "52.000" not in page and "52000" not in page
    assert "Zuschlag erteilen" not in page and "Los aufheben" not in page


def test_the_tender_page_and_the_bids_page_link_to_the_award(app, client, auth, opened):
    notified_tender(app, opened)
    award_link = f'href="/vergaben/{opened.tender_id}/zuschlag"'
    for email, sees in ((LEAD, True), (PARTNER, True), (LEAD_REQUESTER, True)):
        auth.login(email)
        body = client.get(f"/vergaben/{opened.tender_id}").get_data(as_text=True)
        assert (award_link in body) is sees, email
        auth.logout()
    auth.login(OTHER_VENDOR)
    assert 'href="/informationsschreiben"' in client.get("/angebote").get_data(as_text=True)

