"""The `accord` command end to end on files: validate, evaluate, demo, and their exit statuses."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.main import app
from accord.cli.render import period_label
from tests.ingest.samples import ISSUE_AGREEMENT, ISSUE_LOG, issue_setup, write

AGREEMENT = "it-service-desk-for-sales"
AT = "2026-04-01T00:00:00Z"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})


def invoke(runner: CliRunner, *args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(arg) for arg in args], catch_exceptions=False)
    return result.exit_code, result.output


def test_validate_prints_ok_for_each_valid_file(runner: CliRunner, tmp_path: Path) -> None:
    agreements, _ = issue_setup(tmp_path)
    code, output = invoke(runner, "agreements", "validate", agreements)
    assert code == 0
    assert output == f"ok  {agreements / 'service-desk.yaml'}\n"


def test_validate_prints_every_error_with_file_and_line_and_exits_1(
    runner: CliRunner, tmp_path: Path
) -> None:
    broken = ISSUE_AGREEMENT.read_text(encoding="utf-8")
    broken = broken.replace("P2: 1h,", "P5: 1h,").replace(
        "calendar: office\n", "calendar: ofice\n", 1
    )
    good = write(tmp_path / "good.yaml", ISSUE_AGREEMENT.read_text(encoding="utf-8"))
    bad = write(tmp_path / "bad.yaml", broken)

    code, output = invoke(runner, "agreements", "validate", good, bad)

    assert code == 1
    lines = output.splitlines()
    assert lines[0] == f"ok  {good}"
    assert lines[1:] == [
        f"{bad}:53: spec.targets[0].calendar: calendar 'ofice' is not defined; "
        "did you mean 'office'?",
        f"{bad}:54: spec.targets[0].goal.P5: no such priority in this agreement",
    ]


def test_evaluate_writes_the_exact_csvs_and_prints_the_table(
    runner: CliRunner, tmp_path: Path
) -> None:
    agreements, events = issue_setup(tmp_path)
    clocks, compliance = tmp_path / "out" / "clocks.csv", tmp_path / "compliance.csv"
    (tmp_path / "out").mkdir()

    code, output = invoke(
        runner, "evaluate", "--agreements", agreements, "--events", events, "--at", AT,
        "--clocks", clocks, "--compliance", compliance,
    )  # fmt: skip

    assert code == 0, output
    assert clocks.read_text().splitlines()[1:] == [
        f"INC1,{AGREEMENT},response,1,P2,2026-03-02T08:00:00Z,2026-03-02T08:40:00Z,"
        "3600,2400,0,2026-03-02T09:00:00Z,met,",
        f"INC1,{AGREEMENT},resolution,1,P2,2026-03-02T08:00:00Z,2026-03-04T08:30:00Z,"
        "28800,30600,28800,2026-03-03T16:00:00Z,breached,2026-03-03T16:00:00Z",
    ]
    rows = list(csv.DictReader(compliance.read_text().splitlines()))
    assert [(r["target_id"], r["period_start"], r["attainment"], r["result"]) for r in rows] == [
        ("response", "2026-01-01", "", "no data"),
        ("response", "2026-02-01", "", "no data"),
        ("response", "2026-03-01", "1", "met"),
        ("response", "2026-04-01", "", "no data"),
        ("resolution", "2026-01-01", "", "no data"),
        ("resolution", "2026-02-01", "", "no data"),
        ("resolution", "2026-03-01", "0", "missed"),
        ("resolution", "2026-04-01", "", "no data"),
    ]
    assert "Compliance as of 2026-04-01 00:00:00 UTC" in output
    assert "  response    2026-01        0    0         0           –        95%  no data" in output
    assert "              2026-03        1    1         0     100.00%        95%  met" in output
    assert "  resolution  2026-01        0    0         0           –        90%  no data" in output
    assert "              2026-03        1    0         1       0.00%        90%  missed" in output
    assert "1 item, 6 events (0 duplicates), 2 clocks, 0 skipped items, 0 rejected rows." in output
    assert f"wrote clocks (2 rows) to {clocks}" in output


def test_evaluate_reports_rejected_rows_evaluates_the_rest_and_exits_1(
    runner: CliRunner, tmp_path: Path
) -> None:
    agreements, _ = issue_setup(tmp_path)
    events = write(
        tmp_path / "events.csv",
        ISSUE_LOG + "INC1,2026-03-05T09:00:00+01:00,closd,\nINC2,soon,created,\n" + ISSUE_LOG[23:],
    )
    compliance = tmp_path / "compliance.csv"

    code, output = invoke(
        runner, "evaluate", "-a", agreements, "-e", events, "--at", AT, "--compliance", compliance
    )

    assert code == 1
    assert f"{events}:8: unknown event 'closd'; did you mean 'closed'?" in output
    assert f"{events}:9: unreadable time 'soon'" in output
    assert "1 item, 6 events (6 duplicates), 2 clocks, 0 skipped items, 2 rejected rows." in output
    assert ",2026-03-01,2026-04-01,1,0,1,0,0.9,missed" in compliance.read_text()


def test_evaluate_shows_the_first_20_rejected_rows_then_a_count(
    runner: CliRunner, tmp_path: Path
) -> None:
    agreements, _ = issue_setup(tmp_path)
    events = write(tmp_path / "events.csv", ISSUE_LOG + "INC9,x,created,\n" * 25)

    code, output = invoke(runner, "evaluate", "-a", agreements, "-e", events, "--at", AT)

    assert code == 1
    assert f"{events}:27: unreadable time 'x'" in output
    assert f"{events}:28:" not in output
    assert "... and 5 more rejected rows" in output


def test_evaluate_summarises_skipped_items_with_their_reason(
    runner: CliRunner, tmp_path: Path
) -> None:
    agreements, _ = issue_setup(tmp_path)
    events = write(tmp_path / "events.csv", ISSUE_LOG + "INC2,2026-03-02T09:00:00Z,created,\n")

    code, output = invoke(runner, "evaluate", "-a", agreements, "-e", events, "--at", AT)

    assert code == 0
    assert "2 items, 7 events (0 duplicates), 2 clocks, 1 skipped item (no priority" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "2026-04-01T00:00:00"], "naive timestamp '2026-04-01T00:00:00' has no offset"),
        (["--at", "April"], "unreadable time 'April'"),
        (["--at", AT, "--timezone", "Europe/Berln"], "did you mean 'Europe/Berlin'?"),
    ],
)
def test_evaluate_refuses_an_instant_it_cannot_place_with_exit_2(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    agreements, events = issue_setup(tmp_path)
    result = runner.invoke(app, ["evaluate", "-a", str(agreements), "-e", str(events), *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.replace("│", " ").split())


def test_evaluate_reads_naive_times_in_the_named_timezone(
    runner: CliRunner, tmp_path: Path
) -> None:
    agreements, _ = issue_setup(tmp_path)
    events = write(tmp_path / "events.csv", ISSUE_LOG.replace("+01:00", ""))
    clocks = tmp_path / "clocks.csv"

    code, output = invoke(
        runner, "evaluate", "-a", agreements, "-e", events, "--at", "2026-04-01T02:00:00",
        "--timezone", "Europe/Berlin", "--clocks", clocks,
    )  # fmt: skip

    assert code == 0, output
    assert "Compliance as of 2026-04-01 00:00:00 UTC" in output
    assert "2026-03-04T08:30:00Z,28800,30600" in clocks.read_text()


def test_evaluate_with_an_invalid_agreement_prints_the_issues_and_exits_1(
    runner: CliRunner, tmp_path: Path
) -> None:
    agreements, events = issue_setup(tmp_path)
    write(agreements / "broken.yaml", "apiVersion: accord/v1\nkind: Agreement\n")

    code, output = invoke(runner, "evaluate", "-a", agreements, "-e", events, "--at", AT)

    assert code == 1
    assert f"{agreements / 'broken.yaml'}:" in output
    assert "Compliance" not in output


@pytest.mark.parametrize(
    ("content", "message"),
    [("item_id,at,event\n", "missing column 'value'"), (None, "cannot open")],
)
def test_evaluate_with_an_unreadable_log_prints_why_and_exits_1(
    runner: CliRunner, tmp_path: Path, content: str | None, message: str
) -> None:
    agreements, _ = issue_setup(tmp_path)
    events = tmp_path / "other.csv"
    if content is not None:
        write(events, content)

    code, output = invoke(runner, "evaluate", "-a", agreements, "-e", events, "--at", AT)

    assert code == 1
    assert output.startswith(f"error: {events}: ")
    assert message in output


def test_an_output_that_cannot_be_written_is_an_error_not_a_traceback(
    runner: CliRunner, tmp_path: Path
) -> None:
    agreements, events = issue_setup(tmp_path)
    target = tmp_path / "missing-dir" / "clocks.csv"

    code, output = invoke(
        runner, "evaluate", "-a", agreements, "-e", events, "--at", AT, "--clocks", target
    )

    assert code == 1
    assert f"error: cannot write {target}: No such file or directory" in output


def test_demo_builds_a_workspace_evaluates_and_writes_the_files(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "demo"

    code, output = invoke(runner, "demo", "--out", out)

    assert code == 0, output
    assert output.count("ok  ") == 3
    assert "Compliance as of 2027-01-01 00:00:00 UTC" in output
    for name in ("events.csv", "clocks.csv", "compliance.csv", "report-2026-12.html"):
        assert (out / name).stat().st_size > 0
    assert (out / ".accord" / "accord.sqlite3").exists()  # a workspace, ready for `status`
    assert "applied it-service-desk-for-sales as version 1" in output
    rows = list(csv.DictReader((out / "compliance.csv").read_text().splitlines()))
    targets = {(r["agreement_id"], r["target_id"]) for r in rows}
    assert len(targets) == 12
    assert len(rows) == 10 * 12 + 2 * 4  # ten monthly targets, two quarterly ones, all of 2026
    assert {r["result"] for r in rows} == {"met", "missed"}
    assert ", 0 rejected" in output


def test_demo_is_reproducible(runner: CliRunner, tmp_path: Path) -> None:
    invoke(runner, "demo", "--out", tmp_path / "a")
    invoke(runner, "demo", "--out", tmp_path / "b")
    for name in ("events.csv", "compliance.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        ("2026-03-01", "2026-04-01", "2026-03"),
        ("2026-01-01", "2026-04-01", "2026-Q1"),
        ("2026-03-02", "2026-03-09", "2026-W10"),
        ("2026-03-15", "2026-04-01", "2026-03-15 – 2026-03-31"),
    ],
)
def test_periods_have_short_labels(start: str, end: str, label: str) -> None:
    from datetime import date

    assert period_label(date.fromisoformat(start), date.fromisoformat(end)) == label


def test_no_arguments_prints_help(runner: CliRunner) -> None:
    output = runner.invoke(app, []).output
    for command in ("agreements", "evaluate", "demo"):
        assert command in output
