"""Clock statuses and the per-clock result record (SEMANTICS.md, "Items and clocks")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ClockStatus(StrEnum):
    """Status as of an instant; the first that applies wins, in this order."""

    CANCELLED = "cancelled"
    BREACHED = "breached"
    MET = "met"
    PAUSED = "paused"
    AT_RISK = "at-risk"
    RUNNING = "running"


STATUS_CODES: dict[ClockStatus, int] = {status: code for code, status in enumerate(ClockStatus)}
STATUS_BY_CODE: tuple[ClockStatus, ...] = tuple(ClockStatus)


@dataclass(frozen=True, slots=True)
class Clock:
    """One clock cycle of one item under one target, as of an instant."""

    item_id: str
    agreement_id: str
    target_id: str
    cycle: int
    priority: str
    start_at: datetime
    stop_at: datetime | None
    goal_seconds: float
    elapsed_seconds: float
    paused_seconds: float
    due_at: datetime | None
    status: ClockStatus
    breached_at: datetime | None


@dataclass(frozen=True, slots=True)
class SkippedItem:
    """An item that no clock could be run for, with the reason (never silently dropped)."""

    item_id: str
    agreement_id: str
    target_id: str
    reason: str
