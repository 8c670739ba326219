"""Event logs (CSV or JSON lines, optionally gzipped) read row by row into an `EventTable`.

Owns the file format and row-level error reporting (instants: `accord.ingest.instants`). It must
not interpret events (the engine's job) nor stop at a bad row: bad rows are reported and skipped.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import io
import json
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO
from zoneinfo import ZoneInfo

import numpy as np

from accord.domain.events import EVENT_CODES, VALUED_KINDS, EventKind, split_field
from accord.engine.events import EventTable
from accord.errors import EventLogError
from accord.ingest.instants import (
    format_instants,
    parse_instant,
    zone,
)

__all__ = [
    "LogFormat",
    "ReadResult",
    "RowIssue",
    "format_instants",
    "iter_event_rows",
    "parse_instant",
    "read_event_log",
    "read_event_rows",
    "write_event_log",
]

LogFormat = Literal["csv", "jsonl"]
REQUIRED_COLUMNS = ("item_id", "at", "event", "value")
PROGRESS_EVERY = 65_536  # rows between two progress reports

_KIND_BY_TEXT = {kind.value: kind for kind in EventKind}
_KIND_NAMES = tuple(kind.value for kind in EventKind)
_FORMAT_BY_SUFFIX: dict[str, LogFormat] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}


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


class _Builder:
    """Collects accepted rows column by column, interning item ids, values and event ids."""

    def __init__(self, source: str, timezone: str | None) -> None:
        self.source = source
        self.tz: ZoneInfo | None = zone(timezone) if timezone else None
        self.items: dict[str, int] = {}
        self.values: dict[str, int] = {}
        self.event_ids: dict[str, int] = {}
        self.item = array("i")
        self.at = array("q")
        self.kind = array("b")
        self.value = array("i")
        self.key = array("q")
        self.issues: list[RowIssue] = []
        self.rows = 0
        self._last_at_text = ""
        self._last_at_ns = 0

    def add(self, line: int, item_id: str, at: str, event: str, value: str, event_id: str) -> None:
        """Check one row; append it, or record why it was rejected."""
        self.rows += 1
        try:
            self._append(item_id, at, event, value, event_id)
        except ValueError as exc:
            self.issues.append(RowIssue(line, str(exc)))

    def _append(self, item_id: str, at: str, event: str, value: str, event_id: str) -> None:
        item_id = item_id.strip()
        if not item_id:
            raise ValueError("missing item_id")
        kind = _KIND_BY_TEXT.get(event) or _KIND_BY_TEXT.get(event.strip().lower())
        if kind is None:
            raise ValueError(_unknown_kind(event))
        if at == self._last_at_text:
            at_ns = self._last_at_ns
        else:
            if not at.strip():
                raise ValueError("missing time (column at)")
            at_ns = parse_instant(at, self.tz)
            self._last_at_text, self._last_at_ns = at, at_ns
        value_code = -1
        if kind in VALUED_KINDS:
            value = value.strip()
            if not value:
                raise ValueError(f"a {kind.value} event needs a value")
            if kind is EventKind.FIELD:
                name, field_value = split_field(value)
                value = f"{name}={field_value}"
            value_code = self.values.setdefault(value, len(self.values))
        key = -1
        event_id = event_id.strip()
        if event_id:
            key = self.event_ids.setdefault(event_id, len(self.event_ids))
        self.item.append(self.items.setdefault(item_id, len(self.items)))
        self.at.append(at_ns)
        self.kind.append(EVENT_CODES[kind])
        self.value.append(value_code)
        self.key.append(key)

    def result(self) -> ReadResult:
        """Sort and deduplicate what was collected (EventTable.from_arrays)."""
        table, duplicates = EventTable.from_arrays(
            tuple(self.items),
            tuple(self.values),
            np.frombuffer(self.item, dtype=np.int32) if self.item else np.empty(0, np.int32),
            np.frombuffer(self.at, dtype=np.int64) if self.at else np.empty(0, np.int64),
            np.frombuffer(self.kind, dtype=np.int8) if self.kind else np.empty(0, np.int8),
            np.frombuffer(self.value, dtype=np.int32) if self.value else np.empty(0, np.int32),
            event_key=np.frombuffer(self.key, dtype=np.int64) if self.key else None,
        )
        return ReadResult(table, self.rows, duplicates, self.issues)


def _unknown_kind(event: str) -> str:
    text = event.strip()
    if not text:
        return "missing event"
    hint = difflib.get_close_matches(text.lower(), _KIND_NAMES, n=1, cutoff=0.75)
    if hint:
        return f"unknown event '{text}'; did you mean '{hint[0]}'?"
    return f"unknown event '{text}' (known: {', '.join(_KIND_NAMES)})"


def read_event_rows(
    rows: Iterable[Mapping[str, object]],
    source: str,
    *,
    timezone: str | None = None,
    first_line: int = 2,
) -> ReadResult:
    """Read rows given as mappings (keys as in the CSV header); row i is line `first_line + i`."""
    builder = _Builder(source, timezone)
    for offset, row in enumerate(rows):
        builder.add(
            first_line + offset,
            _text(row.get("item_id")),
            _text(row.get("at")),
            _text(row.get("event")),
            _text(row.get("value")),
            _text(row.get("event_id")),
        )
    return builder.result()


def _text(value: object) -> str:
    return "" if value is None else str(value)


def read_event_log(
    path: Path,
    *,
    timezone: str | None = None,
    format: LogFormat | None = None,
    progress: Callable[[int], None] | None = None,
) -> ReadResult:
    """Read an event log file; report bad rows and skip them, keep reading the rest.

    The format comes from `format` or the extension (`.csv`, `.jsonl`, `.ndjson`, `.json`,
    each optionally `.gz`); a gzip file is recognised by its content too. `progress` is called
    with the bytes read so far (of the file on disk) every PROGRESS_EVERY rows and at the end.
    Raise EventLogError when the file cannot be read at all or lacks a required CSV column.
    """
    path = Path(path)
    builder = _Builder(str(path), timezone)
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise EventLogError(f"{path}: cannot open ({exc.strerror or exc})") from None
    with raw:
        head = raw.peek(2)[:2]
        binary: gzip.GzipFile | io.BufferedReader = raw
        if head == b"\x1f\x8b":
            binary = gzip.GzipFile(fileobj=raw)
        try:
            start = binary.peek(64)[:64]
        except (OSError, EOFError) as exc:
            raise EventLogError(f"{path}: cannot read ({exc})") from None
        fmt = format or _detect_format(path, start)
        text: TextIO = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")

        def report() -> None:
            if progress is not None:
                progress(raw.tell())

        try:
            if fmt == "csv":
                _read_csv(text, builder, report)
            else:
                _read_jsonl(text, builder, report)
        except UnicodeDecodeError as exc:
            raise EventLogError(f"{path}: not UTF-8 text ({exc.reason})") from None
        except (OSError, EOFError, csv.Error) as exc:
            raise EventLogError(f"{path}: cannot read ({exc})") from None
        report()
    return builder.result()


def _detect_format(path: Path, start: bytes) -> LogFormat:
    """The format named by the extension; else JSON lines when the content opens with `{`."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    if suffixes and suffixes[-1] in _FORMAT_BY_SUFFIX:
        return _FORMAT_BY_SUFFIX[suffixes[-1]]
    first = start.removeprefix(b"\xef\xbb\xbf").lstrip()[:1]
    return "jsonl" if first in (b"{", b"[") else "csv"


def _read_csv(text: TextIO, builder: _Builder, report: Callable[[], None]) -> None:
    reader = csv.reader(text)
    header = next(reader, None)
    if header is None:
        raise EventLogError(
            f"{builder.source}: the file is empty; expected a header {','.join(REQUIRED_COLUMNS)}"
        )
    names = [name.strip().lower() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise EventLogError(
            f"{builder.source}: missing column {', '.join(repr(m) for m in missing)} "
            f"(the header must name {','.join(REQUIRED_COLUMNS)}, optionally event_id)"
        )
    i_item, i_at, i_event, i_value = (names.index(name) for name in REQUIRED_COLUMNS)
    i_key = names.index("event_id") if "event_id" in names else -1
    width = len(names)
    previous_line = reader.line_num
    add = builder.add
    for row in reader:
        line = previous_line + 1
        previous_line = reader.line_num
        if not row:
            continue
        if len(row) != width:
            if len(row) < width:
                row = row + [""] * (width - len(row))
            elif any(cell.strip() for cell in row[width:]):
                builder.rows += 1
                builder.issues.append(
                    RowIssue(line, f"{len(row)} fields, the header names {width}")
                )
                continue
        add(
            line,
            row[i_item],
            row[i_at],
            row[i_event],
            row[i_value],
            row[i_key] if i_key >= 0 else "",
        )
        if builder.rows % PROGRESS_EVERY == 0:
            report()


def _read_jsonl(text: TextIO, builder: _Builder, report: Callable[[], None]) -> None:
    for line, raw_line in enumerate(text, start=1):
        if not raw_line.strip():
            continue
        try:
            record = json.loads(raw_line)
        except json.JSONDecodeError as exc:
            if line == 1 and raw_line.lstrip().startswith("["):
                raise EventLogError(
                    f"{builder.source}: a JSON array; write JSON lines (one object per line)"
                ) from None
            builder.rows += 1
            builder.issues.append(RowIssue(line, f"not a JSON object ({exc.msg})"))
            continue
        if not isinstance(record, dict):
            builder.rows += 1
            builder.issues.append(RowIssue(line, "not a JSON object"))
            continue
        builder.add(
            line,
            _text(record.get("item_id")),
            _text(record.get("at")),
            _text(record.get("event")),
            _text(record.get("value")),
            _text(record.get("event_id")),
        )
        if builder.rows % PROGRESS_EVERY == 0:
            report()


def iter_event_rows(table: EventTable) -> Iterator[tuple[str, str, str, str]]:
    """Yield `(item_id, at, event, value)` text rows of a table in its order (for small tables)."""
    for chunk in _row_chunks(table, 1 << 20):
        yield from zip(*chunk, strict=True)


def _row_chunks(table: EventTable, size: int) -> Iterator[Sequence[list[str]]]:
    item_ids = np.asarray(table.item_ids, dtype=object)
    values = np.asarray((*table.values, ""), dtype=object)  # code -1 picks the trailing ""
    kinds = np.asarray([kind.value for kind in EventKind], dtype=object)
    for lo in range(0, len(table), size):
        hi = min(lo + size, len(table))
        yield (
            item_ids[table.item[lo:hi]].tolist(),
            format_instants(table.at[lo:hi]).tolist(),
            kinds[table.kind[lo:hi]].tolist(),
            values[table.value[lo:hi]].tolist(),
        )


def write_event_log(table: EventTable, path: Path, *, chunk_rows: int = 1 << 20) -> None:
    """Write a table as a CSV event log (`item_id,at,event,value`, instants in UTC with `Z`).

    A `.gz` suffix writes gzip. Reading the file back gives the same table.
    """
    path = Path(path)
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(REQUIRED_COLUMNS)
        for columns in _row_chunks(table, chunk_rows):
            writer.writerows(zip(*columns, strict=True))
