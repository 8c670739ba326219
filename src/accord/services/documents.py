"""What the signed document of a stored agreement version shows beside the agreement: its
version, the state of that version and its approvals, for a principal who may read it.

The CLI (`accord agreements render ID`) and the API (`GET .../document`) both call
`stored_document`; the rendering is `accord.reports.document`'s. Reads only; never flushes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from accord.domain.access import Principal
from accord.domain.agreements import Agreement
from accord.domain.catalog import CatalogService
from accord.domain.lifecycle import AgreementState, Approval
from accord.services import catalog, lifecycle, scoped

__all__ = ["StoredDocument", "stored_document"]


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """One stored version as its document shows it."""

    agreement: Agreement
    version: int
    state: AgreementState | None  # None for a version that is neither the latest nor in force
    approvals: tuple[Approval, ...]  # of this version, withdrawn ones too, oldest first
    catalog: Mapping[str, CatalogService] | None  # the workspace's, None when it has none


def stored_document(
    session: Session, principal: Principal, agreement_id: str, version: int | None = None
) -> StoredDocument:
    """The latest version (or `version`) of an agreement `principal` may read, with its state,
    approvals and the workspace's catalog (titles and owners of its services); NotFoundError
    for an outsider or a version that does not exist.

    The state is the agreement's for its latest version; the version in force while a newer
    one is being written is `active`; an older version has no state of its own.
    """
    stored = scoped.read_agreement(session, principal, agreement_id, version)
    number = stored.stored.version
    standing = lifecycle.state_of(session, agreement_id)
    state: AgreementState | None = None
    if number == standing.latest_version:
        state = standing.state
    elif number == standing.in_force_version:
        state = AgreementState.ACTIVE
    approvals = tuple(lifecycle.approvals(session, agreement_id, number))
    services = catalog.stored_catalog(session)
    return StoredDocument(stored.agreement, number, state, approvals, services)
