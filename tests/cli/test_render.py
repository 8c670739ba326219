"""Terminal rendering: percentages, the compliance table, progress bars for large inputs."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from accord.cli import main, render
from accord.services.evaluation import ComplianceRow
from tests.ingest.samples import issue_setup


@pytest.mark.parametrize(
    ("value", "fixed", "text"),
    [
        (Decimal("0.95"), False, "95%"),
        (Decimal("0.955"), False, "95.5%"),
        (Decimal("0.999999"), False, "99.99%"),  # cut: never shows 100% for a miss
        (Decimal("1"), True, "100.00%"),
        (Decimal("0.9"), True, "90.00%"),
        (None, True, "–"),
    ],
)
def test_fractions_show_as_percentages_cut_to_two_decimals(
    value: Decimal | None, fixed: bool, text: str
) -> None:
    assert render.percent(value, fixed=fixed) == text


def test_compliance_shows_one_table_per_agreement_naming_each_target_once() -> None:
    def row(agreement: str, target: str, month: int, result: str) -> ComplianceRow:
        attainment = None if result == "no data" else Decimal("0.5")
        return ComplianceRow(
            agreement, target, date(2026, month, 1), date(2026, month + 1, 1),
            2, 1, 1, attainment, Decimal("0.9"), result,
        )  # fmt: skip

    rows = [
        row("acme-x", "t1", 1, "missed"),
        row("acme-x", "t1", 2, "no data"),
        row("acme-x", "t2", 1, "missed"),
        row("beta-y", "t1", 1, "missed"),
    ]
    tables = render.compliance_tables(rows)

    assert [table.title for table in tables] == ["acme-x", "beta-y"]
    console = Console(file=io.StringIO(), width=80)
    console.print(tables[0])
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert text.count("t1") == 1
    assert text.count("t2") == 1
    for shown in ("2026-02", "no data", "50.00%", "90%"):
        assert shown in text


def test_progress_bars_show_reading_and_evaluating_on_a_terminal() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    bars = render.RunProgress(console, enabled=True, read_total=1000)
    with bars.running():
        on_read, on_evaluate = bars.on_read, bars.on_evaluate
        assert on_read is not None
        assert on_evaluate is not None
        on_read(500)
        on_evaluate(1, 4)
    assert "Reading events" in out.getvalue()
    assert "Evaluating" in out.getvalue()


def test_disabled_progress_bars_give_no_callbacks() -> None:
    bars = render.RunProgress(Console(file=io.StringIO()), enabled=False, read_total=10)
    with bars.running():
        assert bars.on_read is None
        assert bars.on_evaluate is None


def test_a_large_log_is_evaluated_with_progress_bars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    agreements, events = issue_setup(tmp_path)
    monkeypatch.setattr(main, "LARGE_LOG_BYTES", 0)
    runner = CliRunner(env={"COLUMNS": "200"})

    result = runner.invoke(
        main.app,
        ["evaluate", "-a", str(agreements), "-e", str(events), "--at", "2026-04-01T00:00Z"],
    )

    assert result.exit_code == 0, result.output
    assert "1 item, 6 events" in result.output
