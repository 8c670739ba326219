"""Ticket volume and mean time to resolve (MTTR) per priority, vectorised over an event table.

The "Reports" figures of docs/policies.md: items created in a span, items whose final resolution
falls in it, and the mean of created -> resolved, wall-clock and in business time. Pure NumPy
over the columns: no I/O, no Python loop per item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from accord.domain.agreements import Agreement
from accord.domain.events import EventKind
from accord.engine.calendars import BusinessCalendar
from accord.engine.events import KIND_CODE, NAT, EventTable
from accord.engine.groups import run_ends, run_starts

NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class PriorityVolume:
    """Items of one priority: created and resolved in the month, mean time to resolve them.

    MTTR (docs/policies.md, "Reports") is the mean of resolved - created over the items whose
    final resolution falls in the month, wall-clock and in business time (pauses included).
    """

    priority: str
    created: int
    resolved: int
    mttr_seconds: int | None  # None: nothing resolved
    mttr_business_seconds: int | None  # None: nothing resolved, or no calendar


NO_PRIORITY = "(none)"


def priority_volume(
    table: EventTable,
    edges: tuple[int, int],
    agreement: Agreement | None,
    calendar: BusinessCalendar | None,
    covered: npt.NDArray[np.bool_] | None,
) -> list[PriorityVolume]:
    """Items created and resolved within `edges` (UTC ns, `[lo, hi)`) and MTTR, per priority.

    1. Per item: its first `created`, its latest priority, and its final resolution (the first
       `resolved` or `closed` after its last `reopened`; none when it was reopened since).
    2. The priority is named as the agreement names it (case and spacing ignored), the
       agreement's `default_priority` when the item has none, else `(none)`.
    3. Counts and duration sums per priority with one grouped pass; means to the second.
    """
    lo, hi = edges
    item, kind = table.item, table.kind
    n = table.n_items
    created_at = _first_at(table, kind == KIND_CODE[EventKind.CREATED], n)
    resolved_at = _final_resolution(table, n)
    prio = np.full(n, -1, dtype=np.int32)
    p_rows = np.flatnonzero(kind == KIND_CODE[EventKind.PRIORITY])
    if p_rows.size:
        last = p_rows[run_ends(item[p_rows])]
        prio[item[last]] = table.value[last]
    labels, label_of_value, none_label = _labels(table.values, agreement)
    label = np.where(prio >= 0, label_of_value[np.maximum(prio, 0)], none_label)
    ok = created_at != NAT
    if covered is not None:
        ok &= covered
    created = ok & (created_at >= lo) & (created_at < hi)
    resolved = ok & (resolved_at >= lo) & (resolved_at < hi) & (resolved_at >= created_at)
    k = len(labels)
    n_created = np.bincount(label[created], minlength=k)
    n_resolved = np.bincount(label[resolved], minlength=k)
    # Sums in float seconds: int64 nanoseconds would overflow past ~100,000 item-days.
    wall_ns = resolved_at[resolved] - created_at[resolved]
    wall = np.bincount(label[resolved], weights=wall_ns / NS, minlength=k).astype(np.float64)
    business: npt.NDArray[np.float64] = np.zeros(k, dtype=np.float64)
    if calendar is not None:
        spans = calendar.elapsed_ns(created_at[resolved], resolved_at[resolved])
        business = np.bincount(label[resolved], weights=spans / NS, minlength=k).astype(np.float64)
    fixed = len(agreement.priorities) if agreement is not None else 0
    extra = [i for i in range(fixed, len(labels)) if n_created[i] or n_resolved[i]]
    extra.sort(key=lambda i: (labels[i] == NO_PRIORITY, labels[i]))
    return [
        PriorityVolume(
            priority=labels[i],
            created=int(n_created[i]),
            resolved=int(n_resolved[i]),
            mttr_seconds=_mean_seconds(float(wall[i]), int(n_resolved[i])),
            mttr_business_seconds=(
                _mean_seconds(float(business[i]), int(n_resolved[i])) if calendar else None
            ),
        )
        for i in [*range(fixed), *extra]
    ]


def _first_at(table: EventTable, mask: npt.NDArray[np.bool_], n: int) -> npt.NDArray[np.int64]:
    out = np.full(n, NAT, dtype=np.int64)
    rows = np.flatnonzero(mask)
    if rows.size:
        first = rows[run_starts(table.item[rows])]
        out[table.item[first]] = table.at[first]
    return out


def _final_resolution(table: EventTable, n: int) -> npt.NDArray[np.int64]:
    """Per item, the first resolved/closed after its last reopen (NAT when unresolved)."""
    item, kind = table.item, table.kind
    last_reopen = np.full(n, -1, dtype=np.int64)
    r_rows = np.flatnonzero(kind == KIND_CODE[EventKind.REOPENED])
    if r_rows.size:
        last = r_rows[run_ends(item[r_rows])]
        last_reopen[item[last]] = last
    stops = (kind == KIND_CODE[EventKind.RESOLVED]) | (kind == KIND_CODE[EventKind.CLOSED])
    rows = np.flatnonzero(stops)
    rows = rows[rows > last_reopen[item[rows]]]
    out = np.full(n, NAT, dtype=np.int64)
    if rows.size:
        first = rows[run_starts(item[rows])]
        out[item[first]] = table.at[first]
    return out


def _labels(
    values: Sequence[str], agreement: Agreement | None
) -> tuple[list[str], npt.NDArray[np.int64], int]:
    """Priority names (the agreement's first, in its order), the name of each value code, and
    the name of an item with no priority."""
    labels: list[str] = list(agreement.priorities) if agreement else []
    index = {_normal(p): i for i, p in enumerate(labels)}
    codes = np.empty(max(len(values), 1), dtype=np.int64)
    for code, value in enumerate(values):
        key = _normal(value)
        if key not in index:
            index[key] = len(labels)
            labels.append(value)
        codes[code] = index[key]
    default = agreement.default_priority if agreement else None
    none_name = default if default is not None else NO_PRIORITY
    if _normal(none_name) not in index:
        index[_normal(none_name)] = len(labels)
        labels.append(none_name)
    return labels, codes, index[_normal(none_name)]


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _mean_seconds(total_seconds: float, count: int) -> int | None:
    """The mean to the nearest second (None for no items)."""
    if count == 0:
        return None
    return round(total_seconds / count)
