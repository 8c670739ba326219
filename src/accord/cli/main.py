"""The `accord` command: parse options, call one service, render the result, set the exit status.

No rules live here: checks, evaluation and file formats belong to the layers below.
Exit status: 0 on success, 1 when an input is invalid or an event-log row was rejected,
2 for a wrong command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from accord.cli import render
from accord.errors import EventLogError, ValidationError
from accord.ingest.instants import instant_to_datetime, parse_instant, zone
from accord.reports.tables import write_clocks_csv, write_compliance_csv
from accord.services.evaluation import EvaluationResult
from accord.services.runs import DEMO_AS_OF, evaluate_files, run_demo
from accord.spec import example_agreements_dir, validate_paths

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


def _console() -> Console:
    return Console(highlight=False)


@agreements_app.command("validate")
def agreements_validate(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Agreement files, or directories searched for *.yaml and *.yml."),
    ],
) -> None:
    """Check agreement files: `ok` per valid file, else every problem with file, line and field."""
    reports = validate_paths(paths)
    render.file_reports(_console(), reports)
    if any(not report.ok for report in reports):
        raise typer.Exit(1)


@app.command()
def evaluate(
    agreements: Annotated[
        list[Path],
        typer.Option("--agreements", "-a", help="Agreement file or directory (repeatable)."),
    ],
    events: Annotated[
        Path, typer.Option("--events", "-e", help="Event log: .csv, .jsonl (optionally .gz).")
    ],
    at: Annotated[
        str,
        typer.Option("--at", help="Evaluate as of this instant, with an offset or Z."),
    ],
    timezone: Annotated[
        str | None,
        typer.Option(help="IANA zone for naive timestamps in the log and in --at."),
    ] = None,
    clocks: Annotated[
        Path | None, typer.Option("--clocks", help="Write the clocks CSV here.")
    ] = None,
    compliance: Annotated[
        Path | None, typer.Option("--compliance", help="Write the compliance CSV here.")
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
    console.print(render.compliance_table(outcome.result.compliance, _title(outcome.result)))
    render.summary(console, outcome, str(events))
    _write_outputs(console, outcome.result, clocks, compliance)
    if outcome.read.issues:
        raise typer.Exit(1)


@app.command()
def demo(
    out: Annotated[
        Path, typer.Option("--out", help="Directory for events.csv, clocks.csv, compliance.csv.")
    ] = Path("accord-demo"),
) -> None:
    """Validate the bundled agreements, evaluate a generated year (2026) of events, show it."""
    console = _console()
    console.print("Checking the bundled agreements:")
    bars = render.RunProgress(console, enabled=console.is_terminal)
    with bars.running():
        outcome = run_demo(out, evaluate_progress=bars.on_evaluate)
    render.file_reports(console, outcome.reports)
    if outcome.run is None:
        raise typer.Exit(1)
    result = outcome.run.result
    console.print(render.compliance_table(result.compliance, _title(result)))
    render.summary(console, outcome.run, str(outcome.events_path))
    render.line(console, f"wrote the event log to {outcome.events_path}")
    _write_outputs(console, result, out / "clocks.csv", out / "compliance.csv")
    render.line(
        console,
        f"Try: accord evaluate --agreements {example_agreements_dir()} "
        f"--events {outcome.events_path} --at {DEMO_AS_OF:%Y-%m-%dT%H:%M:%SZ}",
    )


def _title(result: EvaluationResult) -> str:
    return f"Compliance as of {result.as_of:%Y-%m-%d %H:%M:%S} UTC"


def _write_outputs(
    console: Console, result: EvaluationResult, clocks: Path | None, compliance: Path | None
) -> None:
    if clocks is not None:
        render.written(console, "clocks", clocks, write_clocks_csv(result, clocks))
    if compliance is not None:
        render.written(console, "compliance", compliance, write_compliance_csv(result, compliance))


def run() -> None:
    """Console-script entry point (`accord`)."""
    app()
