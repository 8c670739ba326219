"""Migration 0005 (the service catalog): 0004 -> 0005 keeps the data, adds the services table,
and goes back down cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from accord.persistence.db import make_engine
from accord.persistence.migrate import alembic_config, current_revision, upgrade
from tests.persistence.test_migrations_access import fill_0002, stored, tables

SERVICE_ROW = (
    "INSERT INTO services (id, title, type, owner, content, content_sha256, updated_at,"
    " updated_by) VALUES ('network', 'Network', 'infrastructure', 'it', 'kind: Service', 'ab',"
    " '2026-04-20 09:00:00', 'alice')"
)


def test_upgrading_from_0004_keeps_the_data_and_adds_the_catalog(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0002")
    fill_0002(empty_database_url)
    upgrade(empty_database_url, "0004")
    assert "services" not in tables(empty_database_url)

    upgrade(empty_database_url, "0005")

    assert current_revision(empty_database_url) == "0005"
    assert stored(empty_database_url) == [("desk", 1, "alice", "INC1", 1772442000123456789)]
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(SERVICE_ROW))
            owners = connection.execute(text("SELECT id, owner FROM services")).all()
        indexes = {i["name"] for i in inspect(engine).get_indexes("services")}
    finally:
        engine.dispose()
    assert [tuple(row) for row in owners] == [("network", "it")]
    assert "ix_services_owner" in indexes


def test_downgrading_0005_drops_only_the_catalog(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0002")
    fill_0002(empty_database_url)
    upgrade(empty_database_url, "0005")

    command.downgrade(alembic_config(empty_database_url), "0004")

    assert current_revision(empty_database_url) == "0004"
    assert "services" not in tables(empty_database_url)
    assert stored(empty_database_url) == [("desk", 1, "alice", "INC1", 1772442000123456789)]
