"""`accord users|departments|tokens ...` and `accord audit`: people, their roles and tokens.

The CLI runs on the server's machine with the database's own credentials, so it acts as the
local operator, an admin (this is how the first admin is made). Parse, prompt, call one service
in one transaction, render. No rules here.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from accord.cli.render import line
from accord.cli.workspace import transaction
from accord.domain.access import Grant, Principal, Role, Scope, parse_lifetime
from accord.errors import ValidationError
from accord.services import audit, tokens, users
from accord.timesource import SystemClock

users_app = typer.Typer(help="Users and their roles in departments.", no_args_is_help=True)
departments_app = typer.Typer(help="Departments (agreements' parties).", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens (only their hashes are stored).", no_args_is_help=True)

_Department = Annotated[
    str | None, typer.Option("--department", "-d", metavar="DEPT", help="A department's name.")
]
_Role = Annotated[Role | None, typer.Option("--role", "-r", help="The role in that department.")]


def _console() -> Console:
    return Console(highlight=False)


def _operator() -> Principal:
    return Principal.operator(os.environ.get("USER") or "cli")


def _now() -> datetime:
    return SystemClock().now()


def _when(at: datetime | None) -> str:
    return "" if at is None else f"{at:%Y-%m-%d %H:%M:%S}"


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's name (what they sign in with).")],
    admin: Annotated[bool, typer.Option("--admin", help="Make the user an admin.")] = False,
    department: _Department = None,
    role: _Role = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="No password: the user signs in with tokens.")
    ] = False,
) -> None:
    """Add a user; without --password-stdin or --no-password, prompt twice for the password."""
    grants = _grants(department, role)
    if password_stdin and no_password:
        raise typer.BadParameter("choose one", param_hint="--password-stdin / --no-password")
    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not no_password:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    console = _console()
    with transaction(console) as session:
        user = users.add_user(
            session, _operator(), name, password, is_admin=admin, grants=grants, now=_now()
        )
    line(console, f"added user {user.name}" + (" (admin)" if user.is_admin else ""))
    for given in user.grants:
        line(console, f"  {given.role} in {given.department}")


@users_app.command("list")
def users_list() -> None:
    """List users with their roles."""
    console = _console()
    with transaction(console) as session:
        found = users.list_users(session, _operator())
    if not found:
        line(console, "no users yet; `accord users add NAME --admin` makes the first admin")
        return
    table = Table(box=None)
    for column in ("name", "admin", "roles", "password", "disabled at (UTC)", "created (UTC)"):
        table.add_column(column, no_wrap=column != "roles")
    for user in found:
        table.add_row(
            user.name,
            "yes" if user.is_admin else "",
            ", ".join(f"{g.department}:{g.role}" for g in user.grants),
            "yes" if user.has_password else "no",
            _when(user.disabled_at),
            _when(user.created_at),
        )
    console.print(table)


@users_app.command("grant")
def users_grant(
    name: Annotated[str, typer.Argument(help="The user's name.")],
    department: _Department = None,
    role: _Role = None,
    remove: Annotated[bool, typer.Option("--remove", help="Take the role away instead.")] = False,
) -> None:
    """Give a user a role in a department (or take it away with --remove)."""
    (given,) = _grants(department, role, required=True)
    console = _console()
    with transaction(console) as session:
        change = users.remove_role if remove else users.grant
        user = change(session, _operator(), name, given.department, given.role, now=_now())
    roles = ", ".join(f"{g.department}:{g.role}" for g in user.grants) or "none"
    line(console, f"{user.name}: roles {roles}")


@users_app.command("disable")
def users_disable(
    name: Annotated[str, typer.Argument(help="The user's name.")],
    enable: Annotated[bool, typer.Option("--enable", help="Enable the user again.")] = False,
) -> None:
    """Disable a user: their password and tokens stop working at once (or --enable again)."""
    console = _console()
    with transaction(console) as session:
        user = users.set_disabled(session, _operator(), name, not enable, now=_now())
    line(console, f"{user.name}: {'disabled' if user.is_disabled else 'enabled'}")


@users_app.command("password")
def users_password(
    name: Annotated[str, typer.Argument(help="The user's name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a user's password (prompted twice unless --password-stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    console = _console()
    with transaction(console) as session:
        users.set_password(session, _operator(), name, password, now=_now())
    line(console, f"{name}: password set")


@departments_app.command("add")
def departments_add(
    name: Annotated[str, typer.Argument(help="As agreements name provider and customer: it.")],
    title: Annotated[str | None, typer.Option("--title", help="A display name.")] = None,
) -> None:
    """Add a department."""
    console = _console()
    with transaction(console) as session:
        added = users.add_department(session, _operator(), name, title=title, now=_now())
    line(console, f"added department {added.name}" + (f" ({added.title})" if added.title else ""))


@departments_app.command("list")
def departments_list() -> None:
    """List departments."""
    console = _console()
    with transaction(console) as session:
        found = users.list_departments(session, _operator())
    for department in found:
        line(console, department.name + (f"  {department.title}" if department.title else ""))
    if not found:
        line(console, "no departments yet; `accord departments add NAME` adds one")


@tokens_app.command("create")
def tokens_create(
    user: Annotated[str, typer.Option("--user", "-u", help="Whose token it is.")],
    scope: Annotated[
        list[Scope], typer.Option("--scope", "-s", help="What it may do (repeatable).")
    ],
    expires_in: Annotated[
        str | None,
        typer.Option("--expires-in", metavar="LIFETIME", help="e.g. 30m, 12h, 90d, 2w."),
    ] = None,
    label: Annotated[str | None, typer.Option("--label", help="What it is for.")] = None,
) -> None:
    """Create a token and print it once (on standard output, alone); it is not stored."""
    try:
        lifetime = None if expires_in is None else parse_lifetime(expires_in)
    except ValidationError as exc:
        raise typer.BadParameter(exc.issues[0].message, param_hint="--expires-in") from None
    console = _console()
    with transaction(console) as session:
        issued = tokens.create_token(
            session, _operator(), user, scope, expires_in=lifetime, label=label, now=_now()
        )
    token = issued.token
    line(console, issued.plain)
    until = f"until {_when(token.expires_at)} UTC" if token.expires_at else "without expiry"
    note = f"token {token.id} for {token.user}, {' '.join(sorted(token.scopes))}, {until}"
    line(Console(stderr=True, highlight=False), f"{note}: shown only this once")


@tokens_app.command("list")
def tokens_list(
    user: Annotated[str | None, typer.Option("--user", "-u", help="Only this user's.")] = None,
) -> None:
    """List tokens (never their text): scopes, expiry, last use, state."""
    console = _console()
    now = _now()
    with transaction(console) as session:
        found = tokens.list_tokens(session, _operator(), user)
    if not found:
        line(console, "no tokens")
        return
    table = Table(box=None)
    for column in ("id", "user", "scopes", "state", "expires (UTC)", "last used (UTC)", "label"):
        table.add_column(column, no_wrap=column != "label")
    for token in found:
        table.add_row(
            str(token.id),
            token.user,
            " ".join(sorted(token.scopes)),
            str(token.state(now)),
            _when(token.expires_at),
            _when(token.last_used_at),
            token.label or "",
        )
    console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(token_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Revoke a token: it stops working at once."""
    console = _console()
    with transaction(console) as session:
        token = tokens.revoke_token(session, _operator(), token_id, now=_now())
    line(console, f"token {token.id} of {token.user}: revoked at {_when(token.revoked_at)} UTC")


def audit_command(
    agreement: Annotated[
        str | None, typer.Option("--agreement", "-a", metavar="ID", help="Only this agreement.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=audit.MAX_LIMIT)] = 50,
) -> None:
    """Show the audit log, newest first, one entry a line: id, when (UTC), who, what, on what
    subject (and agreement), details."""
    console = _console()
    with transaction(console) as session:
        found = audit.entries(session, _operator(), agreement_id=agreement, limit=limit)
    if not found:
        line(console, "no audit entries")
        return
    for entry in found:
        other = entry.agreement_id not in (None, entry.subject_id)
        about = f" (agreement {entry.agreement_id})" if other else ""
        details = f"  {json.dumps(entry.details, sort_keys=True)}" if entry.details else ""
        line(
            console,
            f"{entry.id}  {_when(entry.at)}  {entry.actor}  {entry.action}  "
            f"{entry.subject_type} {entry.subject_id}{about}{details}",
        )


def register(app: typer.Typer) -> None:
    """Add `users`, `departments`, `tokens` and `audit` to the `accord` app."""
    app.add_typer(users_app, name="users")
    app.add_typer(departments_app, name="departments")
    app.add_typer(tokens_app, name="tokens")
    app.command("audit")(audit_command)


def _grants(department: str | None, role: Role | None, *, required: bool = False) -> list[Grant]:
    if department is None and role is None and not required:
        return []
    if department is None or role is None:
        raise typer.BadParameter("give both --department and --role", param_hint="--department")
    return [Grant(department, role)]
