"""Inputs to item events: event-log files (CSV, JSON lines) and seeded synthetic logs.

Turns outside data into `accord.engine.events.EventTable` columns; computes no clocks.
"""

from accord.ingest.eventlog import (
    ReadResult,
    RowIssue,
    read_event_log,
    read_event_rows,
    write_event_log,
)
from accord.ingest.instants import format_instants, parse_instant

__all__ = [
    "ReadResult",
    "RowIssue",
    "format_instants",
    "parse_instant",
    "read_event_log",
    "read_event_rows",
    "write_event_log",
]
