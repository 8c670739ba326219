"""`accord users|departments|tokens` and `accord audit`, end to end on a SQLite workspace."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.main import app
from accord.services.tokens import verify_token
from accord.services.users import authenticate
from accord.services.workspace import find_workspace
from accord.spec import example_agreements_dir
from accord.timesource import SystemClock

PASSWORD = "correct horse battery staple"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "USER": "root"})


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner) -> Path:
    """A workspace with departments it and sales and the bundled agreements applied."""
    shutil.copytree(example_agreements_dir(), tmp_path / "agreements")
    monkeypatch.chdir(tmp_path)
    assert invoke(runner, "init")[0] == 0
    assert invoke(runner, "departments", "add", "it", "--title", "IT")[0] == 0
    assert invoke(runner, "departments", "add", "sales")[0] == 0
    assert invoke(runner, "agreements", "apply", "agreements")[0] == 0
    return tmp_path


def invoke(runner: CliRunner, *args: str | Path, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, [str(arg) for arg in args], input=input, catch_exceptions=False)
    return result.exit_code, result.output


def test_the_first_admin_is_made_with_a_prompted_password(
    runner: CliRunner, workspace: Path
) -> None:
    code, output = invoke(
        runner, "users", "add", "dana", "--admin", input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert code == 0
    assert PASSWORD not in output
    assert output.splitlines()[-1] == "added user dana (admin)"
    ws = find_workspace(workspace)
    with ws.session_factory()() as session:
        assert authenticate(session, "dana", PASSWORD).is_admin
    ws.dispose()


def test_a_mistyped_confirmation_is_asked_again(runner: CliRunner, workspace: Path) -> None:
    typed = f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n"
    code, output = invoke(runner, "users", "add", "dana", input=typed)
    assert code == 0
    assert "do not match" in output


def test_users_are_added_with_roles_and_listed(runner: CliRunner, workspace: Path) -> None:
    alice = ("users", "add", "alice", "-d", "it", "-r", "editor", "--password-stdin")
    code, output = invoke(runner, *alice, input=f"{PASSWORD}\n")
    assert (code, output) == (0, "added user alice\n  editor in it\n")
    assert invoke(runner, "users", "grant", "alice", "-d", "it", "-r", "approver") == (
        0,
        "alice: roles it:approver, it:editor\n",
    )
    bob = ("users", "add", "bob", "-d", "sales", "-r", "viewer", "--no-password")
    assert invoke(runner, *bob)[0] == 0
    code, output = invoke(runner, "users", "list")
    assert code == 0
    rows = [line.split() for line in output.splitlines()]
    assert rows[0][:4] == ["name", "admin", "roles", "password"]
    assert rows[1][:3] == ["alice", "it:approver,", "it:editor"]
    assert rows[2][:3] == ["bob", "sales:viewer", "no"]


def test_mistakes_exit_1_with_the_reason(runner: CliRunner, workspace: Path) -> None:
    assert invoke(runner, "users", "add", "bob", "--no-password")[0] == 0
    assert invoke(runner, "users", "add", "bob", "--no-password") == (
        1,
        "error: user 'bob' exists already\n",
    )
    code, output = invoke(runner, "users", "grant", "bob", "-d", "hr", "-r", "viewer")
    assert (code, output.splitlines()[0]) == (
        1,
        "error: no department 'hr'; `accord departments add hr` creates it",
    )
    code, output = invoke(runner, "users", "add", "eve", "--password-stdin", input="short\n")
    assert (code, output) == (1, "password: too short: use at least 10 characters\n")
    assert invoke(runner, "users", "grant", "bob", "-d", "sales")[0] == 2


def test_a_token_is_printed_once_and_works(runner: CliRunner, workspace: Path) -> None:
    assert invoke(runner, "users", "add", "bot", "--no-password")[0] == 0
    result = runner.invoke(
        app,
        ["tokens", "create", "--user", "bot", "--scope", "ingest", "--expires-in", "90d"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    plain = result.stdout.strip()
    assert re.fullmatch(r"acc_[A-Za-z0-9_-]{43}", plain)
    assert "shown only this once" in result.stderr
    ws = find_workspace(workspace)
    with ws.session_factory()() as session:
        assert verify_token(session, plain, now=SystemClock().now()).name == "bot"
    ws.dispose()

    code, output = invoke(runner, "tokens", "list")
    assert code == 0
    assert plain not in output
    assert output.splitlines()[1].split()[:4] == ["1", "bot", "ingest", "active"]
    assert invoke(runner, "tokens", "revoke", "1")[1].startswith("token 1 of bot: revoked at ")
    listed = invoke(runner, "tokens", "list", "--user", "bot")[1]
    assert listed.splitlines()[1].split()[3] == "revoked"
    assert invoke(runner, "tokens", "revoke", "7") == (1, "error: no token 7\n")


def test_a_bad_scope_or_lifetime_is_a_usage_error(runner: CliRunner, workspace: Path) -> None:
    assert invoke(runner, "users", "add", "bot", "--no-password")[0] == 0
    assert invoke(runner, "tokens", "create", "-u", "bot", "-s", "admin")[0] == 2
    forever = ("tokens", "create", "-u", "bot", "-s", "read", "--expires-in", "3y")
    assert invoke(runner, *forever)[0] == 2


def test_the_audit_log_shows_who_did_what(runner: CliRunner, workspace: Path) -> None:
    assert invoke(runner, "users", "add", "bob", "--no-password")[0] == 0
    code, output = invoke(runner, "audit", "--limit", "2")
    assert code == 0
    newest, before = (line.split("  ") for line in output.splitlines())
    assert newest[2:] == ["root", "user.added", "user bob", '{"is_admin": false}']
    assert before[2:4] == ["root", "agreement.applied"]
    code, output = invoke(runner, "audit", "--agreement", "it-service-desk-for-sales")
    assert code == 0
    assert [line.split("  ")[3] for line in output.splitlines()] == ["agreement.applied"]
    assert invoke(runner, "audit", "--agreement", "nope") == (1, "error: no agreement 'nope'\n")


def test_an_import_is_in_the_audit_log(runner: CliRunner, workspace: Path) -> None:
    (workspace / "log.csv").write_text(
        "case,time,activity\nA,2026-03-02T09:00:00Z,Open\n", encoding="utf-8"
    )
    (workspace / "acme.yaml").write_text(
        "apiVersion: accord/v1\nkind: Mapping\nmetadata: {name: acme}\n"
        "spec: {shape: events, item: case, at: time, state: activity}\n",
        encoding="utf-8",
    )
    assert invoke(runner, "items", "import", "log.csv", "--mapping", "acme.yaml")[0] == 0
    code, output = invoke(runner, "audit", "--limit", "1")
    assert code == 0
    entry = output.rstrip("\n").split("  ")
    assert entry[2:4] == ["root", "import.finished"]
    assert '"events_added": 2' in entry[5]
    assert '"file": "log.csv"' in entry[5]
