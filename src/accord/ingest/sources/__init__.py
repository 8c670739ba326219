"""Service-desk exports -> item events, through mappings (built-in or user-written YAML).

A mapping says which columns hold the item, its instants, state, priority and fields, and
which values mean responded, resolved or closed; rows are streamed in chunks, never loaded
whole. Must not import persistence or services: the history of stored items is passed in.
"""

from accord.ingest.eventlog import RowIssue
from accord.ingest.sources.columns import EventColumns, History, SourceEvent, StoredEvent
from accord.ingest.sources.mappings import (
    BUILTIN_DIR,
    BUILTIN_SOURCES,
    MAPPED_SOURCES,
    NATIVE_SOURCE,
    SourceMapping,
    builtin_mapping,
    builtin_mapping_path,
    load_mapping,
    load_mapping_text,
)
from accord.ingest.sources.reader import SourceChunk, SourceReader, open_source, read_events

__all__ = [
    "BUILTIN_DIR",
    "BUILTIN_SOURCES",
    "MAPPED_SOURCES",
    "NATIVE_SOURCE",
    "EventColumns",
    "History",
    "RowIssue",
    "SourceChunk",
    "SourceEvent",
    "SourceMapping",
    "SourceReader",
    "StoredEvent",
    "builtin_mapping",
    "builtin_mapping_path",
    "load_mapping",
    "load_mapping_text",
    "open_source",
    "read_events",
]
