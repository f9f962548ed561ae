"""Schemathesis against the API's own OpenAPI description, on the test app (WSGI, real database).

Every operation in ``/api/v1/openapi.json`` is called with generated parameters and bodies, with
a read+write token of a municipality (Talheim's officer) and of a vendor, on the demo data plus an
awarded tender with received invoices and bids: path ids are drawn from the existing objects as
well as at random. No answer may be a server error (5xx), have an undocumented content type, or
violate its documented schema. Bounded: ``MAX_EXAMPLES`` per operation (the whole run < 90 s).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator

import hypothesis
import pytest
import schemathesis
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from procurement.demo import seed
from procurement.extensions import db
from procurement.marketplace.models import PilotProject, Solution
from procurement.tenders.models import Tender
from tests.procurement.api.private_fixtures import *  # noqa: F403  (the fixtures)
from tests.procurement.api.private_fixtures import BUYER, NOW, VENDOR
from tests.procurement.api.test_private_needs import NEW_NEED
from workflows.bid import BidStatus
from workflows.invoice import InvoiceStatus

MAX_EXAMPLES = 20
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance, status_code_conformance]
TIME_LIMIT = 90  # seconds for the whole run


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def known_ids(app, make_need, make_invoice, make_bid, awarded) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """Existing objects of every kind the paths name (so not every call is a 404)."""
    with app.app_context():
        seed()
        db.session.commit()
    needs = [make_need(BUYER), make_need(BUYER, opened=True)]
    invoices = [make_invoice(), make_invoice(status=InvoiceStatus.paid), make_invoice()]
    bids = [awarded.bid_id, make_bid(status=BidStatus.draft), make_bid(status=BidStatus.submitted)]
    with app.app_context():
        tenders = list(db.session.scalars(select(Tender.id)))
        solutions = list(db.session.scalars(select(Solution.id)))
        pilots = list(db.session.scalars(select(PilotProject.id)))
    return {
        "need_id": needs,
        "invoice_id": invoices,
        "bid_id": bids,
        "tender_id": tenders,
        "solution_id": solutions,
        "pilot_project_id": pilots,
        "project_id": pilots,
    }


def _path_ids(operation, known: dict[str, list[int]]) -> st.SearchStrategy[dict[str, int]]:  # type: ignore[no-untyped-def]
    names = [name for name in known if "{" + name + "}" in operation.path]
    if not names:
        return st.just({})
    return st.fixed_dictionaries({name: st.sampled_from(known[name] or [1]) for name in names})


def test_every_operation_answers_within_its_schema_and_never_with_a_server_error(
    app, private_token, known_ids
):
    tokens = [private_token(BUYER, "write"), private_token(VENDOR, "write")]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    loaded = list(schema.get_all_operations())
    errors = [str(result.err()) for result in loaded if not hasattr(result, "ok")]
    assert not errors, errors
    operations = [result.ok() for result in loaded]
    assert len(operations) >= 11, "the authenticated operations are described"
    failures: dict[str, str] = {}
    started = time.monotonic()
    limit = app.config.get("API_RATE_LIMIT")
    app.config["API_RATE_LIMIT"] = "100000 per minute"  # the generated calls are not an attack
    try:
        for operation in operations:
            _run(operation, tokens, known_ids, failures)
    finally:
        app.config["API_RATE_LIMIT"] = limit
    elapsed = time.monotonic() - started
    assert not failures, "\n\n".join(f"{label}: {text}" for label, text in failures.items())
    assert elapsed < TIME_LIMIT, f"Schemathesis took {elapsed:.0f} s for {len(operations)} operations"


# a valid body besides the generated ones: drafts a need (generated CPV codes rarely check out)
KNOWN_BODIES = {"POST /api/v1/needs": NEW_NEED}


def _run(operation, tokens: list[str], known: dict[str, list[int]], failures: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    label = f"{operation.method.upper()} {operation.path}"
    strategies = [operation.as_strategy()]
    if label in KNOWN_BODIES:
        strategies.append(operation.as_strategy(body=KNOWN_BODIES[label]))
    strategy = st.one_of(
        *strategies,
        _path_ids(operation, known).flatmap(
            lambda ids: operation.as_strategy(path_parameters=ids) if ids else operation.as_strategy()
        ),
    )

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @given(case=strategy, token=st.sampled_from(tokens))
    def check(case, token: str) -> None:  # type: ignore[no-untyped-def]
        headers = {"Authorization": f"Bearer {token}"}
        try:
            # TESTING propagates an unhandled exception of a view: a server error, too
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)
        except Exception as err:
            # the last one recorded is the example hypothesis shrank to
            failures[label] = f"{type(err).__name__}: {err}\n{case.as_curl_command(headers=headers)}"
            raise

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hypothesis.errors.NonInteractiveExampleWarning)
        try:
            check()
        except Exception:  # noqa: S110
            pass  # recorded in ``failures``: every operation runs, all failures are reported
