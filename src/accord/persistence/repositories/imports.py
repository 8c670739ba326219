"""Import runs: start one, record the rows it could not read, finish it with its counts.

Counts are what the caller measured; nothing here reads files. Flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from accord.persistence.records import ImportIssueRecord, ImportRecord, ImportStatus


class ImportRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def start(
        self, *, source: str, file_name: str, timezone: str | None, started_at: datetime
    ) -> ImportRecord:
        """Record a new import as `running`, with zero counts; its `pk` is set on return."""
        record = ImportRecord(
            source=source,
            file_name=file_name,
            timezone=timezone,
            started_at=started_at,
            rows_read=0,
            rows_rejected=0,
            events_added=0,
            duplicates=0,
            status=ImportStatus.RUNNING,
        )
        self._session.add(record)
        self._session.flush()
        return record

    def add_issues(self, import_pk: int, issues: Iterable[tuple[int, str]]) -> int:
        """Store `(line, message)` pairs for rows that could not be read; return how many."""
        rows = [{"import_pk": import_pk, "line": line, "message": msg} for line, msg in issues]
        if rows:
            self._session.connection().execute(insert(ImportIssueRecord), rows)
        return len(rows)

    def finish(
        self,
        import_pk: int,
        *,
        finished_at: datetime,
        rows_read: int,
        rows_rejected: int,
        events_added: int,
        duplicates: int,
        status: ImportStatus = ImportStatus.DONE,
    ) -> ImportRecord:
        """Set the final counts and status of an import (raise KeyError for an unknown one)."""
        record = self._session.get(ImportRecord, import_pk)
        if record is None:
            raise KeyError(import_pk)
        record.finished_at = finished_at
        record.rows_read = rows_read
        record.rows_rejected = rows_rejected
        record.events_added = events_added
        record.duplicates = duplicates
        record.status = status
        self._session.flush()
        return record

    def get(self, import_pk: int) -> ImportRecord | None:
        return self._session.get(ImportRecord, import_pk)

    def issues(self, import_pk: int) -> list[ImportIssueRecord]:
        """The issues of an import by line."""
        query = (
            select(ImportIssueRecord)
            .where(ImportIssueRecord.import_pk == import_pk)
            .order_by(ImportIssueRecord.line, ImportIssueRecord.pk)
        )
        return list(self._session.scalars(query))

    def recent(self, limit: int = 20) -> list[ImportRecord]:
        """The latest imports, newest first."""
        query = select(ImportRecord).order_by(ImportRecord.pk.desc()).limit(limit)
        return list(self._session.scalars(query))
