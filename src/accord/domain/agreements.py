"""Agreements and their targets as immutable data (what `accord/v1` YAML describes).

Built by `accord.spec` from files, read by the engine and services. No parsing of YAML here and
no arithmetic on time: rules that need a calendar live in the engine. Targets come in five
kinds: two clocks (response, resolution) and three measures (count, delivery, availability).
Beside its targets an agreement carries what makes it a document people sign and keep: its
definitions, each side's responsibilities, how it is reported and reviewed, its consequences
(credits, chargebacks, bonuses, capped) and its termination rules.
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
from accord.domain.measures import AvailabilityRules, CountBounds, DeliverySchedule
from accord.domain.periods import PeriodSpec


class AgreementType(StrEnum):
    CUSTOMER = "customer"
    SERVICE = "service"
    MULTI_LEVEL = "multi-level"


class TargetKind(StrEnum):
    RESPONSE = "response"  # a clock that stops at the first response
    RESOLUTION = "resolution"  # a clock that stops at resolved (or closed)
    COUNT = "count"  # matching items created per period, within bounds
    DELIVERY = "delivery"  # a deliverable due on a schedule, on time or not
    AVAILABILITY = "availability"  # uptime from outage records over the service window


CLOCK_KINDS = frozenset({TargetKind.RESPONSE, TargetKind.RESOLUTION})


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
    """Inclusive local dates on which the agreement is in force; `end_on` None: no end date
    (in force until it is ended; periods run up to the evaluation instant's local date)."""

    start_on: date
    end_on: date | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """A measurable promise over matching items, judged per period against its objective.

    `match` restricts the target to items whose `field` values are among the listed ones
    (e.g. `{"segment": {"hot", "warm"}}`); an empty mapping matches every item.

    Which fields a kind reads:
    - response, resolution: a clock per item with `goals` per priority, pauses, policies;
      `objective` is the share of counted clocks that must meet their goal, or, with
      `percentile` set (e.g. 90), the percentile as a fraction (0.9): the clock at that
      nearest rank must meet its goal.
    - count: `count` bounds on the items created per period, `priorities` (empty: all)
      selects items by their priority; `objective` is 1 (the bounds must hold).
    - delivery: `due` schedule; `objective` is the share of due occurrences delivered on time.
    - availability: `availability` rules; `objective` is the availability to reach (0.999).
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
    percentile: Decimal | None = None
    count: CountBounds | None = None
    priorities: frozenset[str] = frozenset()
    due: DeliverySchedule | None = None
    availability: AvailabilityRules | None = None
    stop_on: frozenset[EventKind] | None = None  # overrides the kind's stop events (clocks)
    source: str | None = None  # where the figures come from: "ServiceNow incidents (INC)"
    items: str | None = None  # overrides the agreement's `items` for this target: requests

    @property
    def is_clock(self) -> bool:
        """True for response and resolution targets (a clock per item)."""
        return self.kind in CLOCK_KINDS

    @property
    def error_budget(self) -> Decimal | None:
        """B = 1 - objective for ratio-like targets (clock shares, deliveries, availability).

        None for count targets and percentile objectives, which have no error ratio.
        """
        if self.kind is TargetKind.COUNT or self.percentile is not None:
            return None
        return 1 - self.objective

    @property
    def stop_events(self) -> frozenset[EventKind]:
        """What stops this target's clock: `stop_on` if the target names it, else the kind's
        (nothing for targets that are not clocks)."""
        if self.stop_on is not None and self.is_clock:
            return self.stop_on
        return STOP_EVENTS.get(self.kind, frozenset())

    @property
    def effective_reopen(self) -> ReopenPolicy:
        """A response clock stops once: reopening never affects it."""
        return ReopenPolicy.IGNORE if self.kind is TargetKind.RESPONSE else self.on_reopen


class RuleKind(StrEnum):
    """What fires a termination (or review) rule."""

    MISSED_IN_A_ROW = "missed-in-a-row"  # a target missed in `periods` consecutive periods
    NOT_APPROVED_WITHIN = "not-approved-within"  # no version active `days` after the first


@dataclass(frozen=True, slots=True)
class TerminationRule:
    """A rule evaluated per period; when it fires the agreement is flagged `review-required`
    with the rule's reason (SEMANTICS.md, "Consequences"), and a review may end it.

    `periods` goes with missed-in-a-row, `days` with not-approved-within; `targets` limits
    missed-in-a-row to those target ids (empty: any target of the agreement).
    """

    kind: RuleKind
    periods: int | None = None
    days: int | None = None
    targets: frozenset[str] = frozenset()


class ConsequenceKind(StrEnum):
    CREDIT = "credit"  # the provider credits the customer (a penalty)
    CHARGEBACK = "chargeback"  # part of the internal charge is handed back
    BONUS = "bonus"  # the customer rewards the provider


@dataclass(frozen=True, slots=True)
class Band:
    """Attainment in `[lower, upper)` -> `percent` of the period's charge (fractions: 0.1).

    None stands for no bound on that side. Bands of one consequence never overlap, so exactly
    one applies (SEMANTICS.md: bands do not stack).
    """

    lower: Decimal | None
    upper: Decimal | None
    percent: Decimal


@dataclass(frozen=True, slots=True)
class Consequence:
    """A ladder of bands on one target's attainment per period."""

    target: str
    kind: ConsequenceKind
    bands: tuple[Band, ...]
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Consequences:
    """What follows from the figures: credits, chargebacks, bonuses, never above `cap`.

    `cap` is the most that all consequences of one period may amount to, as a fraction of
    the period's `charge` (SEMANTICS.md: every agreement has a cap per period). None means the
    agreement states no cap, which lint reports.
    """

    cap: Decimal | None
    items: tuple[Consequence, ...] = ()
    charge: Decimal | None = None  # the period's internal charge, in `currency`
    currency: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Reporting:
    """How the provider reports: every `every` (a period spec) to the named recipients."""

    every: PeriodSpec
    to: tuple[str, ...] = ()
    description: str | None = None


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
    # What makes it a document people sign; all optional in the format, lint asks for them.
    definitions: Mapping[str, str] = field(default_factory=dict)  # term -> meaning
    # "provider" and "customer" -> what each side undertakes
    responsibilities: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    reporting: Reporting | None = None
    review: PeriodSpec | None = None  # review cadence: quarter, month, 182d
    consequences: Consequences | None = None
    termination: tuple[TerminationRule, ...] = ()
    supports: str | None = None  # an OLA: the id of the agreement it supports
    items: str = "items"  # what the targets count, plural, for the document: incidents, leads

    def period_timezone(self, target: Target) -> str:
        """The zone periods are cut in: `spec.timezone`, else the target calendar's zone."""
        return self.timezone or self.calendars[target.calendar].timezone

    def target(self, target_id: str) -> Target:
        for target in self.targets:
            if target.id == target_id:
                return target
        raise KeyError(target_id)
