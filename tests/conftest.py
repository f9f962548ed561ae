"""Shared fixtures: a migrated database (SQLite or PostgreSQL), a real SMTP server, helpers.

`TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test` runs the suite on
PostgreSQL: a fresh database is created next to the named one and dropped at the end.
Without it the suite runs on a SQLite file.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from html import unescape
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import make_url, text

from procurement import create_app
from procurement.demo import DEMO_PASSWORD, seed, seed_accounts
from procurement.extensions import db, limiter

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- mail ---------------------------------------------------------------------------------


@dataclass
class Mailbox:
    """Messages a real local SMTP server (aiosmtpd) has accepted."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        with self.lock:
            self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def link(self, address: str, path_prefix: str) -> str:
        """Return the path of the newest link to ``path_prefix`` mailed to ``address``."""
        messages = self.to(address)
        assert messages, f"no mail to {address}"
        body = messages[-1].get_content()
        match = re.search(r"http://localhost(" + re.escape(path_prefix) + r"[^\s]+)", body)
        assert match, f"no {path_prefix} link in mail:\n{body}"
        return match.group(1)

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[Mailbox, int]) -> Mailbox:
    box, _port = smtp_server
    box.clear()
    return box


# --- database -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    url = make_url(server_url)
    name = f"vm_test_{secrets.token_hex(4)}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def app(
    database_url: str, smtp_server: tuple[Mailbox, int], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    _mailbox, smtp_port = smtp_server
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            "MAIL_SEND_AFTER_REQUEST": True,
            "PUBLIC_BASE_URL": "http://localhost",
            "RATELIMIT_STORAGE_URI": "memory://",
            "LOGIN_RATE_LIMIT": "10 per minute",
        }
    )
    with application.app_context():
        upgrade()
        db.engine.dispose()
        if application.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            database = Path(db.engine.url.database)
            template = tmp_path_factory.mktemp("template") / "migrated.sqlite"
            shutil.copy(database, template)
            application.config["TEST_SQLITE_TEMPLATE"] = (database, template)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _reset_database(application: Flask) -> None:
    with application.app_context():
        db.session.remove()
        template = application.config.get("TEST_SQLITE_TEMPLATE")
        if template:
            db.engine.dispose()
            database, source = template
            shutil.copy(source, database)
            return
        with db.engine.begin() as conn:
            conn.execute(text(_postgres_reset_sql(conn)))


_RESET_SQL: list[str] = []


def _postgres_reset_sql(conn) -> str:  # type: ignore[no-untyped-def]
    """One batch that empties every table and restarts every sequence.

    DELETE on small tables is much cheaper than TRUNCATE (which makes new files for every table);
    `session_replication_role = replica` skips triggers and foreign key checks, so the
    append-only audit table can be emptied too.
    """
    if not _RESET_SQL:
        tables = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tablename != 'alembic_version'"
                )
            )
        ]
        sequences = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT sequence_name FROM information_schema.sequences "
                    "WHERE sequence_schema = current_schema()"
                )
            )
        ]
        statements = ["SET LOCAL session_replication_role = replica"]
        statements += [f'DELETE FROM "{table}"' for table in tables]
        statements += [f'ALTER SEQUENCE "{sequence}" RESTART' for sequence in sequences]
        _RESET_SQL.append("; ".join(statements))
    return _RESET_SQL[0]


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that uses the app starts on a freshly migrated, empty database."""
    if "app" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    _reset_database(application)
    limiter.reset()
    yield
    with application.app_context():
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.test_request_context():
        yield app
        db.session.rollback()


@pytest.fixture
def demo(app: Flask) -> None:
    """Load the demo organisations and users (one per role; password DEMO_PASSWORD)."""
    with app.app_context():
        seed_accounts()
        db.session.commit()


@pytest.fixture
def demo_marketplace(app: Flask) -> None:
    """Load all demo data: accounts, solutions, pilot projects and needs (`flask seed-demo`)."""
    with app.app_context():
        seed()
        db.session.commit()


# --- web helpers --------------------------------------------------------------------------


def csrf_token(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({response.status_code})"
    return match.group(1)


def submit(client: FlaskClient, url: str, data: dict[str, object], form_url: str | None = None, **kw):  # type: ignore[no-untyped-def]
    """POST ``data`` to ``url`` the way a browser does: with the CSRF token of the form page."""
    payload = {"csrf_token": csrf_token(client, form_url or url), **data}
    return client.post(url, data=payload, **kw)


class Auth:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str, password: str = DEMO_PASSWORD):  # type: ignore[no-untyped-def]
        return submit(self.client, "/login", {"email": email, "password": password})

    def logout(self):  # type: ignore[no-untyped-def]
        return submit(self.client, "/logout", {}, form_url="/")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    """The response body with tags removed and whitespace collapsed (what a reader sees)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


# --- database helpers ---------------------------------------------------------------------


def count(app: Flask, model, *where) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def one(app: Flask, model, *where):  # type: ignore[no-untyped-def]
    """Load a row in a fresh session; attributes stay readable after the context ends."""
    from sqlalchemy import select

    with app.app_context():
        row = db.session.scalars(select(model).where(*where)).one()
        db.session.expunge(row)
        return row


def audit_actions(app: Flask) -> list[str]:
    from sqlalchemy import select

    from procurement.audit.models import AuditEntry

    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
