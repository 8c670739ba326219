"""The service catalog of a workspace: apply `kind: Service` files or text as stored services,
list them, read one, and the catalog agreements are checked against.

Who may write a service: an editor of its owner department, or an admin. Reading the catalog
needs only the `read` scope: it says what the company offers, not what anyone agreed.
Validation is the spec layer's; storage the repository's. Flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from accord.domain.access import (
    Action,
    Decision,
    ForbiddenError,
    NotFoundError,
    Principal,
    Scope,
    decide,
)
from accord.domain.audit import AuditAction, SubjectType
from accord.domain.catalog import CatalogService
from accord.errors import FieldIssue, ValidationError
from accord.persistence.records import ServiceRecord
from accord.persistence.repositories import CatalogRepository
from accord.persistence.repositories.audit import AuditRepository
from accord.persistence.repositories.catalog import catalog_service
from accord.spec import FileReport, read_document, validate_paths

__all__ = [
    "ServiceApplied",
    "StoredService",
    "apply_service_files",
    "apply_service_reports",
    "apply_service_text",
    "catalog",
    "get_service",
    "list_services",
    "stored_catalog",
]


@dataclass(frozen=True, slots=True)
class ServiceApplied:
    """What applying one service did: `changed` when the stored catalog changed."""

    service: CatalogService
    changed: bool
    path: Path | None = None


@dataclass(frozen=True, slots=True)
class StoredService:
    """A service as stored: the service, its text as last applied, when and by whom."""

    service: CatalogService
    content: str
    updated_at: datetime
    updated_by: str


def catalog(session: Session) -> dict[str, CatalogService]:
    """Every stored service by id (empty when the workspace has no catalog)."""
    return {record.id: catalog_service(record) for record in CatalogRepository(session).all()}


def stored_catalog(session: Session) -> dict[str, CatalogService] | None:
    """The stored catalog, or None when the workspace has none: agreements are then not
    checked against one (SEMANTICS: an unknown service is an error only where a catalog is
    known)."""
    return catalog(session) or None


def list_services(session: Session, principal: Principal) -> list[StoredService]:
    """Every stored service, by id; ForbiddenError without the `read` scope."""
    _require_read(principal)
    return [_stored(record) for record in CatalogRepository(session).all()]


def get_service(session: Session, principal: Principal, service_id: str) -> StoredService:
    """One stored service; NotFoundError when there is none of that id."""
    _require_read(principal)
    record = CatalogRepository(session).get(service_id)
    if record is None:
        raise NotFoundError(f"no service '{service_id}' in the catalog")
    return _stored(record)


def apply_service_text(
    session: Session,
    principal: Principal,
    text: str,
    *,
    now: datetime,
    source: str,
    service_id: str | None = None,
) -> ServiceApplied:
    """Store a `kind: Service` text as the catalog entry of its id (created or replaced).

    Steps: 1. validate it (ValidationError naming `source`, line and field; an Agreement text
    is refused at `kind`); 2. with `service_id`, the text must keep that id; 3. `principal`
    must be an editor of the service's owner department, and of the stored one's when the
    owner changes, or an admin (ForbiddenError); 4. stored and audited unless the stored
    service already says the same (`changed` False: comments alone change nothing).
    """
    document = read_document(text, source)
    if document.service is None:
        issues = document.issues or [
            document.source_map.locate(
                FieldIssue("kind", "this is an Agreement; a Service document is expected"),
                source,
            )
        ]
        raise ValidationError(issues)
    service = document.service
    if service_id is not None and service.id != service_id:
        message = f"'{service.id}' is not the service updated here ('{service_id}')"
        raise ValidationError(
            [document.source_map.locate(FieldIssue("metadata.id", message), source)]
        )
    stored = CatalogRepository(session).get(service.id)
    owners = {service.owner} | ({stored.owner} if stored is not None else set())
    for owner in sorted(owners):
        _require_write(principal, service.id, owner)
    return _put(session, service, text, actor=principal.name, now=now, path=None)


def apply_service_files(
    session: Session, paths: Sequence[Path], *, principal: Principal, now: datetime
) -> list[ServiceApplied]:
    """Store every Service file under `paths` (`accord catalog apply`), in their order.

    All files are validated first: any problem raises ValidationError and nothing is stored.
    Agreement files among them are refused, so that a catalog directory holds services only.
    `principal` must be allowed to write each service, as in `apply_service_text`.
    """
    reports = validate_paths(paths)
    issues = [issue for report in reports for issue in report.issues]
    for report in reports:
        if report.agreement is not None:
            message = "an Agreement; `accord agreements apply` stores agreements"
            issues.append(FieldIssue("kind", message, str(report.path)))
    if issues:
        raise ValidationError(issues)
    repository = CatalogRepository(session)
    for report in reports:
        if report.service is not None:
            stored = repository.get(report.service.id)
            for owner in sorted({report.service.owner} | ({stored.owner} if stored else set())):
                _require_write(principal, report.service.id, owner)
    return apply_service_reports(session, reports, actor=principal.name, now=now)


def apply_service_reports(
    session: Session, reports: Sequence[FileReport], *, actor: str, now: datetime
) -> list[ServiceApplied]:
    """Store the valid Service files among `reports` (checked already), in their order."""
    applied = []
    for report in reports:
        if report.service is not None:
            text = report.path.read_text(encoding="utf-8")
            applied.append(
                _put(session, report.service, text, actor=actor, now=now, path=report.path)
            )
    return applied


def _put(
    session: Session,
    service: CatalogService,
    text: str,
    *,
    actor: str,
    now: datetime,
    path: Path | None,
) -> ServiceApplied:
    if now.tzinfo is None:
        raise ValueError("`now` must be an aware datetime")
    repository = CatalogRepository(session)
    stored = repository.get(service.id)
    if stored is not None and catalog_service(stored) == service:
        return ServiceApplied(service, False, path)
    record = repository.put(service, text, at=now, by=actor)
    AuditRepository(session).add(
        at=now,
        actor=actor,
        action=AuditAction.SERVICE_APPLIED,
        subject_type=SubjectType.SERVICE,
        subject_id=service.id,
        details={
            "owner": service.owner,
            "created": stored is None,
            "content_sha256": record.content_sha256,
        },
    )
    return ServiceApplied(service, True, path)


def _require_read(principal: Principal) -> None:
    if Scope.READ not in principal.scopes:
        raise ForbiddenError("reading the catalog needs a credential with the 'read' scope")


def _require_write(principal: Principal, service_id: str, owner: str) -> None:
    # The catalog is no secret: an outsider is told what is missing, not "not found".
    if decide(principal, Action.WRITE, [owner]) is not Decision.ALLOWED:
        raise ForbiddenError(
            f"writing service '{service_id}' needs the editor role in {owner} "
            "and a credential with the 'write' scope"
        )


def _stored(record: ServiceRecord) -> StoredService:
    return StoredService(
        catalog_service(record), record.content, record.updated_at, record.updated_by
    )
