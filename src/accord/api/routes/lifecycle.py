"""`/v1/agreements/{id}/...` for an agreement's life: state, submit, approve, activate,
terminate, renew, reviews; `/v1/reviews/due` and `/v1/lifecycle/check`.

Parse, call one service of `accord.services.lifecycle` or `reviews` in one transaction, render.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from accord.api.deps import READ, WRITE, AsOf, Now, PrincipalDep, SessionDep
from accord.api.errors import ERROR_RESPONSES
from accord.api.routes.agreements import AgreementId
from accord.api.schemas import ErrorRead
from accord.api.schemas_lifecycle import (
    ApproveBody,
    DueReviewRead,
    FlagRead,
    LifecycleRead,
    ReviewBody,
    ReviewRead,
    TerminateBody,
)
from accord.services import lifecycle, reviews

__all__ = ["router"]

_REFUSED: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorRead, "description": "The agreement's state does not allow it"},
}

router = APIRouter(prefix="/v1", tags=["lifecycle"], responses=ERROR_RESPONSES)


@router.get(
    "/agreements/{agreement_id}/lifecycle",
    response_model=LifecycleRead,
    summary="Where the agreement stands: state, versions, approvals, what may happen next",
    dependencies=[READ],
)
def read_lifecycle(
    agreement_id: AgreementId, session: SessionDep, principal: PrincipalDep
) -> LifecycleRead:
    with session.begin():
        return LifecycleRead.of(lifecycle.view(session, principal, agreement_id))


@router.post(
    "/agreements/{agreement_id}/submit",
    response_model=LifecycleRead,
    responses=_REFUSED,
    summary="Submit the latest version for approval (an editor of a party)",
    dependencies=[WRITE],
)
def submit(
    agreement_id: AgreementId, session: SessionDep, principal: PrincipalDep, now: Now
) -> LifecycleRead:
    with session.begin():
        return LifecycleRead.of(lifecycle.submit(session, principal, agreement_id, now=now))


@router.post(
    "/agreements/{agreement_id}/approve",
    response_model=LifecycleRead,
    responses=_REFUSED,
    summary="Approve the latest version for your department (an approver of a party)",
    dependencies=[WRITE],
)
def approve(
    agreement_id: AgreementId,
    session: SessionDep,
    principal: PrincipalDep,
    now: Now,
    body: Annotated[ApproveBody | None, Body()] = None,
) -> LifecycleRead:
    given = body or ApproveBody(version=None, department=None)
    with session.begin():
        view = lifecycle.approve(
            session,
            principal,
            agreement_id,
            now=now,
            version=given.version,
            department=given.department,
        )
    return LifecycleRead.of(view)


@router.post(
    "/agreements/{agreement_id}/activate",
    response_model=LifecycleRead,
    responses=_REFUSED,
    summary="Put the latest version in force without approvals (an admin; audited)",
    dependencies=[WRITE],
)
def activate(
    agreement_id: AgreementId, session: SessionDep, principal: PrincipalDep, now: Now
) -> LifecycleRead:
    with session.begin():
        return LifecycleRead.of(lifecycle.activate(session, principal, agreement_id, now=now))


@router.post(
    "/agreements/{agreement_id}/terminate",
    response_model=LifecycleRead,
    responses=_REFUSED,
    summary="End the agreement now (an approver of a party, or an admin)",
    dependencies=[WRITE],
)
def terminate(
    agreement_id: AgreementId,
    body: TerminateBody,
    session: SessionDep,
    principal: PrincipalDep,
    now: Now,
) -> LifecycleRead:
    with session.begin():
        view = lifecycle.terminate(session, principal, agreement_id, now=now, reason=body.reason)
    return LifecycleRead.of(view)


@router.post(
    "/agreements/{agreement_id}/renew",
    response_model=LifecycleRead,
    responses=_REFUSED,
    summary="A new draft from the version last in force, its validity moved on by one term",
    dependencies=[WRITE],
)
def renew(
    agreement_id: AgreementId, session: SessionDep, principal: PrincipalDep, now: Now
) -> LifecycleRead:
    with session.begin():
        view, _ = lifecycle.renew(session, principal, agreement_id, now=now)
    return LifecycleRead.of(view)


@router.get(
    "/agreements/{agreement_id}/reviews",
    response_model=list[ReviewRead],
    summary="The agreement's review flags and completed reviews, oldest first",
    dependencies=[READ],
)
def list_reviews(
    agreement_id: AgreementId, session: SessionDep, principal: PrincipalDep
) -> list[ReviewRead]:
    with session.begin():
        return [ReviewRead.of(r) for r in reviews.reviews(session, principal, agreement_id)]


@router.post(
    "/agreements/{agreement_id}/reviews",
    response_model=LifecycleRead,
    responses=_REFUSED,
    summary="Record a completed review: continue, renegotiate or terminate",
    dependencies=[WRITE],
)
def complete_review(
    agreement_id: AgreementId,
    body: ReviewBody,
    session: SessionDep,
    principal: PrincipalDep,
    now: Now,
) -> LifecycleRead:
    with session.begin():
        view = reviews.complete_review(
            session, principal, agreement_id, body.outcome, now=now, notes=body.notes
        )
    return LifecycleRead.of(view)


@router.get(
    "/reviews/due",
    response_model=list[DueReviewRead],
    summary="Reviews due (by cadence, or asked for by a rule) of the agreements you may read",
    dependencies=[READ],
)
def due_reviews(
    session: SessionDep,
    principal: PrincipalDep,
    at: AsOf,
    within: Annotated[int, Query(ge=0, le=3660, description="Also those due within N days.")] = 0,
) -> list[DueReviewRead]:
    with session.begin():
        due = reviews.due_reviews(session, principal, now=at, within_days=within)
    return [DueReviewRead.of(d) for d in due]


@router.post(
    "/agreements/{agreement_id}/check",
    response_model=list[FlagRead],
    summary="Apply the rules to one agreement now: expiry, termination rules",
    dependencies=[WRITE],
)
def check_one(
    agreement_id: AgreementId, session: SessionDep, principal: PrincipalDep, now: Now
) -> list[FlagRead]:
    with session.begin():
        flags = reviews.check_rules(session, principal, now=now, agreement_id=agreement_id)
    return [FlagRead.of(f) for f in flags]


@router.post(
    "/lifecycle/check",
    response_model=list[FlagRead],
    summary="Apply the rules to every agreement now (an admin)",
    dependencies=[WRITE],
)
def check_all(session: SessionDep, principal: PrincipalDep, now: Now) -> list[FlagRead]:
    with session.begin():
        flags = reviews.check_rules(session, principal, now=now)
    return [FlagRead.of(f) for f in flags]
