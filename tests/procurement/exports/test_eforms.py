"""The eForms contract notice: built from the tender, valid by the SDK's rules, refused when broken."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from types import ModuleType

import pytest
from lxml import etree

from procurement.exports.eforms import NoticeDataMissing, build_contract_notice
from procurement.exports.validation import NS, check_notice
from procurement.extensions import db
from tests.procurement.exports.conftest import BID_DEADLINE, ISSUED_AT, RULES_DIR, Prepared

EFBC = "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1"


def build(prepared: Prepared) -> bytes:
    return build_contract_notice(
        prepared.load(),
        notice_uuid=str(uuid.uuid4()),
        issued_at=ISSUED_AT,
        base_url="https://vergabe.example",
    )


def xpath(xml: bytes, path: str) -> list:
    return etree.fromstring(xml).xpath(path, namespaces=NS | {"efbc": EFBC})


def without(xml: bytes, path: str) -> bytes:
    """The notice with every element at ``path`` removed (a broken copy)."""
    root = etree.fromstring(xml)
    for node in root.xpath(path, namespaces=NS):
        node.getparent().remove(node)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def assert_valid(xml: bytes, oracle: ModuleType) -> None:
    assert oracle.validate(xml) == []
    check = check_notice(xml, str(RULES_DIR))
    assert check.level == "official"
    assert check.ok and check.findings == []


# --- valid notices ----------------------------------------------------------------------------


def test_single_buyer_notice_with_one_lot_passes_the_sdk_rules(
    app_ctx, eu_tender: Callable[..., Prepared], oracle: ModuleType
) -> None:
    prepared = eu_tender(lots=1, buyers=1)
    xml = build(prepared)

    assert_valid(xml, oracle)
    assert len(xpath(xml, "cac:ContractingParty")) == 1
    assert xpath(xml, "//efbc:GroupLeadIndicator") == []  # only for a group of buyers
    assert xpath(xml, "cbc:CustomizationID/text()") == ["eforms-sdk-1.15"]
    assert xpath(xml, "cbc:RegulatoryDomain/text()") == ["32014L0024"]
    assert xpath(xml, "cbc:ContractFolderID/text()") == [prepared.load().procedure_uuid]
    assert xpath(xml, "//cac:PartyLegalEntity/cbc:CompanyID/text()") == [
        "08125099-RECHNUNG-39",  # the lead's Leitweg-ID
        "08-RPK-VERGABEKAMMER-12",  # the review body's registration id
    ]
    assert xpath(
        xml, "cac:ProcurementProject/cac:MainCommodityClassification/cbc:ItemClassificationCode/text()"
    ) == ["34996000"]
    assert xpath(
        xml, "cac:ProcurementProject/cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount/text()"
    ) == ["950000.00"]


def test_joint_notice_with_five_lots_names_every_buyer_and_the_lead_as_group_leader(
    app_ctx, eu_tender: Callable[..., Prepared], oracle: ModuleType
) -> None:
    prepared = eu_tender(lots=5, buyers=3)
    xml = build(prepared)

    assert_valid(xml, oracle)
    assert xpath(xml, "cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID/text()") == [
        "ORG-0001",
        "ORG-0002",
        "ORG-0003",
    ]
    assert xpath(xml, "//efbc:GroupLeadIndicator/text()") == ["true", "false", "false"]
    assert xpath(xml, "//efac:Organization[1]//cac:PartyName/cbc:Name/text()") == [
        "Stadt Talheim an der Lauter"
    ]
    lots = xpath(xml, "cac:ProcurementProjectLot")
    assert [lot.findtext("cbc:ID", namespaces=NS) for lot in lots] == [f"LOT-000{n}" for n in range(1, 6)]
    first = lots[0]
    assert first.xpath(".//cbc:DurationMeasure[@unitCode='MONTH']/text()", namespaces=NS) == ["3", "24"]
    # Lot 1: 3 buyers × 4 units × 9 500 EUR
    assert first.xpath(".//cbc:EstimatedOverallContractAmount/text()", namespaces=NS) == ["114000.00"]
    assert first.xpath(".//cbc:AwardingCriterionTypeCode/text()", namespaces=NS) == ["price", "quality"]
    assert first.xpath(".//efbc:ParameterNumeric/text()", namespaces=NS | {"efbc": EFBC}) == ["60", "40"]
    url = f"https://vergabe.example/ausschreibungen/{prepared.tender_id}"
    assert first.xpath(".//cac:CallForTendersDocumentReference//cbc:URI/text()", namespaces=NS) == [url]
    assert first.xpath(".//cac:TenderRecipientParty/cbc:EndpointID/text()", namespaces=NS) == [url]
    # 9 January 2027, 10:00 in Berlin (winter time)
    assert first.xpath(".//cac:TenderSubmissionDeadlinePeriod/*/text()", namespaces=NS) == [
        "2027-01-09+01:00",
        "10:00:00+01:00",
    ]
    assert xpath(xml, "cac:TenderingTerms/cac:LotDistribution/cbc:MaximumLotsSubmittedNumeric/text()") == [
        "5"
    ]


def test_notice_with_thirty_buyers_passes_and_falls_back_to_the_leads_contact(
    app_ctx, eu_tender: Callable[..., Prepared], oracle: ModuleType
) -> None:
    xml = build(eu_tender(lots=2, buyers=30))

    assert_valid(xml, oracle)
    assert len(xpath(xml, "cac:ContractingParty")) == 30
    assert len(xpath(xml, "//efac:Organization")) == 31  # and the review body
    phones = xpath(xml, "//efac:Organization/efac:Company/cac:Contact/cbc:Telephone/text()")
    assert phones[:3] == ["+49 7131 0000", "+49 7000 0001", "+49 7131 0000"]


# --- broken notices ---------------------------------------------------------------------------


def test_notice_without_bid_deadline_is_rejected_with_the_sdk_rule(
    app_ctx, eu_tender: Callable[..., Prepared], oracle: ModuleType
) -> None:
    broken = without(build(eu_tender()), "//cac:TenderSubmissionDeadlinePeriod")

    check = check_notice(broken, str(RULES_DIR))

    assert check.level == "official" and not check.ok
    rules = {finding.rule for finding in check.findings if finding.severity == "fatal"}
    assert {"BR-BT-00131-0022", "PLATFORM-DEADLINE"} <= rules
    message = next(f.message for f in check.findings if f.rule == "BR-BT-00131-0022")
    assert "Frist für den Eingang der Angebote (BT-131)" in message
    assert any(rule == "BR-BT-00131-0022" for _severity, rule, _text in oracle.validate(broken))


@pytest.mark.usefixtures("official_rules")
def test_notice_without_lot_title_is_rejected_with_the_sdk_rule(
    app_ctx, eu_tender: Callable[..., Prepared]
) -> None:
    broken = without(build(eu_tender(lots=2)), "cac:ProcurementProjectLot[2]/cac:ProcurementProject/cbc:Name")

    check = check_notice(broken, str(RULES_DIR))

    rules = {finding.rule for finding in check.findings}
    assert {"BR-BT-00021-0178", "PLATFORM-LOT-TITLE"} <= rules
    assert not check.ok


def test_only_the_platform_checks_run_without_the_sdk_artefacts(
    app_ctx, eu_tender: Callable[..., Prepared], tmp_path
) -> None:
    xml = build(eu_tender())
    broken = without(xml, "//cac:TenderSubmissionDeadlinePeriod")

    for rules_dir in ("", str(tmp_path), str(tmp_path / "missing")):
        assert check_notice(xml, rules_dir).level == "platform"
        assert check_notice(xml, rules_dir).ok
        check = check_notice(broken, rules_dir)
        assert check.level == "platform" and not check.ok
        assert [f.rule for f in check.findings] == ["PLATFORM-DEADLINE"]


@pytest.mark.usefixtures("official_rules")
def test_app_reads_the_rules_from_its_configuration(
    app_ctx, eu_tender: Callable[..., Prepared], monkeypatch
) -> None:
    xml = build(eu_tender())
    monkeypatch.setitem(app_ctx.config, "EFORMS_RULES_DIR", str(RULES_DIR))
    assert check_notice(xml).level == "official"
    monkeypatch.setitem(app_ctx.config, "EFORMS_RULES_DIR", "")
    assert check_notice(xml).level == "platform"


def test_deadline_before_the_issue_date_is_a_platform_finding(
    app_ctx, eu_tender: Callable[..., Prepared]
) -> None:
    xml = build(eu_tender())
    root = etree.fromstring(xml)
    root.find("cbc:IssueDate", NS).text = "2027-02-01+01:00"

    check = check_notice(etree.tostring(root), "")

    assert [f.rule for f in check.findings] == ["PLATFORM-DEADLINE-PAST"]


@pytest.mark.parametrize(
    "document",
    [
        # billion laughs
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b"<ContractNotice>&lol2;</ContractNotice>",
        # external entity (XXE)
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2">'
        b"&xxe;</ContractNotice>",
    ],
)
def test_xml_with_entities_is_refused(app_ctx, document: bytes) -> None:
    check = check_notice(document, str(RULES_DIR))

    assert not check.ok
    assert check.level == "platform"
    assert [f.rule for f in check.findings] == ["PLATFORM-DTD"]
    assert "root:" not in check.findings[0].message


def test_malformed_xml_and_other_documents_are_refused(app_ctx) -> None:
    assert [f.rule for f in check_notice(b"<ContractNotice>", "").findings] == ["PLATFORM-XML"]
    assert [f.rule for f in check_notice(b"<Invoice/>", "").findings] == ["PLATFORM-ROOT"]


# --- data the notice needs --------------------------------------------------------------------


def test_missing_data_is_listed_not_guessed(app_ctx, eu_tender: Callable[..., Prepared]) -> None:
    prepared = eu_tender(lots=1, buyers=2)
    tender = prepared.load()
    tender.bid_deadline = None
    tender.review_body_registration_id = ""
    tender.criteria.clear()
    partner = tender.participants[1]
    partner.leitweg_id = ""
    partner.organisation.leitweg_id = ""
    tender.lots[0].description = ""
    db.session.flush()

    with pytest.raises(NoticeDataMissing) as raised:
        build(prepared)

    assert raised.value.status_code == 422
    assert raised.value.messages == [
        "die Angebotsfrist (BT-131)",
        "die Zuschlagskriterien (BT-539)",
        "die Registrierungsnummer der Vergabekammer, z. B. ihre Leitweg-ID (BT-501)",
        "die Leitweg-ID von Gemeinde Musterhausen 1 (BT-501)",
        "Los 1: die Beschreibung (BT-24)",
    ]
    assert "Die Bekanntmachung kann noch nicht erstellt werden" in raised.value.message


def test_tender_without_lots_or_with_a_passed_deadline_has_no_notice(
    app_ctx, eu_tender: Callable[..., Prepared]
) -> None:
    prepared = eu_tender(lots=0)
    tender = prepared.load()
    tender.bid_deadline = ISSUED_AT

    with pytest.raises(NoticeDataMissing) as raised:
        build(prepared)

    assert raised.value.messages == [
        "eine Angebotsfrist, die nach dem Absenden der Bekanntmachung endet (BT-131)",
        "mindestens ein Los",
    ]
    assert BID_DEADLINE > ISSUED_AT
