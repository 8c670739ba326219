"""An agreement's life as stored: its state row, activations, approvals and reviews.

Stores what it is given; the state machine and who may act are the services' business.
Flushes, never commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from accord.persistence.records import (
    ActivationRecord,
    AgreementRecord,
    ApprovalRecord,
    ReviewRecord,
)

__all__ = ["LifecycleRepository"]


class LifecycleRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def agreement(self, agreement_id: str, *, for_update: bool = False) -> AgreementRecord | None:
        """The agreement's row; `for_update` locks it (PostgreSQL) so that two servers deciding
        a transition of one agreement at once take turns."""
        query = select(AgreementRecord).where(AgreementRecord.id == agreement_id)
        if for_update:
            query = query.with_for_update()
        return self._session.scalars(query).first()

    def all_agreements(self) -> list[AgreementRecord]:
        return list(self._session.scalars(select(AgreementRecord).order_by(AgreementRecord.id)))

    def add_activation(
        self, agreement_id: str, version: int, *, at: datetime, by: str, via: str
    ) -> ActivationRecord:
        record = ActivationRecord(
            agreement_id=agreement_id, version=version, activated_at=at, activated_by=by, via=via
        )
        self._session.add(record)
        self._session.flush()
        return record

    def activations(self, agreement_id: str | None = None) -> list[ActivationRecord]:
        """Activations (of one agreement, or all), by agreement, then in the order they came."""
        query = select(ActivationRecord).order_by(
            ActivationRecord.agreement_id, ActivationRecord.activated_at, ActivationRecord.pk
        )
        if agreement_id is not None:
            query = query.where(ActivationRecord.agreement_id == agreement_id)
        return list(self._session.scalars(query))

    def add_approval(
        self, agreement_id: str, version: int, department: str, user: str, *, at: datetime
    ) -> ApprovalRecord:
        record = ApprovalRecord(
            agreement_id=agreement_id,
            version=version,
            department=department,
            user_name=user,
            approved_at=at,
        )
        self._session.add(record)
        self._session.flush()
        return record

    def approvals(self, agreement_id: str, version: int | None = None) -> list[ApprovalRecord]:
        """Approvals of the agreement (of one version), oldest first, withdrawn ones included."""
        query = (
            select(ApprovalRecord)
            .where(ApprovalRecord.agreement_id == agreement_id)
            .order_by(ApprovalRecord.approved_at, ApprovalRecord.pk)
        )
        if version is not None:
            query = query.where(ApprovalRecord.version == version)
        return list(self._session.scalars(query))

    def withdraw_approvals(
        self, agreement_id: str, *, below_version: int, at: datetime, reason: str
    ) -> int:
        """Withdraw every standing approval of versions before `below_version`; how many."""
        result = self._session.execute(
            update(ApprovalRecord)
            .where(
                ApprovalRecord.agreement_id == agreement_id,
                ApprovalRecord.version < below_version,
                ApprovalRecord.withdrawn_at.is_(None),
            )
            .values(withdrawn_at=at, withdrawn_reason=reason)
            .execution_options(synchronize_session="fetch")
        )
        self._session.flush()
        return int(result.rowcount)  # type: ignore[attr-defined]

    def add_review(
        self,
        agreement_id: str,
        kind: str,
        *,
        at: datetime,
        actor: str,
        version: int | None,
        reason: str | None = None,
        rule_key: str | None = None,
        outcome: str | None = None,
        notes: str | None = None,
    ) -> ReviewRecord:
        record = ReviewRecord(
            agreement_id=agreement_id,
            kind=kind,
            at=at,
            actor=actor,
            version=version,
            reason=reason,
            rule_key=rule_key,
            outcome=outcome,
            notes=notes,
        )
        self._session.add(record)
        self._session.flush()
        return record

    def reviews(self, agreement_id: str) -> list[ReviewRecord]:
        """The agreement's flags and completed reviews, oldest first."""
        query = (
            select(ReviewRecord)
            .where(ReviewRecord.agreement_id == agreement_id)
            .order_by(ReviewRecord.at, ReviewRecord.pk)
        )
        return list(self._session.scalars(query))

    def has_rule_key(self, agreement_id: str, rule_key: str) -> bool:
        query = select(ReviewRecord.pk).where(
            ReviewRecord.agreement_id == agreement_id, ReviewRecord.rule_key == rule_key
        )
        return self._session.scalars(query).first() is not None
