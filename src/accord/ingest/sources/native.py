"""accord's own event logs (CSV or JSON lines, optionally gzipped) streamed as chunks of events.

The rules of that format are `accord.ingest.eventlog`'s: each chunk goes through its
`read_event_rows`, so a row is accepted, normalised or rejected exactly as `accord evaluate`
would. This module only streams the file and keeps each row's item id, line and event id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from accord.domain.events import EVENT_CODES
from accord.errors import EventLogError
from accord.ingest.eventlog import RowIssue, json_lines, read_event_rows, require_columns
from accord.ingest.sources.columns import EventColumns
from accord.ingest.sources.csvrows import CsvExport, ExportFile

_KIND_BY_CODE = {code: kind for kind, code in EVENT_CODES.items()}
_JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")


@dataclass(slots=True)
class NativeChunk:
    """A chunk of an accord event log: its events in file order and its rejected rows."""

    events: EventColumns = field(default_factory=EventColumns)
    issues: list[RowIssue] = field(default_factory=list)
    rows_read: int = 0
    bytes_read: int = 0

    @property
    def item_ids(self) -> list[str]:
        return list(dict.fromkeys(self.events.item_id))


class NativeLog:
    """An open accord event log; `chunks()` yields its rows as events, about `size` at a time."""

    def __init__(self, path: Path, timezone: str | None) -> None:
        self.path = Path(path)
        self.timezone = timezone
        suffixes = [s.lower() for s in self.path.suffixes if s.lower() != ".gz"]
        self._file: ExportFile
        if suffixes and suffixes[-1] in _JSON_SUFFIXES:
            self.is_json = True
            self._file = ExportFile(self.path)
        else:
            self.is_json = False
            self._file = CsvExport(self.path)
            names = [name.lower() for name in self._file.header]
            try:
                require_columns(names, str(self.path))
            except EventLogError:
                self._file.close()
                raise
            self._names = names

    @property
    def size(self) -> int:
        return self._file.size

    @property
    def bytes_read(self) -> int:
        return self._file.bytes_read

    def close(self) -> None:
        self._file.close()

    def chunks(self, size: int) -> Iterator[NativeChunk]:
        records = self._json_records() if self.is_json else self._csv_records(size)
        batch: list[tuple[int, Mapping[str, object]]] = []
        issues: list[RowIssue] = []
        for line, record in records:
            if isinstance(record, RowIssue):
                issues.append(record)
            else:
                batch.append((line, record))
            if len(batch) + len(issues) >= size:
                yield self._chunk(batch, issues)
                batch, issues = [], []
        if batch or issues:
            yield self._chunk(batch, issues)

    def _csv_records(self, size: int) -> Iterator[tuple[int, Mapping[str, object] | RowIssue]]:
        assert isinstance(self._file, CsvExport)
        names = self._names
        for chunk in self._file.chunks(size):
            for issue in chunk.issues:
                yield issue.line, issue
            for line, row in zip(chunk.lines, chunk.rows, strict=True):
                yield line, dict(zip(names, row, strict=True))

    def _json_records(self) -> Iterator[tuple[int, Mapping[str, object] | RowIssue]]:
        try:
            yield from json_lines(self._file.text, str(self.path))
        except UnicodeDecodeError as exc:
            raise EventLogError(f"{self.path}: not UTF-8 text ({exc.reason})") from None

    def _chunk(
        self, batch: list[tuple[int, Mapping[str, object]]], issues: list[RowIssue]
    ) -> NativeChunk:
        """Check the rows with accord's reader, each row standing alone as item number i.

        Giving each row its own item keeps the reader from merging rows, so every accepted row
        maps back to exactly one line, item id and event id.
        """
        chunk = NativeChunk(issues=list(issues), rows_read=len(batch) + len(issues))
        chunk.bytes_read = self._file.bytes_read
        kept: list[tuple[int, str, str | None]] = []
        records: list[Mapping[str, object]] = []
        for line, record in batch:
            item = _text(record.get("item_id"))
            if not item:
                chunk.issues.append(RowIssue(line, "missing item_id"))
                continue
            records.append({**record, "item_id": str(len(kept))})
            kept.append((line, item, _text(record.get("event_id")) or None))
        result = read_event_rows(records, self.path.name, timezone=self.timezone, first_line=0)
        chunk.issues.extend(RowIssue(kept[issue.line][0], issue.message) for issue in result.issues)
        table = result.table
        values = table.values
        for row, item_code in enumerate(table.item.tolist()):
            _, item, event_id = kept[int(table.item_ids[item_code])]
            value_code = int(table.value[row])
            chunk.events.append(
                item,
                int(table.at[row]),
                _KIND_BY_CODE[int(table.kind[row])],
                values[value_code] if value_code >= 0 else "",
                event_id,
            )
        chunk.issues.sort(key=lambda issue: issue.line)
        return chunk


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()
