"""The API's shapes for negotiation: what a simulation, a proposal and an answer send, and the
evidence, suggestions and proposals they get back. Fractions are strings of digits (0.95).

Built from the services' results; no rules here.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field

from accord.domain.negotiation import Proposal, TargetChange
from accord.services.simulation import Suggestion

__all__ = [
    "AcceptBody",
    "ChangeBody",
    "CounterBody",
    "EvidenceRead",
    "ProposalBody",
    "ProposalRead",
    "RejectBody",
    "SimulateBody",
    "SimulateRead",
    "SuggestionRead",
]

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]+$")]
Comment = Annotated[
    str, Field(min_length=1, max_length=4000, pattern=r"^[^\x00]+$", description="Why.")
]
GoalText = Annotated[str, Field(min_length=1, max_length=40, examples=["5wd", "4h"])]


class ChangeBody(BaseModel):
    """A change to one target: `goal` for every priority and/or `goals` per priority, an
    `objective` (`95%` or `0.95`), the new `pause_states` (all of them)."""

    goal: GoalText | None = Field(None, description="A goal for every priority: 5wd, 4h")
    goals: dict[Name, GoalText] | None = Field(None, description="Goals per priority: {P1: 4h}")
    objective: Annotated[str, Field(max_length=20)] | None = Field(None, examples=["95%"])
    pause_states: Annotated[list[Name], Field(max_length=50)] | None = None
    periods: int = Field(3, ge=1, le=36, description="Complete periods of history to judge by")

    def change(self) -> TargetChange:
        """The change as the services take it (ValidationError for what does not parse)."""
        goals = ([self.goal] if self.goal else []) + [
            f"{name}={text}" for name, text in (self.goals or {}).items()
        ]
        return TargetChange.parse(goals, self.objective, self.pause_states)


class SimulateBody(ChangeBody):
    target: Name
    suggest: bool = Field(False, description="Also suggest the goal history supports")


class ProposalBody(ChangeBody):
    target: Name
    comment: Comment
    department: Name | None = Field(None, description="The party it is made for, when both")


class CounterBody(ChangeBody):
    comment: Comment


class AcceptBody(BaseModel):
    comment: Comment | None = None


class RejectBody(BaseModel):
    comment: Comment


class FiguresRead(BaseModel):
    met: int
    breached: int
    attainment: Decimal | None = Field(description="met / (met + breached); null: no data")


class PairRead(BaseModel):
    current: FiguresRead
    proposed: FiguresRead


class PeriodRead(PairRead):
    label: str
    start_on: date
    end_on: date = Field(description="Exclusive")
    priorities: dict[str, PairRead]


class PooledRead(PairRead):
    priorities: dict[str, PairRead]


class TermsRead(BaseModel):
    goals: dict[str, str]
    objective: Decimal
    pause_states: list[str]


class ChangeRead(BaseModel):
    goals: dict[str, str] | None = None
    objective: Decimal | None = None
    pause_states: list[str] | None = None


class EvidenceRead(BaseModel):
    """A simulation: the target now and as proposed over the last complete periods."""

    agreement_id: str
    version: int
    target_id: str
    change: ChangeRead
    current: TermsRead
    proposed: TermsRead
    periods: list[PeriodRead]
    pooled: PooledRead
    sentence: str
    note: str | None

    @classmethod
    def of(cls, data: dict[str, Any] | Any) -> EvidenceRead:
        return cls.model_validate(data)


class SuggestedGoalRead(BaseModel):
    priority: str
    current: str
    goal: str | None = Field(description="null: no round goal reaches the objective")
    attainment: Decimal | None


class SuggestionRead(BaseModel):
    objective: Decimal
    periods: list[str]
    goals: list[SuggestedGoalRead]
    evaluations: int

    @classmethod
    def of(cls, s: Suggestion) -> SuggestionRead:
        return cls(
            objective=s.objective,
            periods=list(s.period_labels),
            goals=[
                SuggestedGoalRead(
                    priority=g.priority,
                    current=g.current.text,
                    goal=None if g.goal is None else g.goal.text,
                    attainment=g.attainment,
                )
                for g in s.goals
            ],
            evaluations=s.evaluations,
        )


class SimulateRead(BaseModel):
    simulation: EvidenceRead | None
    suggestion: SuggestionRead | None


class ProposalRead(BaseModel):
    id: int
    agreement_id: str
    base_version: int
    target: str
    change: ChangeRead
    comment: str
    proposed_by: str
    department: str = Field(description="The party it is made for")
    proposed_at: datetime
    status: str = Field(description="open, accepted, rejected, countered, withdrawn")
    responds_to: int | None
    answered_by: str | None
    answered_at: datetime | None
    answer_comment: str | None
    resulting_version: int | None
    evidence: EvidenceRead

    @classmethod
    def of(cls, p: Proposal) -> ProposalRead:
        return cls(
            id=p.id,
            agreement_id=p.agreement_id,
            base_version=p.base_version,
            target=p.target_id,
            change=ChangeRead.model_validate(p.change.to_json()),
            comment=p.comment,
            proposed_by=p.proposed_by,
            department=p.department,
            proposed_at=p.proposed_at,
            status=p.status.value,
            responds_to=p.responds_to,
            answered_by=p.answered_by,
            answered_at=p.answered_at,
            answer_comment=p.answer_comment,
            resulting_version=p.resulting_version,
            evidence=EvidenceRead.of(p.evidence),
        )
