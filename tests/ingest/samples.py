"""Event logs shared by the ingest, reports and CLI tests: the issue's example, as written."""

from __future__ import annotations

from pathlib import Path

from accord.engine.events import EventTable
from accord.ingest.eventlog import iter_event_rows
from accord.spec import example_agreements_dir

HEADER = "item_id,at,event,value\n"

ISSUE_LOG = """\
item_id,at,event,value
INC1,2026-03-02T09:00:00+01:00,created,
INC1,2026-03-02T09:00:00+01:00,priority,P2
INC1,2026-03-02T09:40:00+01:00,responded,
INC1,2026-03-02T11:00:00+01:00,state,awaiting customer
INC1,2026-03-03T11:00:00+01:00,state,in progress
INC1,2026-03-04T09:30:00+01:00,resolved,
"""

# The issue's example agreement is bundled verbatim as this file.
ISSUE_AGREEMENT = example_agreements_dir() / "it-service-desk-for-sales.yaml"


def write(path: Path, text: str) -> Path:
    """Write `text` to `path` (UTF-8, as given) and return the path."""
    path.write_text(text, encoding="utf-8", newline="")
    return path


def issue_setup(tmp_path: Path) -> tuple[Path, Path]:
    """A directory holding only the issue's agreement, and the issue's event log beside it."""
    agreements = tmp_path / "agreements"
    agreements.mkdir()
    write(agreements / "service-desk.yaml", ISSUE_AGREEMENT.read_text(encoding="utf-8"))
    return agreements, write(tmp_path / "events.csv", ISSUE_LOG)


def event_rows(table: EventTable) -> list[tuple[str, str, str, str]]:
    """A table's events as `(item_id, at, event, value)` text rows, in table order."""
    return list(iter_event_rows(table))
