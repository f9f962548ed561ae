"""Check an eForms notice before it leaves the platform: a contract notice (subtype 16) or a
contract award notice (subtype 29).

Two levels:
- "platform": the platform's own checks, always (well-formed, no DTD, a known root, its notice
  subtype, every lot with title and CPV; a contract notice's bid deadline after the issue date,
  an award notice's result for every lot);
- "official": besides, the official artefacts of the eForms SDK 1.15.1 from ``EFORMS_RULES_DIR``
  ran: the XSD (``schemas/maindoc/UBL-ContractNotice-2.3.xsd`` or
  ``UBL-ContractAwardNotice-2.3.xsd``) and the SDK's static Schematron rules for the subtype
  compiled to XSLT 2 (``xslt/eforms-1.15.1-subtype-16.xsl`` or ``-29.xsl``, run with
  saxonche). Operators get them from the eForms SDK (OP-TED/eForms-SDK, tag 1.15.1); the
  artefacts are never part of this repository.

Notices are parsed without network access, without a DTD and without entity expansion.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from flask import current_app, has_app_context
from flask_babel import gettext as _
from lxml import etree

SDK_RELEASE = "1.15.1"
XSD_PATH = "schemas/maindoc/UBL-ContractNotice-2.3.xsd"
RULES_PATH = f"xslt/eforms-{SDK_RELEASE}-subtype-16.xsl"
CAN_XSD_PATH = "schemas/maindoc/UBL-ContractAwardNotice-2.3.xsd"
CAN_RULES_PATH = f"xslt/eforms-{SDK_RELEASE}-subtype-29.xsl"
CN_NS = "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"
CAN_NS = "urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
NS = {
    "cn": CN_NS,
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
}
AWARD_NS = {**{k: v for k, v in NS.items() if k != "cn"}, "can": CAN_NS}
MAX_NOTICE_BYTES = 20 * 1024 * 1024

OFFICIAL = "official"
PLATFORM = "platform"
FATAL = "fatal"
WARNING = "warning"

# The business terms the platform fills, named as the German eForms forms name them, so a
# failed SDK rule (BR-BT-00131-0022) reads as what is wrong.
BUSINESS_TERMS = {
    1: "Rechtsgrundlage",
    2: "Art der Bekanntmachung",
    4: "Kennung des Verfahrens",
    5: "Datum der Übermittlung",
    10: "Tätigkeit des Auftraggebers",
    11: "Rechtsform des Auftraggebers",
    14: "Auftragsunterlagen",
    15: "Internetadresse der Auftragsunterlagen",
    17: "Elektronische Einreichung",
    18: "Internetadresse für die Einreichung",
    21: "Titel",
    22: "Interne Kennung",
    23: "Art des Auftrags",
    24: "Beschreibung",
    27: "Geschätzter Wert",
    31: "Höchstzahl der Lose pro Angebot",
    36: "Laufzeit",
    60: "EU-Mittel",
    97: "Sprache der Angebote",
    98: "Bindefrist",
    105: "Verfahrensart",
    115: "GPA",
    125: "Kennung der vorherigen Bekanntmachung",
    131: "Frist für den Eingang der Angebote",
    142: "Ergebnis des Loses",
    144: "Grund für die Nichtvergabe",
    145: "Datum des Vertragsabschlusses",
    150: "Vertragskennung",
    161: "Gesamtwert der Vergabebekanntmachung",
    165: "Unternehmensgröße",
    262: "CPV-Code",
    500: "Name der Organisation",
    501: "Registrierungsnummer der Organisation",
    503: "Telefon",
    506: "E-Mail",
    507: "NUTS-Code der Organisation",
    512: "Postleitzahl",
    513: "Ort",
    514: "Land",
    539: "Art des Zuschlagskriteriums",
    540: "Beschreibung des Zuschlagskriteriums",
    541: "Gewichtung des Zuschlagskriteriums",
    701: "Kennung der Bekanntmachung",
    720: "Wert des Angebots",
    702: "Sprache der Bekanntmachung",
    734: "Bezeichnung des Zuschlagskriteriums",
    757: "Version der Bekanntmachung",
    759: "Anzahl der eingegangenen Angebote",
    760: "Art der eingegangenen Angebote",
    1451: "Datum der Zuschlagsentscheidung",
    5071: "NUTS-Code des Erfüllungsorts",
}


@dataclass(frozen=True)
class Finding:
    severity: str  # "fatal" (the notice must not be sent) or "warning"
    rule: str  # the SDK's rule id (BR-BT-00131-0022), "XSD", or a PLATFORM-* check
    message: str  # German, for the officer


@dataclass
class NoticeCheck:
    level: str  # "official" or "platform"
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(finding.severity == FATAL for finding in self.findings)

    @property
    def official(self) -> bool:
        return self.level == OFFICIAL


def safe_parser() -> etree.XMLParser:
    """A parser for untrusted XML: no DTD, no entities, no network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=False,
    )


def configured_rules_dir() -> str:
    return str(current_app.config.get("EFORMS_RULES_DIR") or "") if has_app_context() else ""


def rules_available(rules_dir: Optional[str], award: bool = False) -> bool:
    """True when the SDK artefacts (of the award notice with ``award``) are in ``rules_dir`` and
    saxonche can run them."""
    if not rules_dir:
        return False
    base = Path(rules_dir)
    xsd, rules = (CAN_XSD_PATH, CAN_RULES_PATH) if award else (XSD_PATH, RULES_PATH)
    if not (base / xsd).is_file() or not (base / rules).is_file():
        return False
    try:
        import saxonche  # noqa: F401
    except ImportError:
        return False
    return True


def check_notice(xml: bytes, rules_dir: Optional[str] = None) -> NoticeCheck:
    """Check a contract notice or a contract award notice: the platform's checks, and the SDK's
    when its artefacts are there.

    :param rules_dir: the SDK artefacts; None reads ``EFORMS_RULES_DIR`` of the app
    """
    if rules_dir is None:
        rules_dir = configured_rules_dir()
    doc, findings = _parse(xml)
    if doc is None:
        return NoticeCheck(PLATFORM, findings)
    award = doc.getroot().tag == f"{{{CAN_NS}}}ContractAwardNotice"
    findings += award_platform_findings(doc) if award else platform_findings(doc)
    if not rules_available(rules_dir, award):
        return NoticeCheck(PLATFORM, findings)
    assert rules_dir
    base = Path(rules_dir).resolve()
    xsd, rules = (CAN_XSD_PATH, CAN_RULES_PATH) if award else (XSD_PATH, RULES_PATH)
    findings += _official_findings(doc, str(base / xsd), str(base / rules))
    return NoticeCheck(OFFICIAL, findings)


# --- the platform's own checks ------------------------------------------------------------


def _parse(xml: bytes) -> tuple[Optional[etree._ElementTree], list[Finding]]:
    if len(xml) > MAX_NOTICE_BYTES:
        return None, [Finding(FATAL, "PLATFORM-SIZE", _("Die Bekanntmachung ist zu groß."))]
    try:
        root = etree.fromstring(xml, safe_parser())
    except etree.XMLSyntaxError as err:
        return None, [
            Finding(
                FATAL,
                "PLATFORM-XML",
                _("Die Bekanntmachung ist kein wohlgeformtes XML: %(error)s", error=err),
            )
        ]
    doc = root.getroottree()
    # A document type declaration can define entities (billion laughs, external files): refused.
    if doc.docinfo.doctype or doc.docinfo.internalDTD is not None:
        return None, [
            Finding(
                FATAL,
                "PLATFORM-DTD",
                _("Die Bekanntmachung enthält eine DTD oder Entitäten; das ist nicht erlaubt."),
            )
        ]
    return doc, []


def _first(node: etree._Element, path: str) -> str:
    found = node.xpath(path, namespaces=NS)
    return str(found[0]).strip() if found else ""


def _moment(day: str, time: str) -> Optional[datetime]:
    """An eForms date (2026-12-01+01:00) and time (10:00:00+01:00) as one aware datetime."""
    if len(day) < 10 or len(time) < 8:
        return None
    offset = time[8:] or day[10:] or "+00:00"
    if offset == "Z":
        offset = "+00:00"
    try:
        return datetime.fromisoformat(f"{day[:10]}T{time[:8]}{offset}")
    except ValueError:
        return None


def platform_findings(doc: etree._ElementTree) -> list[Finding]:
    """What the platform checks on every notice, with or without the SDK."""
    root = doc.getroot()
    if root.tag != f"{{{CN_NS}}}ContractNotice":
        return [
            Finding(
                FATAL, "PLATFORM-ROOT", _("Das Dokument ist keine Auftragsbekanntmachung (ContractNotice).")
            )
        ]
    findings: list[Finding] = []

    def fail(rule: str, message: str) -> None:
        findings.append(Finding(FATAL, rule, message))

    subtype = _first(root, "ext:UBLExtensions//efac:NoticeSubType/cbc:SubTypeCode/text()")
    if subtype != "16":
        fail("PLATFORM-SUBTYPE", _("Die Art der Bekanntmachung muss 16 (Auftragsbekanntmachung) sein."))
    if not _first(root, "cbc:ID/text()"):
        fail("PLATFORM-NOTICE-ID", _("Die Kennung der Bekanntmachung (BT-701) fehlt."))
    if not root.xpath("cac:ContractingParty", namespaces=NS):
        fail("PLATFORM-BUYER", _("Die Bekanntmachung nennt keinen Auftraggeber."))
    lots = root.xpath("cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']", namespaces=NS)
    if not lots:
        fail("PLATFORM-LOTS", _("Die Bekanntmachung enthält kein Los."))
    issued = _moment(_first(root, "cbc:IssueDate/text()"), _first(root, "cbc:IssueTime/text()"))
    if issued is None:
        fail("PLATFORM-ISSUED", _("Datum und Uhrzeit der Übermittlung (BT-05) fehlen."))
    for lot in lots:
        lot_id = _first(lot, "cbc:ID/text()") or "?"
        if not _first(lot, "cac:ProcurementProject/cbc:Name/text()"):
            fail("PLATFORM-LOT-TITLE", _("%(lot)s: Der Titel des Loses (BT-21) fehlt.", lot=lot_id))
        if not _first(
            lot, "cac:ProcurementProject/cac:MainCommodityClassification/cbc:ItemClassificationCode/text()"
        ):
            fail("PLATFORM-LOT-CPV", _("%(lot)s: Der CPV-Code des Loses (BT-262) fehlt.", lot=lot_id))
        period = "cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/"
        deadline = _moment(
            _first(lot, period + "cbc:EndDate/text()"), _first(lot, period + "cbc:EndTime/text()")
        )
        if deadline is None:
            fail(
                "PLATFORM-DEADLINE",
                _("%(lot)s: Die Angebotsfrist (BT-131) fehlt oder ist unvollständig.", lot=lot_id),
            )
        elif issued is not None and deadline <= issued:
            fail(
                "PLATFORM-DEADLINE-PAST",
                _(
                    "%(lot)s: Die Angebotsfrist (BT-131) endet vor dem Absenden der Bekanntmachung.",
                    lot=lot_id,
                ),
            )
    return findings


def award_platform_findings(doc: etree._ElementTree) -> list[Finding]:
    """What the platform checks on every award notice, with or without the SDK."""
    root = doc.getroot()
    findings: list[Finding] = []

    def fail(rule: str, message: str) -> None:
        findings.append(Finding(FATAL, rule, message))

    subtype = _first(root, "ext:UBLExtensions//efac:NoticeSubType/cbc:SubTypeCode/text()")
    if subtype != "29":
        fail("PLATFORM-SUBTYPE", _("Die Art der Bekanntmachung muss 29 (Vergabebekanntmachung) sein."))
    if not _first(root, "cbc:ID/text()"):
        fail("PLATFORM-NOTICE-ID", _("Die Kennung der Bekanntmachung (BT-701) fehlt."))
    if not root.xpath("cac:ContractingParty", namespaces=AWARD_NS):
        fail("PLATFORM-BUYER", _("Die Bekanntmachung nennt keinen Auftraggeber."))
    lots = root.xpath("cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']", namespaces=AWARD_NS)
    if not lots:
        fail("PLATFORM-LOTS", _("Die Bekanntmachung enthält kein Los."))
    results = set(root.xpath("//efac:LotResult/efac:TenderLot/cbc:ID/text()", namespaces=AWARD_NS))
    for lot in lots:
        lot_id = _first(lot, "cbc:ID/text()") or "?"
        if not _first(lot, "cac:ProcurementProject/cbc:Name/text()"):
            fail("PLATFORM-LOT-TITLE", _("%(lot)s: Der Titel des Loses (BT-21) fehlt.", lot=lot_id))
        if lot_id not in results:
            fail("PLATFORM-LOT-RESULT", _("%(lot)s: Das Ergebnis des Loses (BT-142) fehlt.", lot=lot_id))
    return findings


# --- the official artefacts ---------------------------------------------------------------

_lock = threading.Lock()  # one saxonche processor per process; checks run one at a time


@lru_cache(maxsize=4)
def _schema(path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(path, etree.XMLParser(no_network=True, resolve_entities=False)))


@lru_cache(maxsize=1)
def _saxon() -> Any:
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@lru_cache(maxsize=4)
def _rules(path: str) -> Any:
    """The compiled rules of a subtype (4-6 s), once per process and path."""
    return _saxon().new_xslt30_processor().compile_stylesheet(stylesheet_file=path)


def _official_findings(doc: etree._ElementTree, xsd_path: str, rules_path: str) -> list[Finding]:
    with _lock:  # a schema's error log and the Saxon processor are shared by all threads
        schema = _schema(xsd_path)
        if not schema.validate(doc):
            return [
                Finding(
                    FATAL, "XSD", _("Schemafehler in Zeile %(line)d: %(error)s", line=e.line, error=e.message)
                )
                for e in schema.error_log
            ]
        # Saxon reads the notice as lxml serialised it: the DTD-free, entity-free document.
        text = etree.tostring(doc, encoding="unicode")
        rules = _rules(rules_path)
        source = _saxon().parse_xml(xml_text=text)
        report = rules.transform_to_string(xdm_node=source)
    svrl = etree.fromstring(report.encode("utf-8"), safe_parser())
    findings = []
    for failed in svrl.iter(f"{SVRL}failed-assert"):
        severity = FATAL if (failed.get("role") or "ERROR").upper() == "ERROR" else WARNING
        rule = failed.get("id") or "?"
        findings.append(Finding(severity, rule, rule_message(rule, failed.get("location") or "")))
    return findings


def rule_message(rule: str, location: str) -> str:
    """A failed SDK rule in German: which business term, where (the rule texts are not shipped)."""
    parts = rule.split("-")
    term = ""
    if len(parts) >= 3 and parts[0] == "BR" and parts[1] in ("BT", "OPT", "OPP"):
        number = parts[2].lstrip("0") or "0"
        term = f"{parts[1]}-{number}"
        name = BUSINESS_TERMS.get(int(number)) if parts[1] == "BT" and number.isdigit() else None
        if name:
            term = f"{name} ({term})"
    place = _readable_location(location)
    if term:
        return _(
            "Regel %(rule)s des eForms-SDK verletzt: %(term)s fehlt oder ist ungültig (%(place)s).",
            rule=rule,
            term=term,
            place=place,
        )
    return _("Regel %(rule)s des eForms-SDK verletzt (%(place)s).", rule=rule, place=place)


def _readable_location(location: str) -> str:
    """/Q{ns}ContractNotice[1]/Q{ns}ProcurementProjectLot[2] -> ContractNotice/ProcurementProjectLot[2]"""
    steps = []
    for step in location.split("/"):
        if not step:
            continue
        name = step.rsplit("}", 1)[-1]
        steps.append(name[:-3] if name.endswith("[1]") else name)
    return "/".join(steps) or "?"
