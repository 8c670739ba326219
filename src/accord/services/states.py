"""The bookkeeping of an agreement's state: transitions by the state machine, activations and
the approvals a new version withdraws. No permission checks: `lifecycle` checks who may act
and `agreements` records each stored version here. Flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from accord.domain.audit import AuditAction, SubjectType
from accord.domain.lifecycle import AgreementState, Event, next_state
from accord.errors import AccordError
from accord.persistence.records import AgreementRecord
from accord.persistence.repositories.audit import AuditRepository
from accord.persistence.repositories.lifecycle import LifecycleRepository

__all__ = ["activate_version", "agreement_row", "audit", "record_transition", "version_stored"]


def agreement_row(
    session: Session, agreement_id: str, *, for_update: bool = False
) -> AgreementRecord:
    """The stored agreement's row; AccordError when none is stored by that id."""
    record = LifecycleRepository(session).agreement(agreement_id, for_update=for_update)
    if record is None:
        raise AccordError(
            f"no agreement '{agreement_id}' is stored; `accord agreements list` shows those"
            " that are"
        )
    return record


def audit(
    session: Session,
    actor: str,
    now: datetime,
    agreement_id: str,
    action: AuditAction,
    details: Mapping[str, object],
) -> None:
    """Record `action` on the agreement in the audit log, readable by its parties."""
    AuditRepository(session).add(
        at=now,
        actor=actor,
        action=action,
        subject_type=SubjectType.AGREEMENT,
        subject_id=agreement_id,
        agreement_id=agreement_id,
        details=dict(details),
    )


def record_transition(
    session: Session,
    agreement_id: str,
    event: Event,
    *,
    actor: str,
    now: datetime,
    reason: str | None = None,
) -> AgreementState:
    """Move the agreement by `event` (TransitionError when its state does not allow it), keep
    the reason, and audit the change of state. The row is locked for the rest of the
    transaction, so concurrent transitions of one agreement are taken one after the other."""
    record = agreement_row(session, agreement_id, for_update=True)
    before = AgreementState(record.state)
    after = next_state(before, event, agreement_id=agreement_id)
    record.state = after.value
    record.state_reason = reason
    record.state_changed_at = now
    session.flush()
    audit(
        session,
        actor,
        now,
        agreement_id,
        AuditAction.AGREEMENT_STATE_CHANGED,
        {"event": event.value, "from": before.value, "to": after.value, "reason": reason},
    )
    return after


def version_stored(
    session: Session, agreement_id: str, version: int, *, actor: str, now: datetime
) -> None:
    """Record that `version` was stored: a first version starts as a draft; a later one is a
    CHANGE (back to draft, refused once the agreement has ended: renew it instead) and
    withdraws every approval of the versions before it."""
    if version == 1:
        record = agreement_row(session, agreement_id)
        record.state = AgreementState.DRAFT.value
        record.state_changed_at = now
        session.flush()
        return
    record_transition(
        session,
        agreement_id,
        Event.CHANGE,
        actor=actor,
        now=now,
        reason=f"version {version} stored",
    )
    reason = f"version {version} was stored after it"
    withdrawn = LifecycleRepository(session).withdraw_approvals(
        agreement_id, below_version=version, at=now, reason=reason
    )
    if withdrawn:
        audit(
            session,
            actor,
            now,
            agreement_id,
            AuditAction.APPROVALS_WITHDRAWN,
            {"count": withdrawn, "reason": reason},
        )


def activate_version(
    session: Session,
    agreement_id: str,
    version: int,
    *,
    actor: str,
    now: datetime,
    via: str,
    reason: str,
) -> AgreementState:
    """Put `version` in force from `now` (ACTIVATE: TransitionError unless the agreement is a
    draft or pending approval) and audit it; clocks that start from now bind to it."""
    state = record_transition(
        session, agreement_id, Event.ACTIVATE, actor=actor, now=now, reason=reason
    )
    record = agreement_row(session, agreement_id)
    record.in_force_version = version
    record.ended_at = None
    LifecycleRepository(session).add_activation(agreement_id, version, at=now, by=actor, via=via)
    audit(
        session,
        actor,
        now,
        agreement_id,
        AuditAction.AGREEMENT_ACTIVATED,
        {"version": version, "via": via},
    )
    return state
