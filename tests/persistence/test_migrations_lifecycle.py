"""Migration 0004 (lifecycle): what was stored before approvals existed stays in force as it was
applied, each version an activation at its applied instant; down again drops the new tables."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from accord.persistence.db import make_engine
from accord.persistence.migrate import alembic_config, upgrade
from tests.persistence.test_migrations_access import tables

LIFECYCLE_TABLES = {"agreement_activations", "approvals", "reviews"}


def fill_0003(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO agreements (id, created_at) VALUES ('desk', '2026-03-02 09:00:00')")
        )
        for version, at, who in (
            (1, "2026-03-02 09:00:00", "alice"),
            (2, "2026-03-05 10:00:00", "bob"),
        ):
            connection.execute(
                text(
                    "INSERT INTO agreement_versions (agreement_id, version, content, "
                    "content_sha256, applied_at, applied_by) VALUES "
                    "('desk', :version, 'a: 1', 'ab', :at, :who)"
                ),
                {"version": version, "at": at, "who": who},
            )
    engine.dispose()


def test_upgrading_from_0003_puts_every_stored_version_in_force_as_it_was_applied(
    empty_database_url: str,
) -> None:
    upgrade(empty_database_url, "0003")
    fill_0003(empty_database_url)
    upgrade(empty_database_url, "0004")
    engine = make_engine(empty_database_url)
    with engine.connect() as connection:
        agreement = connection.execute(
            text("SELECT state, in_force_version, ended_at FROM agreements")
        ).one()
        activations = connection.execute(
            text("SELECT version, activated_by, via FROM agreement_activations ORDER BY version")
        ).all()
    engine.dispose()
    assert tuple(agreement) == ("active", 2, None)
    assert [tuple(a) for a in activations] == [(1, "alice", "migration"), (2, "bob", "migration")]
    assert tables(empty_database_url) >= LIFECYCLE_TABLES

    command.downgrade(alembic_config(empty_database_url), "0003")
    assert not tables(empty_database_url) & LIFECYCLE_TABLES
