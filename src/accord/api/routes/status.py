"""`/v1/agreements/{id}/status` and `/compliance`: where an agreement stands now or as of an
instant, and its compliance per period. Computing a status also updates the clocks-at-risk gauge.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from accord.api import metrics
from accord.api.deps import READ, AsOf, PrincipalDep, SessionDep
from accord.api.errors import ERROR_RESPONSES
from accord.api.routes.agreements import AgreementId
from accord.api.schemas import ComplianceRead, StatusRead
from accord.services import scoped

__all__ = ["router"]

router = APIRouter(prefix="/v1/agreements", tags=["status"], responses=ERROR_RESPONSES)


@router.get(
    "/{agreement_id}/status",
    response_model=StatusRead,
    summary="Each target in its current period, as of now or ?at=",
    dependencies=[READ],
)
def agreement_status(
    agreement_id: AgreementId, as_of: AsOf, session: SessionDep, principal: PrincipalDep
) -> StatusRead:
    with session.begin():
        report = scoped.agreement_status(session, principal, agreement_id, as_of)
    for target in report.targets:
        metrics.set_clocks_at_risk(target.agreement_id, target.target_id, target.at_risk)
    return StatusRead.of(agreement_id, report)


@router.get(
    "/{agreement_id}/compliance",
    response_model=list[ComplianceRead],
    summary="Compliance per target and period begun by now or ?at=",
    dependencies=[READ],
)
def agreement_compliance(
    agreement_id: AgreementId,
    as_of: AsOf,
    session: SessionDep,
    principal: PrincipalDep,
    target: Annotated[str | None, Query(max_length=200, description="Only this target.")] = None,
) -> list[ComplianceRead]:
    with session.begin():
        rows = scoped.agreement_compliance(
            session, principal, agreement_id, as_of, target_id=target
        )
    return [ComplianceRead.of(row) for row in rows]
