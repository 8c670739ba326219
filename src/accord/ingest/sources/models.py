"""The mapping file format (`kind: Mapping`) as pydantic models: shapes, types, field checks.

A mapping says how the rows of one export become item events. Checks that need the file being
imported (are the columns there?) happen when it is opened, not here. A full example:

```yaml
apiVersion: accord/v1
kind: Mapping
metadata:
  name: servicenow                  # the source the events are stored under
  description: ServiceNow incident audit log, one snapshot row per update
spec:
  shape: snapshots                  # events: a row is an event; snapshots: a ticket's state
  csv: {delimiter: ",", encoding: utf-8-sig}
  missing: ["?"]                    # cells that mean "no value" (an empty cell always does)
  timezone: null                    # IANA zone of naive times; `--timezone` overrides it
  time_format: "%d/%m/%Y %H:%M"     # iso, or a strptime pattern; a list is tried in order
  item: number                      # the column with the item (ticket) id
  at: sys_updated_at                # the row's instant: the event's, or the snapshot's
  sequence: sys_mod_count           # snapshots: the version number, orders same-minute updates
  created: {column: opened_at}      # when the item was created (default: its first row)
  state: incident_state             # the state column (unknown values are kept as states)
  priority:
    column: priority
    values: {"1 - Critical": P1, "2 - High": P2, "3 - Moderate": P3, "4 - Low": P4}
  responded: {states: [Active]}     # the state becomes one of these
  resolved: {column: resolved_at}   # a timestamp column: the event happens at its value
  closed: {column: closed_at}
  reopened: {count: reopen_count}   # a counter: one event each time it goes up
  fields:                           # other columns kept as `field` events, name: column
    category: category
    assignment_group: {column: assignment_group}
```
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

API_VERSION = "accord/v1"
ISO = "iso"
_DIRECTIVE = re.compile(r"%(.)")
SUPPORTED_DIRECTIVES = "YymdHIMSfpbBz%"


def _text(value: object) -> object:
    """Numbers written without quotes in YAML (`1: P1`) are read as their text."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return str(value)
    return value


Text = Annotated[str, BeforeValidator(_text), Field(min_length=1)]


def _formats(value: object) -> object:
    value = _text(value)
    return [value] if isinstance(value, str) else value


def check_format(pattern: str) -> str:
    """Accept `iso` or a strptime pattern whose directives accord can read."""
    if pattern == ISO:
        return pattern
    unknown = sorted({d for d in _DIRECTIVE.findall(pattern) if d not in SUPPORTED_DIRECTIVES})
    if unknown:
        names = ", ".join(f"%{d}" for d in unknown)
        supported = " ".join(f"%{d}" for d in SUPPORTED_DIRECTIVES)
        raise ValueError(f"unsupported directive {names} in '{pattern}' (supported: {supported})")
    directives = [d for d in _DIRECTIVE.findall(pattern) if d != "%"]
    if not any(d in "Yy" for d in directives):
        raise ValueError(f"'{pattern}' has no year (%Y or %y)")
    repeated = sorted({d for d in directives if directives.count(d) > 1})
    if repeated or ("b" in directives and "B" in directives):
        raise ValueError(f"'{pattern}' names a part of the date twice")
    return pattern


Formats = Annotated[
    list[Annotated[str, BeforeValidator(_text), BeforeValidator(check_format)]],
    BeforeValidator(_formats),
    Field(min_length=1),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _column(value: object) -> object:
    """`state: incident_state` is short for `state: {column: incident_state}`."""
    value = _text(value)
    return {"column": value} if isinstance(value, str) else value


class TimeColumn(_Model):
    """A column of instants."""

    column: Text  # the column's header name
    format: Formats | None = None  # defaults to the mapping's time_format
    optional: bool = False  # true: a file without this column is accepted


class ValueColumn(_Model):
    """A column of values (state, priority, a field), optionally translated."""

    column: Text
    values: dict[str, Annotated[str, BeforeValidator(_text)]] = {}  # as written -> as stored
    optional: bool = False


class Trigger(_Model):
    """When an event of one kind (created, responded, resolved, closed, reopened) happens.

    Any combination of: `states` (at the row's instant, when the row's state is one of them
    (events shape) or becomes one of them (snapshots shape)); `column` (at that column's
    instant, whenever a row carries a new one); `minutes_after_created` (a column of minutes
    after the created instant, e.g. Zendesk's first reply time); `count` (a counter column: at
    the row's instant, once per increase); `first` (at the item's first row).
    """

    states: list[Text] = []
    column: Text | None = None
    format: Formats | None = None  # for `column`; defaults to the mapping's time_format
    minutes_after_created: Text | None = None
    count: Text | None = None
    first: bool = False
    optional: bool = False  # true: the columns named here may be absent from a file

    @model_validator(mode="after")
    def _says_when(self) -> Self:
        if not (
            self.states or self.column or self.minutes_after_created or self.count or self.first
        ):
            raise ValueError(
                "say when the event happens: states, column, minutes_after_created, count or first"
            )
        if self.format is not None and self.column is None:
            raise ValueError("format applies to column, which is not set")
        return self


ColumnRef = Annotated[TimeColumn, BeforeValidator(_column)]
ValueRef = Annotated[ValueColumn, BeforeValidator(_column)]


class CsvOptions(_Model):
    delimiter: Annotated[str, Field(min_length=1, max_length=1)] = ","
    quotechar: Annotated[str, Field(min_length=1, max_length=1)] = '"'
    encoding: str = "utf-8-sig"


_FIELD_NAME = re.compile(r"^[^=\s][^=]*$")


class MappingSpec(_Model):
    """How rows become events; see the module docstring for every field."""

    shape: Literal["events", "snapshots"]
    csv: CsvOptions = CsvOptions()
    missing: list[Annotated[str, BeforeValidator(_text)]] = []
    timezone: Text | None = None
    time_format: Formats = [ISO]
    item: Text
    at: ColumnRef
    sequence: Text | None = None
    created: Trigger = Trigger(first=True)
    state: ValueRef | None = None
    priority: ValueRef | None = None
    responded: Trigger | None = None
    resolved: Trigger | None = None
    closed: Trigger | None = None
    reopened: Trigger | None = None
    fields: dict[str, ValueRef] = {}

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for name in self.fields:
            if not _FIELD_NAME.match(name):
                raise ValueError(f"field name '{name}' must not be empty nor contain '='")
        triggers = {"created": self.created, "responded": self.responded}
        triggers |= {"resolved": self.resolved, "closed": self.closed, "reopened": self.reopened}
        for kind, trigger in triggers.items():
            if trigger is None:
                continue
            if trigger.states and self.state is None:
                raise ValueError(f"{kind}.states needs a state column (spec.state)")
            if trigger.first and kind != "created":
                raise ValueError(f"{kind}.first: only created can happen at an item's first row")
            if trigger.minutes_after_created and kind == "created":
                raise ValueError("created cannot be minutes after itself")
        if self.sequence is not None and self.shape != "snapshots":
            raise ValueError("sequence orders snapshots; it needs shape: snapshots")
        return self


class Metadata(_Model):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)]
    description: str = ""


class MappingDocument(_Model):
    """A whole mapping file."""

    api_version: Literal["accord/v1"] = Field(alias="apiVersion")
    kind: Literal["Mapping"]
    metadata: Metadata
    spec: MappingSpec


def field_names(model: type[BaseModel]) -> list[str]:
    """The keys a model accepts, as written in a file (aliases)."""
    return [info.alias or name for name, info in model.model_fields.items()]


def describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"'{value}'"
