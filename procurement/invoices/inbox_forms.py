"""Forms of the municipality's invoice pages: inbox filters, mark paid, reject, the XRechnung check.

The settle forms carry the invoice's ``version`` as shown, so a change made meanwhile by someone
else gives a 409 instead of acting on a stale page.
"""

from __future__ import annotations

from typing import Optional

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.validators import Optional as OptionalValue

from procurement.forms import VersionForm
from procurement.invoices.inbox import MAX_REASON_LENGTH, RECEIVED_ORDER
from workflows.invoice import InvoiceStatus

STATUS_LABELS = {
    InvoiceStatus.sent: _l("Offen"),
    InvoiceStatus.paid: _l("Bezahlt"),
    InvoiceStatus.rejected: _l("Zurückgewiesen"),
}


class InboxFilterForm(FlaskForm):
    """The inbox filters (GET, no CSRF: they change nothing)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    vendor = SelectField(_l("Auftragnehmer"), choices=[], validate_choice=False)
    issued_from = DateField(_l("Rechnungsdatum von"), validators=[OptionalValue()])
    issued_until = DateField(_l("Rechnungsdatum bis"), validators=[OptionalValue()])
    submit = SubmitField(_l("Filtern"))

    def set_vendors(self, vendors: list[tuple[int, str]]) -> None:
        self.status.choices = [("", str(_l("Alle")))] + [
            (status.value, str(STATUS_LABELS[status])) for status in RECEIVED_ORDER
        ]
        self.vendor.choices = [("", str(_l("Alle")))] + [(str(id_), name) for id_, name in vendors]

    def status_value(self) -> Optional[InvoiceStatus]:
        try:
            status = InvoiceStatus(self.status.data) if self.status.data else None
        except ValueError:
            return None
        return status if status in RECEIVED_ORDER else None

    def vendor_value(self) -> Optional[int]:
        try:
            return int(self.vendor.data) if self.vendor.data else None
        except ValueError:
            return None


class _VersionForm(VersionForm):
    action = HiddenField()


class MarkPaidForm(_VersionForm):
    payment_date = DateField(
        _l("Zahlungsdatum"),
        validators=[InputRequired(_l("Bitte geben Sie das Zahlungsdatum an."))],
        description=_l(
            "Der Tag, an dem die Zahlung angewiesen wurde: nicht in der Zukunft, nicht vor dem "
            "Rechnungsdatum."
        ),
    )
    submit = SubmitField(_l("Als bezahlt markieren"))


class RejectForm(_VersionForm):
    reason = TextAreaField(
        _l("Grund der Zurückweisung"),
        validators=[
            DataRequired(_l("Bitte geben Sie an, warum Sie die Rechnung zurückweisen.")),
            Length(max=MAX_REASON_LENGTH),
        ],
        description=_l(
            "Der Auftragnehmer erhält den Grund per E-Mail, z. B. „Leitweg-ID falsch“ oder "
            "„Menge weicht vom Vertrag ab“."
        ),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Rechnung zurückweisen"))


class CheckForm(FlaskForm):
    """Upload an XRechnung; ``document`` carries it again (base64) for the PDF rendering."""

    file = FileField(
        _l("XRechnung (XML-Datei)"),
        description=_l(
            "UBL-Rechnung oder -Gutschrift (XRechnung 3.0). Die Datei wird nur geprüft, nicht gespeichert."
        ),
        render_kw={"accept": ".xml,application/xml,text/xml"},
    )
    document = HiddenField()
    submit = SubmitField(_l("Prüfen"))
    pdf = SubmitField(_l("Als PDF herunterladen"))
