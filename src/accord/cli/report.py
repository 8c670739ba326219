"""`accord status`, `accord report` and `accord items show`: parse, call one service, render.

Reads the workspace in one transaction (see `accord.cli.workspace`); figures and rules belong
to the services, the files to `accord.reports`. "Now" comes from `CLOCK` (tests fix it).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from accord.cli.items import items_app
from accord.cli.render import line, percent, plural
from accord.cli.workspace import transaction
from accord.engine.timeline import CycleExplanation, Step, StepKind, VerdictReason
from accord.errors import ValidationError
from accord.ingest.instants import format_instants, instant_to_datetime, parse_instant, zone
from accord.reports.figures import CLOCK_KINDS, achieved_text, hours_text, objective_text
from accord.reports.html import write_html
from accord.reports.pdf import report_pdf
from accord.reports.report_files import write_csv, write_json
from accord.services.reports import monthly_report, parse_month
from accord.services.status import (
    ItemTimeline,
    StatusReport,
    TargetStatus,
    TargetTimeline,
    item_timeline,
)
from accord.services.status import status as workspace_status
from accord.timesource import Clock, SystemClock

CLOCK: Clock = SystemClock()
NS = 1_000_000_000

_RESULT_STYLE = {"met": "green", "missed": "bold red", "no data": "dim", "pending": "yellow"}


class ReportFormat(StrEnum):
    HTML = "html"
    CSV = "csv"
    JSON = "json"
    PDF = "pdf"


AtOption = Annotated[
    str | None,
    typer.Option("--at", help="As of this instant (ISO 8601 with an offset or Z); default now."),
]
ZoneOption = Annotated[
    str | None, typer.Option("--timezone", help="IANA zone for an --at without an offset.")
]


def _console() -> Console:
    return Console(highlight=False)


def _as_of(at: str | None, timezone: str | None) -> datetime:
    if timezone is not None:
        try:
            zone(timezone)
        except ValidationError as exc:
            raise typer.BadParameter(exc.issues[0].message, param_hint="--timezone") from None
    if at is None:
        return CLOCK.now()
    try:
        return instant_to_datetime(parse_instant(at, timezone))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--at") from None


def status(
    at: AtOption = None,
    timezone: ZoneOption = None,
    agreement: Annotated[
        str | None, typer.Option("--agreement", help="Only this agreement (its id).")
    ] = None,
) -> None:
    """Each agreement's targets in their current period: attainment so far, items at risk."""
    console = _console()
    as_of = _as_of(at, timezone)
    with transaction(console) as session:
        report = workspace_status(session, as_of, agreement_id=agreement)
    _print_status(console, report)


def _print_status(console: Console, report: StatusReport) -> None:
    """One table per agreement (fits 80 columns), then the items that need attention."""
    line(
        console,
        f"Status as of {report.as_of:%Y-%m-%d %H:%M:%S} UTC: "
        f"{plural(report.items, 'item')}, {plural(report.events, 'event')}.",
    )
    if not report.targets:
        line(console, "no agreement applied yet; `accord agreements apply DIR` stores them")
        return
    agreements = dict.fromkeys(t.agreement_id for t in report.targets)
    for agreement_id in agreements:
        console.print()
        targets = [t for t in report.targets if t.agreement_id == agreement_id]
        table = Table(
            title=f"{targets[0].title} ({agreement_id})",
            title_justify="left",
            title_style="bold",
            box=box.SIMPLE_HEAD,
            padding=(0, 0, 0, 1),
            pad_edge=False,
            show_edge=False,
        )
        table.add_column("target", overflow="fold", min_width=8)
        table.add_column("period", no_wrap=True)
        for name in ("achieved", "objective"):
            table.add_column(name, justify="right", no_wrap=True)
        table.add_column("result", no_wrap=True)
        for name in ("open", "at risk", "breached"):
            table.add_column(name, justify="right", no_wrap=True)
        for t in targets:
            table.add_row(
                t.target_id,
                t.period or "–",
                achieved_text(t.kind, t.attainment, t.value, percentile=t.percentile),
                _objective(t),
                Text(t.result, style=_RESULT_STYLE.get(t.result, "")),
                f"{t.open_clocks:,}" if t.kind in CLOCK_KINDS else "",
                f"{t.at_risk:,}" if t.kind in CLOCK_KINDS else "",
                f"{t.breached:,}" if t.kind in CLOCK_KINDS else "",
            )
        console.print(table)
        for t in targets:
            if t.breached_items:
                line(console, f"  {t.target_id}: breached {_ids(t.breached_items, t.breached)}")
            if t.at_risk_items:
                line(console, f"  {t.target_id}: at risk {_ids(t.at_risk_items, t.at_risk)}")
    if report.skipped_items:
        line(
            console,
            f"{plural(report.skipped_items, 'item')} could not be measured; "
            "`accord items show ID` says why.",
        )


def _objective(t: TargetStatus) -> str:
    """The objective, bounds of counts written short (`≥ 200`) to fit 80 columns."""
    if t.kind == "count" and (t.at_least is not None or t.at_most is not None):
        if t.at_least is not None and t.at_most is not None:
            return f"{t.at_least:,}–{t.at_most:,}"
        return f"≥ {t.at_least:,}" if t.at_least is not None else f"≤ {t.at_most:,}"
    return objective_text(t.kind, t.objective, percentile=t.percentile)


def _ids(shown: tuple[str, ...], total: int) -> str:
    more = total - len(shown)
    return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


def report(
    period: Annotated[str, typer.Option("--period", help="The month, YYYY-MM (e.g. 2026-03).")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="File to write (default: accord-report-YYYY-MM.<format>)."),
    ] = None,
    output_format: Annotated[
        ReportFormat | None,
        typer.Option("--format", help="html, pdf, csv or json (default: from --out, else html)."),
    ] = None,
    agreement: Annotated[
        str | None, typer.Option("--agreement", help="Only this agreement (its id).")
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="Evaluate as of this instant (default: the month's end, or now)."
        ),
    ] = None,
    timezone: ZoneOption = None,
) -> None:
    """Write the monthly compliance report: attainment, trend, breaches, volume and MTTR."""
    console = _console()
    try:
        month = parse_month(period)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--period") from None
    fmt = output_format or _format_of(out)
    path = out or Path(f"accord-report-{period}.{fmt.value}")
    as_of = _as_of(at, timezone) if at is not None else None
    with transaction(console) as session:
        result = monthly_report(
            session, month, now=CLOCK.now(), as_of=as_of, agreement_id=agreement
        )
    if fmt is ReportFormat.HTML:
        write_html(result, path)
    elif fmt is ReportFormat.PDF:
        path.write_bytes(report_pdf(result))
    elif fmt is ReportFormat.CSV:
        write_csv(result, path)
    else:
        write_json(result, path)
    for note in result.notes:
        line(console, note)
    line(
        console,
        f"wrote the {fmt.value} report of {result.period} "
        f"({plural(len(result.agreements), 'agreement')}, as of "
        f"{result.as_of:%Y-%m-%d %H:%M:%S} UTC) to {path}",
    )


def _format_of(out: Path | None) -> ReportFormat:
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    return ReportFormat(suffix) if suffix in {f.value for f in ReportFormat} else ReportFormat.HTML


def items_show(
    item_id: Annotated[str, typer.Argument(metavar="ID", help="The item's id (or source:id).")],
    at: AtOption = None,
    timezone: ZoneOption = None,
) -> None:
    """Show an item's events and each clock's timeline: started, paused, stopped, and why."""
    console = _console()
    as_of = _as_of(at, timezone)
    with transaction(console) as session:
        timeline = item_timeline(session, item_id, as_of)
    _print_timeline(console, timeline)


def _print_timeline(console: Console, timeline: ItemTimeline) -> None:
    console.print(
        Text(f"Item {timeline.item_id} as of {timeline.as_of:%Y-%m-%d %H:%M:%S} UTC", "bold")
    )
    line(console, "Events:")
    for event in timeline.events:
        value = f" {event.value}" if event.value else ""
        line(console, f"  {_at(event.at)}  {event.kind}{value}")
    if not timeline.targets:
        line(console, "No agreement covers this item.")
    for target in timeline.targets:
        console.print(
            Text(
                f"{target.agreement_id} v{target.version} · {target.target_id} "
                f"({target.kind}, {target.calendar} calendar)",
                "bold",
            )
        )
        if target.skipped:
            line(console, f"  no clock: {target.skipped}")
        for cycle in target.cycles:
            line(console, f"  cycle {cycle.cycle}:")
            for step in cycle.steps:
                line(console, f"    {_ns(step.at_ns)}  {_step(step, target)}")
            line(console, f"    → {verdict(cycle, target)}")


def _step(step: Step, target: TargetTimeline) -> str:
    priority = target.priorities[step.priority] if step.priority >= 0 else "none"
    goal = _span(step.goal_ns)
    elapsed = _span(step.elapsed_ns)
    if step.kind is StepKind.STARTED:
        cause = f" ({step.detail})" if step.detail else ""
        return f"started{cause}: priority {priority}, goal {goal}"
    if step.kind is StepKind.PRIORITY_CHANGED:
        return f"priority changed to {priority}: goal {goal}, elapsed {elapsed}"
    if step.kind is StepKind.PAUSED:
        return f"paused ({step.detail}) at elapsed {elapsed}"
    if step.kind is StepKind.RESUMED:
        return f"resumed ({step.detail}) at elapsed {elapsed}"
    if step.kind is StepKind.BREACHED:
        if step.detail == VerdictReason.GOAL_LOWERED.value:
            return f"breached: the new goal {goal} is below the elapsed {elapsed}"
        return f"breached: elapsed reached the goal {goal}"
    if step.kind is StepKind.STOPPED:
        return f"stopped ({step.detail}): elapsed {elapsed} of goal {goal}"
    if step.kind is StepKind.CANCELLED:
        return f"cancelled: the priority changed and the policy is restart (elapsed {elapsed})"
    return f"reopened: the clock resumes at elapsed {elapsed}"


def verdict(cycle: CycleExplanation, target: TargetTimeline) -> str:
    """The cycle's status as of the evaluation, and why, in one sentence."""
    elapsed, goal = _span(cycle.elapsed_ns), _span(cycle.goal_ns)
    figures = f"elapsed {elapsed} of goal {goal}"
    reason = cycle.reason
    if reason is VerdictReason.WITHIN_GOAL:
        return f"met: {figures}"
    if reason is VerdictReason.REACHED_GOAL:
        return (
            f"breached at {_ns(cycle.breached_at_ns)} because elapsed reached the goal ({figures})"
        )
    if reason is VerdictReason.GOAL_LOWERED:
        return (
            f"breached at {_ns(cycle.breached_at_ns)} because a priority change set a goal "
            f"below the elapsed time ({figures})"
        )
    if reason is VerdictReason.CANCELLED_BY_RESTART:
        return "cancelled: a priority change restarted the clock (not counted)"
    if reason is VerdictReason.NEAR_GOAL:
        return (
            f"at risk: {figures} (warns at {percent(target.warn_at)}), due {_ns(cycle.due_at_ns)}"
        )
    if reason is VerdictReason.PAUSED:
        return f"paused: {figures}; due once the pause ends"
    return f"running: {figures}, due {_ns(cycle.due_at_ns)}"


def _span(ns: int) -> str:
    return hours_text(ns / NS)


def _ns(ns: int) -> str:
    return str(format_instants([ns])[0]) or "–"  # type: ignore[arg-type]


def _at(at: datetime) -> str:
    return f"{at:%Y-%m-%dT%H:%M:%S}Z"


def register(app: typer.Typer) -> None:
    """Add `status` and `report` to the `accord` app, and `show` to `accord items`."""
    app.command("status")(status)
    app.command("report")(report)
    items_app.command("show")(items_show)
