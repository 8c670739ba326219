"""Reviews and the rules that call for them: which reviews are due, flagging agreements whose
termination rules fire (and ending those whose validity ran out), and completing a review.

SEMANTICS.md ("Consequences"): rules are evaluated per period; one that fires flags the
agreement `review-required` with its reason; a completed review continues, renegotiates or
terminates it. Flushes only; the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from accord.domain.access import Action, ForbiddenError, Principal
from accord.domain.agreements import Agreement, RuleKind, TerminationRule
from accord.domain.audit import AuditAction
from accord.domain.lifecycle import FINAL_STATES, AgreementState, Event, TransitionError
from accord.domain.periods import PeriodKind, PeriodSpec
from accord.engine.calendars import local_to_utc
from accord.errors import FieldIssue, ValidationError
from accord.persistence.records import ReviewRecord
from accord.persistence.repositories import AgreementRepository, LifecycleRepository
from accord.services import access, agreements, lifecycle, states
from accord.services.compliance import ComplianceRow
from accord.services.lifecycle import LifecycleView
from accord.services.stored import load_evaluation

__all__ = [
    "DueReview",
    "Flag",
    "Review",
    "ReviewOutcome",
    "check_rules",
    "complete_review",
    "due_reviews",
    "next_review_on",
    "reviews",
]

_IN_FORCE = (AgreementState.ACTIVE, AgreementState.REVIEW_REQUIRED)


class ReviewOutcome(StrEnum):
    CONTINUE = "continue"  # keep the agreement as it is
    RENEGOTIATE = "renegotiate"  # back to a draft (a new version, the old one stays in force)
    TERMINATE = "terminate"  # end it


@dataclass(frozen=True, slots=True)
class Review:
    """A flag raised by a rule (`kind` flagged) or a review a user completed."""

    agreement_id: str
    kind: str
    at: datetime
    actor: str
    version: int | None
    reason: str | None
    outcome: str | None
    notes: str | None


@dataclass(frozen=True, slots=True)
class DueReview:
    """A review that is due by `due_on` (local date), or one a rule asked for (`reason`)."""

    agreement_id: str
    title: str
    state: AgreementState
    cadence: str | None  # month, quarter, 182d; None when only a rule asks for it
    last_review_on: date | None
    due_on: date
    reason: str | None


@dataclass(frozen=True, slots=True)
class Flag:
    """What a check did to one agreement: flagged it for review, or ended it (expired)."""

    agreement_id: str
    event: Event  # FLAG or EXPIRE
    reason: str
    state: AgreementState


def next_review_on(last_on: date, cadence: PeriodSpec) -> date:
    """The date a review falls due one cadence after `last_on`: the same day of the month a
    month or a quarter later (the month's last day when it is shorter), a week or N days on."""
    if cadence.kind in (PeriodKind.MONTH, PeriodKind.QUARTER):
        months = 1 if cadence.kind is PeriodKind.MONTH else 3
        index = last_on.month - 1 + months
        year, month = last_on.year + index // 12, index % 12 + 1
        following = date(year + month // 12, month % 12 + 1, 1)
        return min(
            date(year, month, 1) + timedelta(days=last_on.day - 1), following - timedelta(days=1)
        )
    days = 7 if cadence.kind is PeriodKind.WEEK else cadence.days or 1
    return last_on + timedelta(days=days)


def reviews(session: Session, principal: Principal, agreement_id: str) -> list[Review]:
    """The agreement's flags and completed reviews, oldest first."""
    access.require(session, principal, Action.READ, agreement_id)
    return [_review(r) for r in LifecycleRepository(session).reviews(agreement_id)]


def complete_review(
    session: Session,
    principal: Principal,
    agreement_id: str,
    outcome: ReviewOutcome,
    *,
    now: datetime,
    notes: str | None = None,
) -> LifecycleView:
    """Record a review of an agreement in force and act on its outcome (an editor or approver
    of a party): `continue` clears a review-required flag (or records a scheduled review of
    an active one), `renegotiate` makes a new draft (`lifecycle.renew`), `terminate` ends it
    (the approver role, as `lifecycle.terminate`)."""
    _require_party_member(session, principal, agreement_id)
    row = states.agreement_row(session, agreement_id)
    state = AgreementState(row.state)
    if state not in _IN_FORCE:
        raise TransitionError(
            f"agreement '{agreement_id}' is {state.value}: only an agreement in force "
            "(active or review-required) is reviewed"
        )
    LifecycleRepository(session).add_review(
        agreement_id,
        "completed",
        at=now,
        actor=principal.name,
        version=row.in_force_version,
        outcome=outcome.value,
        notes=notes,
    )
    states.audit(
        session,
        principal.name,
        now,
        agreement_id,
        AuditAction.REVIEW_COMPLETED,
        {"outcome": outcome.value, "notes": notes},
    )
    if outcome is ReviewOutcome.CONTINUE:
        if state is AgreementState.REVIEW_REQUIRED:
            lifecycle.transition(
                session,
                agreement_id,
                Event.CONTINUE,
                actor=principal.name,
                now=now,
                reason="review completed: continue",
            )
        return lifecycle.state_of(session, agreement_id)
    if outcome is ReviewOutcome.RENEGOTIATE:
        return lifecycle.renew(session, principal, agreement_id, now=now)[0]
    return lifecycle.terminate(
        session, principal, agreement_id, now=now, reason=f"review: {notes or 'terminate'}"
    )


def due_reviews(
    session: Session, principal: Principal, *, now: datetime, within_days: int = 0
) -> list[DueReview]:
    """The reviews due by `within_days` after today, of the agreements the principal may read:
    those in force with a review cadence (one cadence after the last completed review, or
    after the activation of the version in force), and those a rule flagged for review. By
    due date, then id."""
    if within_days < 0:
        raise ValidationError([FieldIssue("within", "must be 0 days or more")])
    found = []
    lifecycle_repository = LifecycleRepository(session)
    for summary in access.visible_agreements(session, principal):
        row = states.agreement_row(session, summary.agreement_id)
        state = AgreementState(row.state)
        if row.in_force_version is None or row.ended_at is not None or state in FINAL_STATES:
            continue
        agreement = agreements.stored_agreement(
            session, summary.agreement_id, row.in_force_version
        ).agreement
        zone = _zone(agreement)
        today = now.astimezone(zone).date()
        records = lifecycle_repository.reviews(summary.agreement_id)
        completed = [r.at for r in records if r.kind == "completed"]
        activated = [
            a.activated_at
            for a in lifecycle_repository.activations(summary.agreement_id)
            if a.version == row.in_force_version
        ]
        last = max(completed) if completed else None
        base = (last or activated[-1]).astimezone(zone).date()
        reason = row.state_reason if state is AgreementState.REVIEW_REQUIRED else None
        if agreement.review is not None:
            due_on = next_review_on(base, agreement.review)
        elif reason is not None:
            due_on = today
        else:
            continue
        if reason is not None:
            due_on = min(due_on, today)
        if due_on <= today + timedelta(days=within_days):
            found.append(
                DueReview(
                    summary.agreement_id,
                    agreement.title,
                    state,
                    None if agreement.review is None else str(agreement.review),
                    None if last is None else last.astimezone(zone).date(),
                    due_on,
                    reason,
                )
            )
    return sorted(found, key=lambda d: (d.due_on, d.agreement_id))


def check_rules(
    session: Session, principal: Principal, *, now: datetime, agreement_id: str | None = None
) -> list[Flag]:
    """Apply the time-driven rules as of `now` to one agreement (an editor or approver of a
    party) or to all (an admin): 1. a version in force whose validity has ended expires (the
    agreement ends at the local midnight after its last day); 2. each `missed-in-a-row` rule
    of the version in force fires when its targets were missed in that many consecutive
    complete periods; 3. `not-approved-within` fires for an agreement never in force whose
    first version is older than that. A rule that fires flags the agreement review-required
    once per firing (the same streak does not flag twice). Returns what it did."""
    if agreement_id is None:
        access.require_admin(principal, change=True)
        ids = [r.id for r in LifecycleRepository(session).all_agreements()]
    else:
        _require_party_member(session, principal, agreement_id)
        ids = [agreement_id]
    flags: list[Flag] = []
    for one in ids:
        flags.extend(_check_one(session, principal.name, one, now))
    return flags


def _check_one(session: Session, actor: str, agreement_id: str, now: datetime) -> list[Flag]:
    row = states.agreement_row(session, agreement_id)
    state = AgreementState(row.state)
    if state in FINAL_STATES:
        return []
    if row.in_force_version is None:
        latest = agreements.stored_agreement(session, agreement_id).agreement
        first = AgreementRepository(session).versions(agreement_id)[0].applied_at
        return [
            f
            for rule in latest.termination
            if rule.kind is RuleKind.NOT_APPROVED_WITHIN
            for f in _not_approved(session, actor, agreement_id, rule, first, now)
        ]
    if row.ended_at is not None:
        return []
    agreement = agreements.stored_agreement(session, agreement_id, row.in_force_version).agreement
    zone = _zone(agreement)
    end_on = agreement.validity.end_on
    if end_on is not None and now.astimezone(zone).date() > end_on:
        ended_at = local_to_utc(zone, end_on + timedelta(days=1), 0)
        row.ended_at = ended_at
        reason = f"validity ended on {end_on}"
        if state in _IN_FORCE:
            state = lifecycle.transition(
                session, agreement_id, Event.EXPIRE, actor=actor, now=now, reason=reason
            )
        session.flush()
        return [Flag(agreement_id, Event.EXPIRE, reason, state)]
    rules = [r for r in agreement.termination if r.kind is RuleKind.MISSED_IN_A_ROW]
    if not rules:
        return []
    rows = load_evaluation(session, now, agreement_id=agreement_id).result.compliance
    today = now.astimezone(zone).date()
    flags = []
    for rule in rules:
        for target in agreement.targets:
            if rule.targets and target.id not in rule.targets:
                continue
            streak = _missed_streak(
                [r for r in rows if r.target_id == target.id and r.period_end <= today]
            )
            if rule.periods is None or len(streak) < rule.periods:
                continue
            run = streak[-rule.periods :]
            labels = ", ".join(f"{r.period_start}..{r.period_end - timedelta(days=1)}" for r in run)
            reason = (
                f"target '{target.id}' missed {rule.periods} periods in a row ({labels}): "
                "review or terminate"
            )
            key = f"missed-in-a-row:{target.id}:{run[-1].period_start}"
            flags.extend(_flag(session, actor, agreement_id, key, reason, now))
    return flags


def _missed_streak(rows: list[ComplianceRow]) -> list[ComplianceRow]:
    """The trailing run of `missed` periods (a period met or without data ends a run)."""
    ordered = sorted(rows, key=lambda r: r.period_start)
    streak: list[ComplianceRow] = []
    for row in ordered:
        streak = [*streak, row] if row.result == "missed" else []
    return streak


def _not_approved(
    session: Session,
    actor: str,
    agreement_id: str,
    rule: TerminationRule,
    first_at: datetime,
    now: datetime,
) -> list[Flag]:
    if rule.days is None or now < first_at + timedelta(days=rule.days):
        return []
    reason = (
        f"not approved within {rule.days} days of its first version ({first_at:%Y-%m-%d}): "
        "review or terminate"
    )
    return _flag(session, actor, agreement_id, f"not-approved-within:{rule.days}", reason, now)


def _flag(
    session: Session, actor: str, agreement_id: str, key: str, reason: str, now: datetime
) -> list[Flag]:
    repository = LifecycleRepository(session)
    if repository.has_rule_key(agreement_id, key):
        return []
    row = states.agreement_row(session, agreement_id)
    repository.add_review(
        agreement_id,
        "flagged",
        at=now,
        actor=actor,
        version=row.in_force_version,
        reason=reason,
        rule_key=key,
    )
    states.audit(
        session,
        actor,
        now,
        agreement_id,
        AuditAction.REVIEW_FLAGGED,
        {"reason": reason, "rule": key},
    )
    state = lifecycle.transition(
        session, agreement_id, Event.FLAG, actor=actor, now=now, reason=reason
    )
    return [Flag(agreement_id, Event.FLAG, reason, state)]


def _require_party_member(session: Session, principal: Principal, agreement_id: str) -> None:
    """An editor or an approver of a party (or an admin)."""
    access.require(session, principal, Action.READ, agreement_id)
    try:
        access.require(session, principal, Action.WRITE, agreement_id)
    except ForbiddenError:
        access.require(session, principal, Action.APPROVE, agreement_id)


def _zone(agreement: Agreement) -> ZoneInfo:
    name = agreement.timezone or next(iter(agreement.calendars.values())).timezone
    return ZoneInfo(name)


def _review(record: ReviewRecord) -> Review:
    return Review(
        record.agreement_id,
        record.kind,
        record.at,
        record.actor,
        record.version,
        record.reason,
        record.outcome,
        record.notes,
    )
