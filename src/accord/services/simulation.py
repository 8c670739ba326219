"""Evidence for a negotiation: what a changed target would have attained over the last complete
periods of the stored item history, and the goal that history supports for an objective.

Runs the real engine (`services.evaluation.evaluate`) over the stored events, once per target
tried. Reads only; proposals and who may simulate are the callers' business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from accord.domain.agreements import Agreement, Target, TargetKind
from accord.domain.clocks import STATUS_CODES, ClockStatus
from accord.domain.durations import Duration
from accord.domain.negotiation import TargetChange, format_goals, format_percent
from accord.domain.periods import Period, PeriodKind, PeriodSpec, period_label
from accord.engine.compliance import decision_instants
from accord.engine.events import NAT, EventTable
from accord.errors import AccordError, FieldIssue, ValidationError
from accord.persistence.repositories import EventRepository
from accord.services.agreements import stored_agreement
from accord.services.compliance import FRACTION_PLACES, attainment_of, normal, periods_begun
from accord.services.evaluation import evaluate, to_ns
from accord.services.lifecycle import state_of

__all__ = [
    "DEFAULT_PERIODS",
    "DURATION_LADDER",
    "WORKING_DAY_LADDER",
    "Figures",
    "PeriodEvidence",
    "PriorityEvidence",
    "Simulation",
    "SuggestedGoal",
    "Suggestion",
    "simulate",
    "suggest",
]

DEFAULT_PERIODS = 3
MAX_PERIODS = 36
# Round goals tried by `suggest`, smallest first, in each unit family.
DURATION_LADDER = tuple(
    Duration.parse(text)
    for text in ("15m", "30m", "1h", "2h", "4h", "8h", "16h", "24h", "2d", "3d", "5d", "10d")
)
WORKING_DAY_LADDER = tuple(Duration.parse(f"{n}wd") for n in range(1, 21))

_MET = STATUS_CODES[ClockStatus.MET]
_BREACHED = STATUS_CODES[ClockStatus.BREACHED]
_NOUNS = {PeriodKind.MONTH: "month", PeriodKind.WEEK: "week", PeriodKind.QUARTER: "quarter"}


@dataclass(frozen=True, slots=True)
class Figures:
    """Clocks (or occurrences) met and breached, and the attainment: met / (met + breached),
    None with nothing counted; for availability the measured availability."""

    met: int
    breached: int
    attainment: Decimal | None

    @property
    def counted(self) -> int:
        return self.met + self.breached

    def holds(self, objective: Decimal) -> bool | None:
        """Whether the attainment reaches `objective` (None: no data)."""
        return None if self.attainment is None else self.attainment >= objective

    def to_json(self) -> dict[str, object]:
        attainment = None if self.attainment is None else str(self.attainment)
        return {"met": self.met, "breached": self.breached, "attainment": attainment}


@dataclass(frozen=True, slots=True)
class PriorityEvidence:
    priority: str
    current: Figures
    proposed: Figures


@dataclass(frozen=True, slots=True)
class PeriodEvidence:
    """One complete period: the target as it is and as proposed, overall and per priority."""

    label: str
    start_on: date
    end_on: date  # exclusive
    current: Figures
    proposed: Figures
    priorities: tuple[PriorityEvidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Simulation:
    """A target as it is (`current`) and as changed (`proposed`), judged over `periods`, the
    last complete periods before the instant simulated at, and pooled over them.

    `note` says what the figures cannot show (an objective change on a target that is not a
    clock re-judges the same attainment); `sentence` says it all in one line.
    """

    agreement_id: str
    version: int
    target_id: str
    kind: TargetKind
    change: TargetChange
    current: Target
    proposed: Target
    periods: tuple[PeriodEvidence, ...]
    pooled_current: Figures
    pooled_proposed: Figures
    priorities: tuple[PriorityEvidence, ...]
    sentence: str
    note: str | None = None

    def to_json(self) -> dict[str, object]:
        """The evidence a proposal carries, as JSON values."""
        return {
            "agreement_id": self.agreement_id,
            "version": self.version,
            "target_id": self.target_id,
            "change": self.change.to_json(),
            "current": _target_json(self.current),
            "proposed": _target_json(self.proposed),
            "periods": [
                {
                    "label": p.label,
                    "start_on": p.start_on.isoformat(),
                    "end_on": p.end_on.isoformat(),
                    "current": p.current.to_json(),
                    "proposed": p.proposed.to_json(),
                    "priorities": {
                        e.priority: {
                            "current": e.current.to_json(),
                            "proposed": e.proposed.to_json(),
                        }
                        for e in p.priorities
                    },
                }
                for p in self.periods
            ],
            "pooled": {
                "current": self.pooled_current.to_json(),
                "proposed": self.pooled_proposed.to_json(),
                "priorities": {
                    e.priority: {"current": e.current.to_json(), "proposed": e.proposed.to_json()}
                    for e in self.priorities
                },
            },
            "sentence": self.sentence,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class SuggestedGoal:
    """For one priority: the smallest ladder goal whose pooled attainment reaches the
    objective and that attainment; `goal` None when no goal of the ladder reaches it (then
    `attainment` is that of the largest goal tried)."""

    priority: str
    current: Duration
    goal: Duration | None
    attainment: Decimal | None


@dataclass(frozen=True, slots=True)
class Suggestion:
    agreement_id: str
    version: int
    target_id: str
    objective: Decimal
    period_labels: tuple[str, ...]
    goals: tuple[SuggestedGoal, ...]
    evaluations: int  # engine runs it took (at most the ladder's length per unit family)


@dataclass(frozen=True, slots=True)
class _History:
    """What a simulation runs on: the base version, its target, the events, the periods."""

    version: int
    agreement: Agreement
    target: Target
    table: EventTable
    as_of: datetime
    periods: list[Period]
    edges: npt.NDArray[np.int64]  # len(periods) + 1 UTC instants


def simulate(
    session: Session,
    agreement_id: str,
    target_id: str,
    change: TargetChange,
    *,
    now: datetime,
    periods: int = DEFAULT_PERIODS,
) -> Simulation:
    """What `target_id` would have attained, as it is and with `change`, over the last
    `periods` complete periods before `now` (fewer when the history is shorter).

    1. The base is the version in force (the latest stored when none is active yet);
       `change` is checked against it
       (`TargetChange.for_target`: goals and pause states for clock targets only).
    2. Clock targets: the stored events up to `now` are evaluated by the engine once with
       the current target and once with the proposed one; each clock counts in the period
       of its decision instant, as compliance does, overall and per priority.
    3. Other targets: one evaluation; the proposed objective re-judges the same attainment,
       which `note` says. Availability is pooled as the mean of the periods' availability.
    """
    history = _history(session, agreement_id, target_id, now, periods)
    agreement, target = history.agreement, history.target
    change = change.for_target(target, agreement.priorities)
    proposed = change.apply(target)
    labels = [period_label(p) for p in history.periods]
    note = None
    if target.is_clock:
        names = _priorities(agreement, target, proposed)
        now_counts = _clock_counts(history, target)
        new_counts = now_counts if proposed == target else _clock_counts(history, proposed)
        evidence = []
        for i, (label, period) in enumerate(zip(labels, history.periods, strict=True)):
            evidence.append(
                PeriodEvidence(
                    label, period.start_on, period.end_on,
                    _figures(now_counts[i].sum(axis=0)), _figures(new_counts[i].sum(axis=0)),
                    tuple(
                        PriorityEvidence(
                            name, _figures(now_counts[i, p]), _figures(new_counts[i, p])
                        )
                        for p, name in names
                    ),
                )
            )  # fmt: skip
        pooled_now = _figures(now_counts.sum(axis=(0, 1)))
        pooled_new = _figures(new_counts.sum(axis=(0, 1)))
        by_priority = tuple(
            PriorityEvidence(
                name, _figures(now_counts[:, p].sum(axis=0)), _figures(new_counts[:, p].sum(axis=0))
            )
            for p, name in names
        )
    else:
        figures = _row_figures(history)
        evidence = [
            PeriodEvidence(label, period.start_on, period.end_on, f, f)
            for label, period, f in zip(labels, history.periods, figures, strict=True)
        ]
        pooled_now = pooled_new = _pool(target, figures)
        by_priority = ()
        note = (
            f"target '{target.id}' is a {target.kind} target: a new objective only re-judges "
            "the same attainment"
        )
    simulation = Simulation(
        agreement.id, history.version, target.id, target.kind, change, target, proposed,
        tuple(evidence), pooled_now, pooled_new, by_priority, "", note,
    )  # fmt: skip
    return replace(simulation, sentence=_sentence(simulation, agreement))


def suggest(
    session: Session,
    agreement_id: str,
    target_id: str,
    *,
    objective: Decimal | None,
    now: datetime,
    periods: int = DEFAULT_PERIODS,
) -> Suggestion:
    """Per priority, the smallest round goal that history supports for `objective` (the
    target's own when None): its pooled attainment over the last `periods` complete periods
    reaches the objective.

    Goals come from the ladder of the unit family of each priority's current goal (business
    time: 15m .. 10d; working days: 1wd .. 20wd). Each candidate is evaluated once for every
    priority of its family at a time (all of them set to it), smallest first, stopping once
    every priority has its goal: at most one engine run per ladder step. Clock targets only.
    """
    history = _history(session, agreement_id, target_id, now, periods)
    agreement, target = history.agreement, history.target
    if not target.is_clock:
        raise ValidationError(
            [
                FieldIssue(
                    "target",
                    f"target '{target.id}' is a {target.kind} target: only response and "
                    "resolution targets have goals to suggest",
                )
            ]
        )
    wanted = target.objective if objective is None else objective
    index = {normal(p): i for i, p in enumerate(agreement.priorities)}
    found: dict[str, SuggestedGoal] = {}
    runs = 0
    for ladder, wd in ((WORKING_DAY_LADDER, True), (DURATION_LADDER, False)):
        family = [name for name, goal in target.goals.items() if goal.is_working_days == wd]
        pending = set(family)
        last: dict[str, Decimal | None] = {}
        for candidate in ladder:
            if not pending:
                break
            trial = replace(target, goals={**target.goals, **dict.fromkeys(family, candidate)})
            counts = _clock_counts(history, trial)
            runs += 1
            for name in sorted(pending):
                figures = _figures(counts[:, index[normal(name)]].sum(axis=0))
                last[name] = figures.attainment
                if figures.attainment is not None and figures.attainment >= wanted:
                    found[name] = SuggestedGoal(
                        name, target.goals[name], candidate, figures.attainment
                    )
                    pending.discard(name)
        for name in pending:
            found[name] = SuggestedGoal(name, target.goals[name], None, last.get(name))
    ordered = tuple(found[name] for name in target.goals)
    labels = tuple(period_label(p) for p in history.periods)
    return Suggestion(agreement.id, history.version, target.id, wanted, labels, ordered, runs)


def _history(
    session: Session, agreement_id: str, target_id: str, now: datetime, periods: int
) -> _History:
    """The base version, its target, the events up to `now`, the last complete periods."""
    if now.tzinfo is None:
        raise ValueError("`now` must be an aware datetime")
    if not 1 <= periods <= MAX_PERIODS:
        raise ValidationError(
            [FieldIssue("periods", f"simulate over 1 to {MAX_PERIODS} periods, not {periods}")]
        )
    base = stored_agreement(session, agreement_id)  # AccordError when none is stored
    in_force = state_of(session, agreement_id).in_force_version
    if in_force is not None and in_force != base.stored.version:
        base = stored_agreement(session, agreement_id, in_force)
    agreement = base.agreement
    try:
        target = agreement.target(target_id)
    except KeyError:
        listed = ", ".join(t.id for t in agreement.targets)
        raise AccordError(
            f"agreement '{agreement_id}' has no target '{target_id}' (it has {listed})"
        ) from None
    now_ns = to_ns(now)
    begun, edges = periods_begun(agreement, target, now_ns)
    complete = [i for i in range(len(begun)) if int(edges[i + 1]) <= now_ns]
    chosen = complete[-periods:]
    if chosen:
        first, stop = chosen[0], chosen[-1] + 1
        window, window_edges = begun[first:stop], edges[first : stop + 1]
    else:
        window, window_edges = [], np.zeros(0, dtype=np.int64)
    table = EventRepository(session).load_table(until_ns=now_ns)
    return _History(base.stored.version, agreement, target, table, now, window, window_edges)


def _clock_counts(history: _History, target: Target) -> npt.NDArray[np.int64]:
    """Per period, per priority of the agreement: [met, breached] under `target`."""
    n_periods, n_prio = len(history.periods), len(history.agreement.priorities)
    counts = np.zeros((n_periods, n_prio, 2), dtype=np.int64)
    if not n_periods:
        return counts
    agreement = replace(history.agreement, targets=(target,))
    result = evaluate([agreement], history.table, history.as_of)
    for part in result.clocks[0].parts:
        decided = decision_instants(part)
        idx = np.searchsorted(history.edges, decided, side="right") - 1
        inside = (decided != NAT) & (idx >= 0) & (idx < n_periods)
        for column, status in ((0, _MET), (1, _BREACHED)):
            rows = inside & (part.status == status)
            np.add.at(counts, (idx[rows], part.priority[rows].astype(np.int64), column), 1)
    return counts


def _figures(pair: npt.NDArray[np.int64]) -> Figures:
    met, breached = int(pair[0]), int(pair[1])
    return Figures(met, breached, attainment_of(met, met + breached))


def _priorities(agreement: Agreement, current: Target, proposed: Target) -> list[tuple[int, str]]:
    """The agreement's priorities (index, name) that have a goal in either target."""
    named = {normal(p) for p in (*current.goals, *proposed.goals)}
    return [(i, p) for i, p in enumerate(agreement.priorities) if normal(p) in named]


def _row_figures(history: _History) -> list[Figures]:
    """A target that is not a clock: its compliance rows in the chosen periods."""
    if not history.periods:
        return []
    agreement = replace(history.agreement, targets=(history.target,))
    rows = evaluate([agreement], history.table, history.as_of).compliance
    by_start = {row.period_start: row for row in rows}
    figures = []
    for period in history.periods:
        row = by_start.get(period.start_on)
        if row is None:
            figures.append(Figures(0, 0, None))
        else:
            figures.append(Figures(row.met, row.breached, row.attainment))
    return figures


def _pool(target: Target, figures: Sequence[Figures]) -> Figures:
    met = sum(f.met for f in figures)
    breached = sum(f.breached for f in figures)
    if target.kind is not TargetKind.AVAILABILITY:
        return Figures(met, breached, attainment_of(met, met + breached))
    values = [f.attainment for f in figures if f.attainment is not None]
    mean = sum(values, Decimal(0)) / len(values) if values else None
    return Figures(met, breached, None if mean is None else mean.quantize(FRACTION_PLACES))


def _target_json(target: Target) -> dict[str, object]:
    return {
        "goals": {name: goal.text for name, goal in target.goals.items()},
        "objective": str(target.objective),
        "pause_states": sorted(target.pause_states),
    }


def _period_words(spec: PeriodSpec, n: int) -> str:
    """`month's`, `3 months'`, `2 28-day periods'`."""
    noun = _NOUNS.get(spec.kind, f"{spec.days}-day period")
    return f"{noun}'s" if n == 1 else f"{n} {noun}s'"


def _verdict(figures: Figures, objective: Decimal) -> str:
    holds = figures.holds(objective)
    result = "no data" if holds is None else "met" if holds else "missed"
    return f"objective {format_percent(objective)}: {result}"


def _sentence(simulation: Simulation, agreement: Agreement) -> str:
    """The evidence in one line, as people argue with it:
    "with 5wd, 93.3% of the last 3 months' requests would have met it (objective 95%: missed);
    with 1wd (now), 41%"."""
    current, proposed = simulation.current, simulation.proposed
    n = len(simulation.periods)
    if n == 0:
        noun = _NOUNS.get(current.period.kind, "period")
        return f"no complete {noun} of history yet before now: nothing to judge the change by"
    last = f"the last {_period_words(current.period, n)}"
    items = current.items or agreement.items
    now_fig, new_fig = simulation.pooled_current, simulation.pooled_proposed
    if not current.is_clock:
        per_now = sum(bool(p.current.holds(current.objective)) for p in simulation.periods)
        per_new = sum(bool(p.proposed.holds(proposed.objective)) for p in simulation.periods)
        return (
            f"over {last} figures ({format_percent(now_fig.attainment)} pooled), "
            f"{per_new} of {n} would have met {format_percent(proposed.objective)}; "
            f"{per_now} of {n} met {format_percent(current.objective)} (now)"
        )
    if now_fig.counted == 0 and new_fig.counted == 0:
        return f"no {items} were decided in {last} history: nothing to judge the change by"
    goals_now, goals_new = format_goals(current.goals), format_goals(proposed.goals)
    if goals_now == goals_new and current.pause_states == proposed.pause_states:
        return (
            f"with {goals_now}, {format_percent(new_fig.attainment)} of {last} {items} met it "
            f"({_verdict(new_fig, proposed.objective)}; now {_verdict(now_fig, current.objective)})"
        )
    label = goals_new if goals_now != goals_new else simulation.change.describe()
    return (
        f"with {_then(label)} {format_percent(new_fig.attainment)} of {last} {items} would have "
        f"met it ({_verdict(new_fig, proposed.objective)}); with {_then(goals_now + ' (now)')} "
        f"{format_percent(now_fig.attainment)} ({_verdict(now_fig, current.objective)})"
    )


def _then(label: str) -> str:
    """`5wd,` but `P1 4h, P2 8h:` (a list of goals reads badly before another comma)."""
    return f"{label}:" if "," in label else f"{label},"
