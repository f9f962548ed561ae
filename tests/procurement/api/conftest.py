"""Shared fixtures of the API tests: a token factory and bearer headers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.pool import NullPool

from procurement import create_app
from procurement.accounts.models import User
from procurement.api.core import API_MODULES
from procurement.api.tokens import create_token
from procurement.database import utcnow
from procurement.extensions import db

# published tenders (with documents) and awarded EU tenders for the public endpoints
from tests.procurement.exports.conftest import eu_tender  # noqa: F401
from tests.procurement.tenders.conftest import make_tender, public_tender, tender_storage  # noqa: F401

TokenFactory = Callable[..., str]


def bearer(token: str) -> dict[str, str]:
    """The request headers carrying ``token``."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def make_token(app: Flask, demo: None) -> TokenFactory:
    """Create a token of the organisation of the demo user ``email``; return the plain token.

    ``make_token("vergabe@talheim.example", access="write")``; access "read" (default) or "write".
    """

    def factory(email: str, access: str = "read", name: str = "Test-Integration") -> str:
        with app.app_context():
            user = db.session.scalars(select(User).where(User.email == email)).one()
            _token, plain = create_token(user, name, access, now=utcnow())
            db.session.commit()
            return plain

    return factory


@pytest.fixture(scope="session")
def probe_app(app: Flask) -> Iterator[Flask]:
    """The test app plus the probe endpoints, on the same database; 5 requests a minute."""
    config = {
        key: app.config[key]
        for key in (
            "TESTING",
            "SECRET_KEY",
            "SQLALCHEMY_DATABASE_URI",
            "SMTP_URL",
            "MAIL_SEND_AFTER_REQUEST",
            "PUBLIC_BASE_URL",
            "RATELIMIT_STORAGE_URI",
        )
    }
    probe = create_app(
        {
            **config,
            "API_MODULES": (*API_MODULES, "tests.procurement.api.core_probe"),
            "API_RATE_LIMIT": "5 per minute",
            "PROPAGATE_EXCEPTIONS": False,
            # no pooled connections: the suite swaps the SQLite file under them between tests
            "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": NullPool},
        }
    )
    yield probe
    with probe.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def probe(probe_app: Flask, app: Flask) -> FlaskClient:
    return probe_app.test_client()
