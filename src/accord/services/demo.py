"""The demo: a fresh SQLite workspace with the bundled agreements and a generated year of events.

Goes through the same use cases a user does (init, apply, import, evaluate, report), so the
demo proves them end to end. Renders nothing: the entry point writes the files.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from accord.domain.access import Principal
from accord.errors import AccordError
from accord.services.agreements import ApplyOutcome, apply_agreements
from accord.services.evaluation import EvaluationResult, Progress
from accord.services.imports import ImportSummary, import_file
from accord.services.lifecycle import activate_applied
from accord.services.reports import ComplianceReport, build_report
from accord.services.runs import DEMO_AS_OF, DEMO_YEAR, write_demo_log
from accord.services.stored import load_evaluation
from accord.services.workspace import Workspace, init_workspace
from accord.settings import Settings
from accord.spec import FileReport, example_agreements_dir, validate_paths

DEMO_MARKER = ".accord-demo"  # a folder holding this file may be recreated by the demo
DEMO_REPORT_MONTH = (DEMO_YEAR, 12)
DEMO_APPLIED_AT = datetime(DEMO_YEAR - 1, 12, 1, tzinfo=UTC)  # agreed before the year began


@dataclass(frozen=True, slots=True)
class WorkspaceDemo:
    """What the demo did; `result` is None when a bundled agreement did not validate."""

    root: Path
    reports: list[FileReport]
    applied: list[ApplyOutcome]
    events_path: Path
    imported: ImportSummary | None
    result: EvaluationResult | None
    report: ComplianceReport | None


def prepare_folder(root: Path) -> None:
    """Make `root` an empty folder for the demo; a previous demo's folder is replaced.

    Refuse a non-empty folder that a demo did not create: the demo never deletes user data.
    """
    if root.exists() and any(root.iterdir()):
        if not (root / DEMO_MARKER).exists():
            raise AccordError(
                f"{root} is not empty and was not made by `accord demo`; choose another --out"
            )
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / DEMO_MARKER).write_text("made by `accord demo`; it may replace this folder\n")


def run_workspace_demo(
    root: Path,
    *,
    scale: float = 1.0,
    import_progress: Callable[[int], None] | None = None,
    evaluate_progress: Progress | None = None,
) -> WorkspaceDemo:
    """Run the demo in `root` on SQLite (whatever ACCORD_DATABASE_URL says).

    1. validate the bundled agreements (stop here if one is broken);
    2. create a fresh workspace, apply them and activate them (version 1, in force before
       the year);
    3. write a seeded year of events to `root/events.csv` and import it like any export;
    4. evaluate the workspace at the end of the year and build December's report.
    """
    reports = validate_paths([example_agreements_dir()])
    events_path = root / "events.csv"
    if not reports or not all(report.ok for report in reports):
        return WorkspaceDemo(root, reports, [], events_path, None, None, None)
    prepare_folder(root)
    workspace = init_workspace(root, Settings(database_url=None)).workspace
    try:
        with _transaction(workspace) as session:
            applied = apply_agreements(
                session, [example_agreements_dir()], actor="demo", now=DEMO_APPLIED_AT
            )
            # The demo has no parties to sign: its operator activates them, as an admin may.
            activate_applied(session, Principal.operator("demo"), applied, now=DEMO_APPLIED_AT)
        agreements = [r.agreement for r in reports if r.agreement is not None]
        write_demo_log(root, agreements, scale=scale)
        imported = import_file(
            lambda: _transaction(workspace),
            events_path,
            "events",
            timezone=None,
            progress=import_progress,
        )
        with _transaction(workspace) as session:
            evaluation = load_evaluation(session, DEMO_AS_OF, progress=evaluate_progress)
        report = build_report(
            evaluation.agreements,
            evaluation.table,
            evaluation.result,
            DEMO_REPORT_MONTH,
            generated_at=DEMO_AS_OF,
        )
    finally:
        workspace.dispose()
    return WorkspaceDemo(root, reports, applied, events_path, imported, evaluation.result, report)


@contextmanager
def _transaction(workspace: Workspace) -> Iterator[Session]:
    with workspace.session_factory().begin() as session:
        yield session
