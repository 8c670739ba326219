"""Evaluate agreements against an event log: clocks per target and compliance per period.

The one use case behind `accord evaluate`, the demo, and later the API and reports. Works on
an in-memory `EventTable`; reading files is the caller's business (see `services.runs`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from accord.domain.agreements import Agreement, Target
from accord.domain.clocks import STATUS_BY_CODE, Clock, SkippedItem
from accord.domain.events import EventKind
from accord.domain.periods import Period, periods_between
from accord.engine.calendars import BusinessCalendar, local_to_utc
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
from accord.engine.compliance import count_by_period
from accord.engine.events import KIND_CODE, NAT, EventTable

CHUNK_ITEMS = 100_000
WORKERS = max(1, min(4, os.cpu_count() or 1))
NS = 1_000_000_000

Progress = Callable[[int, int], None]

_SKIP_REASONS = {
    SKIP_NO_CREATED: "no 'created' event",
    SKIP_NO_PRIORITY: "no priority, and the agreement names no default_priority",
    SKIP_UNKNOWN_PRIORITY: "a priority that is not one of the agreement's priorities",
    SKIP_NO_GOAL: "its priority has no goal in this target",
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
                start_at=_instant(int(a.start_at[i])),  # type: ignore[arg-type]
                stop_at=_instant(int(a.stop_at[i])),
                goal_seconds=int(a.goal_ns[i]) / NS,
                elapsed_seconds=int(a.elapsed_ns[i]) / NS,
                paused_seconds=int(a.paused_ns[i]) / NS,
                due_at=_instant(int(a.due_at[i])),
                status=STATUS_BY_CODE[int(a.status[i])],
                breached_at=_instant(int(a.breached_at[i])),
            )


@dataclass(frozen=True, slots=True)
class ComplianceRow:
    agreement_id: str
    target_id: str
    period_start: date
    period_end: date  # exclusive
    counted: int
    met: int
    breached: int
    attainment: Decimal | None
    objective: Decimal
    result: str  # "met" | "missed" | "no data"


@dataclass(slots=True)
class EvaluationResult:
    as_of: datetime
    clocks: list[TargetClocks] = field(default_factory=list)
    compliance: list[ComplianceRow] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)


def _instant(ns: int) -> datetime | None:
    if ns == NAT:
        return None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=ns // 1000)


def to_ns(at: datetime) -> int:
    """An aware datetime as integer UTC nanoseconds (exact to the microsecond)."""
    if at.tzinfo is None:
        raise ValueError("the evaluation instant needs a time zone (e.g. 2026-04-01T00:00:00Z)")
    delta = at.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * NS + delta.microseconds * 1000


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def clock_rules(agreement: Agreement, target: Target, values: Sequence[str]) -> ClockRules:
    """Code a target's rules against a table's value vocabulary.

    Priorities and pause states match case-insensitively and ignoring repeated spaces, so a
    service desk's `Awaiting Customer` pauses a target that lists `awaiting customer`.
    """
    prio_index = {_normal(p): i for i, p in enumerate(agreement.priorities)}
    pauses = {_normal(s) for s in target.pause_states}
    priority_of_value = np.array([prio_index.get(_normal(v), -1) for v in values] or [-1], np.int16)
    pause_of_value = np.array([_normal(v) in pauses for v in values] or [False], dtype=bool)
    goal_ns = np.full(len(agreement.priorities), -1, dtype=np.int64)
    goal_wd = np.full(len(agreement.priorities), -1, dtype=np.int64)
    for name, duration in target.goals.items():
        i = prio_index[_normal(name)]
        if duration.working_days is not None:
            goal_wd[i] = duration.working_days
        else:
            goal_ns[i] = duration.seconds * NS
    default = -1
    if agreement.default_priority is not None:
        default = prio_index[_normal(agreement.default_priority)]
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


def latest_field_values(table: EventTable, name: str) -> npt.NDArray[np.int32]:
    """Per item, the value code of the last `field` event setting `name` (-1 where none)."""
    prefix = f"{name}="
    is_name = np.array([v.startswith(prefix) for v in table.values] + [False], dtype=bool)
    # value -1 (none) indexes the trailing False.
    rows = np.flatnonzero((table.kind == KIND_CODE[EventKind.FIELD]) & is_name[table.value])
    latest = np.full(table.n_items, -1, dtype=np.int32)
    latest[table.item[rows]] = table.value[rows]  # rows are sorted, so the last write wins
    return latest


class _ItemFields:
    """Latest field values per item, computed once per field name and evaluation."""

    def __init__(self, table: EventTable) -> None:
        self._table = table
        self._latest: dict[str, npt.NDArray[np.int32]] = {}

    def allowed(
        self, name: str, allowed: frozenset[str], missing_ok: bool
    ) -> npt.NDArray[np.bool_]:
        latest = self._latest.get(name)
        if latest is None:
            latest = self._latest[name] = latest_field_values(self._table, name)
        prefix = f"{name}="
        codes = [
            i
            for i, v in enumerate(self._table.values)
            if v.startswith(prefix) and v[len(prefix) :] in allowed
        ]
        ok = np.isin(latest, np.array(codes, dtype=np.int32))
        if missing_ok:
            ok |= latest < 0
        return ok

    def items_for(self, agreement: Agreement, target: Target) -> npt.NDArray[np.bool_]:
        """Which items a target covers: the agreement's services (when the item names its
        service) and the target's `match` filters (the item's latest value must be listed)."""
        ok = self.allowed("service", frozenset(agreement.services), missing_ok=True)
        for name, allowed in target.match.items():
            ok &= self.allowed(name, allowed, missing_ok=False)
        return ok


def _local_midnight_ns(zone: ZoneInfo, day: date) -> int:
    return to_ns(local_to_utc(zone, day, 0))


def periods_begun(
    agreement: Agreement, target: Target, as_of_ns: int
) -> tuple[list[Period], npt.NDArray[np.int64]]:
    """The periods of the validity that have begun by `as_of_ns`, and their UTC edges."""
    zone = ZoneInfo(agreement.period_timezone(target))
    periods = periods_between(target.period, agreement.validity.start_on, agreement.validity.end_on)
    begun = [p for p in periods if _local_midnight_ns(zone, p.start_on) <= as_of_ns]
    edges = [_local_midnight_ns(zone, p.start_on) for p in begun]
    if begun:
        edges.append(_local_midnight_ns(zone, begun[-1].end_on))
    return begun, np.array(edges, dtype=np.int64)


def attainment_of(met: int, counted: int) -> Decimal | None:
    if counted == 0:
        return None
    return (Decimal(met) / Decimal(counted)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)


def evaluate(
    agreements: Sequence[Agreement],
    table: EventTable,
    as_of: datetime,
    progress: Progress | None = None,
) -> EvaluationResult:
    """Run every target's clocks over the table as of `as_of`, then compliance per period.

    Only events at or before `as_of` are used, so a past evaluation is reproduced exactly.
    Clocks that start outside the agreement's validity do not belong to it. Items are processed
    in chunks to bound memory; `progress(done, total)` counts target-chunks.
    """
    as_of_ns = to_ns(as_of)
    table = table.until(as_of_ns)
    result = EvaluationResult(as_of=as_of.astimezone(UTC))
    chunks = table.item_bounds(CHUNK_ITEMS)
    total = sum(len(a.targets) for a in agreements) * len(chunks)
    done = 0
    fields = _ItemFields(table)
    for agreement in agreements:
        calendars = {name: BusinessCalendar(spec) for name, spec in agreement.calendars.items()}
        for target in agreement.targets:
            calendar = calendars[target.calendar]
            rules = clock_rules(agreement, target, table.values)
            item_ok = fields.items_for(agreement, target)
            v_start, v_end = _validity_ns(agreement, target)
            if len(table):
                # Build the calendar's index once, before the threads share it.
                calendar.positions_ns(np.array([int(table.at.min()), as_of_ns], dtype=np.int64))

            def run(
                bounds: tuple[int, int],
                calendar: BusinessCalendar = calendar,
                rules: ClockRules = rules,
                item_ok: npt.NDArray[np.bool_] = item_ok,
                v_start: int = v_start,
                v_end: int = v_end,
            ) -> ClockRun:
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
                if progress is not None:
                    progress(done, total)
            target_clocks = TargetClocks(
                agreement.id, target.id, agreement.priorities, table.item_ids, tuple(parts)
            )
            result.clocks.append(target_clocks)
            result.compliance.extend(_compliance_rows(agreement, target, target_clocks, as_of_ns))
    return result


def _validity_ns(agreement: Agreement, target: Target) -> tuple[int, int]:
    """The agreement's validity as UTC instants `[start, end)` in its period time zone."""
    zone = ZoneInfo(agreement.period_timezone(target))
    start = _local_midnight_ns(zone, agreement.validity.start_on)
    end = _local_midnight_ns(zone, agreement.validity.end_on + timedelta(days=1))
    return start, end


def _map(
    fn: Callable[[tuple[int, int]], ClockRun], bounds: list[tuple[int, int]]
) -> Iterable[ClockRun]:
    """Run chunks on every core (NumPy releases the GIL in its loops), results in order."""
    if len(bounds) == 1 or WORKERS == 1:
        return map(fn, bounds)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(fn, bounds))


def _compliance_rows(
    agreement: Agreement, target: Target, clocks: TargetClocks, as_of_ns: int
) -> list[ComplianceRow]:
    periods, edges = periods_begun(agreement, target, as_of_ns)
    counts = count_by_period(clocks.parts, edges)
    rows = []
    for i, period in enumerate(periods):
        met, breached = int(counts.met[i]), int(counts.breached[i])
        counted = met + breached
        attainment = attainment_of(met, counted)
        if attainment is None:
            outcome = "no data"
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
            )
        )
    return rows
