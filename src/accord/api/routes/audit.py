"""`/v1/audit`: who did what and when; admins read it all, parties their agreement's entries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from accord.api.deps import READ, PrincipalDep, SessionDep
from accord.api.errors import ERROR_RESPONSES
from accord.api.schemas import AuditEntryRead, AuditPage
from accord.services import audit

__all__ = ["router"]

router = APIRouter(prefix="/v1/audit", tags=["audit"], responses=ERROR_RESPONSES)


@router.get(
    "", response_model=AuditPage, summary="Audit entries, newest first", dependencies=[READ]
)
def audit_entries(
    session: SessionDep,
    principal: PrincipalDep,
    agreement: Annotated[
        str | None, Query(max_length=200, description="Only this agreement's entries.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_LIMIT)] = 50,
    before: Annotated[
        int | None, Query(ge=1, le=2**62, description="Entries with ids below this one.")
    ] = None,
) -> AuditPage:
    with session.begin():
        found = audit.entries(
            session, principal, agreement_id=agreement, limit=limit, before=before
        )
    next_before = found[-1].id if len(found) == limit else None
    return AuditPage(items=[AuditEntryRead.of(e) for e in found], next_before=next_before)
