"""`accord agreements simulate|propose|counter|accept|reject|proposals` end to end on SQLite,
over the hand-computed history of tests/services/hand_history.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.main import app
from accord.domain.access import Grant, Role
from accord.services import users
from accord.services.workspace import find_workspace
from accord.settings import Settings
from tests.cli.test_workspace_cli import invoke
from tests.services.hand_history import AGREEMENT_ID, NOW, store_history
from tests.services.personas import OPERATOR

AT = "2026-04-15T00:00:00Z"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "USER": "root"})


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner) -> Path:
    """A workspace with the `requests` agreement, its history, Alice (IT), Sam and Bob (Sales)."""
    monkeypatch.chdir(tmp_path)
    assert invoke(runner, "init")[0] == 0
    found = find_workspace(tmp_path, Settings())
    try:
        with found.session_factory()() as session, session.begin():
            store_history(session)
            for name in ("it", "sales"):
                users.add_department(session, OPERATOR, name, now=NOW)
            people = {
                "alice": [Grant("it", Role.EDITOR)],
                "sam": [Grant("sales", Role.EDITOR)],
                "bob": [Grant("sales", Role.VIEWER)],
            }
            for name, grants in people.items():
                users.add_user(session, OPERATOR, name, None, grants=grants, now=NOW)
    finally:
        found.dispose()
    return tmp_path


def test_simulate_prints_the_months_the_pooled_figures_and_the_evidence(
    runner: CliRunner, workspace: Path
) -> None:
    code, output = invoke(
        runner, "agreements", "simulate", AGREEMENT_ID, "--target", "resolution",
        "--goal", "5wd", "--at", AT,
    )  # fmt: skip
    assert code == 0, output
    lines = [" ".join(text.split()) for text in output.splitlines()]
    assert lines[0] == "requests version 1, target 'resolution' (resolution): goal 5wd"
    assert "2026-01 5/5 100% met 4/5 80% missed" in lines
    assert "2026-03 5/6 83.3% missed 4/5 80% missed" in lines
    assert "pooled 15/16 93.7% met 13/16 81.2% missed" in lines
    assert "P2 6/7 85.7% missed 5/7 71.4% missed" in lines
    assert lines[-1] == (
        "with 5wd, 81.2% of the last 3 months' requests would have met it (objective 90%: "
        "missed); with 10wd (now), 93.7% (objective 90%: met)"
    )


def test_simulate_suggests_the_goal_history_supports(runner: CliRunner, workspace: Path) -> None:
    code, output = invoke(
        runner, "agreements", "simulate", AGREEMENT_ID, "-t", "resolution", "--suggest",
        "--objective", "80%", "--at", AT,
    )  # fmt: skip
    assert code == 0, output
    assert output.splitlines() == [
        "goals that reach 80% over 2026-01, 2026-02, 2026-03 (7 evaluations):",
        "  P1: 3wd (88.8%; now 10wd)",
        "  P2: 7wd (85.7%; now 10wd)",
    ]


def test_sales_asks_it_counters_sales_accepts(runner: CliRunner, workspace: Path) -> None:
    code, output = invoke(
        runner, "agreements", "propose", AGREEMENT_ID, "-t", "resolution", "--goal", "1wd",
        "--comment", "One day, please.", "--as", "sam", "--at", AT,
    )  # fmt: skip
    assert code == 0, output
    assert output.splitlines()[0] == (
        "proposal 1 opened for sales: goal 1wd for 'resolution' of requests"
    )
    assert output.splitlines()[1].startswith("evidence: with 1wd, 41.1% of the last 3 months'")

    code, output = invoke(runner, "agreements", "accept", "1", "--as", "sam")
    assert code == 1
    assert "only an editor or approver of it, the other party, may accept it" in output

    code, output = invoke(
        runner, "agreements", "counter", "1", "--goal", "5wd", "-m", "A week.", "--as", "alice",
        "--at", AT,
    )  # fmt: skip
    assert code == 0, output
    assert output.splitlines()[:2] == [
        "proposal 1 countered",
        "proposal 2 opened for it: goal 5wd for 'resolution' of requests",
    ]
    code, output = invoke(runner, "agreements", "accept", "2", "--as", "sam", "-m", "Agreed.")
    assert code == 0, output
    assert output == ("proposal 2 accepted: requests version 2 has goal 5wd for 'resolution'\n")
    code, output = invoke(runner, "agreements", "proposals", AGREEMENT_ID, "--as", "bob")
    assert code == 0, output
    rows = [" ".join(text.split()) for text in output.splitlines()]
    assert any(r.startswith("1 resolution goal 1wd sam sales") and "countered" in r for r in rows)
    assert any("accepted sam (version 2): Agreed." in r for r in rows)
    code, output = invoke(runner, "agreements", "diff", AGREEMENT_ID, "1", "2")
    assert "+      goal: {P1: 5wd, P2: 5wd}     # two weeks of working days" in output


def test_bob_may_simulate_but_not_propose(runner: CliRunner, workspace: Path) -> None:
    code, _ = invoke(
        runner, "agreements", "simulate", AGREEMENT_ID, "-t", "resolution", "-g", "P1=2wd",
        "--as", "bob", "--at", AT,
    )  # fmt: skip
    assert code == 0
    code, output = invoke(
        runner, "agreements", "propose", AGREEMENT_ID, "-t", "resolution", "-g", "1wd",
        "-m", "x", "--as", "bob",
    )  # fmt: skip
    assert code == 1
    assert output.startswith("error: agreement 'requests': proposing needs the editor")


def test_a_bad_goal_is_a_usage_error(runner: CliRunner, workspace: Path) -> None:
    result = runner.invoke(
        app, ["agreements", "simulate", AGREEMENT_ID, "-t", "resolution", "-g", "soon"]
    )
    assert result.exit_code == 2
    assert "is not a duration" in result.output
