"""The vendor's invoice pages: billing profile, invoices of a contract, a new invoice, one invoice
(also the buyer's view of it), its XML and PDF, invoice all participants of an award, own list.

Access lives in ``procurement.invoices.permissions``: an invoice or contract someone may not read
is a 404 (they do not learn it exists); one they may read but not change is a 403.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

import xrechnung
from procurement.accounts.models import Role
from procurement.awards.models import Award, Contract
from procurement.awards.permissions import can_view_contract, can_view_tender_contracts
from procurement.database import utcnow
from procurement.extensions import db
from procurement.invoices import services as service
from procurement.invoices.blueprint import bp
from procurement.invoices.forms import ActionForm, BillingProfileForm, InvoiceAllForm, InvoiceForm
from procurement.invoices.models import Invoice, InvoiceKind
from procurement.invoices.permissions import (
    can_invoice_award,
    can_invoice_contract,
    can_manage_billing_profile,
    is_buyer_member,
)
from workflows.invoice import InvoiceStatus


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global()
def invoice_state_text(status: InvoiceStatus) -> str:
    """The state of an invoice in words (the vendor's view)."""
    labels = {
        InvoiceStatus.draft: _("Entwurf"),
        InvoiceStatus.issued: _("Ausgestellt, nicht versendet"),
        InvoiceStatus.sent: _("Versendet"),
        InvoiceStatus.paid: _("Bezahlt"),
        InvoiceStatus.rejected: _("Zurückgewiesen"),
        InvoiceStatus.discarded: _("Verworfen"),
    }
    return labels[status]


@bp.app_template_global()
def invoice_kind_text(kind: InvoiceKind) -> str:
    return _("Rechnungskorrektur") if kind is InvoiceKind.credit_note else _("Rechnung")


@bp.app_template_global()
def invoice_display_number(invoice: Invoice) -> str:
    """The number, or "Entwurf" for a draft (its number is given at issuing)."""
    return _("(Entwurf)") if service.is_draft_number(invoice.number) else invoice.number


@bp.app_template_global("can_invoice_contract")
def can_invoice_contract_global(user: Any, contract: Contract) -> bool:
    return can_invoice_contract(user, contract)


@bp.app_template_global()
def can_read_contract_invoices(user: Any, contract: Contract) -> bool:
    """The contract's invoices page: its vendor, the buyer's officers and auditors."""
    return can_invoice_contract(user, contract) or is_buyer_member(
        user, contract.buyer_organisation_id, Role.officer, Role.auditor
    )


def _page(template: str, status: int = 200, **context: Any) -> Response:
    return _private(Response(render_template(template, **context), status=status))


# --- billing profile ---------------------------------------------------------------------------


@bp.route("/rechnungsdaten", methods=["GET", "POST"])
@login_required
def billing_profile() -> ResponseReturnValue:
    """The vendor's bank account, tax ids, invoicing contact and payment terms."""
    if not can_manage_billing_profile(current_user):
        abort(403)
    organisation = current_user.organisation
    profile = service.billing_profile_of(organisation.id)
    form = BillingProfileForm(obj=profile)
    if request.method == "GET":
        form.vat_id.data = organisation.vat_id or ""
    if form.validate_on_submit():
        service.save_billing_profile(
            current_user,
            service.BillingData(
                iban=form.iban.data or "",
                bic=form.bic.data or "",
                account_name=form.account_name.data or "",
                tax_number=form.tax_number.data or "",
                vat_id=form.vat_id.data or "",
                contact_name=form.contact_name.data or "",
                contact_phone=form.contact_phone.data or "",
                contact_email=form.contact_email.data or "",
                electronic_address=form.electronic_address.data or "",
                payment_terms_days=form.payment_terms_days.data,
            ),
            utcnow(),
        )
        flash(_("Ihre Rechnungsdaten sind gespeichert."), "success")
        return redirect(_safe_next() if request.args.get("weiter") else url_for("invoices.billing_profile"))
    if form.errors.get("csrf_token"):
        abort(400)
    missing = service.invoice_xml.check_billing_data(organisation, profile) if profile is not None else []
    return _page(
        "invoices/billing_profile.html",
        status=422 if form.errors else 200,
        form=form,
        organisation=organisation,
        profile=profile,
        missing=missing,
    )


def _safe_next() -> Optional[str]:
    from procurement.web import safe_next

    return safe_next(request.args.get("weiter"))


# --- a contract's invoices and a new invoice ---------------------------------------------------


def _contract_for_reading(contract_id: int) -> Contract:
    contract = db.get_or_404(Contract, contract_id)
    if not can_view_contract(current_user, contract):
        abort(404)
    return contract


@bp.get("/vertraege/<int:contract_id>/rechnungen")
@login_required
def contract_invoices(contract_id: int) -> ResponseReturnValue:
    """The vendor: all invoices of the contract; the buyer's officers and auditors: the received ones."""
    contract = _contract_for_reading(contract_id)
    vendor = can_invoice_contract(current_user, contract)
    if not vendor and not is_buyer_member(
        current_user, contract.buyer_organisation_id, Role.officer, Role.auditor
    ):
        abort(403)
    return _page(
        "invoices/vendor_contract.html",
        contract=contract,
        invoices=service.invoices_of_contract(current_user, contract),
        vendor=vendor,
    )


def _invoice_data(form: InvoiceForm) -> service.InvoiceData:
    lines = []
    for entry in form.lines:
        line = entry.form
        if line.remove.data or line.is_blank():
            continue
        category, rate = (line.vat.data or "S:19").split(":")
        lines.append(
            service.LineData(
                name=line.name.data or "",
                description=line.description.data or "",
                quantity=line.quantity.data,
                unit_code=line.unit_code.data,
                unit_price=line.unit_price.data,
                vat_category=category,
                vat_rate=Decimal(rate),
                cpv_code=(line.cpv_code.data or "")[:10],
            )
        )
    return service.InvoiceData(
        issue_date=form.issue_date.data,
        due_date=form.due_date.data,
        period_start=form.period_start.data,
        period_end=form.period_end.data,
        note=form.note.data or "",
        lines=lines,
    )


def _form_data(data: service.InvoiceData) -> dict[str, Any]:
    return {
        "issue_date": data.issue_date,
        "due_date": data.due_date,
        "period_start": data.period_start,
        "period_end": data.period_end,
        "note": data.note,
        "lines": [
            {
                "name": line.name,
                "description": line.description,
                "quantity": line.quantity,
                "unit_code": line.unit_code,
                "unit_price": line.unit_price,
                "vat": f"{line.vat_category}:{_rate_text(line.vat_rate)}",
                "cpv_code": line.cpv_code,
            }
            for line in data.lines
        ],
    }


def _rate_text(rate: Optional[Decimal]) -> str:
    if rate is None:
        return "0"
    return str(rate.normalize().quantize(Decimal(1))) if rate == rate.to_integral() else str(rate)


def _data_of(invoice: Invoice) -> service.InvoiceData:
    return service.InvoiceData(
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        note=invoice.note,
        lines=[
            service.LineData(
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


@bp.route("/vertraege/<int:contract_id>/rechnungen/neu", methods=["GET", "POST"])
@login_required
def new_invoice(contract_id: int) -> ResponseReturnValue:
    """A new invoice on a contract, pre-filled from it; saved as a draft."""
    contract = service.load_contract_for_invoicing(current_user, contract_id)
    now = utcnow()
    if request.method == "GET":
        form = InvoiceForm(data=_form_data(service.prefill(contract, now)))
    else:
        form = InvoiceForm()
    if request.method == "POST" and form.add_line.data:
        form.validate()
        if form.errors.get("csrf_token"):
            abort(400)
        form.lines.append_entry()
        return _new_page(contract, form)
    if form.validate_on_submit():
        invoice = service.create_invoice(current_user, contract, _invoice_data(form), now)
        flash(
            _("Der Rechnungsentwurf ist gespeichert. Prüfen Sie ihn und stellen Sie die Rechnung aus."),
            "success",
        )
        return redirect(url_for("invoices.invoice", invoice_id=invoice.id))
    if form.errors.get("csrf_token"):
        abort(400)
    return _new_page(contract, form, 422 if request.method == "POST" else 200)


def _new_page(contract: Contract, form: InvoiceForm, status: int = 200) -> Response:
    profile = service.billing_profile_of(contract.vendor_organisation_id)
    missing = service.invoice_xml.check_billing_data(current_user.organisation, profile)
    return _page(
        "invoices/invoice_new.html",
        status=status,
        contract=contract,
        form=form,
        missing=missing,
        seller=current_user.organisation,
        profile=profile,
    )


# --- one invoice ---------------------------------------------------------------------------------


def _rendered(invoice: Invoice) -> Optional[Markup]:
    if invoice.xml is None or invoice.status in (InvoiceStatus.draft, InvoiceStatus.discarded):
        return None
    try:
        document = xrechnung.parse(bytes(invoice.xml))
    except xrechnung.XRechnungError:
        return None
    return Markup(xrechnung.render_html(document, heading_level=3))  # noqa: S704 - every text escaped by the library


def _invoice_page(invoice: Invoice, form: Optional[InvoiceForm] = None, status: int = 200) -> Response:
    vendor = can_invoice_contract(current_user, invoice.contract)
    editing = vendor and invoice.status is InvoiceStatus.draft
    if editing and form is None:
        form = InvoiceForm(data=_form_data(_data_of(invoice)))
        form.version.data = str(invoice.version)
    missing: list[str] = []
    if editing:
        missing = service.invoice_xml.check_billing_data(
            invoice.vendor_organisation, service.billing_profile_of(invoice.vendor_organisation_id)
        )
    action = ActionForm()
    action.version.data = str(invoice.version)
    credit_notes = list(
        db.session.scalars(
            db.select(Invoice).where(Invoice.preceding_invoice_id == invoice.id).order_by(Invoice.id)
        )
    )
    return _page(
        "invoices/invoice.html",
        status=status,
        invoice=invoice,
        contract=invoice.contract,
        vendor=vendor,
        editing=editing,
        form=form,
        action=action,
        missing=missing,
        rendered=_rendered(invoice),
        credit_notes=[
            note
            for note in credit_notes
            if vendor or note.status in (InvoiceStatus.sent, InvoiceStatus.paid, InvoiceStatus.rejected)
        ],
        can_credit=vendor
        and invoice.kind is InvoiceKind.invoice
        and invoice.status in service.CREDIT_NOTE_SOURCES,
        is_draft_number=service.is_draft_number,
    )


@bp.route("/rechnungen/<int:invoice_id>", methods=["GET", "POST"])
@login_required
def invoice(invoice_id: int) -> ResponseReturnValue:
    """One invoice: the vendor edits a draft here; everyone who may read it sees it."""
    invoice = service.load_invoice(current_user, invoice_id)
    if request.method == "GET":
        return _invoice_page(invoice)
    if not can_invoice_contract(current_user, invoice.contract):
        abort(403)
    form = InvoiceForm()
    if form.add_line.data:
        form.validate()
        if form.errors.get("csrf_token"):
            abort(400)
        form.lines.append_entry()
        return _invoice_page(invoice, form)
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            abort(400)
        return _invoice_page(invoice, form, 422)
    service.update_draft(current_user, invoice, _invoice_data(form), utcnow(), version=form.version_number)
    flash(_("Der Entwurf ist gespeichert."), "success")
    return redirect(url_for("invoices.invoice", invoice_id=invoice.id))


def _action(invoice_id: int) -> tuple[Invoice, ActionForm]:
    invoice = service.load_invoice_for_vendor(current_user, invoice_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    return invoice, form


@bp.post("/rechnungen/<int:invoice_id>/ausstellen")
@login_required
def issue_invoice(invoice_id: int) -> ResponseReturnValue:
    """Build and validate the XRechnung; issue it when valid, list the findings when not."""
    invoice, form = _action(invoice_id)
    try:
        result = service.issue_invoice(current_user, invoice, utcnow(), version=form.version_number)
    except service.BillingDataMissing as missing:
        db.session.rollback()
        flash(_("Die Rechnung ist nicht ausgestellt: in Ihren Rechnungsdaten fehlt etwas."), "danger")
        for message in missing.missing:
            flash(message, "danger")
        return redirect(url_for("invoices.invoice", invoice_id=invoice_id))
    if result.issued:
        flash(
            _(
                "Die Rechnung %(number)s ist ausgestellt (geprüft: %(level)s). "
                "Sie können sie jetzt versenden.",
                number=result.invoice.number,
                level=_level_label(result.level),
            ),
            "success",
        )
    else:
        flash(
            _(
                "Die XRechnung ist nicht gültig: die Rechnung ist nicht ausgestellt. "
                "Die Prüfung meldet die unten aufgeführten Fehler."
            ),
            "danger",
        )
    return redirect(url_for("invoices.invoice", invoice_id=invoice_id))


def _level_label(level: str) -> str:
    if level == "official":
        return _("XSD + EN 16931 + XRechnung (offizielle Prüfregeln der KoSIT)")
    return _("nur eigene Prüfungen der Plattform (die offiziellen Regeln liegen nicht vor)")


@bp.app_template_global()
def invoice_level_label(level: str) -> str:
    return _level_label(level) if level else ""


@bp.post("/rechnungen/<int:invoice_id>/versenden")
@login_required
def send_invoice(invoice_id: int) -> ResponseReturnValue:
    invoice, form = _action(invoice_id)
    service.send_invoice(current_user, invoice, utcnow(), version=form.version_number)
    flash(
        _(
            "Die Rechnung %(number)s ist an %(buyer)s versendet.",
            number=invoice.number,
            buyer=invoice.contract.buyer_name,
        ),
        "success",
    )
    return redirect(url_for("invoices.invoice", invoice_id=invoice.id))


@bp.post("/rechnungen/<int:invoice_id>/verwerfen")
@login_required
def discard_invoice(invoice_id: int) -> ResponseReturnValue:
    invoice, form = _action(invoice_id)
    service.discard_invoice(current_user, invoice, utcnow(), version=form.version_number)
    flash(_("Der Entwurf ist verworfen."), "success")
    return redirect(url_for("invoices.contract_invoices", contract_id=invoice.contract_id))


@bp.post("/rechnungen/<int:invoice_id>/korrektur")
@login_required
def credit_note(invoice_id: int) -> ResponseReturnValue:
    """A credit note (Rechnungskorrektur, type 381) to this invoice, as a draft with its lines."""
    invoice, _form = _action(invoice_id)
    note = service.create_credit_note(current_user, invoice, utcnow())
    flash(
        _(
            "Der Entwurf der Rechnungskorrektur ist angelegt. "
            "Passen Sie die Positionen an und stellen Sie sie aus."
        ),
        "success",
    )
    return redirect(url_for("invoices.invoice", invoice_id=note.id))


def _download_name(invoice: Invoice, extension: str) -> str:
    return f"{invoice.number}.{extension}"


@bp.get("/rechnungen/<int:invoice_id>.xml")
@login_required
def invoice_xml(invoice_id: int) -> ResponseReturnValue:
    """The XRechnung exactly as issued (checked against its SHA-256)."""
    invoice = service.load_invoice(current_user, invoice_id)
    data = service.invoice_xml_bytes(current_user, invoice)
    response = Response(data, mimetype="application/xml")
    response.headers.set("Content-Disposition", "attachment", filename=_download_name(invoice, "xml"))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Digest"] = f"sha-256={invoice.xml_sha256}"
    return _private(response)


@bp.get("/rechnungen/<int:invoice_id>.pdf")
@login_required
def invoice_pdf(invoice_id: int) -> ResponseReturnValue:
    """A readable PDF of the stored XRechnung (the XML is the invoice; the PDF shows it)."""
    invoice = service.load_invoice(current_user, invoice_id)
    pdf = service.invoice_pdf_bytes(current_user, invoice)
    response = Response(pdf, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=_download_name(invoice, "pdf"))
    response.headers["X-Content-Type-Options"] = "nosniff"
    return _private(response)


# --- invoice all participants --------------------------------------------------------------------


@bp.route("/zuschlaege/<int:award_id>/rechnungen", methods=["GET", "POST"])
@login_required
def invoice_all(award_id: int) -> ResponseReturnValue:
    """One invoice per participating municipality of an award (lot), issued in one step."""
    award = db.get_or_404(Award, award_id)
    if not can_invoice_award(current_user, award):
        abort(403 if can_view_tender_contracts(current_user, award.tender) else 404)
    form = InvoiceAllForm()
    summary = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            summary = service.invoice_all(current_user, award, utcnow())
        except service.BillingDataMissing as missing:
            db.session.rollback()
            flash(_("Es ist keine Rechnung ausgestellt: in Ihren Rechnungsdaten fehlt etwas."), "danger")
            for message in missing.missing:
                flash(message, "danger")
            return redirect(url_for("invoices.invoice_all", award_id=award.id))
    contracts = list(
        db.session.scalars(db.select(Contract).where(Contract.award_id == award.id).order_by(Contract.id))
    )
    open_count = db.session.scalar(
        db.select(db.func.count(Contract.id)).where(
            Contract.award_id == award.id,
            ~Contract.id.in_(
                db.select(Invoice.contract_id).where(
                    Invoice.kind == InvoiceKind.invoice, Invoice.status != InvoiceStatus.discarded
                )
            ),
        )
    )
    profile = service.billing_profile_of(award.bid.organisation_id)
    return _page(
        "invoices/vendor_invoice_all.html",
        award=award,
        tender=award.tender,
        contracts=contracts,
        open_count=open_count,
        form=form,
        summary=summary,
        missing=service.invoice_xml.check_billing_data(current_user.organisation, profile),
        net_total=sum((c.net_value for c in contracts), Decimal(0)),
    )


# --- the vendor's own invoices -------------------------------------------------------------------


@bp.get("/rechnungen")
@login_required
def my_invoices() -> ResponseReturnValue:
    """The vendor's invoices and credit notes, filtered by status."""
    if not can_manage_billing_profile(current_user):
        abort(403)
    try:
        status = InvoiceStatus(request.args["status"]) if request.args.get("status") else None
    except ValueError:
        status = None
    invoices = service.invoices_of_vendor(current_user, status)
    return _page(
        "invoices/vendor_invoices.html",
        invoices=invoices,
        selected=status,
        statuses=list(InvoiceStatus),
        is_draft_number=service.is_draft_number,
    )
