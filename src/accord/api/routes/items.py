"""`/v1/items`: the clocks that need care (at risk, breached; filtered, paginated) across the
agreements the caller reads, and `/v1/items/{id}`: one item's clock timeline.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from accord.api.deps import READ, AsOf, Limit, Offset, PrincipalDep, SessionDep
from accord.api.errors import ERROR_RESPONSES
from accord.api.schemas import ReadModel
from accord.domain.clocks import Clock, ClockStatus
from accord.engine.clocks import NO_GOAL
from accord.services import items
from accord.services.compliance import NS, to_datetime
from accord.services.status import ItemTimeline, TargetTimeline

__all__ = [
    "ClockPage",
    "ClockRead",
    "CycleRead",
    "ItemEventRead",
    "ItemTimelineRead",
    "StepRead",
    "TargetTimelineRead",
    "router",
]


class ClockRead(ReadModel):
    """One clock cycle of one item under one target, as of the instant asked."""

    item_id: str
    agreement_id: str
    target_id: str
    cycle: int
    priority: str
    status: ClockStatus
    start_at: datetime
    stop_at: datetime | None
    due_at: datetime | None
    breached_at: datetime | None
    goal_seconds: float
    elapsed_seconds: float
    paused_seconds: float

    @classmethod
    def of(cls, clock: Clock) -> ClockRead:
        return cls.model_validate(clock)


class ClockPage(BaseModel):
    total: int
    offset: int
    limit: int
    as_of: datetime
    items: list[ClockRead]


class StepRead(BaseModel):
    """One thing that happened to a cycle, with the figures as of that instant."""

    at: datetime | None
    kind: str
    priority: str | None
    goal_seconds: float | None  # None: no goal for the priority in force
    elapsed_seconds: float
    detail: str


class CycleRead(BaseModel):
    cycle: int
    priority: str | None
    status: ClockStatus
    reason: str
    start_at: datetime | None
    stop_at: datetime | None
    due_at: datetime | None
    breached_at: datetime | None
    goal_seconds: float | None
    elapsed_seconds: float
    paused_seconds: float
    steps: list[StepRead]


class TargetTimelineRead(BaseModel):
    """One target's cycles of the item under one agreement version (`skipped`: why none)."""

    agreement_id: str
    version: int
    target_id: str
    kind: str
    calendar: str
    warn_at: Decimal
    skipped: str | None
    cycles: list[CycleRead]


class ItemEventRead(ReadModel):
    at: datetime
    kind: str
    value: str


class ItemTimelineRead(BaseModel):
    item_id: str
    as_of: datetime
    events: list[ItemEventRead]
    targets: list[TargetTimelineRead]

    @classmethod
    def of(cls, t: ItemTimeline) -> ItemTimelineRead:
        return cls(
            item_id=t.item_id,
            as_of=t.as_of,
            events=[ItemEventRead.model_validate(e) for e in t.events],
            targets=[_target_timeline(x) for x in t.targets],
        )


def _target_timeline(t: TargetTimeline) -> TargetTimelineRead:
    def priority(index: int) -> str | None:
        return t.priorities[index] if 0 <= index < len(t.priorities) else None

    def goal(ns: int) -> float | None:
        return None if ns < 0 or ns >= NO_GOAL else ns / NS

    cycles = [
        CycleRead(
            cycle=c.cycle,
            priority=priority(c.priority),
            status=c.status,
            reason=str(c.reason),
            start_at=to_datetime(c.start_at_ns),
            stop_at=to_datetime(c.stop_at_ns),
            due_at=to_datetime(c.due_at_ns),
            breached_at=to_datetime(c.breached_at_ns),
            goal_seconds=goal(c.goal_ns),
            elapsed_seconds=c.elapsed_ns / NS,
            paused_seconds=c.paused_ns / NS,
            steps=[
                StepRead(
                    at=to_datetime(s.at_ns),
                    kind=str(s.kind),
                    priority=priority(s.priority),
                    goal_seconds=goal(s.goal_ns),
                    elapsed_seconds=s.elapsed_ns / NS,
                    detail=s.detail,
                )
                for s in c.steps
            ],
        )
        for c in t.cycles
    ]
    return TargetTimelineRead(
        agreement_id=t.agreement_id,
        version=t.version,
        target_id=t.target_id,
        kind=t.kind,
        calendar=t.calendar,
        warn_at=t.warn_at,
        skipped=t.skipped,
        cycles=cycles,
    )


router = APIRouter(prefix="/v1/items", tags=["items"], responses=ERROR_RESPONSES)


@router.get(
    "",
    response_model=ClockPage,
    summary="Clocks at risk or breached (or of ?status=), soonest due and latest breach first",
    dependencies=[READ],
)
def list_clocks(
    as_of: AsOf,
    session: SessionDep,
    principal: PrincipalDep,
    offset: Offset = 0,
    limit: Limit = 50,
    status: Annotated[
        list[ClockStatus] | None,
        Query(description="Statuses wanted (repeatable); default: at-risk and breached."),
    ] = None,
    agreement: Annotated[str | None, Query(max_length=200)] = None,
    target: Annotated[str | None, Query(max_length=200)] = None,
) -> ClockPage:
    with session.begin():
        page = items.clocks(
            session,
            principal,
            as_of,
            statuses=status or items.CARE_STATUSES,
            agreement_id=agreement,
            target_id=target,
            offset=offset,
            limit=limit,
        )
    found = [ClockRead.of(c) for c in page.clocks]
    return ClockPage(total=page.total, offset=offset, limit=limit, as_of=as_of, items=found)


@router.get(
    "/{item_id}",
    response_model=ItemTimelineRead,
    summary="One item's events and clock timelines (`accord items show`)",
    dependencies=[READ],
)
def item_timeline(
    item_id: Annotated[str, Path(min_length=1, max_length=400)],
    as_of: AsOf,
    session: SessionDep,
    principal: PrincipalDep,
) -> ItemTimelineRead:
    with session.begin():
        timeline = items.item_timeline(session, principal, item_id, as_of)
    return ItemTimelineRead.of(timeline)
