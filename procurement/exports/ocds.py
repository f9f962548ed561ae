"""OCDS 1.1 release packages of published tenders (Open Contracting Data Standard).

One release per tender with the state it is in: ``tender`` while it runs (only what the
contract notice made public: lots, estimated values, buyers, documents' links), and once the
tender is awarded also ``award`` (supplier, value and date per lot) and ``contract`` (one per
participating municipality and lot, that municipality as the contract's buyer). Bids and the
prices of unsuccessful bidders are never part of it.

- ocid: ``OCDS_PREFIX`` + "-" + the procedure's UUID (BT-04). The prefix is registered with the
  Open Contracting Partnership by the operator; the development default ``ocds-vm0dev`` only
  looks like one (``ocds-`` + six characters) and must be replaced for production.
- Lots and the contract's buyer use the OCDS extensions for lots and for multiple buyers
  (declared in ``extensions``).
- Amounts are JSON numbers written from the Decimal exactly (``dumps``), never through float.
- ``validation_errors`` checks a package against the OCDS 1.1 release-package schema with
  ``jsonschema``, offline: no PyPI package installs the schema files (ocdskit, libcoveocds and
  ocdsextensionregistry download them at run time), so ``ocds_schema/`` carries the files as
  two of those packages' source distributions ship them (see its README).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from flask import current_app, has_app_context

from procurement.accounts.models import Organisation
from procurement.exports.eforms import buyers_of
from procurement.exports.eforms_award import LotOutcome
from procurement.tenders.models import ContractNature, CriterionKind, Tender
from workflows.tender import TenderStatus

OCDS_VERSION = "1.1"
DEFAULT_OCDS_PREFIX = "ocds-vm0dev"
CURRENCY = "EUR"
SCHEMA_DIR = Path(__file__).with_name("ocds_schema")
EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_multiple_buyers_extension/master/extension.json",
]
CATEGORIES = {
    ContractNature.supplies: "goods",
    ContractNature.services: "services",
    ContractNature.works: "works",
}
AWARDED = frozenset({TenderStatus.awarded, TenderStatus.contracted, TenderStatus.closed})


def ocds_prefix() -> str:
    if has_app_context():
        return str(current_app.config.get("OCDS_PREFIX") or DEFAULT_OCDS_PREFIX)
    return DEFAULT_OCDS_PREFIX


def ocid(tender: Tender) -> str:
    return f"{ocds_prefix()}-{tender.procedure_uuid}"


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _value(amount: Optional[Decimal]) -> Optional[dict[str, Any]]:
    return None if amount is None else {"amount": amount, "currency": CURRENCY}


def _party_id(organisation: Organisation) -> str:
    return f"org-{organisation.id}"


def _party(organisation: Organisation, roles: list[str], email: str = "", phone: str = "") -> dict[str, Any]:
    party: dict[str, Any] = {
        "id": _party_id(organisation),
        "name": organisation.name,
        "address": {
            "streetAddress": organisation.street,
            "locality": organisation.city,
            "postalCode": organisation.postal_code,
            "countryName": organisation.country_code,
        },
        "roles": roles,
    }
    if email or phone:
        party["contactPoint"] = {
            key: value for key, value in (("email", email), ("telephone", phone)) if value
        }
    return party


def release(
    tender: Tender, outcomes: Sequence[LotOutcome], documents: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """The tender's release as it stands; ``outcomes`` only count once the tender is awarded.

    :param documents: the public documents' links ({"id", "title", "url", "format", "datePublished"})
    """
    awarded = tender.status in AWARDED
    outcomes = list(outcomes) if awarded else []
    buyers = buyers_of(tender)
    lead = tender.lead_organisation
    parties: dict[str, dict[str, Any]] = {}
    for buyer in buyers:
        organisation = buyer.participant.organisation
        roles = ["buyer", "procuringEntity"] if buyer.lead else ["buyer"]
        parties[_party_id(organisation)] = _party(
            organisation,
            roles,
            tender.contact_email if buyer.lead else buyer.participant.contact_email,
            tender.contact_phone if buyer.lead else buyer.participant.contact_phone,
        )
    parties["review-body"] = {
        "id": "review-body",
        "name": tender.review_body_name,
        "address": {
            "locality": tender.review_body_city,
            "postalCode": tender.review_body_postal_code,
            "countryName": "DE",
        },
        "roles": ["reviewBody"],
    }
    lots = []
    items = []
    for lot in tender.lots:
        quantity = sum((p.quantity_for(lot) for p in tender.joined_participants), Decimal(0))
        lots.append(
            {"id": lot.eforms_id, "title": lot.title, "description": lot.description, "status": "active"}
        )
        items.append(
            {
                "id": str(lot.number),
                "description": lot.title,
                "classification": {"scheme": "CPV", "id": lot.cpv_code.split("-")[0]},
                "quantity": quantity,
                "unit": {"name": lot.unit},
                "relatedLot": lot.eforms_id,
            }
        )
    tender_block: dict[str, Any] = {
        "id": tender.procedure_uuid,
        "title": tender.title,
        "description": tender.description,
        "status": "active" if tender.status is TenderStatus.published else "complete",
        "procuringEntity": {"id": _party_id(lead), "name": lead.name},
        "items": items,
        "lots": lots,
        "procurementMethod": "open",
        "procurementMethodDetails": "Offenes Verfahren (§ 15 VgV)"
        if tender.is_eu
        else "Öffentliche Ausschreibung (§ 9 UVgO)",
        "mainProcurementCategory": CATEGORIES[tender.contract_nature],
        "awardCriteria": "ratedCriteria"
        if any(c.kind is CriterionKind.quality for c in tender.criteria)
        else "priceOnly",
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"startDate": _iso(tender.published_at), "endDate": _iso(tender.bid_deadline)},
        "documents": list(documents),
    }
    if tender.estimated_value is not None:
        tender_block["value"] = _value(tender.estimated_value)
    if tender.status is TenderStatus.cancelled:
        tender_block["status"] = "cancelled"
    elif tender.status not in AWARDED and tender.status is not TenderStatus.published:
        tender_block["status"] = "active"  # evaluation: no result yet
    tags = ["tender"]
    awards = []
    contracts = []
    release_id = ocid(tender)
    for outcome in outcomes:
        lot_block = next(block for block in lots if block["id"] == outcome.lot.eforms_id)
        if not outcome.awarded:
            lot_block["status"] = "cancelled"
            continue
        lot_block["status"] = "complete"
        assert outcome.winner is not None
        winner = outcome.winner
        supplier = parties.setdefault(_party_id(winner), _party(winner, ["supplier"], winner.email or ""))
        if "supplier" not in supplier["roles"]:
            supplier["roles"].append("supplier")
        award_id = f"{release_id}-award-{outcome.lot.number}"
        awards.append(
            {
                "id": award_id,
                "title": outcome.lot.title,
                "status": "active",
                "date": _iso(outcome.decided_at),
                "value": _value(outcome.amount),
                "suppliers": [{"id": _party_id(winner), "name": winner.name}],
                "relatedLots": [outcome.lot.eforms_id],
            }
        )
        for contract in outcome.contracts:
            contracts.append(
                {
                    "id": contract.number,
                    "awardID": award_id,
                    "title": f"{contract.lot_title} – {contract.buyer_name}",
                    "status": "active",
                    "value": _value(contract.net_value),
                    "dateSigned": _iso(contract.concluded_at),
                    "buyer": {"id": f"org-{contract.buyer_organisation_id}", "name": contract.buyer_name},
                }
            )
        tender_block["numberOfTenderers"] = max(
            tender_block.get("numberOfTenderers", 0), len(outcome.tenderers)
        )
    if outcomes and not awards:
        tender_block["status"] = "unsuccessful"
    if awards:
        tags += ["award"]
    if contracts:
        tags += ["contract"]
    dates = (
        [tender.published_at]
        + [o.decided_at for o in outcomes]
        + [c.concluded_at for o in outcomes for c in o.contracts]
    )
    date = max(moment for moment in dates if moment is not None)
    result: dict[str, Any] = {
        "ocid": release_id,
        "id": f"{release_id}-{'-'.join(tags)}",
        "date": _iso(date),
        "tag": tags,
        "initiationType": "tender",
        "language": "de",
        "parties": list(parties.values()),
        "buyer": {"id": _party_id(lead), "name": lead.name},
        "tender": tender_block,
    }
    if tender.estimated_value is not None:
        result["planning"] = {"budget": {"amount": _value(tender.estimated_value)}}
    if awards:
        result["awards"] = awards
    if contracts:
        result["contracts"] = contracts
    return result


def package(
    releases: Sequence[dict[str, Any]], uri: str, published: datetime, publisher: str
) -> dict[str, Any]:
    """A release package around ``releases``."""
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": EXTENSIONS,
        "publishedDate": _iso(published),
        "publisher": {"name": publisher},
        "releases": list(releases),
    }


def release_date(tender: Tender, outcomes: Sequence[LotOutcome]) -> datetime:
    """When the tender's release last changed (Last-Modified of its package)."""
    moment = release(tender, outcomes, [])["date"]
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


# --- JSON with exact amounts ---------------------------------------------------------------------


def iter_json(value: Any) -> Iterator[str]:
    """Serialise ``value`` as JSON, Decimals as numbers with their exact digits."""
    if isinstance(value, dict):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield ("," if index else "") + json.dumps(str(key), ensure_ascii=False) + ":"
            yield from iter_json(item)
        yield "}"
    elif isinstance(value, list | tuple):
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ","
            yield from iter_json(item)
        yield "]"
    elif isinstance(value, Decimal):
        yield format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    else:
        yield json.dumps(value, ensure_ascii=False)


def dumps(value: Any) -> str:
    return "".join(iter_json(value))


# --- the schema ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    package_schema = json.loads((SCHEMA_DIR / "release-package-schema.json").read_text("utf-8"))
    release_schema = json.loads((SCHEMA_DIR / "release-schema.json").read_text("utf-8"))
    # The package schema (1.1.5) refers to the 1.1.5 release schema; the bundled release schema
    # is 1.1.4, the same fields and codelists of OCDS 1.1 (1.1.5 changed descriptions only).
    resource = Resource.from_contents(release_schema, default_specification=DRAFT4)
    registry = Registry().with_resources(
        [
            (package_schema["properties"]["releases"]["items"]["$ref"], resource),
            (release_schema["id"], resource),
        ]
    )
    return Draft4Validator(package_schema, registry=registry)


def validation_errors(document: dict[str, Any]) -> list[str]:
    """The schema errors of a release package (empty: valid OCDS 1.1)."""
    return [
        f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in _validator().iter_errors(document)
    ]
