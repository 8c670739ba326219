"""What stands now, or as of an instant: each target's current period, and one item's clocks.

The use cases behind `accord status` and `accord items show` (and later the API). Figures come
from the stored evaluation and the clock engine; nothing here renders text or commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.orm import Session

from accord.domain.access import NotFoundError
from accord.domain.agreements import Agreement, Target
from accord.domain.clocks import STATUS_CODES, ClockStatus
from accord.domain.events import EventKind
from accord.domain.periods import Period, period_label
from accord.engine.calendars import BusinessCalendar, local_to_utc
from accord.engine.events import KIND_CODE, NAT, EventTable
from accord.engine.timeline import CycleExplanation, explain
from accord.errors import AccordError
from accord.persistence.repositories import EventRepository
from accord.services.agreements import agreements_in_force
from accord.services.evaluation import (
    ComplianceRow,
    TargetClocks,
    clock_rules,
    evaluate,
    to_ns,
)
from accord.services.stored import WorkspaceEvaluation, load_evaluation

ITEMS_SHOWN = 5  # item ids listed per count; the count itself is always complete

_AT_RISK = STATUS_CODES[ClockStatus.AT_RISK]
_PAUSED = STATUS_CODES[ClockStatus.PAUSED]
_BREACHED = STATUS_CODES[ClockStatus.BREACHED]
_CANCELLED = STATUS_CODES[ClockStatus.CANCELLED]
_KINDS = list(EventKind)

__all__ = [
    "ITEMS_SHOWN",
    "ItemEvent",
    "ItemTimeline",
    "StatusReport",
    "TargetStatus",
    "TargetTimeline",
    "item_timeline",
    "status",
    "status_of",
]


@dataclass(frozen=True, slots=True)
class TargetStatus:
    """One target in its current period: attainment so far and the clocks that need care."""

    agreement_id: str
    title: str
    target_id: str
    kind: str
    period: str | None  # label of the current period; None before the validity begins
    period_start: date | None
    period_end: date | None  # exclusive
    counted: int
    met: int
    breached: int  # clocks breached in the period (the ids below are the first of them)
    attainment: Decimal | None  # None: no data yet
    objective: Decimal
    result: str  # met | missed | no data | pending, so far
    value: Decimal | None  # count: items; availability: A; percentile: elapsed / goal
    percentile: Decimal | None  # set for percentile objectives
    at_least: int | None  # count targets' bounds
    at_most: int | None
    breached_items: tuple[str, ...]
    at_risk: int  # running clocks past the warning threshold now
    at_risk_items: tuple[str, ...]  # soonest due first
    open_clocks: int  # clocks not stopped (running, at risk, paused, breached and open)
    paused: int


@dataclass(frozen=True, slots=True)
class StatusReport:
    as_of: datetime
    targets: tuple[TargetStatus, ...]
    items: int
    events: int
    skipped_items: int


def status(session: Session, as_of: datetime, *, agreement_id: str | None = None) -> StatusReport:
    """Every stored agreement's targets as of `as_of` (AccordError for an unknown id)."""
    return status_of(load_evaluation(session, as_of, agreement_id=agreement_id))


def status_of(evaluation: WorkspaceEvaluation) -> StatusReport:
    """The status of an evaluation already made (see `status`)."""
    result = evaluation.result
    as_of_ns = to_ns(result.as_of)
    targets = []
    for agreement in evaluation.agreements:
        for target in agreement.targets:
            rows = [
                r
                for r in result.compliance
                if r.agreement_id == agreement.id and r.target_id == target.id
            ]
            clocks = next(
                (
                    c
                    for c in result.clocks
                    if c.agreement_id == agreement.id and c.target_id == target.id
                ),
                None,
            )
            targets.append(_target_status(agreement, target, rows, clocks, as_of_ns))
    return StatusReport(
        as_of=result.as_of,
        targets=tuple(targets),
        items=evaluation.table.n_items,
        events=len(evaluation.table),
        skipped_items=len({s.item_id for s in result.skipped}),
    )


def _target_status(
    agreement: Agreement,
    target: Target,
    rows: list[ComplianceRow],
    clocks: TargetClocks | None,
    as_of_ns: int,
) -> TargetStatus:
    zone = ZoneInfo(agreement.period_timezone(target))
    today = datetime.fromtimestamp(as_of_ns // 1_000_000_000, tz=zone).date()
    current = next((r for r in rows if r.period_start <= today < r.period_end), None)
    if current is None and rows and today >= rows[-1].period_end:
        current = rows[-1]  # the validity is over: its last period stands
    breached_items: tuple[str, ...] = ()
    at_risk_items: tuple[str, ...] = ()
    at_risk = open_clocks = paused = 0
    if clocks is not None:
        lo = hi = None
        if current is not None:
            lo = to_ns(local_to_utc(zone, current.period_start, 0))
            hi = to_ns(local_to_utc(zone, current.period_end, 0))
        breached_items = _first_items(clocks, _BREACHED, "breached_at", lo, hi)
        at_risk_items = _first_items(clocks, _AT_RISK, "due_at", None, None)
        for part in clocks.parts:
            is_open = (part.stop_at == NAT) & (part.status != _CANCELLED)
            open_clocks += int(is_open.sum())
            at_risk += int((part.status == _AT_RISK).sum())
            paused += int((part.status == _PAUSED).sum())
    return TargetStatus(
        agreement_id=agreement.id,
        title=agreement.title,
        target_id=target.id,
        kind=target.kind.value,
        period=period_label(Period(current.period_start, current.period_end)) if current else None,
        period_start=current.period_start if current else None,
        period_end=current.period_end if current else None,
        counted=current.counted if current else 0,
        met=current.met if current else 0,
        breached=current.breached if current else 0,
        attainment=current.attainment if current else None,
        objective=target.objective,
        result=current.result if current else "no data",
        value=current.value if current else None,
        percentile=target.percentile,
        at_least=target.count.at_least if target.count else None,
        at_most=target.count.at_most if target.count else None,
        breached_items=breached_items,
        at_risk=at_risk,
        at_risk_items=at_risk_items,
        open_clocks=open_clocks,
        paused=paused,
    )


def _first_items(
    clocks: TargetClocks, status: int, column: str, lo: int | None, hi: int | None
) -> tuple[str, ...]:
    """The first ITEMS_SHOWN distinct items with `status`, by `column`, within `[lo, hi)`."""
    found: list[tuple[int, str]] = []
    for part in clocks.parts:
        at = getattr(part, column)
        hit = part.status == status
        if lo is not None and hi is not None:
            hit &= (at >= lo) & (at < hi)
        rows = np.flatnonzero(hit)
        rows = rows[np.argsort(at[rows], kind="stable")[: ITEMS_SHOWN * 4]]
        found.extend((int(at[i]), clocks.item_ids[int(part.item[i])]) for i in rows)
    found.sort()
    return tuple(dict.fromkeys(item for _, item in found))[:ITEMS_SHOWN]


@dataclass(frozen=True, slots=True)
class ItemEvent:
    at: datetime
    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class TargetTimeline:
    """One target's clocks of the item under one agreement version, explained step by step.

    Priorities in the cycles index `priorities`; `skipped` says why the item has no clock.
    """

    agreement_id: str
    version: int
    target_id: str
    kind: str
    calendar: str
    priorities: tuple[str, ...]
    warn_at: Decimal
    cycles: tuple[CycleExplanation, ...]
    skipped: str | None = None


@dataclass(frozen=True, slots=True)
class ItemTimeline:
    item_id: str
    as_of: datetime
    events: tuple[ItemEvent, ...]
    targets: tuple[TargetTimeline, ...]


def item_timeline(session: Session, item_id: str, as_of: datetime) -> ItemTimeline:
    """An item's events and, per agreement and target, its clocks' timelines as of `as_of`.

    A cycle is explained under the version in force at its start. The id is the source's id,
    or `source:id` when several sources are stored. NotFoundError (an AccordError) when no item
    has that id.
    """
    as_of_ns = to_ns(as_of)
    own_id = item_id.partition(":")[2] if ":" in item_id else item_id
    table = EventRepository(session).load_table(until_ns=as_of_ns, item_ids=[item_id, own_id])
    one = _item_rows(table, item_id)
    found = one.item_ids[int(one.item[0])]
    events = tuple(
        ItemEvent(
            at=datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(one.at[i]) // 1000),
            kind=_KINDS[int(one.kind[i])].value,
            value=one.values[int(one.value[i])] if one.value[i] >= 0 else "",
        )
        for i in range(len(one))
    )
    timelines: list[TargetTimeline] = []
    for _latest, windows in agreements_in_force(session):
        for window in windows:
            agreement = window.agreement
            run = evaluate([agreement], one, as_of)
            for target in agreement.targets:
                if not target.is_clock:
                    continue
                clocks = next(c for c in run.clocks if c.target_id == target.id)
                starts = [int(s) for p in clocks.parts for s in p.start_at]
                skipped = [s.reason for s in run.skipped if s.target_id == target.id]
                mine = [s for s in starts if window.holds(s)]
                if not mine and not (skipped and window.holds(_first_at(one))):
                    continue
                cycles: tuple[CycleExplanation, ...] = ()
                if mine:
                    rules = clock_rules(agreement, target, one.values)
                    calendar = BusinessCalendar(agreement.calendars[target.calendar])
                    explained = explain(one, rules, calendar, as_of_ns)
                    # The cycles evaluate() kept: started in this window and in the validity.
                    cycles = tuple(c for c in explained if c.start_at_ns in set(mine))
                timelines.append(
                    TargetTimeline(
                        agreement_id=agreement.id,
                        version=window.version,
                        target_id=target.id,
                        kind=target.kind.value,
                        calendar=target.calendar,
                        priorities=agreement.priorities,
                        warn_at=target.warn_at,
                        cycles=cycles,
                        skipped=None if cycles else (skipped[0] if skipped else None),
                    )
                )
    return ItemTimeline(found, as_of.astimezone(UTC), events, tuple(timelines))


def _item_rows(table: EventTable, item_id: str) -> EventTable:
    """The rows of one item: its id exactly, or the one stored `source:id` ending in it."""
    ids = table.item_ids
    matches = [i for i, name in enumerate(ids) if name == item_id]
    if not matches:
        matches = [i for i, name in enumerate(ids) if name.endswith(f":{item_id}")]
    if not matches and ":" in item_id:
        # Loaded alone, one source's items carry their own ids without the source.
        matches = [i for i, name in enumerate(ids) if name == item_id.partition(":")[2]]
    if len(matches) > 1:
        names = ", ".join(ids[i] for i in matches)
        raise AccordError(f"'{item_id}' names several items ({names}); give source:id")
    if not matches:
        raise NotFoundError(f"no item '{item_id}' has events up to the instant asked")
    code = matches[0]
    lo, hi = np.searchsorted(table.item, [code, code + 1]).tolist()
    return table.rows(lo, hi)


def _first_at(one: EventTable) -> int:
    """The item's first `created` instant, else its first event's (for skipped items)."""
    created = one.at[one.kind == KIND_CODE[EventKind.CREATED]]
    return int(created[0]) if created.size else int(one.at[0])
