"""Auditors can never change anything: every POST route of the app, as an auditor of the closed
procedure, with a valid CSRF token and the procedure's real ids, is refused — and nothing changed.

The routes are taken from ``app.url_map``, so a route added later is walked too. Only the
auditor's own account and session (login, logout, language, profile, password) are left out: they
change the auditor's account, never a procedure's record.
"""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select, text
from werkzeug.routing import AnyConverter, IntegerConverter

from procurement.awards.models import Award
from procurement.bids.models import BidFile
from procurement.extensions import db
from procurement.records import grants as grant_service
from procurement.tenders.models import Tender, TenderDocument
from tests.conftest import CSRF_RE
from tests.procurement.records.test_workspace_support import (
    LEAD_AUDITOR,
    PARTNER_AUDITOR,
    THIRD_AUDITOR,
    add_auditors,
)
from tests.procurement.tenders.conftest import LEAD, user

# the auditor's own account and session: not part of any procedure's record
OWN_ACCOUNT = frozenset(
    {
        "accounts.login",
        "accounts.logout",
        "accounts.profile",
        "accounts.forgot_password",
        "accounts.reset_password",
        "accounts.accept_invitation",
        "accounts.register",
        "site.set_language",
    }
)
# pages that check an uploaded file and keep nothing (an auditor's tool); refused input is a 4xx,
# and they too must leave the database as it was
CHECKERS = frozenset({"invoices.check", "records.verify_archive"})
# every route refuses an auditor before it reads the form (no 409/422 from a form or a state check)
REFUSED = {400, 403, 404, 405}
# string parts of URLs: every value that names a change somewhere in the app
STRING_VALUES = {
    "trigger": ("cancel", "close", "publish", "freeze"),
    "action": ("disable", "enable", "remove", "resend"),
    "token": ("x",),
    "cpv_group": ("34",),
    "window_from": ("2026-01-01",),
    "window_until": ("2026-12-31",),
}


def snapshot(app) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Row counts of every table, and the versions and states of the procedure and its awards."""
    with app.app_context():
        counts = {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }
        tenders = db.session.execute(text("SELECT id, version, status FROM tenders ORDER BY id")).all()
        awards = db.session.execute(select(Award.id, Award.version, Award.status).order_by(Award.id)).all()
        return {
            "counts": counts,
            "tenders": [tuple(r) for r in tenders],
            "awards": [tuple(r) for r in awards],
        }


def ids(app, closed) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        auditor = user(LEAD_AUDITOR)
        document = db.session.scalar(
            select(TenderDocument.id).where(TenderDocument.tender_id == closed.tender_id)
        )
        bid_id = min(closed.bids.values())
        file_id = db.session.scalar(select(BidFile.id).where(BidFile.bid_id == bid_id))
        return {
            "tender_id": closed.tender_id,
            "lot_id": min(closed.lots.values()),
            "bid_id": bid_id,
            "document_id": document,
            "file_id": file_id,
            "organisation_id": auditor.organisation_id,
            "user_id": auditor.id,
        }


def urls(app, known: dict[str, int]) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(endpoint, URL) for every POST route, every AnyConverter alternative and string value."""
    found = []
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
            if "POST" not in rule.methods or rule.endpoint in OWN_ACCOUNT:
                continue
            choices: dict[str, tuple[object, ...]] = {}
            for name, converter in rule._converters.items():
                if isinstance(converter, AnyConverter):
                    choices[name] = tuple(sorted(converter.items))
                elif isinstance(converter, IntegerConverter):
                    choices[name] = (known.get(name, 1),)
                else:
                    choices[name] = STRING_VALUES.get(name, ("x",))
            for values in itertools.product(*choices.values()):
                found.append(
                    (rule.endpoint, adapter.build(rule.endpoint, dict(zip(choices, values, strict=True))))
                )
    return found


@pytest.mark.parametrize("auditor", [LEAD_AUDITOR, PARTNER_AUDITOR, THIRD_AUDITOR])
def test_every_post_route_is_refused_for_an_auditor_of_the_closed_procedure(
    app, closed, auth, client, auditor
):
    add_auditors(app)
    with app.test_request_context():  # Nordhafen's auditor reads by the lead's grant
        grant_service.grant_audit(
            user(LEAD),
            db.session.get(Tender, closed.tender_id),
            user(THIRD_AUDITOR).organisation,
            closed_now(),
        )
        db.session.commit()
    auth.login(auditor)
    token = CSRF_RE.search(client.get("/pruefung").get_data(as_text=True)).group(1)
    assert client.get("/pruefung").status_code == 200  # the auditor is signed in and reads
    walked = urls(app, ids(app, closed))
    assert len(walked) >= 80
    before = snapshot(app)
    answers = {}
    for endpoint, url in walked:
        response = client.post(url, data={"csrf_token": token})
        answers[url] = (endpoint, response.status_code)
    # the JSON API authenticates by token, not by the browser session: 401 without one
    allowed = {
        url: a
        for url, a in answers.items()
        if a[1] not in REFUSED and a[0] not in CHECKERS and not (url.startswith("/api/") and a[1] == 401)
    }
    assert allowed == {}, allowed
    checkers = {url: a for url, a in answers.items() if a[0] in CHECKERS}
    assert all(status in REFUSED | {200, 422} for _endpoint, status in checkers.values()), checkers
    assert snapshot(app) == before
    assert client.get("/pruefung").status_code == 200  # still signed in: nothing was a logout


def closed_now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
