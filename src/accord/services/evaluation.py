"""Evaluate agreements against an event log: clocks per target and compliance per period.

The one use case behind `accord evaluate`, the demo, and later the API and reports. Works on
an in-memory `EventTable`; reading files is the caller's business (see `services.runs`).
Clock targets are run here; counts and deliveries (`services.measures`) and availability
(`services.availability`) are dispatched to their own modules.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal

import numpy as np

from accord.domain.agreements import Agreement, Target, TargetKind
from accord.domain.clocks import STATUS_BY_CODE, STATUS_CODES, Clock, ClockStatus, SkippedItem
from accord.engine.calendars import BusinessCalendar
from accord.engine.clocks import (
    SKIP_NO_CREATED,
    SKIP_NO_GOAL,
    SKIP_NO_PRIORITY,
    SKIP_UNKNOWN_PRIORITY,
    ClockArrays,
    ClockRules,
    ClockRun,
    run_clocks,
)
from accord.engine.compliance import count_by_period, decision_instants
from accord.engine.events import EventTable
from accord.engine.measures import percentile_by_period
from accord.services.availability import BurnRate, availability_outcome
from accord.services.compliance import (
    FRACTION_PLACES,
    NS,
    ComplianceRow,
    ErrorBudget,
    ItemFields,
    attainment_of,
    latest_field_values,
    normal,
    periods_begun,
    ratio_budget,
    to_datetime,
    to_ns,
    validity_ns,
)
from accord.services.measures import DeliveryOccurrence, count_rows, delivery_outcome

__all__ = [
    "CHUNK_ITEMS",
    "NS",
    "WORKERS",
    "ComplianceRow",
    "DeliveryOccurrence",
    "ErrorBudget",
    "EvaluationResult",
    "Progress",
    "TargetClocks",
    "attainment_of",
    "clock_rules",
    "compliance_rows",
    "evaluate",
    "latest_field_values",
    "periods_begun",
    "ratio_burn_rate",
    "to_ns",
]

CHUNK_ITEMS = 100_000
WORKERS = max(1, min(4, os.cpu_count() or 1))

Progress = Callable[[int, int], None]

_SKIP_REASONS = {
    SKIP_NO_CREATED: "no 'created' event",
    SKIP_NO_PRIORITY: "no priority, and the agreement names no default_priority",
    SKIP_UNKNOWN_PRIORITY: "a priority that is not one of the agreement's priorities",
    SKIP_NO_GOAL: "its priority has no goal in this target",
}
_BREACHED = STATUS_CODES[ClockStatus.BREACHED]
_BUDGET_UNITS = {
    TargetKind.RESPONSE: "clocks",
    TargetKind.RESOLUTION: "clocks",
    TargetKind.DELIVERY: "occurrences",
}


@dataclass(frozen=True, slots=True)
class TargetClocks:
    """Every clock cycle of one target, in columns indexing `item_ids` and `priorities`.

    The columns come in `parts` (one per chunk of items, in item order) so that ten million
    clocks are never copied into one block; `arrays` joins them for callers that want one.
    """

    agreement_id: str
    target_id: str
    priorities: tuple[str, ...]
    item_ids: tuple[str, ...]
    parts: tuple[ClockArrays, ...]

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    @property
    def arrays(self) -> ClockArrays:
        """All parts joined (a copy when there is more than one part)."""
        return ClockArrays.concat(list(self.parts))

    def rows(self) -> Iterator[Clock]:
        """The clocks as domain records (for tests and small outputs; columns are faster)."""
        for a in self.parts:
            yield from self._part_rows(a)

    def _part_rows(self, a: ClockArrays) -> Iterator[Clock]:
        for i in range(len(a)):
            yield Clock(
                item_id=self.item_ids[int(a.item[i])],
                agreement_id=self.agreement_id,
                target_id=self.target_id,
                cycle=int(a.cycle[i]),
                priority=self.priorities[int(a.priority[i])],
                start_at=to_datetime(int(a.start_at[i])),  # type: ignore[arg-type]
                stop_at=to_datetime(int(a.stop_at[i])),
                goal_seconds=int(a.goal_ns[i]) / NS,
                elapsed_seconds=int(a.elapsed_ns[i]) / NS,
                paused_seconds=int(a.paused_ns[i]) / NS,
                due_at=to_datetime(int(a.due_at[i])),
                status=STATUS_BY_CODE[int(a.status[i])],
                breached_at=to_datetime(int(a.breached_at[i])),
            )


@dataclass(slots=True)
class EvaluationResult:
    """Everything an evaluation found: clocks of clock targets, a compliance row per target
    and period, skipped items, delivery occurrences due so far, and error budgets (targets
    with an error ratio: clock shares, deliveries, availability)."""

    as_of: datetime
    clocks: list[TargetClocks] = field(default_factory=list)
    compliance: list[ComplianceRow] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)
    deliveries: list[DeliveryOccurrence] = field(default_factory=list)
    budgets: list[ErrorBudget] = field(default_factory=list)


def clock_rules(agreement: Agreement, target: Target, values: Sequence[str]) -> ClockRules:
    """Code a target's rules against a table's value vocabulary.

    Priorities and pause states match case-insensitively and ignoring repeated spaces, so a
    service desk's `Awaiting Customer` pauses a target that lists `awaiting customer`.
    """
    prio_index = {normal(p): i for i, p in enumerate(agreement.priorities)}
    pauses = {normal(s) for s in target.pause_states}
    priority_of_value = np.array([prio_index.get(normal(v), -1) for v in values] or [-1], np.int16)
    pause_of_value = np.array([normal(v) in pauses for v in values] or [False], dtype=bool)
    goal_ns = np.full(len(agreement.priorities), -1, dtype=np.int64)
    goal_wd = np.full(len(agreement.priorities), -1, dtype=np.int64)
    for name, duration in target.goals.items():
        i = prio_index[normal(name)]
        if duration.working_days is not None:
            goal_wd[i] = duration.working_days
        else:
            goal_ns[i] = duration.seconds * NS
    default = -1
    if agreement.default_priority is not None:
        default = prio_index[normal(agreement.default_priority)]
    return ClockRules(
        stop_kinds=tuple(sorted(target.stop_events)),
        reopen=target.effective_reopen.value,
        priority_change=target.on_priority_change.value,
        priority_of_value=priority_of_value,
        pause_of_value=pause_of_value,
        goal_ns=goal_ns,
        goal_wd=goal_wd,
        warn_at_ppm=int(target.warn_at * 1_000_000),
        default_priority=default,
    )


def evaluate(
    agreements: Sequence[Agreement],
    table: EventTable,
    as_of: datetime,
    progress: Progress | None = None,
) -> EvaluationResult:
    """Evaluate every target over the table as of `as_of`: clocks, then compliance per period.

    Only events at or before `as_of` are used, so a past evaluation is reproduced exactly.
    Clocks that start outside the agreement's validity do not belong to it; records (items with
    an `outage` or `delivered` event and no `created`) have no clocks. Items are processed in
    chunks to bound memory; `progress(done, total)` counts target-chunks (one per target that
    is not a clock).
    """
    as_of_ns = to_ns(as_of)
    table = table.until(as_of_ns)
    result = EvaluationResult(as_of=as_of.astimezone(UTC))
    chunks = table.item_bounds(CHUNK_ITEMS)
    total = sum(len(chunks) if t.is_clock else 1 for a in agreements for t in a.targets)
    done = 0
    fields = ItemFields(table)
    for agreement in agreements:
        calendars = {name: BusinessCalendar(spec) for name, spec in agreement.calendars.items()}
        for target in agreement.targets:
            calendar = calendars[target.calendar]
            if target.is_clock:
                done = _run_clock_target(
                    agreement, target, table, fields, calendar, as_of_ns, result, chunks,
                    lambda d: progress(d, total) if progress is not None else None, done,
                )  # fmt: skip
                continue
            if target.kind is TargetKind.COUNT:
                result.compliance.extend(count_rows(agreement, target, table, fields, as_of_ns))
            elif target.kind is TargetKind.DELIVERY:
                rows, occurrences = delivery_outcome(
                    agreement, target, table, fields, calendar, as_of_ns
                )
                result.compliance.extend(rows)
                result.deliveries.extend(occurrences)
                result.budgets.extend(_ratio_budgets(target, rows))
            else:
                outcome = availability_outcome(agreement, target, table, fields, calendar, as_of_ns)
                result.compliance.extend(outcome.rows)
                result.budgets.extend(outcome.budgets)
                result.skipped.extend(outcome.skipped)
            done += 1
            if progress is not None:
                progress(done, total)
    return result


def _run_clock_target(
    agreement: Agreement,
    target: Target,
    table: EventTable,
    fields: ItemFields,
    calendar: BusinessCalendar,
    as_of_ns: int,
    result: EvaluationResult,
    chunks: list[tuple[int, int]],
    report: Callable[[int], None],
    done: int,
) -> int:
    """Run one clock target chunk by chunk into `result`; return the chunks done so far."""
    rules = clock_rules(agreement, target, table.values)
    item_ok = fields.items_for(agreement, target) & ~fields.records()
    v_start, v_end = validity_ns(agreement, target)
    if len(table):
        # Build the calendar's index once, before the threads share it.
        calendar.positions_ns(np.array([int(table.at.min()), as_of_ns], dtype=np.int64))

    def run(bounds: tuple[int, int]) -> ClockRun:
        out = run_clocks(table.rows(*bounds), rules, calendar, as_of_ns, item_ok)
        # A clock belongs to the agreement version in force at its start.
        inside = (out.clocks.start_at >= v_start) & (out.clocks.start_at < v_end)
        return ClockRun(out.clocks.take(inside), out.skipped_item, out.skipped_reason)

    parts: list[ClockArrays] = []
    for run_result in _map(run, chunks):
        parts.append(run_result.clocks)
        reasons = [_SKIP_REASONS[code] for code in run_result.skipped_reason.tolist()]
        result.skipped.extend(
            SkippedItem(table.item_ids[item], agreement.id, target.id, reason)
            for item, reason in zip(run_result.skipped_item.tolist(), reasons, strict=True)
        )
        done += 1
        report(done)
    target_clocks = TargetClocks(
        agreement.id, target.id, agreement.priorities, table.item_ids, tuple(parts)
    )
    result.clocks.append(target_clocks)
    rows = compliance_rows(agreement, target, target_clocks, as_of_ns)
    result.compliance.extend(rows)
    result.budgets.extend(_ratio_budgets(target, rows))
    return done


def _ratio_budgets(target: Target, rows: Sequence[ComplianceRow]) -> list[ErrorBudget]:
    budget = target.error_budget
    if budget is None:
        return []
    return [ratio_budget(row, budget, _BUDGET_UNITS[target.kind]) for row in rows]


def ratio_burn_rate(
    result: EvaluationResult, agreement: Agreement, target_id: str, window_seconds: int
) -> BurnRate:
    """The burn rate of a share target over `[as_of - window, as_of]` from an evaluation.

    The error ratio is breached / counted among the clocks decided in the window (for a
    delivery target: missed / due among the occurrences due in it); burn = ratio / B. Both
    are None when nothing was counted, the burn rate also when B = 0. For availability use
    `services.availability.burn_rates`.
    """
    target = agreement.target(target_id)
    budget = target.error_budget
    if budget is None or target.kind is TargetKind.AVAILABILITY:
        raise ValueError(f"target '{target_id}' has no error ratio from clocks or deliveries")
    as_of_ns = to_ns(result.as_of)
    lo = as_of_ns - window_seconds * NS
    bad = counted = 0
    if target.kind is TargetKind.DELIVERY:
        for occurrence in result.deliveries:
            key = (occurrence.agreement_id, occurrence.target_id)
            if key == (agreement.id, target_id) and lo <= to_ns(occurrence.due_at) <= as_of_ns:
                counted += 1
                bad += not occurrence.met
    else:
        for clocks in result.clocks:
            if (clocks.agreement_id, clocks.target_id) != (agreement.id, target_id):
                continue
            for part in clocks.parts:
                decided = decision_instants(part)
                inside = (decided >= lo) & (decided <= as_of_ns)
                counted += int(inside.sum())
                bad += int((inside & (part.status == _BREACHED)).sum())
    ratio = Decimal(bad) / Decimal(counted) if counted else None
    burn = ratio / budget if ratio is not None and budget > 0 else None
    return BurnRate(agreement.id, target_id, window_seconds, ratio, burn)


def _map(
    fn: Callable[[tuple[int, int]], ClockRun], bounds: list[tuple[int, int]]
) -> Iterable[ClockRun]:
    """Run chunks on every core (NumPy releases the GIL in its loops), results in order."""
    if len(bounds) == 1 or WORKERS == 1:
        return map(fn, bounds)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(fn, bounds))


def compliance_rows(
    agreement: Agreement, target: Target, clocks: TargetClocks, as_of_ns: int
) -> list[ComplianceRow]:
    """A clock target's rows: attainment against a share, or the nearest-rank percentile.

    Under a percentile objective the row's value is elapsed / goal of the clock at the rank
    (rounded up, so a shown value never understates), and the period is met when that clock
    is met.
    """
    periods, edges = periods_begun(agreement, target, as_of_ns)
    counts = count_by_period(clocks.parts, edges)
    ranked = (
        percentile_by_period(clocks.parts, edges, target.percentile)
        if target.percentile is not None
        else None
    )
    rows = []
    for i, period in enumerate(periods):
        met, breached = int(counts.met[i]), int(counts.breached[i])
        counted = met + breached
        attainment = attainment_of(met, counted)
        value = None
        if attainment is None:
            outcome = "no data"
        elif ranked is not None:
            elapsed, goal = int(ranked.elapsed_ns[i]), int(ranked.goal_ns[i])
            value = _ratio(elapsed, goal)
            outcome = "met" if bool(ranked.met[i]) else "missed"
        else:
            outcome = "met" if Decimal(met) / Decimal(counted) >= target.objective else "missed"
        rows.append(
            ComplianceRow(
                agreement.id,
                target.id,
                period.start_on,
                period.end_on,
                counted,
                met,
                breached,
                attainment,
                target.objective,
                outcome,
                kind=target.kind.value,
                value=value,
            )
        )
    return rows


def _ratio(elapsed: int, goal: int) -> Decimal:
    if goal <= 0:
        return Decimal(0) if elapsed <= 0 else Decimal("Infinity")
    return (Decimal(elapsed) / Decimal(goal)).quantize(FRACTION_PLACES, rounding=ROUND_CEILING)
