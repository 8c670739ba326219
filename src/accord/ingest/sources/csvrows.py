"""Export files (CSV, optionally gzipped) streamed as chunks of rows with their physical lines.

Owns opening (gzip recognised by content), the header, line numbers (quoted line breaks
included), ragged rows, and how many bytes of the file have been read. Knows nothing of events.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self

from accord.errors import EventLogError
from accord.ingest.eventlog import RowIssue, physical_lines


@dataclass(slots=True)
class RowChunk:
    """Consecutive data rows: each row's first physical line, its cells, rows that failed."""

    lines: list[int] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)
    bytes_read: int = 0

    @property
    def rows_read(self) -> int:
        return len(self.rows) + len(self.issues)


class ExportFile:
    """A file opened for streaming text, gzip or not, that knows how many bytes it has read."""

    def __init__(self, path: Path, encoding: str = "utf-8-sig") -> None:
        self.path = Path(path)
        try:
            self._raw: BinaryIO = self.path.open("rb")
        except OSError as exc:
            raise EventLogError(f"{self.path}: cannot open ({exc.strerror or exc})") from None
        try:
            binary: BinaryIO = self._raw
            if self._raw.read(2) == b"\x1f\x8b":
                self._raw.seek(0)
                binary = gzip.GzipFile(fileobj=self._raw, mode="rb")  # type: ignore[assignment]
            else:
                self._raw.seek(0)
            self.text = io.TextIOWrapper(binary, encoding=encoding, newline="")
            self.size = self.path.stat().st_size
        except BaseException:
            self._raw.close()
            raise

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
        self._raw.close()

    @property
    def bytes_read(self) -> int:
        """Bytes of the file on disk read so far (compressed bytes for a gzip file)."""
        return self.size if self._raw.closed else self._raw.tell()


class CsvExport(ExportFile):
    """An open CSV export: `header` (names as written, stripped), then `chunks()` of rows."""

    def __init__(
        self, path: Path, *, delimiter: str = ",", quotechar: str = '"', encoding: str = "utf-8-sig"
    ) -> None:
        super().__init__(path, encoding)
        try:
            self._reader = csv.reader(self.text, delimiter=delimiter, quotechar=quotechar)
            self.header = [name.strip() for name in self._read_header()]
        except BaseException:
            self.close()
            raise
        self._pending: tuple[int, list[str]] | None = None  # a row read ahead, for the next chunk

    def _read_header(self) -> list[str]:
        try:
            header = next(self._reader, None)
        except UnicodeDecodeError as exc:
            raise EventLogError(
                f"{self.path}: not {self.text.encoding} text ({exc.reason})"
            ) from None
        except (csv.Error, OSError, EOFError) as exc:
            raise EventLogError(f"{self.path}: cannot read the header ({exc})") from None
        if header is None:
            raise EventLogError(f"{self.path}: the file is empty; expected a header row")
        return header

    def chunks(self, size: int, keep_together: int | None = None) -> Iterator[RowChunk]:
        """Yield chunks of about `size` rows, in file order.

        With `keep_together` (a column index), a chunk is extended until that column changes,
        up to twice `size` rows, so that a ticket's consecutive rows stay in one chunk. Blank
        lines are skipped; a row with more cells than the header (and something in them) is
        an issue; a shorter one is padded with empty cells.
        """
        width = len(self.header)
        while True:
            lines, block = self._block(size)
            if not block:
                return
            if keep_together is not None:
                self._extend(lines, block, keep_together, size)
            chunk = RowChunk()
            for line, row in zip(lines, block, strict=True):
                if len(row) != width:
                    if not row or (len(row) == 1 and not row[0].strip()):
                        continue
                    if any(cell.strip() for cell in row[width:]):
                        chunk.issues.append(
                            RowIssue(line, f"{len(row)} fields, the header names {width}")
                        )
                        continue
                    row = row[:width] + [""] * (width - len(row))
                chunk.lines.append(line)
                chunk.rows.append(row)
            chunk.bytes_read = self.bytes_read
            yield chunk

    def _block(self, size: int) -> tuple[list[int], list[list[str]]]:
        """Up to `size` rows (blank ones included) and the physical line each starts on."""
        reader = self._reader
        lines: list[int] = []
        block: list[list[str]] = []
        if self._pending is not None:
            line, row = self._pending
            self._pending = None
            lines.append(line)
            block.append(row)
        first = reader.line_num + 1
        with self._errors():
            rows = list(islice(reader, size - len(block)))
        lines.extend(physical_lines(rows, first, reader.line_num))
        block.extend(rows)
        return lines, block

    def _extend(self, lines: list[int], block: list[list[str]], column: int, size: int) -> None:
        """Read on while the rows belong to the block's last item (at most `size` more)."""
        last = next((row for row in reversed(block) if len(row) > column), None)
        if last is None:
            return
        reader = self._reader
        for _ in range(size):
            line = reader.line_num + 1
            with self._errors():
                row = next(reader, None)
            if row is None:
                return
            if len(row) > column and row[column] != last[column]:
                self._pending = (line, row)
                return
            lines.append(line)
            block.append(row)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except UnicodeDecodeError as exc:
            raise EventLogError(
                f"{self.path}: not {self.text.encoding} text ({exc.reason})"
            ) from None
        except (csv.Error, OSError, EOFError) as exc:
            line = self._reader.line_num
            raise EventLogError(f"{self.path}: cannot read line {line} ({exc})") from None
