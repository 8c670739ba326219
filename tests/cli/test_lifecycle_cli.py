"""`accord agreements state|submit|approve|activate|terminate|renew|review|due-reviews|check`
end to end on a SQLite workspace, acting as the operator or `--as USER`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.main import app
from accord.spec import example_agreements_dir

DESK = "it-service-desk-for-sales"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "USER": "root"})


def invoke(runner: CliRunner, *args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(arg) for arg in args], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner) -> Path:
    """Departments it and sales, Alice approving for IT, Sam for Sales, Bob a sales viewer,
    and the bundled desk agreement applied as a draft."""
    shutil.copy(example_agreements_dir() / f"{DESK}.yaml", tmp_path / "desk.yaml")
    monkeypatch.chdir(tmp_path)
    steps = [
        ("init",),
        ("departments", "add", "it"),
        ("departments", "add", "sales"),
        ("users", "add", "alice", "-d", "it", "-r", "approver", "--no-password"),
        ("users", "grant", "alice", "-d", "it", "-r", "editor"),
        ("users", "add", "sam", "-d", "sales", "-r", "approver", "--no-password"),
        ("users", "add", "bob", "-d", "sales", "-r", "viewer", "--no-password"),
        ("agreements", "apply", "desk.yaml"),
    ]
    for step in steps:
        code, output = invoke(runner, *step)
        assert code == 0, output
    return tmp_path


def test_an_applied_file_is_a_draft_that_both_parties_approve_into_force(
    runner: CliRunner, workspace: Path
) -> None:
    code, output = invoke(runner, "agreements", "state", DESK)
    assert code == 0
    assert output.splitlines()[:2] == [
        f"{DESK}: draft",
        "  latest version 1; in force: none",
    ]
    code, output = invoke(runner, "agreements", "approve", DESK, "--as", "alice")
    assert code == 0
    lines = output.splitlines()
    assert lines[0] == f"{DESK}: pending-approval (version 1 approved for it; awaiting sales)"
    assert lines[3] == "  awaiting approval by: sales"
    code, output = invoke(runner, "agreements", "approve", DESK, "--as", "sam")
    assert code == 0
    assert output.splitlines()[:2] == [
        f"{DESK}: active (version 1 approved by every party)",
        "  latest version 1; in force: version 1",
    ]
    code, output = invoke(runner, "agreements", "list")
    assert output.splitlines()[1].split()[:4] == [DESK, "1", "active", "1"]


def test_refusals_are_clear_and_exit_1(runner: CliRunner, workspace: Path) -> None:
    code, output = invoke(runner, "agreements", "approve", DESK, "--as", "bob")
    assert (code, output) == (
        1,
        f"error: agreement '{DESK}': approve needs the approver role in a party department\n",
    )
    code, output = invoke(runner, "agreements", "approve", DESK)  # the operator: an admin
    assert code == 1
    assert "approving needs the approver role in it or sales" in output
    code, output = invoke(runner, "agreements", "approve", DESK, "--as", "nobody")
    assert (code, output) == (1, "error: no user 'nobody'\n")
    invoke(runner, "agreements", "terminate", DESK, "--reason", "not needed", "--as", "alice")
    code, output = invoke(runner, "agreements", "submit", DESK, "--as", "alice")
    assert code == 1
    assert output.startswith(f"error: agreement '{DESK}' is terminated: cannot submit")


def test_apply_activate_puts_files_in_force_and_a_second_run_changes_nothing(
    runner: CliRunner, workspace: Path
) -> None:
    code, output = invoke(runner, "agreements", "apply", "desk.yaml", "--activate")
    assert (code, output) == (
        0,
        f"{DESK}: unchanged (version 1)\n{DESK}: version 1 in force\n",
    )
    code, output = invoke(runner, "agreements", "apply", "desk.yaml", "--activate")
    assert code == 0
    code, output = invoke(runner, "agreements", "state", DESK)
    assert output.splitlines()[0] == f"{DESK}: active (version 1 activated by an admin)"


def test_reviews_checks_and_renewal(runner: CliRunner, workspace: Path) -> None:
    invoke(runner, "agreements", "apply", "desk.yaml", "--activate")
    code, output = invoke(runner, "agreements", "due-reviews", "--within", "400", "--as", "bob")
    assert code == 0
    header, row = output.splitlines()
    assert header.split() == ["id", "due", "on", "state", "cadence", "last", "review", "why"]
    assert row.split()[0] == DESK
    code, output = invoke(runner, "agreements", "check", "--at", "2027-01-02T00:00:00Z")
    assert (code, output) == (0, f"{DESK}: expired: validity ended on 2026-12-31\n")
    code, output = invoke(runner, "agreements", "renew", DESK, "--as", "alice")
    assert code == 0
    assert output.splitlines()[:2] == [
        f"{DESK}: stored version 2 (renewal draft)",
        f"{DESK}: draft (version 2 stored)",
    ]
    code, output = invoke(
        runner, "agreements", "review", DESK, "--outcome", "continue", "--as", "alice"
    )
    assert code == 1
    assert "only an agreement in force" in output
    code, output = invoke(runner, "agreements", "reviews", DESK)
    assert (code, output) == (0, f"{DESK}: no reviews yet\n")
