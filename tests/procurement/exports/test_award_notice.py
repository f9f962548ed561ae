"""The eForms Contract Award Notice (subtype 29): built from the awards, checked by the official
rules, stored once; refused loudly when it is broken or the results are incomplete."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from types import ModuleType
from typing import Optional

import pytest
import time_machine
from flask import Flask
from lxml import etree
from sqlalchemy import select

from procurement.accounts.models import CompanySize, Organisation, OrganisationKind
from procurement.awards import notice as award_notice
from procurement.awards.models import Award, Contract, Offer
from procurement.bids.models import Bid
from procurement.errors import Conflict, PermissionDenied
from procurement.exports.eforms_award import LotOutcome, build_award_notice
from procurement.exports.validation import check_notice
from procurement.extensions import db
from procurement.tenders.models import CancellationReason, Notice, NoticeKind, Tender
from tests.conftest import audit_actions, count, csrf_token, page_text
from tests.procurement.exports.conftest import NOW, RULES_DIR, Prepared
from tests.procurement.tenders.conftest import LEAD, LEAD_REQUESTER, PARTNER, user
from workflows.award import AwardStatus
from workflows.bid import BidStatus
from workflows.tender import TenderStatus

NS = {
    "can": "urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
}
PUBLISHED_AT = NOW + timedelta(days=1)
OPENED_AT = NOW + timedelta(days=46)
PROPOSED_AT = NOW + timedelta(days=50)
FINALISED_AT = NOW + timedelta(days=62)
ISSUED_AT = NOW + timedelta(days=63)
SIZES = [CompanySize.medium, CompanySize.large, CompanySize.small, CompanySize.micro]


# --- award data, written straight into the database ------------------------------------------


@dataclass(frozen=True)
class Awarded:
    tender_id: int
    contract_notice_uuid: str
    vendors: list[int]  # organisation ids, the winner of every awarded lot first


def make_vendors(count_: int) -> list[Organisation]:
    vendors = []
    for number in range(1, count_ + 1):
        vendor = Organisation(
            kind=OrganisationKind.vendor,
            name=f"Lieferant {number} GmbH",
            street=f"Industriestraße {number}",
            postal_code=f"7{number:04d}",
            city="Heilbronn" if number % 2 else "Wien",
            country_code="DE" if number % 2 else "AT",
            email=f"angebote{number}@lieferant.example",
            vat_id=f"DE{100000000 + number}",
            nuts_code="DE118" if number % 2 else None,
            company_size=SIZES[(number - 1) % len(SIZES)],
        )
        db.session.add(vendor)
        vendors.append(vendor)
    db.session.flush()
    return vendors


def add_bids(tender: Tender, vendors: list[Organisation]) -> dict[int, Bid]:
    """Opened bids of ``vendors`` with a price for every lot; the first vendor is cheapest."""
    bids = {}
    for rank, vendor in enumerate(vendors):
        bid = Bid(
            tender_id=tender.id,
            organisation_id=vendor.id,
            status=BidStatus.opened,
            submitted_at=NOW + timedelta(days=20),
            opened_at=OPENED_AT,
            has_prices=True,
        )
        db.session.add(bid)
        db.session.flush()
        for lot in tender.lots:
            price = Decimal("40000.00") * lot.number + Decimal("1234.56") * rank
            db.session.add(Offer(tender_id=tender.id, bid_id=bid.id, lot_id=lot.id, price=price))
        bids[vendor.id] = bid
    db.session.flush()
    return bids


def decide(
    tender: Tender,
    winners: dict[int, Bid],
    cancelled: Optional[dict[int, CancellationReason]] = None,
) -> None:
    """Final awards for the lots in ``winners`` (lot number -> bid), with one contract per
    joined participant; cancelled lots in ``cancelled``; the tender ``awarded``."""
    cancelled = cancelled or {}
    for lot in tender.lots:
        if lot.number in cancelled:
            db.session.add(
                Award(
                    tender_id=tender.id,
                    lot_id=lot.id,
                    bid_id=None,
                    status=AwardStatus.cancelled,
                    cancelled_at=PROPOSED_AT,
                    cancellation_reason=cancelled[lot.number],
                    cancellation_text="Alle Angebote lagen deutlich über der Kostenschätzung.",
                )
            )
            continue
        bid = winners[lot.number]
        award = Award(
            tender_id=tender.id,
            lot_id=lot.id,
            bid_id=bid.id,
            status=AwardStatus.final,
            reasons="Wirtschaftlichstes Angebot.",
            proposed_at=PROPOSED_AT,
            notified_at=PROPOSED_AT,
            standstill_ends_at=PROPOSED_AT + timedelta(days=11),
            finalised_at=FINALISED_AT,
        )
        db.session.add(award)
        db.session.flush()
        price = db.session.scalars(
            select(Offer.price).where(Offer.bid_id == bid.id, Offer.lot_id == lot.id)
        ).one()
        vendor = db.session.get(Organisation, bid.organisation_id)
        participants = [p for p in tender.joined_participants if p.quantity_for(lot) > 0]
        total = sum((p.quantity_for(lot) for p in participants), Decimal(0))
        unit_price = (price / total).quantize(Decimal("0.0001"))
        for participant in participants:
            quantity = participant.quantity_for(lot)
            db.session.add(
                Contract(
                    number=f"V-{tender.id}-{lot.number}-{participant.id}",
                    tender_id=tender.id,
                    award_id=award.id,
                    lot_id=lot.id,
                    participant_id=participant.id,
                    buyer_organisation_id=participant.organisation_id,
                    vendor_organisation_id=vendor.id,
                    bid_id=bid.id,
                    buyer_name=participant.organisation.name,
                    leitweg_id=participant.leitweg_id or participant.organisation.leitweg_id or "",
                    billing_name=participant.organisation.name,
                    billing_street=participant.organisation.street,
                    billing_postal_code=participant.organisation.postal_code,
                    billing_city=participant.organisation.city,
                    vendor_name=vendor.name,
                    lot_title=lot.title,
                    cpv_code=lot.cpv_code,
                    unit=lot.unit,
                    quantity=quantity,
                    unit_price=unit_price,
                    net_value=(quantity * unit_price).quantize(Decimal("0.01")),
                    concluded_at=FINALISED_AT,
                )
            )
    for bid in {bid.id: bid for bid in winners.values()}.values():
        bid.status = BidStatus.successful
    tender.status = TenderStatus.awarded
    db.session.flush()


def publish_directly(tender: Tender) -> str:
    """The tender as published with a stored contract notice (its XML is not what is tested)."""
    notice_uuid = str(uuid.uuid4())
    tender.notices.append(
        Notice(
            kind=NoticeKind.contract_notice if tender.is_eu else NoticeKind.national_notice,
            notice_uuid=notice_uuid,
            version="01",
            xml=b"<ContractNotice/>" if tender.is_eu else None,
            sha256="",
            validation_level="official",
            created_at=PUBLISHED_AT,
        )
    )
    tender.published_at = PUBLISHED_AT
    tender.status = TenderStatus.evaluation
    db.session.flush()
    return notice_uuid


def make_awarded(
    app: Flask,
    prepared: Prepared,
    vendors: int = 3,
    cancelled: Optional[dict[int, CancellationReason]] = None,
) -> Awarded:
    """Publish, receive ``vendors`` bids, award every lot to the cheapest (or cancel it)."""
    with app.test_request_context():
        tender = prepared.load()
        cn_uuid = publish_directly(tender)
        organisations = make_vendors(vendors)
        bids = add_bids(tender, organisations)
        winner = bids[organisations[0].id]
        decide(tender, {lot.number: winner for lot in tender.lots}, cancelled)
        ids = [organisation.id for organisation in organisations]
        db.session.commit()
    return Awarded(prepared.tender_id, cn_uuid, ids)


# --- helpers -----------------------------------------------------------------------------------


def xpath(xml: bytes, path: str) -> list:  # type: ignore[type-arg]
    return etree.fromstring(xml).xpath(path, namespaces=NS)


def build(tender: Tender, outcomes: list[LotOutcome], cn_uuid: str) -> bytes:
    return build_award_notice(
        tender, outcomes, notice_uuid=str(uuid.uuid4()), issued_at=ISSUED_AT, contract_notice_uuid=cn_uuid
    )


def assert_valid(xml: bytes, oracle: ModuleType) -> None:
    failures = [finding for finding in oracle.validate(xml) if finding[0] == "fatal"]
    assert failures == [], "\n".join(f"{rule}: {text[-300:]}" for _s, rule, text in failures)


def issue(app: Flask, awarded: Awarded) -> Notice:
    with app.test_request_context():
        tender = db.session.get(Tender, awarded.tender_id)
        notice = award_notice.issue_award_notice(user(LEAD), tender, ISSUED_AT)
        db.session.commit()
        assert notice is not None
        return db.session.get(Notice, notice.id)


# --- the notice --------------------------------------------------------------------------------


def test_award_notice_for_one_lot_names_winner_value_contracts_and_statistics(
    app: Flask, eu_tender: Callable[..., Prepared], oracle: ModuleType
) -> None:
    awarded = make_awarded(app, eu_tender(lots=1, buyers=2))

    with app.test_request_context():
        tender = db.session.get(Tender, awarded.tender_id)
        xml = build(tender, award_notice.lot_outcomes(tender), awarded.contract_notice_uuid)

    assert_valid(xml, oracle)
    assert xpath(xml, "cbc:NoticeTypeCode/text()") == ["can-standard"]
    assert xpath(xml, "//efac:NoticeSubType/cbc:SubTypeCode/text()") == ["29"]
    assert xpath(xml, "cbc:ContractFolderID/text()") == [tender.procedure_uuid]
    assert xpath(xml, "//cac:NoticeDocumentReference/cbc:ID/text()") == [f"{awarded.contract_notice_uuid}-01"]
    assert xpath(xml, "//efac:LotResult/cbc:TenderResultCode/text()") == ["selec-w"]
    statistics = dict(
        zip(
            xpath(xml, "//efac:ReceivedSubmissionsStatistics/efbc:StatisticsCode/text()"),
            xpath(xml, "//efac:ReceivedSubmissionsStatistics/efbc:StatisticsNumeric/text()"),
            strict=True,
        )
    )
    # three bids: medium (DE), large (AT), small (DE)
    assert statistics == {
        "tenders": "3",
        "t-esubm": "3",
        "t-large": "1",
        "t-sme": "2",
        "t-oth-eea": "1",
        "t-no-eea": "0",
    }
    # only the winner's tender and amount: the losers' prices are not published
    assert xpath(xml, "//efac:NoticeResult/efac:LotTender//cbc:PayableAmount/text()") == ["40000.00"]
    assert xpath(xml, "//efac:NoticeResult/cbc:TotalAmount/text()") == ["40000.00"]
    assert b"41234.56" not in xml
    winner_org = xpath(xml, "//efac:TenderingParty/efac:Tenderer/cbc:ID/text()")
    assert winner_org == ["ORG-0004"]  # after two buyers and the review body
    assert xpath(xml, "//efac:Organization[.//cbc:ID='ORG-0004']//cbc:Name/text()") == ["Lieferant 1 GmbH"]
    assert xpath(xml, "//efac:Organization[.//cbc:ID='ORG-0004']//efbc:CompanySizeCode/text()") == ["medium"]
    # the municipalities' contracts for the lot, each of them a signatory
    assert xpath(xml, "//efac:NoticeResult/efac:SettledContract/cac:SignatoryParty//cbc:ID/text()") == [
        "ORG-0001",
        "ORG-0002",
    ]
    assert xpath(xml, "//efac:NoticeResult/efac:SettledContract/efac:ContractReference/cbc:ID/text()") == [
        "VG-2026-17-LOT-0001"
    ]
    assert xpath(xml, "cac:TenderResult/cbc:AwardDate/text()") == ["2027-01-14+01:00"]


def test_award_notice_with_five_lots_and_a_cancelled_lot_passes(
    app: Flask, eu_tender: Callable[..., Prepared], oracle: ModuleType
) -> None:
    awarded = make_awarded(
        app, eu_tender(lots=5, buyers=3), cancelled={4: CancellationReason.no_economic_result}
    )

    with app.test_request_context():
        tender = db.session.get(Tender, awarded.tender_id)
        xml = build(tender, award_notice.lot_outcomes(tender), awarded.contract_notice_uuid)

    assert_valid(xml, oracle)
    assert xpath(xml, "//efac:LotResult/cbc:TenderResultCode/text()") == ["selec-w"] * 3 + [
        "clos-nw",
        "selec-w",
    ]
    assert xpath(xml, "//efac:LotResult[cbc:TenderResultCode='clos-nw']//efbc:DecisionReasonCode/text()") == [
        "all-rej"
    ]
    assert xpath(xml, "//efac:LotResult[cbc:TenderResultCode='clos-nw']/efac:TenderLot/cbc:ID/text()") == [
        "LOT-0004"
    ]
    # one contract per awarded lot, signed by each of the three municipalities
    settled = xpath(xml, "//efac:NoticeResult/efac:SettledContract")
    assert len(settled) == 4
    assert all(len(contract.xpath("cac:SignatoryParty", namespaces=NS)) == 3 for contract in settled)
    assert len(xpath(xml, "//efac:NoticeResult/efac:TenderingParty")) == 1
    # 40 000 + 80 000 + 120 000 + 200 000
    assert xpath(xml, "//efac:NoticeResult/cbc:TotalAmount/text()") == ["440000.00"]


def test_award_notice_for_thirty_buyers_passes(
    app: Flask, eu_tender: Callable[..., Prepared], oracle: ModuleType
) -> None:
    awarded = make_awarded(app, eu_tender(lots=2, buyers=30), vendors=4)

    with app.test_request_context():
        tender = db.session.get(Tender, awarded.tender_id)
        xml = build(tender, award_notice.lot_outcomes(tender), awarded.contract_notice_uuid)

    assert_valid(xml, oracle)
    assert len(xpath(xml, "cac:ContractingParty")) == 30
    assert len(xpath(xml, "//efac:NoticeResult/efac:SettledContract/cac:SignatoryParty")) == 60
    assert len(xpath(xml, "//efac:Organizations/efac:Organization")) == 30 + 1 + 1


def test_broken_award_notice_is_rejected_by_the_official_rules(
    app: Flask, eu_tender: Callable[..., Prepared], oracle: ModuleType
) -> None:
    awarded = make_awarded(app, eu_tender(lots=1))
    with app.test_request_context():
        tender = db.session.get(Tender, awarded.tender_id)
        root = etree.fromstring(
            build(tender, award_notice.lot_outcomes(tender), awarded.contract_notice_uuid)
        )
    statistic = root.xpath(
        "//efac:ReceivedSubmissionsStatistics[efbc:StatisticsCode='t-large']", namespaces=NS
    )[0]
    statistic.getparent().remove(statistic)
    broken = etree.tostring(root)

    check = check_notice(broken, str(RULES_DIR))

    assert check.level == "official" and not check.ok
    assert "BR-BT-13713-0123" in {finding.rule for finding in check.findings if finding.severity == "fatal"}
    assert any(rule == "BR-BT-13713-0123" for _severity, rule, _text in oracle.validate(broken))


# --- issue_award_notice -----------------------------------------------------------------------


@pytest.mark.usefixtures("official_rules")
def test_issuing_stores_the_checked_award_notice_once_and_audits_it(
    app: Flask, eu_tender: Callable[..., Prepared]
) -> None:
    awarded = make_awarded(app, eu_tender(lots=2, buyers=2))

    first = issue(app, awarded)
    again = issue(app, awarded)

    assert first.id == again.id
    assert first.kind is NoticeKind.award_notice
    assert first.validation_level == "official"
    assert first.sha256 == hashlib.sha256(first.xml).hexdigest()
    assert xpath(first.xml, "cbc:ID/text()") == [first.notice_uuid]
    assert count(app, Notice, Notice.kind == NoticeKind.award_notice) == 1
    assert audit_actions(app).count("tender.award_notice_issued") == 1


def test_national_procedure_gets_an_award_record_without_xml(
    app: Flask, eu_tender: Callable[..., Prepared]
) -> None:
    from procurement.reference.deadlines import Procedure

    prepared = eu_tender(lots=1)
    with app.test_request_context():
        prepared.load().procedure = Procedure.national_open
        db.session.commit()
    awarded = make_awarded(app, prepared)

    stored = issue(app, awarded)

    assert stored.kind is NoticeKind.national_award_notice
    assert stored.xml is None


def test_award_notice_with_an_undecided_lot_is_refused_and_nothing_is_stored(
    app: Flask, eu_tender: Callable[..., Prepared]
) -> None:
    awarded = make_awarded(app, eu_tender(lots=2))
    with app.test_request_context():
        award = db.session.scalars(
            select(Award).join(Award.lot).where(Award.tender_id == awarded.tender_id)
        ).all()[1]
        award.status = AwardStatus.notified
        db.session.commit()

    with pytest.raises(Conflict, match="Los 2"):
        issue(app, awarded)
    assert count(app, Notice, Notice.kind == NoticeKind.award_notice) == 0


def test_award_notice_with_missing_vendor_size_is_refused_naming_the_vendor(
    app: Flask, eu_tender: Callable[..., Prepared]
) -> None:
    awarded = make_awarded(app, eu_tender(lots=1))
    with app.test_request_context():
        db.session.get(Organisation, awarded.vendors[1]).company_size = None
        db.session.commit()

    with pytest.raises(Conflict, match="Unternehmensgröße von Lieferant 2 GmbH"):
        issue(app, awarded)
    assert count(app, Notice, Notice.kind == NoticeKind.award_notice) == 0


def test_only_the_leads_officers_issue_the_award_notice(
    app: Flask, eu_tender: Callable[..., Prepared]
) -> None:
    awarded = make_awarded(app, eu_tender(lots=1))
    with app.test_request_context():
        tender = db.session.get(Tender, awarded.tender_id)
        with pytest.raises(PermissionDenied):
            award_notice.issue_award_notice(user(PARTNER), tender, ISSUED_AT)


def test_a_failed_award_notice_is_shown_to_the_lead_and_issued_from_the_award_page(
    app: Flask,
    client,
    auth,
    eu_tender: Callable[..., Prepared],  # type: ignore[no-untyped-def]
) -> None:
    """The Zuschlag stands without the notice (§39 VgV: 30 days); the page says so, and once the
    missing company size is there the lead's officer issues it with one button."""
    awarded = make_awarded(app, eu_tender(lots=1))
    with app.test_request_context():
        db.session.get(Organisation, awarded.vendors[1]).company_size = None
        db.session.commit()
    page_url = f"/vergaben/{awarded.tender_id}/zuschlag"
    url = f"{page_url}/bekanntmachung"
    traveller = time_machine.travel(ISSUED_AT, tick=False)  # after the contracts were concluded
    traveller.start()
    auth.login(LEAD)
    page = page_text(client.get(page_url))
    assert "Vergabebekanntmachung aber noch nicht erstellt" in page
    token = csrf_token(client, page_url)
    response = client.post(url, data={"notice-csrf_token": token})
    assert response.status_code == 409
    assert "Unternehmensgröße von Lieferant 2 GmbH" in page_text(response)
    assert count(app, Notice, Notice.kind == NoticeKind.award_notice) == 0

    with app.test_request_context():
        db.session.get(Organisation, awarded.vendors[1]).company_size = CompanySize.small
        db.session.commit()
    response = client.post(url, data={"notice-csrf_token": token})
    assert response.status_code == 302, page_text(response)
    assert count(app, Notice, Notice.kind == NoticeKind.award_notice) == 1
    page = page_text(client.get(page_url))
    assert "Vergabebekanntmachung erstellen" not in page and "Öffentliche Bekanntmachung ansehen" in page
    assert client.post(url, data={}).status_code == 400  # without the CSRF token

    auth.logout()
    auth.login(LEAD_REQUESTER)  # sees the tender, but only the lead's officers issue notices
    assert client.post(url, data={"notice-csrf_token": csrf_token(client, "/")}).status_code == 403
    traveller.stop()
