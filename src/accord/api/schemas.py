"""The API's shared request and response bodies (pydantic v2): errors, agreements, status,
compliance, audit; and how service results become them. Bodies of one route module only live
in it (users and tokens, items).

JSON conventions, as in the report files: instants ISO 8601 UTC, dates ISO (period ends
exclusive), fractions (attainment, objective) as strings of digits, durations in seconds.
No rule lives here: only shapes and renaming.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from accord.domain.audit import AuditEntry
from accord.services.agreements import AgreementSummary, StoredAgreement, StoredVersion
from accord.services.evaluation import ComplianceRow
from accord.services.status import StatusReport, TargetStatus

__all__ = [
    "AgreementApplied",
    "AgreementCreate",
    "AgreementPage",
    "AgreementRead",
    "AgreementSummaryRead",
    "AgreementUpdate",
    "AuditEntryRead",
    "AuditPage",
    "ComplianceRead",
    "DiffRead",
    "ErrorRead",
    "IssueRead",
    "ReadModel",
    "StatusRead",
    "TargetStatusRead",
    "VersionRead",
]


class ReadModel(BaseModel):
    """A response body that can be built from a service's dataclass (by attribute)."""

    model_config = ConfigDict(from_attributes=True)


class IssueRead(BaseModel):
    """One problem in the input: `path` as the CLI prints it (`spec.targets[1].goal.P5`)."""

    path: str
    message: str
    line: int | None = None


class ErrorRead(BaseModel):
    """Every error response: what went wrong, and for 422 each problem found."""

    detail: str
    issues: list[IssueRead] = []


class AgreementCreate(BaseModel):
    """An agreement file's content (`accord/v1`) as JSON; the same document may be sent as
    YAML (`application/yaml` or `text/plain`). It is validated as the CLI validates files."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    api_version: Literal["accord/v1"] = Field(alias="apiVersion")
    kind: Literal["Agreement"]
    metadata: dict[str, Any] = Field(description="id (a slug), title")
    spec: dict[str, Any] = Field(description="provider, customer, calendars, targets, ...")


class AgreementUpdate(AgreementCreate):
    """The next version of an agreement: the whole document, with the same `metadata.id`."""


class AgreementSummaryRead(BaseModel):
    id: str
    title: str
    version: int
    applied_at: datetime
    applied_by: str
    state: str  # draft, negotiating, pending-approval, active, review-required, expired, ...
    in_force_version: int | None  # None before the first activation

    @classmethod
    def of(cls, s: AgreementSummary) -> AgreementSummaryRead:
        return cls(
            id=s.agreement_id,
            title=s.title,
            version=s.version,
            applied_at=s.applied_at,
            applied_by=s.applied_by,
            state=s.state,
            in_force_version=s.in_force_version,
        )


class AgreementPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[AgreementSummaryRead]


class VersionRead(BaseModel):
    version: int
    applied_at: datetime
    applied_by: str
    source_path: str | None
    content_sha256: str

    @classmethod
    def of(cls, v: StoredVersion) -> VersionRead:
        return cls(
            version=v.version,
            applied_at=v.applied_at,
            applied_by=v.applied_by,
            source_path=v.source_path,
            content_sha256=v.content_sha256,
        )


class AgreementRead(VersionRead):
    """One stored version: its text as stored (YAML or JSON), and what it says in brief."""

    id: str
    title: str
    provider: str
    customer: str
    targets: list[str]
    content: str

    @classmethod
    def of_stored(cls, s: StoredAgreement) -> AgreementRead:
        a = s.agreement
        return cls(
            **VersionRead.of(s.stored).model_dump(),
            id=a.id,
            title=a.title,
            provider=a.provider,
            customer=a.customer,
            targets=[t.id for t in a.targets],
            content=s.content,
        )


class AgreementApplied(AgreementRead):
    """The latest version after a create or update; `changed` False: the text was the same
    as the latest version's, and no version was stored."""

    changed: bool


class DiffRead(BaseModel):
    agreement_id: str
    from_version: int
    to_version: int
    diff: str = Field(description="A unified diff of the stored text ('' when equal).")


class TargetStatusRead(ReadModel):
    """One target in its current period (see `accord status`)."""

    target_id: str
    kind: str
    period: str | None
    period_start: date | None
    period_end: date | None
    counted: int
    met: int
    breached: int
    attainment: Decimal | None
    objective: Decimal
    result: str
    value: Decimal | None
    percentile: Decimal | None
    at_least: int | None
    at_most: int | None
    breached_items: list[str]
    at_risk: int
    at_risk_items: list[str]
    open_clocks: int
    paused: int

    @classmethod
    def of(cls, t: TargetStatus) -> TargetStatusRead:
        return cls.model_validate(t)


class StatusRead(BaseModel):
    agreement_id: str
    as_of: datetime
    items: int
    events: int
    skipped_items: int
    targets: list[TargetStatusRead]

    @classmethod
    def of(cls, agreement_id: str, r: StatusReport) -> StatusRead:
        return cls(
            agreement_id=agreement_id,
            as_of=r.as_of,
            items=r.items,
            events=r.events,
            skipped_items=r.skipped_items,
            targets=[TargetStatusRead.of(t) for t in r.targets],
        )


class ComplianceRead(ReadModel):
    agreement_id: str
    target_id: str
    kind: str
    period_start: date
    period_end: date
    counted: int
    met: int
    breached: int
    attainment: Decimal | None
    objective: Decimal
    result: str
    value: Decimal | None

    @classmethod
    def of(cls, row: ComplianceRow) -> ComplianceRead:
        return cls.model_validate(row)


class AuditEntryRead(ReadModel):
    id: int
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    agreement_id: str | None
    details: dict[str, Any]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryRead:
        return cls.model_validate(entry)


class AuditPage(BaseModel):
    """Entries newest first; pass `next_before` as `before` for the next page (None: done)."""

    items: list[AuditEntryRead]
    next_before: int | None
