"""Migration 0006 (proposals): 0005 -> 0006 keeps the data and adds the proposals table, whose
rows go with their agreement; and it goes back down cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from accord.persistence.db import make_engine
from accord.persistence.migrate import alembic_config, current_revision, upgrade
from tests.persistence.test_migrations_access import tables


def fill_0005(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO agreements (id, created_at) VALUES ('desk', '2026-03-02 09:00:00')")
        )
        connection.execute(
            text(
                "INSERT INTO agreement_versions (agreement_id, version, content, content_sha256,"
                " applied_at, applied_by) VALUES ('desk', 1, 'a: 1', 'ab', "
                "'2026-03-02 09:00:00', 'alice')"
            )
        )
    engine.dispose()


def stored(url: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT a.id, a.state, v.version, v.applied_by FROM agreements a "
                "JOIN agreement_versions v ON v.agreement_id = a.id"
            )
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def test_upgrading_from_0005_keeps_the_data_and_adds_proposals(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0005")
    fill_0005(empty_database_url)
    before = stored(empty_database_url)
    assert "proposals" not in tables(empty_database_url)

    upgrade(empty_database_url, "0006")

    assert current_revision(empty_database_url) == "0006"
    assert "proposals" in tables(empty_database_url)
    assert stored(empty_database_url) == before == [("desk", "draft", 1, "alice")]
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO proposals (agreement_id, base_version, target_id, change, comment,"
                " evidence, proposed_by, department, proposed_at, status) VALUES ('desk', 1,"
                " 'response', '{}', 'one day', '{}', 'sam', 'sales', '2026-03-03 09:00:00',"
                " 'open')"
            )
        )
        count = connection.execute(text("SELECT count(*) FROM proposals")).scalar_one()
    engine.dispose()
    assert count == 1


def test_downgrading_to_0005_drops_proposals_and_keeps_the_rest(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0005")
    fill_0005(empty_database_url)
    upgrade(empty_database_url, "0006")
    command.downgrade(alembic_config(empty_database_url), "0005")
    assert current_revision(empty_database_url) == "0005"
    assert "proposals" not in tables(empty_database_url)
    assert stored(empty_database_url) == [("desk", "draft", 1, "alice")]
