"""`accord init`, `accord db upgrade` and the stored-agreement commands, end to end on SQLite."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.main import app
from accord.persistence.migrate import head_revision
from accord.spec import example_agreements_dir

DESK = "it-service-desk-for-sales"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "USER": "alice"})


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner) -> Path:
    """An initialised workspace holding a copy of the bundled agreements; the cwd is inside."""
    shutil.copytree(example_agreements_dir(), tmp_path / "agreements")
    monkeypatch.chdir(tmp_path)
    assert invoke(runner, "init")[0] == 0
    return tmp_path


def invoke(runner: CliRunner, *args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(arg) for arg in args], catch_exceptions=False)
    return result.exit_code, result.output


def test_init_creates_a_workspace_and_says_where(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = invoke(runner, "init", "team")
    root = (tmp_path / "team").resolve()
    assert code == 0
    assert output.splitlines() == [
        f"created workspace {root}",
        f"database sqlite:///{root}/.accord/accord.sqlite3",
        f"schema upgraded from empty to {head_revision()}",
        "next: accord agreements apply DIR",
    ]
    code, output = invoke(runner, "init", "team")
    assert code == 0
    assert output.splitlines()[0] == f"workspace exists: {root}"
    assert output.splitlines()[2] == f"schema already at the latest revision ({head_revision()})"


def test_db_upgrade_on_a_current_database_says_so(runner: CliRunner, workspace: Path) -> None:
    code, output = invoke(runner, "db", "upgrade")
    assert code == 0
    assert output.endswith(f"schema already at the latest revision ({head_revision()})\n")


def test_commands_outside_a_workspace_exit_1_with_advice(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for args in (["agreements", "list"], ["db", "upgrade"]):
        code, output = invoke(runner, *args)
        assert code == 1
        assert output == "error: no accord workspace here or above; run `accord init`\n"


def test_apply_then_apply_again_changes_nothing(runner: CliRunner, workspace: Path) -> None:
    code, output = invoke(runner, "agreements", "apply", "agreements")
    assert code == 0
    assert output.splitlines() == [
        "it-service-desk-for-sales: stored version 1",
        "leads-marketing-to-sales: stored version 1",
        "web-hosting-for-marketing: stored version 1",
    ]
    code, output = invoke(runner, "agreements", "apply", "agreements")
    assert code == 0
    assert f"{DESK}: unchanged (version 1)" in output.splitlines()


def test_a_changed_file_shows_in_list_history_and_diff(runner: CliRunner, workspace: Path) -> None:
    desk = workspace / "agreements" / f"{DESK}.yaml"
    invoke(runner, "agreements", "apply", desk)
    desk.write_text(desk.read_text().replace("objective: 95%", "objective: 96%"))
    code, output = invoke(runner, "agreements", "apply", desk, "--actor", "bob")
    assert (code, output) == (0, f"{DESK}: stored version 2\n")

    code, output = invoke(runner, "agreements", "list")
    assert code == 0
    header, row = output.splitlines()
    assert header.split() == [
        "id",
        "version",
        "state",
        "in",
        "force",
        "title",
        "applied",
        "at",
        "(UTC)",
        "by",
    ]
    assert row.split()[:3] == [DESK, "2", "draft"]  # never activated: no version in force
    assert row.split()[-1] == "bob"

    code, output = invoke(runner, "agreements", "history", DESK)
    assert code == 0
    lines = output.splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["1", "2"]
    assert [line.split()[3] for line in lines[1:]] == ["alice", "bob"]
    assert str(desk.resolve()) in lines[2]

    code, output = invoke(runner, "agreements", "diff", DESK, "1", "2")
    assert code == 0
    assert output.startswith(f"--- {DESK} v1\n+++ {DESK} v2\n")
    assert "\n-      objective: 95%" in output
    assert "\n+      objective: 96%" in output


def test_apply_refuses_an_invalid_file_with_its_line(runner: CliRunner, workspace: Path) -> None:
    desk = workspace / "agreements" / f"{DESK}.yaml"
    desk.write_text(desk.read_text().replace("P2: 1h,", "P5: 1h,"))
    code, output = invoke(runner, "agreements", "apply", "agreements")
    assert code == 1
    assert output.startswith(f"agreements/{DESK}.yaml:")
    assert "P5" in output
    assert invoke(runner, "agreements", "list")[1].startswith("no agreements stored yet")


def test_history_of_an_unknown_agreement_exits_1(runner: CliRunner, workspace: Path) -> None:
    code, output = invoke(runner, "agreements", "history", "nope")
    assert code == 1
    assert output.startswith("error: no agreement 'nope' is stored")
