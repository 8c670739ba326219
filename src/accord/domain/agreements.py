"""Agreements and their targets as immutable data (what `accord/v1` YAML describes).

Built by `accord.spec` from files, read by the engine and services. No parsing of YAML here and
no arithmetic on time: rules that need a calendar live in the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from accord.domain.calendars import CalendarSpec
from accord.domain.durations import Duration
from accord.domain.events import EventKind
from accord.domain.periods import PeriodSpec


class AgreementType(StrEnum):
    CUSTOMER = "customer"
    SERVICE = "service"
    MULTI_LEVEL = "multi-level"


class TargetKind(StrEnum):
    RESPONSE = "response"
    RESOLUTION = "resolution"


class PriorityChangePolicy(StrEnum):
    KEEP_ELAPSED = "keep-elapsed"
    RESTART = "restart"
    STRICTEST = "strictest"


class ReopenPolicy(StrEnum):
    RESUME = "resume"
    NEW_CYCLE = "new-cycle"
    IGNORE = "ignore"


# What stops a clock of each kind: the first of these events while it runs.
STOP_EVENTS: dict[TargetKind, frozenset[EventKind]] = {
    TargetKind.RESPONSE: frozenset({EventKind.RESPONDED, EventKind.RESOLVED, EventKind.CLOSED}),
    TargetKind.RESOLUTION: frozenset({EventKind.RESOLVED, EventKind.CLOSED}),
}

DEFAULT_WARN_AT = Decimal("0.75")


@dataclass(frozen=True, slots=True)
class Validity:
    """Inclusive local dates on which the agreement is in force."""

    start_on: date
    end_on: date


@dataclass(frozen=True, slots=True)
class Target:
    """A measurable promise: a clock per matching item, a goal per priority, an objective.

    `match` restricts the target to items whose `field` values are among the listed ones
    (e.g. `{"segment": {"hot", "warm"}}`); an empty mapping matches every item.
    """

    id: str
    kind: TargetKind
    calendar: str
    goals: Mapping[str, Duration]
    objective: Decimal
    period: PeriodSpec
    pause_states: frozenset[str] = frozenset()
    on_priority_change: PriorityChangePolicy = PriorityChangePolicy.KEEP_ELAPSED
    on_reopen: ReopenPolicy = ReopenPolicy.RESUME
    warn_at: Decimal = DEFAULT_WARN_AT
    match: Mapping[str, frozenset[str]] = field(default_factory=dict)
    description: str | None = None

    @property
    def stop_events(self) -> frozenset[EventKind]:
        return STOP_EVENTS[self.kind]

    @property
    def effective_reopen(self) -> ReopenPolicy:
        """A response clock stops once: reopening never affects it."""
        return ReopenPolicy.IGNORE if self.kind is TargetKind.RESPONSE else self.on_reopen


@dataclass(frozen=True, slots=True)
class Agreement:
    """One version of an agreement between a provider and a customer for some services."""

    id: str
    title: str
    type: AgreementType
    provider: str
    customer: str
    services: tuple[str, ...]
    validity: Validity
    priorities: tuple[str, ...]
    calendars: Mapping[str, CalendarSpec]
    targets: tuple[Target, ...]
    default_priority: str | None = None
    timezone: str | None = None
    description: str | None = None

    def period_timezone(self, target: Target) -> str:
        """The zone periods are cut in: `spec.timezone`, else the target calendar's zone."""
        return self.timezone or self.calendars[target.calendar].timezone

    def target(self, target_id: str) -> Target:
        for target in self.targets:
            if target.id == target_id:
                return target
        raise KeyError(target_id)
