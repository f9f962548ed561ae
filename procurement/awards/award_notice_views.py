"""The public award notice page, the award notice's XML and the OCDS release packages."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from flask import Response, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from procurement.awards.blueprint import bp
from procurement.awards.notice import issued_award_notice, lot_outcomes
from procurement.awards.permissions import can_view_public_award
from procurement.database import utcnow
from procurement.errors import NotFound
from procurement.exports import ocds
from procurement.extensions import db
from procurement.tenders.labels import CANCELLATION_REASON_LABELS
from procurement.tenders.models import NoticeKind, Tender
from procurement.tenders.permissions import PUBLIC_STATES, is_public
from procurement.web import external_url

BULK_PAGE_SIZE = 100
PUBLISHER = "Vergabe-Marktplatz"


def _public_tender(tender_id: int) -> Tender:
    tender = db.session.get(Tender, tender_id)
    if tender is None or not is_public(tender):
        raise NotFound(_("Diese Ausschreibung ist nicht veröffentlicht."))
    return tender


def _awarded_tender(tender_id: int) -> Tender:
    tender = db.session.get(Tender, tender_id)
    if tender is None or not can_view_public_award(tender):
        raise NotFound(_("Für diese Ausschreibung gibt es keine Vergabebekanntmachung."))
    return tender


@bp.get("/ausschreibungen/<int:tender_id>/vergabebekanntmachung")
def public_award(tender_id: int) -> ResponseReturnValue:
    """Who won each lot, for how much, among how many bids; cancelled lots with their reason."""
    tender = _awarded_tender(tender_id)
    notice = issued_award_notice(tender)
    return render_template(
        "awards/public_award.html",
        tender=tender,
        outcomes=lot_outcomes(tender),
        notice=notice,
        eu_notice=notice is not None and notice.kind is NoticeKind.award_notice,
        cancellation_labels=CANCELLATION_REASON_LABELS,
    )


@bp.get("/ausschreibungen/<int:tender_id>/vergabebekanntmachung.xml")
def award_notice_xml(tender_id: int) -> ResponseReturnValue:
    """The eForms award notice exactly as it was issued."""
    tender = _awarded_tender(tender_id)
    notice = issued_award_notice(tender)
    if notice is None or notice.xml is None:
        raise NotFound(_("Für diese Ausschreibung gibt es keine EU-Vergabebekanntmachung."))
    response = Response(notice.xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="vergabebekanntmachung-{tender.id}.xml"'
    return response


def _documents(tender: Tender) -> list[dict[str, Any]]:
    return [
        {
            "id": str(document.id),
            "documentType": "biddingDocuments",
            "title": document.title,
            "url": external_url("tenders.download_document", tender_id=tender.id, document_id=document.id),
            "format": document.content_type,
            "datePublished": ocds._iso(max(document.uploaded_at, tender.published_at)),  # noqa: SLF001
        }
        for document in tender.current_documents
    ]


def tender_release(tender: Tender) -> dict[str, Any]:
    """The tender's OCDS release; award data only once the tender is awarded."""
    outcomes = lot_outcomes(tender) if tender.status in ocds.AWARDED else []
    return ocds.release(tender, outcomes, _documents(tender))


def release_package(tender: Tender) -> tuple[bytes, datetime]:
    """The tender's OCDS release package as published (JSON bytes) and its release date; the
    web's URL and the API serve the same bytes."""
    release = tender_release(tender)
    published = ocds.datetime.fromisoformat(release["date"].replace("Z", "+00:00"))
    document = ocds.package(
        [release],
        uri=external_url("awards.ocds_release_package", tender_id=tender.id),
        published=published,
        publisher=PUBLISHER,
    )
    return ocds.dumps(document).encode("utf-8"), published


@bp.get("/ausschreibungen/<int:tender_id>/ocds.json")
def ocds_release_package(tender_id: int) -> ResponseReturnValue:
    """The OCDS 1.1 release package of a published tender, with ETag and Last-Modified."""
    body, published = release_package(_public_tender(tender_id))
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body).hexdigest())
    response.last_modified = published
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response.make_conditional(request)


@bp.get("/ausschreibungen/ocds.json")
def ocds_bulk() -> ResponseReturnValue:
    """All published tenders as release packages of 100, streamed; ``seite`` pages on."""
    page = max(request.args.get("seite", 1, type=int) or 1, 1)
    ids = db.session.scalars(
        select(Tender.id)
        .where(Tender.published_at.is_not(None), Tender.status.in_(PUBLIC_STATES))
        .order_by(Tender.id)
        .offset((page - 1) * BULK_PAGE_SIZE)
        .limit(BULK_PAGE_SIZE + 1)
    ).all()
    more = len(ids) > BULK_PAGE_SIZE
    ids = ids[:BULK_PAGE_SIZE]
    head = ocds.package(
        [],
        uri=external_url("awards.ocds_bulk", seite=page),
        published=utcnow(),
        publisher=PUBLISHER,
    )
    del head["releases"]

    def generate():  # type: ignore[no-untyped-def]
        yield ocds.dumps(head)[:-1] + ',"releases":['
        for index, tender_id in enumerate(ids):
            tender = db.session.get(Tender, tender_id)
            yield ("," if index else "") + ocds.dumps(tender_release(tender))
            db.session.expunge_all()  # one tender's rows at a time in memory
        yield "]}"

    response = Response(stream_with_context(generate()), mimetype="application/json")
    if more:
        response.headers["Link"] = f'<{url_for("awards.ocds_bulk", seite=page + 1)}>; rel="next"'
    return response
