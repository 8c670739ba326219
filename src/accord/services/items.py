"""Items as one principal may see them: the clocks that need care (at risk, breached) across the
agreements the principal reads, filtered and paginated, and one item's clock timeline limited to
those agreements.

Figures come from the stored evaluation and `status.item_timeline`; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from accord.domain.access import ForbiddenError, NotFoundError, Principal, Scope
from accord.domain.clocks import STATUS_BY_CODE, STATUS_CODES, Clock, ClockStatus
from accord.engine.events import NAT
from accord.services import access, scoped, status
from accord.services.compliance import NS, to_datetime
from accord.services.evaluation import TargetClocks

__all__ = ["CARE_STATUSES", "ClockPage", "clocks", "item_timeline"]

# What "needs care" means when no status is asked for.
CARE_STATUSES = (ClockStatus.AT_RISK, ClockStatus.BREACHED)

_BREACHED = STATUS_CODES[ClockStatus.BREACHED]
_LAST = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True)
class ClockPage:
    """`total` clocks matched; `clocks` are those from the page's offset on."""

    total: int
    clocks: tuple[Clock, ...]


def clocks(
    session: Session,
    principal: Principal,
    as_of: datetime,
    *,
    statuses: Sequence[ClockStatus] = CARE_STATUSES,
    agreement_id: str | None = None,
    target_id: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> ClockPage:
    """The clock cycles with one of `statuses` as of `as_of`, of the agreements `principal`
    may read (of one agreement, of one target id).

    Order: by status in the order given, then breached clocks latest breach first, other
    clocks soonest due first (no due instant: last), then by agreement, target, item, cycle.
    An outsider naming an agreement gets NotFoundError; with none named, an empty page.
    """
    evaluation = scoped.readable_evaluation(session, principal, as_of, agreement_id)
    codes = [STATUS_CODES[s] for s in dict.fromkeys(statuses)]
    rank_of = np.zeros(len(STATUS_BY_CODE), dtype=np.int64)
    rank_of[codes] = np.arange(len(codes))
    chosen = [c for c in evaluation.clocks if target_id is None or c.target_id == target_id]
    chosen.sort(key=lambda c: (c.agreement_id, c.target_id))
    keys: list[npt.NDArray[np.int64]] = []
    where: list[tuple[TargetClocks, int, npt.NDArray[np.int64]]] = []
    for clock_set in chosen:
        for p, part in enumerate(clock_set.parts):
            rows = np.flatnonzero(np.isin(part.status, codes)).astype(np.int64)
            if rows.size == 0:
                continue
            found = part.status[rows]
            rank = rank_of[found]
            due = np.where(part.due_at[rows] == NAT, _LAST, part.due_at[rows])
            when = np.where(found == _BREACHED, -part.breached_at[rows], due)
            block = np.full(rows.size, len(where), dtype=np.int64)
            keys.append(np.stack([rank, when, block, rows]))
            where.append((clock_set, p, rows))
    if not keys:
        return ClockPage(0, ())
    table = np.concatenate(keys, axis=1)
    order = np.lexsort((table[3], table[2], table[1], table[0]))
    page = order[offset : offset + limit]
    found_clocks = tuple(
        _clock(where[int(table[2, i])][0], where[int(table[2, i])][1], int(table[3, i]))
        for i in page
    )
    return ClockPage(int(table.shape[1]), found_clocks)


def item_timeline(
    session: Session, principal: Principal, item_id: str, as_of: datetime
) -> status.ItemTimeline:
    """One item's events and clocks (`accord items show`), with the clocks of the agreements
    `principal` may read only. An item none of whose agreements the principal may read is
    NotFoundError, as an unknown item is (admins see every item, covered or not)."""
    if Scope.READ not in principal.scopes:
        raise ForbiddenError("reading items needs a credential with the 'read' scope")
    missing = NotFoundError(f"no item '{item_id}'")
    try:
        timeline = status.item_timeline(session, item_id, as_of)
    except NotFoundError:
        raise missing from None
    if principal.is_admin:
        return timeline
    readable = {s.agreement_id for s in access.visible_agreements(session, principal)}
    targets = tuple(t for t in timeline.targets if t.agreement_id in readable)
    if not targets:
        raise missing
    return replace(timeline, targets=targets)


def _clock(clock_set: TargetClocks, p: int, row: int) -> Clock:
    part = clock_set.parts[p]
    start = to_datetime(int(part.start_at[row]))
    assert start is not None  # every cycle has started
    return Clock(
        item_id=clock_set.item_ids[int(part.item[row])],
        agreement_id=clock_set.agreement_id,
        target_id=clock_set.target_id,
        cycle=int(part.cycle[row]),
        priority=clock_set.priorities[int(part.priority[row])],
        start_at=start,
        stop_at=to_datetime(int(part.stop_at[row])),
        goal_seconds=int(part.goal_ns[row]) / NS,
        elapsed_seconds=int(part.elapsed_ns[row]) / NS,
        paused_seconds=int(part.paused_ns[row]) / NS,
        due_at=to_datetime(int(part.due_at[row])),
        status=STATUS_BY_CODE[int(part.status[row])],
        breached_at=to_datetime(int(part.breached_at[row])),
    )
