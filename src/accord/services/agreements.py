"""Stored agreements: apply files as versions, list them, their history, diffs, versions in force.

The use cases behind `accord agreements apply|list|history|diff` and the API's agreements.
Validation is the spec layer's; storage the repositories'. Flushes, never commits: the caller
owns the transaction.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from accord.domain.agreements import Agreement
from accord.domain.audit import AuditAction, SubjectType
from accord.errors import AccordError, ValidationError
from accord.persistence.records import AgreementVersionRecord
from accord.persistence.repositories import (
    AgreementRepository,
    LifecycleRepository,
    content_digest,
)
from accord.persistence.repositories.audit import AuditRepository
from accord.services import catalog, states
from accord.services.evaluation import to_ns
from accord.spec import load_agreement_text, validate_paths

__all__ = [
    "AgreementSummary",
    "ApplyOutcome",
    "StoredAgreement",
    "StoredVersion",
    "VersionWindow",
    "agreements_in_force",
    "apply_agreements",
    "diff",
    "history",
    "list_agreements",
    "normalise_text",
    "store_version",
    "stored_agreement",
    "summary",
]


@dataclass(frozen=True, slots=True)
class ApplyOutcome:
    """What applying one file did: `changed` when it stored `version`, else `version` stands."""

    agreement_id: str
    version: int
    changed: bool
    path: Path | None = None


@dataclass(frozen=True, slots=True)
class StoredVersion:
    agreement_id: str
    version: int
    applied_at: datetime
    applied_by: str
    source_path: str | None
    content_sha256: str


@dataclass(frozen=True, slots=True)
class StoredAgreement:
    """One stored version: its record, its text as stored, and the agreement it builds."""

    stored: StoredVersion
    content: str
    agreement: Agreement


@dataclass(frozen=True, slots=True)
class AgreementSummary:
    """An agreement as listed: its latest version and title, its state and the version in
    force (None before the first activation)."""

    agreement_id: str
    title: str
    version: int
    applied_at: datetime
    applied_by: str
    state: str = "draft"
    in_force_version: int | None = None


@dataclass(frozen=True, slots=True)
class VersionWindow:
    """The instants `[from_ns, until_ns)` (UTC nanoseconds) in which a version is in force.

    `from_ns` is None for the first version activated (in force since ever), `until_ns` None
    for the version in force now, unless the agreement has ended. A clock binds to the version
    whose window holds its start.
    """

    version: int
    agreement: Agreement
    applied_at: datetime
    from_ns: int | None
    until_ns: int | None

    def holds(self, at_ns: int) -> bool:
        after_start = self.from_ns is None or at_ns >= self.from_ns
        return after_start and (self.until_ns is None or at_ns < self.until_ns)


def normalise_text(text: str) -> str:
    """The form agreements are stored and compared in: LF line ends, no trailing blanks.

    So a file saved with CRLF, a BOM or trailing spaces is not a new version; any other
    change, comments included, is.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n") + "\n"


def apply_agreements(
    session: Session, paths: Sequence[Path], *, actor: str, now: datetime
) -> list[ApplyOutcome]:
    """Store every agreement file under `paths` whose content changed as its next version.

    Steps: 1. validate all files (directories stand for their YAML files); any problem raises
    ValidationError and nothing is stored; 2. per file, compare the normalised text with the
    latest stored version; 3. store a new version, with `actor` and `now`, only when it differs.
    Outcomes follow the order of the files. A stored version is a draft: it comes into force
    when every party approves it (`services.lifecycle`), or an admin activates it.
    Service files (`kind: Service`) among the inputs are applied to the catalog first; where
    the workspace has a catalog, an agreement naming a service it lacks fails validation.
    """
    if now.tzinfo is None:
        raise ValueError("`now` must be an aware datetime")
    reports = validate_paths(paths, catalog=catalog.stored_catalog(session))
    issues = [issue for report in reports for issue in report.issues]
    if issues:
        raise ValidationError(issues)
    catalog.apply_service_reports(session, reports, actor=actor, now=now)
    outcomes = []
    for report in [report for report in reports if report.agreement is not None]:
        content = normalise_text(report.path.read_text(encoding="utf-8"))
        # Build from the very text being stored, so a file changed since step 1 is checked too.
        agreement = load_agreement_text(content, str(report.path))
        outcome = store_version(
            session,
            agreement,
            content,
            actor=actor,
            now=now,
            source_path=str(report.path.resolve()),
        )
        outcomes.append(replace(outcome, path=report.path))
    return outcomes


def store_version(
    session: Session,
    agreement: Agreement,
    content: str,
    *,
    actor: str,
    now: datetime,
    source_path: str | None = None,
) -> ApplyOutcome:
    """Store `content` (normalised text that builds `agreement`) as the agreement's next
    version unless it equals the latest one; audit a stored version and record it in the
    agreement's life (a draft; a change of an agreement withdraws the approvals of earlier
    versions; an ended agreement is refused with TransitionError: renew it). The file and API
    entry points both end here, so an unchanged text is never a new version, whichever way it
    came.
    """
    if now.tzinfo is None:
        raise ValueError("`now` must be an aware datetime")
    repository = AgreementRepository(session)
    latest = repository.latest(agreement.id)
    if latest is not None and latest.content_sha256 == content_digest(content):
        return ApplyOutcome(agreement.id, latest.version, False)
    record = repository.add_version(
        agreement.id, content, applied_at=now, applied_by=actor, source_path=source_path
    )
    # Straight to the repository: `services.audit` depends on this module (through access).
    AuditRepository(session).add(
        at=now,
        actor=actor,
        action=AuditAction.AGREEMENT_APPLIED,
        subject_type=SubjectType.AGREEMENT,
        subject_id=agreement.id,
        agreement_id=agreement.id,
        details={"version": record.version, "content_sha256": record.content_sha256},
    )
    states.version_stored(session, agreement.id, record.version, actor=actor, now=now)
    return ApplyOutcome(agreement.id, record.version, True)


def stored_agreement(
    session: Session, agreement_id: str, version: int | None = None
) -> StoredAgreement:
    """One stored version with its text (the latest for None); AccordError when there is none."""
    repository = AgreementRepository(session)
    record = (
        repository.latest(agreement_id)
        if version is None
        else repository.version(agreement_id, version)
    )
    if record is None:
        if version is None or not repository.versions(agreement_id):
            raise _unknown(agreement_id)
        raise AccordError(f"agreement '{agreement_id}' has no version {version}")
    return StoredAgreement(_stored(record), record.content, _parse(record))


def list_agreements(session: Session) -> list[AgreementSummary]:
    """Every stored agreement with its latest version, by id."""
    return [summary(session, record) for record in AgreementRepository(session).all_latest()]


def summary(
    session: Session, record: AgreementVersionRecord, agreement: Agreement | None = None
) -> AgreementSummary:
    """The listing of an agreement whose latest version is `record` (built as `agreement`)."""
    row = states.agreement_row(session, record.agreement_id)
    return AgreementSummary(
        record.agreement_id,
        (agreement or _parse(record)).title,
        record.version,
        record.applied_at,
        record.applied_by,
        row.state,
        row.in_force_version,
    )


def history(session: Session, agreement_id: str) -> list[StoredVersion]:
    """Every version of an agreement, oldest first; AccordError when it was never applied."""
    records = AgreementRepository(session).versions(agreement_id)
    if not records:
        raise _unknown(agreement_id)
    return [_stored(record) for record in records]


def diff(session: Session, agreement_id: str, v1: int, v2: int) -> str:
    """A unified diff of the stored YAML from version `v1` to `v2` ('' when they are equal)."""
    repository = AgreementRepository(session)
    old, new = repository.version(agreement_id, v1), repository.version(agreement_id, v2)
    if old is None or new is None:
        known = [record.version for record in repository.versions(agreement_id)]
        if not known:
            raise _unknown(agreement_id)
        missing = v1 if old is None else v2
        listed = ", ".join(str(v) for v in known)
        raise AccordError(f"agreement '{agreement_id}' has no version {missing} (it has {listed})")
    lines = difflib.unified_diff(
        old.content.splitlines(keepends=True),
        new.content.splitlines(keepends=True),
        fromfile=f"{agreement_id} v{v1}",
        tofile=f"{agreement_id} v{v2}",
    )
    return "".join(lines)


def agreements_in_force(session: Session) -> list[tuple[Agreement, list[VersionWindow]]]:
    """Per agreement ever activated (by id): the version in force last and the window of every
    version that was activated.

    SEMANTICS.md: a clock binds to the agreement version in force at its start. A version is
    in force from its activation (every party approved it, or an admin activated it) until
    the next activation; the first one activated is in force from the beginning of time, so
    clocks that started before anything was agreed still bind to it. The last window ends
    when the agreement expired or was terminated. Drafts never bind a clock. Windows are
    ordered by activation and never overlap.
    """
    repository = AgreementRepository(session)
    lifecycle = LifecycleRepository(session)
    ended = {row.id: row.ended_at for row in lifecycle.all_agreements()}
    by_agreement: dict[str, list[tuple[int, datetime]]] = {}
    for activation in lifecycle.activations():
        by_agreement.setdefault(activation.agreement_id, []).append(
            (activation.version, activation.activated_at)
        )
    result = []
    for agreement_id, activations in sorted(by_agreement.items()):
        windows = []
        for i, (version, activated_at) in enumerate(activations):
            record = repository.version(agreement_id, version)
            if record is None:  # the foreign keys make this impossible
                raise AccordError(f"agreement '{agreement_id}' has no version {version}")
            from_ns = None if i == 0 else to_ns(activated_at)
            if i + 1 < len(activations):
                until_ns: int | None = to_ns(activations[i + 1][1])
            else:
                end = ended.get(agreement_id)
                until_ns = None if end is None else to_ns(end)
            windows.append(VersionWindow(version, _parse(record), activated_at, from_ns, until_ns))
        result.append((windows[-1].agreement, windows))
    return result


def _parse(record: AgreementVersionRecord) -> Agreement:
    return load_agreement_text(record.content, f"{record.agreement_id} v{record.version}")


def _stored(record: AgreementVersionRecord) -> StoredVersion:
    return StoredVersion(
        record.agreement_id,
        record.version,
        record.applied_at,
        record.applied_by,
        record.source_path,
        record.content_sha256,
    )


def _unknown(agreement_id: str) -> AccordError:
    return AccordError(
        f"no agreement '{agreement_id}' is stored; `accord agreements list` shows those that are"
    )
