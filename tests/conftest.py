"""Shared database fixtures: every database test runs on SQLite, and on PostgreSQL when
ACCORD_TEST_DATABASE_URL names a server (CI sets it, so there the PostgreSQL cases run, never skip).

The migrations run once per database and session; each test's session joins an outer
transaction that is rolled back afterwards (SQLAlchemy, "Joining a Session into an External
Transaction").
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from accord.persistence.db import make_engine, normalise_url
from accord.persistence.migrate import upgrade

TEST_DATABASE_URL = "ACCORD_TEST_DATABASE_URL"

# The PostgreSQL case exists only when a server is named: a missing server is then an error.
DATABASES = ["sqlite", "postgresql"] if os.environ.get(TEST_DATABASE_URL) else ["sqlite"]


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """Create a uniquely named database on the server `server_url` points at; drop it after.

    `server_url` is any database URL on that server (e.g. `.../postgres`) whose user may create
    databases. Yields the new database's SQLAlchemy URL.
    """
    url = make_url(normalise_url(server_url))
    name = f"accord_test_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def empty_database(kind: str, folder: Path) -> Iterator[str]:
    """A new, empty database of `kind` (`sqlite` in `folder`, or `postgresql`); its URL."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'accord-{uuid.uuid4().hex[:8]}.sqlite3'}"
    else:
        with postgres_database(os.environ[TEST_DATABASE_URL]) as url:
            yield url


@pytest.fixture(autouse=True)
def _no_database_url_from_the_developer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests choose their databases themselves; a developer's ACCORD_DATABASE_URL is ignored."""
    monkeypatch.delenv("ACCORD_DATABASE_URL", raising=False)


@pytest.fixture(scope="session", params=DATABASES)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database of each kind for the whole run, migrated to the latest revision once."""
    with empty_database(request.param, tmp_path_factory.mktemp("db")) as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test, even what it commits."""
    with engine.connect() as connection:
        outer = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            outer.rollback()


@pytest.fixture(params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database of each kind for one test, not migrated (for migration and
    concurrency tests, which must commit)."""
    with empty_database(request.param, tmp_path) as url:
        yield url
