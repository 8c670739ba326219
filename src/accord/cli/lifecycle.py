"""`accord agreements state|submit|approve|activate|terminate|renew|review|reviews|due-reviews|
check`: an agreement's life from the command line, as the operator or `--as USER`.

Parse, open the workspace, call one service of `accord.services.lifecycle` or `reviews` in one
transaction, render. No rules here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from accord.cli.render import line
from accord.cli.workspace import AsOption, acting, transaction
from accord.ingest.instants import instant_to_datetime, parse_instant
from accord.services import lifecycle, reviews
from accord.services.lifecycle import LifecycleView
from accord.services.reviews import ReviewOutcome
from accord.timesource import SystemClock

AgreementArg = Annotated[str, typer.Argument(metavar="ID", help="The agreement's id.")]


def _console() -> Console:
    return Console(highlight=False)


def _now() -> datetime:
    return SystemClock().now()


def _at(value: str | None) -> datetime:
    if value is None:
        return _now()
    try:
        return instant_to_datetime(parse_instant(value, None))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--at") from None


def show_view(console: Console, view: LifecycleView) -> None:
    """The state of one agreement, as `state` and every lifecycle command print it."""
    reason = f" ({view.reason})" if view.reason else ""
    line(console, f"{view.agreement_id}: {view.state.value}{reason}")
    in_force = "none" if view.in_force_version is None else f"version {view.in_force_version}"
    line(console, f"  latest version {view.latest_version}; in force: {in_force}")
    if view.ended_at is not None:
        line(console, f"  ended at {view.ended_at:%Y-%m-%d %H:%M:%S} UTC")
    for approval in view.approvals:
        line(
            console,
            f"  approved for {approval.department} by {approval.user} "
            f"at {approval.approved_at:%Y-%m-%d %H:%M:%S} UTC (version {approval.version})",
        )
    if view.awaiting:
        line(console, f"  awaiting approval by: {', '.join(view.awaiting)}")
    line(console, f"  next: {', '.join(e.value for e in view.allowed) or 'nothing'}")


def agreements_state(agreement_id: AgreementArg, as_user: AsOption = None) -> None:
    """Show where an agreement stands: state, versions, approvals, what may happen next."""
    console = _console()
    with transaction(console) as session:
        view = lifecycle.view(session, acting(session, as_user), agreement_id)
    show_view(console, view)


def agreements_submit(agreement_id: AgreementArg, as_user: AsOption = None) -> None:
    """Submit the latest version for approval by every party (an editor of a party)."""
    console = _console()
    with transaction(console) as session:
        view = lifecycle.submit(session, acting(session, as_user), agreement_id, now=_now())
    show_view(console, view)


def agreements_approve(
    agreement_id: AgreementArg,
    as_user: AsOption = None,
    version: Annotated[
        int | None, typer.Option(help="The version you approve (default: the latest).")
    ] = None,
    department: Annotated[
        str | None, typer.Option(help="The party you approve for, if you approve for two.")
    ] = None,
) -> None:
    """Approve the latest version for your department; the last party's approval activates it."""
    console = _console()
    with transaction(console) as session:
        view = lifecycle.approve(
            session,
            acting(session, as_user),
            agreement_id,
            now=_now(),
            version=version,
            department=department,
        )
    show_view(console, view)


def agreements_activate(agreement_id: AgreementArg, as_user: AsOption = None) -> None:
    """Put the latest version in force without approvals (an admin; audited)."""
    console = _console()
    with transaction(console) as session:
        view = lifecycle.activate(session, acting(session, as_user), agreement_id, now=_now())
    show_view(console, view)


def agreements_terminate(
    agreement_id: AgreementArg,
    reason: Annotated[str, typer.Option(help="Why it ends (recorded).")],
    as_user: AsOption = None,
) -> None:
    """End an agreement now (an approver of a party, or an admin)."""
    console = _console()
    with transaction(console) as session:
        view = lifecycle.terminate(
            session, acting(session, as_user), agreement_id, now=_now(), reason=reason
        )
    show_view(console, view)


def agreements_renew(agreement_id: AgreementArg, as_user: AsOption = None) -> None:
    """Make a new draft from the version last in force, its validity moved on by one term."""
    console = _console()
    with transaction(console) as session:
        view, outcome = lifecycle.renew(session, acting(session, as_user), agreement_id, now=_now())
    if outcome is not None and outcome.changed:
        line(console, f"{agreement_id}: stored version {outcome.version} (renewal draft)")
    show_view(console, view)


def agreements_review(
    agreement_id: AgreementArg,
    outcome: Annotated[ReviewOutcome, typer.Option(help="What the review decided.")],
    notes: Annotated[str | None, typer.Option(help="What was found and agreed.")] = None,
    as_user: AsOption = None,
) -> None:
    """Record a completed review: continue, renegotiate (a new draft) or terminate."""
    console = _console()
    with transaction(console) as session:
        view = reviews.complete_review(
            session, acting(session, as_user), agreement_id, outcome, now=_now(), notes=notes
        )
    show_view(console, view)


def agreements_reviews(agreement_id: AgreementArg, as_user: AsOption = None) -> None:
    """List an agreement's review flags and completed reviews, oldest first."""
    console = _console()
    with transaction(console) as session:
        found = reviews.reviews(session, acting(session, as_user), agreement_id)
    if not found:
        line(console, f"{agreement_id}: no reviews yet")
        return
    table = Table(box=None)
    for name in ("at (UTC)", "kind", "by", "version", "outcome", "reason or notes"):
        table.add_column(name)
    for review in found:
        table.add_row(
            f"{review.at:%Y-%m-%d %H:%M}",
            review.kind,
            review.actor,
            "" if review.version is None else str(review.version),
            review.outcome or "",
            review.reason or review.notes or "",
        )
    console.print(table)


def agreements_due_reviews(
    within: Annotated[
        int, typer.Option(metavar="DAYS", help="Also list those due within N days.")
    ] = 0,
    at: Annotated[str | None, typer.Option(metavar="INSTANT", help="As of (default: now).")] = None,
    as_user: AsOption = None,
) -> None:
    """List the reviews that are due: by cadence, or because a rule flagged the agreement."""
    console = _console()
    with transaction(console) as session:
        due = reviews.due_reviews(
            session, acting(session, as_user), now=_at(at), within_days=within
        )
    if not due:
        line(console, "no reviews due")
        return
    table = Table(box=None)
    for name in ("id", "due on", "state", "cadence", "last review", "why"):
        table.add_column(name, no_wrap=name == "id")
    for review in due:
        table.add_row(
            review.agreement_id,
            str(review.due_on),
            review.state.value,
            review.cadence or "",
            "" if review.last_review_on is None else str(review.last_review_on),
            review.reason or "review cadence",
        )
    console.print(table)


def agreements_check(
    agreement_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="One agreement (default: all; admin).")
    ] = None,
    at: Annotated[str | None, typer.Option(metavar="INSTANT", help="As of (default: now).")] = None,
    as_user: AsOption = None,
) -> None:
    """Apply the rules as of now: expire ended agreements, flag those whose termination rules
    fire (`review-required`, with the reason)."""
    console = _console()
    with transaction(console) as session:
        flags = reviews.check_rules(
            session, acting(session, as_user), now=_at(at), agreement_id=agreement_id
        )
    if not flags:
        line(console, "no rule fired")
    for flag in flags:
        line(console, f"{flag.agreement_id}: {flag.state.value}: {flag.reason}")


def register(agreements_app: typer.Typer) -> None:
    """Add the lifecycle commands to the `accord agreements` sub-app."""
    agreements_app.command("state")(agreements_state)
    agreements_app.command("submit")(agreements_submit)
    agreements_app.command("approve")(agreements_approve)
    agreements_app.command("activate")(agreements_activate)
    agreements_app.command("terminate")(agreements_terminate)
    agreements_app.command("renew")(agreements_renew)
    agreements_app.command("review")(agreements_review)
    agreements_app.command("reviews")(agreements_reviews)
    agreements_app.command("due-reviews")(agreements_due_reviews)
    agreements_app.command("check")(agreements_check)
