"""Workspaces: created without questions, found from any subfolder, overridable by environment."""

from __future__ import annotations

import shutil
import stat
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import text

from accord.errors import AccordError
from accord.persistence.migrate import current_revision, head_revision, upgrade
from accord.services.workspace import (
    check_schema,
    find_workspace,
    init_workspace,
    upgrade_database,
)
from accord.settings import Settings


def test_init_creates_the_file_and_a_sqlite_database_at_the_latest_schema(
    tmp_path: Path,
) -> None:
    outcome = init_workspace(tmp_path / "team", Settings())
    config = tmp_path / "team" / ".accord" / "workspace.toml"
    assert outcome.created
    assert (outcome.upgrade.before, outcome.upgrade.after) == (None, head_revision())
    assert (tmp_path / "team" / ".accord" / "accord.sqlite3").is_file()
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    assert data["database_url"] == "sqlite:///accord.sqlite3"
    assert len(data["secret_key"]) >= 40
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    workspace = outcome.workspace
    assert workspace.root == (tmp_path / "team").resolve()
    assert workspace.database_url == f"sqlite:///{tmp_path.resolve()}/team/.accord/accord.sqlite3"
    assert workspace.secret_key == data["secret_key"]
    check_schema(workspace)
    workspace.dispose()


def test_init_again_keeps_the_workspace_and_only_upgrades(tmp_path: Path) -> None:
    first = init_workspace(tmp_path, Settings())
    with first.workspace.session_factory()() as session, session.begin():
        session.execute(text("INSERT INTO items (source, external_id) VALUES ('jira', 'J-1')"))
    first.workspace.dispose()
    again = init_workspace(tmp_path, Settings())
    assert not again.created
    assert not again.upgrade.changed
    assert again.workspace.secret_key == first.workspace.secret_key
    with again.workspace.session_factory()() as session:
        assert session.execute(text("SELECT count(*) FROM items")).scalar_one() == 1
    again.workspace.dispose()


def test_init_on_a_workspace_at_an_old_revision_upgrades_it(tmp_path: Path) -> None:
    first = init_workspace(tmp_path, Settings()).workspace
    # A database written by an older accord: one at 0001 in place of this one.
    (tmp_path / ".accord" / "accord.sqlite3").unlink()
    upgrade(first.database_url, "0001")
    with pytest.raises(AccordError, match="run `accord db upgrade`"):
        check_schema(first)
    outcome = upgrade_database(first)
    assert (outcome.before, outcome.after) == ("0001", head_revision())
    check_schema(first)


def test_the_workspace_is_found_from_a_subfolder(tmp_path: Path) -> None:
    init_workspace(tmp_path, Settings()).workspace.dispose()
    deep = tmp_path / "agreements" / "sales"
    deep.mkdir(parents=True)
    workspace = find_workspace(deep, Settings())
    assert workspace.root == tmp_path.resolve()
    check_schema(workspace)


def test_no_workspace_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AccordError, match=r"no accord workspace here or above; run `accord init`"):
        find_workspace(tmp_path, Settings())


def test_the_environment_overrides_the_recorded_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init_workspace(tmp_path / "ws", Settings()).workspace.dispose()
    other = f"sqlite:///{tmp_path}/elsewhere.sqlite3"
    monkeypatch.setenv("ACCORD_DATABASE_URL", other)
    assert find_workspace(tmp_path / "ws").database_url == other
    # With the variable set, no workspace folder is needed at all.
    assert find_workspace(tmp_path).database_url == other


def test_a_moved_workspace_uses_its_own_database(tmp_path: Path) -> None:
    init_workspace(tmp_path / "old", Settings()).workspace.dispose()
    shutil.move(tmp_path / "old", tmp_path / "new")
    workspace = find_workspace(tmp_path / "new", Settings())
    assert workspace.database_url == f"sqlite:///{tmp_path.resolve()}/new/.accord/accord.sqlite3"
    check_schema(workspace)


def test_init_with_a_database_url_records_it_and_creates_no_sqlite_file(
    tmp_path: Path, empty_database_url: str
) -> None:
    outcome = init_workspace(tmp_path / "ws", Settings(database_url=empty_database_url))
    outcome.workspace.dispose()
    config = tmp_path / "ws" / ".accord" / "workspace.toml"
    assert tomllib.loads(config.read_text())["database_url"] == empty_database_url
    assert not (tmp_path / "ws" / ".accord" / "accord.sqlite3").exists()
    assert current_revision(empty_database_url) == head_revision()


def test_a_broken_workspace_file_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / ".accord").mkdir()
    (tmp_path / ".accord" / "workspace.toml").write_text("database_url = \n", encoding="utf-8")
    with pytest.raises(AccordError, match=r"workspace\.toml: not a readable workspace file"):
        find_workspace(tmp_path, Settings())
