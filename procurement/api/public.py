"""Public read endpoints of the API: no token needed (rate limited per client address).

- ``/solutions``, ``/pilot-projects``: published marketplace entries (filters: category, text),
  and one entry with its documents' metadata and download links;
- ``/search``: the marketplace search (procurement/search) with its filters and facet counts;
- ``/tenders``: published tenders (filters: text, CPV and NUTS prefix, state, still open), one
  tender with lots, award criteria and its current documents' metadata and download links;
- ``/tenders/{id}/awards``: the award results once the tender is awarded;
- ``/tenders/{id}/ocds``: the tender's OCDS 1.1 release package (the one the web publishes).

Only what the web shows the public: drafts, estimates, bids and internal notes never appear.
Every GET answers with an ETag; ``If-None-Match`` with it gives 304 Not Modified.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Response, url_for
from flask.views import MethodView
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from procurement.api.core import (
    PAGE_HEADERS,
    Page,
    api_blueprint,
    conditional,
    paginate,
)
from procurement.api.schemas import (
    MarketplaceListArgs,
    PilotProjectSchema,
    PilotProjectSummarySchema,
    SearchArgs,
    SearchResultSchema,
    SolutionSchema,
    SolutionSummarySchema,
    TenderAwardsSchema,
    TenderListArgs,
    TenderSchema,
    TenderSummarySchema,
)
from procurement.awards.award_notice_views import release_package
from procurement.awards.notice import lot_outcomes
from procurement.awards.permissions import can_view_public_award
from procurement.database import utcnow
from procurement.errors import NotFound
from procurement.extensions import db
from procurement.marketplace import services as marketplace
from procurement.marketplace.models import Document, PilotProject, Solution
from procurement.search.engine import SearchQuery, search
from procurement.search.models import EntryKind
from procurement.tenders.deadlines import refresh
from procurement.tenders.models import Lot, Tender
from procurement.tenders.permissions import PUBLIC_STATES, is_public
from procurement.web import external_url
from workflows.curation import EntryStatus
from workflows.tender import TenderStatus

blp = api_blueprint(
    "public",
    __name__,
    "",
    description="The marketplace, search, public tenders, awards and OCDS; no token needed.",
)


def _words(text: str) -> list[str]:
    return text.lower().split()[:10]


def _text_filter(statement: Select, text: str, *columns: Any) -> Select:
    for word in _words(text):
        statement = statement.where(
            or_(*(func.lower(column).contains(word, autoescape=True) for column in columns))
        )
    return statement


# --- marketplace --------------------------------------------------------------------------


def _marketplace_document(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "kind": document.kind,
        "title": document.title,
        "filename": document.filename,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "uploaded_at": document.uploaded_at,
        "download_url": external_url("marketplace.download_document", document_id=document.id),
    }


def _solution(solution: Solution, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": solution.id,
        "title": solution.title,
        "category": solution.category,
        "summary": solution.summary,
        "organisation": solution.organisation,
        "cost_min": solution.cost_min,
        "cost_max": solution.cost_max,
        "open_source": solution.open_source,
        "cpv_codes": sorted(row.code for row in solution.cpv_rows),
        "published_at": solution.published_at,
        "url": url_for("api_public.Solution", solution_id=solution.id),
    }
    if detail:
        data |= {
            "description": solution.description,
            "licence": solution.licence,
            "standards": solution.standards,
            "contact_name": solution.contact_name,
            "contact_email": solution.contact_email,
            "pilot_project_ids": sorted(
                p.id for p in solution.pilot_projects if p.status is EntryStatus.published
            ),
            "documents": [_marketplace_document(d) for d in solution.documents],
            "web_url": external_url("marketplace.solution", solution_id=solution.id),
        }
    return data


def _pilot_project(project: PilotProject, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": project.id,
        "title": project.title,
        "category": project.category,
        "summary": project.summary,
        "organisation": project.organisation,
        "period_start": project.period_start,
        "period_end": project.period_end,
        "budget": project.budget,
        "funded": project.funded,
        "cpv_codes": sorted(row.code for row in project.cpv_rows),
        "published_at": project.published_at,
        "url": url_for("api_public.PilotProject", project_id=project.id),
    }
    if detail:
        data |= {
            "description": project.description,
            "funding_programme": project.funding_programme,
            "results": project.results,
            "lessons_learned": project.lessons_learned,
            "specification": project.specification,
            "award_criteria": project.award_criteria,
            "contact_name": project.contact_name,
            "contact_email": project.contact_email,
            "solution_ids": sorted(s.id for s in project.solutions if s.status is EntryStatus.published),
            "documents": [_marketplace_document(d) for d in project.documents],
            "web_url": external_url("marketplace.pilot_project", project_id=project.id),
        }
    return data


@blp.route("/solutions")
class Solutions(MethodView):
    @blp.etag
    @blp.arguments(MarketplaceListArgs, location="query")
    @blp.response(200, SolutionSummarySchema(many=True), headers=PAGE_HEADERS)
    def get(self, args: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Published solutions, newest first."""
        statement = marketplace.published_solutions_query(args["category"])
        statement = _text_filter(statement, args["q"], Solution.title, Solution.summary, Solution.description)
        page = paginate(statement, args)
        return [_solution(solution) for solution in page.items], page.headers


@blp.route("/solutions/<int:solution_id>", endpoint="Solution")
class SolutionResource(MethodView):
    @blp.etag
    @blp.response(200, SolutionSchema)
    def get(self, solution_id: int):  # type: ignore[no-untyped-def]
        """One published solution with its documents."""
        solution = db.session.get(Solution, solution_id)
        if solution is None or solution.status is not EntryStatus.published:
            raise NotFound(_("Diese Lösung gibt es nicht (mehr)."))
        return _solution(solution, detail=True)


@blp.route("/pilot-projects")
class PilotProjects(MethodView):
    @blp.etag
    @blp.arguments(MarketplaceListArgs, location="query")
    @blp.response(200, PilotProjectSummarySchema(many=True), headers=PAGE_HEADERS)
    def get(self, args: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Published pilot projects (Modellprojekte), newest first."""
        statement = marketplace.published_pilot_projects_query(args["category"])
        statement = _text_filter(
            statement, args["q"], PilotProject.title, PilotProject.summary, PilotProject.description
        )
        page = paginate(statement, args)
        return [_pilot_project(project) for project in page.items], page.headers


@blp.route("/pilot-projects/<int:project_id>", endpoint="PilotProject")
class PilotProjectResource(MethodView):
    @blp.etag
    @blp.response(200, PilotProjectSchema)
    def get(self, project_id: int):  # type: ignore[no-untyped-def]
        """One published pilot project with its documents."""
        project = db.session.get(PilotProject, project_id)
        if project is None or project.status is not EntryStatus.published:
            raise NotFound(_("Dieses Modellprojekt gibt es nicht (mehr)."))
        return _pilot_project(project, detail=True)


# --- search -------------------------------------------------------------------------------


@blp.route("/search")
class Search(MethodView):
    @blp.etag
    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, SearchResultSchema, headers=PAGE_HEADERS)
    def get(self, args: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Search published solutions and pilot projects (the marketplace search)."""
        result = search(
            SearchQuery(
                text=args["q"],
                categories=tuple(args["category"]),
                kind=args["kind"],
                cpv_prefix=args["cpv"],
                region=args["region"],
                funding=args["funding"],
                open_source=args["open_source"],
                sort=args["sort"],
                page=args["page"],
                per_page=args["per_page"],
            )
        )
        page = Page(items=result.items, total=result.total, page=result.page, per_page=result.per_page)
        items = [
            {
                **item.__dict__,
                "url": url_for("api_public.Solution", solution_id=item.entry_id)
                if item.kind is EntryKind.solution
                else url_for("api_public.PilotProject", project_id=item.entry_id),
            }
            for item in result.items
        ]
        body = {
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "pages": result.pages,
            "category_counts": {c.value: n for c, n in result.category_counts.items()},
            "kind_counts": {k.value: n for k, n in result.kind_counts.items()},
            "notes": [str(note) for note in result.notes],
            "items": items,
        }
        return body, page.headers


# --- tenders ------------------------------------------------------------------------------


def _public_tender(tender_id: int) -> Tender:
    tender = db.session.get(Tender, tender_id)
    if tender is None or not is_public(tender):
        raise NotFound(_("Diese Ausschreibung ist nicht veröffentlicht."))
    return tender


def _tender(tender: Tender, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": tender.id,
        "title": tender.title,
        "lead_organisation": tender.lead_organisation,
        "status": tender.status,
        "contract_nature": tender.contract_nature,
        "procedure": tender.procedure,
        "cpv_code": tender.cpv_code,
        "nuts_code": tender.nuts_code,
        "bid_deadline": tender.bid_deadline,
        "published_at": tender.published_at,
        "url": url_for("api_public.Tender", tender_id=tender.id),
    }
    if detail:
        data |= {
            "reference": tender.reference,
            "description": tender.description,
            "place_of_performance": tender.place_of_performance,
            "duration_months": tender.duration_months,
            "bid_validity_months": tender.bid_validity_months,
            "contact_email": tender.contact_email,
            "contact_phone": tender.contact_phone,
            "cancellation_reason": tender.cancellation_reason,
            "cancelled_at": tender.cancelled_at,
            # the estimated unit prices and values stay internal (as on the notice page)
            "lots": [
                {
                    "id": lot.id,
                    "number": lot.number,
                    "title": lot.title,
                    "description": lot.description,
                    "cpv_code": lot.cpv_code,
                    "nuts_code": lot.nuts_code,
                    "place_of_performance": lot.place_of_performance,
                    "unit": lot.unit,
                }
                for lot in tender.lots
            ],
            "criteria": list(tender.criteria),
            "documents": [
                {
                    "id": document.id,
                    "series_id": document.series_id,
                    "version": document.version,
                    "title": document.title,
                    "filename": document.filename,
                    "content_type": document.content_type,
                    "size": document.size,
                    "sha256": document.sha256,
                    "change_note": document.change_note,
                    "uploaded_at": document.uploaded_at,
                    "download_url": external_url(
                        "tenders.download_document", tender_id=tender.id, document_id=document.id
                    ),
                }
                for document in tender.current_documents
            ],
            "web_url": external_url("tenders.public_detail", tender_id=tender.id),
            "awards_url": url_for("api_public.TenderAwards", tender_id=tender.id)
            if can_view_public_award(tender)
            else None,
            "ocds_url": url_for("api_public.TenderOcds", tender_id=tender.id),
        }
    return data


@blp.route("/tenders")
class Tenders(MethodView):
    @blp.etag
    @blp.arguments(TenderListArgs, location="query")
    @blp.response(200, TenderSummarySchema(many=True), headers=PAGE_HEADERS)
    def get(self, args: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Published tenders, newest publication first."""
        statement = select(Tender).where(Tender.published_at.is_not(None), Tender.status.in_(PUBLIC_STATES))
        still_open = (Tender.status == TenderStatus.published) & (Tender.bid_deadline > utcnow())
        if args["open"] is True:
            statement = statement.where(still_open)
        elif args["open"] is False:
            statement = statement.where(~still_open)
        if args["status"] is not None:
            statement = statement.where(Tender.status == args["status"])
        if args["cpv"]:
            statement = statement.where(
                or_(
                    Tender.cpv_code.startswith(args["cpv"], autoescape=True),
                    Tender.lots.any(Lot.cpv_code.startswith(args["cpv"], autoescape=True)),
                )
            )
        if args["nuts"]:
            statement = statement.where(
                or_(
                    Tender.nuts_code.startswith(args["nuts"], autoescape=True),
                    Tender.lots.any(Lot.nuts_code.startswith(args["nuts"], autoescape=True)),
                )
            )
        statement = _text_filter(statement, args["q"], Tender.title, Tender.description)
        page = paginate(statement.order_by(Tender.published_at.desc(), Tender.id.desc()), args)
        return [_tender(tender) for tender in page.items], page.headers


@blp.route("/tenders/<int:tender_id>", endpoint="Tender")
class TenderResource(MethodView):
    @blp.etag
    @blp.response(200, TenderSchema)
    def get(self, tender_id: int):  # type: ignore[no-untyped-def]
        """One published tender: lots, award criteria, current documents."""
        tender = _public_tender(tender_id)
        refresh(tender, utcnow())  # as the notice page: a passed bid deadline closes submission
        return _tender(tender, detail=True)


@blp.route("/tenders/<int:tender_id>/awards", endpoint="TenderAwards")
class TenderAwards(MethodView):
    @blp.etag
    @blp.response(200, TenderAwardsSchema)
    def get(self, tender_id: int):  # type: ignore[no-untyped-def]
        """Who won each lot and for how much (once awarded); cancelled lots with their reason."""
        tender = db.session.get(Tender, tender_id)
        if tender is None or not can_view_public_award(tender):
            raise NotFound(_("Für diese Ausschreibung gibt es keine Vergabebekanntmachung."))
        return {
            "tender_id": tender.id,
            "status": tender.status,
            "lots": [
                {
                    "lot_id": outcome.lot.id,
                    "lot_number": outcome.lot.number,
                    "lot_title": outcome.lot.title,
                    "awarded": outcome.awarded,
                    "decided_at": outcome.decided_at,
                    "winner": outcome.winner.name if outcome.winner else None,
                    "amount": outcome.amount,
                    "tenderers": len(outcome.tenderers),
                    "cancellation_reason": outcome.cancellation_reason,
                    "cancellation_text": outcome.cancellation_text,
                }
                for outcome in lot_outcomes(tender)
            ],
        }


@blp.route("/tenders/<int:tender_id>/ocds", endpoint="TenderOcds")
class TenderOcds(MethodView):
    @blp.response(
        200,
        {"type": "object", "description": "OCDS 1.1 release package (amounts as exact JSON numbers)"},
        description="The tender's OCDS 1.1 release package",
        headers={"ETag": {"schema": {"type": "string"}}},
    )
    @blp.alt_response(304, description="Not Modified (If-None-Match named the ETag)")
    def get(self, tender_id: int) -> Response:
        """The tender's OCDS 1.1 release package, the same the web publishes."""
        body, published = release_package(_public_tender(tender_id))
        response = Response(body, mimetype="application/json")
        response.last_modified = published
        return conditional(response, hashlib.sha256(body).hexdigest())
