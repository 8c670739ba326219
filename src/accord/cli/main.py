"""The `accord` command: parse options, call one service, render the result, set the exit status.

No rules live here: checks, evaluation and file formats belong to the layers below.
Exit status: 0 on success, 1 when an input is invalid or an event-log row was rejected,
2 for a wrong command line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from accord.cli import access as access_commands
from accord.cli import authoring as authoring_commands
from accord.cli import documents as document_commands
from accord.cli import lifecycle as lifecycle_commands
from accord.cli import negotiation as negotiation_commands
from accord.cli import render
from accord.cli import report as report_commands
from accord.cli.catalog import catalog_app
from accord.cli.items import items_app
from accord.cli.serve import serve
from accord.cli.workspace import db_app, init, register_agreement_commands
from accord.domain.agreements import Agreement
from accord.errors import AccordError, EventLogError, ValidationError
from accord.ingest.instants import instant_to_datetime, parse_instant, zone
from accord.reports.html import write_html
from accord.reports.report_files import to_json
from accord.reports.tables import write_clocks_csv, write_compliance_csv
from accord.services.demo import run_workspace_demo
from accord.services.evaluation import EvaluationResult
from accord.services.runs import DEMO_AS_OF, evaluate_files

LARGE_LOG_BYTES = 5 * 1024 * 1024  # show progress bars from this size on

app = typer.Typer(
    name="accord",
    help="Service level agreements as code: validate agreements, evaluate event logs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
agreements_app = typer.Typer(help="Agreements as code (YAML, accord/v1).", no_args_is_help=True)
app.add_typer(agreements_app, name="agreements")
app.command("init")(init)
app.add_typer(db_app, name="db")
register_agreement_commands(agreements_app)
authoring_commands.register(agreements_app)
app.add_typer(catalog_app, name="catalog")
lifecycle_commands.register(agreements_app)
negotiation_commands.register(agreements_app)
document_commands.register(agreements_app)
report_commands.register(app)
app.add_typer(items_app, name="items")
access_commands.register(app)
app.command("serve")(serve)


def _console() -> Console:
    return Console(highlight=False)


@app.command()
def evaluate(
    agreements: Annotated[
        list[Path],
        typer.Option(
            "--agreements", "-a", metavar="DIR", help="Agreement file or directory (repeatable)."
        ),
    ],
    events: Annotated[
        Path,
        typer.Option(
            "--events", "-e", metavar="FILE", help="Event log: .csv, .jsonl (optionally .gz)."
        ),
    ],
    at: Annotated[
        str,
        typer.Option(
            "--at", metavar="INSTANT", help="Evaluate as of this instant, with an offset or Z."
        ),
    ],
    timezone: Annotated[
        str | None,
        typer.Option(metavar="TZ", help="IANA zone for naive timestamps in the log and in --at."),
    ] = None,
    clocks: Annotated[
        Path | None, typer.Option("--clocks", metavar="OUT.csv", help="Write the clocks CSV here.")
    ] = None,
    compliance: Annotated[
        Path | None,
        typer.Option("--compliance", metavar="OUT.csv", help="Write the compliance CSV here."),
    ] = None,
) -> None:
    """Evaluate an event log against agreements as of an instant; print compliance per period.

    Exits 1 when a row of the log was rejected (the rest is still evaluated), 0 otherwise,
    whatever the compliance results.
    """
    console = _console()
    if timezone is not None:
        try:
            zone(timezone)
        except ValidationError as exc:
            raise typer.BadParameter(exc.issues[0].message, param_hint="--timezone") from None
    try:
        as_of = instant_to_datetime(parse_instant(at, timezone))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--at") from None
    size = events.stat().st_size if events.is_file() else 0
    bars = render.RunProgress(console, enabled=size > LARGE_LOG_BYTES, read_total=size)
    try:
        with bars.running():
            outcome = evaluate_files(
                agreements,
                events,
                as_of,
                timezone=timezone,
                read_progress=bars.on_read,
                evaluate_progress=bars.on_evaluate,
            )
    except ValidationError as exc:
        for issue in exc.issues:
            render.line(console, str(issue))
        raise typer.Exit(1) from None
    except EventLogError as exc:
        render.line(console, f"error: {exc}")
        raise typer.Exit(1) from None
    _print_compliance(console, outcome.result, outcome.agreements)
    render.summary(console, outcome, str(events))
    _write_outputs(console, outcome.result, clocks, compliance)
    if outcome.read.issues:
        raise typer.Exit(1)


@app.command()
def demo(
    out: Annotated[
        Path,
        typer.Option("--out", metavar="DIR", help="Folder for the demo workspace and its files."),
    ] = Path("accord-demo"),
) -> None:
    """Make a demo workspace: bundled agreements, a generated year (2026), its report.

    Creates a fresh SQLite workspace in DIR, applies the bundled example agreements, imports a
    seeded year of events, evaluates it at the end of 2026, prints compliance and writes
    clocks.csv, compliance.csv and December's report (HTML and JSON).
    """
    console = _console()
    console.print("Checking the bundled agreements:")
    bars = render.RunProgress(console, enabled=console.is_terminal)
    events_path = out / "events.csv"
    try:
        with bars.running():
            outcome = run_workspace_demo(
                out,
                import_progress=bars.on_bytes("Importing events", lambda: events_path),
                evaluate_progress=bars.on_evaluate,
            )
    except AccordError as exc:
        render.line(console, f"error: {exc}")
        raise typer.Exit(1) from None
    render.file_reports(console, outcome.reports)
    if outcome.result is None or outcome.imported is None or outcome.report is None:
        raise typer.Exit(1)
    for applied in outcome.applied:
        render.line(console, f"applied {applied.agreement_id} as version {applied.version}")
    imported = outcome.imported
    render.line(
        console,
        f"imported {render.plural(imported.rows_read, 'event row')} from {events_path}: "
        f"{imported.events_added:,} events added, {imported.rows_rejected:,} rejected",
    )
    agreements = [r.agreement for r in outcome.reports if r.agreement is not None]
    _print_compliance(console, outcome.result, agreements)
    _write_outputs(console, outcome.result, out / "clocks.csv", out / "compliance.csv")
    month = outcome.report.period
    html_path, json_path = out / f"report-{month}.html", out / f"report-{month}.json"
    write_html(outcome.report, html_path)
    json_path.write_text(to_json(outcome.report))
    render.line(console, f"wrote the {month} report to {html_path} (and {json_path.name})")
    render.line(console, f"workspace: {outcome.root} (SQLite); try, in that folder:")
    render.line(console, f"  accord status --at {DEMO_AS_OF:%Y-%m-%dT%H:%M:%SZ}")
    render.line(console, "  accord report --period 2026-06 --format html --out june.html")


def _print_compliance(
    console: Console, result: EvaluationResult, agreements: Sequence[Agreement]
) -> None:
    console.print()
    console.print(f"[bold]Compliance as of {result.as_of:%Y-%m-%d %H:%M:%S} UTC[/]")
    targets = {(a.id, t.id): t for a in agreements for t in a.targets}
    for table in render.compliance_tables(result.compliance, targets):
        console.print(table)


def _write_outputs(
    console: Console, result: EvaluationResult, clocks: Path | None, compliance: Path | None
) -> None:
    try:
        if clocks is not None:
            render.written(console, "clocks", clocks, write_clocks_csv(result, clocks))
        if compliance is not None:
            rows = write_compliance_csv(result, compliance)
            render.written(console, "compliance", compliance, rows)
    except OSError as exc:
        render.line(console, f"error: cannot write {exc.filename}: {exc.strerror or exc}")
        raise typer.Exit(1) from None


def run() -> None:
    """Console-script entry point (`accord`)."""
    app()
