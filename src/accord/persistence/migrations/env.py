"""Alembic environment: runs accord's migrations on a connection or URL handed over in code.

`accord.persistence.migrate` builds the Config (no alembic.ini); nothing here reads files or
the environment. Online mode only: migrations run against a live database.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.pool import NullPool

from accord.persistence.db import make_engine
from accord.persistence.records import Base

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite alters tables by copying them; PostgreSQL alters in place.
        render_as_batch=connection.dialect.name == "sqlite",
        # make_engine gives SQLite real transactions, so a failed migration leaves no trace.
        transactional_ddl=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("url")
    if not url:
        raise RuntimeError("accord migrations need a database URL (see accord.persistence.migrate)")
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("accord migrations run online only: use `accord db upgrade`")
run_migrations_online()
