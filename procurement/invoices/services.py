"""The vendor's invoices: billing profile, drafts from a contract, issue, send, credit notes, invoice all.

Services check permission, lock, change, audit and flush; the request commits once.

- **Numbers** (BT-1): ``RE-<year>-<000123>``, sequential per vendor and year, given at issuing
  (a draft carries a placeholder ``ENTWURF-…``), so discarded drafts leave no gaps. Two issues
  of the same vendor are serialised on the vendor's billing profile row (``FOR UPDATE`` on
  PostgreSQL, the write lock on SQLite) before the next number is read; the unique constraint
  (vendor, number) stays the last guard.
- **Issue**: the billing data are checked first (a clear German list of what is missing), then
  the XML is built with the ``xrechnung`` library and validated with the configured rules
  (``XRECHNUNG_RULES_DIR``); only a document without fatal findings is issued. An invalid one
  leaves the draft as it was, with the findings stored for the page.
- **Invoice all participants**: one invoice per contract of an award that has none yet, built
  and issued in one step; one audit entry per batch (like the contracts of an award: a thousand
  entries in the hash chain would record nothing more and cost most of the time).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Optional
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

import xrechnung
from procurement.accounts.models import Organisation, User
from procurement.accounts.services import active_officers
from procurement.audit.services import record
from procurement.awards.models import Award, Contract
from procurement.awards.permissions import can_view_contract
from procurement.database import lock_sqlite_for_writing
from procurement.errors import Conflict, DomainError, NotFound, PermissionDenied
from procurement.extensions import db
from procurement.invoices import xml as invoice_xml
from procurement.invoices.models import BillingProfile, Invoice, InvoiceKind, InvoiceLine
from procurement.invoices.permissions import (
    can_invoice_award,
    can_invoice_contract,
    can_manage_billing_profile,
    can_view_invoice,
)
from procurement.invoices.units import unit_code
from procurement.mail.services import queue_mail
from procurement.web import external_url
from workflows.invoice import INVOICE, InvoiceStatus, has_lines

BERLIN = ZoneInfo("Europe/Berlin")
DRAFT_PREFIX = "ENTWURF-"
NUMBER_PREFIX = "RE"
DEFAULT_VAT_RATE = Decimal("19")
CREDIT_NOTE_SOURCES = frozenset({InvoiceStatus.issued, InvoiceStatus.sent, InvoiceStatus.rejected})
_TIMESTAMPS = {
    InvoiceStatus.issued: "issued_at",
    InvoiceStatus.sent: "sent_at",
    InvoiceStatus.paid: "paid_at",
    InvoiceStatus.rejected: "rejected_at",
}


class BillingDataMissing(DomainError):
    """The vendor's billing data lack what an XRechnung needs; ``missing`` lists it in German."""

    status_code = 409

    def __init__(self, missing: list[str]) -> None:
        super().__init__(" ".join(missing))
        self.missing = missing


# --- audit and the machine ---------------------------------------------------------------------


def audit_invoice(action: str, actor: Optional[User], invoice: Invoice, now: datetime, **after: Any) -> None:
    """One audit entry about an invoice (``invoice.<action>``), with its number and state."""
    record(
        f"invoice.{action}",
        actor=actor,
        object_type="invoice",
        object_id=invoice.id,
        now=now,
        organisation_id=getattr(actor, "organisation_id", None),
        after={
            "number": invoice.number,
            "kind": invoice.kind.value,
            "status": invoice.status.value,
            "contract_id": invoice.contract_id,
            **after,
        },
    )


def fire_invoice(
    actor: Optional[User], invoice: Invoice, trigger: str, now: datetime, **audit: Any
) -> InvoiceStatus:
    """Fire ``trigger`` on the invoice machine, stamp the time of the new state, audit it.

    :param actor: who acts (recorded as paid/rejected by for the buyer's moves)
    :param audit: extra facts for the audit entry
    """
    status = INVOICE.fire(invoice, trigger, now)
    stamp = _TIMESTAMPS.get(status)  # type: ignore[arg-type]
    if stamp:
        setattr(invoice, stamp, now)
    if status is InvoiceStatus.paid:
        invoice.paid_by_id = getattr(actor, "id", None)
    elif status is InvoiceStatus.rejected:
        invoice.rejected_by_id = getattr(actor, "id", None)
    invoice.updated_at = now
    db.session.flush()
    audit_invoice(trigger, actor, invoice, now, **audit)
    return status  # type: ignore[return-value]


def check_version(invoice: Invoice, version: Optional[int]) -> None:
    if version is not None and version != invoice.version:
        raise Conflict(
            _(
                "Jemand anderes hat diese Rechnung gerade geändert. Ihre Änderung wurde nicht "
                "gespeichert. Bitte laden Sie die Seite neu und prüfen Sie den aktuellen Stand."
            )
        )


# --- loading with permission ---------------------------------------------------------------------


def load_contract_for_invoicing(actor: User, contract_id: int) -> Contract:
    """The contract, if ``actor`` may invoice it: 404 when they may not see it, 403 otherwise."""
    contract = db.session.get(Contract, contract_id)
    if contract is None or not can_view_contract(actor, contract):
        raise NotFound(_("Diesen Vertrag gibt es nicht."))
    if not can_invoice_contract(actor, contract):
        raise PermissionDenied(_("Rechnungen zu diesem Vertrag stellt nur der Auftragnehmer."))
    return contract


def load_invoice(actor: User, invoice_id: int) -> Invoice:
    """The invoice, if ``actor`` may read it (a 404 otherwise: nobody learns it exists)."""
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None or not can_view_invoice(actor, invoice):
        raise NotFound(_("Diese Rechnung gibt es nicht."))
    return invoice


def load_invoice_for_vendor(actor: User, invoice_id: int) -> Invoice:
    """The invoice, if ``actor`` is its vendor (404 for those who may not see it, 403 else)."""
    invoice = load_invoice(actor, invoice_id)
    if not can_invoice_contract(actor, invoice.contract):
        raise PermissionDenied(_("Nur der Auftragnehmer bearbeitet seine Rechnungen."))
    return invoice


# --- billing profile ---------------------------------------------------------------------------


@dataclass
class BillingData:
    iban: str = ""
    bic: str = ""
    account_name: str = ""
    tax_number: str = ""
    vat_id: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    electronic_address: str = ""
    payment_terms_days: int = 30


def billing_profile_of(organisation_id: int) -> Optional[BillingProfile]:
    return db.session.get(BillingProfile, organisation_id)


def save_billing_profile(actor: User, data: BillingData, now: datetime) -> BillingProfile:
    """Create or change the vendor's billing profile (and its organisation's VAT id).

    :param data: checked by the form (IBAN check digits, BIC format, one tax id)
    """
    if not can_manage_billing_profile(actor):
        raise PermissionDenied(_("Rechnungsdaten pflegen nur Anbieter."))
    if not (data.tax_number.strip() or data.vat_id.strip()):
        raise DomainError(_("Bitte geben Sie eine Steuernummer oder eine USt-IdNr. an (BR-CO-26)."))
    if data.iban and not invoice_xml.iban_valid(data.iban):
        raise DomainError(_("Die IBAN ist ungültig (Prüfziffer nach ISO 13616)."))
    organisation = actor.organisation
    profile = billing_profile_of(organisation.id) or BillingProfile(organisation_id=organisation.id)
    before = {"iban": profile.iban, "tax_number": profile.tax_number} if profile.iban is not None else None
    profile.iban = invoice_xml.normalise_iban(data.iban)
    profile.bic = data.bic.strip().upper()
    profile.account_name = data.account_name.strip()
    profile.tax_number = data.tax_number.strip()
    profile.contact_name = data.contact_name.strip()
    profile.contact_phone = data.contact_phone.strip()
    profile.contact_email = data.contact_email.strip()
    profile.electronic_address = data.electronic_address.strip()
    profile.payment_terms_days = data.payment_terms_days
    profile.updated_at = now
    # a vendor's organisation always has its VAT id (registration); a blank field keeps it
    vat_id = data.vat_id.strip().upper().replace(" ", "") or organisation.vat_id
    if vat_id != organisation.vat_id:
        taken = db.session.scalar(
            select(Organisation.id).where(Organisation.vat_id == vat_id, Organisation.id != organisation.id)
        )
        if vat_id and taken:
            raise DomainError(_("Diese USt-IdNr. ist schon bei einer anderen Organisation eingetragen."))
        organisation.vat_id = vat_id
    db.session.add(profile)
    db.session.flush()
    record(
        "billing_profile.saved",
        actor=actor,
        object_type="billing_profile",
        object_id=organisation.id,
        now=now,
        before=before,
        after={"iban": profile.iban, "tax_number": profile.tax_number, "vat_id": organisation.vat_id},
    )
    return profile


# --- drafts ------------------------------------------------------------------------------------


@dataclass
class LineData:
    name: str
    quantity: Decimal
    unit_code: str
    unit_price: Decimal
    vat_category: str = "S"
    vat_rate: Optional[Decimal] = DEFAULT_VAT_RATE
    description: str = ""
    cpv_code: str = ""


@dataclass
class InvoiceData:
    issue_date: date
    due_date: Optional[date]
    period_start: Optional[date] = None
    period_end: Optional[date] = None
    note: str = ""
    lines: list[LineData] = field(default_factory=list)


def today_in_berlin(now: datetime) -> date:
    return now.astimezone(BERLIN).date()


def contract_line(contract: Contract) -> LineData:
    """The contract as one invoice line: lot title, quantity, unit code, unit price, 19 % VAT."""
    return LineData(
        name=contract.lot_title[:200],
        quantity=contract.quantity,
        unit_code=unit_code(contract.unit),
        unit_price=contract.unit_price,
        cpv_code=contract.cpv_code,
    )


def prefill(contract: Contract, now: datetime) -> InvoiceData:
    """A new invoice on a contract: today, due after the profile's payment terms, the contract's line."""
    issue_date = today_in_berlin(now)
    profile = billing_profile_of(contract.vendor_organisation_id)
    days = profile.payment_terms_days if profile is not None else 30
    return InvoiceData(
        issue_date=issue_date, due_date=issue_date + timedelta(days=days), lines=[contract_line(contract)]
    )


def _placeholder() -> str:
    return DRAFT_PREFIX + secrets.token_hex(8).upper()


def is_draft_number(number: str) -> bool:
    return number.startswith(DRAFT_PREFIX)


def _check_data(data: InvoiceData) -> None:
    if not data.lines:
        raise DomainError(_(has_lines.message))
    if data.due_date is not None and data.due_date < data.issue_date:
        raise DomainError(_("Das Fälligkeitsdatum darf nicht vor dem Rechnungsdatum liegen."))
    if data.period_start and data.period_end and data.period_end < data.period_start:
        raise DomainError(_("Der Leistungszeitraum endet vor seinem Beginn."))
    for line in data.lines:
        if line.quantity == 0:
            raise DomainError(_("Die Menge einer Position darf nicht 0 sein."))
        if line.unit_price < 0:
            raise DomainError(_("Ein Einzelpreis darf nicht negativ sein."))


def _set_lines(invoice: Invoice, lines: Sequence[LineData]) -> None:
    invoice.lines.clear()
    db.session.flush()
    for position, line in enumerate(lines, start=1):
        invoice.lines.append(
            InvoiceLine(
                position=position,
                name=line.name.strip()[:200],
                description=line.description.strip(),
                quantity=line.quantity,
                unit_code=line.unit_code,
                unit_price=line.unit_price,
                vat_category=line.vat_category,
                vat_rate=line.vat_rate,
                cpv_code=line.cpv_code,
            )
        )


def _apply(invoice: Invoice, data: InvoiceData) -> None:
    invoice.issue_date = data.issue_date
    invoice.due_date = data.due_date
    invoice.period_start = data.period_start
    invoice.period_end = data.period_end
    invoice.note = data.note.strip()
    _set_lines(invoice, data.lines)


def _new_invoice(
    actor: Optional[User], contract: Contract, data: InvoiceData, now: datetime, **extra: Any
) -> Invoice:
    invoice = Invoice(
        number=_placeholder(),
        status=InvoiceStatus.draft,
        contract=contract,
        contract_id=contract.id,
        tender_id=contract.tender_id,
        vendor_organisation_id=contract.vendor_organisation_id,
        buyer_organisation_id=contract.buyer_organisation_id,
        created_by_id=getattr(actor, "id", None),
        created_at=now,
        updated_at=now,
        issue_date=data.issue_date,
        **extra,
    )
    db.session.add(invoice)
    _apply(invoice, data)
    db.session.flush()
    return invoice


def create_invoice(actor: User, contract: Contract, data: InvoiceData, now: datetime) -> Invoice:
    """A draft invoice of the contract's vendor to the contract's municipality.

    :param data: dates, note and lines as the vendor edited the pre-filled form
    """
    if not can_invoice_contract(actor, contract):
        raise PermissionDenied(_("Rechnungen zu diesem Vertrag stellt nur der Auftragnehmer."))
    _check_data(data)
    invoice = _new_invoice(actor, contract, data, now)
    audit_invoice("drafted", actor, invoice, now)
    return invoice


def update_draft(
    actor: User, invoice: Invoice, data: InvoiceData, now: datetime, version: Optional[int] = None
) -> Invoice:
    """Change a draft: dates, note and lines (a stale form gives a 409)."""
    if not can_invoice_contract(actor, invoice.contract):
        raise PermissionDenied(_("Nur der Auftragnehmer bearbeitet seine Rechnungen."))
    check_version(invoice, version)
    if invoice.status is not InvoiceStatus.draft:
        raise Conflict(
            _(
                "Nur Entwürfe können geändert werden; korrigieren Sie eine ausgestellte Rechnung "
                "mit einer Rechnungskorrektur."
            )
        )
    _check_data(data)
    _apply(invoice, data)
    invoice.xml_valid = False
    invoice.findings = None
    invoice.updated_at = now
    db.session.flush()
    return invoice


def discard_invoice(actor: User, invoice: Invoice, now: datetime, version: Optional[int] = None) -> Invoice:
    """Discard a draft that will not be issued."""
    if not can_invoice_contract(actor, invoice.contract):
        raise PermissionDenied(_("Nur der Auftragnehmer bearbeitet seine Rechnungen."))
    check_version(invoice, version)
    fire_invoice(actor, invoice, "discard", now)
    return invoice


def create_credit_note(actor: User, invoice: Invoice, now: datetime) -> Invoice:
    """A draft credit note (type 381) to an issued, sent or rejected invoice, with its lines."""
    if not can_invoice_contract(actor, invoice.contract):
        raise PermissionDenied(_("Nur der Auftragnehmer bearbeitet seine Rechnungen."))
    if invoice.kind is not InvoiceKind.invoice or invoice.status not in CREDIT_NOTE_SOURCES:
        raise Conflict(_("Eine Rechnungskorrektur gibt es nur zu einer ausgestellten Rechnung."))
    issue_date = today_in_berlin(now)
    with force_locale("de"):  # the document's text is for a German authority, whoever writes it
        note_text = _(
            "Rechnungskorrektur zur Rechnung %(number)s vom %(date)s.",
            number=invoice.number,
            date=invoice.issue_date.strftime("%d.%m.%Y"),
        )
    data = InvoiceData(
        issue_date=max(issue_date, invoice.issue_date),
        due_date=None,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        note=note_text,
        lines=[
            LineData(
                name=line.name,
                description=line.description,
                quantity=line.quantity,
                unit_code=line.unit_code,
                unit_price=line.unit_price,
                vat_category=line.vat_category,
                vat_rate=line.vat_rate,
                cpv_code=line.cpv_code,
            )
            for line in invoice.lines
        ],
    )
    note = _new_invoice(
        actor,
        invoice.contract,
        data,
        now,
        kind=InvoiceKind.credit_note,
        preceding_invoice_id=invoice.id,
    )
    note.preceding_invoice = invoice
    note.note = data.note
    audit_invoice("drafted", actor, note, now, preceding=invoice.number)
    return note


# --- numbers -----------------------------------------------------------------------------------


def _lock_vendor(vendor_organisation_id: int) -> None:
    """Serialise the numbering of one vendor's invoices (the billing profile row is the lock)."""
    if not lock_sqlite_for_writing(db.session):
        db.session.execute(
            select(BillingProfile.organisation_id)
            .where(BillingProfile.organisation_id == vendor_organisation_id)
            .with_for_update()
        ).all()


def next_numbers(vendor_organisation_id: int, year: int, count: int = 1) -> list[str]:
    """The next ``count`` numbers ``RE-<year>-<nnnnnn>`` of a vendor (call under ``_lock_vendor``)."""
    prefix = f"{NUMBER_PREFIX}-{year}-"
    last = db.session.scalar(
        select(func.max(Invoice.number)).where(
            Invoice.vendor_organisation_id == vendor_organisation_id, Invoice.number.like(prefix + "%")
        )
    )
    start = int(last[len(prefix) :]) + 1 if last else 1
    return [f"{prefix}{n:06d}" for n in range(start, start + count)]


# --- issue and send ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueResult:
    invoice: Invoice
    issued: bool
    findings: list[dict[str, str]]
    level: str


def _billing_ready(vendor_organisation_id: int) -> tuple[Organisation, BillingProfile]:
    vendor = db.session.get(Organisation, vendor_organisation_id)
    profile = billing_profile_of(vendor_organisation_id)
    missing = invoice_xml.check_billing_data(vendor, profile)
    if missing:
        raise BillingDataMissing(missing)
    return vendor, profile  # type: ignore[return-value]


def _build(
    invoice: Invoice, vendor: Organisation, profile: BillingProfile, number: str, rules_dir: str
) -> invoice_xml.Built | list[dict[str, str]]:
    """Build and validate with ``number``; the findings when the library refuses the data."""
    invoice.number = number
    parties = invoice_xml.parties_snapshot(invoice, invoice.contract, vendor, profile)
    try:
        document = invoice_xml.to_document(invoice, parties)
        built = invoice_xml.build_and_validate(document, rules_dir)
    except xrechnung.XRechnungError as err:
        return [_error_finding(err)]
    invoice.parties = parties
    return built


def _store_valid(invoice: Invoice, built: invoice_xml.Built) -> None:
    invoice.xml = built.xml
    invoice.xml_sha256 = built.sha256
    invoice.validation_level = invoice_xml.level_name(built.report)
    invoice.findings = built.findings()
    invoice.xml_valid = True
    totals = built.totals
    invoice.net_total = totals.tax_exclusive
    invoice.vat_total = totals.vat_total
    invoice.gross_total = totals.tax_inclusive
    invoice.payable_amount = totals.amount_due


def _store_invalid(invoice: Invoice, placeholder: str, findings: list[dict[str, str]], level: str) -> None:
    invoice.number = placeholder
    invoice.xml = None
    invoice.xml_sha256 = ""
    invoice.xml_valid = False
    invoice.findings = findings
    invoice.validation_level = level
    invoice.parties = None


def issue_invoice(actor: User, invoice: Invoice, now: datetime, version: Optional[int] = None) -> IssueResult:
    """Number, build and validate the XRechnung; issue it only when no finding is fatal.

    :raises BillingDataMissing: before anything is built, when bank account, tax id or contact lack
    :returns: the result; when not issued the draft keeps its data and carries the findings
    """
    if not can_invoice_contract(actor, invoice.contract):
        raise PermissionDenied(_("Nur der Auftragnehmer stellt seine Rechnungen aus."))
    _lock_vendor(invoice.vendor_organisation_id)
    db.session.refresh(invoice)
    check_version(invoice, version)
    if invoice.status is not InvoiceStatus.draft:
        INVOICE.fire(invoice, "issue", now)  # raises InvalidTransition with the state
    if not invoice.lines:
        raise Conflict(_(has_lines.message))
    vendor, profile = _billing_ready(invoice.vendor_organisation_id)
    placeholder = invoice.number
    (number,) = next_numbers(invoice.vendor_organisation_id, invoice.issue_date.year)
    rules = invoice_xml.rules_dir()
    outcome = _build(invoice, vendor, profile, number, rules)
    if isinstance(outcome, list) or not outcome.valid:
        findings = outcome if isinstance(outcome, list) else outcome.findings()
        level = "" if isinstance(outcome, list) else invoice_xml.level_name(outcome.report)
        _store_invalid(invoice, placeholder, findings, level)
        invoice.updated_at = now
        db.session.flush()
        audit_invoice(
            "issue_refused",
            actor,
            invoice,
            now,
            rules=[f["rule_id"] for f in findings if f["severity"] == "fatal"],
        )
        return IssueResult(invoice, False, findings, level)
    _store_valid(invoice, outcome)
    fire_invoice(
        actor,
        invoice,
        "issue",
        now,
        sha256=outcome.sha256,
        level=invoice.validation_level,
        gross=str(invoice.gross_total),
    )
    return IssueResult(invoice, True, invoice.findings or [], invoice.validation_level)


def send_invoice(actor: User, invoice: Invoice, now: datetime, version: Optional[int] = None) -> Invoice:
    """Deliver an issued invoice to the municipality: its inbox and a mail to its officers."""
    if not can_invoice_contract(actor, invoice.contract):
        raise PermissionDenied(_("Nur der Auftragnehmer versendet seine Rechnungen."))
    check_version(invoice, version)
    fire_invoice(actor, invoice, "send", now)
    link = external_url("invoices.invoice", invoice_id=invoice.id)
    for officer in active_officers([invoice.buyer_organisation_id]):
        queue_mail(
            officer.email,
            "invoice_sent",
            language=getattr(officer, "language", None) or "de",
            user=officer,
            invoice=invoice,
            link=link,
        )
    return invoice


def invoice_xml_bytes(actor: User, invoice: Invoice) -> bytes:
    """The stored XML exactly as issued, checked against its SHA-256."""
    if invoice.xml is None or invoice.status in (InvoiceStatus.draft, InvoiceStatus.discarded):
        raise NotFound(_("Zu einem Entwurf gibt es noch keine XRechnung."))
    data = bytes(invoice.xml)
    if hashlib.sha256(data).hexdigest() != invoice.xml_sha256:
        raise Conflict(
            _(
                "Die gespeicherte XRechnung stimmt nicht mit ihrer Prüfsumme überein; bitte wenden "
                "Sie sich an den Betrieb."
            )
        )
    return data


def invoice_pdf_bytes(actor: User, invoice: Invoice) -> bytes:
    """A readable PDF of the stored XRechnung (rendered from the parsed XML, not from the rows)."""
    return xrechnung.render_pdf(xrechnung.parse(invoice_xml_bytes(actor, invoice)))


# --- invoice all participants ------------------------------------------------------------------


@dataclass
class BatchSummary:
    """What "invoice all participants" did: issued, failed (with reasons), skipped."""

    issued: list[Invoice] = field(default_factory=list)
    failed: list[tuple[Contract, list[dict[str, str]]]] = field(default_factory=list)
    skipped: list[Contract] = field(default_factory=list)


def invoice_all(actor: User, award: Award, now: datetime) -> BatchSummary:
    """One invoice per contract of the award that has none yet, built and issued in one step.

    A contract whose invoice is invalid keeps a draft with the findings; a contract that already
    has an invoice (not discarded) is skipped, so a second click invoices nothing twice.
    """
    if not can_invoice_award(actor, award):
        raise PermissionDenied(_("Nur der Auftragnehmer stellt Rechnungen zu diesem Zuschlag."))
    vendor_id = award.bid.organisation_id
    _lock_vendor(vendor_id)
    vendor, profile = _billing_ready(vendor_id)
    contracts = list(
        db.session.scalars(
            select(Contract)
            .where(Contract.award_id == award.id, Contract.vendor_organisation_id == vendor_id)
            .order_by(Contract.id)
        )
    )
    # contracts that already have an invoice (a long IN list would pass SQLite's bound-parameter
    # limit: for large awards the tender's invoices are read and matched here)
    invoiced = set(
        db.session.scalars(
            select(Invoice.contract_id).where(
                Invoice.contract_id.in_([c.id for c in contracts])
                if len(contracts) < 900
                else Invoice.tender_id == award.tender_id,
                Invoice.kind == InvoiceKind.invoice,
                Invoice.status != InvoiceStatus.discarded,
            )
        )
    )
    summary = BatchSummary()
    todo = []
    for contract in contracts:
        if contract.id in invoiced:
            summary.skipped.append(contract)
        elif contract.quantity == 0:
            summary.failed.append((contract, [_finding("has-lines", _(has_lines.message))]))
        else:
            todo.append(contract)
    if not todo:
        return summary
    issue_date = today_in_berlin(now)
    due = issue_date + timedelta(days=profile.payment_terms_days)
    numbers = iter(next_numbers(vendor_id, issue_date.year, len(todo)))
    rules = invoice_xml.rules_dir()
    drafts = []
    for contract in todo:
        invoice = Invoice(
            number=_placeholder(),
            status=InvoiceStatus.draft,
            contract=contract,
            tender_id=contract.tender_id,
            vendor_organisation_id=vendor_id,
            buyer_organisation_id=contract.buyer_organisation_id,
            created_by_id=actor.id,
            created_at=now,
            updated_at=now,
            issue_date=issue_date,
            due_date=due,
            kind=InvoiceKind.invoice,
            currency="EUR",
            note="",
            xml_valid=False,
        )
        line = contract_line(contract)
        invoice.lines.append(
            InvoiceLine(
                position=1,
                name=line.name,
                quantity=line.quantity,
                unit_code=line.unit_code,
                unit_price=line.unit_price,
                vat_category=line.vat_category,
                vat_rate=line.vat_rate,
                cpv_code=line.cpv_code,
            )
        )
        drafts.append(invoice)
    # build every document (each with the number it will carry), then validate them together
    prepared = []
    for invoice in drafts:
        placeholder = invoice.number
        invoice.number = next(numbers)
        parties = invoice_xml.parties_snapshot(invoice, invoice.contract, vendor, profile)
        try:
            data, totals = invoice_xml.build_document(invoice_xml.to_document(invoice, parties))
        except xrechnung.XRechnungError as err:
            prepared.append((invoice, placeholder, parties, None, None, [_error_finding(err)]))
            continue
        prepared.append((invoice, placeholder, parties, data, totals, None))
    reports = iter(invoice_xml.validate_many([item[3] for item in prepared if item[3] is not None], rules))
    free_numbers: list[str] = []
    for invoice, placeholder, parties, data, totals, error in prepared:
        report = next(reports) if data is not None else None
        if report is None or not report.valid:
            findings = error or invoice_xml.findings_json(report)  # type: ignore[arg-type]
            free_numbers.append(invoice.number)
            _store_invalid(invoice, placeholder, findings, invoice_xml.level_name(report) if report else "")
            summary.failed.append((invoice.contract, [f for f in findings if f["severity"] == "fatal"]))
            continue
        invoice.parties = parties
        _store_valid(invoice, invoice_xml.Built(data, hashlib.sha256(data).hexdigest(), report, totals))
        INVOICE.fire(invoice, "issue", now)
        invoice.issued_at = now
        summary.issued.append(invoice)
    if free_numbers:
        _renumber(summary.issued, free_numbers)
    db.session.add_all(drafts)
    db.session.flush()
    record(
        "invoice.batch_issued",
        actor=actor,
        object_type="award",
        object_id=award.id,
        now=now,
        after={
            "issued": [
                [invoice.number, invoice.xml_sha256, str(invoice.gross_total)] for invoice in summary.issued
            ],
            "failed": [contract.number for contract, _findings in summary.failed],
            "skipped": [contract.number for contract in summary.skipped],
            "gross_total": str(
                sum((invoice.gross_total or Decimal(0) for invoice in summary.issued), Decimal(0))
            ),
        },
    )
    return summary


def _renumber(issued: list[Invoice], free: list[str]) -> None:
    """Close the gaps that refused invoices left; the XML carries the number, so rebuild those moved."""
    numbers = sorted([invoice.number for invoice in issued] + free)[: len(issued)]
    for invoice, number in zip(issued, numbers, strict=True):
        if invoice.number != number:
            invoice.number = number
            document = invoice_xml.to_document(invoice, invoice.parties or {})
            built = invoice_xml.build_and_validate(document)
            if not built.valid:  # the number alone cannot make it invalid; never store unchecked XML
                raise Conflict(_("Die Rechnungen konnten nicht neu nummeriert werden."))
            _store_valid(invoice, built)


def _error_finding(err: xrechnung.XRechnungError) -> dict[str, str]:
    return {
        "rule_id": getattr(err, "rule_id", "") or "XR-BUILD",
        "severity": "fatal",
        "location": getattr(err, "location", ""),
        "message_de": getattr(err, "message_de", "") or str(err),
        "message_en": str(err),
    }


def _finding(rule_id: str, message: str) -> dict[str, str]:
    return {
        "rule_id": rule_id,
        "severity": "fatal",
        "location": "",
        "message_de": message,
        "message_en": message,
    }


# --- lists -------------------------------------------------------------------------------------


def invoices_of_vendor(actor: User, status: Optional[InvoiceStatus] = None) -> list[Invoice]:
    query = select(Invoice).where(Invoice.vendor_organisation_id == actor.organisation_id)
    if status is not None:
        query = query.where(Invoice.status == status)
    return list(db.session.scalars(query.order_by(Invoice.created_at.desc(), Invoice.id.desc())))


def invoices_of_contract(actor: User, contract: Contract) -> list[Invoice]:
    """The contract's invoices that ``actor`` may read (vendor: all; buyer: the received ones)."""
    invoices = db.session.scalars(
        select(Invoice).where(Invoice.contract_id == contract.id).order_by(Invoice.id)
    )
    return [invoice for invoice in invoices if can_view_invoice(actor, invoice)]
