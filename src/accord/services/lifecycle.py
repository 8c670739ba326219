"""An agreement's life as its parties drive it: submit, approve, activate, terminate, renew,
and where it stands. Who may do what is checked here (`accord.services.access`); the state
machine is `accord.domain.lifecycle`, the bookkeeping `accord.services.states`. Flushes only.

Approvals are of one exact version: an agreement becomes active when an approver of every
party has approved its latest version; a later version withdraws them (`states`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from accord.domain.access import (
    Action,
    ConflictError,
    ForbiddenError,
    Principal,
    Role,
)
from accord.domain.audit import AuditAction
from accord.domain.lifecycle import (
    FINAL_STATES,
    AgreementState,
    Approval,
    Event,
    TransitionError,
    allowed_events,
    next_state,
)
from accord.errors import FieldIssue, ValidationError
from accord.persistence.records import ApprovalRecord
from accord.persistence.repositories import AgreementRepository, LifecycleRepository
from accord.services import access, agreements, states
from accord.services.agreements import ApplyOutcome
from accord.spec import load_agreement_text

__all__ = [
    "LifecycleView",
    "activate",
    "activate_applied",
    "approvals",
    "approve",
    "renew",
    "state_of",
    "submit",
    "terminate",
    "transition",
    "view",
]


@dataclass(frozen=True, slots=True)
class LifecycleView:
    """Where an agreement stands: its state (and why), its latest version and the one in
    force, the standing approvals of the latest version and the parties still to approve it,
    and what may happen next."""

    agreement_id: str
    state: AgreementState
    reason: str | None
    changed_at: datetime | None
    latest_version: int
    in_force_version: int | None
    ended_at: datetime | None
    parties: tuple[str, ...]
    approvals: tuple[Approval, ...]
    awaiting: tuple[str, ...]
    allowed: tuple[Event, ...]


def transition(
    session: Session,
    agreement_id: str,
    event: Event,
    *,
    actor: str,
    now: datetime,
    reason: str | None = None,
) -> AgreementState:
    """Move the agreement by `event` with no permission check (the caller has made it): for
    other services, such as negotiation, that have checked who acts. TransitionError when
    its state does not allow `event`."""
    return states.record_transition(
        session, agreement_id, event, actor=actor, now=now, reason=reason
    )


def state_of(session: Session, agreement_id: str) -> LifecycleView:
    """Where the agreement stands (no permission check: see `view`)."""
    row = states.agreement_row(session, agreement_id)
    latest = AgreementRepository(session).latest(agreement_id)
    assert latest is not None  # an agreement row is only made with its first version
    parties = tuple(sorted(access.parties_of(session, agreement_id)))
    standing = tuple(
        a for a in approvals(session, agreement_id, latest.version) if a.withdrawn_at is None
    )
    approved = {a.department for a in standing}
    state = AgreementState(row.state)
    return LifecycleView(
        agreement_id,
        state,
        row.state_reason,
        row.state_changed_at,
        latest.version,
        row.in_force_version,
        row.ended_at,
        parties,
        standing,
        tuple(p for p in parties if p not in approved)
        if latest.version != row.in_force_version
        else (),
        tuple(allowed_events(state)),
    )


def view(session: Session, principal: Principal, agreement_id: str) -> LifecycleView:
    """Where the agreement stands, for a principal who may read it."""
    access.require(session, principal, Action.READ, agreement_id)
    return state_of(session, agreement_id)


def approvals(session: Session, agreement_id: str, version: int | None = None) -> list[Approval]:
    """The approvals of the agreement (of one version), oldest first, withdrawn ones too."""
    return [_approval(r) for r in LifecycleRepository(session).approvals(agreement_id, version)]


def submit(
    session: Session, principal: Principal, agreement_id: str, *, now: datetime
) -> LifecycleView:
    """Ask the parties' approvers to approve the latest version (an editor of a party)."""
    access.require(session, principal, Action.WRITE, agreement_id)
    _not_in_force_already(session, agreement_id, None)
    version = _latest(session, agreement_id)
    states.record_transition(
        session,
        agreement_id,
        Event.SUBMIT,
        actor=principal.name,
        now=now,
        reason=f"version {version} submitted for approval",
    )
    return state_of(session, agreement_id)


def approve(
    session: Session,
    principal: Principal,
    agreement_id: str,
    *,
    now: datetime,
    version: int | None = None,
    department: str | None = None,
) -> LifecycleView:
    """Approve the latest version for one party (the principal's department with the approver
    role); when every party has approved it, it becomes the version in force.

    Refused: a version that is not the latest (TransitionError: a change withdrew approvals
    of earlier ones), the version already in force, a second approval for one department
    (ConflictError), a principal with no approver role in a party (ForbiddenError; an admin
    activates with `activate` instead), a state that does not allow approval (negotiating
    with a proposal open, active, ended: TransitionError).
    """
    parties = access.require(session, principal, Action.APPROVE, agreement_id)
    latest = _latest(session, agreement_id)
    if version is not None and version != latest:
        raise TransitionError(
            f"agreement '{agreement_id}': version {version} is not the latest ({latest}); "
            "only the latest version is approved (a change withdraws earlier approvals)"
        )
    _not_in_force_already(session, agreement_id, latest)
    party = _approving_department(principal, parties, department, agreement_id)
    repository = LifecycleRepository(session)
    done = {r.department for r in repository.approvals(agreement_id, latest)}
    if party in done:
        raise ConflictError(
            f"agreement '{agreement_id}' version {latest} is already approved for {party}"
        )
    row = states.agreement_row(session, agreement_id, for_update=True)
    next_state(AgreementState(row.state), Event.APPROVE, agreement_id=agreement_id)  # or refuse
    repository.add_approval(agreement_id, latest, party, principal.name, at=now)
    states.audit(
        session,
        principal.name,
        now,
        agreement_id,
        AuditAction.AGREEMENT_APPROVED,
        {"version": latest, "department": party},
    )
    missing = sorted(set(parties) - done - {party})
    if missing:
        states.record_transition(
            session,
            agreement_id,
            Event.APPROVE,
            actor=principal.name,
            now=now,
            reason=f"version {latest} approved for {party}; awaiting {', '.join(missing)}",
        )
    else:
        states.activate_version(
            session,
            agreement_id,
            latest,
            actor=principal.name,
            now=now,
            via="approval",
            reason=f"version {latest} approved by every party",
        )
    return state_of(session, agreement_id)


def activate(
    session: Session,
    principal: Principal,
    agreement_id: str,
    *,
    now: datetime,
    version: int | None = None,
) -> LifecycleView:
    """Put the latest version in force without approvals: an admin only, audited (for
    workspaces that do not use approvals, `accord agreements apply --activate`)."""
    access.require_admin(principal, change=True)
    access.require(session, principal, Action.WRITE, agreement_id)
    latest = _latest(session, agreement_id)
    if version is not None and version != latest:
        raise TransitionError(
            f"agreement '{agreement_id}': version {version} is not the latest ({latest})"
        )
    _not_in_force_already(session, agreement_id, latest)
    states.activate_version(
        session,
        agreement_id,
        latest,
        actor=principal.name,
        now=now,
        via="admin",
        reason=f"version {latest} activated by an admin",
    )
    return state_of(session, agreement_id)


def activate_applied(
    session: Session, principal: Principal, outcomes: Iterable[ApplyOutcome], *, now: datetime
) -> list[LifecycleView]:
    """`apply --activate`: put the version each outcome names in force (an admin only),
    leaving alone those already in force, so applying the same files again changes nothing."""
    access.require_admin(principal, change=True)
    views = []
    for outcome in outcomes:
        row = states.agreement_row(session, outcome.agreement_id)
        if row.in_force_version != outcome.version or AgreementState(row.state) in FINAL_STATES:
            activate(session, principal, outcome.agreement_id, now=now, version=outcome.version)
        views.append(state_of(session, outcome.agreement_id))
    return views


def terminate(
    session: Session, principal: Principal, agreement_id: str, *, now: datetime, reason: str
) -> LifecycleView:
    """End the agreement now (an approver of a party, or an admin), with the reason: clocks
    that start later bind to no version."""
    access.require(session, principal, Action.APPROVE, agreement_id)
    if not reason.strip():
        raise ValidationError([FieldIssue("reason", "say why the agreement is terminated")])
    states.record_transition(
        session, agreement_id, Event.TERMINATE, actor=principal.name, now=now, reason=reason
    )
    states.agreement_row(session, agreement_id).ended_at = now
    session.flush()
    return state_of(session, agreement_id)


def renew(
    session: Session, principal: Principal, agreement_id: str, *, now: datetime
) -> tuple[LifecycleView, ApplyOutcome | None]:
    """Make a new draft from the version last in force (an editor of a party): the same text
    with its validity moved on by one term (the day after it ends, for as many days). The
    version in force stays in force until the renewal is approved.

    An agreement without an end date only goes back to draft (there is no term to move).
    TransitionError for an agreement never in force, or one with a draft in progress.
    """
    access.require(session, principal, Action.WRITE, agreement_id)
    row = states.agreement_row(session, agreement_id)
    if row.in_force_version is None:
        raise TransitionError(
            f"agreement '{agreement_id}' was never in force: change its draft instead"
        )
    base = agreements.stored_agreement(session, agreement_id, row.in_force_version)
    states.record_transition(
        session,
        agreement_id,
        Event.RENEW,
        actor=principal.name,
        now=now,
        reason=f"renewal of version {row.in_force_version}",
    )
    validity = base.agreement.validity
    if validity.end_on is None:
        return state_of(session, agreement_id), None
    term = validity.end_on - validity.start_on + timedelta(days=1)
    start = validity.end_on + timedelta(days=1)
    content = renewed_text(
        base.content, validity.start_on, validity.end_on, start, start + term - timedelta(days=1)
    )
    renewed = load_agreement_text(content, f"{agreement_id} renewal")
    outcome = agreements.store_version(session, renewed, content, actor=principal.name, now=now)
    return state_of(session, agreement_id), outcome


def renewed_text(text: str, old_start: date, old_end: date, start: date, end: date) -> str:
    """`text` with its validity `start: old_start` and `end: old_end` rewritten to the new
    dates, comments and layout kept (the keys are matched as written, block or flow)."""
    for key, old, new in (("start", old_start, start), ("end", old_end, end)):
        pattern = re.compile(rf"(\b{key}\s*:\s*['\"]?){old.isoformat()}(['\"]?)")
        text, count = pattern.subn(rf"\g<1>{new.isoformat()}\g<2>", text, count=1)
        if count != 1:
            raise ValidationError(
                [FieldIssue(f"spec.validity.{key}", f"cannot find '{key}: {old}' to renew")]
            )
    return text


def _latest(session: Session, agreement_id: str) -> int:
    record = AgreementRepository(session).latest(agreement_id)
    assert record is not None  # access.require found it
    return record.version


def _not_in_force_already(session: Session, agreement_id: str, version: int | None) -> None:
    row = states.agreement_row(session, agreement_id)
    latest = version if version is not None else _latest(session, agreement_id)
    if row.in_force_version == latest and AgreementState(row.state) not in FINAL_STATES:
        raise TransitionError(
            f"agreement '{agreement_id}' version {latest} is already in force: change it "
            "(or renew it) to make a new version to approve"
        )


def _approving_department(
    principal: Principal, parties: Iterable[str], department: str | None, agreement_id: str
) -> str:
    mine = sorted(d for d in parties if Role.APPROVER in principal.roles_in(d))
    if department is not None:
        if department not in mine:
            raise ForbiddenError(
                f"agreement '{agreement_id}': you are not an approver of '{department}', "
                "a party to it"
            )
        return department
    if not mine:
        raise ForbiddenError(
            f"agreement '{agreement_id}': approving needs the approver role in "
            f"{' or '.join(sorted(parties))} (an admin activates instead)"
        )
    if len(mine) > 1:
        raise ValidationError(
            [FieldIssue("department", f"you approve for {' and '.join(mine)}: name one")]
        )
    return mine[0]


def _approval(record: ApprovalRecord) -> Approval:
    return Approval(
        record.agreement_id,
        record.version,
        record.department,
        record.user_name,
        record.approved_at,
        record.withdrawn_at,
        record.withdrawn_reason,
    )
