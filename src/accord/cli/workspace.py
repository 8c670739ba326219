"""`accord init`, `accord db upgrade` and `accord agreements apply|list|history|diff`.

Parse, open the workspace, call one service inside one transaction, render. No rules here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from accord.cli.render import line
from accord.domain.access import Principal
from accord.errors import AccordError, ValidationError
from accord.services import agreements as agreement_store
from accord.services import lifecycle, users
from accord.services.workspace import (
    UpgradeOutcome,
    Workspace,
    check_schema,
    find_workspace,
    init_workspace,
    upgrade_database,
)
from accord.settings import Settings
from accord.timesource import SystemClock

db_app = typer.Typer(help="The workspace's database.", no_args_is_help=True)


def _console() -> Console:
    return Console(highlight=False)


def _fail(console: Console, exc: AccordError) -> typer.Exit:
    if isinstance(exc, ValidationError):
        for issue in exc.issues:
            line(console, str(issue))
    else:
        line(console, f"error: {exc}")
    return typer.Exit(1)


def open_workspace(console: Console, *, current_schema: bool = True) -> Workspace:
    """The workspace of the current folder (or ACCORD_DATABASE_URL); exit 1 when there is none.

    With `current_schema`, a database that needs `accord db upgrade` is refused too.
    """
    try:
        workspace = find_workspace(Path.cwd(), Settings())
        if current_schema:
            check_schema(workspace)
    except AccordError as exc:
        raise _fail(console, exc) from None
    return workspace


@contextmanager
def transaction(console: Console) -> Iterator[Session]:
    """A session on the current workspace in one transaction: committed unless it raises.

    An AccordError from the service is printed and turns into exit status 1.
    """
    workspace = open_workspace(console)
    try:
        with workspace.session_factory()() as session, session.begin():
            yield session
    except AccordError as exc:
        raise _fail(console, exc) from None
    finally:
        workspace.dispose()


AsOption = Annotated[
    str | None,
    typer.Option(
        "--as", metavar="USER", help="Act as this user (default: the operator, an admin)."
    ),
]


def operator_name() -> str:
    """The local operator's name, as the audit log records it: $USER, else `cli`."""
    return os.environ.get("USER") or "cli"


def acting(session: Session, as_user: str | None) -> Principal:
    """Who a command acts as: the user named by `--as`, else the local operator (an admin)."""
    return users.acting_as(session, as_user, operator=operator_name())


def _revision(outcome: UpgradeOutcome) -> str:
    if not outcome.changed:
        return f"schema already at the latest revision ({outcome.after})"
    before = outcome.before or "empty"
    return f"schema upgraded from {before} to {outcome.after}"


def init(
    directory: Annotated[
        Path | None,
        typer.Argument(help="Folder to make a workspace (default: the current folder)."),
    ] = None,
) -> None:
    """Create a workspace (SQLite by default, ACCORD_DATABASE_URL for PostgreSQL); never asks.

    Running it again on a workspace only upgrades its database to the latest schema.
    """
    console = _console()
    try:
        outcome = init_workspace(directory or Path.cwd(), Settings())
    except AccordError as exc:
        raise _fail(console, exc) from None
    workspace = outcome.workspace
    workspace.dispose()
    verb = "created workspace" if outcome.created else "workspace exists:"
    line(console, f"{verb} {workspace.root}")
    line(console, f"database {workspace.display_url()}")
    line(console, _revision(outcome.upgrade))
    if outcome.created:
        line(console, "next: accord agreements apply DIR")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the workspace's database to the latest schema, keeping its data."""
    console = _console()
    workspace = open_workspace(console, current_schema=False)
    try:
        outcome = upgrade_database(workspace)
    finally:
        workspace.dispose()
    line(console, f"database {workspace.display_url()}")
    line(console, _revision(outcome))


def agreements_apply(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Agreement files, or directories searched for *.yaml and *.yml."),
    ],
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who applies them (default: $USER, else cli).")
    ] = None,
    activate: Annotated[
        bool,
        typer.Option(
            "--activate",
            help="Put them in force at once, without approvals (the operator, an admin; audited).",
        ),
    ] = False,
) -> None:
    """Store agreements as new draft versions where they changed (an unchanged file changes
    nothing); a draft comes into force when every party approves it, or with --activate."""
    console = _console()
    who = actor or operator_name()
    now = SystemClock().now()
    with transaction(console) as session:
        outcomes = agreement_store.apply_agreements(session, paths, actor=who, now=now)
        views = (
            lifecycle.activate_applied(session, Principal.operator(who), outcomes, now=now)
            if activate
            else []
        )
    for outcome in outcomes:
        if outcome.changed:
            line(console, f"{outcome.agreement_id}: stored version {outcome.version}")
        else:
            line(console, f"{outcome.agreement_id}: unchanged (version {outcome.version})")
    for view in views:
        line(console, f"{view.agreement_id}: version {view.in_force_version} in force")


def agreements_list() -> None:
    """List stored agreements with their latest version."""
    console = _console()
    with transaction(console) as session:
        summaries = agreement_store.list_agreements(session)
    if not summaries:
        line(console, "no agreements stored yet; `accord agreements apply DIR` stores them")
        return
    table = Table(box=None)
    table.add_column("id", no_wrap=True)  # what users type next: never cut
    table.add_column("version", no_wrap=True)
    table.add_column("state", no_wrap=True)
    table.add_column("in force", no_wrap=True)
    table.add_column("title")
    table.add_column("applied at (UTC)", no_wrap=True)
    table.add_column("by")
    for summary in summaries:
        table.add_row(
            summary.agreement_id,
            str(summary.version),
            summary.state,
            "" if summary.in_force_version is None else str(summary.in_force_version),
            summary.title,
            _when(summary.applied_at),
            summary.applied_by,
        )
    console.print(table)


def agreements_history(
    agreement_id: Annotated[str, typer.Argument(metavar="ID", help="The agreement's id.")],
) -> None:
    """Show every stored version of an agreement: when, by whom, from which file."""
    console = _console()
    with transaction(console) as session:
        versions = agreement_store.history(session, agreement_id)
    table = Table(box=None)
    for name in ("version", "applied at (UTC)", "by"):
        table.add_column(name, no_wrap=True)
    table.add_column("from", overflow="fold")
    table.add_column("sha256", no_wrap=True)
    for version in versions:
        table.add_row(
            str(version.version),
            _when(version.applied_at),
            version.applied_by,
            version.source_path or "",
            version.content_sha256[:12],
        )
    console.print(table)


def agreements_diff(
    agreement_id: Annotated[str, typer.Argument(metavar="ID", help="The agreement's id.")],
    v1: Annotated[int, typer.Argument(metavar="V1", help="The older version.")],
    v2: Annotated[int, typer.Argument(metavar="V2", help="The newer version.")],
) -> None:
    """Show what changed between two stored versions (a unified diff of the YAML)."""
    console = _console()
    with transaction(console) as session:
        text = agreement_store.diff(session, agreement_id, v1, v2)
    if not text:
        line(console, f"versions {v1} and {v2} of {agreement_id} are identical")
        return
    line(console, text.rstrip("\n"))


def register_agreement_commands(agreements_app: typer.Typer) -> None:
    """Add apply, list, history and diff to the `accord agreements` sub-app."""
    agreements_app.command("apply")(agreements_apply)
    agreements_app.command("list")(agreements_list)
    agreements_app.command("history")(agreements_history)
    agreements_app.command("diff")(agreements_diff)


def _when(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S}"
