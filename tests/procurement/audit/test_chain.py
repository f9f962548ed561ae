"""The audit log is append-only and hash-chained; `flask audit verify` finds tampering."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from procurement.audit.models import AuditEntry
from procurement.audit.services import GENESIS_HASH, record, verify_chain
from procurement.extensions import db
from tests.conftest import audit_actions, count, page_text, submit

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def write_entries(app, n: int) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        for i in range(n):
            record(
                "test.event",
                actor=None,
                object_type="thing",
                object_id=i,
                now=NOW,
                after={"i": i, "betrag": "12.50", "text": "Grüße"},
            )
        db.session.commit()


def verify(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def is_postgres(app) -> bool:  # type: ignore[no-untyped-def]
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def tamper(app, sql: str) -> None:  # type: ignore[no-untyped-def]
    """Change the table behind the application's back, as someone with database access could."""
    with app.app_context(), db.engine.begin() as conn:
        if is_postgres(app):
            conn.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"))
            conn.execute(text(sql))
            conn.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only"))
        else:  # the test database is copied afresh, with its triggers, before the next test
            conn.execute(text("DROP TRIGGER audit_entries_no_update"))
            conn.execute(text("DROP TRIGGER audit_entries_no_delete"))
            conn.execute(text(sql))


def test_entries_form_a_chain_from_the_genesis(app):
    write_entries(app, 5)
    with app.app_context():
        entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
        assert entries[0].prev_hash == GENESIS_HASH
        assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
        assert entries[0].occurred_at == NOW
    result = verify(app)
    assert result.exit_code == 0
    assert "5 entries verified" in result.output


def test_verify_names_the_altered_entry(app):
    write_entries(app, 5)
    tamper(app, "UPDATE audit_entries SET after = '[99]' WHERE seq = 3")
    result = verify(app)
    assert result.exit_code == 1
    assert "seq=3" in result.output and "altered" in result.output
    assert "2 entries before it are intact" in result.output


def test_verify_finds_a_rewritten_hash_by_the_next_link(app):
    write_entries(app, 4)
    tamper(app, "UPDATE audit_entries SET hash = '" + "f" * 64 + "' WHERE seq = 2")
    result = verify(app)
    assert result.exit_code == 1
    assert "seq=2" in result.output


def test_verify_finds_a_deleted_entry(app):
    write_entries(app, 4)
    tamper(app, "DELETE FROM audit_entries WHERE seq = 2")
    result = verify(app)
    assert result.exit_code == 1
    assert "seq=3" in result.output and "missing" in result.output


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_entries SET action = 'x' WHERE seq = 1", "DELETE FROM audit_entries"]
)
def test_the_database_refuses_to_change_or_delete_entries(app, sql):
    write_entries(app, 1)
    with app.app_context():
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:  # noqa: B017
            conn.execute(text(sql))
        assert verify_chain().ok


def test_failed_operation_leaves_no_audit_entry(app, client, demo, auth):
    auth.login("vergabe@talheim.example")
    before = count(app, AuditEntry)
    response = submit(
        client,
        "/organisations/2/invite",
        {"name": "X", "email": "bedarf@talheim.example", "roles": ["requester"]},
    )
    assert response.status_code == 409
    assert count(app, AuditEntry) == before
    assert "user.invited" not in audit_actions(app)


def test_concurrent_appends_keep_one_chain(app):
    if not is_postgres(app):
        pytest.skip("SQLite serialises all writers; the advisory lock is PostgreSQL's")
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            write_entries(app, 10)
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        result = verify_chain()
    assert result.ok and result.checked == 40


def test_audit_verify_on_an_empty_log(app):
    result = verify(app)
    assert result.exit_code == 0 and "0 entries verified" in result.output


def test_login_failure_page_does_not_reveal_the_log(client, demo, auth):
    response = auth.login("vergabe@talheim.example", "falsch")
    assert "audit" not in page_text(response).lower()
