"""Terminal rendering for the CLI: file checks, the compliance table, run summaries, progress.

Only turns results into text (Rich); it computes nothing and never decides an exit status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from accord.domain import periods
from accord.domain.agreements import Target
from accord.ingest.eventlog import RowIssue
from accord.services.evaluation import ComplianceRow
from accord.services.runs import RunOutcome
from accord.spec import FileReport

MAX_ROW_ISSUES = 20
_RESULT_STYLE = {"met": "green", "missed": "bold red", "no data": "dim"}


def line(console: Console, text: str) -> None:
    """Print `text` as is: no markup, no highlighting, never wrapped (tools parse these lines)."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def file_reports(console: Console, reports: Sequence[FileReport]) -> None:
    """`ok  <file>` for a valid file, else one `file:line: path: message` line per issue."""
    for report in reports:
        if report.ok:
            line(console, f"ok  {report.path}")
        for issue in report.issues:
            line(console, str(issue))


def period_label(start: date, end: date) -> str:
    """A short name for `[start, end)`: `2026-03`, `2026-Q1`, `2026-W10`, else the dates."""
    return periods.period_label(periods.Period(start, end), through=" – ")


def percent(value: Decimal | None, *, fixed: bool = False) -> str:
    """A fraction as a percentage cut (never rounded up) to two decimals: 0.94996 -> 94.99%.

    `fixed` keeps both decimals (97.00%) so a column of attainments lines up; otherwise
    trailing zeros go (an objective of 0.95 is 95%).
    """
    if value is None:
        return "–"
    text = f"{(value * 100).quantize(Decimal('0.01'), rounding=ROUND_FLOOR):f}"
    if not fixed:
        text = text.rstrip("0").rstrip(".")
    return text + "%"


def compliance_tables(
    rows: Sequence[ComplianceRow], targets: Mapping[tuple[str, str], Target] | None = None
) -> list[Table]:
    """One table per agreement, every period of every target, in the order given.

    Compact enough for an 80-column terminal: target names fold, figures never do. Each kind
    shows what it measures: a count target its count against its bounds, an availability
    target the availability to three decimals, a percentile target its percentile.
    """
    tables: list[Table] = []
    previous: ComplianceRow | None = None
    table = Table()
    for row in rows:
        if previous is None or row.agreement_id != previous.agreement_id:
            table = _agreement_table(row.agreement_id)
            tables.append(table)
        elif row.target_id != previous.target_id:
            table.add_section()
        target = (targets or {}).get((row.agreement_id, row.target_id))
        table.add_row(
            row.target_id if previous is None or row.target_id != previous.target_id else "",
            period_label(row.period_start, row.period_end),
            *_figures(row, target),
            f"[{_RESULT_STYLE.get(row.result, '')}]{row.result}[/]",
        )
        previous = row
    return tables


def _figures(row: ComplianceRow, target: Target | None) -> tuple[str, str, str, str, str]:
    """counted, met, breached, attainment and objective as this kind of target reads them."""
    if row.kind == "count":
        bounds = str(target.count) if target is not None and target.count is not None else ""
        return f"{row.counted:,}", "–", "–", "–", bounds
    if row.kind == "availability":
        value = row.attainment
        shown = (
            "–" if value is None else f"{(value * 100).quantize(Decimal('0.001'), ROUND_FLOOR)}%"
        )
        return "–", "–", "–", shown, percent(row.objective)
    objective = percent(row.objective)
    if target is not None and target.percentile is not None:
        objective = f"p{(target.percentile * 100).normalize():f}"
    return (
        f"{row.counted:,}",
        f"{row.met:,}",
        f"{row.breached:,}",
        percent(row.attainment, fixed=True),
        objective,
    )


def _agreement_table(agreement_id: str) -> Table:
    table = Table(
        title=agreement_id,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        padding=(0, 0, 0, 1),
    )
    table.add_column("target", overflow="fold", min_width=8)
    table.add_column("period", no_wrap=True)
    for name in ("counted", "met", "breached", "attainment", "objective"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("result", no_wrap=True)
    return table


def summary(console: Console, outcome: RunOutcome, source: str) -> None:
    """One line on what was read and evaluated, then the rejected rows (first MAX_ROW_ISSUES)."""
    read = outcome.read
    table = read.table
    parts = [
        plural(table.n_items, "item"),
        f"{plural(len(table), 'event')} ({read.duplicates:,} duplicates)",
        plural(sum(len(c) for c in outcome.result.clocks), "clock"),
    ]
    reasons = outcome.skipped_reasons
    skipped = plural(sum(reasons.values()), "skipped item")
    if reasons:
        detail = "; ".join(f"{reason}: {count:,}" for reason, count in reasons.most_common())
        skipped += f" ({detail})"
    parts.append(skipped)
    parts.append(plural(len(read.issues), "rejected row"))
    line(console, ", ".join(parts) + ".")
    row_issues(console, read.issues, source)


def plural(count: int, noun: str) -> str:
    """`1 item`, `2 items`, `1,000 items`."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def row_issues(console: Console, issues: Sequence[RowIssue], source: str) -> None:
    """`FILE:LINE: message` for the first MAX_ROW_ISSUES rejected rows, then how many more."""
    for issue in issues[:MAX_ROW_ISSUES]:
        line(console, f"{source}:{issue.line}: {issue.message}")
    if len(issues) > MAX_ROW_ISSUES:
        line(console, f"... and {len(issues) - MAX_ROW_ISSUES:,} more rejected rows")


def written(console: Console, label: str, path: Path, rows: int) -> None:
    line(console, f"wrote {label} ({rows:,} rows) to {path}")


class RunProgress:
    """Progress bars for reading a log (bytes) and evaluating it (target chunks).

    Disabled bars cost nothing: the callbacks are None and Rich is never started.
    """

    def __init__(self, console: Console, *, enabled: bool, read_total: int | None = None) -> None:
        self.enabled = enabled
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self._read_total = read_total
        self._read: TaskID | None = None
        self._evaluate: TaskID | None = None

    @contextmanager
    def running(self) -> Iterator[RunProgress]:
        if not self.enabled:
            yield self
            return
        with self._progress:
            yield self

    @property
    def on_read(self) -> Callable[[int], None] | None:
        if not self.enabled or self._read_total is None:
            return None

        def update(done: int) -> None:
            if self._read is None:
                self._read = self._progress.add_task("Reading events", total=self._read_total)
            self._progress.update(self._read, completed=done)

        return update

    def on_bytes(self, description: str, path: Callable[[], Path]) -> Callable[[int], None] | None:
        """A bar over the bytes of a file that may not exist yet when the bar is made."""
        if not self.enabled:
            return None
        task: list[TaskID] = []

        def update(done: int) -> None:
            if not task:
                task.append(self._progress.add_task(description, total=path().stat().st_size))
            self._progress.update(task[0], completed=done)

        return update

    @property
    def on_evaluate(self) -> Callable[[int, int], None] | None:
        if not self.enabled:
            return None

        def update(done: int, total: int) -> None:
            if self._evaluate is None:
                self._evaluate = self._progress.add_task("Evaluating", total=total)
            self._progress.update(self._evaluate, completed=done, total=total)

        return update
