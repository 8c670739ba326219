"""Engines and the UTCDateTime column type on every test database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import exc, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from accord.persistence.db import UTCDateTime, make_engine, normalise_url
from accord.persistence.records import ImportRecord
from accord.persistence.repositories import ImportRepository


def test_naive_datetime_is_refused_before_it_reaches_the_database() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        UTCDateTime().process_bind_param(datetime(2026, 3, 1, 9, 0), sqlite.dialect())  # noqa: DTZ001


def test_naive_datetime_fails_the_flush(session: Session) -> None:
    naive = datetime(2026, 3, 1, 9, 0)  # noqa: DTZ001
    with pytest.raises(exc.StatementError, match="naive datetime"):
        ImportRepository(session).start(
            source="events", file_name="a.csv", timezone=None, started_at=naive
        )


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "pg"])
def test_aware_datetime_is_bound_as_utc(dialect: object) -> None:
    berlin = timezone(timedelta(hours=1))
    bound = UTCDateTime().process_bind_param(datetime(2026, 3, 1, 10, 0, tzinfo=berlin), dialect)  # type: ignore[arg-type]
    assert bound is not None
    assert bound.replace(tzinfo=None) == datetime(2026, 3, 1, 9, 0)  # noqa: DTZ001


def test_instants_come_back_aware_utc_to_the_microsecond(session: Session) -> None:
    plus_five = timezone(timedelta(hours=5, minutes=30))
    started = datetime(2026, 3, 29, 7, 15, 42, 123456, tzinfo=plus_five)
    record = ImportRepository(session).start(
        source="events", file_name="a.csv", timezone=None, started_at=started
    )
    session.expire_all()
    stored = session.get(ImportRecord, record.pk)
    assert stored is not None
    assert stored.started_at.tzinfo is UTC
    assert stored.started_at == started
    assert stored.started_at.microsecond == 123456


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/x.sqlite3")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() == 30_000
    engine.dispose()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db:5432/accord", "postgresql+psycopg://u:p@db:5432/accord"),
        ("postgres://u@db/accord", "postgresql+psycopg://u@db/accord"),
        ("postgresql+psycopg://u@db/accord", "postgresql+psycopg://u@db/accord"),
        ("sqlite:///rel/accord.sqlite3", "sqlite:///rel/accord.sqlite3"),
    ],
)
def test_postgresql_urls_use_psycopg_3(given: str, expected: str) -> None:
    assert normalise_url(given) == expected
