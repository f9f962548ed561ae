"""Declarative base with a constraint naming convention, and column types used everywhere."""

from __future__ import annotations

import enum
import sqlite3
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def enum_type(kind: type[enum.Enum], name: str) -> Enum:
    """An Enum column stored as its value in a VARCHAR(32) (no native type to migrate)."""
    return Enum(kind, name=name, native_enum=False, length=32, validate_strings=True)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite keeps no offset itself)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (the one clock of the app)."""
    return datetime.now(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, connection_record) -> None:  # type: ignore[no-untyped-def]
    """SQLite enforces foreign keys (and ON DELETE CASCADE) only when asked, per connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()


def lock_sqlite_for_writing(session: Session) -> bool:
    """On SQLite, take the database's write lock now (``BEGIN IMMEDIATE``); True if it did.

    SQLite has no row locks, and pysqlite opens a transaction only at the first write: reads
    before it (and a SAVEPOINT, whose RELEASE would then commit at once) happen outside any
    transaction. Where PostgreSQL code locks rows with ``FOR UPDATE`` before reading what it
    will change, SQLite code calls this first. Nothing happens on other databases or when a
    transaction is already open.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return False
    if connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        return False
    connection.exec_driver_sql("BEGIN IMMEDIATE")
    return True
