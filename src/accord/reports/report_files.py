"""The monthly report as data files: CSV (one row per target and period) and JSON (all of it).

JSON is the whole `ComplianceReport`: instants ISO 8601 in UTC with `Z`, dates ISO, fractions
(attainment, objective) as strings of digits (`"0.95"`, exact), durations as numbers of
seconds, `null` where there is no figure. `read_json` gives the same report back.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pydantic import TypeAdapter

from accord.reports.tables import PERIOD_COLUMNS, period_cells
from accord.services.reports import ComplianceReport, PeriodFigures

REPORT_COLUMNS = (
    "agreement_id",
    "target_id",
    "kind",
    "row",  # period: the report's month; trend: an earlier period of the trend
    "period",
    *PERIOD_COLUMNS,
    "breaches_in_month",
)

_ADAPTER = TypeAdapter(ComplianceReport)


def report_rows(report: ComplianceReport) -> list[tuple[str, ...]]:
    """Rows in REPORT_COLUMNS order: each target's periods in the month, then its trend."""
    rows: list[tuple[str, ...]] = []
    for a in report.agreements:
        for t in a.targets:
            month = {p.period_start for p in t.periods}
            for p in t.periods:
                rows.append(_row(a.agreement_id, t.target_id, t.kind, "period", p, t.breach_count))
            for p in t.trend:
                if p.period_start not in month:
                    rows.append(_row(a.agreement_id, t.target_id, t.kind, "trend", p, None))
    return rows


def _row(
    agreement_id: str,
    target_id: str,
    kind: str,
    which: str,
    p: PeriodFigures,
    breaches: int | None,
) -> tuple[str, ...]:
    return (
        agreement_id,
        target_id,
        kind,
        which,
        p.label,
        *period_cells(p),
        "" if breaches is None else str(breaches),
    )


def write_csv(report: ComplianceReport, path: Path) -> int:
    """Write the report's CSV; return the number of data rows."""
    rows = report_rows(report)
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(REPORT_COLUMNS)
        writer.writerows(rows)
    return len(rows)


def to_json(report: ComplianceReport) -> str:
    """The whole report as indented JSON text."""
    return _ADAPTER.dump_json(report, indent=2).decode("utf-8") + "\n"


def from_json(text: str | bytes) -> ComplianceReport:
    """A report back from `to_json`'s text (raise pydantic's ValidationError if it is not one)."""
    return _ADAPTER.validate_json(text)


def write_json(report: ComplianceReport, path: Path) -> None:
    Path(path).write_text(to_json(report), encoding="utf-8")
