"""`accord agreements simulate|propose|counter|accept|reject|proposals`: negotiating targets
with evidence from the command line, as the operator or `--as USER`.

Parse, open the workspace, call one service of `accord.services.negotiation` in one
transaction, render. No rules here.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from accord.cli.render import line
from accord.cli.workspace import AsOption, acting, transaction
from accord.domain.durations import parse_fraction
from accord.domain.negotiation import Proposal, ProposalStatus, TargetChange, format_percent
from accord.errors import ValidationError
from accord.ingest.instants import instant_to_datetime, parse_instant
from accord.services import negotiation
from accord.services.simulation import DEFAULT_PERIODS, Figures, Simulation, Suggestion
from accord.timesource import SystemClock

AgreementArg = Annotated[str, typer.Argument(metavar="ID", help="The agreement's id.")]
ProposalArg = Annotated[int, typer.Argument(metavar="PROPOSAL_ID", help="The proposal's number.")]
TargetOption = Annotated[str, typer.Option("--target", "-t", metavar="T", help="The target's id.")]
GoalOption = Annotated[
    list[str] | None,
    typer.Option(
        "--goal",
        "-g",
        metavar="GOAL",
        help="A goal for every priority (5wd) or for one (P1=4h); repeatable.",
    ),
]
ObjectiveOption = Annotated[
    str | None, typer.Option("--objective", metavar="PCT", help="The objective, e.g. 95%.")
]
PauseOption = Annotated[
    list[str] | None,
    typer.Option(
        "--pause-state", metavar="STATE", help="The new pause states (repeatable; all of them)."
    ),
]
PeriodsOption = Annotated[
    int, typer.Option("--periods", min=1, max=36, help="Complete periods of history to judge by.")
]
CommentOption = Annotated[
    str, typer.Option("--comment", "-m", help="Why: the other party reads it.")
]
AtOption = Annotated[
    str | None,
    typer.Option("--at", metavar="INSTANT", help="Judge the history as of this instant (now)."),
]


def _console() -> Console:
    return Console(highlight=False)


def _at(value: str | None) -> datetime:
    if value is None:
        return SystemClock().now()
    try:
        return instant_to_datetime(parse_instant(value, None))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--at") from None


def _change(
    goals: list[str] | None, objective: str | None, pause_states: list[str] | None
) -> TargetChange:
    try:
        return TargetChange.parse(goals or (), objective, pause_states or None)
    except ValidationError as exc:
        raise typer.BadParameter("; ".join(str(i) for i in exc.issues)) from None


def agreements_simulate(
    agreement_id: AgreementArg,
    target: TargetOption,
    goal: GoalOption = None,
    objective: ObjectiveOption = None,
    pause_state: PauseOption = None,
    periods: PeriodsOption = DEFAULT_PERIODS,
    suggest: Annotated[
        bool, typer.Option("--suggest", help="Also suggest the goal history supports.")
    ] = False,
    at: AtOption = None,
    as_user: AsOption = None,
) -> None:
    """What a changed target would have attained over the last complete periods of the stored
    history, against the target as it is; --suggest: the smallest round goal per priority that
    reaches the objective (--objective, else the target's)."""
    console = _console()
    now = _at(at)
    wants_change = bool(goal or pause_state) or (objective is not None and not suggest)
    change = _change(goal, objective, pause_state) if wants_change else None
    if change is None and not suggest:
        raise typer.BadParameter("give --goal, --objective, --pause-state or --suggest")
    wanted = None
    if suggest and objective is not None:
        try:
            wanted = parse_fraction(objective)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--objective") from None
    with transaction(console) as session:
        principal = acting(session, as_user)
        simulation = (
            None
            if change is None
            else negotiation.evidence(
                session, principal, agreement_id, target, change, now=now, periods=periods
            )
        )
        suggestion = (
            negotiation.suggestion(
                session, principal, agreement_id, target, objective=wanted, now=now,
                periods=periods,
            )
            if suggest
            else None
        )  # fmt: skip
    if simulation is not None:
        show_simulation(console, simulation)
    if suggestion is not None:
        show_suggestion(console, suggestion)


def agreements_propose(
    agreement_id: AgreementArg,
    target: TargetOption,
    comment: CommentOption,
    goal: GoalOption = None,
    objective: ObjectiveOption = None,
    pause_state: PauseOption = None,
    department: Annotated[
        str | None,
        typer.Option("--department", "-d", metavar="DEPT", help="The party it is made for."),
    ] = None,
    periods: PeriodsOption = DEFAULT_PERIODS,
    at: AtOption = None,
    as_user: AsOption = None,
) -> None:
    """Propose a change to a target for your party, with its evidence; the other party
    accepts, rejects or counters it."""
    console = _console()
    change = _change(goal, objective, pause_state)
    with transaction(console) as session:
        made = negotiation.propose(
            session, acting(session, as_user), agreement_id, target, change, comment,
            now=_at(at), periods=periods, department=department,
        )  # fmt: skip
    _opened(console, made)


def agreements_counter(
    proposal_id: ProposalArg,
    comment: CommentOption,
    goal: GoalOption = None,
    objective: ObjectiveOption = None,
    pause_state: PauseOption = None,
    periods: PeriodsOption = DEFAULT_PERIODS,
    at: AtOption = None,
    as_user: AsOption = None,
) -> None:
    """Answer an open proposal of the other party with one of your own (with its evidence)."""
    console = _console()
    change = _change(goal, objective, pause_state)
    with transaction(console) as session:
        made = negotiation.counter(
            session, acting(session, as_user), proposal_id, change, comment, now=_at(at),
            periods=periods,
        )  # fmt: skip
    line(console, f"proposal {proposal_id} countered")
    _opened(console, made)


def agreements_accept(
    proposal_id: ProposalArg,
    comment: Annotated[str | None, typer.Option("--comment", "-m", help="A word to add.")] = None,
    as_user: AsOption = None,
) -> None:
    """Accept the other party's open proposal: its change becomes the agreement's next
    version (comments and layout of the YAML kept)."""
    console = _console()
    with transaction(console) as session:
        done = negotiation.accept(
            session, acting(session, as_user), proposal_id, now=SystemClock().now(), comment=comment
        )
    line(
        console,
        f"proposal {done.id} accepted: {done.agreement_id} version {done.resulting_version} "
        f"has {done.change.describe()} for '{done.target_id}'",
    )


def agreements_reject(
    proposal_id: ProposalArg, comment: CommentOption, as_user: AsOption = None
) -> None:
    """Reject the other party's open proposal, saying why."""
    console = _console()
    with transaction(console) as session:
        done = negotiation.reject(
            session, acting(session, as_user), proposal_id, comment, now=SystemClock().now()
        )
    line(console, f"proposal {done.id} rejected")


def agreements_proposals(
    agreement_id: AgreementArg,
    status: Annotated[
        ProposalStatus | None, typer.Option("--status", help="Only proposals in this state.")
    ] = None,
    as_user: AsOption = None,
) -> None:
    """List an agreement's proposals, oldest first: what, by whom, for which party, the
    evidence and the answer."""
    console = _console()
    with transaction(console) as session:
        found = negotiation.list_proposals(session, acting(session, as_user), agreement_id, status)
    if not found:
        line(console, f"no proposals for {agreement_id}")
        return
    table = Table(box=None)
    for name in ("id", "target", "change", "by", "for", "proposed (UTC)", "status", "answer"):
        table.add_column(name, no_wrap=name in {"id", "target", "for", "status"})
    for proposal in found:
        table.add_row(
            str(proposal.id),
            proposal.target_id,
            proposal.change.describe(),
            proposal.proposed_by,
            proposal.department,
            f"{proposal.proposed_at:%Y-%m-%d %H:%M}",
            proposal.status.value,
            _answer(proposal),
        )
    console.print(table)
    for proposal in found:
        line(console, f"{proposal.id}: {proposal.comment}")
        line(console, f"   evidence: {proposal.evidence.get('sentence', '')}")


def _answer(proposal: Proposal) -> str:
    if proposal.answered_by is None:
        return ""
    text = f"{proposal.answered_by}"
    if proposal.resulting_version is not None:
        text += f" (version {proposal.resulting_version})"
    if proposal.answer_comment:
        text += f": {proposal.answer_comment}"
    return text


def _opened(console: Console, made: Proposal) -> None:
    line(
        console,
        f"proposal {made.id} opened for {made.department}: {made.change.describe()} "
        f"for '{made.target_id}' of {made.agreement_id}",
    )
    line(console, f"evidence: {made.evidence.get('sentence', '')}")


def _cell(figures: Figures, objective: Decimal) -> str:
    if figures.attainment is None:
        return "no data"
    holds = figures.holds(objective)
    verdict = "met" if holds else "missed"
    return f"{figures.met}/{figures.counted}  {format_percent(figures.attainment)}  {verdict}"


def show_simulation(console: Console, simulation: Simulation) -> None:
    """The target as it is and as proposed, per period, pooled and per priority."""
    current, proposed = simulation.current, simulation.proposed
    line(
        console,
        f"{simulation.agreement_id} version {simulation.version}, target "
        f"'{simulation.target_id}' ({simulation.kind}): {simulation.change.describe()}",
    )
    table = Table(box=None)
    table.add_column("period", no_wrap=True)
    table.add_column(f"now (objective {format_percent(current.objective)})", no_wrap=True)
    table.add_column(f"proposed (objective {format_percent(proposed.objective)})", no_wrap=True)
    for period in simulation.periods:
        table.add_row(
            period.label,
            _cell(period.current, current.objective),
            _cell(period.proposed, proposed.objective),
        )
    table.add_row(
        "pooled",
        _cell(simulation.pooled_current, current.objective),
        _cell(simulation.pooled_proposed, proposed.objective),
    )
    for evidence in simulation.priorities:
        table.add_row(
            f"  {evidence.priority}",
            _cell(evidence.current, current.objective),
            _cell(evidence.proposed, proposed.objective),
        )
    console.print(table)
    if simulation.note:
        line(console, simulation.note)
    line(console, simulation.sentence)


def show_suggestion(console: Console, suggestion: Suggestion) -> None:
    """The suggested goal per priority, with its pooled attainment."""
    periods = ", ".join(suggestion.period_labels) or "no complete period"
    line(
        console,
        f"goals that reach {format_percent(suggestion.objective)} over {periods} "
        f"({suggestion.evaluations} evaluations):",
    )
    for goal in suggestion.goals:
        if goal.goal is None:
            line(
                console,
                f"  {goal.priority}: none of the round goals reaches it "
                f"(now {goal.current.text}; {format_percent(goal.attainment)} at the largest)",
            )
        else:
            line(
                console,
                f"  {goal.priority}: {goal.goal.text} ({format_percent(goal.attainment)}; "
                f"now {goal.current.text})",
            )


def register(agreements_app: typer.Typer) -> None:
    """Add the negotiation commands to `accord agreements`."""
    agreements_app.command("simulate")(agreements_simulate)
    agreements_app.command("propose")(agreements_propose)
    agreements_app.command("counter")(agreements_counter)
    agreements_app.command("accept")(agreements_accept)
    agreements_app.command("reject")(agreements_reject)
    agreements_app.command("proposals")(agreements_proposals)
