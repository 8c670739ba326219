"""Per-period figures beyond attainment: nearest-rank percentiles of clocks, counts and means.

Pure NumPy over columns already computed (clocks, item instants); a period is `[edges[i],
edges[i+1])` in UTC nanoseconds. No Python loop per clock or item, only per period.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from accord.domain.clocks import STATUS_CODES, ClockStatus
from accord.engine.clocks import ClockArrays
from accord.engine.compliance import decision_instants
from accord.engine.events import NAT

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_MET = STATUS_CODES[ClockStatus.MET]
_BREACHED = STATUS_CODES[ClockStatus.BREACHED]


def nearest_rank(count: int, percentile: Decimal) -> int:
    """The 1-based rank of the p-th percentile among `count` sorted values: ceil(p/100 x n).

    Exact (no float): the 90th percentile of 10 values is the 9th, of 11 values the 10th; the
    rank is at least 1. Raise ValueError for an empty set.
    """
    if count <= 0:
        raise ValueError("no values: a percentile needs at least one")
    return max(1, math.ceil(percentile * count / 100))


def period_index(instants: Int64Array, edges: Int64Array) -> Int64Array:
    """The period holding each instant, -1 outside every period (NAT is outside)."""
    n_periods = max(edges.size - 1, 0)
    idx = np.searchsorted(edges, instants, side="right") - 1
    outside = (instants == NAT) | (idx < 0) | (idx >= n_periods)
    return np.where(outside, -1, idx).astype(np.int64)


@dataclass(frozen=True, slots=True)
class PercentileFigures:
    """Per period: clocks counted, and the clock at the nearest rank (-1 where none counted).

    Clocks are ordered met first, then breached, each by elapsed / goal; `met` says whether the
    clock at the rank is met, which decides the period (a breach stands even if a later
    priority change raised the goal above the elapsed time).
    """

    counted: Int64Array
    elapsed_ns: Int64Array
    goal_ns: Int64Array
    met: BoolArray


def percentile_by_period(
    parts: Sequence[ClockArrays], edges: Int64Array, percentile: Decimal
) -> PercentileFigures:
    """The nearest-rank p-th percentile clock of each period, over the clocks counted in it.

    A clock is counted in the period holding its decision instant (SEMANTICS.md), as for
    attainment. Ties in elapsed / goal are broken by elapsed then by order of the clocks.
    """
    n_periods = max(edges.size - 1, 0)
    period_parts, breached_parts, elapsed_parts, goal_parts = [], [], [], []
    for clocks in parts:
        idx = period_index(decision_instants(clocks), edges)
        keep = idx >= 0
        period_parts.append(idx[keep])
        breached_parts.append(clocks.status[keep] == _BREACHED)
        elapsed_parts.append(clocks.elapsed_ns[keep])
        goal_parts.append(clocks.goal_ns[keep])
    period = np.concatenate([np.empty(0, np.int64), *period_parts])
    breached = np.concatenate([np.empty(0, bool), *breached_parts])
    elapsed = np.concatenate([np.empty(0, np.int64), *elapsed_parts])
    goal = np.concatenate([np.empty(0, np.int64), *goal_parts])
    ratio = np.divide(
        elapsed.astype(np.float64),
        goal.astype(np.float64),
        out=np.where(elapsed > 0, np.inf, 0.0),
        where=goal > 0,
    )
    order = np.lexsort((elapsed, ratio, breached, period))
    counted = np.bincount(period, minlength=n_periods)[:n_periods].astype(np.int64)
    first = np.concatenate(([0], np.cumsum(counted)[:-1])).astype(np.int64)
    none = np.full(n_periods, -1, dtype=np.int64)
    if period.size == 0:
        return PercentileFigures(counted, none, none.copy(), np.zeros(n_periods, dtype=bool))
    chosen = none.copy()
    for i in np.flatnonzero(counted).tolist():
        chosen[i] = order[first[i] + nearest_rank(int(counted[i]), percentile) - 1]
    has = chosen >= 0
    pick = np.maximum(chosen, 0)
    return PercentileFigures(
        counted=counted,
        elapsed_ns=np.where(has, elapsed[pick], -1),
        goal_ns=np.where(has, goal[pick], -1),
        met=has & ~breached[pick],
    )


def count_by_period(instants: Int64Array, edges: Int64Array) -> Int64Array:
    """How many instants fall in each period (NAT never does)."""
    n_periods = max(edges.size - 1, 0)
    idx = period_index(instants, edges)
    return np.bincount(idx[idx >= 0], minlength=n_periods)[:n_periods].astype(np.int64)


def sum_by_period(
    instants: Int64Array, values: Int64Array, edges: Int64Array
) -> tuple[Int64Array, Int64Array]:
    """Per period: the sum of the values whose instant falls in it, and how many there are."""
    n_periods = max(edges.size - 1, 0)
    idx = period_index(instants, edges)
    inside = idx >= 0
    counts = np.bincount(idx[inside], minlength=n_periods)[:n_periods].astype(np.int64)
    sums = np.zeros(n_periods, dtype=np.int64)
    np.add.at(sums, idx[inside], values[inside])
    return sums, counts
