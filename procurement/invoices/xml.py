"""Invoice rows <-> the ``xrechnung`` dataclasses; issuing means build + validate + store.

The parties are taken at issuing from the vendor's organisation and billing profile (seller,
payment) and from the contract (buyer, Leitweg-ID as BT-10 and as the buyer's electronic address
with scheme 0204, contract reference BT-12) and kept on the invoice as a JSON snapshot
(``Invoice.parties``): the XML was built from exactly that, and later edits of the profile do not
change an issued invoice. Amounts are never typed in: the library computes them from the lines.

``check_billing_data`` names, in German, what is missing before anything is built (bank account,
tax number or VAT id, contact, electronic address), so the vendor gets one clear message instead
of a list of rule ids.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import repeat
from typing import Any, Optional

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

import xrechnung
from procurement.accounts.models import Organisation
from procurement.awards.models import Contract
from procurement.invoices.models import BillingProfile, Invoice, InvoiceKind, InvoiceLine

CREDIT_NOTE_TYPE = "381"
INVOICE_TYPE = "380"
CPV_LIST_ID = "STI"  # UNTDID 7143 list id of CPV codes (BT-158-1); "CPV" is not in the code list (BR-CL-13)


# --- IBAN / BIC --------------------------------------------------------------------------------

_IBAN_LENGTHS = {
    "DE": 22,
    "AT": 20,
    "CH": 21,
    "FR": 27,
    "NL": 18,
    "BE": 16,
    "LU": 20,
    "IT": 27,
    "ES": 24,
    "DK": 18,
    "PL": 28,
    "CZ": 24,
}


def normalise_iban(value: str) -> str:
    return "".join(value.split()).upper()


def iban_valid(value: str) -> bool:
    """ISO 13616: two letters, two check digits, the BBAN; mod 97 of the rearranged number is 1."""
    iban = normalise_iban(value)
    if len(iban) < 15 or len(iban) > 34 or not iban[:2].isalpha() or not iban[2:4].isdigit():
        return False
    if not iban.isalnum() or not iban.isascii():
        return False
    expected = _IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return False
    digits = "".join(str(int(char, 36)) for char in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def bic_valid(value: str) -> bool:
    """ISO 9362: 4 letters bank, 2 letters country, 2 letters/digits location, optional 3 branch."""
    bic = value.strip().upper()
    return len(bic) in (8, 11) and bic.isascii() and bic[:6].isalpha() and bic[6:].isalnum()


# --- the parties ---------------------------------------------------------------------------------


def check_billing_data(vendor: Organisation, profile: Optional[BillingProfile]) -> list[str]:
    """What the vendor must add before an XRechnung can be built (German, empty: nothing)."""
    missing: list[str] = []
    if profile is None:
        return [_("Bitte legen Sie zuerst Ihre Rechnungsdaten an (Bankverbindung, Steuernummer, Kontakt).")]
    if not profile.iban:
        missing.append(
            _("Bankverbindung: die IBAN fehlt (XRechnung BR-DE-23: Überweisung braucht ein Konto).")
        )
    elif not iban_valid(profile.iban):
        missing.append(_("Bankverbindung: die IBAN ist ungültig (Prüfziffer nach ISO 13616)."))
    if not (profile.tax_number or vendor.vat_id):
        missing.append(_("Steuernummer oder USt-IdNr.: eines von beiden ist Pflicht (BR-CO-26, BR-DE-16)."))
    if not (profile.contact_name and profile.contact_phone and profile.contact_email):
        missing.append(
            _(
                "Kontakt für Rückfragen: Name, Telefon und E-Mail sind Pflicht "
                "(BR-DE-2, BR-DE-5, BR-DE-6, BR-DE-7)."
            )
        )
    if not (profile.electronic_address or profile.contact_email):
        missing.append(_("Elektronische Adresse des Verkäufers fehlt (BT-34)."))
    if not (vendor.street and vendor.postal_code and vendor.city):
        missing.append(
            _("Anschrift Ihrer Organisation: Straße, PLZ und Ort sind Pflicht (BR-DE-3, BR-DE-4).")
        )
    return missing


def parties_snapshot(
    invoice: Invoice, contract: Contract, vendor: Organisation, profile: BillingProfile
) -> dict[str, Any]:
    """The seller, buyer and payment data the XML is built from, as plain JSON."""
    return {
        "seller": {
            "name": vendor.name,
            "street": vendor.street,
            "postal_code": vendor.postal_code,
            "city": vendor.city,
            "country": vendor.country_code or "DE",
            "vat_id": vendor.vat_id or "",
            "tax_number": profile.tax_number,
            "electronic_address": profile.electronic_address or profile.contact_email,
            "contact_name": profile.contact_name,
            "contact_phone": profile.contact_phone,
            "contact_email": profile.contact_email,
        },
        "buyer": {
            "name": contract.billing_name or contract.buyer_name,
            "street": contract.billing_street,
            "postal_code": contract.billing_postal_code,
            "city": contract.billing_city,
            "country": "DE",
            "leitweg_id": contract.leitweg_id,
        },
        "payment": {
            "iban": normalise_iban(profile.iban),
            "bic": profile.bic.strip().upper(),
            "account_name": profile.account_name or vendor.name,
            "terms_days": profile.payment_terms_days,
        },
        "contract_number": contract.number,
        "tender_reference": contract.tender.reference or "",
    }


def payment_terms_text(days: int, due_date: Optional[date]) -> str:
    """BT-20 in German: the invoice goes to a German authority, whatever the vendor's language."""
    with force_locale("de"):
        if due_date is not None:
            return _(
                "Zahlbar innerhalb von %(days)s Tagen ohne Abzug bis zum %(date)s.",
                days=days,
                date=due_date.strftime("%d.%m.%Y"),
            )
        return _("Zahlbar innerhalb von %(days)s Tagen ohne Abzug.", days=days)


def to_document(invoice: Invoice, parties: dict[str, Any]) -> xrechnung.Invoice:
    """The EN 16931 invoice (or credit note, type 381 with BG-3) of an invoice row and its snapshot."""
    seller_data, buyer_data, payment_data = parties["seller"], parties["buyer"], parties["payment"]
    seller = xrechnung.Seller(
        seller_data["name"],
        xrechnung.Address(
            seller_data["country"], seller_data["city"], seller_data["postal_code"], seller_data["street"]
        ),
        xrechnung.email_address(seller_data["electronic_address"]),
        xrechnung.Contact(
            seller_data["contact_name"], seller_data["contact_phone"], seller_data["contact_email"]
        ),
        vat_id=seller_data["vat_id"],
        tax_registration_id=seller_data["tax_number"],
    )
    buyer = xrechnung.Buyer(
        buyer_data["name"],
        xrechnung.Address(
            buyer_data["country"], buyer_data["city"], buyer_data["postal_code"], buyer_data["street"]
        ),
        xrechnung.leitweg_address(buyer_data["leitweg_id"]),
    )
    lines = [
        xrechnung.Line(
            str(line.position),
            xrechnung.Item(
                line.name,
                line.description,
                classifications=[xrechnung.Classification(line.cpv_code, CPV_LIST_ID)]
                if line.cpv_code
                else [],
            ),
            Decimal(line.quantity),
            line.unit_code,
            Decimal(line.unit_price),
            xrechnung.Vat(xrechnung.VatCategory(line.vat_category), _rate(line)),
        )
        for line in invoice.lines
    ]
    preceding = []
    if invoice.kind is InvoiceKind.credit_note and invoice.preceding_invoice is not None:
        preceding = [
            xrechnung.PrecedingInvoice(invoice.preceding_invoice.number, invoice.preceding_invoice.issue_date)
        ]
    period = None
    if invoice.period_start or invoice.period_end:
        period = xrechnung.Period(invoice.period_start, invoice.period_end)
    return xrechnung.Invoice(
        number=invoice.number,
        issue_date=invoice.issue_date,
        seller=seller,
        buyer=buyer,
        lines=lines,
        buyer_reference=buyer_data["leitweg_id"],
        payment=xrechnung.PaymentInstructions.sepa_credit_transfer(
            payment_data["iban"],
            bic=payment_data["bic"],
            account_name=payment_data["account_name"],
            remittance_information=invoice.number,
        ),
        type_code=CREDIT_NOTE_TYPE if invoice.kind is InvoiceKind.credit_note else INVOICE_TYPE,
        currency=invoice.currency,
        due_date=invoice.due_date,
        contract_reference=parties["contract_number"],
        payment_terms=payment_terms_text(payment_data["terms_days"], invoice.due_date),
        notes=[invoice.note] if invoice.note.strip() else [],
        preceding_invoices=preceding,
        invoicing_period=period,
    )


def _rate(line: InvoiceLine) -> Optional[Decimal]:
    if line.vat_category == "O":
        return None
    return Decimal(line.vat_rate) if line.vat_rate is not None else Decimal(0)


# --- build and validate --------------------------------------------------------------------------


def rules_dir() -> str:
    """The official artefacts from the app's config; "" means own checks only (never the env)."""
    return str(current_app.config.get("XRECHNUNG_RULES_DIR") or "")


@dataclass(frozen=True)
class Built:
    """An invoice's XML and what the validation said about it."""

    xml: bytes
    sha256: str
    report: xrechnung.Report
    totals: xrechnung.Totals

    @property
    def valid(self) -> bool:
        return self.report.valid

    def findings(self) -> list[dict[str, str]]:
        return findings_json(self.report)


def findings_json(report: xrechnung.Report) -> list[dict[str, str]]:
    """The findings to store and show: rule id, severity, where, German and English text."""
    return [
        {
            "rule_id": finding.rule_id,
            "severity": finding.severity.value,
            "location": finding.location,
            "message_de": finding.message_de,
            "message_en": finding.message_en,
        }
        for finding in report.findings
    ]


def build_and_validate(document: xrechnung.Invoice, directory: Optional[str] = None) -> Built:
    """Build the UBL with the library and validate exactly those bytes."""
    data = xrechnung.build(document)
    report = xrechnung.validate(data, rules_dir=rules_dir() if directory is None else directory)
    return Built(data, hashlib.sha256(data).hexdigest(), report, xrechnung.compute_totals(document))


def build_document(document: xrechnung.Invoice) -> tuple[bytes, xrechnung.Totals]:
    """The UBL bytes and the totals of one document (no validation yet)."""
    return xrechnung.build(document), xrechnung.compute_totals(document)


# Validating many invoices at once ("invoice all participants"): the official Schematron run
# (Saxon, one document at a time per process) is two thirds of the time of an invoice, so a
# batch is validated in worker processes. Each worker compiles the rules once when it starts and
# lives as long as the app process; small batches stay in the process (a worker's start costs
# more than it saves).
PARALLEL_MIN = 50
_pool_lock = threading.Lock()
_pools: dict[tuple[str, int], ProcessPoolExecutor] = {}


def _pool(directory: str, workers: int, sample: bytes) -> ProcessPoolExecutor:
    with _pool_lock:
        pool = _pools.get((directory, workers))
        if pool is None:
            pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=xrechnung.validate,  # compiles the rules in the worker
                initargs=(sample, directory),
            )
            _pools[(directory, workers)] = pool
        return pool


def validation_workers() -> int:
    """Worker processes for batch validation: ``INVOICE_VALIDATION_WORKERS``, at most the CPUs."""
    configured = int(current_app.config.get("INVOICE_VALIDATION_WORKERS", 1))
    return max(1, min(configured, os.cpu_count() or 1))


def validate_many(documents: list[bytes], directory: Optional[str] = None) -> list[xrechnung.Report]:
    """The reports of ``documents`` in order; in worker processes for large batches."""
    rules = rules_dir() if directory is None else directory
    workers = validation_workers()
    if workers <= 1 or len(documents) < int(current_app.config.get("INVOICE_PARALLEL_MIN", PARALLEL_MIN)):
        return [xrechnung.validate(data, rules_dir=rules) for data in documents]
    pool = _pool(rules, workers, documents[0])
    chunk = max(1, min(50, len(documents) // (workers * 4)))
    try:
        return list(pool.map(xrechnung.validate, documents, repeat(rules), chunksize=chunk))
    except BrokenProcessPool:
        # a worker died (killed, out of memory): start afresh next time, validate here now
        with _pool_lock:
            _pools.pop((rules, workers), None)
        return [xrechnung.validate(data, rules_dir=rules) for data in documents]


def warm_validation_pool(sample: bytes, directory: Optional[str] = None) -> None:
    """Start the worker processes now (e.g. before a measurement), not at the first batch."""
    rules = rules_dir() if directory is None else directory
    workers = validation_workers()
    if workers > 1:
        pool = _pool(rules, workers, sample)
        list(pool.map(xrechnung.validate, [sample] * workers, repeat(rules)))


def level_name(report: xrechnung.Report) -> str:
    """What ``Invoice.validation_level`` stores: "official" or "own"."""
    return "official" if report.level is xrechnung.CheckLevel.OFFICIAL else "own"
