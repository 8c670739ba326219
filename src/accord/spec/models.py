"""The `accord/v1` Agreement format as pydantic models: shapes, types and per-field parsing.

Checks that need two fields at once (a goal's priority, a target's calendar) and calendar
parsing live in `accord.spec.agreements`; these models never build domain objects.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    model_validator,
)

from accord.domain.agreements import (
    DEFAULT_WARN_AT,
    AgreementType,
    PriorityChangePolicy,
    ReopenPolicy,
    TargetKind,
)
from accord.domain.durations import Duration, parse_fraction
from accord.domain.measures import (
    SRE_WORKBOOK_ALERTS,
    ClosedDayPolicy,
    CountBounds,
    MaintenanceConvention,
    TimeBasis,
    parse_burn_rate,
    parse_every,
    parse_percentile,
    parse_time_of_day,
)
from accord.domain.periods import PeriodKind, PeriodSpec
from accord.spec.governance import (
    ConsequencesModel,
    ReportingModel,
    ResponsibilitiesModel,
    ReviewModel,
    TerminationRuleModel,
)

API_VERSION = "accord/v1"
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_BARE_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")


def _required(value: object) -> object:
    if value is None:
        raise ValueError("required: the value is empty")
    return value


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(
            f"'{value}' is not a slug: use lowercase letters, digits and single dashes, "
            "e.g. it-service-desk-for-sales"
        )
    return value


def _identifier(value: str) -> str:
    if not _IDENTIFIER.match(value):
        raise ValueError(
            f"'{value}' is not an id: use letters, digits, '-', '_' or '.', e.g. first-response"
        )
    return value


def _duration(value: object) -> Duration:
    return Duration.parse(str(_required(value)))


def _objective(value: object) -> Decimal:
    _required(value)
    try:
        return parse_fraction(value)
    except ValueError:
        if isinstance(value, int | float | str) and _BARE_NUMBER.match(str(value)):
            raise ValueError(
                f"'{value}' is more than 1; write {value}% for a percentage "
                "or a fraction such as 0.95"
            ) from None
        raise


@dataclass(frozen=True, slots=True)
class PercentileObjective:
    """`objective: {percentile: 90}`: the clock at the 90th nearest rank must meet its goal."""

    percentile: Decimal


ObjectiveValue = Decimal | PercentileObjective | CountBounds
_PERCENTILE_KEYS = ("percentile",)
_BOUND_KEYS = ("at_least", "at_most")


def _objective_value(value: object) -> ObjectiveValue:
    """A fraction (`95%`), a percentile (`{percentile: 90}`) or bounds (`{at_least: 20}`)."""
    if not isinstance(value, dict):
        return _objective(value)
    keys = [str(key) for key in value]
    if not keys:
        raise ValueError("write {percentile: 90}, {at_least: 20} or a fraction such as 95%")
    if set(keys) <= set(_PERCENTILE_KEYS):
        return PercentileObjective(parse_percentile(_required(value["percentile"])))
    if set(keys) <= set(_BOUND_KEYS):
        bounds = {key: _count(value[key], key) for key in keys}
        low, high = bounds.get("at_least"), bounds.get("at_most")
        if low is not None and high is not None and low > high:
            raise ValueError(f"at_least {low} is more than at_most {high}")
        return CountBounds(at_least=low, at_most=high)
    unknown = [key for key in keys if key not in (*_PERCENTILE_KEYS, *_BOUND_KEYS)]
    if unknown:
        raise ValueError(
            f"unknown key '{unknown[0]}' (allowed: percentile, or at_least and at_most)"
        )
    raise ValueError("a percentile cannot be combined with at_least or at_most")


def _count(value: object, key: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError(f"{key} must be a whole number of items, 0 or more; got '{value}'")


def _wall_seconds(value: object) -> int:
    """A wall-clock span: `5m`, `1h`, `3d` (d = 24 hours here); working days make no sense."""
    duration = Duration.parse(str(_required(value)))
    if duration.working_days is not None:
        raise ValueError(
            f"'{value}': working days (wd) are not a span of time here; write e.g. 5m, 1h or 3d"
        )
    return duration.seconds


def _minimum_downtime(value: object) -> int:
    if str(value).strip() in ("0", "0s", "0m"):
        return 0
    return _wall_seconds(value)


def _alerts(value: object) -> object:
    """`sre-workbook` stands for the SRE workbook's three multiwindow rules."""
    if isinstance(value, str):
        if value.strip().lower() != "sre-workbook":
            raise ValueError(f"'{value}': write sre-workbook or a list of rules")
        return [
            {
                "burn_rate": str(rule.burn_rate),
                "long_window": f"{rule.long_window_seconds}s",
                "short_window": f"{rule.short_window_seconds}s",
            }
            for rule in SRE_WORKBOOK_ALERTS
        ]
    return value


def _warn_at(value: object) -> Decimal:
    fraction = _objective(value)
    if fraction <= 0:
        raise ValueError(f"'{value}' must be more than 0% (and at most 100%)")
    return fraction


def _every(value: object) -> frozenset[int] | None:
    return parse_every(_required(value))


def _period(value: object) -> PeriodSpec:
    return PeriodSpec.parse(_required(value))


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or isinstance(value, dict | list):
        raise ValueError("match values must be plain values, e.g. web or [web, event]")
    return str(value)


def _match_values(value: object) -> frozenset[str]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise ValueError("list at least one value to match")
    return frozenset(_scalar_text(item) for item in items)


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        hint = difflib.get_close_matches(value, _zone_names(), n=1)
        suffix = f"; did you mean '{hint[0]}'?" if hint else " (e.g. Europe/Berlin)"
        raise ValueError(f"'{value}' is not an IANA time zone{suffix}") from None
    return value


Text = Annotated[str, Field(min_length=1)]
Slug = Annotated[str, AfterValidator(_slug)]
Identifier = Annotated[str, AfterValidator(_identifier)]
TimeZoneName = Annotated[str, AfterValidator(_timezone)]
DurationValue = Annotated[Duration, PlainValidator(_duration)]
Fraction = Annotated[Decimal, PlainValidator(_objective)]
WarnFraction = Annotated[Decimal, PlainValidator(_warn_at)]
Period = Annotated[PeriodSpec, PlainValidator(_period)]
MatchValues = Annotated[frozenset[str], PlainValidator(_match_values)]
Objective = Annotated[ObjectiveValue, PlainValidator(_objective_value)]
WallSeconds = Annotated[int, PlainValidator(_wall_seconds)]
MinimumDowntime = Annotated[int, PlainValidator(_minimum_downtime)]
Every = Annotated[frozenset[int] | None, PlainValidator(_every)]
TimeOfDay = Annotated[int, PlainValidator(parse_time_of_day)]
BurnRate = Annotated[Decimal, PlainValidator(parse_burn_rate)]


class SpecModel(BaseModel):
    """Base of every model: unknown keys are errors; numbers are accepted where text is."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, coerce_numbers_to_str=True, str_strip_whitespace=True
    )


class MetadataModel(SpecModel):
    id: Slug  # stable identifier, unique among all agreements: it-service-desk-for-sales
    title: Text  # what people call the agreement
    description: str | None = None  # free text


class ValidityModel(SpecModel):
    """Inclusive local dates on which the agreement is in force."""

    start: date  # first day in force, YYYY-MM-DD
    end: date | None = None  # last day in force (inclusive); none: until ended (lint warns)

    @model_validator(mode="after")
    def _start_not_after_end(self) -> Self:
        if self.end is not None and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


class DueModel(SpecModel):
    """When a deliverable falls due, on the target calendar's local time."""

    every: Every  # mon | mon-fri | mon,thu | month (then with day)
    at: TimeOfDay  # local time of day it is due by: "10:00"
    day: int | None = None  # with every: month, the day of the month (31: the last day)
    # deliveries count from this long before the due instant; default: the previous due instant
    window: WallSeconds | None = None
    # skip | keep: whether a date without working hours on the calendar has an occurrence
    on_closed_day: ClosedDayPolicy = ClosedDayPolicy.SKIP

    @model_validator(mode="after")
    def _day_goes_with_month(self) -> Self:
        if self.every is None and self.day is None:
            raise ValueError("a monthly schedule needs day: N (1-31)")
        if self.every is not None and self.day is not None:
            raise ValueError("day: N goes with every: month; a weekly schedule names weekdays")
        if self.day is not None and not 1 <= self.day <= 31:
            raise ValueError(f"day {self.day} is not a day of the month (1-31)")
        return self


class AlertModel(SpecModel):
    """A multiwindow burn-rate alert (SRE workbook): both windows burn at least `burn_rate`."""

    burn_rate: BurnRate  # 14.4: the error budget would last 1/14.4 of the period
    long_window: WallSeconds  # 1h
    short_window: WallSeconds  # 5m, shorter than long_window

    @model_validator(mode="after")
    def _short_is_shorter(self) -> Self:
        if self.short_window >= self.long_window:
            raise ValueError("short_window must be shorter than long_window")
        return self


class StopEvent(StrEnum):
    RESPONDED = "responded"
    RESOLVED = "resolved"
    CLOSED = "closed"


class TargetModel(SpecModel):
    """One measurable promise; which keys apply depends on `kind` (checked in `checks`)."""

    id: Identifier  # unique within the agreement: response, resolution, first-contact
    kind: TargetKind  # response | resolution | count | delivery | availability
    calendar: Text  # name of a calendar under spec.calendars
    # response, resolution: priority -> 30m, 4h, 2wd
    goal: Annotated[dict[Text, DurationValue], Field(min_length=1)] | None = None
    # 95% (a share), {percentile: 90} (clocks), {at_least: 20, at_most: 40} (count)
    objective: Objective
    period: Period = PeriodSpec(PeriodKind.MONTH)  # month | week | quarter | Nd
    pause_states: list[Text] = []  # states in which the clock does not run
    # what stops the clock instead of the kind's default (response: responded, resolved or
    # closed; resolution: resolved or closed), e.g. [closed] for an SLA that runs to closure
    stop_on: Annotated[list[StopEvent], Field(min_length=1)] | None = None
    on_priority_change: PriorityChangePolicy = PriorityChangePolicy.KEEP_ELAPSED
    on_reopen: ReopenPolicy = ReopenPolicy.RESUME  # irrelevant to response targets
    warn_at: WarnFraction = DEFAULT_WARN_AT  # at-risk from this share of the goal, in (0, 1]
    match: dict[Text, MatchValues] = {}  # item field -> value or [values]; empty matches all
    priorities: MatchValues = frozenset()  # count: only items of these priorities
    due: DueModel | None = None  # delivery: {every: mon, at: "10:00"}
    maintenance: MaintenanceConvention = MaintenanceConvention.EXCLUDE  # availability
    minimum_downtime: MinimumDowntime = 0  # availability: shorter downtime is ignored (1m)
    clock: TimeBasis = TimeBasis.WALL  # availability: MTTR/MTBF/MTTA in wall | business time
    alerts: Annotated[list[AlertModel], BeforeValidator(_alerts)] = []  # or sre-workbook
    source: Text | None = None  # where the figures come from: ServiceNow incidents
    items: Text | None = None  # what this target counts, plural, if not the agreement's
    description: str | None = None  # free text


class AgreementSpecModel(SpecModel):
    type: AgreementType  # customer | service | multi-level
    provider: Text  # who keeps the promise: it
    customer: Text  # who receives it: sales
    services: Annotated[list[Text], Field(min_length=1)]  # [service-desk]
    validity: ValidityModel  # {start: 2026-01-01, end: 2026-12-31}
    priorities: Annotated[list[Text], Field(min_length=1)]  # [P1, P2, P3, P4], unique
    default_priority: Text | None = None  # for items that never get a priority
    timezone: TimeZoneName | None = None  # zone of the periods; else each target's calendar's
    # name -> calendar mapping; parsed by accord.domain.calendars.CalendarSpec.from_dict
    calendars: Annotated[dict[Text, Any], Field(min_length=1)]
    targets: Annotated[list[TargetModel], Field(min_length=1)]
    items: Text | None = None  # what the targets count, plural, for the document: incidents
    supports: Slug | None = None  # an OLA: the id of the agreement it supports
    definitions: dict[Text, Text] = {}  # term -> what it means in this agreement
    responsibilities: ResponsibilitiesModel | None = None  # each side's duties
    reporting: ReportingModel | None = None  # {every: month, to: [sales leadership]}
    review: ReviewModel | None = None  # {every: quarter}: the review cadence
    consequences: ConsequencesModel | None = None  # credits etc., with a cap
    termination: list[TerminationRuleModel] = []  # rules that flag the agreement for review


class AgreementDocument(SpecModel):
    """A whole `kind: Agreement` document. For example:

    ```yaml
    apiVersion: accord/v1
    kind: Agreement
    metadata:
      id: it-service-desk-for-sales
      title: IT service desk for Sales
    spec:
      type: customer                      # customer | service | multi-level
      provider: it
      customer: sales
      services: [service-desk]            # catalog services (kind: Service), when one is known
      items: incidents                    # what the targets count, for the document
      # supports: other-agreement-id      # an OLA names the agreement it supports
      validity: {start: 2026-01-01, end: 2026-12-31}   # end optional (lint: no-end-date)
      definitions:
        incident: An unplanned interruption or reduction in quality of an IT service.
      responsibilities:
        provider: [Answer every ticket through the service portal.]
        customer: [Report incidents through the portal or by phone.]
      reporting: {every: month, to: [sales leadership], description: Monthly figures.}
      review: {every: quarter}            # month | quarter | week | Nd
      consequences:
        cap: 25%                          # of the period's charge; never exceeded
        charge: 12000                     # optional, per period
        currency: EUR                     # optional, with charge
        items:
          - target: response              # a target id of this agreement
            kind: credit                  # credit | chargeback | bonus
            bands:                        # [at_least, below) -> percent; never overlapping
              - {at_least: 90%, below: 95%, percent: 5%}
              - {below: 90%, percent: 10%}
      termination:
        - {rule: missed-in-a-row, periods: 3, targets: [response]}   # targets: optional
        - {rule: not-approved-within, days: 30}
      priorities: [P1, P2, P3, P4]        # optional: default_priority, timezone (for periods)
      calendars:
        office:
          timezone: Europe/Berlin
          hours: {mon-fri: ["09:00-17:00"]}
          holidays: {country: DE, subdivision: BE}
      targets:
        - id: response
          kind: response
          calendar: office
          goal: {P1: 30m, P2: 1h, P3: 4h, P4: 8h}
          objective: 95%
          period: month
          source: ServiceNow incidents      # the data source (lint: no-data-source)
          items: requests                   # optional: what this target counts
        - id: resolution
          kind: resolution
          calendar: office
          goal: {P1: 4h, P2: 8h, P3: 24h, P4: 40h}
          pause_states: [awaiting customer, awaiting vendor]
          on_priority_change: keep-elapsed  # keep-elapsed | restart | strictest
          on_reopen: resume                 # resume | new-cycle | ignore
          warn_at: 75%
          objective: 90%
          match: {channel: [web, phone]}    # optional filter on item fields
        - id: resolution-p90
          kind: resolution
          calendar: office
          goal: {P1: 1wd, P2: 2wd, P3: 3wd, P4: 5wd}
          objective: {percentile: 90}       # the 90th-percentile clock meets its goal
        - id: tickets-per-month
          kind: count                       # items created per period
          calendar: office                  # its zone cuts the periods
          priorities: [P1]                  # optional: only items of these priorities
          objective: {at_most: 10}          # and/or at_least: N
        - id: status-report
          kind: delivery                    # 'delivered' events of matching items
          calendar: office
          match: {deliverable: status-report}
          due: {every: mon, at: "10:00"}    # or {every: month, day: 1, at: "09:00"}
          objective: 100%                   # share of due occurrences delivered on time
        - id: availability
          kind: availability                # from 'outage' events of matching items
          calendar: office                  # the service window
          objective: 99.5%
          maintenance: exclude              # exclude | count-as-up
          minimum_downtime: 1m              # shorter downtime is ignored
          clock: wall                       # MTTR, MTBF, MTTA in wall | business time
          alerts: sre-workbook              # or [{burn_rate: 14.4, long_window: 1h, ...}]
    ```
    """

    api_version: Literal["accord/v1"] = Field(alias="apiVersion")  # format version
    kind: Literal["Agreement"]  # document kind
    metadata: MetadataModel
    spec: AgreementSpecModel
