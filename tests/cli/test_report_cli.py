"""`accord status`, `accord items show` and `accord report`, end to end in a workspace.

Each runs on SQLite, and on PostgreSQL when ACCORD_TEST_DATABASE_URL names a server.
"""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli import report as report_cli
from accord.cli.main import app
from accord.reports.report_files import from_json
from accord.services.workspace import find_workspace
from accord.settings import Settings
from accord.timesource import FixedClock
from tests.services.samples import EVENTS, add_events, agreement_text

NOW = datetime(2026, 5, 20, 10, tzinfo=UTC)


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setattr(report_cli, "CLOCK", FixedClock(NOW))
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "USER": "alice"})


@pytest.fixture
def empty_workspace(
    empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> Path:
    """A new workspace on a fresh database of each kind; the cwd is inside it."""
    monkeypatch.setenv("ACCORD_DATABASE_URL", empty_database_url)
    monkeypatch.chdir(tmp_path)
    assert invoke(runner, "init")[0] == 0
    return tmp_path


@pytest.fixture
def workspace(empty_workspace: Path, runner: CliRunner) -> Path:
    """The hand-computed service desk of tests/services/samples.py, stored and committed."""
    folder = empty_workspace / "agreements"
    folder.mkdir()
    (folder / "desk.yaml").write_text(agreement_text(), encoding="utf-8")
    assert invoke(runner, "agreements", "apply", folder, "--activate")[0] == 0
    stored = find_workspace(empty_workspace, Settings())
    try:
        with stored.session_factory()() as session, session.begin():
            add_events(session, EVENTS)
    finally:
        stored.dispose()
    return empty_workspace


def invoke(runner: CliRunner, *args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(arg) for arg in args], catch_exceptions=False)
    return result.exit_code, result.output


def test_status_shows_attainment_so_far_and_the_items_that_need_attention(
    runner: CliRunner, workspace: Path
) -> None:
    code, output = invoke(runner, "status", "--at", "2026-03-31T15:00:00+02:00")

    assert code == 0
    assert "Status as of 2026-03-31 13:00:00 UTC: 8 items, 28 events." in output
    assert re.search(r"response\s+2026-03\s+83\.33%\s+90%\s+missed\s+0\s+0\s+1", output)
    assert re.search(r"resolution\s+2026-03\s+50%\s+80%\s+missed\s+3\s+1\s+2", output)
    assert "resolution: breached C, D" in output
    assert "resolution: at risk E" in output
    assert "1 item could not be measured" in output


def test_status_takes_now_from_the_clock(runner: CliRunner, workspace: Path) -> None:
    code, output = invoke(runner, "status")

    assert code == 0
    assert "Status as of 2026-05-20 10:00:00 UTC" in output
    assert re.search(r"response\s+2026-05\s+no data", output)


def test_items_show_explains_why_a_clock_breached(runner: CliRunner, workspace: Path) -> None:
    code, output = invoke(runner, "items", "show", "C", "--at", "2026-04-01T00:00:00Z")

    assert code == 0
    lines = output.splitlines()
    assert lines[0] == "Item C as of 2026-04-01 00:00:00 UTC"
    assert "  2026-03-04T08:00:00Z  priority P1" in lines
    assert "desk v1 · resolution (resolution, office calendar)" in lines
    assert "    2026-03-04T08:00:00Z  started: priority P1, goal 4h" in lines
    assert "    2026-03-04T12:00:00Z  breached: elapsed reached the goal 4h" in lines
    assert "    2026-03-04T14:00:00Z  stopped (resolved): elapsed 6h of goal 4h" in lines
    assert (
        "    → breached at 2026-03-04T12:00:00Z because elapsed reached the goal "
        "(elapsed 6h of goal 4h)" in lines
    )


def test_items_show_says_when_an_item_is_paused_or_unknown(
    runner: CliRunner, workspace: Path
) -> None:
    code, output = invoke(runner, "items", "show", "F", "--at", "2026-03-31T14:00:00Z")
    assert code == 0
    assert "    2026-03-31T11:30:00Z  paused (awaiting customer) at elapsed 30m" in output
    assert "    → paused: elapsed 30m of goal 4h; due once the pause ends" in output

    code, output = invoke(runner, "items", "show", "NOPE")
    assert code == 1
    assert output.startswith("error: no item 'NOPE'")


@pytest.mark.parametrize("fmt", ["html", "csv", "json"])
def test_report_writes_each_format(runner: CliRunner, workspace: Path, fmt: str) -> None:
    out = workspace / f"march.{fmt}"

    code, output = invoke(runner, "report", "--period", "2026-03", "--out", out)

    assert code == 0
    assert output == (
        f"wrote the {fmt} report of 2026-03 (1 agreement, as of 2026-03-31 22:00:00 UTC) to {out}\n"
    )
    text = out.read_text(encoding="utf-8")
    if fmt == "html":
        assert "<svg" in text
        assert not re.search(r"https?://", text)
    elif fmt == "csv":
        rows = list(csv.DictReader(text.splitlines()))
        assert [(r["target_id"], r["row"], r["attainment"]) for r in rows[:1]] == [
            ("response", "period", "0.8333")
        ]
    else:
        report = from_json(text)
        assert report.agreements[0].targets[1].breach_count == 2


def test_report_as_of_an_instant_and_for_one_agreement(runner: CliRunner, workspace: Path) -> None:
    out = workspace / "r.json"
    code, _ = invoke(
        runner, "report", "--period", "2026-03", "--format", "json", "--out", out,
        "--agreement", "desk", "--at", "2026-04-02T00:00:00Z",
    )  # fmt: skip
    assert code == 0
    assert from_json(out.read_text(encoding="utf-8")).agreements[0].targets[1].breach_count == 3

    code, output = invoke(runner, "report", "--period", "2026-03", "--agreement", "nope")
    assert code == 1
    assert output.startswith("error: no agreement 'nope'")


def test_with_no_agreement_the_report_exits_0_and_says_so(
    runner: CliRunner, empty_workspace: Path
) -> None:
    code, output = invoke(runner, "report", "--period", "2026-03")

    assert code == 0
    assert output.splitlines()[0] == (
        "No agreement has been applied yet: only ticket volume and MTTR are shown."
    )
    text = (empty_workspace / "accord-report-2026-03.html").read_text(encoding="utf-8")
    assert "All items in the workspace" in text


def test_a_month_that_is_not_yyyy_mm_is_a_usage_error(
    runner: CliRunner, empty_workspace: Path
) -> None:
    result = runner.invoke(app, ["report", "--period", "March"])
    assert result.exit_code == 2
    assert "YYYY-MM" in result.output
