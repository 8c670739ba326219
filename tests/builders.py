"""Small builders shared by tests: agreements, targets and event tables from readable rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from accord.domain.agreements import (
    Agreement,
    AgreementType,
    PriorityChangePolicy,
    ReopenPolicy,
    Target,
    TargetKind,
    Validity,
)
from accord.domain.calendars import CalendarSpec
from accord.domain.durations import Duration
from accord.domain.events import EVENT_CODES, EventKind
from accord.domain.periods import PeriodSpec
from accord.engine.events import EventTable

OFFICE: dict[str, Any] = {
    "timezone": "Europe/Berlin",
    "hours": {"mon-fri": ["09:00-17:00"]},
    "holidays": {"country": "DE", "subdivision": "BE"},
}


def instant(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert value.tzinfo is not None, text
    return value.astimezone(UTC)


def ns(text: str) -> int:
    delta = instant(text) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * 10**9 + delta.microseconds * 1000


def target(
    kind: str = "resolution",
    goals: Mapping[str, str] | None = None,
    *,
    target_id: str | None = None,
    pause: Sequence[str] = (),
    on_priority_change: str = "keep-elapsed",
    on_reopen: str = "resume",
    objective: str = "0.9",
    warn_at: str = "0.75",
    period: str = "month",
    match: Mapping[str, Sequence[str]] | None = None,
) -> Target:
    goals = goals or {"P1": "4h", "P2": "8h", "P3": "24h", "P4": "40h"}
    return Target(
        id=target_id or kind,
        kind=TargetKind(kind),
        calendar="office",
        goals={k: Duration.parse(v) for k, v in goals.items()},
        objective=Decimal(objective),
        period=PeriodSpec.parse(period),
        pause_states=frozenset(pause),
        on_priority_change=PriorityChangePolicy(on_priority_change),
        on_reopen=ReopenPolicy(on_reopen),
        warn_at=Decimal(warn_at),
        match={k: frozenset(v) for k, v in (match or {}).items()},
    )


def agreement(
    *targets: Target,
    calendar: Mapping[str, Any] | None = None,
    default_priority: str | None = None,
    validity: tuple[date, date] = (date(2026, 1, 1), date(2026, 12, 31)),
    services: tuple[str, ...] = ("service-desk",),
    priorities: tuple[str, ...] = ("P1", "P2", "P3", "P4"),
) -> Agreement:
    return Agreement(
        id="test-agreement",
        title="Test agreement",
        type=AgreementType.CUSTOMER,
        provider="it",
        customer="sales",
        services=services,
        validity=Validity(*validity),
        priorities=priorities,
        calendars={"office": CalendarSpec.from_dict(dict(calendar or OFFICE))},
        targets=targets or (target(),),
        default_priority=default_priority,
    )


def table(rows: Sequence[tuple[str, str, str, str]]) -> EventTable:
    """Rows of (item_id, ISO instant with offset, event kind, value), in arrival order."""
    items: dict[str, int] = {}
    values: dict[str, int] = {}
    for item_id, _, _, value in rows:
        items.setdefault(item_id, len(items))
        if value:
            values.setdefault(value, len(values))
    result, _ = EventTable.from_arrays(
        list(items),
        list(values),
        [items[r[0]] for r in rows],
        [ns(r[1]) for r in rows],
        [EVENT_CODES[EventKind(r[2])] for r in rows],
        [values[r[3]] if r[3] else -1 for r in rows],
    )
    return result
