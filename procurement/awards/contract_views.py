"""The contracts: of a tender (/vergaben/<id>/vertraege), one's own (/vertraege), one contract and
its PDF (/vertraege/<id>, /vertraege/<id>.pdf). Read-only: contracts are made by the award.

Who sees what is `permissions.can_view_contract` and `permissions.can_view_tender_contracts`. A
contract someone may not read is a 404 (they do not learn it exists); a tender's contracts page
is a 403 for those who may see the tender but have no part in its contracts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from babel.numbers import format_currency
from flask import Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user, login_required

from procurement.accounts.models import OrganisationKind, Role
from procurement.awards import contracts as service
from procurement.awards.blueprint import bp
from procurement.awards.models import Award, Contract, Offer
from procurement.awards.permissions import can_manage_award, can_view_tender_contracts
from procurement.extensions import db
from procurement.tenders.models import Tender
from procurement.tenders.permissions import can_view_tender

PAGE_SIZE = 200


@bp.app_template_filter("unit_price")
def unit_price_text(value: Optional[Decimal]) -> str:
    """A unit price with its four decimal places where it has them (1.234,5679 €)."""
    if value is None:
        return ""
    return format_currency(value, "EUR", format="#,##0.00##\xa0¤", locale=get_locale(), currency_digits=False)


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _page() -> int:
    return max(request.args.get("seite", 1, type=int) or 1, 1)


@bp.get("/vergaben/<int:tender_id>/vertraege")
@login_required
def tender_contracts(tender_id: int) -> ResponseReturnValue:
    """The lead's officers: every contract of the tender, by lot; everyone else: their own."""
    tender = db.get_or_404(Tender, tender_id)
    if not can_view_tender_contracts(current_user, tender):
        abort(403 if can_view_tender(current_user, tender) else 404)
    contracts = service.contracts_of_tender(current_user, tender)
    summary = _lot_summary(tender, contracts) if can_manage_award(current_user, tender) else []
    lot_number = request.args.get("los", type=int)
    shown = [c for c in contracts if lot_number is None or c.lot.number == lot_number]
    page = _page()
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    response = Response(
        render_template(
            "awards/contracts_tender.html",
            tender=tender,
            contracts=shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
            total=len(shown),
            summary=summary,
            lot_number=lot_number,
            page=page,
            pages=pages,
            page_args={"tender_id": tender.id} | ({"los": lot_number} if lot_number else {}),
        )
    )
    return _private(response)


def _lot_summary(tender: Tender, contracts: list[Contract]) -> list[dict[str, Any]]:
    """Per lot: contracts, quantity and net value summed, beside the winning bid's price."""
    awards = {award.lot_id: award for award in db.session.query(Award).filter(Award.tender_id == tender.id)}
    rows = []
    for lot in tender.lots:
        own = [c for c in contracts if c.lot_id == lot.id]
        award = awards.get(lot.id)
        price = None
        if award is not None and award.bid_id is not None:
            offer = db.session.query(Offer).filter_by(bid_id=award.bid_id, lot_id=lot.id).one_or_none()
            price = offer.price if offer is not None else None
        rows.append(
            {
                "lot": lot,
                "count": len(own),
                "quantity": sum((c.quantity for c in own), Decimal(0)),
                "net_total": sum((c.net_value for c in own), Decimal(0)),
                "bid_price": price,
                "vendor": own[0].vendor_name if own else "",
            }
        )
    return rows


@bp.get("/vertraege")
@login_required
def my_contracts() -> ResponseReturnValue:
    """A municipality's contracts (officers, requesters, auditors) or a vendor's."""
    kind = current_user.organisation.kind
    municipal = kind is OrganisationKind.municipality and current_user.has_role(
        Role.officer, Role.requester, Role.auditor
    )
    vendor = kind is OrganisationKind.vendor and current_user.has_role(Role.vendor)
    if not (municipal or vendor):
        abort(403)
    contracts = service.contracts_of(current_user)
    page = _page()
    pages = max(1, -(-len(contracts) // PAGE_SIZE))
    response = Response(
        render_template(
            "awards/contracts_mine.html",
            contracts=contracts[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
            total=len(contracts),
            net_total=sum((c.net_value for c in contracts), Decimal(0)),
            vendor=vendor,
            page=page,
            pages=pages,
            page_args={},
        )
    )
    return _private(response)


@bp.get("/vertraege/<int:contract_id>")
@login_required
def contract(contract_id: int) -> ResponseReturnValue:
    contract = service.load_contract(current_user, contract_id)
    response = Response(render_template("awards/contract.html", contract=contract, award=contract.award))
    return _private(response)


@bp.get("/vertraege/<int:contract_id>.pdf")
@login_required
def contract_pdf(contract_id: int) -> ResponseReturnValue:
    """The stored contract document, as issued (checked against its SHA-256)."""
    contract = service.load_contract(current_user, contract_id)
    pdf = service.contract_pdf(current_user, contract)
    response = Response(pdf, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=f"vertrag-{contract.number}.pdf")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return _private(response)
