"""`accord agreements new|validate`: writing agreements from templates and checking files.

Commands on files: they need no workspace. Parse, call the spec layer, render. No rules here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from accord.cli import render
from accord.spec import validate_paths
from accord.spec.templates import TEMPLATE_NAMES, UnknownTemplate, template_text


def _console() -> Console:
    return Console(highlight=False)


def agreements_new(
    template: Annotated[
        str,
        typer.Option(
            "--template", "-t", metavar="NAME", help=f"One of: {', '.join(TEMPLATE_NAMES)}."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="FILE", help="Write here (default: standard output)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing --out file.")
    ] = False,
) -> None:
    """Write a complete agreement from a template, to edit: it passes validate and lint."""
    try:
        text = template_text(template)
    except UnknownTemplate as exc:
        raise typer.BadParameter(str(exc), param_hint="--template") from None
    if out is None:
        typer.echo(text, nl=False)
        return
    console = _console()
    if out.exists() and not force:
        render.line(console, f"error: {out} exists; --force overwrites it")
        raise typer.Exit(1)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        render.line(console, f"error: cannot write {out}: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    render.line(console, f"wrote the {template} template to {out}")
    render.line(console, f"next: edit it, then `accord agreements lint {out}`")


def agreements_validate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE_OR_DIR",
            help="Agreement and Service files, or directories searched for *.yaml and *.yml.",
        ),
    ],
) -> None:
    """Check agreement and service files: `ok` per valid file, else every problem with file,
    line and field. Service files given together are the catalog the agreements must use."""
    reports = validate_paths(paths)
    render.file_reports(_console(), reports)
    if any(not report.ok for report in reports):
        raise typer.Exit(1)


def register(agreements_app: typer.Typer) -> None:
    """Add new and validate to the `accord agreements` sub-app."""
    agreements_app.command("new")(agreements_new)
    agreements_app.command("validate")(agreements_validate)
