"""Issuing notices and the notice pages: who sees what, and the public XML as it was issued."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from procurement.errors import DomainError, PermissionDenied
from procurement.exports.eforms import NoticeDataMissing
from procurement.extensions import db
from procurement.reference.deadlines import Procedure
from procurement.tenders import notices
from procurement.tenders.models import Notice, NoticeKind, Participant, ParticipantStatus
from tests.conftest import audit_actions, count, one, page_text
from tests.procurement.exports.conftest import ISSUED_AT, NOW, Prepared
from tests.procurement.tenders.conftest import LEAD, LEAD_REQUESTER, PARTNER, THIRD, VENDOR, user
from workflows.tender import TenderStatus


@pytest.fixture
def frozen() -> Iterator[None]:
    """The web tests run on the day before the notice is sent (the deadline lies ahead)."""
    with time_machine.travel(ISSUED_AT, tick=False):
        yield


def with_partner(app: Flask, prepared: Prepared) -> None:
    """Birkenfelde is invited to the tender: its officer reads it but does not run it."""
    with app.test_request_context():
        tender = prepared.load()
        tender.participants.append(
            Participant(organisation_id=user(PARTNER).organisation_id, status=ParticipantStatus.invited)
        )
        db.session.commit()


def publish(app: Flask, prepared: Prepared) -> str:
    """Issue the notice and mark the tender published (the publish service is another's);
    return the notice's id (BT-701)."""
    with app.test_request_context():
        tender = prepared.load()
        notice = notices.issue_notice(user(LEAD), tender, ISSUED_AT)
        tender.status = TenderStatus.published
        tender.published_at = ISSUED_AT
        notice_uuid = notice.notice_uuid
        db.session.commit()
        return notice_uuid


# --- issue_notice -----------------------------------------------------------------------------


@pytest.mark.usefixtures("official_rules")
def test_issuing_an_eu_notice_stores_the_checked_xml_and_audits_it(
    app: Flask, eu_tender: Callable[..., Prepared]
) -> None:
    prepared = eu_tender(lots=2, buyers=2)

    notice_uuid = publish(app, prepared)

    stored = one(app, Notice)
    assert stored.kind is NoticeKind.contract_notice
    assert stored.validation_level == "official"
    assert stored.notice_uuid == notice_uuid
    assert stored.sha256 == hashlib.sha256(stored.xml).hexdigest()
    root = etree.fromstring(stored.xml)
    assert root.findtext("{*}ID") == stored.notice_uuid
    assert "tender.notice_issued" in audit_actions(app)


def test_national_procedure_gets_the_platforms_notice_without_xml(
    app: Flask, eu_tender: Callable[..., Prepared]
) -> None:
    prepared = eu_tender()
    with app.test_request_context():
        tender = prepared.load()
        tender.procedure = Procedure.national_open
        notice = notices.issue_notice(user(LEAD), tender, ISSUED_AT)
        db.session.commit()
        assert (notice.kind, notice.xml, notice.validation_level) == (
            NoticeKind.national_notice,
            None,
            "platform",
        )


@pytest.mark.usefixtures("official_rules")
def test_notice_with_a_fatal_finding_is_not_issued(
    app: Flask, eu_tender: Callable[..., Prepared], monkeypatch: pytest.MonkeyPatch
) -> None:
    prepared = eu_tender()
    real_build = notices.build_contract_notice

    def broken_build(*args, **kwargs) -> bytes:  # type: ignore[no-untyped-def]
        root = etree.fromstring(real_build(*args, **kwargs))
        for node in root.xpath("//*[local-name()='TenderSubmissionDeadlinePeriod']"):
            node.getparent().remove(node)
        return etree.tostring(root)

    monkeypatch.setattr(notices, "build_contract_notice", broken_build)
    with app.test_request_context():
        with pytest.raises(DomainError) as raised:
            notices.issue_notice(user(LEAD), prepared.load(), ISSUED_AT)
        db.session.rollback()
    assert "BR-BT-00131-0022" in raised.value.message
    assert count(app, Notice) == 0
    assert "tender.notice_issued" not in audit_actions(app)


def test_only_the_leads_officers_issue_notices(app: Flask, eu_tender: Callable[..., Prepared]) -> None:
    prepared = eu_tender()
    with_partner(app, prepared)
    with app.test_request_context():
        for email in (PARTNER, LEAD_REQUESTER):
            with pytest.raises(PermissionDenied):
                notices.issue_notice(user(email), prepared.load(), ISSUED_AT)
    assert count(app, Notice) == 0


def test_tender_without_procedure_has_no_notice_yet(app: Flask, eu_tender: Callable[..., Prepared]) -> None:
    prepared = eu_tender()
    with app.test_request_context():
        tender = prepared.load()
        tender.procedure = None
        assert notices.preview_notice(tender, ISSUED_AT) == (
            None,
            None,
            ["die Verfahrensart (EU-weit oder national)"],
        )
        with pytest.raises(NoticeDataMissing):
            notices.issue_notice(user(LEAD), tender, ISSUED_AT)


# --- the preview page and the downloads -------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "status"),
    [(LEAD, 200), (PARTNER, 403), (LEAD_REQUESTER, 403), (THIRD, 404), (VENDOR, 404)],
)
def test_preview_and_its_download_are_for_the_leads_officers(
    app: Flask,
    client: FlaskClient,
    auth,
    eu_tender: Callable[..., Prepared],
    frozen: None,
    email: str,
    status: int,
) -> None:
    prepared = eu_tender()
    with_partner(app, prepared)
    auth.login(email)

    page = client.get(f"/vergaben/{prepared.tender_id}/bekanntmachung")
    download = client.get(f"/vergaben/{prepared.tender_id}/bekanntmachung.xml")

    assert (page.status_code, download.status_code) == (status, status)
    if status == 200:
        assert download.mimetype == "application/xml"
        assert "attachment" in download.headers["Content-Disposition"]
        root = etree.fromstring(download.data)
        assert etree.QName(root).localname == "ContractNotice"
    assert count(app, Notice) == 0  # a preview stores nothing


@pytest.mark.parametrize("url", ["/vergaben/{id}/bekanntmachung", "/vergaben/{id}/bekanntmachung.xml"])
def test_anonymous_visitors_are_sent_to_the_login(
    client: FlaskClient, eu_tender: Callable[..., Prepared], url: str
) -> None:
    prepared = eu_tender()
    response = client.get(url.format(id=prepared.tender_id))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.usefixtures("official_rules")
def test_preview_says_which_checks_ran(
    app: Flask, client: FlaskClient, auth, eu_tender: Callable[..., Prepared], frozen: None, monkeypatch
) -> None:
    prepared = eu_tender()
    auth.login(LEAD)
    url = f"/vergaben/{prepared.tender_id}/bekanntmachung"

    official = page_text(client.get(url))
    monkeypatch.setitem(app.config, "EFORMS_RULES_DIR", "")
    platform = page_text(client.get(url))

    assert "Geprüft mit den offiziellen Prüfregeln der EU" in official
    assert "Keine Fehler" in official
    assert "Nur die eigenen Prüfungen der Plattform sind gelaufen." in platform
    assert "offiziellen Prüfregeln der EU (eForms-SDK) sind auf diesem Server nicht eingerichtet" in platform


def test_preview_lists_what_is_missing(
    app: Flask, client: FlaskClient, auth, eu_tender: Callable[..., Prepared], frozen: None
) -> None:
    prepared = eu_tender()
    with app.test_request_context():
        prepared.load().bid_deadline = None
        db.session.commit()
    auth.login(LEAD)

    text = page_text(client.get(f"/vergaben/{prepared.tender_id}/bekanntmachung"))
    download = client.get(f"/vergaben/{prepared.tender_id}/bekanntmachung.xml")

    assert "Es fehlen diese Angaben: die Angebotsfrist (BT-131)" in text
    assert download.status_code == 422
    assert "die Angebotsfrist (BT-131)" in page_text(download)


# --- the public XML ---------------------------------------------------------------------------


def test_public_notice_xml_exists_only_after_publication(
    app: Flask, client: FlaskClient, eu_tender: Callable[..., Prepared]
) -> None:
    prepared = eu_tender()
    url = f"/ausschreibungen/{prepared.tender_id}/bekanntmachung.xml"
    assert client.get(url).status_code == 404

    publish(app, prepared)

    response = client.get(url)
    stored = one(app, Notice)
    assert response.status_code == 200
    assert response.data == stored.xml  # exactly as issued, byte for byte
    assert response.mimetype == "application/xml"


def test_issued_but_unpublished_notice_stays_private(
    app: Flask, client: FlaskClient, eu_tender: Callable[..., Prepared]
) -> None:
    prepared = eu_tender()
    with app.test_request_context():
        notices.issue_notice(user(LEAD), prepared.load(), ISSUED_AT)
        db.session.commit()
    assert client.get(f"/ausschreibungen/{prepared.tender_id}/bekanntmachung.xml").status_code == 404


def test_national_tender_has_no_public_notice_xml(
    app: Flask, client: FlaskClient, eu_tender: Callable[..., Prepared]
) -> None:
    prepared = eu_tender()
    with app.test_request_context():
        prepared.load().procedure = Procedure.national_open
        db.session.commit()
    publish(app, prepared)

    assert client.get(f"/ausschreibungen/{prepared.tender_id}/bekanntmachung.xml").status_code == 404
    assert client.get("/ausschreibungen/9999/bekanntmachung.xml").status_code == 404


def test_preview_after_publication_shows_the_issued_notice(
    app: Flask, client: FlaskClient, auth, eu_tender: Callable[..., Prepared], frozen: None
) -> None:
    prepared = eu_tender()
    notice_uuid = publish(app, prepared)
    auth.login(LEAD)

    response = client.get(f"/vergaben/{prepared.tender_id}/bekanntmachung")

    text = page_text(response)
    assert "Veröffentlichte Bekanntmachung" in text
    assert notice_uuid in text
    assert f'href="/ausschreibungen/{prepared.tender_id}/bekanntmachung.xml"' in response.get_data(
        as_text=True
    )
    assert NOW < ISSUED_AT
