"""Event logs (CSV or JSON lines, optionally gzipped) streamed into an `EventTable`.

Owns the file formats: detection, headers, line numbers, writing a log back. Row rules live in
`accord.ingest.rows`, instants in `accord.ingest.instants`. It must not interpret events (the
engine's job) nor stop at a bad row: bad rows are reported and skipped.
"""

from __future__ import annotations

import csv
import gc
import gzip
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Literal, TextIO

import numpy as np

from accord.domain.events import EventKind
from accord.engine.events import EventTable
from accord.errors import EventLogError
from accord.ingest.instants import format_instants, parse_instant
from accord.ingest.rows import ReadResult, RowBuilder, RowIssue

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
_ALL_COLUMNS = (*REQUIRED_COLUMNS, "event_id")
PROGRESS_EVERY = 65_536  # rows between two progress reports

_FORMAT_BY_SUFFIX: dict[str, LogFormat] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}


def read_event_rows(
    rows: Iterable[Mapping[str, object]],
    source: str,
    *,
    timezone: str | None = None,
    first_line: int = 2,
) -> ReadResult:
    """Read rows given as mappings (keys as in the CSV header); row i is line `first_line + i`."""
    builder = RowBuilder(source, timezone)
    batch = _Batch(builder)
    for offset, row in enumerate(rows):
        batch.add(first_line + offset, row)
    batch.flush()
    return builder.result()


class _Batch:
    """Rows as mappings gathered into columns, handed to the builder PROGRESS_EVERY at a time."""

    def __init__(self, builder: RowBuilder, report: Callable[[], None] | None = None) -> None:
        self.builder = builder
        self.report = report
        self.lines: list[int] = []
        self.columns: tuple[list[str], ...] = ([], [], [], [], [])

    def add(self, line: int, record: Mapping[str, object]) -> None:
        self.lines.append(line)
        for column, name in zip(self.columns, _ALL_COLUMNS, strict=True):
            column.append(_text(record.get(name)))
        if len(self.lines) >= PROGRESS_EVERY:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            items, ats, events, values, keys = self.columns
            self.builder.add_columns(self.lines, items, ats, events, values, keys)
            self.lines, self.columns = [], ([], [], [], [], [])
        if self.report is not None:
            self.report()


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
    Raise EventLogError when the file cannot be read at all or lacks a required CSV column,
    ValidationError when `timezone` is not an IANA zone.
    """
    path = Path(path)
    builder = RowBuilder(str(path), timezone)
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
            with _collector_paused():
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


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while millions of short-lived rows pass through.

    The rows hold no reference cycles, yet each chunk kept alive for column-wise work makes the
    collector rescan it again and again (a third of the reading time); the previous state is
    restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _detect_format(path: Path, start: bytes) -> LogFormat:
    """The format named by the extension; else JSON lines when the content opens with `{`."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    if suffixes and suffixes[-1] in _FORMAT_BY_SUFFIX:
        return _FORMAT_BY_SUFFIX[suffixes[-1]]
    first = start.removeprefix(b"\xef\xbb\xbf").lstrip()[:1]
    return "jsonl" if first in (b"{", b"[") else "csv"


def _read_csv(text: TextIO, builder: RowBuilder, report: Callable[[], None]) -> None:
    reader = csv.reader(text)
    header = next(reader, None)
    if header is None:
        raise EventLogError(
            f"{builder.source}: the file is empty; expected a header {','.join(REQUIRED_COLUMNS)}"
        )
    names = [name.strip().lower() for name in header]
    require_columns(names, builder.source)
    picks = [names.index(name) if name in names else -1 for name in _ALL_COLUMNS]
    width = len(names)
    first_line = reader.line_num + 1
    while rows := list(islice(reader, PROGRESS_EVERY)):
        lines = physical_lines(rows, first_line, reader.line_num)
        first_line = reader.line_num + 1
        _add_csv_rows(builder, lines, rows, width, picks)
        report()


def require_columns(names: Sequence[str], source: str) -> None:
    """Raise EventLogError naming the REQUIRED_COLUMNS a header (names in lower case) lacks."""
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise EventLogError(
            f"{source}: missing column {', '.join(repr(m) for m in missing)} "
            f"(the header must name {','.join(REQUIRED_COLUMNS)}, optionally event_id)"
        )


def physical_lines(rows: Sequence[list[str]], first_line: int, line_num: int) -> Sequence[int]:
    """The line each CSV row starts on, the first on `first_line`.

    `line_num` is the reader's line count after the last row: when it shows one line per row
    the lines follow on, else quoted line breaks inside cells are counted row by row.
    """
    if line_num - first_line + 1 == len(rows):
        return range(first_line, first_line + len(rows))
    lines = []
    line = first_line
    for row in rows:
        lines.append(line)
        line += 1 + sum(cell.count("\n") + cell.count("\r") - cell.count("\r\n") for cell in row)
    return lines


def _add_csv_rows(
    builder: RowBuilder,
    lines: Sequence[int],
    rows: list[list[str]],
    width: int,
    picks: list[int],
) -> None:
    """Hand a chunk of CSV rows to the builder as columns; blank and ragged rows first."""
    if set(map(len, rows)) != {width}:
        odd = [i for i, row in enumerate(rows) if len(row) != width]
        dropped = set()
        for i in odd:
            row = rows[i]
            if not row:
                dropped.add(i)
            elif any(cell.strip() for cell in row[width:]):
                builder.reject(lines[i], f"{len(row)} fields, the header names {width}")
                dropped.add(i)
            else:
                rows[i] = row[:width] + [""] * (width - len(row))
        if dropped:
            lines = [line for i, line in enumerate(lines) if i not in dropped]
            rows = [row for i, row in enumerate(rows) if i not in dropped]
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    i_item, i_at, i_event, i_value, i_key = picks
    keys = columns[i_key] if i_key >= 0 else None
    builder.add_columns(
        lines, columns[i_item], columns[i_at], columns[i_event], columns[i_value], keys
    )


def _read_jsonl(text: TextIO, builder: RowBuilder, report: Callable[[], None]) -> None:
    batch = _Batch(builder, report)
    for line, record in json_lines(text, builder.source):
        if isinstance(record, RowIssue):
            builder.reject(line, record.message)
        else:
            batch.add(line, record)
    batch.flush()


def json_lines(
    text: Iterable[str], source: str
) -> Iterator[tuple[int, Mapping[str, object] | RowIssue]]:
    """Each non-blank line of JSON lines text: its number and its object, or why it is none.

    A first line that opens a JSON array and does not parse on its own means the whole file is
    one array: raise EventLogError rather than reject every line of it.
    """
    for line, raw_line in enumerate(text, start=1):
        if not raw_line.strip():
            continue
        try:
            record = json.loads(raw_line)
        except json.JSONDecodeError as exc:
            if line == 1 and raw_line.lstrip().startswith("["):
                raise EventLogError(
                    f"{source}: a JSON array; write JSON lines (one object per line)"
                ) from None
            yield line, RowIssue(line, f"not a JSON object ({exc.msg})")
            continue
        if isinstance(record, dict):
            yield line, record
        else:
            yield line, RowIssue(line, "not a JSON object")


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
