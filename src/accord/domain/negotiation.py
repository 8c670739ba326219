"""Negotiating a target: the change a party proposes (goals, objective, pause states), the
proposal that carries it with its comment and evidence, and the states a proposal goes through.

Pure data and parsing (stdlib only); simulation, storage and who may answer live in services.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

from accord.domain.agreements import Target, TargetKind
from accord.domain.durations import Duration, parse_fraction
from accord.errors import FieldIssue, ValidationError

__all__ = [
    "ALL_PRIORITIES",
    "Proposal",
    "ProposalStatus",
    "TargetChange",
    "format_goals",
    "format_percent",
]

# Goals beyond a year of working days or of business time are typing errors, not proposals.
MAX_WORKING_DAYS = 260
MAX_GOAL_SECONDS = 366 * 86400

# The key of a goal given without a priority (`5wd`): every priority of the target.
ALL_PRIORITIES = "*"


class ProposalStatus(StrEnum):
    """Where a proposal stands (stored: never rename)."""

    OPEN = "open"  # waiting for the other party
    ACCEPTED = "accepted"  # the other party accepted: a new version carries the change
    REJECTED = "rejected"  # the other party said no
    COUNTERED = "countered"  # the other party answered with a proposal of its own
    WITHDRAWN = "withdrawn"  # the proposer took it back


def format_percent(value: Decimal | None) -> str:
    """A fraction as a percent cut (never rounded up, as reports show them) to one decimal:
    0.95 -> `95%`, 0.93759 -> `93.7%`."""
    if value is None:
        return "no data"
    percent = (value * 100).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)
    text = f"{percent:f}".removesuffix(".0")
    return f"{text}%"


def format_goals(goals: Mapping[str, Duration]) -> str:
    """`5wd` when every priority has the same goal, else `P1 4h, P2 8h`."""
    texts = {goal.text for goal in goals.values()}
    if len(texts) == 1 and (len(goals) > 1 or ALL_PRIORITIES in goals):
        return texts.pop()
    return ", ".join(f"{name} {goal.text}" for name, goal in goals.items())


@dataclass(frozen=True, slots=True)
class TargetChange:
    """What a proposal changes in one target; None leaves that part as it is.

    `goals` maps priorities to their new goals (priorities not named keep theirs; the key
    `*` stands for every priority of the target until `for_target` expands it); `objective`
    is a fraction (0.95); `pause_states` replaces the target's whole pause set.
    """

    goals: Mapping[str, Duration] | None = None
    objective: Decimal | None = None
    pause_states: frozenset[str] | None = None

    @property
    def is_empty(self) -> bool:
        return not self.goals and self.objective is None and self.pause_states is None

    @classmethod
    def parse(
        cls,
        goals: Iterable[str] = (),
        objective: str | None = None,
        pause_states: Sequence[str] | None = None,
    ) -> TargetChange:
        """Parse what a person types: goals `5wd` (every priority) or `P1=4h`, an objective
        `95%` or `0.95`, pause states by name; ValidationError naming the field otherwise.

        A goal for every priority and goals per priority may be combined: the named ones win.
        """
        issues: list[FieldIssue] = []
        parsed: dict[str, Duration] = {}
        for i, text in enumerate(goals):
            name, _, value = text.rpartition("=")
            name = name.strip() or ALL_PRIORITIES
            try:
                goal = Duration.parse(value)
            except ValueError as exc:
                issues.append(FieldIssue(f"goal[{i}]", str(exc)))
                continue
            if (goal.working_days or 0) > MAX_WORKING_DAYS or goal.seconds > MAX_GOAL_SECONDS:
                issues.append(FieldIssue(f"goal[{i}]", f"'{value}' is more than a year"))
            parsed[name] = goal
        fraction = None
        if objective is not None:
            try:
                fraction = parse_fraction(objective)
            except ValueError as exc:
                issues.append(FieldIssue("objective", str(exc)))
        states = None
        if pause_states is not None:
            states = frozenset(" ".join(s.split()) for s in pause_states)
            if "" in states:
                issues.append(FieldIssue("pause_states", "a pause state needs a name"))
        if issues:
            raise ValidationError(issues)
        change = cls(parsed or None, fraction, states)
        if change.is_empty:
            raise ValidationError(
                [FieldIssue("", "say what changes: a goal, an objective or pause states")]
            )
        return change

    def for_target(self, target: Target, priorities: Sequence[str]) -> TargetChange:
        """This change checked against `target` with `*` expanded to its priorities.

        Goals and pause states change clock targets only; goals must name priorities of the
        agreement (`priorities`, compared as the engine does: case and spaces aside). A count
        target's objective is its bounds, so it cannot be changed here. ValidationError
        otherwise, naming the field.
        """
        issues: list[FieldIssue] = []
        if not target.is_clock and (self.goals or self.pause_states is not None):
            issues.append(
                FieldIssue(
                    "goal" if self.goals else "pause_states",
                    f"target '{target.id}' is a {target.kind} target: goals and pause states "
                    "belong to response and resolution targets; propose an objective",
                )
            )
        if target.kind is TargetKind.COUNT and self.objective is not None:
            issues.append(
                FieldIssue(
                    "objective", f"target '{target.id}' counts items: its bounds are its goal"
                )
            )
        if target.percentile is not None and self.objective is not None:
            issues.append(
                FieldIssue(
                    "objective",
                    f"target '{target.id}' has a percentile objective; propose goals instead",
                )
            )
        goals: dict[str, Duration] | None = None
        if self.goals:
            known = {_normal(p): p for p in priorities}
            goals = {}
            every = self.goals.get(ALL_PRIORITIES)
            if every is not None:
                for name in target.goals or known.values():
                    goals[name] = every
            for name, goal in self.goals.items():
                if name == ALL_PRIORITIES:
                    continue
                if _normal(name) not in known:
                    listed = ", ".join(priorities)
                    issues.append(
                        FieldIssue(
                            f"goal.{name}", f"no such priority (this agreement has {listed})"
                        )
                    )
                    continue
                existing = next((k for k in target.goals if _normal(k) == _normal(name)), None)
                goals[existing or known[_normal(name)]] = goal
        if issues:
            raise ValidationError(issues)
        return replace(self, goals=goals)

    def apply(self, target: Target) -> Target:
        """`target` with this (expanded) change made: goals merged, the rest replaced."""
        changed = target
        if self.goals:
            changed = replace(changed, goals={**target.goals, **self.goals})
        if self.objective is not None:
            changed = replace(changed, objective=self.objective)
        if self.pause_states is not None:
            changed = replace(changed, pause_states=self.pause_states)
        return changed

    def describe(self) -> str:
        """In words: `goal 5wd, objective 95%, pause states: awaiting customer`."""
        parts = []
        if self.goals:
            parts.append(f"goal {format_goals(self.goals)}")
        if self.objective is not None:
            parts.append(f"objective {format_percent(self.objective)}")
        if self.pause_states is not None:
            states = ", ".join(sorted(self.pause_states)) or "none"
            parts.append(f"pause states: {states}")
        return ", ".join(parts) or "nothing"

    def to_json(self) -> dict[str, object]:
        """A JSON object: goals as text per priority, the objective as text, states sorted."""
        data: dict[str, object] = {}
        if self.goals:
            data["goals"] = {name: goal.text for name, goal in self.goals.items()}
        if self.objective is not None:
            data["objective"] = str(self.objective)
        if self.pause_states is not None:
            data["pause_states"] = sorted(self.pause_states)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> TargetChange:
        """The inverse of `to_json`."""
        goals = data.get("goals")
        states = data.get("pause_states")
        objective = data.get("objective")
        return cls(
            {str(k): Duration.parse(str(v)) for k, v in goals.items()}
            if isinstance(goals, Mapping)
            else None,
            Decimal(str(objective)) if objective is not None else None,
            frozenset(str(s) for s in states) if isinstance(states, list) else None,
        )


@dataclass(frozen=True, slots=True)
class Proposal:
    """A change to one target proposed by `proposed_by` for `department` (a party), to be
    answered by the other party; `evidence` is the simulation summary when it was made."""

    id: int
    agreement_id: str
    base_version: int
    target_id: str
    change: TargetChange
    comment: str
    proposed_by: str
    department: str
    proposed_at: datetime
    status: ProposalStatus
    evidence: Mapping[str, object] = field(default_factory=dict)
    responds_to: int | None = None  # the proposal this one counters
    answered_by: str | None = None
    answered_at: datetime | None = None
    answer_comment: str | None = None
    resulting_version: int | None = None  # the version an acceptance stored


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()
