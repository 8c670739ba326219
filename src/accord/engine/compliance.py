"""Compliance per period: which clocks count where, and attainment against the objective.

A clock counts once, in the period holding its decision instant (the stop of a met clock, the
breach of a breached one); running, paused and cancelled clocks do not count (SEMANTICS.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from accord.domain.clocks import STATUS_CODES, ClockStatus
from accord.engine.clocks import ClockArrays
from accord.engine.events import NAT

_MET = STATUS_CODES[ClockStatus.MET]
_BREACHED = STATUS_CODES[ClockStatus.BREACHED]


@dataclass(frozen=True, slots=True)
class PeriodCounts:
    met: npt.NDArray[np.int64]
    breached: npt.NDArray[np.int64]

    @property
    def counted(self) -> npt.NDArray[np.int64]:
        return self.met + self.breached


def decision_instants(clocks: ClockArrays) -> npt.NDArray[np.int64]:
    """The instant each clock is decided at; NAT for clocks that are not counted (yet)."""
    decided = np.full(len(clocks), NAT, dtype=np.int64)
    met = clocks.status == _MET
    breached = clocks.status == _BREACHED
    decided[met] = clocks.stop_at[met]
    decided[breached] = clocks.breached_at[breached]
    return decided


def count_by_period(parts: Sequence[ClockArrays], edges: npt.NDArray[np.int64]) -> PeriodCounts:
    """Met and breached counts per period `[edges[i], edges[i+1])` (UTC nanoseconds)."""
    n_periods = max(edges.size - 1, 0)
    met_total = np.zeros(n_periods, dtype=np.int64)
    breached_total = np.zeros(n_periods, dtype=np.int64)
    for clocks in parts:
        decided = decision_instants(clocks)
        idx = np.searchsorted(edges, decided, side="right") - 1
        inside = (decided != NAT) & (idx >= 0) & (idx < n_periods)
        met = inside & (clocks.status == _MET)
        breached = inside & (clocks.status == _BREACHED)
        met_total += np.bincount(idx[met], minlength=n_periods)[:n_periods]
        breached_total += np.bincount(idx[breached], minlength=n_periods)[:n_periods]
    return PeriodCounts(met_total, breached_total)
