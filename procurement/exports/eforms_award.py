"""eForms Contract Award Notice (subtype 29, eForms SDK 1.15) of a joint tender, built with lxml.

The buyers, the review body, the procedure and the lots are described as in the contract notice
(`procurement.exports.eforms`, whose helpers this module reuses). The results follow the eForms
model of a result notice (``efac:NoticeResult``):

- one ``LotResult`` per lot (RES-n): ``selec-w`` with the winning ``LotTender`` and the lot's
  ``SettledContract`` references, or ``clos-nw`` with the reason no winner was chosen (BT-144);
  both carry the received-submissions statistics (BT-759/BT-760) the rules require, ``t-large``
  included (BR-BT-13713-0123);
- one ``LotTender`` per winning tender (TEN-n) with its amount (BT-720) and tendering party;
- one ``SettledContract`` per awarded lot (CON-n): the rules allow one contract per lot result
  outside framework agreements (BR-OPT-00322-0053) and one contract per tender
  (BR-BT-03202-0102), so the participating municipalities' own contracts (§4 VgV) are one
  contract with each of them as signatory;
- one ``TenderingParty`` per winning vendor (TPA-n) pointing to the vendor's organisation.

Only the winners' tenders are described: the platform does not publish the prices of the
others (§39(6) VgV: no information whose release would harm the bidders' legitimate interests).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Optional

from flask_babel import gettext as _
from lxml import etree
from lxml.builder import ElementMaker

from procurement.accounts.models import CompanySize, Organisation
from procurement.awards.models import Contract
from procurement.exports.eforms import (
    CBC,
    CURRENCY,
    LANGUAGE,
    LEGAL_BASIS,
    NS,
    REVIEW_DEADLINES,
    SDK_VERSION,
    NoticeDataMissing,
    _buyer_organisation,
    _contracting_party,
    _cpv,
    _criterion,
    _location,
    _party_id,
    _procedure_project,
    _review_body,
    _text,
    buyers_of,
    eforms_date,
    eforms_time,
    missing_data,
)
from procurement.tenders.models import CancellationReason, Lot, Tender

SUBTYPE = "29"  # contract award notice, Directive 2014/24/EU, standard regime
CAN_NS = "urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2"
CAN_NSMAP = {**NS, None: CAN_NS}

ROOT = ElementMaker(namespace=CAN_NS, nsmap=CAN_NSMAP)
CAC = ElementMaker(namespace=NS["cac"], nsmap=CAN_NSMAP)
EXT = ElementMaker(namespace=NS["ext"], nsmap=CAN_NSMAP)
EFAC = ElementMaker(namespace=NS["efac"], nsmap=CAN_NSMAP)
EFEXT = ElementMaker(namespace=NS["efext"], nsmap=CAN_NSMAP)
EFBC = ElementMaker(namespace=NS["efbc"], nsmap=CAN_NSMAP)

# BT-144 (code list non-award-justification): why a lot was closed without a winner
NON_AWARD_REASONS = {
    CancellationReason.no_compliant_bid: "all-rej",  # §63(1) Nr. 1 VgV: all tenders rejected
    CancellationReason.fundamental_change: "chan-need",  # Nr. 2: change in need
    CancellationReason.no_economic_result: "all-rej",  # Nr. 3: no tender economically acceptable
    CancellationReason.other_serious_reasons: "other",  # Nr. 4
}
NO_TENDERS = "no-rece"  # BT-144: no tenders were received for the lot

# BT-514 (ISO 3166-1 alpha-3) of the countries the platform's vendors come from
COUNTRIES = {
    "DE": "DEU",
    "AT": "AUT",
    "BE": "BEL",
    "CH": "CHE",
    "CZ": "CZE",
    "DK": "DNK",
    "ES": "ESP",
    "FR": "FRA",
    "IT": "ITA",
    "LU": "LUX",
    "NL": "NLD",
    "PL": "POL",
    "SE": "SWE",
}
# the countries of COUNTRIES in the EEA (for BT-760 t-oth-eea / t-no-eea); CH is not
EEA = frozenset({"AT", "BE", "CZ", "DE", "DK", "ES", "FR", "IT", "LU", "NL", "PL", "SE"})


@dataclass
class LotOutcome:
    """The result of one lot as the notice, the public page and OCDS report it.

    ``winner`` and ``amount`` are set for a lot awarded (final), ``cancellation_reason`` for a lot
    closed without a winner. ``tenderers`` are the vendors whose bids for the lot were opened
    (the received-submissions statistics count them).
    """

    lot: Lot
    award_id: Optional[int]
    decided_at: Optional[datetime]  # BT-1451 the winner decision (or the cancellation)
    winner: Optional[Organisation] = None
    amount: Optional[Decimal] = None  # the winning tender's total net price (BT-720)
    tender_reference: str = ""  # the winning bid's Angebotsnummer (BT-3201)
    cancellation_reason: Optional[CancellationReason] = None
    cancellation_text: str = ""
    tenderers: list[Organisation] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)

    @property
    def awarded(self) -> bool:
        return self.winner is not None


def award_missing_data(
    tender: Tender, outcomes: Sequence[LotOutcome], issued_at: datetime, contract_notice_uuid: str
) -> list[str]:
    """Everything the award notice needs that the tender or its results do not have, in German."""
    # the contract notice's checks, without the bid deadline (long past by now)
    missing = [message for message in missing_data(tender, issued_at) if "BT-131" not in message]
    if not contract_notice_uuid:
        missing.append(
            _("die Auftragsbekanntmachung, auf die sich die Vergabebekanntmachung bezieht (BT-125)")
        )
    by_lot = {outcome.lot.id for outcome in outcomes}
    for lot in tender.lots:
        if lot.id not in by_lot:
            missing.append(_("Los %(number)d: der Zuschlag oder die Aufhebung", number=lot.number))
    vendors: dict[int, Organisation] = {}
    for outcome in outcomes:
        label = _("Los %(number)d", number=outcome.lot.number)
        if outcome.decided_at is None:
            missing.append(_("%(lot)s: das Datum der Zuschlagsentscheidung (BT-1451)", lot=label))
        if outcome.awarded:
            assert outcome.winner is not None
            vendors[outcome.winner.id] = outcome.winner
            if outcome.amount is None:
                missing.append(_("%(lot)s: der Wert des erfolgreichen Angebots (BT-720)", lot=label))
            if not outcome.contracts:
                missing.append(_("%(lot)s: die geschlossenen Verträge (BT-150)", lot=label))
        elif outcome.tenderers and outcome.cancellation_reason is None:
            missing.append(_("%(lot)s: der Grund der Aufhebung (BT-144)", lot=label))
        for tenderer in outcome.tenderers:
            vendors[tenderer.id] = tenderer
    for vendor in vendors.values():
        if vendor.company_size is None:
            missing.append(_("die Unternehmensgröße von %(name)s (BT-165)", name=vendor.name))
        if vendor.country_code not in COUNTRIES:
            missing.append(_("das Land von %(name)s (BT-514)", name=vendor.name))
    for outcome in outcomes:
        if outcome.winner is not None:
            winner = outcome.winner
            if not (winner.vat_id or "").strip():
                missing.append(_("die Registrierungsnummer von %(name)s (BT-501)", name=winner.name))
            if not winner.city.strip() or not winner.postal_code.strip():
                missing.append(_("Ort und Postleitzahl von %(name)s (BT-512, BT-513)", name=winner.name))
    return list(dict.fromkeys(missing))


def build_award_notice(
    tender: Tender,
    outcomes: Sequence[LotOutcome],
    *,
    notice_uuid: str,
    issued_at: datetime,
    contract_notice_uuid: str,
    contract_notice_version: str = "01",
    version: str = "01",
) -> bytes:
    """Build the Contract Award Notice (subtype 29) of ``tender`` as UTF-8 XML.

    :param outcomes: one per lot, in lot order (see `LotOutcome`)
    :param notice_uuid: BT-701, a new UUID for this notice
    :param issued_at: BT-05, when the notice is sent (aware)
    :param contract_notice_uuid: BT-701 of the contract notice the award follows (BT-125)
    :param version: BT-757, "01" for the first version of this notice
    :raises NoticeDataMissing: the tender or its results lack data the notice needs
    """
    missing = award_missing_data(tender, outcomes, issued_at, contract_notice_uuid)
    if missing:
        raise NoticeDataMissing(missing)
    buyers = buyers_of(tender)
    review_org_id = f"ORG-{len(buyers) + 1:04d}"
    vendor_org_ids: dict[int, str] = {}
    for outcome in outcomes:
        if outcome.winner is not None and outcome.winner.id not in vendor_org_ids:
            vendor_org_ids[outcome.winner.id] = f"ORG-{len(buyers) + 2 + len(vendor_org_ids):04d}"
    buyer_org_ids = {buyer.participant.id: buyer.org_id for buyer in buyers}
    previous = f"{contract_notice_uuid}-{contract_notice_version}"  # notice-id-ref: uuid-version

    notice = ROOT.ContractAwardNotice(
        EXT.UBLExtensions(
            EXT.UBLExtension(
                EXT.ExtensionContent(
                    EFEXT.EformsExtension(
                        _notice_result(tender, outcomes, vendor_org_ids, buyer_org_ids),
                        EFAC.NoticeSubType(CBC.SubTypeCode(SUBTYPE, listName="notice-subtype")),
                        EFAC.Organizations(
                            *[_buyer_organisation(tender, buyer, len(buyers) > 1) for buyer in buyers],
                            _review_body(tender, review_org_id),
                            *[
                                _vendor_organisation(outcome.winner, vendor_org_ids[outcome.winner.id])
                                for outcome in _first_win_per_vendor(outcomes)
                            ],
                        ),
                    )
                )
            )
        ),
        CBC.UBLVersionID("2.3"),
        CBC.CustomizationID(SDK_VERSION),
        CBC.ID(notice_uuid, schemeName="notice-id"),  # BT-701
        CBC.ContractFolderID(tender.procedure_uuid),  # BT-04: the same procedure as the CN
        CBC.IssueDate(eforms_date(issued_at)),  # BT-05
        CBC.IssueTime(eforms_time(issued_at)),
        CBC.VersionID(version),  # BT-757
        CBC.RegulatoryDomain(LEGAL_BASIS),  # BT-01
        CBC.NoticeTypeCode("can-standard", listName="result"),  # BT-02, BT-03
        CBC.NoticeLanguageCode(LANGUAGE),  # BT-702
        *[_contracting_party(buyer) for buyer in buyers],
        CAC.TenderingProcess(
            CBC.ProcedureCode("open", listName="procurement-procedure-type"),  # BT-105 (§15 VgV)
        ),
        _procedure_project(tender),
        *[_lot(tender, outcome.lot, review_org_id, previous) for outcome in outcomes],
        CAC.TenderResult(CBC.AwardDate(eforms_date(_award_date(outcomes)))),  # BT-1451
    )
    etree.cleanup_namespaces(notice, top_nsmap=CAN_NSMAP)
    return etree.tostring(notice, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _award_date(outcomes: Sequence[LotOutcome]) -> datetime:
    """BT-1451 of the notice: the first decision of the procedure's results."""
    return min(outcome.decided_at for outcome in outcomes if outcome.decided_at is not None)


def _first_win_per_vendor(outcomes: Sequence[LotOutcome]) -> list[LotOutcome]:
    seen: set[int] = set()
    firsts = []
    for outcome in outcomes:
        if outcome.winner is not None and outcome.winner.id not in seen:
            seen.add(outcome.winner.id)
            firsts.append(outcome)
    return firsts


def _amount(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _statistics(outcome: LotOutcome) -> list[etree._Element]:
    """BT-759/BT-760 received submissions: all electronic (§53(1) VgV), by size and origin."""
    sizes = [tenderer.company_size for tenderer in outcome.tenderers]
    large = sum(1 for size in sizes if size is CompanySize.large)
    origins = [tenderer.country_code for tenderer in outcome.tenderers]
    count = len(outcome.tenderers)
    figures = [
        ("tenders", count),
        ("t-esubm", count),
        ("t-large", large),
        ("t-sme", count - large),
        ("t-oth-eea", sum(1 for country in origins if country != "DE" and country in EEA)),
        ("t-no-eea", sum(1 for country in origins if country not in EEA)),
    ]
    return [
        EFAC.ReceivedSubmissionsStatistics(
            EFBC.StatisticsCode(code, listName="received-submission-type"),
            EFBC.StatisticsNumeric(str(number)),
        )
        for code, number in figures
    ]


def contract_reference(tender: Tender, lot: Lot) -> str:
    """BT-150 of a lot's contracts: eForms allows one contract per lot result outside framework
    agreements, so the municipalities' own contracts (§4 VgV) appear as one contract with every
    municipality as signatory, under the platform's reference of the lot."""
    return f"{tender.reference.strip() or tender.id}-{lot.eforms_id}"


def _notice_result(
    tender: Tender,
    outcomes: Sequence[LotOutcome],
    vendor_org_ids: dict[int, str],
    buyer_org_ids: dict[int, str],
) -> etree._Element:
    lot_results = []
    lot_tenders = []
    settled = []
    contract_number = 0
    tendering_parties: dict[int, str] = {}
    for index, outcome in enumerate(outcomes, start=1):
        lot_ref = EFAC.TenderLot(CBC.ID(outcome.lot.eforms_id, schemeName="Lot"))
        if not outcome.awarded:
            reason = NON_AWARD_REASONS[outcome.cancellation_reason] if outcome.tenderers else NO_TENDERS  # type: ignore[index]
            lot_results.append(
                EFAC.LotResult(
                    CBC.ID(f"RES-{index:04d}", schemeName="result"),
                    CBC.TenderResultCode("clos-nw", listName="winner-selection-status"),  # BT-142
                    EFAC.DecisionReason(EFBC.DecisionReasonCode(reason, listName="non-award-justification")),
                    *_statistics(outcome),
                    lot_ref,
                )
            )
            continue
        assert outcome.winner is not None and outcome.amount is not None
        tender_id = f"TEN-{index:04d}"
        party_id = tendering_parties.setdefault(outcome.winner.id, f"TPA-{len(tendering_parties) + 1:04d}")
        contract_number += 1
        contract_id = f"CON-{contract_number:04d}"
        signatories = list(dict.fromkeys(buyer_org_ids[c.participant_id] for c in outcome.contracts))
        settled.append(
            EFAC.SettledContract(
                CBC.ID(contract_id, schemeName="contract"),
                # BT-145: the first conclusion (all are concluded with the award, §134(2) GWB)
                CBC.IssueDate(eforms_date(min(c.concluded_at for c in outcome.contracts))),
                *[CAC.SignatoryParty(_party_id(org_id)) for org_id in signatories],
                EFAC.ContractReference(CBC.ID(contract_reference(tender, outcome.lot))),  # BT-150
                EFAC.LotTender(CBC.ID(tender_id, schemeName="tender")),
            )
        )
        lot_results.append(
            EFAC.LotResult(
                CBC.ID(f"RES-{index:04d}", schemeName="result"),
                CBC.TenderResultCode("selec-w", listName="winner-selection-status"),  # BT-142
                EFAC.LotTender(CBC.ID(tender_id, schemeName="tender")),
                *_statistics(outcome),
                EFAC.SettledContract(CBC.ID(contract_id, schemeName="contract")),
                lot_ref,
            )
        )
        lot_tenders.append(
            EFAC.LotTender(
                CBC.ID(tender_id, schemeName="tender"),
                CBC.RankCode("1"),  # BT-171: the winner ranks first
                EFBC.TenderRankedIndicator("true"),  # BT-1711
                CAC.LegalMonetaryTotal(  # BT-720
                    CBC.PayableAmount(_amount(outcome.amount), currencyID=CURRENCY)
                ),
                # BT-773: the platform does not ask bidders about subcontracting
                EFAC.SubcontractingTerm(EFBC.TermCode("not-known", listName="applicability")),
                EFAC.TenderingParty(CBC.ID(party_id, schemeName="tendering-party")),
                EFAC.TenderLot(CBC.ID(outcome.lot.eforms_id, schemeName="Lot")),
                EFAC.TenderReference(CBC.ID(outcome.tender_reference)),  # BT-3201: Angebotsnummer
            )
        )
    total = sum((outcome.amount for outcome in outcomes if outcome.amount is not None), Decimal(0))
    parties = [
        EFAC.TenderingParty(
            CBC.ID(party_id, schemeName="tendering-party"),
            EFAC.Tenderer(CBC.ID(vendor_org_ids[vendor_id], schemeName="organization")),
        )
        for vendor_id, party_id in tendering_parties.items()
    ]
    return EFAC.NoticeResult(
        CBC.TotalAmount(_amount(total), currencyID=CURRENCY),  # BT-161
        *lot_results,
        *lot_tenders,
        *settled,
        *parties,
    )


def _vendor_organisation(vendor: Organisation, org_id: str) -> etree._Element:
    """A winning vendor (BT-500 ff. in the tenderer role) with its size (BT-165)."""
    assert vendor.company_size is not None
    address_parts = [CBC.StreetName(vendor.street.strip())] if vendor.street.strip() else []
    address_parts += [CBC.CityName(vendor.city.strip()), CBC.PostalZone(vendor.postal_code.strip())]
    if vendor.nuts_code:
        address_parts.append(CBC.CountrySubentityCode(vendor.nuts_code, listName="nuts"))
    address_parts.append(
        CAC.Country(CBC.IdentificationCode(COUNTRIES[vendor.country_code], listName="country"))
    )
    contact = [CAC.Contact(CBC.ElectronicMail(vendor.email.strip()))] if (vendor.email or "").strip() else []
    return EFAC.Organization(
        EFAC.Company(
            EFBC.CompanySizeCode(vendor.company_size.value, listName="economic-operator-size"),
            _party_id(org_id),
            CAC.PartyName(_text(CBC, "Name", vendor.name)),
            CAC.PostalAddress(*address_parts),
            CAC.PartyLegalEntity(CBC.CompanyID((vendor.vat_id or "").strip())),
            *contact,
        )
    )


def _lot(tender: Tender, lot: Lot, review_org_id: str, previous_notice: str) -> etree._Element:
    terms = CAC.TenderingTerms(
        CBC.FundingProgramCode("no-eu-funds", listName="eu-funded"),  # BT-60
        CAC.AwardingTerms(CAC.AwardingCriterion(*[_criterion(c) for c in tender.criteria])),
        CAC.AppealTerms(
            CAC.PresentationPeriod(_text(CBC, "Description", REVIEW_DEADLINES)),  # BT-99
            CAC.AppealReceiverParty(_party_id(review_org_id)),
        ),
    )
    process = CAC.TenderingProcess(
        CBC.GovernmentAgreementConstraintIndicator("true"),  # BT-115
        CAC.NoticeDocumentReference(  # BT-125(i), BT-1251: the contract notice and its lot
            CBC.ID(previous_notice, schemeName="notice-id-ref"),
            CBC.ReferencedDocumentInternalAddress(lot.eforms_id),
        ),
        CAC.AuctionTerms(CBC.AuctionConstraintIndicator("false")),  # BT-767
        CAC.ContractingSystem(CBC.ContractingSystemTypeCode("none", listName="framework-agreement")),
        CAC.ContractingSystem(CBC.ContractingSystemTypeCode("none", listName="dps-usage")),
    )
    project = CAC.ProcurementProject(
        CBC.ID(str(lot.number), schemeName="InternalID"),  # BT-22
        _text(CBC, "Name", lot.title),  # BT-21
        _text(CBC, "Description", lot.description),  # BT-24
        CBC.ProcurementTypeCode(tender.contract_nature.value, listName="contract-nature"),  # BT-23
        _cpv(lot.cpv_code),
        _location(lot.nuts_code, lot.place_of_performance),
    )
    return CAC.ProcurementProjectLot(CBC.ID(lot.eforms_id, schemeName="Lot"), terms, process, project)
