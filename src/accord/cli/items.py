"""`accord items ...`: importing service-desk exports (`items import`); more item commands join.

Parse options, find the workspace, call `accord.services.imports.import_file` with one
transaction per batch, render the summary. Exit status: 0 when no row was rejected, 1 when a
row was rejected or the file, mapping or workspace is unusable, 2 for a wrong command line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.orm import Session

from accord.cli.render import MAX_ROW_ISSUES, line, plural
from accord.cli.workspace import open_workspace
from accord.domain.audit import AuditAction, SubjectType
from accord.errors import AccordError, EventLogError, ValidationError
from accord.ingest.instants import zone
from accord.ingest.sources import BUILTIN_SOURCES, load_mapping
from accord.services import audit
from accord.services.imports import ImportSummary, import_file
from accord.timesource import SystemClock

items_app = typer.Typer(
    help="Items (tickets, requests, leads) and their events.", no_args_is_help=True
)


@items_app.command("import")
def items_import(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="The export to import: CSV (or JSON lines for events), .gz too."
        ),
    ],
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            "-s",
            metavar="SOURCE",
            help=f"Where the export comes from: {', '.join(BUILTIN_SOURCES)}; with --mapping, "
            "any name (default: the mapping's name). Events are stored under this name.",
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            "-m",
            metavar="FILE.yaml",
            help="A mapping file for this export (see docs/imports.md); replaces the built-in.",
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(metavar="TZ", help="IANA zone of times written without an offset."),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option("--actor", help="Who imports, for the audit log (default: $USER, else cli)."),
    ] = None,
) -> None:
    """Import a service-desk export as item events; only what is new is added.

    Prints rows read, events added, duplicates and rejected rows (`FILE:LINE: reason`).
    """
    console = Console(highlight=False)
    if timezone is not None:
        try:
            zone(timezone)
        except ValidationError as exc:
            raise typer.BadParameter(exc.issues[0].message, param_hint="--timezone") from None
    if not file.is_file():
        raise typer.BadParameter(f"{file}: no such file", param_hint="FILE")
    if mapping is None and source is None:
        raise typer.BadParameter(
            f"name where the export comes from: {', '.join(BUILTIN_SOURCES)} (or a --mapping)",
            param_hint="--source",
        )
    if mapping is None and source not in BUILTIN_SOURCES:
        raise typer.BadParameter(
            f"'{source}' is not a built-in source ({', '.join(BUILTIN_SOURCES)}); "
            "name a mapping file with --mapping",
            param_hint="--source",
        )
    name = source
    if name is None:
        assert mapping is not None
        try:
            name = load_mapping(mapping).name
        except ValidationError as exc:
            _issues(console, exc)
            raise typer.Exit(1) from None
    workspace = open_workspace(console)
    factory = workspace.session_factory()
    try:
        with _progress(console, file.stat().st_size) as on_read:
            summary = import_file(
                factory.begin,
                file,
                name,
                timezone=timezone,
                mapping_path=mapping,
                progress=on_read,
            )
        with factory.begin() as session:
            _record(session, summary, file, actor or os.environ.get("USER") or "cli")
    except ValidationError as exc:
        _issues(console, exc)
        raise typer.Exit(1) from None
    except (EventLogError, AccordError) as exc:
        line(console, f"error: {exc}")
        raise typer.Exit(1) from None
    finally:
        workspace.dispose()
    _summary(console, summary, file)
    if summary.rows_rejected:
        raise typer.Exit(1)


def _record(session: Session, summary: ImportSummary, file: Path, actor: str) -> None:
    """Note the finished import in the audit log (in its own transaction, after the batches)."""
    audit.record(
        session,
        actor=actor,
        action=AuditAction.IMPORT_FINISHED,
        subject_type=SubjectType.IMPORT,
        subject_id=str(summary.import_pk or ""),
        at=SystemClock().now(),
        details={
            "source": summary.source,
            "file": file.name,
            "rows_read": summary.rows_read,
            "events_added": summary.events_added,
            "duplicates": summary.duplicates,
            "rows_rejected": summary.rows_rejected,
        },
    )


def _issues(console: Console, exc: ValidationError) -> None:
    for issue in exc.issues:
        line(console, str(issue))


@contextmanager
def _progress(console: Console, total: int) -> Iterator[Callable[[int], None] | None]:
    """A bar of the file's bytes read, on a terminal only (a log file gets the summary)."""
    if not console.is_terminal:
        yield None
        return
    bar = Progress(
        TextColumn("Importing"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    with bar:
        task = bar.add_task("import", total=total)

        def update(done: int) -> None:
            bar.update(task, completed=done)

        yield update


def _summary(console: Console, summary: ImportSummary, file: Path) -> None:
    line(
        console,
        f"{file} as {summary.source}: {plural(summary.rows_read, 'row')} read, "
        f"{plural(summary.events_added, 'event')} added, "
        f"{plural(summary.duplicates, 'duplicate')} already stored, "
        f"{plural(summary.rows_rejected, 'row')} rejected",
    )
    shown = summary.issues[:MAX_ROW_ISSUES]
    for issue in shown:
        line(console, f"{file}:{issue.line}: {issue.message}")
    if summary.rows_rejected > len(shown):
        more = summary.rows_rejected - len(shown)
        line(console, f"... and {plural(more, 'more rejected row')} (all stored with the import)")
