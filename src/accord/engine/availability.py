"""Availability and reliability from outage intervals, measured on a service window.

Pure NumPy (SEMANTICS.md, "Availability and reliability"): outage intervals in, time per window
out. Reading outage records from events and turning figures into Decimals belong to services.

The steps of `downtime`:
1. Clip every outage to the evaluation instant (an ongoing one lasts until then) and merge the
   planned ones and the unplanned ones separately; overlapping or touching intervals merge.
2. Downtime is unplanned time outside planned maintenance: cut both sets at every boundary and
   keep the pieces inside an unplanned outage and outside every planned one.
3. An unplanned outage's downtime is its pieces' time in the service window (the calendar);
   an outage with none there, or with less than the minimum, is ignored entirely.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from accord.engine.events import NAT
from accord.engine.groups import merge_intervals
from accord.engine.measures import count_by_period, sum_by_period

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
# Time in [a, b) for arrays of instants: a calendar's `elapsed_ns`, or `wall_ns`.
Measure = Callable[[Int64Array, Int64Array], Int64Array]

_NEVER = np.iinfo(np.int64).max


def wall_ns(a: Int64Array, b: Int64Array) -> Int64Array:
    """Wall-clock nanoseconds in `[a, b)`, 0 where `b <= a`."""
    result: Int64Array = np.maximum(b - a, 0)
    return result


def _measure(measure: Measure, a: Int64Array, b: Int64Array) -> Int64Array:
    """`measure` that does not touch the calendar for empty inputs."""
    return measure(a, b) if a.size else np.zeros(0, dtype=np.int64)


def _holder(
    starts: Int64Array, ends: Int64Array, points: Int64Array
) -> tuple[Int64Array, BoolArray]:
    """For sorted disjoint intervals: the interval whose span holds each point, and whether any."""
    idx = np.searchsorted(starts, points, side="right") - 1
    safe = np.maximum(idx, 0)
    inside = (idx >= 0) & (ends[safe] > points) if starts.size else np.zeros(points.size, bool)
    return idx, inside


def covered_ns(
    starts: Int64Array, ends: Int64Array, at: Int64Array, measure: Measure
) -> Int64Array:
    """Time of the sorted disjoint intervals before each instant of `at`, by `measure`."""
    if starts.size == 0:
        return np.zeros(at.size, dtype=np.int64)
    if at.size == 0:
        return np.zeros(0, dtype=np.int64)
    lengths = measure(starts, ends)
    before = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    k = np.searchsorted(starts, at, side="right")  # intervals starting at or before each instant
    last = np.maximum(k - 1, 0)
    partial = measure(starts[last], np.minimum(at, ends[last]))
    result: Int64Array = np.where(k > 0, before[last] + partial, 0)
    return result


@dataclass(frozen=True, slots=True)
class Downtime:
    """The unplanned outages that count, their downtime pieces, and planned maintenance.

    Outages are merged unplanned outages with downtime in the service window of at least the
    minimum; `outage_ended` is False for one still ongoing at the evaluation instant (its end
    is then that instant). Pieces and maintenance are sorted, disjoint intervals.
    """

    outage_start: Int64Array
    outage_end: Int64Array
    outage_ended: BoolArray
    outage_downtime_ns: Int64Array
    down_start: Int64Array
    down_end: Int64Array
    planned_start: Int64Array
    planned_end: Int64Array


def downtime(
    starts: Int64Array,
    ends: Int64Array,
    planned: BoolArray,
    as_of_ns: int,
    window: Measure,
    minimum_ns: int = 0,
) -> Downtime:
    """Downtime and maintenance from outage records (`ends` NAT: still ongoing)."""
    true_end = np.where(ends == NAT, _NEVER, ends)
    clipped = np.minimum(true_end, as_of_ns)
    real = clipped > starts
    starts, clipped, true_end, planned = starts[real], clipped[real], true_end[real], planned[real]
    # 1. Merge each kind.
    p_start, p_end, _ = merge_intervals(starts[planned], clipped[planned])
    unplanned = ~planned
    u_start, u_end, u_label = merge_intervals(starts[unplanned], clipped[unplanned])
    u_true_end = np.full(u_start.size, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(u_true_end, u_label, true_end[unplanned])
    # 2. Pieces between consecutive boundaries, inside an unplanned outage and no planned one.
    bounds = np.unique(np.concatenate((u_start, u_end, p_start, p_end)))
    lo, hi = bounds[:-1], bounds[1:]
    owner, in_unplanned = _holder(u_start, u_end, lo)
    _, in_planned = _holder(p_start, p_end, lo)
    down = in_unplanned & ~in_planned
    lo, hi, owner = lo[down], hi[down], owner[down]
    piece_ns = _measure(window, lo, hi)
    # 3. Downtime per outage; ignore those without any or below the minimum.
    per_outage = np.zeros(u_start.size, dtype=np.int64)
    np.add.at(per_outage, owner, piece_ns)
    counts = (per_outage > 0) & (per_outage >= minimum_ns)
    keep_piece = counts[owner] & (piece_ns > 0)
    return Downtime(
        outage_start=u_start[counts],
        outage_end=u_end[counts],
        outage_ended=u_true_end[counts] <= as_of_ns,
        outage_downtime_ns=per_outage[counts],
        down_start=lo[keep_piece],
        down_end=hi[keep_piece],
        planned_start=p_start,
        planned_end=p_end,
    )


@dataclass(frozen=True, slots=True)
class WindowTime:
    """Per window `[lo, hi)`: T the service window's time, X planned, D unplanned downtime."""

    total_ns: Int64Array
    planned_ns: Int64Array
    down_ns: Int64Array


def window_time(dt: Downtime, lo: Int64Array, hi: Int64Array, measure: Measure) -> WindowTime:
    """T, X and D of each window by `measure` (the service calendar, or wall-clock time)."""
    hi = np.maximum(hi, lo)
    planned = covered_ns(dt.planned_start, dt.planned_end, hi, measure) - covered_ns(
        dt.planned_start, dt.planned_end, lo, measure
    )
    down = covered_ns(dt.down_start, dt.down_end, hi, measure) - covered_ns(
        dt.down_start, dt.down_end, lo, measure
    )
    return WindowTime(_measure(measure, lo, hi), planned, down)


@dataclass(frozen=True, slots=True)
class Reliability:
    """Per period: outages restored and their summed restore time, outages that started, and
    the uptime (by the chosen measure), from which MTTR and MTBF follow."""

    restored: Int64Array
    restore_ns: Int64Array
    failures: Int64Array
    uptime_ns: Int64Array


def reliability_by_period(
    dt: Downtime,
    edges: Int64Array,
    as_of_ns: int,
    measure: Measure,
    *,
    maintenance_is_up: bool,
) -> Reliability:
    """MTTR and MTBF ingredients per period `[edges[i], edges[i+1])`, cut at `as_of_ns`.

    Restored outages are those whose end falls in the period (ongoing ones never do); failures
    are outages starting in it; uptime is the period's time minus downtime, and minus planned
    maintenance unless maintenance counts as up.
    """
    restore = _measure(measure, dt.outage_start, dt.outage_end)
    ended = dt.outage_ended
    restore_ns, restored = sum_by_period(dt.outage_end[ended], restore[ended], edges)
    failures = count_by_period(dt.outage_start, edges)
    lo = edges[:-1]
    hi = np.minimum(edges[1:], as_of_ns)
    time = window_time(dt, lo, hi, measure)
    uptime = time.total_ns - time.down_ns
    if not maintenance_is_up:
        uptime = uptime - time.planned_ns
    return Reliability(restored, restore_ns, failures, uptime)
