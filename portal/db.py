"""The declarative base, timestamps and SQLite connection settings shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import DateTime, Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes even for timezone-aware columns: read them as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def iso_utc(moment: datetime) -> str:
    """A moment for ``<time datetime="...">``: UTC to the second (HTML allows at most three
    digits of a fraction, and ``isoformat()`` gives six)."""
    return as_utc(moment).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_sqlite(engine: Engine) -> None:
    """Foreign keys, WAL, a busy timeout, and write transactions that lock at their start.

    pysqlite's own transaction handling is switched off so that SQLAlchemy emits BEGIN itself:
    requests that may write (POST and the CLI) take the write lock with BEGIN IMMEDIATE, so two
    workers doing read-then-write queue up instead of losing an update or failing half-way.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        reading = has_request_context() and request.method in READ_ONLY_METHODS
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def insert_or_ignore(model: Any, *rows: dict[str, Any], **values: Any) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` of one row (``values``) or several (``rows``), in
    the dialect of the session's database."""
    from sqlalchemy.dialects.postgresql import insert as postgres_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    from portal.extensions import db  # not at the top: extensions imports this module

    postgres = db.session.get_bind().dialect.name == "postgresql"
    insert = postgres_insert if postgres else sqlite_insert
    statement = insert(model).values(list(rows)) if rows else insert(model).values(**values)
    return statement.on_conflict_do_nothing()
