"""The API's shapes for an agreement's life: its state, approvals, reviews and what a check did.

Built from the services' results; no rules here.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from accord.domain.lifecycle import Approval
from accord.services.lifecycle import LifecycleView
from accord.services.reviews import DueReview, Flag, Review, ReviewOutcome

__all__ = [
    "ApprovalRead",
    "ApproveBody",
    "DueReviewRead",
    "FlagRead",
    "LifecycleRead",
    "ReviewBody",
    "ReviewRead",
    "TerminateBody",
]


class ApprovalRead(BaseModel):
    version: int
    department: str
    user: str
    approved_at: datetime
    withdrawn_at: datetime | None
    withdrawn_reason: str | None

    @classmethod
    def of(cls, a: Approval) -> ApprovalRead:
        return cls(
            version=a.version,
            department=a.department,
            user=a.user,
            approved_at=a.approved_at,
            withdrawn_at=a.withdrawn_at,
            withdrawn_reason=a.withdrawn_reason,
        )


class LifecycleRead(BaseModel):
    id: str
    state: str = Field(description="draft, negotiating, pending-approval, active, ...")
    reason: str | None
    changed_at: datetime | None
    latest_version: int
    in_force_version: int | None
    ended_at: datetime | None
    parties: list[str]
    approvals: list[ApprovalRead] = Field(description="Standing approvals of the latest version")
    awaiting: list[str] = Field(description="Parties that have not approved the latest version")
    allowed: list[str] = Field(description="What may happen next")

    @classmethod
    def of(cls, v: LifecycleView) -> LifecycleRead:
        return cls(
            id=v.agreement_id,
            state=v.state.value,
            reason=v.reason,
            changed_at=v.changed_at,
            latest_version=v.latest_version,
            in_force_version=v.in_force_version,
            ended_at=v.ended_at,
            parties=list(v.parties),
            approvals=[ApprovalRead.of(a) for a in v.approvals],
            awaiting=list(v.awaiting),
            allowed=[e.value for e in v.allowed],
        )


class ApproveBody(BaseModel):
    version: int | None = Field(None, ge=1, description="The version approved (default: latest)")
    department: str | None = Field(None, description="The party, if you approve for two")


class TerminateBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class ReviewBody(BaseModel):
    outcome: ReviewOutcome
    notes: str | None = Field(None, max_length=5000)


class ReviewRead(BaseModel):
    kind: str = Field(description="flagged (a rule fired) or completed")
    at: datetime
    actor: str
    version: int | None
    reason: str | None
    outcome: str | None
    notes: str | None

    @classmethod
    def of(cls, r: Review) -> ReviewRead:
        return cls(
            kind=r.kind,
            at=r.at,
            actor=r.actor,
            version=r.version,
            reason=r.reason,
            outcome=r.outcome,
            notes=r.notes,
        )


class DueReviewRead(BaseModel):
    id: str
    title: str
    state: str
    cadence: str | None
    last_review_on: date | None
    due_on: date
    reason: str | None

    @classmethod
    def of(cls, d: DueReview) -> DueReviewRead:
        return cls(
            id=d.agreement_id,
            title=d.title,
            state=d.state.value,
            cadence=d.cadence,
            last_review_on=d.last_review_on,
            due_on=d.due_on,
            reason=d.reason,
        )


class FlagRead(BaseModel):
    id: str
    event: str = Field(description="flag (review required) or expire")
    reason: str
    state: str

    @classmethod
    def of(cls, f: Flag) -> FlagRead:
        return cls(id=f.agreement_id, event=f.event.value, reason=f.reason, state=f.state.value)
