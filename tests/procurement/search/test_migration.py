"""Migration 0003 (the search index) upgrades and downgrades on a database of its own."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, make_url

from procurement import create_app
from procurement.extensions import db


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path / 'migration.sqlite'}"
        return
    url = make_url(server_url)
    name = f"vm_test_{secrets.token_hex(4)}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _search_objects() -> set[str]:
    inspector = inspect(db.engine)
    names = {name for name in inspector.get_table_names() if name.startswith("search_")}
    if "search_entries" in names:
        names |= {column["name"] for column in inspector.get_columns("search_entries")} & {"search_fts"}
    return names


def test_search_index_migration_downgrades_and_upgrades_again(scratch_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": scratch_url})
    with app.app_context():
        upgrade()
        created = _search_objects()
        assert {"search_entries", "search_documents", "search_pilot_solutions"} <= created
        assert "search_fts" in created  # SQLite: the FTS5 table; PostgreSQL: the tsvector column
        downgrade(revision="0002")
        assert _search_objects() == set()
        upgrade()
        assert _search_objects() == created
        db.engine.dispose()
