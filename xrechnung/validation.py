"""Validate an XRechnung UBL document: the library's own checks, and the official rules.

Two levels, and the report says which one ran:

- **own checks only**: safe parsing (no DTD, no entities, no network), the mandatory business
  terms, the totals, the VAT breakdown, the payment groups of the German rules and the Leitweg-ID
  in BT-10 (``xrechnung.leitweg``), each with the official rule id where one exists;
- **XSD + EN 16931 + XRechnung**: besides, the official artefacts from a rules directory laid out
  like KoSIT's validator configuration as unpacked in ``../shared/xrechnung``:
  ``xsd/ubl-2.1/maindoc/UBL-{Invoice,CreditNote}-2.1.xsd`` (OASIS UBL 2.1, with lxml) and
  ``xslt/EN16931-UBL-validation.xslt`` (CEN) and ``xslt/XRechnung-UBL-validation.xsl`` (KoSIT),
  run with saxonche. As KoSIT's validator does, the scenario is chosen by the root element and
  the specification identifier (BT-24), and the scenario re-grades some rules.

The rules directory is the ``rules_dir`` argument, else ``XRECHNUNG_RULES_DIR`` (set but empty:
own checks only), else ``../shared/xrechnung`` beside the repository when it exists. Schemas and
compiled stylesheets are cached per process.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from lxml import etree

from xrechnung.errors import InvalidDocument
from xrechnung.leitweg import InvalidLeitwegId, validate_leitweg_id
from xrechnung.model import CREDIT_NOTE_TYPE_CODES, XRECHNUNG_3_0, XRECHNUNG_3_0_EXTENSION, round_amount
from xrechnung.rules import (
    CATEGORY_RULES,
    EXEMPTION_REQUIRED,
    RULES,
    ZERO_RATE,
    Severity,
    rule,
)
from xrechnung.xmlsafe import CAC, CBC, NAMESPACES, document_kind, load, safe_parser

XRECHNUNG_3_0_CVD = XRECHNUNG_3_0 + "#compliant#urn:xeinkauf.de:kosit:xrechnung:cvd_0.9"
RULES_DIR_ENV = "XRECHNUNG_RULES_DIR"
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RULES_DIR = REPOSITORY_ROOT.parent / "shared" / "xrechnung"
ARTEFACTS = {
    "Invoice": "xsd/ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    "CreditNote": "xsd/ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
    "EN 16931": "xslt/EN16931-UBL-validation.xslt",
    "XRechnung": "xslt/XRechnung-UBL-validation.xsl",
}
SVRL = "{http://purl.oclc.org/dsdl/svrl}"

# KoSIT validator configuration for XRechnung (release 2026-01-31, scenarios.xml): the scenario
# follows root element and BT-24, and each scenario re-grades rules ("customLevel").
_BASE_LEVELS = {"BR-CL-21": Severity.WARNING, "BR-CL-23": Severity.WARNING}
SCENARIOS: dict[tuple[str, str], tuple[str, dict[str, Severity]]] = {
    ("Invoice", XRECHNUNG_3_0): ("standard", {**_BASE_LEVELS, "UBL-CR-646": Severity.FATAL}),
    (
        "Invoice",
        XRECHNUNG_3_0_EXTENSION,
    ): (
        "extension",
        {
            "BR-CL-21": Severity.INFORMATION,
            "BR-CL-23": Severity.WARNING,
            "BR-CL-24": Severity.INFORMATION,
            "BR-CL-10": Severity.INFORMATION,
            "BR-CL-11": Severity.INFORMATION,
            "BR-CL-25": Severity.INFORMATION,
            "BR-CL-26": Severity.INFORMATION,
            "BR-CO-16": Severity.INFORMATION,
            "UBL-CR-470": Severity.INFORMATION,
            "UBL-CR-646": Severity.INFORMATION,
        },
    ),
    ("Invoice", XRECHNUNG_3_0_CVD): (
        "cvd",
        {**_BASE_LEVELS, "BR-CL-13": Severity.INFORMATION, "UBL-CR-646": Severity.FATAL},
    ),
    ("CreditNote", XRECHNUNG_3_0): ("standard", dict(_BASE_LEVELS)),
    ("CreditNote", XRECHNUNG_3_0_CVD): (
        "cvd",
        {**_BASE_LEVELS, "BR-CL-13": Severity.INFORMATION, "UBL-CR-646": Severity.FATAL},
    ),
}


class CheckLevel(StrEnum):
    """Which checks ran."""

    OWN = "own checks only"
    OFFICIAL = "XSD + EN 16931 + XRechnung"


LEVEL_LABELS_DE = {
    CheckLevel.OWN: "nur eigene Prüfungen der Plattform (die offiziellen Regeln liegen nicht vor)",
    CheckLevel.OFFICIAL: "XSD + EN 16931 + XRechnung (offizielle Prüfregeln der KoSIT)",
}


@dataclass(frozen=True)
class Finding:
    """One violated rule: id, severity, where, and the text in German and English."""

    rule_id: str
    severity: Severity
    location: str
    message_de: str
    message_en: str
    source: str  # "own", "xsd", "en16931" or "xrechnung"


@dataclass(frozen=True)
class Report:
    """The result of :func:`validate`.

    ``level`` is what the document was put through; the checks stop at the first stage that
    refuses it (not XML, a DTD, no XRechnung scenario). Official findings whose rule id the own
    checks reported too are left out: the own finding says the same in German, with the amounts
    that differ.
    """

    level: CheckLevel
    findings: tuple[Finding, ...]
    document_kind: str = ""  # "Invoice", "CreditNote", or "" when not readable
    scenario: str = ""  # "standard", "extension", "cvd"; "" without one
    rules_dir: str = ""  # the official artefacts used, "" for own checks only
    official_unavailable: str = ""  # why only the own checks ran (German)

    @property
    def valid(self) -> bool:
        """No fatal finding: the document may be issued, sent or accepted."""
        return not self.errors

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.FATAL)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is not Severity.FATAL)

    @property
    def rule_ids(self) -> set[str]:
        return {f.rule_id for f in self.findings}

    @property
    def level_label(self) -> str:
        """The level in English: ``own checks only`` or ``XSD + EN 16931 + XRechnung``."""
        return self.level.value

    @property
    def level_label_de(self) -> str:
        return LEVEL_LABELS_DE[self.level]


def _finding(
    rule_id: str, location: str, detail_de: str = "", detail_en: str = "", severity: Severity | None = None
) -> Finding:
    known = rule(rule_id)
    return Finding(
        rule_id=rule_id,
        severity=severity or known.severity,
        location=location,
        message_de=f"{known.de} {detail_de}".strip(),
        message_en=f"{known.en} {detail_en}".strip(),
        source="own",
    )


# --- the own checks ---------------------------------------------------------------------------


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def _where(element: etree._Element) -> str:
    """/Invoice/cac:AccountingSupplierParty/cac:Party/... of an element."""
    names = []
    for node in (element, *element.iterancestors()):
        qname = etree.QName(node)
        prefix = {CAC: "cac:", CBC: "cbc:"}.get(qname.namespace or "", "")
        names.append(prefix + qname.localname)
    return "/" + "/".join(reversed(names))


def _money(value: Decimal) -> str:
    return format(value, "f")


_LineFacts = tuple[str, Decimal | None, Decimal]  # VAT category, rate, stated net amount
_AllowanceFacts = tuple[bool, str, Decimal | None, Decimal]  # charge?, VAT category, rate, amount


class _Checks:
    """The library's own checks over the element tree (read only)."""

    def __init__(self, root: etree._Element, kind: str, scenario: str, leitweg_severity: Severity) -> None:
        self.root = root
        self.kind = kind
        self.scenario = scenario
        self.leitweg_severity = leitweg_severity
        self.findings: list[Finding] = []
        self.line_tag = "CreditNoteLine" if kind == "CreditNote" else "InvoiceLine"
        self.quantity_tag = "CreditedQuantity" if kind == "CreditNote" else "InvoicedQuantity"

    # helpers --------------------------------------------------------------------------------

    def add(
        self,
        rule_id: str,
        location: str,
        detail_de: str = "",
        detail_en: str = "",
        severity: Severity | None = None,
    ) -> None:
        self.findings.append(_finding(rule_id, location, detail_de, detail_en, severity))

    def node(self, parent: etree._Element, path: str) -> etree._Element | None:
        return parent.find(path, NAMESPACES)

    def nodes(self, parent: etree._Element, path: str) -> list[etree._Element]:
        return parent.findall(path, NAMESPACES)

    def text(self, parent: etree._Element, path: str) -> str:
        found = parent.find(path, NAMESPACES)
        return _norm(found.text) if found is not None else ""

    def has(self, parent: etree._Element, path: str) -> bool:
        return bool(self.text(parent, path))

    def decimal(self, parent: etree._Element, path: str, location: str) -> Decimal | None:
        value = self.text(parent, path)
        if not value:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or "e" in value.lower():
            self.add("XR-VALUE", f"{location}/{path}", f"({value!r})", f"({value!r})")
            return None
        return number

    def decimals(self, parent: etree._Element, path: str, location: str, rule_id: str) -> Decimal | None:
        """An amount with at most two decimals (the BR-DEC rules)."""
        value = self.decimal(parent, path, location)
        if value is not None and value.as_tuple().exponent < -2:  # type: ignore[operator]
            self.add(rule_id, f"{location}/{path}", f"({_money(value)})", f"({_money(value)})")
        return value

    def differs(self, rule_id: str, location: str, stated: Decimal, computed: Decimal) -> None:
        self.add(
            rule_id,
            location,
            f"Angegeben: {_money(stated)}, berechnet: {_money(computed)}.",
            f"Stated: {_money(stated)}, computed: {_money(computed)}.",
        )

    # the checks -----------------------------------------------------------------------------

    def run(self) -> list[Finding]:
        self.document()
        self.vat_identifiers()
        self.seller()
        self.buyer()
        self.other_parties()
        self.payment()
        lines = self.lines()
        allowances = self.allowances()
        self.totals(lines, allowances)
        self.vat_breakdown(lines, allowances)
        return self.findings

    def document(self) -> None:
        root, doc = self.root, f"/{self.kind}"
        for rule_id, path in (
            ("BR-02", "cbc:ID"),
            ("BR-03", "cbc:IssueDate"),
            ("BR-04", f"cbc:{'CreditNoteTypeCode' if self.kind == 'CreditNote' else 'InvoiceTypeCode'}"),
            ("BR-05", "cbc:DocumentCurrencyCode"),
        ):
            if not self.has(root, path):
                self.add(rule_id, doc)
        type_code = self.text(
            root, "cbc:CreditNoteTypeCode" if self.kind == "CreditNote" else "cbc:InvoiceTypeCode"
        )
        if type_code:
            if (self.kind == "CreditNote") != (type_code in CREDIT_NOTE_TYPE_CODES) and type_code != "81":
                self.add("BR-CL-01", doc, f"({type_code})", f"({type_code})")
            if type_code not in {"326", "380", "384", "389", "381", "875", "876", "877"}:
                self.add("BR-DE-17", doc, f"({type_code})", f"({type_code})")
            if type_code == "384" and not self.nodes(
                root, "cac:BillingReference/cac:InvoiceDocumentReference"
            ):
                self.add("BR-DE-26", doc)
        for reference in self.nodes(root, "cac:BillingReference/cac:InvoiceDocumentReference"):
            if not self.has(reference, "cbc:ID"):
                self.add("BR-55", f"{doc}/cac:BillingReference")
        for issue in ("cbc:IssueDate", "cbc:DueDate", "cbc:TaxPointDate"):
            self.date(root, issue, doc)
        buyer_reference = self.text(root, "cbc:BuyerReference")
        if not buyer_reference:
            self.add("BR-DE-15", doc)
        else:
            try:
                validate_leitweg_id(buyer_reference)
            except InvalidLeitwegId as err:
                rule_id = "LEITWEG-ID-STRUCTURE" if err.reason == "structure" else "LEITWEG-ID-CHECK-DIGITS"
                self.add(
                    rule_id,
                    f"{doc}/cbc:BuyerReference",
                    f"({buyer_reference})",
                    f"({buyer_reference})",
                    severity=self.leitweg_severity,
                )
        period = self.node(root, "cac:InvoicePeriod")
        if period is not None:
            self.period(period, f"{doc}/cac:InvoicePeriod", "BR-29")
            if not (self.has(period, "cbc:StartDate") or self.has(period, "cbc:EndDate")) and not self.has(
                period, "cbc:DescriptionCode"
            ):
                self.add("BR-CO-19", f"{doc}/cac:InvoicePeriod")
            if self.has(period, "cbc:DescriptionCode") and self.has(root, "cbc:TaxPointDate"):
                self.add("BR-CO-03", doc)
        filenames: set[str] = set()
        for index, reference in enumerate(self.nodes(root, "cac:AdditionalDocumentReference"), start=1):
            where = f"{doc}/cac:AdditionalDocumentReference[{index}]"
            if not self.has(reference, "cbc:ID"):
                self.add("BR-52", where)
            embedded = self.node(reference, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject")
            if embedded is not None:
                name = embedded.get("filename", "")
                if name in filenames:
                    self.add("BR-DE-22", where, f"({name})", f"({name})")
                filenames.add(name)

    def date(self, parent: etree._Element, path: str, location: str) -> None:
        value = self.text(parent, path)
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                self.add("XR-VALUE", f"{location}/{path}", f"({value!r})", f"({value!r})")

    def period(self, period: etree._Element, location: str, rule_id: str) -> None:
        start, end = self.text(period, "cbc:StartDate"), self.text(period, "cbc:EndDate")
        if start and end and end < start:
            self.add(rule_id, location, f"({start} – {end})", f"({start} - {end})")

    def _electronic_address(self, party: etree._Element, location: str, missing: str, no_scheme: str) -> None:
        endpoint = self.node(party, "cbc:EndpointID")
        if endpoint is None or not _norm(endpoint.text):
            self.add(missing, location)
        elif not endpoint.get("schemeID", "").strip():
            self.add(no_scheme, f"{location}/cbc:EndpointID")

    def seller(self) -> None:
        location = f"/{self.kind}/cac:AccountingSupplierParty/cac:Party"
        party = self.node(self.root, "cac:AccountingSupplierParty/cac:Party")
        if party is None:
            self.add("BR-06", location)
            self.add("BR-08", location)
            self.add("BR-DE-2", location)
            return
        if not self.has(party, "cac:PartyLegalEntity/cbc:RegistrationName"):
            self.add("BR-06", location)
        self._electronic_address(party, location, "PEPPOL-EN16931-R020", "BR-62")
        address = self.node(party, "cac:PostalAddress")
        if address is None:
            self.add("BR-08", location)
        else:
            where = f"{location}/cac:PostalAddress"
            if not self.has(address, "cac:Country/cbc:IdentificationCode"):
                self.add("BR-09", where)
            if not self.has(address, "cbc:CityName"):
                self.add("BR-DE-3", where)
            if not self.has(address, "cbc:PostalZone"):
                self.add("BR-DE-4", where)
        contact = self.node(party, "cac:Contact")
        if contact is None:
            self.add("BR-DE-2", location)
        else:
            where = f"{location}/cac:Contact"
            for rule_id, path in (
                ("BR-DE-5", "cbc:Name"),
                ("BR-DE-6", "cbc:Telephone"),
                ("BR-DE-7", "cbc:ElectronicMail"),
            ):
                if not self.has(contact, path):
                    self.add(rule_id, where)
            telephone = self.text(contact, "cbc:Telephone")
            if telephone and sum(ch.isdigit() for ch in telephone) < 3:
                self.add("BR-DE-27", where)
            email = self.text(contact, "cbc:ElectronicMail")
            if email and not re.match(r"^[^@\s]+@([^@.\s]+\.)+[^@.\s]+$", email):
                self.add("BR-DE-28", where)
        has_id = (
            self.has(party, "cac:PartyIdentification/cbc:ID")
            or self.has(party, "cac:PartyLegalEntity/cbc:CompanyID")
            or self._vat_id(party)
        )
        if not has_id:
            self.add("BR-CO-26", location)

    def vat_identifiers(self) -> None:
        for tax_scheme in self.root.iterfind(".//cac:PartyTaxScheme", NAMESPACES):
            if self.text(tax_scheme, "cac:TaxScheme/cbc:ID").upper() != "VAT":
                continue
            company_id = self.text(tax_scheme, "cbc:CompanyID")
            if company_id and not re.match(r"^(?:[A-Z]{2}|1A)", company_id):
                where = _where(tax_scheme)
                self.add("BR-CO-09", where, f"({company_id})", f"({company_id})")

    def _vat_id(self, party: etree._Element | None) -> str:
        if party is None:
            return ""
        for tax_scheme in self.nodes(party, "cac:PartyTaxScheme"):
            if self.text(tax_scheme, "cac:TaxScheme/cbc:ID").upper() == "VAT":
                return self.text(tax_scheme, "cbc:CompanyID")
        return ""

    def buyer(self) -> None:
        location = f"/{self.kind}/cac:AccountingCustomerParty/cac:Party"
        party = self.node(self.root, "cac:AccountingCustomerParty/cac:Party")
        if party is None:
            self.add("BR-07", location)
            self.add("BR-10", location)
            return
        if not self.has(party, "cac:PartyLegalEntity/cbc:RegistrationName"):
            self.add("BR-07", location)
        self._electronic_address(party, location, "PEPPOL-EN16931-R010", "BR-63")
        address = self.node(party, "cac:PostalAddress")
        if address is None:
            self.add("BR-10", location)
        else:
            where = f"{location}/cac:PostalAddress"
            if not self.has(address, "cac:Country/cbc:IdentificationCode"):
                self.add("BR-11", where)
            if not self.has(address, "cbc:CityName"):
                self.add("BR-DE-8", where)
            if not self.has(address, "cbc:PostalZone"):
                self.add("BR-DE-9", where)

    def other_parties(self) -> None:
        doc = f"/{self.kind}"
        payee = self.node(self.root, "cac:PayeeParty")
        if payee is not None and not self.has(payee, "cac:PartyName/cbc:Name"):
            self.add("BR-17", f"{doc}/cac:PayeeParty")
        representative = self.node(self.root, "cac:TaxRepresentativeParty")
        if representative is not None:
            where = f"{doc}/cac:TaxRepresentativeParty"
            if not self.has(representative, "cac:PartyName/cbc:Name"):
                self.add("BR-18", where)
            if self.node(representative, "cac:PostalAddress") is None:
                self.add("BR-19", where)
            elif not self.has(representative, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"):
                self.add("BR-20", where)
            if not self._vat_id(representative):
                self.add("BR-56", where)
        address = self.node(self.root, "cac:Delivery/cac:DeliveryLocation/cac:Address")
        if address is not None:
            where = f"{doc}/cac:Delivery/cac:DeliveryLocation/cac:Address"
            if not self.has(address, "cac:Country/cbc:IdentificationCode"):
                self.add("BR-57", where)
            if not self.has(address, "cbc:CityName"):
                self.add("BR-DE-10", where)
            if not self.has(address, "cbc:PostalZone"):
                self.add("BR-DE-11", where)

    def payment(self) -> None:
        doc = f"/{self.kind}"
        means = self.nodes(self.root, "cac:PaymentMeans")
        if not means:
            self.add("BR-DE-1", doc)
        creditor = any(
            identifier.get("schemeID") == "SEPA" and _norm(identifier.text)
            for identifier in self.nodes(
                self.root, "cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification/cbc:ID"
            )
            + self.nodes(self.root, "cac:PayeeParty/cac:PartyIdentification/cbc:ID")
        )
        for index, element in enumerate(means, start=1):
            where = f"{doc}/cac:PaymentMeans[{index}]"
            code = self.text(element, "cbc:PaymentMeansCode")
            transfer = self.node(element, "cac:PayeeFinancialAccount") is not None
            card = self.node(element, "cac:CardAccount") is not None
            mandate = self.node(element, "cac:PaymentMandate")
            if not code:
                self.add("BR-49", where)
            if code in ("30", "58"):
                if not transfer:
                    self.add("BR-DE-23-a", where)
                if card or mandate is not None:
                    self.add("BR-DE-23-b", where)
                if not self.has(element, "cac:PayeeFinancialAccount/cbc:ID"):
                    self.add("BR-61", where)
                elif code == "58" and not _iban_ok(self.text(element, "cac:PayeeFinancialAccount/cbc:ID")):
                    self.add("BR-DE-19", where)
            if code in ("48", "54", "55"):
                if not card:
                    self.add("BR-DE-24-a", where)
                if transfer or mandate is not None:
                    self.add("BR-DE-24-b", where)
            if code == "59":
                if mandate is None:
                    self.add("BR-DE-25-a", where)
                if transfer or card:
                    self.add("BR-DE-25-b", where)
            if code in ("49", "59") and (mandate is None or not self.has(mandate, "cbc:ID")):
                self.add("PEPPOL-EN16931-R061", where)
            if mandate is not None:
                if not creditor:
                    self.add("BR-DE-30", where)
                debited = self.text(mandate, "cac:PayerFinancialAccount/cbc:ID")
                if not debited:
                    self.add("BR-DE-31", where)
                elif code == "59" and not _iban_ok(debited):
                    self.add("BR-DE-20", where)

    def allowances(self) -> list[_AllowanceFacts]:
        """(charge, category, rate, amount) of every document level allowance and charge."""
        found = []
        for index, element in enumerate(self.nodes(self.root, "cac:AllowanceCharge"), start=1):
            where = f"/{self.kind}/cac:AllowanceCharge[{index}]"
            charge = self.text(element, "cbc:ChargeIndicator") == "true"
            amount = self.decimals(element, "cbc:Amount", where, "BR-DEC-05" if charge else "BR-DEC-01")
            self.decimals(element, "cbc:BaseAmount", where, "BR-DEC-06" if charge else "BR-DEC-02")
            if amount is None:
                self.add("BR-36" if charge else "BR-31", where)
            category = self.text(element, "cac:TaxCategory/cbc:ID")
            if not category:
                self.add("BR-37" if charge else "BR-32", where)
            if not (
                self.has(element, "cbc:AllowanceChargeReason")
                or self.has(element, "cbc:AllowanceChargeReasonCode")
            ):
                self.add("BR-38" if charge else "BR-33", where)
            self.percentage(element, where, amount)
            rate = self.decimal(element, "cac:TaxCategory/cbc:Percent", where)
            found.append((charge, category, rate, amount or Decimal("0")))
        return found

    def percentage(self, element: etree._Element, where: str, amount: Decimal | None) -> None:
        percentage = self.decimal(element, "cbc:MultiplierFactorNumeric", where)
        base = self.decimal(element, "cbc:BaseAmount", where)
        if percentage is not None and base is not None and amount is not None:
            expected = base * percentage / 100
            if abs(amount - expected) > Decimal("0.02"):
                self.differs("PEPPOL-EN16931-R040", where, amount, round_amount(expected))

    def lines(self) -> list[_LineFacts]:
        """(category, rate, stated net amount) of every line."""
        elements = self.nodes(self.root, f"cac:{self.line_tag}")
        if not elements:
            self.add("BR-16", f"/{self.kind}")
        found = []
        for index, element in enumerate(elements, start=1):
            where = f"/{self.kind}/cac:{self.line_tag}[{index}]"
            amount = self.line(element, where)
            category = self.text(element, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID")
            rate = self.decimal(element, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", where)
            if not category:
                self.add("BR-CO-04", where)
            else:
                self.line_rate(category, rate, where)
            found.append((category, rate, amount if amount is not None else Decimal("0")))
        return found

    def line_rate(self, category: str, rate: Decimal | None, where: str) -> None:
        names = CATEGORY_RULES.get(category)
        if names is None:
            return
        wrong = (
            (category == "S" and (rate is None or rate <= 0))
            or (category in ZERO_RATE and rate is not None and rate != 0)
            or (category == "O" and rate is not None)
        )
        if wrong:
            self.add(f"{names[0]}-05", where)

    def line(self, element: etree._Element, where: str, sub: bool = False) -> Decimal | None:
        if not self.has(element, "cbc:ID"):
            self.add("BR-21", where)
        quantity_node = self.node(element, f"cbc:{self.quantity_tag}")
        quantity = self.decimal(element, f"cbc:{self.quantity_tag}", where)
        if quantity is None:
            self.add("BR-22", where)
        if quantity_node is not None and not quantity_node.get("unitCode", "").strip():
            self.add("BR-23", where)
        amount = self.decimals(element, "cbc:LineExtensionAmount", where, "BR-DEC-23")
        if amount is None:
            self.add("BR-24", where)
        if not self.has(element, "cac:Item/cbc:Name"):
            self.add("BR-25", where)
        period = self.node(element, "cac:InvoicePeriod")
        if period is not None:
            self.period(period, f"{where}/cac:InvoicePeriod", "BR-30")
        charges = allowances = Decimal("0")
        for number, allowance in enumerate(self.nodes(element, "cac:AllowanceCharge"), start=1):
            here = f"{where}/cac:AllowanceCharge[{number}]"
            charge = self.text(allowance, "cbc:ChargeIndicator") == "true"
            value = self.decimals(allowance, "cbc:Amount", here, "BR-DEC-27" if charge else "BR-DEC-24")
            self.decimals(allowance, "cbc:BaseAmount", here, "BR-DEC-28" if charge else "BR-DEC-25")
            if not (
                self.has(allowance, "cbc:AllowanceChargeReason")
                or self.has(allowance, "cbc:AllowanceChargeReasonCode")
            ):
                self.add("BR-44" if charge else "BR-42", here)
            self.percentage(allowance, here, value)
            if charge:
                charges += value or 0
            else:
                allowances += value or 0
        price = self.decimal(element, "cac:Price/cbc:PriceAmount", where)
        sub_lines = self.nodes(element, "cac:SubInvoiceLine")
        if price is None:
            if not sub:
                self.add("BR-26", where)
        elif price < 0:
            self.add("BR-27", where)
        gross = self.decimal(element, "cac:Price/cac:AllowanceCharge/cbc:BaseAmount", where)
        discount = self.decimal(element, "cac:Price/cac:AllowanceCharge/cbc:Amount", where)
        if gross is not None:
            if gross < 0:
                self.add("BR-28", where)
            if price is not None and discount is not None and price != gross - discount:
                self.differs("PEPPOL-EN16931-R046", f"{where}/cac:Price", price, gross - discount)
        base = self.decimal(element, "cac:Price/cbc:BaseQuantity", where)
        if base is not None and base <= 0:
            self.add("PEPPOL-EN16931-R121", f"{where}/cac:Price")
            base = None
        if amount is not None and quantity is not None and price is not None:
            expected = quantity * price / (base or Decimal("1")) + charges - allowances
            if abs(amount - expected) > Decimal("0.02"):
                self.differs("PEPPOL-EN16931-R120", where, amount, round_amount(expected))
        if sub_lines:
            sub_amounts = [
                self.line(sub_line, f"{where}/cac:SubInvoiceLine[{n}]", True)
                for n, sub_line in enumerate(sub_lines, 1)
            ]
            if amount is not None and all(value is not None for value in sub_amounts):
                total = sum((value for value in sub_amounts if value is not None), Decimal("0"))
                if total != amount:
                    self.differs("BR-DEX-02", where, amount, total)
        return amount

    def totals(self, lines: list[_LineFacts], allowances: list[_AllowanceFacts]) -> None:
        doc = f"/{self.kind}"
        monetary = self.node(self.root, "cac:LegalMonetaryTotal")
        where = f"{doc}/cac:LegalMonetaryTotal"
        if monetary is None:
            for rule_id in ("BR-12", "BR-13", "BR-14", "BR-15"):
                self.add(rule_id, doc)
            return
        line_total = self.decimals(monetary, "cbc:LineExtensionAmount", where, "BR-DEC-09")
        allowance_total = self.decimals(monetary, "cbc:AllowanceTotalAmount", where, "BR-DEC-10")
        charge_total = self.decimals(monetary, "cbc:ChargeTotalAmount", where, "BR-DEC-11")
        tax_exclusive = self.decimals(monetary, "cbc:TaxExclusiveAmount", where, "BR-DEC-12")
        tax_inclusive = self.decimals(monetary, "cbc:TaxInclusiveAmount", where, "BR-DEC-14")
        paid = self.decimals(monetary, "cbc:PrepaidAmount", where, "BR-DEC-16")
        rounding = self.decimals(monetary, "cbc:PayableRoundingAmount", where, "BR-DEC-17")
        payable = self.decimals(monetary, "cbc:PayableAmount", where, "BR-DEC-18")
        for rule_id, value in (
            ("BR-12", line_total),
            ("BR-13", tax_exclusive),
            ("BR-14", tax_inclusive),
            ("BR-15", payable),
        ):
            if value is None:
                self.add(rule_id, where)
        computed_lines = sum((amount for _, _, amount in lines), Decimal("0"))
        if line_total is not None and line_total != computed_lines:
            self.differs("BR-CO-10", f"{where}/cbc:LineExtensionAmount", line_total, computed_lines)
        sums = {False: Decimal("0"), True: Decimal("0")}
        for charge, _, _, amount in allowances:
            sums[charge] += amount
        for rule_id, stated, charge in (
            ("BR-CO-11", allowance_total, False),
            ("BR-CO-12", charge_total, True),
        ):
            present = any(item[0] is charge for item in allowances)
            if (stated is not None or present) and (stated or Decimal("0")) != sums[charge]:
                self.differs(rule_id, where, stated or Decimal("0"), sums[charge])
        if line_total is not None and tax_exclusive is not None:
            expected = line_total - (allowance_total or 0) + (charge_total or 0)
            if tax_exclusive != expected:
                self.differs("BR-CO-13", f"{where}/cbc:TaxExclusiveAmount", tax_exclusive, expected)
        vat_total = self.vat_total()
        if tax_exclusive is not None and tax_inclusive is not None and vat_total is not None:
            if tax_inclusive != tax_exclusive + vat_total:
                self.differs(
                    "BR-CO-15", f"{where}/cbc:TaxInclusiveAmount", tax_inclusive, tax_exclusive + vat_total
                )
        if tax_inclusive is not None and payable is not None:
            expected = tax_inclusive - (paid or 0) + (rounding or 0)
            rule_id = "BR-CO-16"
            if self.scenario == "extension":
                rule_id = "BR-DEX-09"
                for prepaid in self.nodes(self.root, "cac:PrepaidPayment"):
                    expected += self.decimal(prepaid, "cbc:PaidAmount", f"{doc}/cac:PrepaidPayment") or 0
            if payable != expected:
                self.differs(rule_id, f"{where}/cbc:PayableAmount", payable, expected)
        if self.kind == "Invoice" and payable is not None and payable > 0:
            if not (self.has(self.root, "cbc:DueDate") or self.has(self.root, "cac:PaymentTerms/cbc:Note")):
                self.add("BR-CO-25", where)

    def vat_total(self) -> Decimal | None:
        currency = self.text(self.root, "cbc:DocumentCurrencyCode")
        where = f"/{self.kind}/cac:TaxTotal"
        for tax_total in self.nodes(self.root, "cac:TaxTotal"):
            amount_node = self.node(tax_total, "cbc:TaxAmount")
            if amount_node is None or (currency and amount_node.get("currencyID", currency) != currency):
                continue
            total = self.decimals(tax_total, "cbc:TaxAmount", where, "BR-DEC-13")
            if total is None:
                return None
            subtotals = [
                self.decimal(subtotal, "cbc:TaxAmount", f"{where}/cac:TaxSubtotal")
                for subtotal in self.nodes(tax_total, "cac:TaxSubtotal")
            ]
            computed = sum((value for value in subtotals if value is not None), Decimal("0"))
            if subtotals and total != computed:
                self.differs("BR-CO-14", f"{where}/cbc:TaxAmount", total, computed)
            return total
        return None

    def vat_breakdown(self, lines: list[_LineFacts], allowances: list[_AllowanceFacts]) -> None:
        doc = f"/{self.kind}"
        subtotals = self.nodes(self.root, "cac:TaxTotal/cac:TaxSubtotal")
        if not subtotals:
            self.add("BR-CO-18", doc)
        used: dict[str, set[Decimal]] = {}
        for category, rate, _ in lines:
            used.setdefault(category, set()).add(rate if rate is not None else Decimal("0"))
        for _, category, rate, _ in allowances:
            used.setdefault(category, set()).add(rate if rate is not None else Decimal("0"))
        stated: dict[str, list[Decimal]] = {}
        for index, subtotal in enumerate(subtotals, start=1):
            where = f"{doc}/cac:TaxTotal/cac:TaxSubtotal[{index}]"
            category = self.text(subtotal, "cac:TaxCategory/cbc:ID")
            names = CATEGORY_RULES.get(category)
            rate = self.decimal(subtotal, "cac:TaxCategory/cbc:Percent", where)
            if rate is None:
                self.add("BR-DE-14", where)
            taxable = self.decimals(subtotal, "cbc:TaxableAmount", where, "BR-DEC-19")
            tax = self.decimals(subtotal, "cbc:TaxAmount", where, "BR-DEC-20")
            stated.setdefault(category, []).append(rate if rate is not None else Decimal("0"))
            if names is None:
                continue
            prefix = names[0]
            key_rate = rate if rate is not None else Decimal("0")
            by_rate = category in ("S", "L", "M")
            computed = sum(
                (
                    amount
                    for cat, line_rate, amount in lines
                    if cat == category and (not by_rate or (line_rate or 0) == key_rate)
                ),
                Decimal("0"),
            )
            for charge, cat, allowance_rate, amount in allowances:
                if cat == category and (not by_rate or (allowance_rate or 0) == key_rate):
                    computed += amount if charge else -amount
            if taxable is not None and taxable != computed:
                self.compare(f"{prefix}-08", where, taxable, computed, tolerant=category == "S")
            if tax is not None:
                if by_rate and taxable is not None:
                    expected = round_amount(abs(taxable) * key_rate / 100)
                    if abs(tax) != expected:
                        self.compare("BR-CO-17", where, abs(tax), expected, tolerant=True)
                elif tax != 0:
                    self.differs(f"{prefix}-09", where, tax, Decimal("0"))
            has_reason = self.has(subtotal, "cac:TaxCategory/cbc:TaxExemptionReason") or self.has(
                subtotal, "cac:TaxCategory/cbc:TaxExemptionReasonCode"
            )
            if (category in EXEMPTION_REQUIRED) != has_reason:
                self.add(f"{prefix}-10", where)
        for category, rates in used.items():
            names = CATEGORY_RULES.get(category)
            if names is None:
                continue
            if category not in stated:
                self.add(f"{names[0]}-01", doc)
            elif category in ("S", "L", "M"):
                # one breakdown per rate: lines at a rate without its own breakdown are untaxed
                for rate in sorted(rates - set(stated[category])):
                    self.add(
                        f"{names[0]}-08",
                        f"{doc}/cac:TaxTotal",
                        f"(keine Aufschlüsselung für {_money(rate)} %)",
                        f"(no breakdown for {_money(rate)} %)",
                    )
        self.category_parties(set(used) | set(stated))

    def compare(self, rule_id: str, where: str, stated: Decimal, computed: Decimal, tolerant: bool) -> None:
        """The official rules allow a difference below one currency unit for some amounts."""
        if tolerant and abs(stated - computed) < 1:
            self.differs("XR-ROUNDING", where, stated, computed)
        else:
            self.differs(rule_id, where, stated, computed)

    def category_parties(self, categories: set[str]) -> None:
        doc = f"/{self.kind}"
        seller = self.node(self.root, "cac:AccountingSupplierParty/cac:Party")
        buyer = self.node(self.root, "cac:AccountingCustomerParty/cac:Party")
        representative = self.node(self.root, "cac:TaxRepresentativeParty")
        seller_vat = self._vat_id(seller)
        seller_tax = bool(seller is not None and self.has(seller, "cac:PartyTaxScheme/cbc:CompanyID"))
        representative_vat = self._vat_id(representative)
        buyer_vat = self._vat_id(buyer)
        buyer_legal = bool(buyer is not None and self.has(buyer, "cac:PartyLegalEntity/cbc:CompanyID"))
        line_categories = {
            self.text(element, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID")
            for element in self.nodes(self.root, f"cac:{self.line_tag}")
        }
        for category in ("S", "Z", "E"):
            if category in line_categories and not (seller_tax or representative_vat):
                self.add(f"{CATEGORY_RULES[category][0]}-02", doc)
        if "AE" in line_categories and not (
            (seller_tax or representative_vat) and (buyer_vat or buyer_legal)
        ):
            self.add("BR-AE-02", doc)
        if "K" in line_categories and not ((seller_vat or representative_vat) and buyer_vat):
            self.add("BR-IC-02", doc)
        if "G" in line_categories and not (seller_vat or representative_vat):
            self.add("BR-G-02", doc)
        if "O" in line_categories and (seller_vat or representative_vat or buyer_vat):
            self.add("BR-O-02", doc)
        if "O" in categories and len(categories - {""}) > 1:
            self.add("BR-O-11", doc)
        if categories & {"S", "Z", "E", "AE", "K", "G", "L", "M"} and not (
            seller_tax or representative is not None
        ):
            self.add("BR-DE-16", doc)
        if "K" in categories:
            has_period = (
                self.node(self.root, "cac:InvoicePeriod") is not None
                and len(self.node(self.root, "cac:InvoicePeriod")) > 0
            )
            if not (self.has(self.root, "cac:Delivery/cbc:ActualDeliveryDate") or has_period):
                self.add("BR-IC-11", doc)
            if not self.has(
                self.root, "cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode"
            ):
                self.add("BR-IC-12", doc)


def _iban_ok(value: str) -> bool:
    """ISO 13616 IBAN: two letters, two check digits, mod 97 = 1."""
    iban = "".join(value.split()).upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}", iban):
        return False
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def own_findings(
    root: etree._Element, kind: str, scenario: str, leitweg_severity: Severity = Severity.FATAL
) -> list[Finding]:
    """The library's own checks of a parsed document (see :func:`validate`)."""
    return _Checks(root, kind, scenario, leitweg_severity).run()


# --- the official artefacts -------------------------------------------------------------------


def rules_directory(rules_dir: str | os.PathLike[str] | None = None) -> tuple[Path | None, str]:
    """The rules directory to use and, when there is none, why (German).

    :param rules_dir: explicit directory; "" switches the official rules off (own checks only);
        None reads ``XRECHNUNG_RULES_DIR``, then the default.
    """
    if isinstance(rules_dir, str) and not rules_dir.strip():
        return None, "Die offiziellen Prüfregeln sind abgeschaltet: es laufen nur die eigenen Prüfungen."
    if rules_dir is None:
        configured = os.environ.get(RULES_DIR_ENV)
        if configured is not None:
            if not configured.strip():
                return (
                    None,
                    f"{RULES_DIR_ENV} ist leer gesetzt: die offiziellen Prüfregeln sind abgeschaltet.",
                )
            rules_dir = configured
        elif DEFAULT_RULES_DIR.is_dir():
            rules_dir = DEFAULT_RULES_DIR
        else:
            return None, (
                f"Kein Verzeichnis mit den offiziellen Prüfregeln: {RULES_DIR_ENV} ist nicht gesetzt und "
                f"{DEFAULT_RULES_DIR} gibt es nicht."
            )
    path = Path(rules_dir).resolve()
    missing = [relative for relative in ARTEFACTS.values() if not (path / relative).is_file()]
    if missing:
        return None, f"Im Regelverzeichnis {path} fehlen: {', '.join(missing)}."
    try:
        import saxonche  # noqa: F401
    except ImportError:  # pragma: no cover - a declared dependency
        return None, "saxonche ist nicht installiert; die Schematron-Regeln können nicht laufen."
    return path, ""


@lru_cache(maxsize=8)
def _schema(path: str) -> tuple[etree.XMLSchema, threading.Lock]:
    # One validation at a time per schema: its error log belongs to the last validation.
    return etree.XMLSchema(etree.parse(path, safe_parser())), threading.Lock()


class _Engine:
    """Saxon with both compiled rule stylesheets, one per rules directory and process."""

    def __init__(self, directory: Path) -> None:
        from saxonche import PySaxonProcessor

        self.lock = threading.Lock()
        self.processor = PySaxonProcessor(license=False)
        compiler = self.processor.new_xslt30_processor()
        self.stylesheets = [
            (name, compiler.compile_stylesheet(stylesheet_file=str(directory / ARTEFACTS[key])))
            for name, key in (("en16931", "EN 16931"), ("xrechnung", "XRechnung"))
        ]

    def run(self, xml_text: str) -> list[tuple[str, str]]:
        with self.lock:
            node = self.processor.parse_xml(xml_text=xml_text)
            results = []
            for name, stylesheet in self.stylesheets:
                stylesheet.set_global_context_item(xdm_item=node)
                results.append((name, stylesheet.apply_templates_returning_string(xdm_value=node)))
            return results


@lru_cache(maxsize=4)
def _engine(directory: str) -> _Engine:
    return _Engine(Path(directory))


def _short_location(location: str) -> str:
    location = re.sub(r"Q\{[^}]*\}", "", location)
    return re.sub(r"\*:([A-Za-z]+)\[namespace-uri\(\)='[^']*'\]", r"\1", location)


def xsd_findings(root: etree._Element, kind: str, directory: Path) -> list[Finding]:
    """The UBL 2.1 schema of ``kind`` against the document (rule id ``XSD``)."""
    schema, lock = _schema(str(directory / ARTEFACTS[kind]))
    with lock:
        if schema.validate(root):
            return []
        errors = [(error.line, error.message) for error in schema.error_log]
    known = RULES["XSD"]
    return [
        Finding(
            "XSD", Severity.FATAL, f"Zeile {line}", f"{known.de} {message}", f"{known.en} {message}", "xsd"
        )
        for line, message in errors
    ]


def _svrl_findings(source: str, svrl: str, levels: dict[str, Severity]) -> Iterator[Finding]:
    document = etree.fromstring(svrl.encode("utf-8"), safe_parser())
    for element in document.iter(f"{SVRL}failed-assert", f"{SVRL}successful-report"):
        rule_id = element.get("id") or "?"
        flag = (element.get("flag") or "fatal").lower()
        severity = levels.get(rule_id) or (
            Severity.FATAL
            if flag in ("fatal", "error")
            else Severity.WARNING
            if flag == "warning"
            else Severity.INFORMATION
        )
        text_node = element.find(f"{SVRL}text")
        text = _norm("".join(text_node.itertext())) if text_node is not None else ""
        known = RULES.get(rule_id) or (RULES["BR-DEC"] if rule_id.startswith("BR-DEC-") else None)
        if known is not None:
            message_de = known.de
        elif source == "xrechnung":
            message_de = text  # KoSIT's rules speak German already
        else:
            message_de = f"Regel {rule_id} der EN 16931 ist verletzt: {text}"
        yield Finding(
            rule_id, severity, _short_location(element.get("location", "")), message_de, text, source
        )


def official_findings(
    root: etree._Element, kind: str, levels: dict[str, Severity], directory: Path
) -> list[Finding]:
    """XSD, CEN EN 16931 and KoSIT XRechnung rules, re-graded by the scenario's levels."""
    findings = xsd_findings(root, kind, directory)
    for source, svrl in _engine(str(directory)).run(etree.tostring(root, encoding="unicode")):
        findings.extend(_svrl_findings(source, svrl, levels))
    return findings


def validate_xsd(data: bytes, rules_dir: str | os.PathLike[str] | None = None) -> list[Finding]:
    """Only the UBL 2.1 schema (the fast part of the official checks); [] when valid.

    :raises InvalidDocument: for bytes that are not a UBL Invoice or CreditNote.
    :raises LookupError: when there is no rules directory with the schemas.
    """
    directory, reason = rules_directory(rules_dir)
    if directory is None:
        raise LookupError(reason)
    root = load(data)
    return xsd_findings(root, document_kind(root), directory)


# --- validate ---------------------------------------------------------------------------------


def _from_error(error: InvalidDocument) -> Finding:
    return Finding(
        error.rule_id,
        Severity.FATAL,
        error.location,
        error.message_de,
        error.message_en,
        "own",
    )


def _unsupported(data: bytes, own_rule_ids: set[str]) -> list[Finding]:
    """What reading the document into the model refuses, unless the own checks said it already.

    ``XR-UNSUPPORTED`` is a limit of the library (a warning: the rendering would be incomplete).
    """
    from xrechnung.reader import parse

    try:
        parse(data)
    except InvalidDocument as error:
        if error.rule_id in own_rule_ids:
            return []
        known = RULES.get(error.rule_id)
        severity = known.severity if known is not None else Severity.FATAL
        return [Finding(error.rule_id, severity, error.location, error.message_de, error.message_en, "own")]
    return []


def validate(
    data: bytes,
    rules_dir: str | os.PathLike[str] | None = None,
    *,
    leitweg_severity: Severity = Severity.FATAL,
) -> Report:
    """Check an XRechnung UBL document: own checks always, the official rules when available.

    :param data: the document as bytes (never fetched, never resolved: no DTD, no network).
    :param rules_dir: directory with the official artefacts; None: ``XRECHNUNG_RULES_DIR`` or
        ``../shared/xrechnung`` beside the repository.
    :param leitweg_severity: how a BT-10 that is not a valid Leitweg-ID counts (``fatal`` for
        invoices to German public buyers, ``warning`` for anyone else).
    :returns: the report; ``report.valid`` is False when any finding is fatal.
    """
    directory, reason = rules_directory(rules_dir)
    level = CheckLevel.OFFICIAL if directory is not None else CheckLevel.OWN
    common = {"rules_dir": str(directory or ""), "official_unavailable": reason}
    try:
        root = load(data)
        kind = document_kind(root)
    except InvalidDocument as error:
        return Report(level, (_from_error(error),), **common)
    customization = _norm(root.findtext(f"{{{CBC}}}CustomizationID"))
    scenario = SCENARIOS.get((kind, customization))
    findings: list[Finding] = []
    if not customization:
        findings.append(_finding("BR-01", f"/{kind}"))
    if scenario is None:
        findings.append(
            _finding(
                "NO-SCENARIO",
                f"/{kind}/cbc:CustomizationID",
                f"(Dokument {kind}, BT-24 {customization!r})",
                f"(document {kind}, BT-24 {customization!r})",
            )
        )
        return Report(level, tuple(findings), document_kind=kind, **common)
    scenario_name, levels = scenario
    findings += own_findings(root, kind, scenario_name, Severity(leitweg_severity))
    own_ids = {finding.rule_id for finding in findings}
    findings += _unsupported(data, own_ids)
    if directory is not None:
        findings += [f for f in official_findings(root, kind, levels, directory) if f.rule_id not in own_ids]
    return Report(level, tuple(findings), document_kind=kind, scenario=scenario_name, **common)


__all__ = [
    "CheckLevel",
    "Finding",
    "Report",
    "Severity",
    "official_findings",
    "own_findings",
    "rules_directory",
    "validate",
    "validate_xsd",
]
