"""An agreement's life as a state machine: which states there are, what may happen in each,
and the state that follows. Pure rules; storage and who may act live in the services.

    draft -> negotiating -> pending-approval -> active -> (review-required) -> expired | terminated

- `draft`: a version is being written; any change stores a new version.
- `negotiating`: a party has proposed a change to a target that is not yet answered.
- `pending-approval`: submitted; it becomes active when an approver of every party has
  approved that exact version. A change (a new version) withdraws every approval.
- `active`: a version is in force. A new version of an active agreement (a change or a
  renewal) is a draft beside it: the active version stays in force until the new one is
  approved (the agreement's state follows the new version, `in_force_version` the old).
- `review-required`: a rule fired or a review fell due; the active version stays in force
  until a review is completed (continue, renegotiate or terminate).
- `expired`: its validity ended; `terminated`: ended by a party or by a review. Both are
  final, but renewal makes a new draft from the last active version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from accord.errors import AccordError

__all__ = [
    "FINAL_STATES",
    "AgreementState",
    "Approval",
    "Event",
    "TransitionError",
    "allowed_events",
    "next_state",
]


class AgreementState(StrEnum):
    DRAFT = "draft"
    NEGOTIATING = "negotiating"
    PENDING_APPROVAL = "pending-approval"
    ACTIVE = "active"
    REVIEW_REQUIRED = "review-required"
    EXPIRED = "expired"
    TERMINATED = "terminated"


class Event(StrEnum):
    """What happens to an agreement (the names are stored in the audit log: never rename)."""

    CHANGE = "change"  # a new version is stored (apply, update, an accepted proposal)
    PROPOSE = "propose"  # a party proposes a change to a target
    SETTLE = "settle"  # the last open proposal is answered (accepted, rejected)
    SUBMIT = "submit"  # submitted for approval
    APPROVE = "approve"  # one party's approver approves the version (not yet all)
    ACTIVATE = "activate"  # every party approved, or an admin activated it
    FLAG = "flag"  # a rule fired or a review fell due
    CONTINUE = "continue"  # a review completed: keep the agreement as it is
    RENEW = "renew"  # a new draft from the active version (also a review's "renegotiate")
    EXPIRE = "expire"  # the validity of the version in force ended
    TERMINATE = "terminate"  # ended by a party, an admin or a review


FINAL_STATES = frozenset({AgreementState.EXPIRED, AgreementState.TERMINATED})

_S = AgreementState
_E = Event
_WORKING = (_S.DRAFT, _S.NEGOTIATING, _S.PENDING_APPROVAL)
_IN_FORCE = (_S.ACTIVE, _S.REVIEW_REQUIRED)

_NEXT: dict[tuple[AgreementState, Event], AgreementState] = {
    # Writing: any change sends a version back to draft (approvals are withdrawn).
    **{(state, _E.CHANGE): _S.DRAFT for state in (*_WORKING, *_IN_FORCE)},
    **{(state, _E.PROPOSE): _S.NEGOTIATING for state in (*_WORKING, *_IN_FORCE)},
    (_S.NEGOTIATING, _E.SETTLE): _S.DRAFT,
    (_S.DRAFT, _E.SUBMIT): _S.PENDING_APPROVAL,
    (_S.DRAFT, _E.APPROVE): _S.PENDING_APPROVAL,
    (_S.PENDING_APPROVAL, _E.APPROVE): _S.PENDING_APPROVAL,
    **{(state, _E.ACTIVATE): _S.ACTIVE for state in (_S.DRAFT, _S.PENDING_APPROVAL)},
    # Review.
    **{(state, _E.FLAG): _S.REVIEW_REQUIRED for state in (*_WORKING, *_IN_FORCE)},
    (_S.REVIEW_REQUIRED, _E.CONTINUE): _S.ACTIVE,
    **{(state, _E.RENEW): _S.DRAFT for state in (*_IN_FORCE, *FINAL_STATES)},
    # Ending.
    **{(state, _E.EXPIRE): _S.EXPIRED for state in (*_WORKING, *_IN_FORCE)},
    **{(state, _E.TERMINATE): _S.TERMINATED for state in (*_WORKING, *_IN_FORCE)},
}

_HINTS: dict[Event, str] = {
    _E.CHANGE: "renew it to make a new draft",
    _E.PROPOSE: "renew it to make a new draft",
    _E.SETTLE: "there is no open proposal",
    _E.SUBMIT: "only a draft with no open proposal is submitted",
    _E.APPROVE: "only a draft or a version pending approval is approved",
    _E.ACTIVATE: "only a draft or a version pending approval becomes active",
    _E.CONTINUE: "only an agreement whose review is required completes a review",
    _E.RENEW: "only an active, reviewed, expired or terminated agreement is renewed",
    _E.EXPIRE: "it has ended already",
    _E.TERMINATE: "it has ended already",
}


@dataclass(frozen=True, slots=True)
class Approval:
    """An approver of `department` (a party) approved `version` of an agreement."""

    agreement_id: str
    version: int
    department: str
    user: str
    approved_at: datetime
    withdrawn_at: datetime | None = None  # a later change withdrew it
    withdrawn_reason: str | None = None


class TransitionError(AccordError):
    """Something that may not happen to an agreement in its state (a clear sentence why)."""


def next_state(state: AgreementState, event: Event, *, agreement_id: str = "") -> AgreementState:
    """The state after `event`; TransitionError naming the state, the event and what is allowed.

    A FLAG of an agreement already in review stays in review (a second reason is recorded).
    """
    if state is _S.REVIEW_REQUIRED and event is _E.FLAG:
        return state
    following = _NEXT.get((state, event))
    if following is None:
        subject = f"agreement '{agreement_id}'" if agreement_id else "the agreement"
        allowed = ", ".join(e.value for e in allowed_events(state)) or "nothing"
        raise TransitionError(
            f"{subject} is {state.value}: cannot {event.value} ({_HINTS[event]}); "
            f"allowed now: {allowed}"
        )
    return following


def allowed_events(state: AgreementState) -> list[Event]:
    """What may happen to an agreement in `state`, in the order of `Event`."""
    return [event for event in Event if (state, event) in _NEXT]
