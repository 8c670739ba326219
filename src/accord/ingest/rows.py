"""Checking event-log rows a chunk at a time and interning them into `EventTable` columns.

Owns the row rules (what makes a row valid, and the message when it is not). Common rows are
checked column-wise; any row that is unusual or wrong goes through the exact per-row path, which
also words the error. Reads no files: `accord.ingest.eventlog` feeds it columns.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from accord.domain.events import (
    EVENT_CODES,
    OPTIONAL_VALUE_KINDS,
    VALUED_KINDS,
    EventKind,
    split_field,
)
from accord.engine.events import EventTable
from accord.ingest.instants import format_instants, parse_instant, parse_instant_column, zone

_KIND_BY_TEXT = {kind.value: kind for kind in EventKind}
_KIND_NAMES = tuple(kind.value for kind in EventKind)
_CODE_BY_TEXT = {kind.value: EVENT_CODES[kind] for kind in EventKind}
_KIND_BY_CODE = {EVENT_CODES[kind]: kind for kind in EventKind}
# "No event id" for a whole chunk without allocating one: a read-only view, sliced per chunk.
_NO_KEYS = np.broadcast_to(np.int64(-1), (1 << 30,))
_VALUED_CODES = np.array(sorted(EVENT_CODES[kind] for kind in VALUED_KINDS), dtype=np.int8)


@dataclass(frozen=True, slots=True)
class RowIssue:
    """A rejected row: its physical line in the file (the CSV header is line 1) and why."""

    line: int
    message: str


@dataclass(frozen=True, slots=True)
class ReadResult:
    """What reading a log produced: the table, data rows seen, duplicates dropped, rows rejected."""

    table: EventTable
    rows_read: int
    duplicates: int
    issues: list[RowIssue]


class RowBuilder:
    """Collects accepted rows as columns, interning item ids, values and event ids.

    Item ids are numbered in order of first appearance among accepted rows; an id seen only in
    rejected rows is not an item.
    """

    def __init__(self, source: str, timezone: str | None) -> None:
        self.source = source
        self.tz: ZoneInfo | None = zone(timezone) if timezone else None
        self.items: dict[str, int] = {}
        self.values: dict[str, int] = {}
        self.event_ids: dict[str, int] = {}
        self.issues: list[RowIssue] = []
        self.rows = 0
        self._value_lookup: dict[EventKind, dict[str, int]] = {}  # value as written -> number
        self._item_lookup: dict[str, int] = {}  # item id as written -> item number
        self._key_lookup: dict[str, int] = {"": -1}  # event id as written -> its number
        self._chunks: list[tuple[npt.NDArray[Any], ...]] = []
        self._has_keys = False

    def add_columns(
        self,
        lines: Sequence[int],
        item_ids: Sequence[str],
        ats: Sequence[str],
        events: Sequence[str],
        values: Sequence[str],
        event_ids: Sequence[str] | None = None,
    ) -> None:
        """Check a chunk of rows given as columns; keep the valid ones, record the others.

        1. Kinds, instants and values are checked column-wise; a row failing any of them takes
           the per-row path, which accepts it or rejects it with its message.
        2. Item ids of the accepted rows are numbered, new ones in order of appearance.
        3. The accepted rows are kept, in their order of arrival.
        """
        n = len(lines)
        self.rows += n
        kind = np.array([_CODE_BY_TEXT.get(e, -1) for e in events], dtype=np.int64)
        at, fast = parse_instant_column(ats)
        slow = ~fast | (kind < 0)
        value = np.full(n, -1, dtype=np.int64)
        for code in _VALUED_CODES.tolist():
            rows = np.flatnonzero((kind == code) & fast).tolist()
            if rows:
                codes = self._value_codes(_KIND_BY_CODE[code], [values[i] for i in rows])
                value[rows] = codes
                slow[rows] |= codes < 0
        key = self._key_codes(event_ids) if event_ids is not None else np.full(n, -1, np.int64)
        keep = np.ones(n, dtype=bool)
        for i in np.flatnonzero(slow).tolist():
            key_text = event_ids[i] if event_ids is not None else ""
            try:
                at[i], kind[i], value[i], key[i] = self._parse(
                    item_ids[i], ats[i], events[i], values[i], key_text
                )
            except ValueError as exc:
                self.issues.append(RowIssue(lines[i], str(exc)))
                keep[i] = False
        item = self._item_codes(item_ids, keep)
        for i in np.flatnonzero(keep & (item < 0)).tolist():
            self.issues.append(RowIssue(lines[i], "missing item_id"))
            keep[i] = False
        if not keep.all():
            item, at, kind, value, key = (a[keep] for a in (item, at, kind, value, key))
        # Narrow types as soon as a chunk is done: a large log holds tens of millions of rows.
        self._chunks.append(
            (
                item.astype(np.int32),
                at,
                kind.astype(np.int8),
                value.astype(np.int32),
                key if event_ids is not None else _NO_KEYS[: len(at)],
            )
        )

    def reject(self, line: int, message: str) -> None:
        """Count a row that could not even be split into fields, and say why."""
        self.rows += 1
        self.issues.append(RowIssue(line, message))

    def _parse(
        self, item_id: str, at: str, event: str, value: str, event_id: str
    ) -> tuple[int, int, int, int]:
        """The exact per-row path: check in a fixed order, raise ValueError with the reason.

        Returns instant, kind, value and event-id codes; the item is numbered by the caller.
        """
        if not item_id.strip():
            raise ValueError("missing item_id")
        kind = _KIND_BY_TEXT.get(event) or _KIND_BY_TEXT.get(event.strip().lower())
        if kind is None:
            raise ValueError(_unknown_kind(event))
        if not at.strip():
            raise ValueError("missing time (column at)")
        at_ns = parse_instant(at, self.tz)
        value_code = self._value_code(kind, value) if kind in VALUED_KINDS else -1
        return at_ns, EVENT_CODES[kind], value_code, int(self._key_codes([event_id])[0])

    def _item_codes(
        self, texts: Sequence[str], keep: npt.NDArray[np.bool_]
    ) -> npt.NDArray[np.int64]:
        """Item numbers for the kept rows (-1 for a blank id); new ids in order of appearance.

        Logs usually list an item's events together, so ids are looked up once per run of
        equal ids rather than once per row.
        """
        n = len(texts)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        column = np.array(texts, dtype=str)
        heads = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
        head_texts = [texts[i] for i in heads.tolist()]
        get = self._item_lookup.get
        codes = np.array([get(x, -1) for x in head_texts], dtype=np.int64)
        kept = np.logical_or.reduceat(keep, heads)
        new = np.flatnonzero((codes < 0) & kept).tolist()
        if new:
            new_texts = [head_texts[i] for i in new]
            for raw in dict.fromkeys(new_texts):
                text = raw.strip()
                if text:
                    self._item_lookup[raw] = self.items.setdefault(text, len(self.items))
            codes[new] = [get(x, -1) for x in new_texts]
        return np.repeat(codes, np.diff(np.r_[heads, n]))

    def _key_codes(self, texts: Sequence[str]) -> npt.NDArray[np.int64]:
        """Event-id numbers (-1 where a row has none); any id is numbered when first seen."""
        get = self._key_lookup.get
        codes = np.array([get(x, -2) for x in texts], dtype=np.int64)
        new = np.flatnonzero(codes == -2).tolist()
        if new:
            new_texts = [texts[i] for i in new]
            for raw in dict.fromkeys(new_texts):
                text = raw.strip()
                code = self.event_ids.setdefault(text, len(self.event_ids)) if text else -1
                self._key_lookup[raw] = code
            codes[new] = [get(x, -1) for x in new_texts]
        self._has_keys = self._has_keys or bool((codes >= 0).any())
        return codes

    def _value_codes(self, kind: EventKind, texts: list[str]) -> npt.NDArray[np.int64]:
        """Value numbers of one kind's values as written; -1 where a value is invalid."""
        lookup = self._value_lookup.setdefault(kind, {})
        get = lookup.get
        codes = np.array([get(x, -2) for x in texts], dtype=np.int64)
        missing = np.flatnonzero(codes == -2).tolist()
        if missing:
            new_texts = [texts[i] for i in missing]
            for raw in dict.fromkeys(new_texts):
                try:
                    lookup[raw] = self._value_code(kind, raw)
                except ValueError:
                    lookup[raw] = -1
            codes[missing] = [get(x, -1) for x in new_texts]
        return codes

    def _value_code(self, kind: EventKind, value: str) -> int:
        """Check and number a value; raise ValueError with the reason.

        A field is kept as `name=value`; an outage's end instant is kept in UTC with `Z`
        (naive ends read in the log's zone), so later readers need no zone; an outage without
        an end is still ongoing and has no value.
        """
        text = value.strip()
        if not text:
            if kind in OPTIONAL_VALUE_KINDS:
                return -1
            raise ValueError(f"a {kind.value} event needs a value")
        if kind is EventKind.FIELD:
            name, field_value = split_field(text)
            text = f"{name}={field_value}"
        elif kind is EventKind.OUTAGE:
            end = parse_instant(text, self.tz)
            text = str(format_instants(np.array([end], dtype=np.int64))[0])
        return self.values.setdefault(text, len(self.values))

    def result(self) -> ReadResult:
        """Sort and deduplicate what was collected (EventTable.from_arrays)."""

        def column(i: int, dtype: type[np.generic]) -> npt.NDArray[Any]:
            if not self._chunks:
                return np.empty(0, dtype=dtype)
            return np.concatenate([chunk[i] for chunk in self._chunks]).astype(dtype, copy=False)

        table, duplicates = EventTable.from_arrays(
            tuple(self.items),
            tuple(self.values),
            column(0, np.int32),
            column(1, np.int64),
            column(2, np.int8),
            column(3, np.int32),
            event_key=column(4, np.int64) if self._has_keys else None,
        )
        issues = sorted(self.issues, key=lambda issue: issue.line)
        return ReadResult(table, self.rows, duplicates, issues)


def _unknown_kind(event: str) -> str:
    text = event.strip()
    if not text:
        return "missing event"
    hint = difflib.get_close_matches(text.lower(), _KIND_NAMES, n=1, cutoff=0.75)
    if hint:
        return f"unknown event '{text}'; did you mean '{hint[0]}'?"
    return f"unknown event '{text}' (known: {', '.join(_KIND_NAMES)})"
