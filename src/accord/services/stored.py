"""Evaluate what a workspace stores: the agreements in force, every version, the events so far.

Binds each clock to the agreement version in force at its start (SEMANTICS.md) and judges each
period by one version (docs/policies.md, "Versions"). Reads through the repositories and the
agreements service; it writes nothing, and the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from accord.domain.agreements import Agreement
from accord.domain.clocks import SkippedItem
from accord.domain.events import EventKind
from accord.engine.calendars import local_to_utc
from accord.engine.clocks import ClockArrays
from accord.engine.events import KIND_CODE, NAT, EventTable
from accord.engine.groups import run_starts
from accord.errors import AccordError
from accord.persistence.repositories import AgreementRepository, EventRepository
from accord.services.agreements import VersionWindow, agreements_in_force
from accord.services.compliance import ratio_budget
from accord.services.evaluation import (
    ComplianceRow,
    ErrorBudget,
    EvaluationResult,
    TargetClocks,
    compliance_rows,  # shared with evaluate(): one definition of compliance
    evaluate,
    to_ns,
)

InForce = Sequence[tuple[Agreement, Sequence[VersionWindow]]]
Progress = Callable[[int, int], None]

__all__ = [
    "InForce",
    "WorkspaceEvaluation",
    "evaluate_in_force",
    "evaluate_workspace",
    "load_evaluation",
]


@dataclass(frozen=True, slots=True)
class WorkspaceEvaluation:
    """An evaluation of the stored data as of an instant, with what it was computed from."""

    in_force: list[tuple[Agreement, list[VersionWindow]]]
    table: EventTable  # the events at or before `result.as_of`
    result: EvaluationResult

    @property
    def agreements(self) -> list[Agreement]:
        """The latest version of each agreement (titles, targets, periods to show)."""
        return [latest for latest, _ in self.in_force]


def load_evaluation(
    session: Session,
    as_of: datetime,
    *,
    agreement_id: str | None = None,
    progress: Progress | None = None,
) -> WorkspaceEvaluation:
    """Load the agreements in force and the events up to `as_of`, then evaluate them.

    With `agreement_id`, only that agreement (AccordError when none is stored by that id).
    """
    in_force = [(latest, list(windows)) for latest, windows in agreements_in_force(session)]
    if agreement_id is not None:
        in_force = [entry for entry in in_force if entry[0].id == agreement_id]
        if not in_force:
            if AgreementRepository(session).latest(agreement_id) is not None:
                raise AccordError(
                    f"agreement '{agreement_id}' has no version in force yet: every party"
                    " approves it (`accord agreements approve`), or an admin activates it"
                )
            raise AccordError(
                f"no agreement '{agreement_id}' is stored; `accord agreements list` shows those"
                " that are"
            )
    table = EventRepository(session).load_table(until_ns=to_ns(as_of))
    return WorkspaceEvaluation(in_force, table, evaluate_in_force(in_force, table, as_of, progress))


def evaluate_workspace(session: Session, as_of: datetime) -> EvaluationResult:
    """Clocks and compliance of every stored agreement as of `as_of` (see `load_evaluation`)."""
    return load_evaluation(session, as_of).result


def evaluate_in_force(
    in_force: InForce, table: EventTable, as_of: datetime, progress: Progress | None = None
) -> EvaluationResult:
    """Evaluate agreements with versions: each clock under the version in force at its start.

    1. Evaluate every version over all the events.
    2. Keep each version's clocks that start inside its window; join them per target.
    3. Compliance per version over the joined clocks (targets that are not clocks keep their
       own rows); each period is judged by the latest version applied before it ends that
       has the target and was in force during it.
    4. Skipped items come from the version in force when the item was created; a delivery
       occurrence from the version in force at its due instant.

    An agreement with a single version is evaluated exactly as `evaluate` does.
    """
    as_of_ns = to_ns(as_of)
    table = table.until(as_of_ns)
    result = EvaluationResult(as_of=as_of.astimezone(UTC))
    created = _created_at(table)
    total = sum(len(windows) for _, windows in in_force)
    done = 0
    for latest, windows in in_force:
        runs: list[tuple[VersionWindow, EvaluationResult]] = []
        for window in windows:
            runs.append((window, evaluate([window.agreement], table, as_of)))
            done += 1
            if progress is not None:
                progress(done, total)
        if len(runs) == 1:
            _extend(result, runs[0][1])
            continue
        for target_id in _target_ids(latest, windows):
            _extend(result, _bind_target(latest.id, target_id, runs, as_of_ns))
        result.skipped.extend(_skipped(runs, table, created))
    return result


def _extend(result: EvaluationResult, part: EvaluationResult) -> None:
    result.clocks.extend(part.clocks)
    result.compliance.extend(part.compliance)
    result.skipped.extend(part.skipped)
    result.deliveries.extend(part.deliveries)
    result.budgets.extend(part.budgets)


def _target_ids(latest: Agreement, windows: Sequence[VersionWindow]) -> list[str]:
    """The latest version's targets, then targets only older versions had."""
    ids = [t.id for t in latest.targets]
    for window in reversed(windows):
        ids.extend(t.id for t in window.agreement.targets if t.id not in ids)
    return ids


def _bind_target(
    agreement_id: str,
    target_id: str,
    runs: Sequence[tuple[VersionWindow, EvaluationResult]],
    as_of_ns: int,
) -> EvaluationResult:
    """One target over several versions: its clocks, rows, budgets and deliveries (no skips)."""
    having = [(w, r) for w, r in runs if any(t.id == target_id for t in w.agreement.targets)]
    found = [(w, _clocks_of(r, target_id)) for w, r in having]
    with_clocks = [(w, c) for w, c in found if c is not None]
    merged = _merge(agreement_id, target_id, with_clocks) if with_clocks else None
    candidates: list[tuple[VersionWindow, EvaluationResult, ComplianceRow]] = []
    for window, run in having:
        target = window.agreement.target(target_id)
        if merged is not None and target.is_clock:
            rows = compliance_rows(window.agreement, target, merged, as_of_ns)
        else:
            rows = [r for r in run.compliance if r.target_id == target_id]
        candidates.extend((window, run, row) for row in rows)
    windows = [w for w, _ in having]
    bound = EvaluationResult(as_of=runs[0][1].as_of)
    if merged is not None:
        bound.clocks.append(merged)
    kept = [c for c in candidates if _judges(c[0], c[2], windows, target_id)]
    kept.sort(key=lambda c: (c[2].period_start, c[2].period_end))
    for window, run, row in kept:
        bound.compliance.append(row)
        bound.budgets.extend(_budgets(window, row, run))
    for window, run in having:
        bound.deliveries.extend(
            d for d in run.deliveries if d.target_id == target_id and window.holds(to_ns(d.due_at))
        )
    return bound


def _budgets(window: VersionWindow, row: ComplianceRow, run: EvaluationResult) -> list[ErrorBudget]:
    """The error budget of a kept row: recomputed for clocks (their counts were rebound),
    else the one its version's evaluation gave."""
    target = window.agreement.target(row.target_id)
    if target.is_clock:
        budget = target.error_budget
        return [] if budget is None else [ratio_budget(row, budget, "clocks")]
    return [
        b
        for b in run.budgets
        if b.target_id == row.target_id and b.period_start == row.period_start
    ]


def _clocks_of(run: EvaluationResult, target_id: str) -> TargetClocks | None:
    return next((c for c in run.clocks if c.target_id == target_id), None)


def _judges(
    window: VersionWindow, row: ComplianceRow, windows: Sequence[VersionWindow], target_id: str
) -> bool:
    """Whether `window`'s version judges the row's period: the latest version with the target
    applied before the period ends, provided it was in force at some instant of the period."""
    target = window.agreement.target(target_id)
    zone = ZoneInfo(window.agreement.period_timezone(target))
    start_ns = to_ns(local_to_utc(zone, row.period_start, 0))
    end_ns = to_ns(local_to_utc(zone, row.period_end, 0))
    began = [w for w in windows if w.from_ns is None or w.from_ns < end_ns]
    if not began or began[-1] is not window:
        return False
    return window.until_ns is None or window.until_ns > start_ns


def _merge(
    agreement_id: str, target_id: str, found: Sequence[tuple[VersionWindow, TargetClocks]]
) -> TargetClocks:
    """One target's clocks from several versions: each version's clocks that start in its
    window, priorities renumbered onto the latest version's list (older names appended)."""
    latest = found[-1][1]
    if len(found) == 1 and found[0][0].from_ns is None and found[0][0].until_ns is None:
        return latest
    priorities = list(latest.priorities)
    for _, clocks in found:
        priorities.extend(p for p in clocks.priorities if p not in priorities)
    n_parts = max(len(clocks.parts) for _, clocks in found)
    pieces: list[list[ClockArrays]] = [[] for _ in range(n_parts)]
    for window, clocks in found:
        remap = np.array([priorities.index(p) for p in clocks.priorities] or [0], dtype=np.int16)
        for i, part in enumerate(clocks.parts):
            inside = _in_window(part.start_at, window)
            kept = part.take(inside)
            pieces[i].append(_with_priorities(kept, remap[kept.priority]))
    parts = []
    for chunk in pieces:
        joined = ClockArrays.concat(chunk)
        order = np.lexsort((joined.start_at, joined.cycle, joined.item))
        parts.append(joined.take(order))
    return TargetClocks(agreement_id, target_id, tuple(priorities), latest.item_ids, tuple(parts))


def _in_window(at: npt.NDArray[np.int64], window: VersionWindow) -> npt.NDArray[np.bool_]:
    inside = np.ones(at.shape[0], dtype=bool)
    if window.from_ns is not None:
        inside &= at >= window.from_ns
    if window.until_ns is not None:
        inside &= at < window.until_ns
    return inside


def _with_priorities(part: ClockArrays, priority: npt.NDArray[np.int16]) -> ClockArrays:
    columns = {name: getattr(part, name) for name in ClockArrays.__slots__}
    columns["priority"] = priority.astype(np.int16)
    return ClockArrays(**columns)


def _created_at(table: EventTable) -> npt.NDArray[np.int64]:
    """Per item, its first `created` instant (NAT when it has none)."""
    out = np.full(table.n_items, NAT, dtype=np.int64)
    rows = np.flatnonzero(table.kind == KIND_CODE[EventKind.CREATED])
    if rows.size:
        first = rows[run_starts(table.item[rows])]  # rows are sorted by item, then instant
        out[table.item[first]] = table.at[first]
    return out


def _skipped(
    runs: Sequence[tuple[VersionWindow, EvaluationResult]],
    table: EventTable,
    created: npt.NDArray[np.int64],
) -> list[SkippedItem]:
    if len(runs) == 1:
        return list(runs[0][1].skipped)
    index = {item_id: i for i, item_id in enumerate(table.item_ids)}
    kept: list[SkippedItem] = []
    for n, (window, run) in enumerate(runs):
        last = n == len(runs) - 1
        for skipped in run.skipped:
            at = int(created[index[skipped.item_id]])
            if (at == NAT and last) or (at != NAT and window.holds(at)):
                kept.append(skipped)
    return kept
