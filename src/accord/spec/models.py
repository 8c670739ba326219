"""The `accord/v1` Agreement format as pydantic models: shapes, types and per-field parsing.

Checks that need two fields at once (a goal's priority, a target's calendar) and calendar
parsing live in `accord.spec.agreements`; these models never build domain objects.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, model_validator

from accord.domain.agreements import (
    DEFAULT_WARN_AT,
    AgreementType,
    PriorityChangePolicy,
    ReopenPolicy,
    TargetKind,
)
from accord.domain.durations import Duration, parse_fraction
from accord.domain.periods import PeriodKind, PeriodSpec

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


def _warn_at(value: object) -> Decimal:
    fraction = _objective(value)
    if fraction <= 0:
        raise ValueError(f"'{value}' must be more than 0% (and at most 100%)")
    return fraction


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
    end: date  # last day in force (inclusive)

    @model_validator(mode="after")
    def _start_not_after_end(self) -> Self:
        if self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


class TargetModel(SpecModel):
    """One measurable promise: a clock per matching item, a goal per priority."""

    id: Identifier  # unique within the agreement: response, resolution, first-contact
    kind: TargetKind  # response (stops at first response) | resolution (stops at resolved)
    calendar: Text  # name of a calendar under spec.calendars
    goal: Annotated[dict[Text, DurationValue], Field(min_length=1)]  # priority -> 30m, 4h, 2wd
    objective: Fraction  # share of counted clocks that must meet their goal: 95% or 0.95
    period: Period = PeriodSpec(PeriodKind.MONTH)  # month | week | quarter | Nd
    pause_states: list[Text] = []  # states in which the clock does not run
    on_priority_change: PriorityChangePolicy = PriorityChangePolicy.KEEP_ELAPSED
    on_reopen: ReopenPolicy = ReopenPolicy.RESUME  # irrelevant to response targets
    warn_at: WarnFraction = DEFAULT_WARN_AT  # at-risk from this share of the goal, in (0, 1]
    match: dict[Text, MatchValues] = {}  # item field -> value or [values]; empty matches all
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
      services: [service-desk]
      validity: {start: 2026-01-01, end: 2026-12-31}
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
    ```
    """

    api_version: Literal["accord/v1"] = Field(alias="apiVersion")  # format version
    kind: Literal["Agreement"]  # document kind
    metadata: MetadataModel
    spec: AgreementSpecModel
