"""Agreement versions: append one, read the latest, one or all of an agreement's versions.

Stores text as given; validating and normalising it is the service's job. Flushes, never commits.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.persistence.records import AgreementRecord, AgreementVersionRecord


def content_digest(content: str) -> str:
    """The hex SHA-256 of `content` encoded as UTF-8 (what `content_sha256` holds)."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


class AgreementRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add_version(
        self,
        agreement_id: str,
        content: str,
        *,
        applied_at: datetime,
        applied_by: str,
        source_path: str | None = None,
    ) -> AgreementVersionRecord:
        """Store `content` as the next version of the agreement (1 for a new agreement).

        Two writers adding a version of one agreement at once cannot both succeed: the second
        fails on the unique (agreement, version) constraint and its transaction rolls back.
        """
        if self._session.get(AgreementRecord, agreement_id) is None:
            self._session.add(AgreementRecord(id=agreement_id, created_at=applied_at))
        latest = self.latest(agreement_id)
        record = AgreementVersionRecord(
            agreement_id=agreement_id,
            version=1 if latest is None else latest.version + 1,
            content=content,
            content_sha256=content_digest(content),
            applied_at=applied_at,
            applied_by=applied_by,
            source_path=source_path,
        )
        self._session.add(record)
        self._session.flush()
        return record

    def latest(self, agreement_id: str) -> AgreementVersionRecord | None:
        """The highest version of the agreement, or None when it was never applied."""
        query = (
            select(AgreementVersionRecord)
            .where(AgreementVersionRecord.agreement_id == agreement_id)
            .order_by(AgreementVersionRecord.version.desc())
            .limit(1)
        )
        return self._session.scalars(query).first()

    def versions(self, agreement_id: str) -> list[AgreementVersionRecord]:
        """Every version of the agreement, oldest first (empty when it was never applied)."""
        query = (
            select(AgreementVersionRecord)
            .where(AgreementVersionRecord.agreement_id == agreement_id)
            .order_by(AgreementVersionRecord.version)
        )
        return list(self._session.scalars(query))

    def version(self, agreement_id: str, version: int) -> AgreementVersionRecord | None:
        query = select(AgreementVersionRecord).where(
            AgreementVersionRecord.agreement_id == agreement_id,
            AgreementVersionRecord.version == version,
        )
        return self._session.scalars(query).first()

    def all_latest(self) -> list[AgreementVersionRecord]:
        """The latest version of every agreement, by agreement id."""
        newest = (
            select(
                AgreementVersionRecord.agreement_id,
                func.max(AgreementVersionRecord.version).label("version"),
            )
            .group_by(AgreementVersionRecord.agreement_id)
            .subquery()
        )
        query = (
            select(AgreementVersionRecord)
            .join(
                newest,
                (AgreementVersionRecord.agreement_id == newest.c.agreement_id)
                & (AgreementVersionRecord.version == newest.c.version),
            )
            .order_by(AgreementVersionRecord.agreement_id)
        )
        return list(self._session.scalars(query))
