"""eForms Contract Notice (subtype 16, eForms SDK 1.15) of a joint tender, built with lxml.

Each element carries the business term (BT-n) of the eForms regulation (EU 2019/1780) it holds.
The notice is built only from the tender's data; what a notice needs and the tender does not
have is an error (`NoticeDataMissing`), never a guess. Fixed values are what the platform does
for every procedure (open procedure under the VgV, electronic submission only, e-invoicing with
XRechnung, German as the only language) and say so in a comment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from flask import current_app, has_app_context
from flask_babel import gettext as _
from lxml import etree
from lxml.builder import ElementMaker
from werkzeug.routing import BuildError

from procurement.errors import DomainError
from procurement.tenders.advisor import BERLIN
from procurement.tenders.models import Criterion, CriterionKind, Lot, Participant, ScoringMethod, Tender

SDK_VERSION = "eforms-sdk-1.15"
SUBTYPE = "16"  # contract notice, Directive 2014/24/EU, open procedure
LEGAL_BASIS = "32014L0024"  # BT-01: Directive 2014/24/EU (public sector)
LANGUAGE = "DEU"  # BT-702, BT-97: the platform publishes in German only
COUNTRY = "DEU"  # BT-514: municipalities and review bodies of the platform are German
CURRENCY = "EUR"

NS = {
    None: "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
}

ROOT = ElementMaker(namespace=NS[None], nsmap=NS)
CAC = ElementMaker(namespace=NS["cac"], nsmap=NS)
CBC = ElementMaker(namespace=NS["cbc"], nsmap=NS)
EXT = ElementMaker(namespace=NS["ext"], nsmap=NS)
EFAC = ElementMaker(namespace=NS["efac"], nsmap=NS)
EFEXT = ElementMaker(namespace=NS["efext"], nsmap=NS)
EFBC = ElementMaker(namespace=NS["efbc"], nsmap=NS)

# BT-11: German municipalities (Gemeinden, Städte) are local authorities (code list
# buyer-legal-type: "la"; "ra" would be a Land)
BUYER_LEGAL_TYPE = "la"
BUYER_ACTIVITY = "gen-pub"  # BT-10: general public services
# BT-539: the platform's criterion kinds and the SDK's award-criterion-type codes
CRITERION_TYPES = {CriterionKind.price: "price", CriterionKind.quality: "quality"}

# the scoring methods in the notice's language (German, whatever the officer's UI language)
SCORING_METHODS = {
    ScoringMethod.lowest_price_ratio: (
        "Wertung: Punkte = Höchstpunktzahl × niedrigster Preis / Preis des Angebots."
    ),
    ScoringMethod.linear_interpolation: (
        "Wertung: Der niedrigste Preis erhält die Höchstpunktzahl, der doppelte niedrigste Preis "
        "0 Punkte, dazwischen linear."
    ),
    ScoringMethod.points_0_10: "Wertung: 0 bis 10 Punkte nach der veröffentlichten Bewertungsskala.",
    ScoringMethod.points_0_5: "Wertung: 0 bis 5 Punkte nach der veröffentlichten Bewertungsskala.",
}

NUTS_RE = re.compile(r"^DE[0-9A-Z]{1,3}$")
CPV_RE = re.compile(r"^(\d{8})(-\d)?$")

# BT-99 review deadlines: what §160(3) GWB demands of a bidder before the review body acts
REVIEW_DEADLINES = (
    "Ein Nachprüfungsantrag ist nach § 160 Abs. 3 GWB unzulässig, soweit der Antragsteller den "
    "geltend gemachten Verstoß gegen Vergabevorschriften vor Einreichen des Nachprüfungsantrags "
    "erkannt und gegenüber dem Auftraggeber nicht innerhalb einer Frist von zehn Kalendertagen "
    "gerügt hat, Verstöße, die aufgrund der Bekanntmachung erkennbar sind, nicht spätestens bis "
    "zum Ablauf der Angebotsfrist gerügt werden, oder mehr als 15 Kalendertage nach Eingang der "
    "Mitteilung des Auftraggebers, einer Rüge nicht abhelfen zu wollen, vergangen sind."
)


class NoticeDataMissing(DomainError):
    """The tender lacks data the notice needs; ``messages`` lists each gap in German."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = list(messages)
        super().__init__(
            _("Die Bekanntmachung kann noch nicht erstellt werden. Es fehlt: %(missing)s")
            % {"missing": "; ".join(self.messages)}
        )


@dataclass(frozen=True)
class Buyer:
    """One buyer (BT-500 ff.) of a joint procurement: a municipality taking part."""

    org_id: str
    participant: Participant
    lead: bool


def cpv_without_check_digit(code: str) -> Optional[str]:
    """BT-262 carries the eight digits of a CPV code without its check digit."""
    match = CPV_RE.match(code.strip())
    return match.group(1) if match else None


def eforms_date(moment: datetime | date) -> str:
    """A date with the offset of Europe/Berlin on that day (2026-11-25+01:00)."""
    if isinstance(moment, datetime):
        local = moment.astimezone(BERLIN)
    else:
        local = datetime(moment.year, moment.month, moment.day, 12, tzinfo=BERLIN)
    return local.date().isoformat() + _offset(local)


def eforms_time(moment: datetime) -> str:
    """A time of day in Europe/Berlin with its offset (10:00:00+01:00)."""
    local = moment.astimezone(BERLIN)
    return local.strftime("%H:%M:%S") + _offset(local)


def _offset(local: datetime) -> str:
    raw = local.strftime("%z")  # +0100
    return f"{raw[:3]}:{raw[3:]}"


def _amount(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def public_tender_url(tender: Tender, base_url: str) -> str:
    """The public tender page (BT-15 documents, BT-18 submission), absolute."""
    path = f"/ausschreibungen/{tender.id}"
    if has_app_context():
        try:
            adapter = current_app.url_map.bind("localhost")
            path = adapter.build("tenders.public_detail", {"tender_id": tender.id})
        except BuildError:
            pass  # the public page's endpoint is not there yet: its documented address
    return base_url.rstrip("/") + path


# --- what the tender must have --------------------------------------------------------------


def buyers_of(tender: Tender) -> list[Buyer]:
    """The lead's participation first, then every other municipality that joined."""
    lead = next((p for p in tender.participants if p.organisation_id == tender.lead_organisation_id), None)
    others = [p for p in tender.joined_participants if p.organisation_id != tender.lead_organisation_id]
    ordered = ([lead] if lead is not None else []) + others
    return [
        Buyer(org_id=f"ORG-{index:04d}", participant=participant, lead=participant is lead)
        for index, participant in enumerate(ordered, start=1)
    ]


def missing_data(tender: Tender, issued_at: datetime) -> list[str]:
    """Everything the notice needs that the tender does not have, in German."""
    missing: list[str] = []

    def need(value: object, message: str) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append(message)

    need(tender.title, _("der Titel der Ausschreibung (BT-21)"))
    need(tender.description, _("die Beschreibung der Ausschreibung (BT-24)"))
    if cpv_without_check_digit(tender.cpv_code or "") is None:
        missing.append(_("ein gültiger CPV-Code der Ausschreibung (BT-262)"))
    if not NUTS_RE.match(tender.nuts_code or ""):
        missing.append(_("ein deutscher NUTS-Code für den Erfüllungsort (BT-5071)"))
    need(tender.contact_email, _("die E-Mail-Adresse der Vergabestelle (BT-506)"))
    need(tender.contact_phone, _("die Telefonnummer der Vergabestelle (BT-503)"))
    if tender.bid_deadline is None:
        missing.append(_("die Angebotsfrist (BT-131)"))
    elif tender.bid_deadline <= issued_at:
        missing.append(_("eine Angebotsfrist, die nach dem Absenden der Bekanntmachung endet (BT-131)"))
    if not tender.lots:
        missing.append(_("mindestens ein Los"))
    if not tender.criteria:
        missing.append(_("die Zuschlagskriterien (BT-539)"))
    elif tender.criteria_weight_total != Decimal(100):
        missing.append(_("Zuschlagskriterien, deren Gewichtungen zusammen 100 Prozent ergeben (BT-541)"))

    need(tender.review_body_name, _("der Name der Vergabekammer (BT-500)"))
    need(tender.review_body_city, _("der Ort der Vergabekammer (BT-513)"))
    need(tender.review_body_postal_code, _("die Postleitzahl der Vergabekammer (BT-512)"))
    need(
        tender.review_body_registration_id,
        _("die Registrierungsnummer der Vergabekammer, z. B. ihre Leitweg-ID (BT-501)"),
    )
    if not NUTS_RE.match(tender.review_body_nuts or ""):
        missing.append(_("der NUTS-Code der Vergabekammer (BT-507)"))

    buyers = buyers_of(tender)
    if not any(buyer.lead for buyer in buyers):
        missing.append(_("die federführende Kommune als Teilnehmerin"))
    for buyer in buyers:
        participant = buyer.participant
        organisation = participant.organisation
        name = organisation.name
        if not (participant.leitweg_id or organisation.leitweg_id or "").strip():
            missing.append(_("die Leitweg-ID von %(name)s (BT-501)", name=name))
        if not NUTS_RE.match(organisation.nuts_code or ""):
            missing.append(_("der NUTS-Code von %(name)s (BT-507)", name=name))
        if not organisation.city.strip() or not organisation.postal_code.strip():
            missing.append(_("Ort und Postleitzahl von %(name)s (BT-512, BT-513)", name=name))

    for lot in tender.lots:
        label = _("Los %(number)d", number=lot.number)
        need(lot.title, _("%(lot)s: der Titel (BT-21)", lot=label))
        need(lot.description, _("%(lot)s: die Beschreibung (BT-24)", lot=label))
        if cpv_without_check_digit(lot.cpv_code or "") is None:
            missing.append(_("%(lot)s: ein gültiger CPV-Code (BT-262)", lot=label))
        if not NUTS_RE.match(lot.nuts_code or ""):
            missing.append(_("%(lot)s: ein deutscher NUTS-Code für den Erfüllungsort (BT-5071)", lot=label))
    return missing


# --- the notice ----------------------------------------------------------------------------


def build_contract_notice(
    tender: Tender,
    *,
    notice_uuid: str,
    issued_at: datetime,
    version: str = "01",
    base_url: str,
) -> bytes:
    """Build the Contract Notice (subtype 16) of ``tender`` as UTF-8 XML.

    :param notice_uuid: BT-701, a new UUID for every notice
    :param issued_at: BT-05, when the notice is sent (aware)
    :param version: BT-757, "01" for the first version of this notice
    :param base_url: the platform's public address (PUBLIC_BASE_URL) for BT-15 and BT-18
    :raises NoticeDataMissing: the tender lacks data the notice needs
    """
    missing = missing_data(tender, issued_at)
    if missing:
        raise NoticeDataMissing(missing)
    # imported here: tenders.services -> tenders.notices (publish) -> this module
    from procurement.tenders.services import advice_for

    buyers = buyers_of(tender)
    review_org_id = f"ORG-{len(buyers) + 1:04d}"
    lead_org_id = buyers[0].org_id
    url = public_tender_url(tender, base_url)
    lot_values = {
        value.number: value.value for value in advice_for(tender, issued_at.astimezone(BERLIN).date()).lots
    }

    notice = ROOT.ContractNotice(
        EXT.UBLExtensions(
            EXT.UBLExtension(
                EXT.ExtensionContent(
                    EFEXT.EformsExtension(
                        EFAC.NoticeSubType(CBC.SubTypeCode(SUBTYPE, listName="notice-subtype")),
                        EFAC.Organizations(
                            *[_buyer_organisation(tender, buyer, len(buyers) > 1) for buyer in buyers],
                            _review_body(tender, review_org_id),
                        ),
                    )
                )
            )
        ),
        CBC.UBLVersionID("2.3"),
        CBC.CustomizationID(SDK_VERSION),
        CBC.ID(notice_uuid, schemeName="notice-id"),  # BT-701
        CBC.ContractFolderID(tender.procedure_uuid),  # BT-04
        CBC.IssueDate(eforms_date(issued_at)),  # BT-05
        CBC.IssueTime(eforms_time(issued_at)),
        CBC.VersionID(version),  # BT-757
        CBC.RegulatoryDomain(LEGAL_BASIS),  # BT-01
        CBC.NoticeTypeCode("cn-standard", listName="competition"),  # BT-02, BT-03
        CBC.NoticeLanguageCode(LANGUAGE),  # BT-702
        *[_contracting_party(buyer) for buyer in buyers],
        CAC.TenderingTerms(
            # BT-806: exclusion grounds (§§123, 124 GWB) are set out in the tender documents
            _requirement("exclusion-grounds-source", "epo-procurement-document"),
            *_lot_distribution(tender),
        ),
        CAC.TenderingProcess(
            CBC.ProcedureCode("open", listName="procurement-procedure-type"),  # BT-105 (§15 VgV)
            CAC.ProcessJustification(  # BT-106: the platform never shortens the deadline (§15(3) VgV)
                CBC.ProcessReasonCode("false", listName="accelerated-procedure")
            ),
        ),
        _procedure_project(tender),
        *[
            _lot(tender, lot, lot_values.get(lot.number), url, lead_org_id, review_org_id)
            for lot in tender.lots
        ],
    )
    return etree.tostring(notice, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _text(maker: ElementMaker, name: str, value: str) -> etree._Element:
    return getattr(maker, name)(value.strip(), languageID=LANGUAGE)


def _requirement(list_name: str, code: str) -> etree._Element:
    return CAC.TendererQualificationRequest(
        CAC.SpecificTendererRequirement(CBC.TendererRequirementTypeCode(code, listName=list_name))
    )


def _execution(list_name: str, code: str) -> etree._Element:
    return CAC.ContractExecutionRequirement(CBC.ExecutionRequirementCode(code, listName=list_name))


def _party_id(org_id: str) -> etree._Element:
    return CAC.PartyIdentification(CBC.ID(org_id, schemeName="organization"))


def _address(city: str, postal_code: str, nuts: str, street: str = "") -> etree._Element:
    parts = [CBC.StreetName(street.strip())] if street.strip() else []  # BT-510
    parts += [
        CBC.CityName(city.strip()),  # BT-513
        CBC.PostalZone(postal_code.strip()),  # BT-512
        CBC.CountrySubentityCode(nuts, listName="nuts"),  # BT-507
        CAC.Country(CBC.IdentificationCode(COUNTRY, listName="country")),  # BT-514
    ]
    return CAC.PostalAddress(*parts)


def _buyer_organisation(tender: Tender, buyer: Buyer, joint: bool) -> etree._Element:
    participant = buyer.participant
    organisation = participant.organisation
    if buyer.lead:
        phone, email = tender.contact_phone, tender.contact_email
    else:
        phone = participant.contact_phone or tender.contact_phone
        email = participant.contact_email or tender.contact_email
    company = EFAC.Company(
        _party_id(buyer.org_id),  # OPT-200
        CAC.PartyName(_text(CBC, "Name", organisation.name)),  # BT-500
        _address(
            organisation.city, organisation.postal_code, organisation.nuts_code or "", organisation.street
        ),
        CAC.PartyLegalEntity(
            CBC.CompanyID((participant.leitweg_id or organisation.leitweg_id or "").strip())
        ),
        CAC.Contact(CBC.Telephone(phone.strip()), CBC.ElectronicMail(email.strip())),  # BT-503, BT-506
    )
    # OPP-050: in a joint procurement (§4 VgV) the lead authority is the buyers' group leader;
    # the SDK wants the indicator on every buyer then, and on none when there is one buyer.
    lead_flag = [EFBC.GroupLeadIndicator("true" if buyer.lead else "false")] if joint else []
    return EFAC.Organization(*lead_flag, company)


def _review_body(tender: Tender, org_id: str) -> etree._Element:
    """The Vergabekammer (§156 GWB) that reviews the procedure (BT-500 in the review role)."""
    contact = (
        [CAC.Contact(CBC.ElectronicMail(tender.review_body_email.strip()))]
        if tender.review_body_email.strip()
        else []
    )
    return EFAC.Organization(
        EFAC.Company(
            _party_id(org_id),
            CAC.PartyName(_text(CBC, "Name", tender.review_body_name)),
            _address(tender.review_body_city, tender.review_body_postal_code, tender.review_body_nuts),
            CAC.PartyLegalEntity(CBC.CompanyID(tender.review_body_registration_id.strip())),
            *contact,
        )
    )


def _contracting_party(buyer: Buyer) -> etree._Element:
    return CAC.ContractingParty(
        CAC.ContractingPartyType(CBC.PartyTypeCode(BUYER_LEGAL_TYPE, listName="buyer-legal-type")),
        CAC.ContractingActivity(CBC.ActivityTypeCode(BUYER_ACTIVITY, listName="authority-activity")),
        CAC.Party(_party_id(buyer.org_id)),
    )


def _location(nuts: str, description: str) -> etree._Element:
    """BT-5071 place of performance (NUTS 3) in Germany, BT-728 its description."""
    parts = [_text(CBC, "Description", description)] if description.strip() else []
    parts.append(
        CAC.Address(
            CBC.CountrySubentityCode(nuts, listName="nuts"),
            CAC.Country(CBC.IdentificationCode(COUNTRY, listName="country")),
        )
    )
    return CAC.RealizedLocation(*parts)


def _cpv(code: str) -> etree._Element:
    return CAC.MainCommodityClassification(
        CBC.ItemClassificationCode(cpv_without_check_digit(code), listName="cpv")
    )


def _procedure_project(tender: Tender) -> etree._Element:
    parts = [CBC.ID(tender.reference.strip(), schemeName="InternalID")] if tender.reference.strip() else []
    parts += [
        _text(CBC, "Name", tender.title),  # BT-21
        _text(CBC, "Description", tender.description),  # BT-24
        CBC.ProcurementTypeCode(tender.contract_nature.value, listName="contract-nature"),  # BT-23
    ]
    if tender.estimated_value is not None:  # BT-27: the value fixed for the procedure (§3 VgV)
        parts.append(
            CAC.RequestedTenderTotal(
                CBC.EstimatedOverallContractAmount(_amount(tender.estimated_value), currencyID=CURRENCY)
            )
        )
    parts += [_cpv(tender.cpv_code), _location(tender.nuts_code, tender.place_of_performance)]
    return CAC.ProcurementProject(*parts)


def _lot_distribution(tender: Tender) -> list[etree._Element]:
    """BT-31, BT-33: bidders may bid for every lot and win every lot (no §30(1) VgV limit)."""
    if len(tender.lots) < 2:
        return []
    count = str(len(tender.lots))
    return [
        CAC.LotDistribution(
            CBC.MaximumLotsAwardedNumeric(count),
            CBC.MaximumLotsSubmittedNumeric(count),
        )
    ]


def _criterion_description(criterion: Criterion) -> str:
    """BT-540: the officer's description and how offers are scored (§58(3) VgV)."""
    method = SCORING_METHODS[criterion.scoring_method]
    return f"{criterion.description.strip()} {method}" if criterion.description.strip() else method


def _criterion(criterion: Criterion) -> etree._Element:
    """BT-539 type, BT-734 name, BT-540 description, BT-541 weight as an exact percentage (BT-5421)."""
    parts = [
        CBC.AwardingCriterionTypeCode(CRITERION_TYPES[criterion.kind], listName="award-criterion-type"),
        _text(CBC, "Name", criterion.name),
        _text(CBC, "Description", _criterion_description(criterion)),
    ]
    return CAC.SubordinateAwardingCriterion(
        EXT.UBLExtensions(
            EXT.UBLExtension(
                EXT.ExtensionContent(
                    EFEXT.EformsExtension(
                        EFAC.AwardCriterionParameter(
                            EFBC.ParameterCode("per-exa", listName="number-weight"),
                            EFBC.ParameterNumeric(_number(criterion.weight)),
                        )
                    )
                )
            )
        ),
        *parts,
    )


def _lot(
    tender: Tender,
    lot: Lot,
    value: Optional[Decimal],
    url: str,
    lead_org_id: str,
    review_org_id: str,
) -> etree._Element:
    assert tender.bid_deadline is not None  # checked by missing_data
    terms = CAC.TenderingTerms(
        # BT-60: the platform's tenders are financed by the municipalities, not by EU funds
        CBC.FundingProgramCode("no-eu-funds", listName="eu-funded"),
        CAC.CallForTendersDocumentReference(  # BT-14, BT-15: documents free and public (§41 VgV)
            CBC.ID(f"VU-{tender.id}"),
            CBC.DocumentType("non-restricted-document"),
            CAC.Attachment(CAC.ExternalReference(CBC.URI(url))),
        ),
        _requirement("reserved-procurement", "none"),  # BT-71: no reservation (§118 GWB)
        _requirement("selection-criteria-source", "epo-procurement-document"),  # BT-821
        _execution("reserved-execution", "no"),  # BT-736
        _execution("einvoicing", "required"),  # BT-743: XRechnung (§3 E-Rechnungsverordnung)
        _execution("ecatalog-submission", "not-allowed"),  # BT-764
        CAC.AwardingTerms(CAC.AwardingCriterion(*[_criterion(c) for c in tender.criteria])),
        CAC.TenderRecipientParty(CBC.EndpointID(url), _party_id(lead_org_id)),  # BT-18
        CAC.TenderValidityPeriod(  # BT-98 Bindefrist
            CBC.DurationMeasure(str(tender.bid_validity_months), unitCode="MONTH")
        ),
        CAC.AppealTerms(
            CAC.PresentationPeriod(_text(CBC, "Description", REVIEW_DEADLINES)),  # BT-99
            CAC.AppealReceiverParty(_party_id(review_org_id)),
        ),
        CAC.Language(CBC.ID(LANGUAGE)),  # BT-97
        CAC.PostAwardProcess(
            CBC.ElectronicOrderUsageIndicator("false"),  # BT-92: orders are not placed on the platform
            CBC.ElectronicPaymentUsageIndicator("true"),  # BT-93: invoices are paid by transfer
        ),
    )
    process = CAC.TenderingProcess(
        CBC.SubmissionMethodCode("required", listName="esubmission"),  # BT-17 (§53(1) VgV)
        CBC.GovernmentAgreementConstraintIndicator("true"),  # BT-115: GPA applies above thresholds
        CAC.TenderSubmissionDeadlinePeriod(  # BT-131
            CBC.EndDate(eforms_date(tender.bid_deadline)),
            CBC.EndTime(eforms_time(tender.bid_deadline)),
        ),
        CAC.AuctionTerms(CBC.AuctionConstraintIndicator("false")),  # BT-767
        CAC.ContractingSystem(  # BT-765
            CBC.ContractingSystemTypeCode("none", listName="framework-agreement")
        ),
        CAC.ContractingSystem(CBC.ContractingSystemTypeCode("none", listName="dps-usage")),  # BT-766
    )
    project = [
        CBC.ID(str(lot.number), schemeName="InternalID"),  # BT-22
        _text(CBC, "Name", lot.title),  # BT-21
        _text(CBC, "Description", lot.description),  # BT-24
        CBC.ProcurementTypeCode(tender.contract_nature.value, listName="contract-nature"),  # BT-23
    ]
    if value is not None and value > 0:  # BT-27 of the lot: the joined participants' quantities
        project.append(
            CAC.RequestedTenderTotal(CBC.EstimatedOverallContractAmount(_amount(value), currencyID=CURRENCY))
        )
    project += [
        _cpv(lot.cpv_code),
        _location(lot.nuts_code, lot.place_of_performance),
        CAC.PlannedPeriod(CBC.DurationMeasure(str(tender.duration_months), unitCode="MONTH")),  # BT-36
    ]
    return CAC.ProcurementProjectLot(
        CBC.ID(lot.eforms_id, schemeName="Lot"),
        terms,
        process,
        CAC.ProcurementProject(*project),
    )
