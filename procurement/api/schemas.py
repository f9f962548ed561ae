"""Marshmallow schemas of the public API: the marketplace, search, tenders and awards.

Amounts are strings with their exact digits (Decimal, never float), times ISO 8601 in UTC.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from procurement.api.core import PageArgs
from procurement.marketplace.models import Category, DocumentKind
from procurement.reference.deadlines import Procedure
from procurement.search.engine import Funding, Sort
from procurement.search.models import EntryKind
from procurement.tenders.models import CancellationReason, ContractNature, CriterionKind
from workflows.tender import TenderStatus


def money(**kwargs: object) -> fields.Decimal:
    """An amount in EUR as a string with two decimals ("1234.50")."""
    metadata = {"type": "string", "format": "decimal", "pattern": r"^-?\d+\.\d{2}$"}
    metadata.update(kwargs.pop("metadata", {}))  # type: ignore[call-overload]
    return fields.Decimal(as_string=True, places=2, allow_none=True, metadata=metadata, **kwargs)  # type: ignore[arg-type]


class _Out(ma.Schema):
    class Meta:
        ordered = True


# --- marketplace --------------------------------------------------------------------------


class MarketplaceListArgs(PageArgs):
    category = fields.Enum(Category, by_value=True, load_default=None)
    q = fields.String(load_default="", validate=validate.Length(max=200))


class MarketplaceDocumentSchema(_Out):
    id = fields.Integer()
    kind = fields.Enum(DocumentKind, by_value=True)
    title = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer(metadata={"description": "Bytes"})
    sha256 = fields.String()
    uploaded_at = fields.DateTime()
    download_url = fields.String()


class SolutionSummarySchema(_Out):
    id = fields.Integer()
    title = fields.String()
    category = fields.Enum(Category, by_value=True)
    summary = fields.String()
    vendor = fields.String(attribute="organisation.name")
    cost_min = money()
    cost_max = money()
    open_source = fields.Boolean()
    cpv_codes = fields.List(fields.String())
    published_at = fields.DateTime()
    url = fields.String(metadata={"description": "This resource in the API"})


class SolutionSchema(SolutionSummarySchema):
    description = fields.String()
    licence = fields.String()
    standards = fields.String()
    contact_name = fields.String()
    contact_email = fields.String()
    pilot_project_ids = fields.List(fields.Integer(), metadata={"description": "Published ones"})
    documents = fields.List(fields.Nested(MarketplaceDocumentSchema))
    web_url = fields.String()


class PilotProjectSummarySchema(_Out):
    id = fields.Integer()
    title = fields.String()
    category = fields.Enum(Category, by_value=True)
    summary = fields.String()
    municipality = fields.String(attribute="organisation.name")
    period_start = fields.Date()
    period_end = fields.Date(allow_none=True)
    budget = money()
    funded = fields.Boolean()
    cpv_codes = fields.List(fields.String())
    published_at = fields.DateTime()
    url = fields.String()


class PilotProjectSchema(PilotProjectSummarySchema):
    description = fields.String()
    funding_programme = fields.String(allow_none=True)
    results = fields.String()
    lessons_learned = fields.String()
    specification = fields.String()
    award_criteria = fields.String()
    contact_name = fields.String()
    contact_email = fields.String()
    solution_ids = fields.List(fields.Integer(), metadata={"description": "Published ones"})
    documents = fields.List(fields.Nested(MarketplaceDocumentSchema))
    web_url = fields.String()


# --- search -------------------------------------------------------------------------------


class SearchArgs(PageArgs):
    q = fields.String(load_default="", validate=validate.Length(max=200))
    category = fields.List(fields.Enum(Category, by_value=True), load_default=list)
    kind = fields.Enum(EntryKind, by_value=True, load_default=None)
    cpv = fields.String(load_default="", validate=validate.Regexp(r"^([0-9]{2,8})?$"))
    region = fields.String(
        load_default="",
        validate=validate.Regexp(r"^(DE[0-9A-Z]{0,3})?$"),
        metadata={"description": "NUTS prefix, e.g. DE1"},
    )
    funding = fields.Enum(Funding, by_value=True, load_default=None)
    open_source = fields.Boolean(load_default=False)
    sort = fields.Enum(Sort, by_value=True, load_default=Sort.relevance)


class SearchItemSchema(_Out):
    kind = fields.Enum(EntryKind, by_value=True)
    id = fields.Integer(attribute="entry_id")
    title = fields.String()
    summary = fields.String()
    category = fields.Enum(Category, by_value=True)
    organisation = fields.String(attribute="organisation_name")
    cost_low = money()
    cost_high = money()
    open_source = fields.Boolean()
    funded = fields.Boolean()
    published_at = fields.DateTime()
    url = fields.String()


class SearchResultSchema(_Out):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()
    category_counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    kind_counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    notes = fields.List(fields.String())
    items = fields.List(fields.Nested(SearchItemSchema))


# --- tenders ------------------------------------------------------------------------------


class TenderListArgs(PageArgs):
    q = fields.String(load_default="", validate=validate.Length(max=200))
    cpv = fields.String(load_default="", validate=validate.Regexp(r"^([0-9]{1,8})?$"))
    nuts = fields.String(load_default="", validate=validate.Regexp(r"^([A-Z]{2}[0-9A-Z]{0,3})?$"))
    status = fields.Enum(
        TenderStatus,
        by_value=True,
        load_default=None,
        metadata={"description": "Only tenders in this state (public states only)"},
    )
    open = fields.Boolean(
        load_default=None,
        metadata={"description": "true: bid deadline still ahead; false: the others"},
    )


class TenderDocumentSchema(_Out):
    id = fields.Integer()
    series_id = fields.Integer()
    version = fields.Integer()
    title = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer(metadata={"description": "Bytes"})
    sha256 = fields.String()
    change_note = fields.String()
    uploaded_at = fields.DateTime()
    download_url = fields.String()


class LotSchema(_Out):
    id = fields.Integer()
    number = fields.Integer()
    title = fields.String()
    description = fields.String()
    cpv_code = fields.String()
    nuts_code = fields.String()
    place_of_performance = fields.String()
    unit = fields.String()


class CriterionSchema(_Out):
    position = fields.Integer()
    kind = fields.Enum(CriterionKind, by_value=True)
    name = fields.String()
    description = fields.String()
    weight = fields.Decimal(
        as_string=True, metadata={"type": "string", "format": "decimal", "description": "Percent"}
    )


class TenderSummarySchema(_Out):
    id = fields.Integer()
    title = fields.String()
    lead_authority = fields.String(attribute="lead_organisation.name")
    status = fields.Enum(TenderStatus, by_value=True)
    contract_nature = fields.Enum(ContractNature, by_value=True)
    procedure = fields.Enum(Procedure, by_value=True, allow_none=True)
    cpv_code = fields.String()
    nuts_code = fields.String()
    bid_deadline = fields.DateTime(allow_none=True)
    published_at = fields.DateTime()
    url = fields.String()


class TenderSchema(TenderSummarySchema):
    reference = fields.String()
    description = fields.String()
    place_of_performance = fields.String()
    duration_months = fields.Integer()
    bid_validity_months = fields.Integer()
    contact_email = fields.String()
    contact_phone = fields.String()
    cancellation_reason = fields.Enum(CancellationReason, by_value=True, allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    lots = fields.List(fields.Nested(LotSchema))
    criteria = fields.List(fields.Nested(CriterionSchema))
    documents = fields.List(fields.Nested(TenderDocumentSchema), metadata={"description": "Current versions"})
    web_url = fields.String()
    awards_url = fields.String(allow_none=True)
    ocds_url = fields.String()


class LotAwardSchema(_Out):
    lot_id = fields.Integer()
    lot_number = fields.Integer()
    lot_title = fields.String()
    awarded = fields.Boolean()
    decided_at = fields.DateTime(allow_none=True)
    winner = fields.String(allow_none=True)
    amount = money(metadata={"description": "The winning tender's total net price (EUR)"})
    tenderers = fields.Integer(metadata={"description": "Number of opened bids for the lot"})
    cancellation_reason = fields.Enum(CancellationReason, by_value=True, allow_none=True)
    cancellation_text = fields.String()


class TenderAwardsSchema(_Out):
    tender_id = fields.Integer()
    status = fields.Enum(TenderStatus, by_value=True)
    lots = fields.List(fields.Nested(LotAwardSchema))
