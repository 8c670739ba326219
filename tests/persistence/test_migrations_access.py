"""Migration 0003 (access and audit): 0002 -> 0003 keeps the data, makes a session secret per
database, and goes back down cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from accord.persistence.db import make_engine
from accord.persistence.migrate import alembic_config, current_revision, upgrade

ACCESS_TABLES = {"secrets", "departments", "users", "memberships", "api_tokens", "audit_log"}


def fill_0002(url: str) -> None:
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
        connection.execute(
            text("INSERT INTO items (pk, source, external_id) VALUES (1, 'servicenow', 'INC1')")
        )
        connection.execute(
            text(
                "INSERT INTO events (item_pk, at_ns, kind, value, dedupe_key) "
                "VALUES (1, 1772442000123456789, 3, 'new', 'id:e1')"
            )
        )
    engine.dispose()


def stored(url: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT v.agreement_id, v.version, v.applied_by, i.external_id, e.at_ns "
                "FROM agreement_versions v, events e JOIN items i ON i.pk = e.item_pk"
            )
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


def session_secret(url: str) -> str:
    engine = make_engine(url)
    with engine.connect() as connection:
        secret = connection.execute(text("SELECT value FROM secrets WHERE name = 'session'"))
        value = str(secret.scalar_one())
    engine.dispose()
    return value


def test_upgrading_from_0002_keeps_the_data_and_adds_access_and_audit(
    empty_database_url: str,
) -> None:
    upgrade(empty_database_url, "0002")
    fill_0002(empty_database_url)
    assert not tables(empty_database_url) & ACCESS_TABLES

    upgrade(empty_database_url, "0003")

    assert current_revision(empty_database_url) == "0003"
    assert tables(empty_database_url) >= ACCESS_TABLES
    assert stored(empty_database_url) == [("desk", 1, "alice", "INC1", 1772442000123456789)]
    assert len(session_secret(empty_database_url)) >= 40


def test_each_database_gets_its_own_session_secret_once(
    empty_database_url: str, database_url: str
) -> None:
    upgrade(empty_database_url)
    secret = session_secret(empty_database_url)
    upgrade(empty_database_url)
    assert session_secret(empty_database_url) == secret
    assert session_secret(database_url) != secret


def test_downgrading_to_0002_drops_access_and_keeps_the_rest(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0002")
    fill_0002(empty_database_url)
    upgrade(empty_database_url, "0003")
    command.downgrade(alembic_config(empty_database_url), "0002")
    assert current_revision(empty_database_url) == "0002"
    assert not tables(empty_database_url) & ACCESS_TABLES
    assert stored(empty_database_url) == [("desk", 1, "alice", "INC1", 1772442000123456789)]
