"""Negotiating targets between the parties: propose a change with its evidence, counter it,
accept it (a new version of the agreement) or reject it; list and read proposals.

Who may do what is checked here: a party's editor or approver proposes for their party, and
only the other party answers. The evidence is `services.simulation`'s, the state machine
`services.lifecycle`'s, the YAML edit `spec.edits`'. Flushes, never commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from accord.domain.access import (
    Action,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    Principal,
    Role,
    Scope,
)
from accord.domain.audit import AuditAction, SubjectType
from accord.domain.lifecycle import Event
from accord.domain.negotiation import Proposal, ProposalStatus, TargetChange
from accord.errors import FieldIssue, ValidationError
from accord.persistence.records import ProposalRecord
from accord.persistence.repositories import ProposalRepository
from accord.persistence.repositories.audit import AuditRepository
from accord.services import access, lifecycle
from accord.services.agreements import normalise_text, store_version, stored_agreement
from accord.services.simulation import DEFAULT_PERIODS, Simulation, Suggestion, simulate, suggest
from accord.spec import load_agreement_text
from accord.spec.edits import edit_target

__all__ = [
    "accept",
    "counter",
    "evidence",
    "get_proposal",
    "list_proposals",
    "propose",
    "reject",
    "suggestion",
]

_NEGOTIATORS = frozenset({Role.EDITOR, Role.APPROVER})


def evidence(
    session: Session,
    principal: Principal,
    agreement_id: str,
    target_id: str,
    change: TargetChange,
    *,
    now: datetime,
    periods: int = DEFAULT_PERIODS,
) -> Simulation:
    """`simulation.simulate` for a reader of the agreement (NotFoundError for outsiders)."""
    access.require(session, principal, Action.READ, agreement_id)
    return simulate(session, agreement_id, target_id, change, now=now, periods=periods)


def suggestion(
    session: Session,
    principal: Principal,
    agreement_id: str,
    target_id: str,
    *,
    objective: Decimal | None,
    now: datetime,
    periods: int = DEFAULT_PERIODS,
) -> Suggestion:
    """`simulation.suggest` for a reader of the agreement (NotFoundError for outsiders)."""
    access.require(session, principal, Action.READ, agreement_id)
    return suggest(session, agreement_id, target_id, objective=objective, now=now, periods=periods)


def propose(
    session: Session,
    principal: Principal,
    agreement_id: str,
    target_id: str,
    change: TargetChange,
    comment: str,
    *,
    now: datetime,
    periods: int = DEFAULT_PERIODS,
    department: str | None = None,
) -> Proposal:
    """Propose `change` to a target for the proposer's party, with its evidence, and put the
    agreement in negotiation.

    Rules: outsiders get NotFoundError; the proposer needs the editor or approver role in a
    party department and a credential with the `write` scope (ForbiddenError); the proposal
    is made for that department, and one who belongs to both parties (or an admin) names it
    with `department`. The evidence is the simulation over the last `periods` complete
    periods of the version in force. TransitionError when the agreement has ended.
    """
    parties = access.require(session, principal, Action.READ, agreement_id)
    _check_comment(comment)
    party = _party_for(principal, parties, department, agreement_id=agreement_id)
    return _open(
        session,
        principal,
        agreement_id,
        target_id,
        change,
        comment,
        department=party,
        now=now,
        periods=periods,
        responds_to=None,
    )


def counter(
    session: Session,
    principal: Principal,
    proposal_id: int,
    change: TargetChange,
    comment: str,
    *,
    now: datetime,
    periods: int = DEFAULT_PERIODS,
) -> Proposal:
    """Answer an open proposal with another: the original becomes `countered` and a new open
    proposal, for the counter-proposer's party, carries its own evidence.

    Only an editor or approver of the other party (or an admin) may counter (ForbiddenError);
    ConflictError when the proposal is no longer open.
    """
    _check_comment(comment)
    record = _answerable(session, principal, proposal_id, doing="counter")
    repository = ProposalRepository(session)
    repository.answer(
        record, status=ProposalStatus.COUNTERED, by=principal.name, at=now, comment=comment
    )
    made = _open(
        session,
        principal,
        record.agreement_id,
        record.target_id,
        change,
        comment,
        department=_other_party(session, record),
        now=now,
        periods=periods,
        responds_to=record.pk,
    )
    _audit(session, principal, AuditAction.PROPOSAL_COUNTERED, record, now, {"counter": made.id})
    return made


def accept(
    session: Session,
    principal: Principal,
    proposal_id: int,
    *,
    now: datetime,
    comment: str | None = None,
) -> Proposal:
    """Accept an open proposal: its change is written into the agreement's latest YAML text
    (comments and layout kept), validated and stored as the next version.

    Only an editor or approver of the other party (or an admin) may accept (ForbiddenError);
    ConflictError when it is no longer open; ValidationError when the changed text is not a
    valid agreement. The stored version makes the agreement a draft again; while other
    proposals stay open it goes back to negotiating.
    """
    record = _answerable(session, principal, proposal_id, doing="accept")
    latest = stored_agreement(session, record.agreement_id)
    change = TargetChange.from_json(json.loads(record.change))
    text = edit_target(
        latest.content,
        record.target_id,
        goals={name: goal.text for name, goal in (change.goals or {}).items()},
        objective=change.objective,
        pause_states=None if change.pause_states is None else sorted(change.pause_states),
    )
    content = normalise_text(text)
    agreement = load_agreement_text(content, f"{record.agreement_id} with proposal {record.pk}")
    outcome = store_version(session, agreement, content, actor=principal.name, now=now)
    repository = ProposalRepository(session)
    repository.answer(
        record,
        status=ProposalStatus.ACCEPTED,
        by=principal.name,
        at=now,
        comment=comment,
        resulting_version=outcome.version,
    )
    still_open = repository.count_open(record.agreement_id, ProposalStatus.OPEN)
    if still_open:
        lifecycle.transition(
            session,
            record.agreement_id,
            Event.PROPOSE,
            actor=principal.name,
            now=now,
            reason=f"{still_open} proposal(s) still open after proposal {record.pk} was accepted",
        )
    elif not outcome.changed:
        _settle(session, principal, record, now, "accepted (it changed nothing)")
    _audit(
        session,
        principal,
        AuditAction.PROPOSAL_ACCEPTED,
        record,
        now,
        {"version": outcome.version, "stored": outcome.changed, "comment": comment},
    )
    return _proposal(record)


def reject(
    session: Session,
    principal: Principal,
    proposal_id: int,
    comment: str,
    *,
    now: datetime,
) -> Proposal:
    """Reject an open proposal, saying why; the last open proposal answered settles the
    negotiation (the agreement goes back to draft).

    Only an editor or approver of the other party (or an admin) may reject (ForbiddenError);
    ConflictError when it is no longer open.
    """
    _check_comment(comment)
    record = _answerable(session, principal, proposal_id, doing="reject")
    repository = ProposalRepository(session)
    repository.answer(
        record, status=ProposalStatus.REJECTED, by=principal.name, at=now, comment=comment
    )
    if not repository.count_open(record.agreement_id, ProposalStatus.OPEN):
        _settle(session, principal, record, now, "rejected")
    _audit(session, principal, AuditAction.PROPOSAL_REJECTED, record, now, {"comment": comment})
    return _proposal(record)


def list_proposals(
    session: Session,
    principal: Principal,
    agreement_id: str,
    status: ProposalStatus | None = None,
) -> list[Proposal]:
    """The agreement's proposals, oldest first (of one status when given), for its readers."""
    access.require(session, principal, Action.READ, agreement_id)
    records = ProposalRepository(session).of_agreement(agreement_id, status)
    return [_proposal(record) for record in records]


def get_proposal(session: Session, principal: Principal, proposal_id: int) -> Proposal:
    """One proposal, for a reader of its agreement; NotFoundError, worded alike, otherwise."""
    return _proposal(_readable(session, principal, proposal_id))


def _open(
    session: Session,
    principal: Principal,
    agreement_id: str,
    target_id: str,
    change: TargetChange,
    comment: str,
    *,
    department: str,
    now: datetime,
    periods: int,
    responds_to: int | None,
) -> Proposal:
    """Simulate, store an open proposal, move the agreement to negotiating, audit."""
    evidence = simulate(session, agreement_id, target_id, change, now=now, periods=periods)
    if evidence.proposed == evidence.current:
        raise ValidationError(
            [
                FieldIssue(
                    "", f"target '{target_id}' is like that already: the change changes nothing"
                )
            ]
        )
    record = ProposalRepository(session).add(
        agreement_id=agreement_id,
        base_version=evidence.version,
        target_id=target_id,
        change=evidence.change.to_json(),
        comment=comment.strip(),
        evidence=evidence.to_json(),
        proposed_by=principal.name,
        department=department,
        proposed_at=now,
        status=ProposalStatus.OPEN,
        responds_to=responds_to,
    )
    lifecycle.transition(
        session,
        agreement_id,
        Event.PROPOSE,
        actor=principal.name,
        now=now,
        reason=f"proposal {record.pk}: {evidence.change.describe()} for '{target_id}'",
    )
    details: dict[str, object] = {
        "target": target_id,
        "change": evidence.change.to_json(),
        "department": department,
        "responds_to": responds_to,
    }
    _audit(session, principal, AuditAction.PROPOSAL_MADE, record, now, details)
    return _proposal(record)


def _party_for(
    principal: Principal, parties: Iterable[str], department: str | None, *, agreement_id: str
) -> str:
    """The party department a proposal by `principal` is made for (see `propose`)."""
    if Scope.WRITE not in principal.scopes:
        raise ForbiddenError("proposing needs a credential with the 'write' scope")
    both = sorted(parties)
    mine = [d for d in both if principal.roles_in(d) & _NEGOTIATORS]
    named = " or ".join(both)
    if department is not None:
        if department not in both:
            raise ValidationError(
                [
                    FieldIssue(
                        "department",
                        f"'{department}' is not a party of agreement '{agreement_id}' ({named})",
                    )
                ]
            )
        if principal.is_admin or department in mine:
            return department
        raise ForbiddenError(
            f"proposing for {department} needs the editor or approver role in {department}"
        )
    if len(mine) == 1:
        return mine[0]
    if mine or principal.is_admin:
        raise ValidationError(
            [FieldIssue("department", f"say which party the proposal is made for: {named}")]
        )
    raise ForbiddenError(
        f"agreement '{agreement_id}': proposing needs the editor or approver role in {named}"
    )


def _readable(session: Session, principal: Principal, proposal_id: int) -> ProposalRecord:
    record = ProposalRepository(session).get(proposal_id)
    if record is None:
        raise NotFoundError(f"no proposal {proposal_id}")
    try:
        access.require(session, principal, Action.READ, record.agreement_id)
    except NotFoundError:
        raise NotFoundError(f"no proposal {proposal_id}") from None
    return record


def _answerable(
    session: Session, principal: Principal, proposal_id: int, *, doing: str
) -> ProposalRecord:
    """The open proposal `principal` may answer (locked), or the error that says why not."""
    record = _readable(session, principal, proposal_id)
    record = ProposalRepository(session).get(proposal_id, for_update=True) or record
    other = _other_party(session, record)
    if Scope.WRITE not in principal.scopes:
        raise ForbiddenError(f"to {doing} a proposal needs a credential with the 'write' scope")
    if not principal.is_admin and not principal.roles_in(other) & _NEGOTIATORS:
        raise ForbiddenError(
            f"proposal {record.pk} was made for {record.department}: only an editor or "
            f"approver of {other}, the other party, may {doing} it"
        )
    if record.status != ProposalStatus.OPEN:
        raise ConflictError(
            f"proposal {record.pk} is {record.status} already: only an open proposal is answered"
        )
    return record


def _other_party(session: Session, record: ProposalRecord) -> str:
    parties = access.parties_of(session, record.agreement_id)
    others = sorted(parties - {record.department})
    return others[0] if others else record.department


def _settle(
    session: Session, principal: Principal, record: ProposalRecord, now: datetime, how: str
) -> None:
    lifecycle.transition(
        session,
        record.agreement_id,
        Event.SETTLE,
        actor=principal.name,
        now=now,
        reason=f"proposal {record.pk} {how}: no proposal is open",
    )


def _check_comment(comment: str | None) -> None:
    if comment is None or not comment.strip():
        raise ValidationError([FieldIssue("comment", "say why, in a comment")])


def _audit(
    session: Session,
    principal: Principal,
    action: AuditAction,
    record: ProposalRecord,
    now: datetime,
    details: dict[str, object],
) -> None:
    AuditRepository(session).add(
        at=now,
        actor=principal.name,
        action=action,
        subject_type=SubjectType.PROPOSAL,
        subject_id=str(record.pk),
        agreement_id=record.agreement_id,
        details={"target": record.target_id, **details},
    )


def _proposal(record: ProposalRecord) -> Proposal:
    return Proposal(
        id=record.pk,
        agreement_id=record.agreement_id,
        base_version=record.base_version,
        target_id=record.target_id,
        change=TargetChange.from_json(json.loads(record.change)),
        comment=record.comment,
        proposed_by=record.proposed_by,
        department=record.department,
        proposed_at=record.proposed_at,
        status=ProposalStatus(record.status),
        evidence=json.loads(record.evidence),
        responds_to=record.responds_to,
        answered_by=record.answered_by,
        answered_at=record.answered_at,
        answer_comment=record.answer_comment,
        resulting_version=record.resulting_version,
    )
