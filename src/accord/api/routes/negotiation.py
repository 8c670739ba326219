"""`/v1/agreements/{id}/simulate`, `/v1/agreements/{id}/proposals` and `/v1/proposals/{id}/...`:
negotiating targets with evidence.

Parse, call one service of `accord.services.negotiation` in one transaction, render.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query

from accord.api.deps import READ, WRITE, Now, PrincipalDep, SessionDep
from accord.api.errors import ERROR_RESPONSES
from accord.api.routes.agreements import AgreementId
from accord.api.schemas import ErrorRead
from accord.api.schemas_negotiation import (
    AcceptBody,
    CounterBody,
    EvidenceRead,
    ProposalBody,
    ProposalRead,
    RejectBody,
    SimulateBody,
    SimulateRead,
    SuggestionRead,
)
from accord.domain.durations import parse_fraction
from accord.domain.negotiation import ProposalStatus
from accord.errors import FieldIssue, ValidationError
from accord.services import negotiation

__all__ = ["router"]

_ANSWERED: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorRead, "description": "The proposal is no longer open, or the state of "
          "the agreement does not allow it"},
}  # fmt: skip

router = APIRouter(prefix="/v1", tags=["negotiation"], responses=ERROR_RESPONSES)

ProposalId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The proposal's number")]


@router.post(
    "/agreements/{agreement_id}/simulate",
    response_model=SimulateRead,
    summary="What a changed target would have attained over the last complete periods",
    dependencies=[READ],
)
def simulate(
    agreement_id: AgreementId,
    body: SimulateBody,
    session: SessionDep,
    principal: PrincipalDep,
    now: Now,
) -> SimulateRead:
    has_change = bool(body.goal or body.goals or body.pause_states is not None) or (
        body.objective is not None and not body.suggest
    )
    change = body.change() if has_change else None
    if change is None and not body.suggest:
        raise ValidationError(
            [FieldIssue("", "give a goal, an objective, pause states or suggest")]
        )
    objective = None
    if body.suggest and body.objective is not None:
        try:
            objective = parse_fraction(body.objective)
        except ValueError as exc:
            raise ValidationError([FieldIssue("objective", str(exc))]) from None
    with session.begin():
        simulation = (
            None
            if change is None
            else negotiation.evidence(
                session,
                principal,
                agreement_id,
                body.target,
                change,
                now=now,
                periods=body.periods,
            )
        )
        suggestion = (
            negotiation.suggestion(
                session, principal, agreement_id, body.target, objective=objective, now=now,
                periods=body.periods,
            )
            if body.suggest
            else None
        )  # fmt: skip
    return SimulateRead(
        simulation=None if simulation is None else EvidenceRead.of(simulation.to_json()),
        suggestion=None if suggestion is None else SuggestionRead.of(suggestion),
    )


@router.get(
    "/agreements/{agreement_id}/proposals",
    response_model=list[ProposalRead],
    summary="The agreement's proposals, oldest first",
    dependencies=[READ],
)
def list_proposals(
    agreement_id: AgreementId,
    session: SessionDep,
    principal: PrincipalDep,
    status: Annotated[ProposalStatus | None, Query(description="Only this status")] = None,
) -> list[ProposalRead]:
    with session.begin():
        found = negotiation.list_proposals(session, principal, agreement_id, status)
    return [ProposalRead.of(p) for p in found]


@router.post(
    "/agreements/{agreement_id}/proposals",
    status_code=201,
    response_model=ProposalRead,
    responses=_ANSWERED,
    summary="Propose a change to a target for your party, with its evidence",
    dependencies=[WRITE],
)
def propose(
    agreement_id: AgreementId,
    body: ProposalBody,
    session: SessionDep,
    principal: PrincipalDep,
    now: Now,
) -> ProposalRead:
    change = body.change()
    with session.begin():
        made = negotiation.propose(
            session, principal, agreement_id, body.target, change, body.comment, now=now,
            periods=body.periods, department=body.department,
        )  # fmt: skip
    return ProposalRead.of(made)


@router.get(
    "/proposals/{proposal_id}",
    response_model=ProposalRead,
    summary="One proposal with its evidence and answer",
    dependencies=[READ],
)
def read_proposal(
    proposal_id: ProposalId, session: SessionDep, principal: PrincipalDep
) -> ProposalRead:
    with session.begin():
        return ProposalRead.of(negotiation.get_proposal(session, principal, proposal_id))


@router.post(
    "/proposals/{proposal_id}/counter",
    status_code=201,
    response_model=ProposalRead,
    responses=_ANSWERED,
    summary="Answer the other party's open proposal with one of yours",
    dependencies=[WRITE],
)
def counter(
    proposal_id: ProposalId,
    body: CounterBody,
    session: SessionDep,
    principal: PrincipalDep,
    now: Now,
) -> ProposalRead:
    change = body.change()
    with session.begin():
        made = negotiation.counter(
            session, principal, proposal_id, change, body.comment, now=now, periods=body.periods
        )
    return ProposalRead.of(made)


@router.post(
    "/proposals/{proposal_id}/accept",
    response_model=ProposalRead,
    responses=_ANSWERED,
    summary="Accept the other party's open proposal: the agreement's next version",
    dependencies=[WRITE],
)
def accept(
    proposal_id: ProposalId,
    session: SessionDep,
    principal: PrincipalDep,
    now: Now,
    body: Annotated[AcceptBody | None, Body()] = None,
) -> ProposalRead:
    comment = None if body is None else body.comment
    with session.begin():
        done = negotiation.accept(session, principal, proposal_id, now=now, comment=comment)
    return ProposalRead.of(done)


@router.post(
    "/proposals/{proposal_id}/reject",
    response_model=ProposalRead,
    responses=_ANSWERED,
    summary="Reject the other party's open proposal, saying why",
    dependencies=[WRITE],
)
def reject(
    proposal_id: ProposalId,
    body: RejectBody,
    session: SessionDep,
    principal: PrincipalDep,
    now: Now,
) -> ProposalRead:
    with session.begin():
        done = negotiation.reject(session, principal, proposal_id, body.comment, now=now)
    return ProposalRead.of(done)
