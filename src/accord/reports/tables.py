"""CSV outputs of an evaluation: one row per clock cycle, one row per target and period.

Formats columns vectorised (NumPy) so that ten million clocks write in seconds. It only renders
what `accord.services.evaluation` computed: no clock or compliance rule lives here.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from accord.domain.clocks import STATUS_BY_CODE
from accord.engine.clocks import ClockArrays
from accord.ingest.instants import format_instants
from accord.services.evaluation import ComplianceRow, EvaluationResult, TargetClocks
from accord.services.reports import PeriodFigures

CLOCK_COLUMNS = (
    "item_id",
    "agreement_id",
    "target_id",
    "cycle",
    "priority",
    "start_at",
    "stop_at",
    "goal_seconds",
    "elapsed_seconds",
    "paused_seconds",
    "due_at",
    "status",
    "breached_at",
)
# A target's figures in one period, shared by the compliance CSV and the report CSV.
PERIOD_COLUMNS = (
    "period_start",
    "period_end",
    "counted",
    "met",
    "breached",
    "attainment",
    "objective",
    "result",
)
COMPLIANCE_COLUMNS = ("agreement_id", "target_id", *PERIOD_COLUMNS)
ATTAINMENT_PLACES = Decimal("0.0001")
CHUNK_ROWS = 1 << 19

_NS = 1_000_000_000
_STATUS_TEXT = np.array([status.value for status in STATUS_BY_CODE], dtype=object)


def format_seconds(ns: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
    """Durations in nanoseconds as seconds: `2400` when whole, else `2400.5` (exact digits).

    Whole values stay integers (the CSV writer prints them), so a large column costs nothing.
    """
    ns = np.asarray(ns, dtype=np.int64)
    out: npt.NDArray[Any] = ns // _NS
    frac = ns % _NS != 0
    if frac.any():
        out = out.astype(object)
        out[frac] = [f"{value // _NS}.{value % _NS:09d}".rstrip("0") for value in ns[frac].tolist()]
    return out


def format_fraction(value: Decimal | None, places: Decimal | None = None) -> str:
    """A fraction as plain digits without trailing zeros (`0.95`, `1`); empty for None.

    With `places`, digits beyond them are cut, never rounded up, so a shown attainment never
    exceeds the real one (0.94996 shows 0.9499, not 0.95, beside a `missed`).
    """
    if value is None:
        return ""
    if places is not None:
        value = value.quantize(places, rounding=ROUND_FLOOR)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def clock_rows(
    clocks: TargetClocks, chunk_rows: int = CHUNK_ROWS
) -> Iterator[list[tuple[object, ...]]]:
    """The rows of one target's clocks in CLOCK_COLUMNS order, a chunk at a time."""
    item_ids = np.asarray(clocks.item_ids, dtype=object)
    priorities = np.asarray(clocks.priorities, dtype=object)
    for a in clocks.parts:
        yield from _part_rows(clocks, a, item_ids, priorities, chunk_rows)


def _part_rows(
    clocks: TargetClocks,
    a: ClockArrays,
    item_ids: npt.NDArray[np.object_],
    priorities: npt.NDArray[np.object_],
    chunk_rows: int,
) -> Iterator[list[tuple[object, ...]]]:
    for lo in range(0, len(a), chunk_rows):
        part = slice(lo, min(lo + chunk_rows, len(a)))
        n = part.stop - lo
        columns = (
            item_ids[a.item[part]].tolist(),
            [clocks.agreement_id] * n,
            [clocks.target_id] * n,
            a.cycle[part].tolist(),
            priorities[a.priority[part]].tolist(),
            format_instants(a.start_at[part]).tolist(),
            format_instants(a.stop_at[part]).tolist(),
            format_seconds(a.goal_ns[part]).tolist(),
            format_seconds(a.elapsed_ns[part]).tolist(),
            format_seconds(a.paused_ns[part]).tolist(),
            format_instants(a.due_at[part]).tolist(),
            _STATUS_TEXT[a.status[part]].tolist(),
            format_instants(a.breached_at[part]).tolist(),
        )
        yield list(zip(*columns, strict=True))


def period_cells(period: ComplianceRow | PeriodFigures) -> tuple[str, ...]:
    """A period's figures in PERIOD_COLUMNS order.

    Dates are ISO (the end exclusive), the attainment is cut to ATTAINMENT_PLACES (never
    rounded up), the objective is written in full.
    """
    return (
        period.period_start.isoformat(),
        period.period_end.isoformat(),
        str(period.counted),
        str(period.met),
        str(period.breached),
        format_fraction(period.attainment, ATTAINMENT_PLACES),
        format_fraction(period.objective),
        period.result,
    )


def compliance_row(row: ComplianceRow) -> tuple[str, ...]:
    """One compliance row in COMPLIANCE_COLUMNS order."""
    return (row.agreement_id, row.target_id, *period_cells(row))


def write_clocks_csv(result: EvaluationResult, path: Path, *, chunk_rows: int = CHUNK_ROWS) -> int:
    """Write one row per (item, target, cycle); return the number of rows.

    Instants are ISO 8601 UTC with `Z` (empty when none), durations in seconds, status as of
    the evaluation instant. A `.gz` suffix writes gzip.
    """
    rows = 0
    with _open(Path(path)) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CLOCK_COLUMNS)
        for clocks in result.clocks:
            for chunk in clock_rows(clocks, chunk_rows):
                writer.writerows(chunk)
                rows += len(chunk)
    return rows


def write_compliance_csv(result: EvaluationResult, path: Path) -> int:
    """Write one row per (agreement, target, period begun by the evaluation instant)."""
    with _open(Path(path)) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COMPLIANCE_COLUMNS)
        writer.writerows(compliance_row(row) for row in result.compliance)
    return len(result.compliance)


def _open(path: Path) -> IO[str]:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "wt", encoding="utf-8", newline="")
    return path.open("w", encoding="utf-8", newline="")
