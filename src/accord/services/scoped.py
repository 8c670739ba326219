"""The agreements, status, compliance and reports as one principal may use them: the access
checks of `accord.services.access`, then the very services the CLI calls, limited to the
agreements the principal is a party to (all of them for an admin).

Outsiders get NotFoundError, never a hint that an agreement exists. Flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from accord.domain.access import Action, ConflictError, NotFoundError, Principal
from accord.domain.agreements import Agreement
from accord.errors import AccordError, FieldIssue, ValidationError
from accord.persistence.repositories import EventRepository
from accord.services import access, agreements, catalog, reports, status
from accord.services.agreements import (
    AgreementSummary,
    ApplyOutcome,
    StoredAgreement,
    StoredVersion,
    VersionWindow,
)
from accord.services.evaluation import ComplianceRow, EvaluationResult, to_ns
from accord.services.stored import evaluate_in_force, load_evaluation
from accord.spec import load_agreement_text

__all__ = [
    "AgreementList",
    "WriteOutcome",
    "agreement_compliance",
    "agreement_diff",
    "agreement_status",
    "agreement_versions",
    "list_agreements",
    "monthly_report",
    "read_agreement",
    "readable_evaluation",
    "write_agreement",
]

NO_PARTY_NOTE = "You are a party to no stored agreement: this report has no agreement."


@dataclass(frozen=True, slots=True)
class AgreementList:
    """One page of the agreements a principal may read, by id, and how many there are."""

    total: int
    items: tuple[AgreementSummary, ...]


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """What a write did (`changed`: a new version was stored) and the version now latest."""

    outcome: ApplyOutcome
    stored: StoredAgreement


def list_agreements(
    session: Session, principal: Principal, *, offset: int = 0, limit: int = 50
) -> AgreementList:
    """The agreements `principal` may read, `limit` of them from `offset`."""
    found = access.visible_agreements(session, principal)
    return AgreementList(len(found), tuple(found[offset : offset + limit]))


def read_agreement(
    session: Session, principal: Principal, agreement_id: str, version: int | None = None
) -> StoredAgreement:
    """A stored version (the latest for None) for a principal who may read the agreement."""
    access.require(session, principal, Action.READ, agreement_id)
    try:
        return agreements.stored_agreement(session, agreement_id, version)
    except AccordError as exc:
        raise NotFoundError(str(exc)) from None


def agreement_versions(
    session: Session, principal: Principal, agreement_id: str
) -> list[StoredVersion]:
    """Every version of an agreement, oldest first."""
    access.require(session, principal, Action.READ, agreement_id)
    return agreements.history(session, agreement_id)


def agreement_diff(
    session: Session, principal: Principal, agreement_id: str, v1: int, v2: int
) -> str:
    """A unified diff of the stored text from version `v1` to `v2`; NotFoundError for a
    version that does not exist."""
    access.require(session, principal, Action.READ, agreement_id)
    known = {v.version for v in agreements.history(session, agreement_id)}
    for wanted in (v1, v2):
        if wanted not in known:
            raise NotFoundError(f"agreement '{agreement_id}' has no version {wanted}")
    return agreements.diff(session, agreement_id, v1, v2)


def write_agreement(
    session: Session,
    principal: Principal,
    text: str,
    *,
    now: datetime,
    source: str,
    agreement_id: str | None = None,
) -> WriteOutcome:
    """Create (`agreement_id` None) or update an agreement from YAML or JSON text.

    Steps: 1. for an update, the principal must be allowed to write the stored agreement
    (NotFoundError for outsiders, before the text is even looked at); 2. the text is validated
    as an agreement file is (ValidationError with the same field paths as the CLI; `source`
    names it in the messages), against the stored catalog when the workspace has one; 3. an
    update's text must keep the agreement's id, and a
    create's id must be new (ConflictError for a party, NotFoundError for an outsider); 4.
    the principal must be an editor of a party of the new content too; 5. it is stored as the
    next version unless it equals the latest (`changed` False).
    """
    if agreement_id is not None:
        access.require(session, principal, Action.WRITE, agreement_id)
    content = agreements.normalise_text(text)
    agreement = load_agreement_text(content, source, catalog=catalog.stored_catalog(session))
    if agreement_id is not None and agreement.id != agreement_id:
        message = f"'{agreement.id}' is not the agreement updated here ('{agreement_id}')"
        raise ValidationError([FieldIssue("metadata.id", message, source)])
    if agreement_id is None and _exists(session, agreement.id):
        access.require(session, principal, Action.READ, agreement.id)
        raise ConflictError(f"agreement '{agreement.id}' exists already; update it instead")
    access.require_write(session, principal, agreement)
    outcome = agreements.store_version(session, agreement, content, actor=principal.name, now=now)
    stored = agreements.stored_agreement(session, agreement.id, outcome.version)
    return WriteOutcome(outcome, stored)


def agreement_status(
    session: Session, principal: Principal, agreement_id: str, as_of: datetime
) -> status.StatusReport:
    """One agreement's targets in their current period as of `as_of` (`accord status`)."""
    access.require(session, principal, Action.READ, agreement_id)
    return status.status(session, as_of, agreement_id=agreement_id)


def agreement_compliance(
    session: Session,
    principal: Principal,
    agreement_id: str,
    as_of: datetime,
    *,
    target_id: str | None = None,
) -> list[ComplianceRow]:
    """One agreement's compliance per target and period begun by `as_of` (of one target)."""
    access.require(session, principal, Action.READ, agreement_id)
    result = load_evaluation(session, as_of, agreement_id=agreement_id).result
    return [r for r in result.compliance if target_id is None or r.target_id == target_id]


def monthly_report(
    session: Session,
    principal: Principal,
    month: tuple[int, int],
    *,
    now: datetime,
    as_of: datetime | None = None,
    agreement_id: str | None = None,
) -> reports.ComplianceReport:
    """The monthly report (`accord report`) of one agreement, or of every agreement the
    principal may read. Only an admin's report has the workspace-wide volume and MTTR: they
    count items of every department."""
    if agreement_id is not None:
        access.require(session, principal, Action.READ, agreement_id)
    if principal.is_admin:
        access.require_admin(principal, change=False)
        return reports.monthly_report(
            session, month, now=now, as_of=as_of, agreement_id=agreement_id
        )
    in_force = _readable_in_force(session, principal, agreement_id)
    latest = [a for a, _ in in_force]
    at = as_of if as_of is not None else reports.report_instant(latest, month, now)
    table = EventRepository(session).load_table(until_ns=to_ns(at))
    result = evaluate_in_force(in_force, table, at)
    report = reports.build_report(latest, table, result, month, generated_at=now)
    notes = report.notes if latest else (NO_PARTY_NOTE,)
    return replace(report, volume=(), notes=notes)


def readable_evaluation(
    session: Session, principal: Principal, as_of: datetime, agreement_id: str | None = None
) -> EvaluationResult:
    """The evaluation as of `as_of` of the agreements `principal` may read (or of one)."""
    if agreement_id is not None:
        access.require(session, principal, Action.READ, agreement_id)
    in_force = _readable_in_force(session, principal, agreement_id)
    table = EventRepository(session).load_table(until_ns=to_ns(as_of))
    return evaluate_in_force(in_force, table, as_of)


def _readable_in_force(
    session: Session, principal: Principal, agreement_id: str | None
) -> list[tuple[Agreement, Sequence[VersionWindow]]]:
    readable = {s.agreement_id for s in access.visible_agreements(session, principal)}
    if agreement_id is not None:
        readable &= {agreement_id}
    return [
        (latest, windows)
        for latest, windows in agreements.agreements_in_force(session)
        if latest.id in readable
    ]


def _exists(session: Session, agreement_id: str) -> bool:
    try:
        access.parties_of(session, agreement_id)
    except NotFoundError:
        return False
    return True
