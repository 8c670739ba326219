"""The audit log: append an entry, read entries newest first (of one agreement, when asked).

Appends only: nothing here changes or deletes an entry. Who may read what is the services'
business. Flushes, never commits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.persistence.records import AuditRecord

__all__ = ["AuditRepository"]


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        subject_type: str,
        subject_id: str,
        agreement_id: str | None = None,
        details: Mapping[str, object] | None = None,
    ) -> AuditRecord:
        """Append one entry; `details` must be JSON-serialisable (stored as sorted JSON).

        `action` and `subject_type` may be StrEnum members: their values are stored.
        """
        record = AuditRecord(
            at=at,
            actor=actor,
            action=str(action),
            subject_type=str(subject_type),
            subject_id=subject_id,
            agreement_id=agreement_id,
            details=json.dumps(dict(details or {}), sort_keys=True, separators=(",", ":")),
        )
        self._session.add(record)
        self._session.flush()
        return record

    def entries(
        self, *, agreement_id: str | None = None, limit: int = 50, before: int | None = None
    ) -> list[AuditRecord]:
        """Entries newest first: at most `limit`, with a key below `before` when given (the
        next page starts below the last key of this one), of one agreement when given."""
        query = select(AuditRecord).order_by(AuditRecord.pk.desc()).limit(limit)
        if agreement_id is not None:
            query = query.where(AuditRecord.agreement_id == agreement_id)
        if before is not None:
            query = query.where(AuditRecord.pk < before)
        return list(self._session.scalars(query))
