"""Engines and column types shared by every record: SQLite by default, PostgreSQL in production.

Owns how a URL becomes an engine (SQLite pragmas, the psycopg 3 driver) and how instants are
stored. It opens no sessions on its own and never commits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.types import TypeDecorator

SQLITE_BUSY_TIMEOUT_MS = 30_000

__all__ = ["SQLITE_BUSY_TIMEOUT_MS", "UTCDateTime", "is_sqlite", "make_engine", "normalise_url"]


def normalise_url(url: str) -> str:
    """Return `url` with the psycopg 3 driver named for PostgreSQL.

    `postgresql://` and `postgres://` (libpq's spelling, as hosting providers print it) would
    otherwise select psycopg2, which accord does not install.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for `url`; extra keyword arguments go to `create_engine`.

    SQLite connections get foreign keys on, write-ahead logging (readers never wait for a
    writer; `synchronous=NORMAL`, durable across a crash of accord, the usual setting with
    WAL), a busy timeout (a second writer waits instead of failing), and SQLAlchemy's
    own BEGIN instead of the sqlite3 module's, so that SAVEPOINTs and transactions behave as on
    PostgreSQL. Transactions begin deferred: a writer takes the lock at its first write.
    """
    url = normalise_url(url)
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, **kwargs)
    engine = create_engine(url, **kwargs)
    in_memory = make_url(url).database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Leave transaction control to SQLAlchemy (the "begin" hook below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime in and out, on SQLite (which drops offsets) and PostgreSQL.

    A naive datetime is refused with ValueError: which zone it meant is not the database's
    guess (SEMANTICS.md). Any aware datetime is converted to UTC; values read back are UTC.
    Microsecond precision on both databases (nanosecond event instants use `at_ns` columns).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected an aware datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: give it a time zone (UTC)")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
