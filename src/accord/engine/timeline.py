"""One item's clocks explained: when each cycle started, paused, resumed, stopped, and why.

Every figure comes from `run_clocks` itself, run as of each instant of the item's events, so the
timeline cannot disagree with the clocks output; this module only reads which events happened
between two snapshots. Pure computation over one item's events: no I/O, no text for people.

The steps:
1. Take the item's distinct event instants (and the breach instants found on the way) up to the
   evaluation instant; run the clocks as of each one.
2. Between consecutive snapshots, a cycle that appears has started; one whose stop appears has
   stopped (or been cancelled); one whose stop disappears was reopened; a changed priority is a
   priority change; a pause state entered or left while it runs is a pause or a resume.
3. A breach found in a snapshot is placed at its `breached_at`, with the elapsed time the clocks
   give as of that instant.
4. The verdict is the final snapshot's row, with the reason that explains it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from accord.domain.clocks import STATUS_BY_CODE, ClockStatus
from accord.domain.events import EVENT_CODES, EventKind
from accord.engine.calendars import BusinessCalendar
from accord.engine.clocks import ClockArrays, ClockRules, run_clocks
from accord.engine.events import NAT, EventTable

_KIND_BY_CODE = {code: kind for kind, code in EVENT_CODES.items()}


class StepKind(StrEnum):
    """What happened to a clock cycle at one instant."""

    STARTED = "started"
    PRIORITY_CHANGED = "priority changed"
    PAUSED = "paused"
    RESUMED = "resumed"
    BREACHED = "breached"
    STOPPED = "stopped"
    CANCELLED = "cancelled"
    REOPENED = "reopened"


class VerdictReason(StrEnum):
    """Why a cycle has its status (SEMANTICS.md, "status")."""

    WITHIN_GOAL = "within goal"  # met: stopped with elapsed <= goal
    REACHED_GOAL = "reached goal"  # breached: elapsed reached the goal while the clock ran
    GOAL_LOWERED = "goal lowered"  # breached: a priority change set a goal below elapsed
    CANCELLED_BY_RESTART = "cancelled by restart"  # restart policy on a priority change
    NEAR_GOAL = "near goal"  # at-risk: running, elapsed >= warn x goal
    PAUSED = "paused"
    RUNNING = "running"


@dataclass(frozen=True, slots=True)
class Step:
    """One thing that happened to a cycle, with the engine's figures as of that instant.

    `priority` indexes the agreement's priorities (-1: none); `detail` names the event behind
    the step: the state for a pause or resume, the stop event, `reopened` or `restart` for a
    cycle started by one.
    """

    at_ns: int
    kind: StepKind
    priority: int
    goal_ns: int
    elapsed_ns: int
    detail: str = ""


@dataclass(frozen=True, slots=True)
class CycleExplanation:
    """One clock cycle as of the evaluation: the same figures as its clocks row, and its steps."""

    cycle: int
    priority: int
    start_at_ns: int
    stop_at_ns: int
    goal_ns: int
    elapsed_ns: int
    paused_ns: int
    due_at_ns: int
    breached_at_ns: int
    status: ClockStatus
    reason: VerdictReason
    steps: tuple[Step, ...]


def explain(
    table: EventTable, rules: ClockRules, calendar: BusinessCalendar, as_of_ns: int
) -> list[CycleExplanation]:
    """Explain every clock cycle of the one item in `table` as of `as_of_ns`.

    `table` holds the events of a single item (other rows are an error); events after
    `as_of_ns` are ignored. An item without a clock (no `created`, no goal for its priority)
    gives an empty list.
    """
    table = table.until(as_of_ns)
    if len(table) and int(table.item.min()) != int(table.item.max()):
        raise ValueError("explain() takes the events of one item")
    final = _snapshot(table, rules, calendar, as_of_ns)
    if not final:
        return []
    instants = sorted({int(t) for t in np.unique(table.at)} | {as_of_ns})
    snapshots = {t: _snapshot(table, rules, calendar, t) for t in instants}
    steps: dict[int, list[Step]] = {cycle: [] for cycle in final}
    previous: dict[int, _Row] = {}
    breach_seen: set[int] = set()
    for t in instants:
        current = snapshots[t]
        at_t = table.rows(*np.searchsorted(table.at, [t, t + 1]).tolist())
        for cycle, row in current.items():
            if cycle not in steps:
                continue  # a cycle that a later event cancels out of existence
            before = previous.get(cycle)
            found = _steps_at(t, row, before, at_t, rules, table, cycle > 1)
            if row.breached_at != NAT and cycle not in breach_seen:
                breach_seen.add(cycle)
                found.append(_breach_step(row, table, rules, calendar, found))
            steps[cycle].extend(found)
        previous = current
    return [_explained(final[cycle], steps[cycle]) for cycle in sorted(final)]


@dataclass(frozen=True, slots=True)
class _Row:
    cycle: int
    priority: int
    start_at: int
    stop_at: int
    goal_ns: int
    elapsed_ns: int
    paused_ns: int
    due_at: int
    status: ClockStatus
    breached_at: int


def _snapshot(
    table: EventTable, rules: ClockRules, calendar: BusinessCalendar, at_ns: int
) -> dict[int, _Row]:
    clocks = run_clocks(table.until(at_ns), rules, calendar, at_ns).clocks
    return {row.cycle: row for row in _rows(clocks)}


def _rows(a: ClockArrays) -> list[_Row]:
    return [
        _Row(
            cycle=int(a.cycle[i]),
            priority=int(a.priority[i]),
            start_at=int(a.start_at[i]),
            stop_at=int(a.stop_at[i]),
            goal_ns=int(a.goal_ns[i]),
            elapsed_ns=int(a.elapsed_ns[i]),
            paused_ns=int(a.paused_ns[i]),
            due_at=int(a.due_at[i]),
            status=STATUS_BY_CODE[int(a.status[i])],
            breached_at=int(a.breached_at[i]),
        )
        for i in range(len(a))
    ]


def _steps_at(
    t: int,
    row: _Row,
    before: _Row | None,
    at_t: EventTable,
    rules: ClockRules,
    table: EventTable,
    later_cycle: bool,
) -> list[Step]:
    """The steps of one cycle at instant `t`, in SEMANTICS.md's order of application."""
    kinds = [_KIND_BY_CODE[int(k)] for k in at_t.kind]

    def step(kind: StepKind, detail: str = "") -> Step:
        return Step(t, kind, row.priority, row.goal_ns, row.elapsed_ns, detail)

    found: list[Step] = []
    if before is None:
        # A clock can appear after its start: a first priority set after `created` applies
        # from the start (docs/policies.md), so the clock exists only once it is known.
        start = row.start_at
        cause = ""
        if later_cycle:
            cause = "reopened" if EventKind.REOPENED in kinds else "restart"
        found.append(Step(start, StepKind.STARTED, row.priority, row.goal_ns, 0, cause))
        if _paused_after(table, rules, start) and row.stop_at != start:
            found.append(
                Step(
                    start, StepKind.PAUSED, row.priority, row.goal_ns, 0, _state_after(table, start)
                )
            )
    else:
        if row.priority != before.priority:
            found.append(step(StepKind.PRIORITY_CHANGED))
        was_running = before.stop_at == NAT
        if was_running and row.stop_at == NAT:
            paused_before = _paused_after(table, rules, _before_instant(table, t))
            paused_now = _paused_after(table, rules, t)
            if paused_now and not paused_before:
                found.append(step(StepKind.PAUSED, _state_after(table, t)))
            elif paused_before and not paused_now:
                found.append(step(StepKind.RESUMED, _state_after(table, t)))
        if not was_running and row.stop_at == NAT:
            found.append(step(StepKind.REOPENED, EventKind.REOPENED.value))
    if row.stop_at == t and (before is None or before.stop_at != t):
        if row.status is ClockStatus.CANCELLED:
            found.append(step(StepKind.CANCELLED, "restart"))
        else:
            stops = [k.value for k in kinds if k in rules.stop_kinds]
            found.append(step(StepKind.STOPPED, stops[0] if stops else ""))
    return found


def _before_instant(table: EventTable, t: int) -> int:
    """The item's last event instant before `t` (or `t - 1` when there is none)."""
    earlier = table.at[table.at < t]
    return int(earlier[-1]) if earlier.size else t - 1


def _state_after(table: EventTable, t: int) -> str:
    """The item's state in force after the events at `t` ('' when it has none yet)."""
    is_state = (table.kind == EVENT_CODES[EventKind.STATE]) & (table.at <= t)
    rows = np.flatnonzero(is_state)
    if rows.size == 0:
        return ""
    code = int(table.value[rows[-1]])
    return table.values[code] if code >= 0 else ""


def _paused_after(table: EventTable, rules: ClockRules, t: int) -> bool:
    """Whether the state in force after the events at `t` is one of the target's pauses."""
    is_state = (table.kind == EVENT_CODES[EventKind.STATE]) & (table.at <= t)
    rows = np.flatnonzero(is_state)
    if rows.size == 0:
        return False
    code = int(table.value[rows[-1]])
    return code >= 0 and bool(rules.pause_of_value[code])


def _breach_step(
    row: _Row,
    table: EventTable,
    rules: ClockRules,
    calendar: BusinessCalendar,
    found: list[Step],
) -> Step:
    """The breach of a cycle at its `breached_at`, with the engine's elapsed as of then."""
    at = row.breached_at
    changed_here = any(s.kind is StepKind.PRIORITY_CHANGED and s.at_ns == at for s in found)
    then = _snapshot(table, rules, calendar, at).get(row.cycle, row)
    detail = VerdictReason.GOAL_LOWERED.value if changed_here else VerdictReason.REACHED_GOAL.value
    return Step(at, StepKind.BREACHED, then.priority, then.goal_ns, then.elapsed_ns, detail)


_ORDER = {kind: i for i, kind in enumerate(StepKind)}


def _explained(row: _Row, steps: list[Step]) -> CycleExplanation:
    ordered = sorted(steps, key=lambda s: (s.at_ns, _ORDER[s.kind]))
    return CycleExplanation(
        cycle=row.cycle,
        priority=row.priority,
        start_at_ns=row.start_at,
        stop_at_ns=row.stop_at,
        goal_ns=row.goal_ns,
        elapsed_ns=row.elapsed_ns,
        paused_ns=row.paused_ns,
        due_at_ns=row.due_at,
        breached_at_ns=row.breached_at,
        status=row.status,
        reason=_reason(row, ordered),
        steps=tuple(ordered),
    )


def _reason(row: _Row, steps: list[Step]) -> VerdictReason:
    if row.status is ClockStatus.CANCELLED:
        return VerdictReason.CANCELLED_BY_RESTART
    if row.status is ClockStatus.BREACHED:
        lowered = any(
            s.kind is StepKind.BREACHED and s.detail == VerdictReason.GOAL_LOWERED.value
            for s in steps
        )
        return VerdictReason.GOAL_LOWERED if lowered else VerdictReason.REACHED_GOAL
    return {
        ClockStatus.MET: VerdictReason.WITHIN_GOAL,
        ClockStatus.AT_RISK: VerdictReason.NEAR_GOAL,
        ClockStatus.PAUSED: VerdictReason.PAUSED,
    }.get(row.status, VerdictReason.RUNNING)
