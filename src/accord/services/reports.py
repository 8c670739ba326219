"""The monthly compliance report: its data model, and how it is built from an evaluation.

Owns what a report says (attainment per target, the trend, breaches, volume and MTTR per
priority); how it looks belongs to `accord.reports`. Figures come from the evaluation and the
event table; nothing here reads files, the database or the clock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from accord.domain.agreements import Agreement, Target, TargetKind
from accord.domain.clocks import STATUS_CODES, ClockStatus
from accord.domain.periods import Period, period_label
from accord.engine.calendars import BusinessCalendar, local_to_utc
from accord.engine.events import NAT, EventTable
from accord.engine.volumes import PriorityVolume, priority_volume
from accord.services.agreements import agreements_in_force
from accord.services.availability import ReliabilityRow, reliability
from accord.services.evaluation import (
    ComplianceRow,
    EvaluationResult,
    TargetClocks,
    latest_field_values,
    to_ns,
)
from accord.services.stored import load_evaluation

REPORT_FORMAT = "accord-report/v1"
TREND_PERIODS = 12
BREACH_LIMIT = 50
NS = 1_000_000_000

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_BREACHED = STATUS_CODES[ClockStatus.BREACHED]

__all__ = [
    "BREACH_LIMIT",
    "REPORT_FORMAT",
    "TREND_PERIODS",
    "AgreementReport",
    "Breach",
    "ComplianceReport",
    "PeriodFigures",
    "PriorityVolume",
    "TargetReport",
    "build_report",
    "monthly_report",
    "parse_month",
    "report_instant",
]


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    """One period of one target: counts, attainment (a fraction) against the objective."""

    label: str  # 2026-03, 2026-Q1, 2026-W10, or the dates
    period_start: date
    period_end: date  # exclusive
    counted: int
    met: int
    breached: int
    attainment: Decimal | None  # None: no data
    objective: Decimal
    result: str  # met | missed | no data | pending (a count a running period may still reach)
    value: Decimal | None = None  # count: items; availability: A; percentile: elapsed / goal


@dataclass(frozen=True, slots=True)
class Breach:
    """A clock decided as breached in the report's month."""

    item_id: str
    cycle: int
    priority: str
    start_at: datetime
    breached_at: datetime
    stop_at: datetime | None  # None: the clock still runs
    elapsed_seconds: float
    goal_seconds: float


@dataclass(frozen=True, slots=True)
class TargetReport:
    """One target in the month: its figures, its trend, its breaches (clock targets) and its
    reliability (availability targets)."""

    target_id: str
    kind: str  # response, resolution, count, delivery, availability
    description: str | None
    objective: Decimal  # a share; for a percentile objective, the percentile as a fraction
    percentile: Decimal | None  # set for percentile objectives
    at_least: int | None  # count targets' bounds
    at_most: int | None
    period_kind: str  # month, week, quarter, Nd
    periods: tuple[PeriodFigures, ...]  # the target's periods that overlap the report's month
    trend: tuple[PeriodFigures, ...]  # the last TREND_PERIODS periods, up to the report's
    breaches: tuple[Breach, ...]  # the first BREACH_LIMIT, by breach instant
    breach_count: int
    reliability: tuple[ReliabilityRow, ...] = ()  # periods overlapping the month


@dataclass(frozen=True, slots=True)
class AgreementReport:
    agreement_id: str
    title: str
    provider: str
    customer: str
    timezone: str  # the zone the month is cut in for this agreement
    month_start_at: datetime
    month_end_at: datetime
    targets: tuple[TargetReport, ...]
    volume: tuple[PriorityVolume, ...]  # items of the agreement's services
    business_calendar: str  # the calendar MTTR's business time is measured on
    skipped_items: int


@dataclass(frozen=True, slots=True)
class ComplianceReport:
    """Everything a monthly report shows (JSON: instants ISO 8601 Z, fractions as strings)."""

    format: str
    period: str  # YYYY-MM
    as_of: datetime
    generated_at: datetime
    timezone: str  # the zone of the workspace-wide figures
    agreements: tuple[AgreementReport, ...]
    volume: tuple[PriorityVolume, ...]  # every item in the workspace, wall-clock MTTR
    notes: tuple[str, ...]


def parse_month(text: str) -> tuple[int, int]:
    """`2026-03` -> (2026, 3); raise ValueError otherwise."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"'{text}' is not a month; write YYYY-MM, e.g. 2026-03")
    return int(match.group(1)), int(match.group(2))


def month_bounds(month: tuple[int, int]) -> tuple[date, date]:
    """The first day of the month and of the next one."""
    year, number = month
    return date(year, number, 1), date(year + (number == 12), number % 12 + 1, 1)


def month_edges_ns(month: tuple[int, int], zone: str) -> tuple[int, int]:
    """The month as UTC nanoseconds `[start, end)` in local time of `zone`."""
    first, after = month_bounds(month)
    tz = ZoneInfo(zone)
    return to_ns(local_to_utc(tz, first, 0)), to_ns(local_to_utc(tz, after, 0))


def report_instant(
    agreements: Sequence[Agreement], month: tuple[int, int], now: datetime
) -> datetime:
    """The instant a month's report is evaluated at by default: the month's end, or now while
    the month runs. The end is the latest over the agreements' zones (UTC without any)."""
    zones = {_agreement_zone(a) for a in agreements} or {"UTC"}
    end_ns = max(month_edges_ns(month, zone)[1] for zone in zones)
    return min(now.astimezone(UTC), _instant(end_ns))


def monthly_report(
    session: Session,
    month: tuple[int, int],
    *,
    now: datetime,
    as_of: datetime | None = None,
    agreement_id: str | None = None,
    timezone: str | None = None,
) -> ComplianceReport:
    """The compliance report of `month` for the stored agreements (or one), as of `as_of`.

    Without `as_of` the report is evaluated at `report_instant` (so a past month's report is
    the same whenever it is asked for, unless events dated in it arrive later). With no
    agreement stored it still has the workspace's ticket volume and MTTR, and says so.
    """
    if as_of is None:
        latest = [a for a, _ in agreements_in_force(session)]
        if agreement_id is not None:
            latest = [a for a in latest if a.id == agreement_id]
        as_of = report_instant(latest, month, now)
    evaluation = load_evaluation(session, as_of, agreement_id=agreement_id)
    return build_report(
        evaluation.agreements,
        evaluation.table,
        evaluation.result,
        month,
        generated_at=now,
        timezone=timezone,
    )


def build_report(
    agreements: Sequence[Agreement],
    table: EventTable,
    result: EvaluationResult,
    month: tuple[int, int],
    *,
    generated_at: datetime,
    timezone: str | None = None,
) -> ComplianceReport:
    """Build the report of `month` from an evaluation as of `result.as_of`.

    `agreements` are the versions the report is about (one per agreement: its periods, goals
    and titles); `table` holds the events the evaluation used. The workspace-wide figures use
    `timezone`, else the agreements' zone when they share one, else UTC.
    """
    zones = {_agreement_zone(a) for a in agreements}
    zone = timezone or (zones.pop() if len(zones) == 1 else "UTC")
    lo, hi = month_edges_ns(month, zone)
    notes: list[str] = []
    if not agreements:
        notes.append("No agreement has been applied yet: only ticket volume and MTTR are shown.")
    sections = tuple(_agreement_report(a, table, result, month) for a in agreements)
    return ComplianceReport(
        format=REPORT_FORMAT,
        period=f"{month[0]:04d}-{month[1]:02d}",
        as_of=result.as_of,
        generated_at=generated_at.astimezone(UTC),
        timezone=zone,
        agreements=sections,
        volume=tuple(priority_volume(table, (lo, hi), None, None, None)),
        notes=tuple(notes),
    )


def _agreement_zone(agreement: Agreement) -> str:
    if agreement.timezone:
        return agreement.timezone
    if agreement.targets:
        return agreement.period_timezone(agreement.targets[0])
    return next(iter(agreement.calendars.values())).timezone


def _agreement_report(
    agreement: Agreement, table: EventTable, result: EvaluationResult, month: tuple[int, int]
) -> AgreementReport:
    zone = _agreement_zone(agreement)
    lo, hi = month_edges_ns(month, zone)
    calendar_name = _business_calendar(agreement)
    calendar = BusinessCalendar(agreement.calendars[calendar_name])
    targets = tuple(_target_report(agreement, t, table, result, month) for t in agreement.targets)
    skipped = {s.item_id for s in result.skipped if s.agreement_id == agreement.id}
    return AgreementReport(
        agreement_id=agreement.id,
        title=agreement.title,
        provider=agreement.provider,
        customer=agreement.customer,
        timezone=zone,
        month_start_at=_instant(lo),
        month_end_at=_instant(hi),
        targets=targets,
        volume=tuple(
            priority_volume(table, (lo, hi), agreement, calendar, _covered_items(agreement, table))
        ),
        business_calendar=calendar_name,
        skipped_items=len(skipped),
    )


def _business_calendar(agreement: Agreement) -> str:
    """The calendar of the first resolution target, else of the first target, else the first."""
    for target in agreement.targets:
        if target.kind is TargetKind.RESOLUTION:
            return target.calendar
    if agreement.targets:
        return agreement.targets[0].calendar
    return next(iter(agreement.calendars))


def _covered_items(agreement: Agreement, table: EventTable) -> npt.NDArray[np.bool_]:
    """Items of the agreement's services (an item naming no service belongs to every one)."""
    allowed = {f"service={s}" for s in agreement.services}
    codes = np.array([i for i, v in enumerate(table.values) if v in allowed], dtype=np.int32)
    latest = latest_field_values(table, "service")
    covered: npt.NDArray[np.bool_] = (latest < 0) | np.isin(latest, codes)
    return covered


def _target_report(
    agreement: Agreement,
    target: Target,
    table: EventTable,
    result: EvaluationResult,
    month: tuple[int, int],
) -> TargetReport:
    first, after = month_bounds(month)
    rows = [
        r for r in result.compliance if r.agreement_id == agreement.id and r.target_id == target.id
    ]
    periods = [r for r in rows if r.period_start < after and r.period_end > first]
    trend = [r for r in rows if r.period_start < after][-TREND_PERIODS:]
    clocks = next(
        (c for c in result.clocks if c.agreement_id == agreement.id and c.target_id == target.id),
        None,
    )
    lo, hi = month_edges_ns(month, agreement.period_timezone(target))
    breaches, count = _breaches(clocks, lo, hi) if clocks is not None else ((), 0)
    uptime: tuple[ReliabilityRow, ...] = ()
    if target.kind is TargetKind.AVAILABILITY:
        uptime = tuple(
            r
            for r in reliability(agreement, table, result.as_of, target_id=target.id)
            if r.period_start < after and r.period_end > first
        )
    bounds = target.count
    return TargetReport(
        target_id=target.id,
        kind=target.kind.value,
        description=target.description,
        objective=target.objective,
        percentile=target.percentile,
        at_least=bounds.at_least if bounds else None,
        at_most=bounds.at_most if bounds else None,
        period_kind=str(target.period),
        periods=tuple(_figures(r) for r in periods),
        trend=tuple(_figures(r) for r in trend),
        breaches=breaches,
        breach_count=count,
        reliability=uptime,
    )


def _figures(row: ComplianceRow) -> PeriodFigures:
    return PeriodFigures(
        label=period_label(Period(row.period_start, row.period_end)),
        period_start=row.period_start,
        period_end=row.period_end,
        counted=row.counted,
        met=row.met,
        breached=row.breached,
        attainment=row.attainment,
        objective=row.objective,
        result=row.result,
        value=row.value,
    )


def _breaches(clocks: TargetClocks, lo: int, hi: int) -> tuple[tuple[Breach, ...], int]:
    """Clocks breached within `[lo, hi)`, first BREACH_LIMIT by instant, and how many in all."""
    picked: list[tuple[int, int, int]] = []  # (breached_at, part, row)
    count = 0
    for p, part in enumerate(clocks.parts):
        hit = np.flatnonzero(
            (part.status == _BREACHED) & (part.breached_at >= lo) & (part.breached_at < hi)
        )
        count += int(hit.size)
        if hit.size:
            first = hit[np.argsort(part.breached_at[hit], kind="stable")[:BREACH_LIMIT]]
            picked.extend((int(part.breached_at[i]), p, int(i)) for i in first)
    picked.sort()
    breaches = []
    for _, p, i in picked[:BREACH_LIMIT]:
        part = clocks.parts[p]
        breaches.append(
            Breach(
                item_id=clocks.item_ids[int(part.item[i])],
                cycle=int(part.cycle[i]),
                priority=clocks.priorities[int(part.priority[i])],
                start_at=_instant(int(part.start_at[i])),
                breached_at=_instant(int(part.breached_at[i])),
                stop_at=None if part.stop_at[i] == NAT else _instant(int(part.stop_at[i])),
                elapsed_seconds=int(part.elapsed_ns[i]) / NS,
                goal_seconds=int(part.goal_ns[i]) / NS,
            )
        )
    return tuple(breaches), count


def _instant(ns: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=ns // 1000)
