"""Migrations: they build exactly the records' schema, and upgrading keeps the data."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from accord.persistence.db import make_engine
from accord.persistence.migrate import current_revision, head_revision, upgrade
from accord.persistence.records import Base


def test_an_empty_database_has_no_revision(empty_database_url: str) -> None:
    assert current_revision(empty_database_url) is None


def test_the_migrations_build_exactly_the_schema_of_the_records(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_upgrading_again_changes_nothing(database_url: str) -> None:
    upgrade(database_url)
    assert current_revision(database_url) == head_revision()


def test_a_database_from_the_first_revision_upgrades_with_its_data(
    empty_database_url: str,
) -> None:
    upgrade(empty_database_url, "0001")
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO items (pk, source, external_id) VALUES (1, 'servicenow', 'INC1')")
        )
        connection.execute(
            text(
                "INSERT INTO events (item_pk, at_ns, kind, value, dedupe_key) "
                "VALUES (1, 1772442000123456789, 3, 'new', 'id:e1')"
            )
        )
    assert "ix_events_at_ns" not in {i["name"] for i in inspect(engine).get_indexes("events")}
    engine.dispose()

    upgrade(empty_database_url)

    engine = make_engine(empty_database_url)
    assert current_revision(empty_database_url) == head_revision()
    assert head_revision() >= "0002"  # later revisions keep the index and the rows
    assert "ix_events_at_ns" in {i["name"] for i in inspect(engine).get_indexes("events")}
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT i.external_id, e.at_ns, e.value FROM events e "
                "JOIN items i ON i.pk = e.item_pk"
            )
        ).all()
    assert [tuple(row) for row in rows] == [("INC1", 1772442000123456789, "new")]
    engine.dispose()
