"""`accord items import`, end to end on a SQLite workspace: summary, rejected rows, exit status."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.main import app

LOG = """\
case,time,activity
A,2026-03-02T09:00:00Z,Open
B,2026-03-02T09:05:00Z,Open
"""

MAPPING = """\
apiVersion: accord/v1
kind: Mapping
metadata: {name: acme}
spec: {shape: events, item: case, at: time, state: activity}
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner) -> Path:
    monkeypatch.chdir(tmp_path)
    assert invoke(runner, "init")[0] == 0
    (tmp_path / "log.csv").write_text(LOG, encoding="utf-8")
    (tmp_path / "acme.yaml").write_text(MAPPING, encoding="utf-8")
    return tmp_path


def invoke(runner: CliRunner, *args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(arg) for arg in args], catch_exceptions=False)
    return result.exit_code, result.output


def test_an_import_prints_its_summary_and_exits_0(runner: CliRunner, workspace: Path) -> None:
    code, output = invoke(runner, "items", "import", "log.csv", "--mapping", "acme.yaml")

    assert code == 0
    assert output.splitlines() == [
        "log.csv as acme: 2 rows read, 4 events added, 0 duplicates already stored, 0 rows rejected"
    ]


def test_importing_again_adds_nothing(runner: CliRunner, workspace: Path) -> None:
    invoke(runner, "items", "import", "log.csv", "--mapping", "acme.yaml")

    code, output = invoke(runner, "items", "import", "log.csv", "-m", "acme.yaml", "-s", "acme")

    assert code == 0
    assert "0 events added, 2 duplicates already stored" in output


def test_rejected_rows_are_listed_with_file_and_line_and_exit_1(
    runner: CliRunner, workspace: Path
) -> None:
    (workspace / "log.csv").write_text(LOG + ",2026-03-02T09:10:00Z,Open\n", encoding="utf-8")

    code, output = invoke(runner, "items", "import", "log.csv", "--mapping", "acme.yaml")

    assert code == 1
    assert output.splitlines()[1:] == ["log.csv:4: no item id (column case)"]


def test_naive_times_without_timezone_are_refused_with_advice(
    runner: CliRunner, workspace: Path
) -> None:
    (workspace / "log.csv").write_text(LOG.replace("Z,", ","), encoding="utf-8")

    code, output = invoke(runner, "items", "import", "log.csv", "--mapping", "acme.yaml")

    assert code == 1
    assert output.startswith("error: column time: naive timestamp '2026-03-02T09:00:00'")
    assert "pass --timezone" in output


def test_a_source_is_required_without_a_mapping(runner: CliRunner, workspace: Path) -> None:
    assert invoke(runner, "items", "import", "log.csv")[0] == 2
    assert invoke(runner, "items", "import", "log.csv", "--source", "acme")[0] == 2


def test_a_bad_mapping_prints_file_line_and_field(runner: CliRunner, workspace: Path) -> None:
    (workspace / "acme.yaml").write_text(MAPPING.replace("item:", "itme:"), encoding="utf-8")

    code, output = invoke(runner, "items", "import", "log.csv", "--mapping", "acme.yaml")

    assert code == 1
    assert "acme.yaml:4: spec.itme: unknown key; did you mean 'item'?" in output


def test_without_a_workspace_the_import_says_to_init(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "log.csv").write_text(LOG, encoding="utf-8")

    code, output = invoke(runner, "items", "import", "log.csv", "--source", "events")

    assert code == 1
    assert "accord init" in output
