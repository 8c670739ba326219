"""Proposals as stored: add one, find one (locked to answer it), list an agreement's, answer.

Stores what it is given (JSON objects as sorted text); who may propose or answer and what an
answer does to the agreement are the services' business. Flushes, never commits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.persistence.records import ProposalRecord

__all__ = ["ProposalRepository"]


def _json(value: Mapping[str, object]) -> str:
    return json.dumps(dict(value), sort_keys=True, separators=(",", ":"))


class ProposalRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        agreement_id: str,
        base_version: int,
        target_id: str,
        change: Mapping[str, object],
        comment: str,
        evidence: Mapping[str, object],
        proposed_by: str,
        department: str,
        proposed_at: datetime,
        status: str,
        responds_to: int | None = None,
    ) -> ProposalRecord:
        """Store a new proposal; `change` and `evidence` must be JSON-serialisable."""
        record = ProposalRecord(
            agreement_id=agreement_id,
            base_version=base_version,
            target_id=target_id,
            change=_json(change),
            comment=comment,
            evidence=_json(evidence),
            proposed_by=proposed_by,
            department=department,
            proposed_at=proposed_at,
            status=str(status),
            responds_to=responds_to,
        )
        self._session.add(record)
        self._session.flush()
        return record

    def get(self, proposal_id: int, *, for_update: bool = False) -> ProposalRecord | None:
        """One proposal; `for_update` locks its row (PostgreSQL) so that two answers to one
        proposal take turns and the second sees the first."""
        query = select(ProposalRecord).where(ProposalRecord.pk == proposal_id)
        if for_update:
            # Re-read a row this session holds already: another transaction may have answered it.
            query = query.with_for_update().execution_options(populate_existing=True)
        return self._session.scalars(query).first()

    def of_agreement(self, agreement_id: str, status: str | None = None) -> list[ProposalRecord]:
        """An agreement's proposals, oldest first (of one status when given)."""
        query = (
            select(ProposalRecord)
            .where(ProposalRecord.agreement_id == agreement_id)
            .order_by(ProposalRecord.pk)
        )
        if status is not None:
            query = query.where(ProposalRecord.status == str(status))
        return list(self._session.scalars(query))

    def count_open(self, agreement_id: str, open_status: str) -> int:
        """How many of the agreement's proposals have the status `open_status`."""
        query = select(func.count()).where(
            ProposalRecord.agreement_id == agreement_id,
            ProposalRecord.status == str(open_status),
        )
        return int(self._session.scalar(query) or 0)

    def answer(
        self,
        record: ProposalRecord,
        *,
        status: str,
        by: str,
        at: datetime,
        comment: str | None,
        resulting_version: int | None = None,
    ) -> ProposalRecord:
        """Record the answer to `record` (a row read through this repository's session)."""
        record.status = str(status)
        record.answered_by = by
        record.answered_at = at
        record.answer_comment = comment
        record.resulting_version = resulting_version
        self._session.flush()
        return record
