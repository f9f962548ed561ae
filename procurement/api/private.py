"""The authenticated API: a municipality's needs and received invoices, a vendor's bids.

Every operation needs a bearer token of the organisation; changes need the scope ``write``.
The token acts as the member who created it: the same services as the web pages run with that
user (permissions, validation, the machine, audit entries, mails), so a token never does more
than its creator may, and it stops working for what its creator may no longer do.

- ``/needs``: the municipality's needs; draft one (``POST``), open it for bundling (``open``).
- ``/invoices``: the invoices the municipality received (sent, paid, rejected) with the inbox's
  filters; one invoice; its XML exactly as issued (ETag: its SHA-256); mark it paid with the
  payment date or reject it with a reason.
- ``/bids``: the vendor's bids with their status, receipt id, time of receipt and tender. Never
  prices, answers or files: a submitted bid is sealed (§55 VgV), and after the opening only the
  lead's officers read it, on the web.

Another organisation's need, invoice or bid is not found (404); a vendor's token on the needs or
invoices, or a municipality's on the bids, is refused (403).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

from flask import Response, request, url_for
from flask.views import MethodView
from flask_babel import gettext as _
from sqlalchemy import select

from procurement.accounts.models import OrganisationKind, User
from procurement.api.core import PAGE_HEADERS, api_blueprint, current_token, paginate, token_auth
from procurement.api.private_schemas import (
    BidQuerySchema,
    BidSchema,
    InvoiceQuerySchema,
    InvoiceSchema,
    NeedInSchema,
    NeedQuerySchema,
    NeedSchema,
    PaymentSchema,
    RejectionSchema,
)
from procurement.bids.models import Bid
from procurement.bids.permissions import can_list_own_bids, can_view_own_bid
from procurement.database import utcnow
from procurement.errors import NotFound, PermissionDenied
from procurement.extensions import db
from procurement.invoices import inbox
from procurement.invoices.models import Invoice
from procurement.invoices.permissions import RECEIVED_STATES, can_list_incoming, can_view_invoice
from procurement.needs.models import Need
from procurement.needs.permissions import can_view_need, is_municipal
from procurement.needs.services import change_need_status, create_need

needs_blp = api_blueprint(
    "needs", __name__, "/needs", description="A municipality's needs: list, draft, open (bearer token)."
)
invoices_blp = api_blueprint(
    "invoices",
    __name__,
    "/invoices",
    description="The invoices a municipality received: list, XML, mark paid, reject (bearer token).",
)
bids_blp = api_blueprint(
    "bids",
    __name__,
    "/bids",
    description="A vendor's bids: status and receipt, never content.",
)
blueprints = [needs_blp, invoices_blp, bids_blp]

F = TypeVar("F", bound=Callable[..., Any])


def _actor() -> User:
    """The member who created the token: the services check what they may do."""
    token = current_token()
    creator = token.created_by
    if not creator.is_active or creator.organisation_id != token.organisation_id:
        raise PermissionDenied(_("Das Konto, das diesen API-Token angelegt hat, ist nicht mehr aktiv."))
    return creator


def _only(check: Callable[[User], bool], message: Callable[[], str]) -> Callable[[F], F]:
    """Refuse (403) tokens of organisations the operation is not for, before reading the request."""

    def decorator(func: F) -> F:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not check(_actor()):
                raise PermissionDenied(message())
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def _is_vendor(actor: User) -> bool:
    return actor.organisation.kind is OrganisationKind.vendor and can_list_own_bids(actor)


municipalities_only = _only(is_municipal, lambda: _("Bedarfe haben nur Kommunen."))
inbox_only = _only(
    can_list_incoming,
    lambda: _("Nur die Vergabestelle und die Rechnungsprüfung einer Kommune sehen ihre Rechnungen."),
)
vendors_only = _only(_is_vendor, lambda: _("Angebote sehen nur Bieter."))


def _now() -> datetime:
    return utcnow()


# --- needs -------------------------------------------------------------------------------------


def _own_need(actor: User, need_id: int) -> Need:
    need = db.session.get(Need, need_id)
    if need is None or not can_view_need(actor, need):
        raise NotFound(_("Diesen Bedarf gibt es nicht."))
    return need


@needs_blp.route("")
class Needs(MethodView):
    @token_auth("read")
    @municipalities_only
    @needs_blp.arguments(NeedQuerySchema, location="query")
    @needs_blp.response(200, NeedSchema(many=True), headers=PAGE_HEADERS)
    def get(self, query: dict[str, Any]) -> Any:
        """The municipality's needs, newest change first"""
        actor = _actor()
        statement = select(Need).where(Need.organisation_id == actor.organisation_id)
        if query.get("status") is not None:
            statement = statement.where(Need.status == query["status"])
        page = paginate(statement.order_by(Need.updated_at.desc(), Need.id.desc()), query)
        return page.items, page.headers

    @token_auth("write")
    @municipalities_only
    @needs_blp.arguments(NeedInSchema)
    @needs_blp.response(201, NeedSchema)
    def post(self, data: Any) -> Any:
        """Draft a need of the municipality (as on the web: requesters and officers)"""
        actor = _actor()
        need = create_need(actor, data, _now())
        return need, 201, {"Location": url_for("api_needs.NeedView", need_id=need.id)}


@needs_blp.route("/<int:need_id>")
class NeedView(MethodView):
    @token_auth("read")
    @municipalities_only
    @needs_blp.response(200, NeedSchema)
    def get(self, need_id: int) -> Any:
        """One need of the municipality"""
        actor = _actor()
        return _own_need(actor, need_id)


@needs_blp.route("/<int:need_id>/open", methods=["POST"])
@token_auth("write")
@municipalities_only
@needs_blp.response(200, NeedSchema)
def open_need(need_id: int) -> Any:
    """Open a draft need for bundling (officers of the municipality)"""
    actor = _actor()
    return change_need_status(actor, _own_need(actor, need_id), "open", _now())


# --- invoices ----------------------------------------------------------------------------------


def _received_invoice(actor: User, invoice_id: int) -> Invoice:
    invoice = db.session.get(Invoice, invoice_id)
    if (
        invoice is None
        or invoice.status not in RECEIVED_STATES
        or invoice.buyer_organisation_id != actor.organisation_id
        or not can_view_invoice(actor, invoice)
    ):
        raise NotFound(_("Diese Rechnung gibt es nicht."))
    return invoice


@invoices_blp.route("")
@token_auth("read")
@inbox_only
@invoices_blp.arguments(InvoiceQuerySchema, location="query")
@invoices_blp.response(200, InvoiceSchema(many=True), headers=PAGE_HEADERS)
def invoices(query: dict[str, Any]) -> Any:
    """The invoices and credit notes the municipality received, last received first"""
    actor = _actor()
    page = paginate(inbox.inbox_query(actor, query["filter"]), query)
    return page.items, page.headers


@invoices_blp.route("/<int:invoice_id>")
@token_auth("read")
@inbox_only
@invoices_blp.response(200, InvoiceSchema)
def invoice(invoice_id: int) -> Any:
    """One received invoice or credit note"""
    actor = _actor()
    return _received_invoice(actor, invoice_id)


@invoices_blp.route("/<int:invoice_id>/xml")
@token_auth("read")
@inbox_only
@invoices_blp.response(
    200,
    {"type": "string", "format": "binary"},
    content_type="application/xml",
    description="The XRechnung (UBL) exactly as issued; ETag: its SHA-256",
)
def invoice_xml(invoice_id: int) -> Any:
    """The invoice's XML, byte for byte as the vendor issued it"""
    actor = _actor()
    found = _received_invoice(actor, invoice_id)
    if found.xml is None:
        raise NotFound(_("Zu dieser Rechnung gibt es keine XML-Datei."))
    digest = hashlib.sha256(found.xml).hexdigest()
    response = Response(found.xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="invoice-{found.id}.xml"'
    response.set_etag(digest)
    return response.make_conditional(request)


@invoices_blp.route("/<int:invoice_id>/payment", methods=["POST"])
@token_auth("write")
@inbox_only
@invoices_blp.arguments(PaymentSchema)
@invoices_blp.response(200, InvoiceSchema)
def mark_paid(data: dict[str, Any], invoice_id: int) -> Any:
    """Record that the municipality paid the invoice on the payment date"""
    actor = _actor()
    found = _received_invoice(actor, invoice_id)
    return inbox.mark_paid(actor, found, data["payment_date"], _now(), data.get("version"))


@invoices_blp.route("/<int:invoice_id>/rejection", methods=["POST"])
@token_auth("write")
@inbox_only
@invoices_blp.arguments(RejectionSchema)
@invoices_blp.response(200, InvoiceSchema)
def reject(data: dict[str, Any], invoice_id: int) -> Any:
    """Reject the invoice with a reason the vendor reads"""
    actor = _actor()
    found = _received_invoice(actor, invoice_id)
    return inbox.reject(actor, found, data["reason"], _now(), data.get("version"))


# --- bids --------------------------------------------------------------------------------------


@bids_blp.route("")
@token_auth("read")
@vendors_only
@bids_blp.arguments(BidQuerySchema, location="query")
@bids_blp.response(200, BidSchema(many=True), headers=PAGE_HEADERS)
def bids(query: dict[str, Any]) -> Any:
    """The vendor's bids: status, receipt and tender, never their content"""
    actor = _actor()
    statement = select(Bid).where(Bid.organisation_id == actor.organisation_id)
    if query.get("status") is not None:
        statement = statement.where(Bid.status == query["status"])
    if query.get("tender_id") is not None:
        statement = statement.where(Bid.tender_id == query["tender_id"])
    page = paginate(statement.order_by(Bid.created_at.desc(), Bid.id.desc()), query)
    return page.items, page.headers


@bids_blp.route("/<int:bid_id>")
@token_auth("read")
@vendors_only
@bids_blp.response(200, BidSchema)
def bid(bid_id: int) -> Any:
    """One bid of the vendor: status, receipt and tender, never its content"""
    actor = _actor()
    found = db.session.get(Bid, bid_id)
    if found is None or not can_view_own_bid(actor, found):
        raise NotFound(_("Dieses Angebot gibt es nicht."))
    return found
