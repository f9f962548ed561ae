"""Schemas of the authenticated API: needs, received invoices, a vendor's bids (marshmallow).

Input schemas refuse what the web forms refuse (lengths, CPV and NUTS codes, decimal places,
plausible amounts and periods) and what no database stores (NUL and other control characters,
lone surrogates): a request never reaches the database with data it would reject.
Output schemas name what an integration may read; a bid's schema has no price, answer or file
content field at all (sealed until the opening, §55 VgV; after it, for the lead's officers only).
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates, validates_schema

from procurement.accounts.identifiers import InvalidIdentifier, normalise_nuts
from procurement.api.core import PageArgs
from procurement.database import utcnow
from procurement.invoices.inbox import BERLIN, MAX_REASON_LENGTH, InboxFilter, berlin_today
from procurement.invoices.models import InvoiceKind
from procurement.needs.services import (
    MAX_DELIVERY_YEARS,
    MAX_ESTIMATED_VALUE,
    MAX_QUANTITY,
    NeedData,
)
from procurement.reference.cpv import InvalidCpv
from procurement.reference.validators import cpv_message, vocabulary
from workflows.bid import BidStatus
from workflows.invoice import InvoiceStatus
from workflows.need import NeedStatus

# Control characters other than tab and line breaks, and lone surrogates (JSON allows "\ud800";
# UTF-8 and PostgreSQL do not).
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# The largest id a database column holds (INTEGER): larger filters find nothing, but PostgreSQL
# would refuse the comparison's parameter.
MAX_ID = 2**31 - 1
# A money or quantity string in the API: digits with a decimal point, as Decimal writes it.
_DECIMAL_STRING = {"type": "string", "format": "decimal", "pattern": r"^-?\d+(\.\d+)?$"}


class Text(fields.String):
    """A string without control characters (except tab and line breaks) and without surrogates."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if _UNSTORABLE.search(text):
            raise ValidationError(_("Der Text enthält Steuerzeichen, die nicht gespeichert werden können."))
        return text


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError(_("Bitte füllen Sie dieses Feld aus."))


def _required_text(max_length: int) -> Text:
    return Text(
        required=True,
        validate=[
            validate.Length(min=1, max=max_length),
            _not_blank,
        ],
    )


def _optional_text(max_length: int) -> Text:
    return Text(load_default="", validate=validate.Length(max=max_length))


class Money(fields.Decimal):
    """A Decimal written as a string ("1250.50"): no rounding by a JSON float anywhere."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {})
        kwargs["metadata"] = {**_DECIMAL_STRING, **kwargs["metadata"]}
        super().__init__(as_string=True, **kwargs)


def _places(places: int, message: str):  # type: ignore[no-untyped-def]
    def check(value: Decimal) -> None:
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -places:
            raise ValidationError(message)

    return check


class DecimalInput(fields.Decimal):
    """A decimal number given as a string ("1250.50"; a JSON number is accepted, too)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {**_DECIMAL_STRING, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)


# --- needs -------------------------------------------------------------------------------------


class NeedInSchema(Schema):
    """A need to draft: the fields of the web form."""

    title = _required_text(200)
    description = _required_text(10000)
    cpv_code = Text(
        required=True, validate=validate.Length(min=1, max=20), metadata={"example": "34996000-5"}
    )
    quantity = DecimalInput(required=True)
    unit = _required_text(40)
    estimated_value = DecimalInput(required=True, metadata={"description": "EUR net (§3 VgV)"})
    delivery_from = fields.Date(required=True)
    delivery_until = fields.Date(required=True)
    nuts_code = Text(required=True, validate=validate.Length(min=1, max=10), metadata={"example": "DE118"})
    place_of_performance = _optional_text(200)
    specification = _optional_text(50000)
    award_criteria = _optional_text(5000)

    @validates("cpv_code")
    def _cpv(self, value: str, **_kwargs: Any) -> None:
        try:
            vocabulary().validate(value)
        except InvalidCpv as err:
            raise ValidationError(cpv_message(err)) from err

    @validates("nuts_code")
    def _nuts(self, value: str, **_kwargs: Any) -> None:
        try:
            normalise_nuts(value)
        except InvalidIdentifier as err:
            raise ValidationError(str(err)) from err

    @validates("quantity")
    def _quantity(self, value: Decimal, **_kwargs: Any) -> None:
        if value <= 0:
            raise ValidationError(_("Die Menge muss größer als 0 sein."))
        if value > MAX_QUANTITY:
            raise ValidationError(_("Die Menge ist unplausibel groß."))
        _places(3, _("Bitte höchstens drei Nachkommastellen."))(value)

    @validates("estimated_value")
    def _value(self, value: Decimal, **_kwargs: Any) -> None:
        if value < 0:
            raise ValidationError(_("Der geschätzte Wert darf nicht negativ sein."))
        if value > MAX_ESTIMATED_VALUE:
            raise ValidationError(
                _("Der geschätzte Wert ist unplausibel hoch (höchstens 1.000.000.000,00 EUR).")
            )
        _places(2, _("Bitte höchstens zwei Nachkommastellen (Cent)."))(value)

    @validates_schema
    def _period(self, data: dict[str, Any], **_kwargs: Any) -> None:
        start, end = data.get("delivery_from"), data.get("delivery_until")
        if start is None or end is None:
            return
        if end < start:
            raise ValidationError(
                _("Das Ende des Lieferzeitraums liegt vor seinem Beginn."), field_name="delivery_until"
            )
        today = berlin_today(utcnow())
        if end < today:
            raise ValidationError(
                _("Der Lieferzeitraum darf nicht in der Vergangenheit enden."), field_name="delivery_until"
            )
        if (end - today).days > 366 * MAX_DELIVERY_YEARS:
            raise ValidationError(
                _("Der Lieferzeitraum liegt unplausibel weit in der Zukunft."), field_name="delivery_until"
            )

    @post_load
    def _to_need_data(self, data: dict[str, Any], **_kwargs: Any) -> NeedData:
        return NeedData(**data)


class NeedSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.Enum(NeedStatus, by_value=True, required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    cpv_code = fields.String(required=True)
    quantity = Money(required=True)
    unit = fields.String(required=True)
    estimated_value = Money(required=True, metadata={"description": "EUR net (§3 VgV)"})
    delivery_from = fields.Date(required=True)
    delivery_until = fields.Date(required=True)
    nuts_code = fields.String(required=True)
    place_of_performance = fields.String(required=True)
    specification = fields.String(required=True)
    award_criteria = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    opened_at = fields.AwareDateTime(required=True, allow_none=True)


class NeedQuerySchema(PageArgs):
    status = fields.Enum(NeedStatus, by_value=True, load_default=None)


# --- invoices ----------------------------------------------------------------------------------

RECEIVED = (InvoiceStatus.sent, InvoiceStatus.paid, InvoiceStatus.rejected)


class InvoiceQuerySchema(PageArgs):
    """The inbox's filters: status, vendor, issue period."""

    status = fields.String(load_default=None, validate=validate.OneOf([status.value for status in RECEIVED]))
    vendor_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))
    issued_from = fields.Date(load_default=None)
    issued_until = fields.Date(load_default=None)

    @post_load
    def _to_filter(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        status = data.pop("status", None)
        data["filter"] = InboxFilter(
            status=InvoiceStatus(status) if status else None,
            vendor_id=data.pop("vendor_id", None),
            issued_from=data.pop("issued_from", None),
            issued_until=data.pop("issued_until", None),
        )
        return data


class OrganisationRefSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class InvoiceSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.Enum(InvoiceKind, by_value=True, required=True)
    number = fields.String(required=True, metadata={"description": "BT-1"})
    status = fields.Function(
        lambda invoice: invoice.status.value,
        required=True,
        metadata={"type": "string", "enum": [status.value for status in RECEIVED]},
    )
    vendor = fields.Nested(OrganisationRefSchema, attribute="vendor_organisation", required=True)
    tender_id = fields.Integer(required=True)
    contract_id = fields.Integer(required=True)
    preceding_invoice_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "credit notes: the corrected invoice"}
    )
    issue_date = fields.Date(required=True, metadata={"description": "BT-2"})
    due_date = fields.Date(required=True, allow_none=True, metadata={"description": "BT-9"})
    currency = fields.String(required=True)
    net_total = Money(required=True, allow_none=True, metadata={"description": "BT-109"})
    vat_total = Money(required=True, allow_none=True, metadata={"description": "BT-110"})
    gross_total = Money(required=True, allow_none=True, metadata={"description": "BT-112"})
    payable_amount = Money(required=True, allow_none=True, metadata={"description": "BT-115"})
    sent_at = fields.AwareDateTime(required=True, allow_none=True)
    paid_on = fields.Method(
        "_paid_on",
        required=True,
        allow_none=True,
        metadata={"type": "string", "format": "date", "description": "the payment date (Berlin)"},
    )
    rejected_at = fields.AwareDateTime(required=True, allow_none=True)
    rejection_reason = fields.String(required=True)
    xml_sha256 = fields.Method(
        "_xml_sha256",
        required=True,
        metadata={"type": "string", "description": "SHA-256 of the XML: its ETag"},
    )
    version = fields.Integer(
        required=True, metadata={"description": "send it back with paid/rejection to refuse stale changes"}
    )

    def _xml_sha256(self, invoice: Any) -> str:
        return hashlib.sha256(invoice.xml).hexdigest() if invoice.xml is not None else ""

    def _paid_on(self, invoice: Any) -> str | None:
        return invoice.paid_at.astimezone(BERLIN).date().isoformat() if invoice.paid_at else None


class PaymentSchema(Schema):
    payment_date = fields.Date(required=True, metadata={"description": "the day the money went out"})
    version = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))


class RejectionSchema(Schema):
    reason = _required_text(MAX_REASON_LENGTH)
    version = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))


# --- bids --------------------------------------------------------------------------------------


class BidQuerySchema(PageArgs):
    status = fields.Enum(BidStatus, by_value=True, load_default=None)
    tender_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))


class TenderRefSchema(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    title = fields.String(required=True)
    bid_deadline = fields.AwareDateTime(required=True, allow_none=True)


class BidSchema(Schema):
    """Status and receipt of a bid; never its prices, answers or files (§55 VgV)."""

    id = fields.Integer(required=True)
    status = fields.Enum(BidStatus, by_value=True, required=True)
    receipt_id = fields.Method(
        "_receipt_id",
        required=True,
        allow_none=True,
        metadata={"type": "string", "description": "the receipt's id, once submitted"},
    )
    submitted_at = fields.AwareDateTime(required=True, allow_none=True)
    withdrawn_at = fields.AwareDateTime(required=True, allow_none=True)
    opened_at = fields.AwareDateTime(required=True, allow_none=True)
    file_count = fields.Integer(required=True)
    tender = fields.Nested(TenderRefSchema, required=True)

    def _receipt_id(self, bid: Any) -> str | None:
        return bid.receipt_id if bid.submitted_at is not None else None
