"""Importing a service-desk export (or an accord event log) into the workspace, batch by batch.

Owns the import use case: each batch of rows is its own transaction, so an import killed
halfway leaves every earlier batch stored and none of the batch it was in; running it again
completes it (stored events count as duplicates). It parses nothing itself (`accord.ingest`)
and opens no database on its own: the entry point passes a unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from accord.errors import AccordError
from accord.ingest.sources import (
    BUILTIN_SOURCES,
    RowIssue,
    SourceMapping,
    StoredEvent,
    load_mapping,
    open_source,
)
from accord.persistence.records import ImportStatus
from accord.persistence.repositories import EventRepository, ImportRepository
from accord.timesource import Clock, SystemClock

UnitOfWork = Callable[[], AbstractContextManager[Session]]
DEFAULT_BATCH_ROWS = 20_000
MAX_SUMMARY_ISSUES = 1_000  # rejected rows listed in a summary (all are stored)

__all__ = ["DEFAULT_BATCH_ROWS", "ImportSummary", "UnitOfWork", "import_file"]


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import did.

    `rows_read` counts data rows (rejected ones included); `events_added` the events that were
    new; `duplicates` the derived events that were already stored (a re-import is all
    duplicates). `issues` lists rejected rows by line, the first MAX_SUMMARY_ISSUES of them;
    `rows_rejected` counts them all. `import_pk` is the stored import's key.
    """

    rows_read: int
    rows_rejected: int
    events_added: int
    duplicates: int
    issues: list[RowIssue] = field(default_factory=list)
    import_pk: int | None = None
    source: str = ""


def import_file(
    unit_of_work: UnitOfWork,
    path: Path,
    source: str,
    *,
    timezone: str | None,
    mapping_path: Path | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    progress: Callable[[int], None] | None = None,
    clock: Clock | None = None,
) -> ImportSummary:
    """Import `path` as `source`: its events are stored under that source name.

    The mapping is `mapping_path` when given, else the built-in one named `source` (`events`
    is accord's own event log). Steps:
    1. open the file and check it against the mapping (nothing is written when that fails);
    2. record the import as running (its own transaction);
    3. per batch of about `batch_rows` rows, in one transaction: look up the stored events of
       the batch's items, derive the batch's events, add the new ones, record rejected rows,
       then call `progress` with the bytes of the file read so far (an exception raised by
       it rolls back that batch);
    4. record the import as done with its counts; when a batch fails it is recorded as
       failed instead (best effort) and the error propagates.
    Raise ValidationError for an invalid mapping or zone, EventLogError for a file that cannot
    be read, AccordError for an unknown source.
    """
    clock = clock or SystemClock()
    mapping = _mapping(source, mapping_path)
    totals = _Totals()
    with open_source(path, source, mapping=mapping, timezone=timezone) as reader:
        with unit_of_work() as session:
            record = ImportRepository(session).start(
                source=source, file_name=str(path), timezone=timezone, started_at=clock.now()
            )
            import_pk = record.pk
        try:
            for chunk in reader.chunks(batch_rows):
                with unit_of_work() as session:
                    repository = EventRepository(session)
                    history = (
                        _history(repository, source, chunk.item_ids) if reader.needs_history else {}
                    )
                    events = reader.events(chunk, history)
                    added = repository.add_event_columns(source, events, import_pk)
                    issues = [(issue.line, issue.message) for issue in chunk.issues]
                    ImportRepository(session).add_issues(import_pk, issues)
                    if progress is not None:
                        progress(chunk.bytes_read)
                totals.add(chunk.rows_read, chunk.issues, added.added, added.duplicates)
        except BaseException:
            _finish(unit_of_work, import_pk, totals, clock, ImportStatus.FAILED)
            raise
    _finish(unit_of_work, import_pk, totals, clock, ImportStatus.DONE)
    return ImportSummary(
        rows_read=totals.rows_read,
        rows_rejected=totals.rows_rejected,
        events_added=totals.events_added,
        duplicates=totals.duplicates,
        issues=totals.issues,
        import_pk=import_pk,
        source=source,
    )


def _mapping(source: str, mapping_path: Path | None) -> SourceMapping | None:
    """The user's mapping, or None for a built-in source (the reader loads it by name)."""
    if mapping_path is not None:
        return load_mapping(mapping_path)
    if source not in BUILTIN_SOURCES:
        raise AccordError(
            f"unknown source '{source}': use one of {', '.join(BUILTIN_SOURCES)}, "
            "or name a mapping file with --mapping"
        )
    return None


@dataclass(slots=True)
class _Totals:
    rows_read: int = 0
    rows_rejected: int = 0
    events_added: int = 0
    duplicates: int = 0
    issues: list[RowIssue] = field(default_factory=list)

    def add(self, rows: int, issues: Sequence[RowIssue], added: int, duplicates: int) -> None:
        self.rows_read += rows
        self.rows_rejected += len(issues)
        self.events_added += added
        self.duplicates += duplicates
        room = MAX_SUMMARY_ISSUES - len(self.issues)
        if room > 0:
            self.issues.extend(issues[:room])


def _finish(
    unit_of_work: UnitOfWork,
    import_pk: int,
    totals: _Totals,
    clock: Clock,
    status: ImportStatus,
) -> None:
    try:
        with unit_of_work() as session:
            ImportRepository(session).finish(
                import_pk,
                finished_at=clock.now(),
                rows_read=totals.rows_read,
                rows_rejected=totals.rows_rejected,
                events_added=totals.events_added,
                duplicates=totals.duplicates,
                status=status,
            )
    except Exception:
        if status is ImportStatus.DONE:
            raise
        # Recording a failure must not hide the error that caused it.


def _history(
    repository: EventRepository, source: str, item_ids: Sequence[str]
) -> dict[str, list[StoredEvent]]:
    """The stored events of the chunk's items, as the reader takes them."""
    return {
        item: [StoredEvent(row.at_ns, row.kind, row.value, row.event_id) for row in rows]
        for item, rows in repository.history(source, item_ids).items()
    }
