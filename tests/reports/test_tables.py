"""CSV outputs: exact columns and values for the issue's example, and the formatting rules."""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from accord.domain.clocks import STATUS_CODES, ClockStatus
from accord.engine.clocks import ClockArrays
from accord.engine.events import NAT
from accord.ingest.eventlog import read_event_log
from accord.reports.tables import (
    CLOCK_COLUMNS,
    COMPLIANCE_COLUMNS,
    format_fraction,
    format_seconds,
    write_clocks_csv,
    write_compliance_csv,
)
from accord.services.evaluation import (
    ComplianceRow,
    EvaluationResult,
    TargetClocks,
    evaluate,
)
from accord.spec import load_agreement_file
from tests.ingest.samples import ISSUE_AGREEMENT, ISSUE_LOG, write

AGREEMENT = "it-service-desk-for-sales"
HOUR = 3600 * 10**9


def evaluated(tmp_path: Path, as_of: str) -> EvaluationResult:
    table = read_event_log(write(tmp_path / "events.csv", ISSUE_LOG)).table
    at = datetime.fromisoformat(as_of)
    return evaluate([load_agreement_file(ISSUE_AGREEMENT)], table, at)


def csv_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_the_issue_example_gives_these_clock_rows(tmp_path: Path) -> None:
    # Response: 09:00 -> 09:40 Berlin is 40 business minutes of a 1h goal: met.
    # Resolution: Mon 09:00-11:00 (2h), paused Mon 11:00 -> Tue 11:00 (8 business hours,
    # excluded), Tue 11:00-17:00 (6h) reaches the 8h goal at Tue 17:00 Berlin = 16:00Z, which is
    # due_at and breached_at; Wed 09:00-09:30 adds 0.5h, so elapsed is 8.5h = 30600 s.
    result = evaluated(tmp_path, "2026-04-01T00:00:00+00:00")
    write_clocks_csv(result, tmp_path / "clocks.csv")

    assert csv_lines(tmp_path / "clocks.csv") == [
        ",".join(CLOCK_COLUMNS),
        f"INC1,{AGREEMENT},response,1,P2,2026-03-02T08:00:00Z,2026-03-02T08:40:00Z,"
        "3600,2400,0,2026-03-02T09:00:00Z,met,",
        f"INC1,{AGREEMENT},resolution,1,P2,2026-03-02T08:00:00Z,2026-03-04T08:30:00Z,"
        "28800,30600,28800,2026-03-03T16:00:00Z,breached,2026-03-03T16:00:00Z",
    ]


def test_the_issue_example_gives_these_compliance_rows(tmp_path: Path) -> None:
    result = evaluated(tmp_path, "2026-04-01T00:00:00+00:00")
    write_compliance_csv(result, tmp_path / "compliance.csv")

    # April has begun in Berlin at 2026-03-31T22:00Z, so it is listed, with no data.
    assert csv_lines(tmp_path / "compliance.csv") == [
        "agreement_id,target_id,period_start,period_end,counted,met,breached,attainment,"
        "objective,result",
        f"{AGREEMENT},response,2026-01-01,2026-02-01,0,0,0,,0.95,no data",
        f"{AGREEMENT},response,2026-02-01,2026-03-01,0,0,0,,0.95,no data",
        f"{AGREEMENT},response,2026-03-01,2026-04-01,1,1,0,1,0.95,met",
        f"{AGREEMENT},response,2026-04-01,2026-05-01,0,0,0,,0.95,no data",
        f"{AGREEMENT},resolution,2026-01-01,2026-02-01,0,0,0,,0.9,no data",
        f"{AGREEMENT},resolution,2026-02-01,2026-03-01,0,0,0,,0.9,no data",
        f"{AGREEMENT},resolution,2026-03-01,2026-04-01,1,0,1,0,0.9,missed",
        f"{AGREEMENT},resolution,2026-04-01,2026-05-01,0,0,0,,0.9,no data",
    ]


def test_a_running_clock_has_an_empty_stop_and_breach_and_is_not_counted(
    tmp_path: Path,
) -> None:
    # As of Tue 13:00 Berlin: 2h on Monday, the pause (8h), 2h on Tuesday; due Tue 17:00 Berlin.
    result = evaluated(tmp_path, "2026-03-03T12:00:00+00:00")
    write_clocks_csv(result, tmp_path / "clocks.csv")
    write_compliance_csv(result, tmp_path / "compliance.csv")

    assert csv_lines(tmp_path / "clocks.csv")[2] == (
        f"INC1,{AGREEMENT},resolution,1,P2,2026-03-02T08:00:00Z,,"
        "28800,14400,28800,2026-03-03T16:00:00Z,running,"
    )
    assert csv_lines(tmp_path / "compliance.csv")[-1] == (
        f"{AGREEMENT},resolution,2026-03-01,2026-04-01,0,0,0,,0.9,no data"
    )


def one_target(**columns: list[int]) -> EvaluationResult:
    n = len(columns["elapsed_ns"])

    def col(name: str, dtype: type, default: int) -> np.ndarray:
        return np.array(columns.get(name, [default] * n), dtype=dtype)

    arrays = ClockArrays(
        item=col("item", np.int32, 0),
        cycle=col("cycle", np.int32, 1),
        priority=col("priority", np.int16, 0),
        start_at=col("start_at", np.int64, 0),
        stop_at=col("stop_at", np.int64, NAT),
        goal_ns=col("goal_ns", np.int64, HOUR),
        elapsed_ns=col("elapsed_ns", np.int64, 0),
        paused_ns=col("paused_ns", np.int64, 0),
        due_at=col("due_at", np.int64, NAT),
        status=col("status", np.int8, STATUS_CODES[ClockStatus.RUNNING]),
        breached_at=col("breached_at", np.int64, NAT),
    )
    result = EvaluationResult(as_of=datetime(2026, 1, 1, tzinfo=UTC))
    result.clocks.append(TargetClocks("a", "t", ("P1", "P2"), ("X", "Y,Z"), (arrays,)))
    return result


def test_clock_rows_render_every_status_fractional_seconds_and_quoted_ids(
    tmp_path: Path,
) -> None:
    statuses = [STATUS_CODES[s] for s in ClockStatus]
    result = one_target(
        item=[0, 1, 0, 0, 0, 0],
        cycle=[1, 1, 2, 3, 4, 5],
        priority=[0, 1, 0, 0, 0, 0],
        elapsed_ns=[0, 1, 1_500_000_000, HOUR, 10**9 // 4, 7],
        status=statuses,
        start_at=[500_000_000] * 6,
    )
    write_clocks_csv(result, tmp_path / "clocks.csv.gz")

    with gzip.open(tmp_path / "clocks.csv.gz", "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    start = "1970-01-01T00:00:00.5Z"
    assert lines[1:] == [
        f"X,a,t,1,P1,{start},,3600,0,0,,cancelled,",
        f'"Y,Z",a,t,1,P2,{start},,3600,0.000000001,0,,breached,',
        f"X,a,t,2,P1,{start},,3600,1.5,0,,met,",
        f"X,a,t,3,P1,{start},,3600,3600,0,,paused,",
        f"X,a,t,4,P1,{start},,3600,0.25,0,,at-risk,",
        f"X,a,t,5,P1,{start},,3600,0.000000007,0,,running,",
    ]


def test_clocks_are_written_in_chunks_without_losing_or_repeating_a_row(tmp_path: Path) -> None:
    n = 100
    result = one_target(item=[0] * n, elapsed_ns=[i * 10**9 for i in range(n)], start_at=[0] * n)

    assert write_clocks_csv(result, tmp_path / "clocks.csv", chunk_rows=7) == n

    lines = csv_lines(tmp_path / "clocks.csv")
    assert [line.split(",")[8] for line in lines[1:]] == [str(i) for i in range(n)]


@pytest.mark.parametrize(
    ("ns", "text"),
    [(0, "0"), (2400 * 10**9, "2400"), (1, "0.000000001"), (90 * 10**9 + 5 * 10**8, "90.5")],
)
def test_durations_print_as_seconds_without_a_needless_fraction(ns: int, text: str) -> None:
    assert [str(value) for value in format_seconds(np.array([ns], dtype=np.int64))] == [text]


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Decimal("0.95"), None, "0.95"),
        (Decimal("0.9"), None, "0.9"),
        (Decimal("1"), None, "1"),
        (Decimal("0.933333"), Decimal("0.0001"), "0.9333"),
        (Decimal("0.949999"), Decimal("0.0001"), "0.9499"),  # cut, never rounded up to 0.95
        (Decimal("1.000000"), Decimal("0.0001"), "1"),
        (Decimal("0.000000"), Decimal("0.0001"), "0"),
        (None, None, ""),
    ],
)
def test_fractions_print_as_plain_digits(
    value: Decimal | None, places: Decimal | None, text: str
) -> None:
    assert format_fraction(value, places) == text


def test_compliance_rows_carry_attainment_with_four_decimals_and_the_objective_as_given(
    tmp_path: Path,
) -> None:
    result = EvaluationResult(as_of=datetime(2026, 4, 1, tzinfo=UTC))
    row = ComplianceRow(
        agreement_id="a",
        target_id="t",
        period_start=date(2026, 3, 1),
        period_end=date(2026, 4, 1),
        counted=15,
        met=14,
        breached=1,
        attainment=Decimal("0.933333"),
        objective=Decimal("0.95"),
        result="missed",
    )
    result.compliance.append(row)
    write_compliance_csv(result, tmp_path / "compliance.csv")
    assert csv_lines(tmp_path / "compliance.csv") == [
        ",".join(COMPLIANCE_COLUMNS),
        "a,t,2026-03-01,2026-04-01,15,14,1,0.9333,0.95,missed",
    ]
