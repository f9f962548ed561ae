"""Shared fixtures of the API tests: a token factory and bearer headers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from procurement.accounts.models import User
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
