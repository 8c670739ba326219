"""SLA clocks for every item of a target at once: start, stop, pauses, priority changes, reopens.

Column-wise over an `EventTable` (no Python loop per item); the rules are SEMANTICS.md's
"Items and clocks". Inputs are already filtered to the evaluation instant; no I/O here.

The steps, over rows sorted by item, instant and rank:
1. Per event: started, running (stops and reopens under the reopen policy), priority and state
   in force (forward fill within the item).
2. Keep the last event of each (item, instant): the state after all events at that instant
   holds until the item's next instant, so each kept row is a segment of constant state.
3. Cycles: a reopen after a stop (`new-cycle`) or a priority change while running (`restart`)
   starts a new cycle; elapsed and goals are grouped per (item, cycle).
4. Business time per segment on the calendar; elapsed = counting segments (running, not
   paused), exclusive running sum per cycle.
5. Goals per segment (the priority's, the running minimum under `strictest`, working-day goals
   measured from the cycle start); a breach is the first segment whose end exceeds the goal in
   force, dated at the earliest instant elapsed reached that goal, never before the change that
   brought the goal into force.
6. One row per cycle: stop or cancel instant, elapsed, paused, goal, due, status.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from accord.domain.clocks import STATUS_CODES, ClockStatus
from accord.domain.events import EventKind
from accord.engine.calendars import BusinessCalendar
from accord.engine.events import KIND_CODE, NAT, EventTable
from accord.engine.groups import (
    cumcount,
    cummin,
    cumsum_exclusive,
    first_row,
    last_valid,
    run_ends,
    run_starts,
)

Int64Array = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
Int16Array = npt.NDArray[np.int16]
Int8Array = npt.NDArray[np.int8]
BoolArray = npt.NDArray[np.bool_]

NO_GOAL = np.int64(2**62)  # a goal that can never be exceeded: the priority has none here

_CANCELLED = STATUS_CODES[ClockStatus.CANCELLED]
_BREACHED = STATUS_CODES[ClockStatus.BREACHED]
_MET = STATUS_CODES[ClockStatus.MET]
_PAUSED = STATUS_CODES[ClockStatus.PAUSED]
_AT_RISK = STATUS_CODES[ClockStatus.AT_RISK]
_RUNNING = STATUS_CODES[ClockStatus.RUNNING]

SKIP_NO_CREATED = 1
SKIP_NO_PRIORITY = 2
SKIP_UNKNOWN_PRIORITY = 3
SKIP_NO_GOAL = 4


@dataclass(frozen=True, slots=True)
class ClockRules:
    """A target's clock rules in coded form, ready for the kernel.

    `priority_of_value` maps each code of the table's value vocabulary to an index into the
    agreement's priorities (-1: not a priority of this agreement); `pause_of_value` says which
    values are pause states. Goals per priority index: `goal_ns` (business time; -1 where the
    priority has none or uses working days) and `goal_wd` (working days; -1 where not).
    """

    stop_kinds: tuple[EventKind, ...]
    reopen: str  # "resume" | "new-cycle" | "ignore"
    priority_change: str  # "keep-elapsed" | "restart" | "strictest"
    priority_of_value: Int16Array
    pause_of_value: BoolArray
    goal_ns: Int64Array
    goal_wd: Int64Array
    warn_at_ppm: int  # warn threshold in millionths of the goal
    default_priority: int = -1


@dataclass(frozen=True, slots=True)
class ClockArrays:
    """One row per (item, cycle): the columns of the clocks output, as of the evaluation."""

    item: Int32Array
    cycle: Int32Array
    priority: Int16Array
    start_at: Int64Array
    stop_at: Int64Array
    goal_ns: Int64Array
    elapsed_ns: Int64Array
    paused_ns: Int64Array
    due_at: Int64Array
    status: Int8Array
    breached_at: Int64Array

    def __len__(self) -> int:
        return int(self.item.shape[0])

    @classmethod
    def empty(cls) -> ClockArrays:
        i64 = np.empty(0, dtype=np.int64)
        return cls(
            np.empty(0, np.int32), np.empty(0, np.int32), np.empty(0, np.int16),
            i64, i64, i64, i64, i64, i64, np.empty(0, np.int8), i64,
        )  # fmt: skip

    @classmethod
    def concat(cls, parts: list[ClockArrays]) -> ClockArrays:
        """Join parts column by column, emptying `parts` so that each column's pieces can be
        freed as soon as it is joined (peak memory: the parts plus one joined column)."""
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts.pop()
        pieces = [{name: getattr(p, name) for name in cls.__slots__} for p in parts]
        parts.clear()
        columns = {}
        for name in cls.__slots__:
            columns[name] = np.concatenate([piece.pop(name) for piece in pieces])
        return cls(**columns)

    def take(self, index: npt.NDArray[np.integer] | BoolArray) -> ClockArrays:
        if index.dtype == np.bool_ and bool(index.all()):
            return self
        return ClockArrays(*(getattr(self, name)[index] for name in self.__slots__))


@dataclass(frozen=True, slots=True)
class ClockRun:
    """Clocks of one target over one table, and the items that got none (code per item)."""

    clocks: ClockArrays
    skipped_item: Int32Array
    skipped_reason: Int8Array


def run_clocks(
    table: EventTable,
    rules: ClockRules,
    calendar: BusinessCalendar,
    as_of_ns: int,
    item_ok: BoolArray | None = None,
) -> ClockRun:
    """Compute every clock cycle of one target for the items of `table` as of `as_of_ns`.

    `table` must hold only events at or before `as_of_ns`; `item_ok` (per item of the table's
    vocabulary) restricts the target to matching items.
    """
    item, at, kind, value = table.item, table.at, table.kind, table.value
    # Only the kinds this target reads: fewer rows, the same segments' sums.
    wanted = [EventKind.CREATED, EventKind.PRIORITY, *rules.stop_kinds]
    if rules.reopen != "ignore":
        wanted.append(EventKind.REOPENED)
    if rules.pause_of_value.any():
        wanted.append(EventKind.STATE)
    kind_wanted = np.zeros(max(KIND_CODE.values()) + 1, dtype=bool)
    kind_wanted[[KIND_CODE[k] for k in wanted]] = True
    if item.size == 0:
        return ClockRun(ClockArrays.empty(), np.empty(0, np.int32), np.empty(0, np.int8))
    # Per-item arrays cover only this table's items: local index = item - base.
    base = int(item[0])
    span = int(item[-1]) - base + 1
    seen = np.zeros(span, dtype=bool)
    keep = kind_wanted[kind]
    if item_ok is not None:
        matching = item_ok[item]
        keep &= matching
        seen[item[matching] - base] = True
    else:
        seen[item - base] = True
    if not keep.all():
        item, at, kind, value = item[keep], at[keep], kind[keep], value[keep]
    n = item.shape[0]
    if n == 0:
        # The items seen have no event this target reads: none of them was created.
        skipped = np.flatnonzero(seen)
        reasons = np.full(skipped.size, SKIP_NO_CREATED, dtype=np.int8)
        return ClockRun(ClockArrays.empty(), (skipped + base).astype(np.int32), reasons)
    rows = np.arange(n, dtype=np.int64)

    # 1. Per-event state.
    item_start = run_starts(item)
    item_first = first_row(item_start)
    is_created = kind == KIND_CODE[EventKind.CREATED]
    started = cumcount(is_created, item_first) > 0
    is_prio = kind == KIND_CODE[EventKind.PRIORITY]
    prio_code = np.where(is_prio, rules.priority_of_value[np.maximum(value, 0)], -1).astype(
        np.int64
    )
    is_state = kind == KIND_CODE[EventKind.STATE]

    stop = np.zeros(n, dtype=bool)
    for stop_kind in rules.stop_kinds:
        stop |= kind == KIND_CODE[stop_kind]
    stop &= started
    reopen = (kind == KIND_CODE[EventKind.REOPENED]) & started
    if rules.reopen == "ignore":
        running = started & (cumcount(stop, item_first) == 0)
        effective_reopen = np.zeros(n, dtype=bool)
    else:
        toggle = stop | reopen
        last_toggle = last_valid(toggle, item_first)
        last_is_stop = (last_toggle >= 0) & stop[np.maximum(last_toggle, 0)]
        running = started & ~last_is_stop
        prev_toggle = np.full(n, -1, dtype=np.int64)
        prev_toggle[1:] = last_toggle[:-1]
        prev_toggle = np.where(item_start, -1, prev_toggle)
        prev_is_stop = (prev_toggle >= 0) & stop[np.maximum(prev_toggle, 0)]
        effective_reopen = reopen & prev_is_stop & (rules.reopen == "new-cycle")

    last_prio = last_valid(is_prio, item_first)
    last_state = last_valid(is_state, item_first)

    # Items that cannot have a clock: no created event, unknown or no priority.
    local = item - base
    has_created = np.zeros(span, dtype=bool)
    has_created[local[is_created]] = True
    unknown_prio = np.zeros(span, dtype=bool)
    unknown_prio[local[is_prio & (prio_code < 0)]] = True
    first_prio_of_item = np.full(span, -1, dtype=np.int64)
    prio_rows = np.flatnonzero(is_prio)
    if prio_rows.size:
        firsts = prio_rows[run_starts(item[prio_rows])]
        first_prio_of_item[local[firsts]] = prio_code[firsts]
    fallback = (
        np.full(span, rules.default_priority, dtype=np.int64)
        if rules.default_priority >= 0
        else first_prio_of_item
    )

    # 2. Cycles. A restart happens at an instant when the priority after it differs from the
    #    priority before it while the clock ran; priority events rank before every stop, so the
    #    whole instant belongs to the new cycle. A reopen under new-cycle starts one at its
    #    own event, after the stop ranked before it at that instant.
    priority_now = np.where(last_prio >= 0, prio_code[np.maximum(last_prio, 0)], fallback[local])
    instant_start = run_starts(item, at)
    group_of_event = np.cumsum(instant_start) - 1
    group_last = np.flatnonzero(run_ends(item, at))
    g_item_start = run_starts(item[group_last])
    restart_group = np.zeros(group_last.size, dtype=bool)
    if rules.priority_change == "restart" and group_last.size > 1:
        g_prio = priority_now[group_last]
        g_live = started[group_last] & running[group_last]
        restart_group[1:] = ~g_item_start[1:] & g_live[:-1] & (g_prio[1:] != g_prio[:-1])
    restarts = cumcount(restart_group, first_row(g_item_start))[group_of_event]
    cycle = cumcount(effective_reopen, item_first) + restarts

    # 3. Keep the last event of each (item, instant, cycle): the state after it holds until the
    #    next kept row. Note whether the clock ran at any point within the run (created and
    #    resolved at one instant is a cycle of zero length).
    run_first = np.flatnonzero(run_starts(item, at, cycle))
    ran_in_run = np.maximum.reduceat(running.view(np.int8), run_first) > 0
    eff = run_ends(item, at, cycle)
    e_rows = rows[eff]
    e_item = item[eff]
    e_at = at[eff]
    e_cycle = cycle[eff]
    e_running = running[eff]
    e_prio = priority_now[eff]
    ls = last_state[eff]
    e_paused = (ls >= 0) & rules.pause_of_value[np.maximum(value[np.maximum(ls, 0)], 0)]
    e_item_start = run_starts(e_item)
    m = e_rows.size
    # The first kept row of an instant with a restart opens the new cycle.
    restart_here = restart_group[group_of_event[eff]] & run_starts(e_item, e_at)

    # 4. Segments and business time.
    seg_end = np.empty(m, dtype=np.int64)
    seg_end[:-1] = e_at[1:]
    e_item_end = run_ends(e_item)
    seg_end[e_item_end] = as_of_ns
    running_before = np.zeros(m, dtype=bool)
    running_before[1:] = e_running[:-1] & ~e_item_start[1:]
    # A row belongs to its cycle if the clock ran before, during or after its instant; only
    # the time after the instant (while still running) is measured.
    active = e_running | running_before | ran_in_run
    seg_ns = np.where(e_running, calendar.elapsed_ns(e_at, seg_end), 0)
    counting = e_running & ~e_paused

    # From here on only active segments matter; stopped stretches only end cycles.
    a_idx = np.flatnonzero(active)
    a_item, a_cycle, a_at = e_item[a_idx], e_cycle[a_idx], e_at[a_idx]
    a_prio = e_prio[a_idx]
    a_count = counting[a_idx]
    a_seg = seg_ns[a_idx]
    a_paused_seg = np.where(a_count, 0, a_seg)  # a_seg is 0 where the clock has stopped
    a_count_seg = np.where(a_count, a_seg, 0)
    c_start = run_starts(a_item, a_cycle)
    c_first = first_row(c_start)
    c_end = run_ends(a_item, a_cycle)
    elapsed_before = cumsum_exclusive(a_count_seg, c_first)
    elapsed_after = elapsed_before + a_count_seg
    cycle_start_at = a_at[c_first]

    # 5. Goals.
    safe_prio = np.maximum(a_prio, 0)
    goal = np.where(a_prio >= 0, rules.goal_ns[safe_prio], -1)
    wd = np.where(a_prio >= 0, rules.goal_wd[safe_prio], -1)
    uses_wd = wd >= 0
    if uses_wd.any():
        starts_wd = cycle_start_at[uses_wd]
        due_wd = calendar.working_days_due_ns(starts_wd, wd[uses_wd])
        goal[uses_wd] = calendar.elapsed_ns(starts_wd, due_wd)
    goal = np.where(goal >= 0, goal, NO_GOAL)
    if rules.priority_change == "strictest":
        goal = cummin(goal, c_start)

    epoch_start = c_start.copy()
    epoch_start[1:] |= goal[1:] != goal[:-1]
    reach = np.full(a_idx.size, NAT, dtype=np.int64)
    at_start_reached = epoch_start & (elapsed_before >= goal)
    reach[at_start_reached] = a_at[at_start_reached]
    crossing = a_count & (elapsed_before < goal) & (goal <= elapsed_after)
    if crossing.any():
        reach[crossing] = calendar.add_ns(a_at[crossing], (goal - elapsed_before)[crossing])
    epoch_first = first_row(epoch_start)
    reach_row = last_valid(reach != NAT, epoch_first)
    reach_ffill = np.where(reach_row >= 0, reach[np.maximum(reach_row, 0)], NAT)
    breach_row = elapsed_after > goal

    # 6. One row per cycle.
    last = np.flatnonzero(c_end)
    first = np.flatnonzero(c_start)
    cyc_item = a_item[last]
    no_row = np.int64(a_idx.size)
    breach_index = np.where(breach_row, np.arange(a_idx.size, dtype=np.int64), no_row)
    first_breach = np.minimum.reduceat(breach_index, first) if first.size else breach_index[:0]
    breached = first_breach < no_row
    breached_at = np.where(breached, reach_ffill[np.minimum(first_breach, no_row - 1)], NAT)
    elapsed = elapsed_after[last]
    paused_total = np.add.reduceat(a_paused_seg, first) if first.size else a_paused_seg[:0]
    cyc_goal = goal[last]
    cyc_prio = a_prio[last]

    # How each cycle ended: stopped within its last instant, or a new cycle began at the next
    # kept row (a restart cancels; a reopen under new-cycle follows a stop at that instant).
    last_row = a_idx[last]
    stopped_here = ~e_running[last_row]
    after = last_row + 1
    after_safe = np.minimum(after, m - 1)
    has_after = ~stopped_here & (after < m) & ~e_item_start[after_safe]
    cancelled = has_after & restart_here[after_safe]
    ended = stopped_here | has_after
    stop_at = np.where(stopped_here, e_at[last_row], np.where(has_after, e_at[after_safe], NAT))
    still_running = ~ended
    paused_now = still_running & e_paused[a_idx[last]]

    last_count = last_valid(a_count, c_first)[last]
    lc = np.maximum(last_count, 0)
    resume_at = np.where(last_count >= 0, a_at[lc], cycle_start_at[last])
    elapsed_at_resume = np.where(last_count >= 0, elapsed_before[lc], 0)
    has_goal = cyc_goal < NO_GOAL
    remaining = np.where(has_goal, np.maximum(cyc_goal - elapsed_at_resume, 0), 0)
    projected = np.where(has_goal, calendar.add_ns(resume_at, remaining), NAT)
    due = np.where(reach_ffill[last] != NAT, reach_ffill[last], projected)
    due = np.where(breached, breached_at, due)
    due = np.where(paused_now & ~breached, NAT, due)

    status = np.full(last.size, _RUNNING, dtype=np.int8)
    warn = elapsed.astype(np.float64) * 1e6 >= cyc_goal.astype(np.float64) * rules.warn_at_ppm
    status[still_running & warn] = _AT_RISK
    status[paused_now] = _PAUSED
    status[ended] = _MET
    status[breached] = _BREACHED
    status[cancelled] = _CANCELLED

    # Number cycles 1, 2, ... per item; drop cycles of a priority the target has no goal for.
    cyc_number = cumcount(np.ones(last.size, dtype=bool), first_row(run_starts(cyc_item)))
    covered = has_goal & ~unknown_prio[cyc_item - base]
    clocks = ClockArrays(
        item=cyc_item.astype(np.int32),
        cycle=cyc_number.astype(np.int32),
        priority=cyc_prio.astype(np.int16),
        start_at=cycle_start_at[last],
        stop_at=stop_at,
        goal_ns=cyc_goal,
        elapsed_ns=elapsed,
        paused_ns=paused_total,
        due_at=due,
        status=status,
        breached_at=breached_at,
    ).take(covered)

    # Items without a clock, with the first reason that applies.
    reason = np.zeros(span, dtype=np.int8)
    no_goal = np.zeros(span, dtype=bool)
    no_goal[cyc_item[~has_goal] - base] = True
    no_goal[clocks.item - base] = False
    reason[seen & no_goal] = SKIP_NO_GOAL
    reason[seen & has_created & (fallback < 0) & ~unknown_prio] = SKIP_NO_PRIORITY
    reason[seen & unknown_prio] = SKIP_UNKNOWN_PRIORITY
    reason[seen & ~has_created] = SKIP_NO_CREATED
    skipped = np.flatnonzero(reason)
    return ClockRun(clocks, (skipped + base).astype(np.int32), reason[skipped])
