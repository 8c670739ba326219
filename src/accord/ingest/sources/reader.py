"""One way to read any source: open it, take chunks of rows, turn each chunk into events.

Owns the choice between a mapped export (a built-in or user mapping) and accord's own event
log, behind one `SourceReader`. Stores nothing: the caller asks for each chunk's history.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from accord.ingest.eventlog import RowIssue
from accord.ingest.instants import zone
from accord.ingest.sources.columns import EventColumns, History, StoredEvent
from accord.ingest.sources.csvrows import CsvExport
from accord.ingest.sources.derive import derive_events
from accord.ingest.sources.mappings import NATIVE_SOURCE, SourceMapping, builtin_mapping
from accord.ingest.sources.native import NativeChunk, NativeLog
from accord.ingest.sources.rowparse import Mapper, ParsedChunk


class SourceChunk(Protocol):
    """A chunk of rows read: its items, rejected rows, rows read, bytes of the file read."""

    @property
    def item_ids(self) -> list[str]: ...

    issues: list[RowIssue]
    rows_read: int
    bytes_read: int


class SourceReader:
    """An open source file. Use as a context manager.

    `chunks(size)` yields chunks of about `size` rows; `events(chunk, history)` derives their
    events, given the events already stored for the chunk's items. `needs_history` is False
    for accord's own log, where each row is one event whatever was stored before.
    """

    def __init__(
        self, path: Path, mapping: SourceMapping | None, *, timezone: str | None = None
    ) -> None:
        self.path = Path(path)
        self.mapping = mapping
        if timezone is not None:
            zone(timezone)  # an unknown zone is a ValidationError before anything is read
        self._native: NativeLog | None = None
        self._export: CsvExport | None = None
        self._mapper: Mapper | None = None
        if mapping is None:
            self._native = NativeLog(self.path, timezone)
        else:
            options = mapping.spec.csv
            self._export = CsvExport(
                self.path,
                delimiter=options.delimiter,
                quotechar=options.quotechar,
                encoding=options.encoding,
            )
            try:
                self._mapper = Mapper(mapping, self._export.header, str(self.path), timezone)
            except BaseException:
                self._export.close()
                raise

    @property
    def needs_history(self) -> bool:
        return self._mapper is not None

    @property
    def size(self) -> int:
        """The file's size on disk in bytes (what `bytes_read` counts up to)."""
        if self._export is not None:
            return self._export.size
        assert self._native is not None
        return self._native.size

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._export is not None:
            self._export.close()
        if self._native is not None:
            self._native.close()

    def chunks(self, size: int) -> Iterator[SourceChunk]:
        """Chunks of about `size` rows in file order; a ticket's consecutive rows stay together."""
        if self._native is not None:
            yield from self._native.chunks(size)
            return
        assert self._export is not None
        assert self._mapper is not None
        for chunk in self._export.chunks(size, keep_together=self._mapper.item):
            yield self._mapper.parse_chunk(chunk)

    def events(self, chunk: SourceChunk, history: History | None = None) -> EventColumns:
        """The chunk's events; `history` holds the stored events of its items (by item id)."""
        if isinstance(chunk, NativeChunk):
            return chunk.events
        assert isinstance(chunk, ParsedChunk)
        assert self._mapper is not None
        return derive_events(self._mapper, chunk, history or {})


def open_source(
    path: Path,
    source: str,
    *,
    mapping: SourceMapping | None = None,
    timezone: str | None = None,
) -> SourceReader:
    """Open `path` as `source`: with `mapping` if given, else the built-in one of that name.

    `events` (without a mapping) is accord's own event log. Raise KeyError for a source with
    neither, EventLogError when the file cannot be read or lacks a column the mapping needs
    (or reads naive times with no zone), ValidationError for an unknown zone.
    """
    if mapping is None and source != NATIVE_SOURCE:
        mapping = builtin_mapping(source)
    return SourceReader(path, mapping, timezone=timezone)


def read_events(
    path: Path,
    source: str,
    *,
    mapping: SourceMapping | None = None,
    timezone: str | None = None,
    chunk_rows: int = 20_000,
) -> tuple[EventColumns, list[RowIssue], int]:
    """Every event of a file, its rejected rows, and the rows read, without a database.

    Each chunk sees the events of the chunks before it as history, as an import into an empty
    database would; the events are held in memory, so this is for small files and tests.
    """
    events = EventColumns()
    issues: list[RowIssue] = []
    rows = 0
    positions: dict[str, list[int]] = {}  # item -> its events' positions in `events`
    with open_source(path, source, mapping=mapping, timezone=timezone) as reader:
        for chunk in reader.chunks(chunk_rows):
            known = {
                item: [_stored(events, i) for i in positions[item]]
                for item in chunk.item_ids
                if item in positions
            }
            derived = reader.events(chunk, known)
            for offset, item in enumerate(derived.item_id, start=len(events)):
                positions.setdefault(item, []).append(offset)
            events.extend(derived)
            issues.extend(chunk.issues)
            rows += chunk.rows_read
    return events, issues, rows


def _stored(events: EventColumns, i: int) -> StoredEvent:
    return StoredEvent(events.at_ns[i], events.kind[i], events.value[i], events.event_id[i])
