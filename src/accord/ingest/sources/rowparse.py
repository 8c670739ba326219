"""Rows of an export -> typed columns, by a mapping bound to the file's header.

Owns what a cell means: the item, the instant, values translated by the mapping, and when a row
cannot be read at all (no item id, an unreadable time), which makes it a RowIssue. Derives no
events (`accord.ingest.sources.derive` does) and reads no files.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from accord.domain.events import EventKind
from accord.engine.events import NAT
from accord.errors import EventLogError
from accord.ingest.eventlog import RowIssue
from accord.ingest.instants import zone
from accord.ingest.sources.csvrows import RowChunk
from accord.ingest.sources.mappings import SourceMapping
from accord.ingest.sources.models import Trigger, ValueColumn
from accord.ingest.sources.timeparse import NAIVE_ADVICE, TimeParser

_TRIGGER_KINDS = (
    EventKind.CREATED,
    EventKind.RESPONDED,
    EventKind.RESOLVED,
    EventKind.CLOSED,
    EventKind.REOPENED,
)


@dataclass(frozen=True, slots=True)
class Values:
    index: int
    values: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class TriggerColumns:
    kind: EventKind
    states: frozenset[str]
    time: int | None  # index into the chunk's time columns
    minutes: int | None  # column index of minutes after created
    count: int | None  # column index of a counter
    count_name: str  # the counter's column name (its first value is kept as that field)
    first: bool


@dataclass(frozen=True, slots=True)
class Coded:
    """A column of values as codes into `vocabulary` (-1: no value)."""

    codes: npt.NDArray[np.int64]
    vocabulary: list[str]

    def value(self, i: int) -> str | None:
        code = int(self.codes[i])
        return self.vocabulary[code] if code >= 0 else None


@dataclass(slots=True)
class ParsedChunk:
    """A chunk's readable rows as columns, ready for `derive_events`; NAT marks no instant."""

    lines: npt.NDArray[np.int64]
    items: list[str]
    at: npt.NDArray[np.int64]
    at_text: list[str]
    sequence: list[str] | None
    state: Coded | None
    priority: Coded | None
    fields: list[Coded | None]  # per mapped field
    times: list[npt.NDArray[np.int64]]  # per time column
    numbers: dict[int, npt.NDArray[np.float64]]  # column index -> values (NaN: none)
    issues: list[RowIssue] = field(default_factory=list)
    rows_read: int = 0
    bytes_read: int = 0

    @property
    def item_ids(self) -> list[str]:
        """The distinct items of the chunk, in order of appearance."""
        return list(dict.fromkeys(self.items))

    def __len__(self) -> int:
        return len(self.items)


class Mapper:
    """A mapping bound to one file's header: turns chunks of rows into `ParsedChunk`s."""

    def __init__(
        self, mapping: SourceMapping, header: Sequence[str], origin: str, timezone: str | None
    ) -> None:
        """Bind `mapping` to a file's `header`; `origin` names the file in errors.

        Raise EventLogError when a column the mapping needs is not in the header, or when its
        times carry no offset and neither `timezone` nor the mapping names a zone.
        """
        spec = mapping.spec
        self.spec = spec
        self.mapping_name = mapping.name
        self.snapshots = spec.shape == "snapshots"
        self._missing = frozenset(["", *(token.strip() for token in spec.missing)])
        self._header: dict[str, int] = {}
        for index, name in enumerate(header):
            self._header.setdefault(name, index)
        self._lower = {name.lower(): index for name, index in reversed(self._header.items())}
        self._absent: list[str] = []
        self._parsers: list[TimeParser] = []
        tz = _zone(timezone or spec.timezone)
        self.item = self._column(spec.item, "spec.item")
        self.at_parser, self.at = self._time(spec.at.column, spec.at.format, tz, "spec.at")
        self.sequence = self._column(spec.sequence, "spec.sequence") if spec.sequence else None
        self.state = self._values(spec.state, "spec.state")
        self.priority = self._values(spec.priority, "spec.priority")
        self.fields: list[tuple[str, Values]] = []
        for name, column in spec.fields.items():
            values = self._values(column, f"spec.fields.{name}")
            if values is not None:
                self.fields.append((name, values))
        self.time_parsers: list[tuple[TimeParser, int]] = []
        self.triggers: list[TriggerColumns] = []
        for kind in _TRIGGER_KINDS:
            trigger: Trigger | None = getattr(spec, kind.value)
            if trigger is not None:
                self._trigger(kind, trigger, tz)
        if self._absent:
            raise EventLogError(
                f"{origin}: no column {', '.join(self._absent)} for mapping {mapping.name}; "
                f"the header has: {', '.join(header)}"
            )
        self._number_columns = sorted(
            {i for t in self.triggers for i in (t.minutes, t.count) if i is not None}
        )

    def _find(self, name: str) -> int | None:
        index = self._header.get(name)
        return index if index is not None else self._lower.get(name.lower())

    def _column(self, name: str, where: str, *, optional: bool = False) -> int:
        index = self._find(name)
        if index is None:
            if optional:
                return -1
            self._absent.append(f"'{name}' ({where})")
            return -1
        return index

    def _time(
        self,
        name: str,
        formats: Sequence[str] | None,
        tz: ZoneInfo | None,
        where: str,
        *,
        optional: bool = False,
    ) -> tuple[TimeParser, int]:
        parser = TimeParser(name, formats or self.spec.time_format, tz)
        for other in self._parsers:
            parser.shared(other)
        self._parsers.append(parser)
        if parser.always_naive and tz is None:
            shapes = ", ".join(parser.formats)
            raise EventLogError(
                f"mapping {self.mapping_name}, {where}: times in column {name} ('{shapes}') "
                f"carry no offset and no time zone was named; {NAIVE_ADVICE}"
            )
        return parser, self._column(name, where, optional=optional)

    def _values(self, column: ValueColumn | None, where: str) -> Values | None:
        if column is None:
            return None
        index = self._column(column.column, where, optional=column.optional)
        if index < 0:
            return None
        return Values(index, {k.strip(): v.strip() for k, v in column.values.items()})

    def _trigger(self, kind: EventKind, trigger: Trigger, tz: ZoneInfo | None) -> None:
        where = f"spec.{kind.value}"
        time = minutes = count = None
        if trigger.column:
            parser, index = self._time(
                trigger.column, trigger.format, tz, f"{where}.column", optional=trigger.optional
            )
            if index >= 0:
                self.time_parsers.append((parser, index))
                time = len(self.time_parsers) - 1
        if trigger.minutes_after_created:
            index = self._column(trigger.minutes_after_created, where, optional=trigger.optional)
            minutes = index if index >= 0 else None
        if trigger.count:
            index = self._column(trigger.count, where, optional=trigger.optional)
            count = index if index >= 0 else None
        states = frozenset(s.strip() for s in trigger.states)
        if states or time is not None or minutes is not None or count is not None or trigger.first:
            self.triggers.append(
                TriggerColumns(
                    kind, states, time, minutes, count, trigger.count or "", trigger.first
                )
            )

    def parse_chunk(self, chunk: RowChunk) -> ParsedChunk:
        """Read a chunk's cells; a row without an item id or with an unreadable time is an issue.

        Missing tokens (and empty cells) read as no value. Values are translated by the
        mapping's `values`; values it does not list are kept as written. Work is done per
        distinct cell text, since exports repeat themselves.
        """
        rows = chunk.rows
        columns: dict[int, list[str]] = {}
        missing = self._missing
        bad: dict[int, str] = {}

        def raw(index: int) -> list[str]:
            """A column's cells as written (only the columns the mapping reads are taken)."""
            if index not in columns:
                columns[index] = list(map(itemgetter(index), rows))
            return columns[index]

        def cells(index: int) -> list[str]:
            column = raw(index)
            clean = {}
            for text in set(column):
                stripped = text.strip()
                clean[text] = "" if stripped in missing else stripped
            return list(map(clean.__getitem__, column))

        items = cells(self.item)
        for i, item in enumerate(items):
            if not item:
                bad[i] = f"no item id (column {self.spec.item})"
        at_text = cells(self.at)
        at, errors = self.at_parser.parse(at_text)
        for i, message in errors.items():
            bad.setdefault(i, f"{message} (column {self.at_parser.column})")
        for i in np.flatnonzero(at == NAT).tolist():
            bad.setdefault(i, f"no time (column {self.spec.at.column})")
        times = []
        for parser, index in self.time_parsers:
            column, errors = parser.parse(cells(index))
            for i, message in errors.items():
                bad.setdefault(i, f"{message} (column {parser.column})")
            times.append(column)
        issues = list(chunk.issues)
        issues.extend(RowIssue(chunk.lines[i], message) for i, message in bad.items())
        issues.sort(key=lambda issue: issue.line)
        n = len(items)
        keep = np.ones(n, dtype=bool)
        keep[list(bad)] = False
        kept = np.flatnonzero(keep).tolist() if bad else None

        def pick(column: list[str]) -> list[str]:
            return column if kept is None else [column[i] for i in kept]

        def coded(values: Values | None) -> Coded | None:
            if values is None:
                return None
            column = raw(values.index)
            table = values.values
            vocabulary: dict[str, int] = {}
            lookup = {}
            for text in set(column):
                stripped = text.strip()
                if stripped in missing:
                    lookup[text] = -1
                else:
                    value = table.get(stripped, stripped)
                    lookup[text] = vocabulary.setdefault(value, len(vocabulary))
            codes = np.fromiter(map(lookup.__getitem__, column), dtype=np.int64, count=n)
            return Coded(codes if kept is None else codes[keep], list(vocabulary))

        return ParsedChunk(
            lines=np.asarray(chunk.lines, dtype=np.int64)[keep],
            items=pick(items),
            at=at[keep],
            at_text=pick(at_text),
            sequence=pick(cells(self.sequence)) if self.sequence is not None else None,
            state=coded(self.state),
            priority=coded(self.priority),
            fields=[coded(values) for _, values in self.fields],
            times=[column[keep] for column in times],
            numbers={i: _numbers(cells(i))[keep] for i in self._number_columns},
            issues=issues,
            rows_read=chunk.rows_read,
            bytes_read=chunk.bytes_read,
        )


def sequence_key(text: str) -> tuple[int, int, str]:
    """How sequence values sort: numbers as numbers, any other text after them."""
    return (0, int(text), "") if text.isdigit() else (1, 0, text)


def _zone(name: str | None) -> ZoneInfo | None:
    return zone(name) if name else None


def _numbers(texts: list[str]) -> npt.NDArray[np.float64]:
    """Numbers of a column (counters, minutes); a cell that is not a number reads as NaN."""
    lookup: dict[str, float] = {}
    for text in set(texts):
        try:
            lookup[text] = float(text) if text else math.nan
        except ValueError:
            lookup[text] = math.nan
    return np.fromiter(map(lookup.__getitem__, texts), dtype=np.float64, count=len(texts))
