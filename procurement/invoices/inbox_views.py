"""The municipality's invoice pages: the inbox (/rechnungen/eingang), settling one invoice (POST
/rechnungen/<id>/erledigen: paid or rejected), and the XRechnung check (/rechnungen/pruefen).

The view of one invoice is ``invoices.invoice`` (vendor views); it includes
``invoices/_buyer_actions.html`` for the buyer's officers, whose forms post to ``settle``. An
invoice someone may not read is a 404 (they do not learn it exists); one they may read but not
settle is a 403.
"""

from __future__ import annotations

import base64
import binascii
import io
from decimal import Decimal
from typing import Any, Optional

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_currency
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from procurement.database import utcnow
from procurement.errors import DomainError
from procurement.extensions import csrf, db
from procurement.invoices import check as checker
from procurement.invoices import inbox as service
from procurement.invoices.blueprint import bp
from procurement.invoices.inbox_forms import (
    STATUS_LABELS,
    CheckForm,
    InboxFilterForm,
    MarkPaidForm,
    RejectForm,
)
from procurement.invoices.models import Invoice, InvoiceKind
from procurement.invoices.permissions import (
    can_check_xrechnung,
    can_list_incoming,
    can_settle_invoice,
    can_view_invoice,
)
from workflows.invoice import InvoiceStatus

PER_PAGE = 50
# room for the CSRF token and the buttons next to the document
FORM_OVERHEAD = 64 * 1024


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the inbox -------------------------------------------------------------------------------


@bp.app_template_filter("invoice_money")
def invoice_money(value: Optional[Decimal], currency: str = "EUR") -> str:
    """An invoice amount in its currency, in the page's language (38.080,00 €)."""
    return "" if value is None else format_currency(value, currency or "EUR")


@bp.app_template_global()
def invoice_status_label(status: InvoiceStatus) -> str:
    labels = {**STATUS_LABELS, InvoiceStatus.sent: _("Eingegangen, offen")}
    return str(labels.get(status, status.value))


@bp.app_template_global()
def invoice_kind_label(kind: InvoiceKind) -> str:
    return _("Gutschrift") if kind is InvoiceKind.credit_note else _("Rechnung")


@bp.get("/rechnungen/eingang")
@login_required
def inbox() -> ResponseReturnValue:
    """The municipality's received invoices with filters, sums per status and pages."""
    if not can_list_incoming(current_user):
        abort(403)
    form = InboxFilterForm(formdata=request.args)
    form.set_vendors(service.inbox_vendors(current_user))
    form.validate()
    filters = service.InboxFilter(
        status=form.status_value(),
        vendor_id=form.vendor_value(),
        issued_from=form.issued_from.data if not form.issued_from.errors else None,
        issued_until=form.issued_until.data if not form.issued_until.errors else None,
    )
    page = db.paginate(
        service.inbox_query(current_user, filters),
        page=max(request.args.get("seite", 1, type=int) or 1, 1),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    args = {key: value for key, value in request.args.items() if key != "seite" and value}
    response = Response(
        render_template(
            "invoices/inbox.html",
            form=form,
            page=page,
            sums=service.inbox_sums(current_user, filters),
            filters=filters,
            args=args,
        )
    )
    return _private(response)


# --- settling --------------------------------------------------------------------------------


@bp.app_template_global()
def invoice_settle_forms(invoice: Invoice) -> dict[str, Any]:
    """The buyer's forms for ``invoices/_buyer_actions.html`` (empty unless they may settle now)."""
    if invoice.status is not InvoiceStatus.sent or not can_settle_invoice(current_user, invoice):
        return {}
    paid = MarkPaidForm(formdata=None, payment_date=service.berlin_today(utcnow()))
    reject = RejectForm(formdata=None)
    return {"paid": paid, "reject": reject}


def _settle_page(invoice: Invoice, forms: dict[str, Any], status: int) -> ResponseReturnValue:
    return render_template("invoices/inbox_settle.html", invoice=invoice, forms=forms), status


@bp.post("/rechnungen/<int:invoice_id>/erledigen")
@login_required
def settle(invoice_id: int) -> ResponseReturnValue:
    """Mark the invoice paid (with the payment date) or reject it (with a reason)."""
    invoice = db.get_or_404(Invoice, invoice_id)
    if not can_view_invoice(current_user, invoice):
        abort(404)
    if not can_settle_invoice(current_user, invoice):
        abort(403)
    action = request.form.get("action", "")
    forms: dict[str, Any] = {
        "paid": MarkPaidForm(formdata=None, payment_date=service.berlin_today(utcnow())),
        "reject": RejectForm(formdata=None),
    }
    form: MarkPaidForm | RejectForm
    if action == "paid":
        form = forms["paid"] = MarkPaidForm()
    elif action == "reject":
        form = forms["reject"] = RejectForm()
    else:
        abort(400)
    if not form.validate_on_submit():
        return _settle_page(invoice, forms, 422)
    now = utcnow()
    try:
        if isinstance(form, MarkPaidForm):
            service.mark_paid(current_user, invoice, form.payment_date.data, now, form.version_number)
            flash(_("Die Rechnung %(number)s ist als bezahlt vermerkt.", number=invoice.number), "success")
        else:
            service.reject(current_user, invoice, form.reason.data, now, form.version_number)
            flash(_("Die Rechnung %(number)s ist zurückgewiesen.", number=invoice.number), "success")
    except DomainError as err:
        if err.status_code != 422:
            raise
        db.session.rollback()
        field = form.payment_date if isinstance(form, MarkPaidForm) else form.reason
        field.errors = [*field.errors, err.message]
        return _settle_page(db.get_or_404(Invoice, invoice_id), forms, 422)
    return redirect(url_for("invoices.invoice", invoice_id=invoice.id), 303)


# --- the XRechnung check ---------------------------------------------------------------------


def _check_page(
    form: CheckForm,
    status: int = 200,
    checked: Optional[checker.CheckedDocument] = None,
    refusal: Optional[checker.UploadRefused] = None,
    document: str = "",
) -> ResponseReturnValue:
    level, official = checker.configured_level()
    response = Response(
        render_template(
            "invoices/check.html",
            form=form,
            checked=checked,
            refusal=refusal,
            document=document,
            configured_level=level,
            configured_official=official,
            limit=checker.format_limit(checker.max_bytes()),
            finding_message=checker.finding_message,
            severity_label=checker.severity_label,
        ),
        status,
    )
    return _private(response)


def _uploaded(form: CheckForm) -> tuple[bytes, str]:
    """The bytes of the upload, or of the document posted again for the PDF; and its name."""
    upload = form.file.data
    limit = checker.max_bytes()
    if upload is not None and getattr(upload, "filename", ""):
        return checker.read_limited(upload.stream, limit), upload.filename or ""
    if form.document.data:
        try:
            data = base64.b64decode(form.document.data, validate=True)
        except (binascii.Error, ValueError) as err:
            raise checker.UploadRefused(
                checker.UPLOAD_EMPTY,
                _("Das Dokument kam unvollständig an. Bitte laden Sie die Datei erneut hoch."),
            ) from err
        return data, request.form.get("filename", "")
    raise checker.UploadRefused(checker.UPLOAD_EMPTY, _("Bitte wählen Sie eine XRechnung (XML-Datei) aus."))


@bp.route("/rechnungen/pruefen", methods=["GET", "POST"])
@csrf.exempt  # checked below, after the request limit is raised for the file
@login_required
def check() -> ResponseReturnValue:
    """Upload an XRechnung received elsewhere: validate it, show it, offer a PDF. Nothing is stored."""
    if not can_check_xrechnung(current_user):
        abort(403)
    if request.method == "GET":
        return _check_page(CheckForm(formdata=None))
    limit = checker.max_bytes()
    # the body holds the file, or the document again in base64 (4/3 of its size)
    request.max_content_length = limit * 4 // 3 + 4 + FORM_OVERHEAD
    request.max_form_memory_size = limit * 4 // 3 + 4 + FORM_OVERHEAD
    try:
        csrf.protect()
        form = CheckForm()
        data, filename = _uploaded(form)
        data = checker.accept(data)
    except RequestEntityTooLarge:
        refusal = checker.UploadRefused(checker.UPLOAD_SIZE, checker.too_large_message())
        return _check_page(CheckForm(formdata=None), 413, refusal=refusal)
    except checker.UploadRefused as refused:
        status = 413 if refused.rule_id == checker.UPLOAD_SIZE else 422
        return _check_page(CheckForm(formdata=None), status, refusal=refused)
    checked = checker.check_document(data, filename)
    if form.pdf.data and checked.invoice is not None:
        stem = (checked.filename.rsplit(".", 1)[0] or "xrechnung")[:100]
        response = send_file(
            io.BytesIO(checked.pdf()),
            mimetype="application/pdf",
            as_attachment=True,
            download_name=f"{stem}.pdf",
            max_age=0,
        )
        return _private(response)
    document = base64.b64encode(data).decode("ascii") if checked.invoice is not None else ""
    return _check_page(
        CheckForm(formdata=None), 422 if checked.refused else 200, checked=checked, document=document
    )
