"""Item events: add them idempotently in batches, load them back as one columnar `EventTable`.

Owns event identity in storage (`dedupe_key`) and the exact counts of added and duplicate
events. It must not interpret events (the engine does) nor parse files (ingest does).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, case, func, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from accord.domain.events import EVENT_CODES, VALUED_KINDS, EventKind
from accord.engine.events import EventTable
from accord.persistence.records import Base, EventRecord, ItemRecord

# Item ids per SELECT ... IN (...): below SQLite's and PostgreSQL's bound-parameter limits.
ITEM_LOOKUP_CHUNK = 5_000

_EVENTS = Base.metadata.tables[EventRecord.__tablename__]
_ITEMS = Base.metadata.tables[ItemRecord.__tablename__]


@dataclass(frozen=True, slots=True)
class EventRow:
    """One event as a source gives it: `at_ns` UTC nanoseconds, `event_id` the source's id.

    `value` matters only for kinds that carry one (priority, field, state); it is stored as ''
    for the others.
    """

    item_id: str
    at_ns: int
    kind: EventKind
    value: str = ""
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class AddResult:
    """`added` events were new; `duplicates` were already stored (or repeated in the batch)."""

    added: int
    duplicates: int


def dedupe_key(row: EventRow) -> str:
    """The identity of an event within its item (SEMANTICS.md: the same event counts once).

    `id:<event id>` when the source gives one; else `h:` and the SHA-1 of `at_ns|kind|value`,
    so that an identical row is the same event.
    """
    if row.event_id:
        return f"id:{row.event_id}"
    value = row.value if row.kind in VALUED_KINDS else ""
    text = f"{row.at_ns}|{row.kind.value}|{value}"
    return "h:" + hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


# PostgreSQL: one statement per batch with the columns as arrays (psycopg parses a short
# query once instead of a VALUES list with tens of thousands of placeholders).
_PG_ADD_ITEMS = """
INSERT INTO items (source, external_id)
SELECT %(source)s, b.external_id FROM unnest(CAST(%(ids)s AS text[])) AS b(external_id)
ON CONFLICT (source, external_id) DO NOTHING
"""
_PG_ADD_EVENTS = """
INSERT INTO events (item_pk, at_ns, kind, value, dedupe_key, import_pk)
SELECT i.pk, b.at_ns, b.kind, b.value, b.dedupe_key, CAST(%(import_pk)s AS integer)
FROM unnest(
    CAST(%(item_id)s AS text[]), CAST(%(at_ns)s AS bigint[]), CAST(%(kind)s AS smallint[]),
    CAST(%(value)s AS text[]), CAST(%(dedupe_key)s AS text[])
) WITH ORDINALITY AS b(external_id, at_ns, kind, value, dedupe_key, n)
JOIN items i ON i.source = %(source)s AND i.external_id = b.external_id
ORDER BY i.pk, b.n
ON CONFLICT (item_pk, dedupe_key) DO NOTHING
"""


class EventRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add_events(
        self, source: str, rows: Sequence[EventRow], import_pk: int | None = None
    ) -> AddResult:
        """Store the rows of one source that are not stored yet; count added and duplicates.

        Steps: 1. insert the batch's items, skipping those that exist; 2. insert the events
        with ON CONFLICT DO NOTHING on (item, dedupe_key), counting the rows actually
        inserted. The counts are exact even when another transaction inserts the same events
        at the same time: the database decides which insert wins and the other waits for it.
        Events keep their order within an item, which is their order of arrival at one instant.
        On PostgreSQL rows are written in item order so that two concurrent imports take their
        locks in the same order and cannot deadlock.
        """
        if not rows:
            return AddResult(0, 0)
        connection = self._session.connection()
        item_ids = sorted(dict.fromkeys(row.item_id for row in rows))
        columns: dict[str, list[Any]] = {
            "item_id": [row.item_id for row in rows],
            "at_ns": [row.at_ns for row in rows],
            "kind": [EVENT_CODES[row.kind] for row in rows],
            "value": [row.value if row.kind in VALUED_KINDS else "" for row in rows],
            "dedupe_key": [dedupe_key(row) for row in rows],
        }
        dialect = connection.dialect.name
        if dialect == "postgresql":
            added = _add_postgresql(connection, source, item_ids, columns, import_pk)
        elif dialect == "sqlite":
            added = _add_sqlite(connection, source, item_ids, columns, import_pk)
        else:
            raise NotImplementedError(
                f"accord stores events in SQLite or PostgreSQL, not {dialect}"
            )
        return AddResult(added=added, duplicates=len(rows) - added)

    def count(self, source: str | None = None) -> int:
        """How many events are stored (of one source, when given)."""
        query = select(func.count()).select_from(_EVENTS.join(_ITEMS))
        if source is not None:
            query = query.where(_ITEMS.c.source == source)
        return int(self._session.connection().execute(query).scalar_one())

    def load_table(
        self,
        *,
        until_ns: int | None = None,
        sources: Sequence[str] | None = None,
        item_ids: Sequence[str] | None = None,
    ) -> EventTable:
        """Every stored event (at or before `until_ns`, of `sources`, of the items whose own id
        is in `item_ids`) as one `EventTable`.

        Item ids are the sources' own ids (`external_id`) when the events loaded come from one
        source, and `source:external_id` when they come from several, so that two sources'
        `INC001` stay two items. Items are numbered in the order they were first stored; the
        events of one item and instant keep the order in which they were stored. One ordered
        SELECT feeds the columns.
        """
        is_keyed = _EVENTS.c.dedupe_key.like("id:%")
        query = (
            select(
                _EVENTS.c.item_pk,
                _EVENTS.c.at_ns,
                _EVENTS.c.kind,
                _EVENTS.c.value,
                case((is_keyed, _EVENTS.c.pk), else_=-1),
                _ITEMS.c.source,
                _ITEMS.c.external_id,
            )
            .select_from(_EVENTS.join(_ITEMS, _EVENTS.c.item_pk == _ITEMS.c.pk))
            .order_by(_EVENTS.c.item_pk, _EVENTS.c.at_ns, _EVENTS.c.pk)
        )
        if until_ns is not None:
            query = query.where(_EVENTS.c.at_ns <= until_ns)
        if sources is not None:
            query = query.where(_ITEMS.c.source.in_(list(sources)))
        if item_ids is not None:
            query = query.where(_ITEMS.c.external_id.in_(list(item_ids)))
        rows = self._session.connection().execute(query).all()
        if not rows:
            table, _ = EventTable.from_arrays((), (), [], [], [], [])
            return table
        item_pk, at_ns, kind, value, key, source, external_id = zip(*rows, strict=True)
        return _build_table(item_pk, at_ns, kind, value, key, source, external_id)


def _build_table(
    item_pk: Sequence[int],
    at_ns: Sequence[int],
    kind: Sequence[int],
    value: Sequence[str],
    key: Sequence[int],
    source: Sequence[str],
    external_id: Sequence[str],
) -> EventTable:
    """Columns of rows ordered by item -> an `EventTable` (items numbered in that order)."""
    n = len(item_pk)
    pk_column = np.fromiter(item_pk, dtype=np.int64, count=n)
    is_head = np.r_[True, pk_column[1:] != pk_column[:-1]]
    item = np.cumsum(is_head, dtype=np.int64) - 1
    heads = np.flatnonzero(is_head).tolist()
    qualify = len({source[i] for i in heads}) > 1
    item_ids = [f"{source[i]}:{external_id[i]}" if qualify else external_id[i] for i in heads]
    values = tuple(text for text in dict.fromkeys(value) if text)
    vocabulary = {text: code for code, text in enumerate(values)}
    vocabulary[""] = -1  # kinds that carry no value
    value_codes = np.fromiter(map(vocabulary.__getitem__, value), dtype=np.int32, count=n)
    key_column = np.fromiter(key, dtype=np.int64, count=n)
    table, _ = EventTable.from_arrays(
        item_ids,
        values,
        item.astype(np.int32),
        np.fromiter(at_ns, dtype=np.int64, count=n),
        np.fromiter(kind, dtype=np.int8, count=n),
        value_codes,
        event_key=key_column if bool((key_column >= 0).any()) else None,
    )
    return table


def _add_postgresql(
    connection: Connection,
    source: str,
    item_ids: list[str],
    columns: dict[str, list[Any]],
    import_pk: int | None,
) -> int:
    connection.exec_driver_sql(_PG_ADD_ITEMS, {"source": source, "ids": item_ids})
    params = {**columns, "source": source, "import_pk": import_pk}
    return int(connection.exec_driver_sql(_PG_ADD_EVENTS, params).rowcount)


def _add_sqlite(
    connection: Connection,
    source: str,
    item_ids: list[str],
    columns: dict[str, list[Any]],
    import_pk: int | None,
) -> int:
    """SQLite: multi-row INSERTs (SQLAlchemy's "insertmanyvalues"); RETURNING counts them."""
    add_items = sqlite.insert(_ITEMS).on_conflict_do_nothing(
        index_elements=["source", "external_id"]
    )
    connection.execute(add_items, [{"source": source, "external_id": i} for i in item_ids])
    pks: dict[str, int] = {}
    for lo in range(0, len(item_ids), ITEM_LOOKUP_CHUNK):
        chunk = item_ids[lo : lo + ITEM_LOOKUP_CHUNK]
        query = select(_ITEMS.c.external_id, _ITEMS.c.pk).where(
            _ITEMS.c.source == source, _ITEMS.c.external_id.in_(chunk)
        )
        pks.update((external_id, pk) for external_id, pk in connection.execute(query))
    params = [
        {
            "item_pk": pks[item_id],
            "at_ns": at_ns,
            "kind": kind,
            "value": value,
            "dedupe_key": key,
            "import_pk": import_pk,
        }
        for item_id, at_ns, kind, value, key in zip(
            columns["item_id"],
            columns["at_ns"],
            columns["kind"],
            columns["value"],
            columns["dedupe_key"],
            strict=True,
        )
    ]
    add_events = (
        sqlite.insert(_EVENTS)
        .on_conflict_do_nothing(index_elements=["item_pk", "dedupe_key"])
        .returning(_EVENTS.c.pk)
    )
    return len(connection.execute(add_events, params).all())
