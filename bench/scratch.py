"""Scratch databases for benchmarks: a SQLite file in a temporary folder, or a PostgreSQL
database created on a server and dropped afterwards. Benchmarks only; tests have their own."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="accord-bench-") as folder:
        yield f"sqlite:///{folder}/accord.sqlite3"


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    """A scratch database on the server `server` points at, dropped afterwards."""
    url = make_url(server)
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"accord_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
