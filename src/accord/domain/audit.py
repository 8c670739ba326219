"""What the audit log records: the actions (their names are stored, so never rename one) and
the kinds of subject they touch. No storage and no rules about who may read it here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = ["AuditAction", "AuditEntry", "SubjectType"]


class SubjectType(StrEnum):
    AGREEMENT = "agreement"
    IMPORT = "import"
    DEPARTMENT = "department"
    USER = "user"
    TOKEN = "token"
    PROPOSAL = "proposal"  # a proposed change to a target (negotiation)
    SERVICE = "service"  # a service of the catalog


class AuditAction(StrEnum):
    AGREEMENT_APPLIED = "agreement.applied"  # a new version was stored
    AGREEMENT_STATE_CHANGED = "agreement.state_changed"  # details: event, from, to, reason
    AGREEMENT_APPROVED = "agreement.approved"  # a party's approver approved a version
    AGREEMENT_ACTIVATED = "agreement.activated"  # a version came into force
    APPROVALS_WITHDRAWN = "agreement.approvals_withdrawn"  # a new version withdrew them
    REVIEW_FLAGGED = "agreement.review_flagged"  # a rule fired
    REVIEW_COMPLETED = "agreement.review_completed"
    IMPORT_FINISHED = "import.finished"
    DEPARTMENT_ADDED = "department.added"
    USER_ADDED = "user.added"
    USER_ROLE_GRANTED = "user.role_granted"
    USER_ROLE_REMOVED = "user.role_removed"
    USER_PASSWORD_SET = "user.password_set"
    USER_DISABLED = "user.disabled"
    USER_ENABLED = "user.enabled"
    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"
    PROPOSAL_MADE = "proposal.made"  # details: target, change, department
    PROPOSAL_COUNTERED = "proposal.countered"  # answered by a counter-proposal
    PROPOSAL_ACCEPTED = "proposal.accepted"  # details: the version it stored
    PROPOSAL_REJECTED = "proposal.rejected"
    SERVICE_APPLIED = "catalog.service_applied"  # a catalog service was stored or changed


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded action: who (`actor`, a user or operator name) did what to which subject.

    `agreement_id` is set when the action concerns an agreement: its parties may read the entry.
    `details` holds JSON values only, never a secret.
    """

    id: int
    at: datetime
    actor: str
    action: AuditAction
    subject_type: SubjectType
    subject_id: str
    agreement_id: str | None = None
    details: Mapping[str, object] = field(default_factory=dict)
