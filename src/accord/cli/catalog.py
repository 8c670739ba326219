"""`accord catalog apply|list`: the workspace's service catalog (`kind: Service` files).

Parse, open the workspace, call one service of `accord.services.catalog` in one transaction,
render. No rules here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from accord.cli.render import line
from accord.cli.workspace import AsOption, acting, transaction
from accord.services import catalog
from accord.timesource import SystemClock

catalog_app = typer.Typer(help="The service catalog (kind: Service).", no_args_is_help=True)


def _console() -> Console:
    return Console(highlight=False)


@catalog_app.command("apply")
def catalog_apply(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE_OR_DIR", help="Service files, or directories of *.yaml and *.yml."
        ),
    ],
    as_user: AsOption = None,
) -> None:
    """Store services in the catalog; a file that says what is stored changes nothing."""
    console = _console()
    with transaction(console) as session:
        principal = acting(session, as_user)
        applied = catalog.apply_service_files(
            session, paths, principal=principal, now=SystemClock().now()
        )
    for outcome in applied:
        verb = "stored" if outcome.changed else "unchanged"
        line(console, f"{outcome.service.id}: {verb}")


@catalog_app.command("list")
def catalog_list() -> None:
    """List the services of the catalog with their type and owner department."""
    console = _console()
    with transaction(console) as session:
        services = catalog.list_services(session, acting(session, None))
    if not services:
        line(console, "the catalog is empty; `accord catalog apply DIR` stores services")
        return
    table = Table(box=None)
    table.add_column("id", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("owner", no_wrap=True)
    table.add_column("title")
    for stored in services:
        service = stored.service
        table.add_row(service.id, service.type.value, service.owner, service.title)
    console.print(table)
