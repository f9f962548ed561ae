"""Notices of a tender: the eForms contract notice preview with its findings, the XML download."""

from __future__ import annotations

from flask import Response, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from procurement.database import utcnow
from procurement.errors import NotFound
from procurement.exports.eforms import NoticeDataMissing, buyers_of
from procurement.extensions import db
from procurement.tenders.blueprint import bp
from procurement.tenders.labels import PROCEDURE_LABELS
from procurement.tenders.models import Tender
from procurement.tenders.notices import issued_contract_notice, preview_notice
from procurement.tenders.permissions import is_public
from procurement.tenders.services import load_for_manager


def procedure_label(tender: Tender) -> str:
    if tender.procedure is None:
        return _("noch nicht gewählt")
    return str(PROCEDURE_LABELS[tender.procedure])


def _xml_response(xml: bytes, filename: str) -> Response:
    response = Response(xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/vergaben/<int:tender_id>/bekanntmachung")
@login_required
def notice_preview(tender_id: int) -> ResponseReturnValue:
    """The lead's view of the notice before (and after) publication, with every finding."""
    tender = load_for_manager(current_user, db.session.get(Tender, tender_id))
    now = utcnow()
    xml, check, missing = preview_notice(tender, now)
    return render_template(
        "tenders/notice.html",
        tender=tender,
        xml=xml,
        check=check,
        missing=missing,
        issued=issued_contract_notice(tender),
        public=is_public(tender),
        procedure_label=procedure_label(tender),
        buyer_count=len(buyers_of(tender)),
    )


@bp.get("/vergaben/<int:tender_id>/bekanntmachung.xml")
@login_required
def notice_preview_xml(tender_id: int) -> ResponseReturnValue:
    """The current preview of the contract notice as a file, to check it or send it by hand."""
    tender = load_for_manager(current_user, db.session.get(Tender, tender_id))
    xml, _check, missing = preview_notice(tender, utcnow())
    if missing:
        raise NoticeDataMissing(missing)
    if xml is None:
        raise NotFound(_("Nationale Verfahren haben keine EU-Bekanntmachung (eForms)."))
    return _xml_response(xml, f"bekanntmachung-{tender.id}-vorschau.xml")


@bp.get("/ausschreibungen/<int:tender_id>/bekanntmachung.xml")
def public_notice_xml(tender_id: int) -> ResponseReturnValue:
    """The contract notice exactly as it was issued, for everyone once the tender is public."""
    tender = db.session.get(Tender, tender_id)
    notice = None if tender is None or not is_public(tender) else issued_contract_notice(tender)
    if notice is None or notice.xml is None:
        raise NotFound(_("Für diese Ausschreibung gibt es keine veröffentlichte EU-Bekanntmachung."))
    return _xml_response(notice.xml, f"bekanntmachung-{tender_id}.xml")
