"""The audit log: record who did what, and read it back, all of it for admins and an
agreement's entries for its parties.

Entries are only ever added, in the transaction of the change they describe, so a change and
its entry commit or roll back together. Details must never hold a secret.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from accord.domain.access import Action, Principal
from accord.domain.audit import AuditAction, AuditEntry, SubjectType
from accord.errors import FieldIssue, ValidationError
from accord.persistence.records import AuditRecord
from accord.persistence.repositories.audit import AuditRepository
from accord.services.access import require, require_admin

MAX_LIMIT = 1000

__all__ = ["MAX_LIMIT", "entries", "record"]


def record(
    session: Session,
    *,
    actor: str,
    action: AuditAction,
    subject_type: SubjectType,
    subject_id: str,
    at: datetime,
    agreement_id: str | None = None,
    details: Mapping[str, object] | None = None,
) -> AuditEntry:
    """Add one entry. `agreement_id` makes it readable by that agreement's parties; `details`
    holds JSON values (instants as ISO text) and never a secret."""
    if at.tzinfo is None:
        raise ValueError("`at` must be an aware datetime")
    stored = AuditRepository(session).add(
        at=at,
        actor=actor,
        action=action.value,
        subject_type=subject_type.value,
        subject_id=subject_id,
        agreement_id=agreement_id,
        details=details,
    )
    return _entry(stored)


def entries(
    session: Session,
    principal: Principal,
    *,
    agreement_id: str | None = None,
    limit: int = 50,
    before: int | None = None,
) -> list[AuditEntry]:
    """Entries newest first, at most `limit` (1 to MAX_LIMIT), with ids below `before`.

    Without `agreement_id`: the whole log, for admins only (ForbiddenError otherwise). With it: the
    entries about that agreement, for whoever may read the agreement (NotFoundError for outsiders
    and unknown agreements alike, as `access.require`).
    """
    if not 1 <= limit <= MAX_LIMIT:
        message = f"must be between 1 and {MAX_LIMIT}, not {limit}"
        raise ValidationError([FieldIssue("limit", message)])
    if agreement_id is None:
        require_admin(principal, change=False)
    else:
        require(session, principal, Action.READ, agreement_id)
    stored = AuditRepository(session).entries(agreement_id=agreement_id, limit=limit, before=before)
    return [_entry(item) for item in stored]


def _entry(stored: AuditRecord) -> AuditEntry:
    return AuditEntry(
        id=stored.pk,
        at=stored.at,
        actor=stored.actor,
        action=AuditAction(stored.action),
        subject_type=SubjectType(stored.subject_type),
        subject_id=stored.subject_id,
        agreement_id=stored.agreement_id,
        details=json.loads(stored.details),
    )
