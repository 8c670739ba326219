"""Item events: add them idempotently in batches, give back an item's stored history, load
them all as one columnar `EventTable`.

Owns event identity in storage (`dedupe_key`) and the exact counts of added and duplicate
events. It must not interpret events (the engine does) nor parse files (ingest does).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from typing import NamedTuple, Protocol

import numpy as np
import psycopg
from sqlalchemy import Connection, Select, case, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from accord.domain.events import EVENT_CODES, VALUED_KINDS, EventKind
from accord.engine.events import EventTable
from accord.persistence.records import Base, EventRecord, ItemRecord

# Item ids per SELECT ... IN (...): below SQLite's and PostgreSQL's bound-parameter limits.
ITEM_LOOKUP_CHUNK = 5_000

_KIND_BY_CODE = {code: kind for kind, code in EVENT_CODES.items()}

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


class EventBatch(Protocol):
    """Events as parallel columns, entry i of each being event i (`EventRow`'s fields)."""

    @property
    def item_id(self) -> Sequence[str]: ...
    @property
    def at_ns(self) -> Sequence[int]: ...
    @property
    def kind(self) -> Sequence[EventKind]: ...
    @property
    def value(self) -> Sequence[str]: ...
    @property
    def event_id(self) -> Sequence[str | None]: ...


@dataclass(frozen=True, slots=True)
class _Columns:
    """An `EventBatch` made of rows."""

    item_id: list[str]
    at_ns: list[int]
    kind: list[EventKind]
    value: list[str]
    event_id: list[str | None]


class _Stored(NamedTuple):
    """Events as columns in their stored form: kind codes, '' for kinds without a value."""

    item_id: Sequence[str]
    at_ns: Sequence[int]
    kind: Sequence[int]
    value: Sequence[str]
    key: Sequence[str]


def dedupe_key(row: EventRow) -> str:
    """The identity of an event within its item (SEMANTICS.md: the same event counts once).

    `id:<event id>` when the source gives one; else `h:` and the SHA-1 of `at_ns|kind|value`,
    so that an identical row is the same event.
    """
    value = row.value if row.kind in VALUED_KINDS else ""
    return _dedupe_key(row.at_ns, row.kind, value, row.event_id)


def _dedupe_key(at_ns: int, kind: EventKind, value: str, event_id: str | None) -> str:
    """`dedupe_key` of an event whose `value` is already '' for a kind that carries none."""
    if event_id:
        return f"id:{event_id}"
    text = f"{at_ns}|{kind.value}|{value}"
    return "h:" + hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


# PostgreSQL: rows go in by COPY (no per-value parameter adaptation). The events of items this
# call creates are copied straight into `events`; the others into a temporary table first, for
# an INSERT ... ON CONFLICT from it. That table lives until the end of the call and is dropped
# at commit or rollback in any case (ON COMMIT DROP; a rollback undoes its creation).
_PG_ADD_ITEMS = """
INSERT INTO items (source, external_id)
SELECT %(source)s, b.external_id FROM unnest(CAST(%(ids)s AS text[])) AS b(external_id)
ORDER BY b.external_id
ON CONFLICT (source, external_id) DO NOTHING
RETURNING external_id, pk
"""
# Binary COPY: the rows' types as the columns', so that neither side formats nor parses text.
_PG_COPY_EVENTS = (
    "COPY events (item_pk, at_ns, kind, value, dedupe_key, import_pk) FROM STDIN (FORMAT BINARY)"
)
_PG_EVENT_TYPES = ("int4", "int8", "int2", "text", "text", "int4")
_PG_STAGE = """
CREATE TEMPORARY TABLE accord_event_batch (
    external_id text, at_ns bigint, kind smallint, value text, dedupe_key text, n integer
) ON COMMIT DROP
"""
_PG_COPY_STAGE = (
    "COPY accord_event_batch (external_id, at_ns, kind, value, dedupe_key, n) "
    "FROM STDIN (FORMAT BINARY)"
)
_PG_STAGE_TYPES = ("text", "int8", "int2", "text", "text", "int4")
_PG_ADD_EVENTS = """
INSERT INTO events (item_pk, at_ns, kind, value, dedupe_key, import_pk)
SELECT i.pk, b.at_ns, b.kind, b.value, b.dedupe_key, CAST(%(import_pk)s AS integer)
FROM accord_event_batch AS b
JOIN items AS i ON i.source = %(source)s AND i.external_id = b.external_id
ORDER BY i.pk, b.n
ON CONFLICT (item_pk, dedupe_key) DO NOTHING
"""
_PG_UNSTAGE = "DROP TABLE accord_event_batch"
# History in two steps that stay cheap in the generic plan the server caches after a few
# batches: there `external_id = ANY($2)` would compare every stored item of the source with
# every id (a second per batch once 20,000 items are stored), whereas a join with the ids is
# hashed; the events then come by index on item_pk.
_PG_ITEM_PKS = """
SELECT i.pk, i.external_id
FROM unnest(CAST(%(ids)s AS text[])) AS b(external_id)
JOIN items AS i ON i.source = %(source)s AND i.external_id = b.external_id
"""
_PG_HISTORY = """
SELECT item_pk, at_ns, kind, value, dedupe_key FROM events
WHERE item_pk = ANY(CAST(%(pks)s AS integer[]))
ORDER BY item_pk, at_ns, pk
"""

# SQLite: executemany of the driver's own SQL with a tuple per row (a Core insert would
# build and process a parameter dictionary per row, half the time of a large batch).
_SQLITE_ADD_ITEMS = """
INSERT INTO items (source, external_id) VALUES (?, ?)
ON CONFLICT (source, external_id) DO NOTHING
"""
_SQLITE_ITEM_PKS = "SELECT external_id, pk FROM items WHERE source = ? AND external_id IN ({marks})"
_SQLITE_ADD_EVENTS = """
INSERT INTO events (item_pk, at_ns, kind, value, dedupe_key, import_pk) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (item_pk, dedupe_key) DO NOTHING
"""


class EventRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add_events(
        self, source: str, rows: Sequence[EventRow], import_pk: int | None = None
    ) -> AddResult:
        """Store the rows of one source that are not stored yet; count added and duplicates.

        The rows go in as one batch, as `add_event_columns` describes.
        """
        columns = _Columns(
            [row.item_id for row in rows],
            [row.at_ns for row in rows],
            [row.kind for row in rows],
            [row.value for row in rows],
            [row.event_id for row in rows],
        )
        return self.add_event_columns(source, columns, import_pk)

    def add_event_columns(
        self, source: str, batch: EventBatch, import_pk: int | None = None
    ) -> AddResult:
        """Store the events of one source that are not stored yet; count added and duplicates.

        Steps: 1. drop the repeats of an event within the batch (they count as duplicates);
        2. insert the batch's items, skipping those that exist; 3. insert the events that are
        not stored yet, counting the rows actually inserted (ON CONFLICT DO NOTHING on (item,
        dedupe_key); PostgreSQL copies the events of the items created in step 2 straight in,
        as nothing can conflict with them). The counts are exact even when another transaction
        inserts the same events at the same time: the database decides which insert wins and
        the other waits for it. Events keep their order within an item, which is their order
        of arrival at one instant. On PostgreSQL the items, and the events of items that
        existed, are written in item order so that two concurrent imports take their locks in
        the same order and cannot deadlock. Everything happens in the session's transaction
        (a temporary table on PostgreSQL included); nothing is committed. Columns rather than
        one object per event: a large import then spends its time storing events, not
        building them.
        """
        n = len(batch.item_id)
        if n == 0:
            return AddResult(0, 0)
        connection = self._session.connection()
        dialect = connection.dialect.name
        if dialect == "postgresql":
            added = _add_postgresql(connection, source, batch, import_pk)
        elif dialect == "sqlite":
            added = _add_sqlite(connection, source, batch, import_pk)
        else:
            raise NotImplementedError(
                f"accord stores events in SQLite or PostgreSQL, not {dialect}"
            )
        return AddResult(added=added, duplicates=n - added)

    def history(self, source: str, item_ids: Sequence[str]) -> dict[str, list[EventRow]]:
        """The stored events of these items of `source`, by item id (items not stored are absent).

        Each item's events come in the order `load_table` gives them (instant, then order of
        arrival). Event ids come back from the dedupe key (`id:<event id>`); content-keyed
        events have none. `value` is as stored: '' for kinds that carry none.
        """
        connection = self._session.connection()
        if connection.dialect.name == "postgresql":
            return _history_postgresql(connection, source, item_ids)
        history: dict[str, list[EventRow]] = {}
        for lo in range(0, len(item_ids), ITEM_LOOKUP_CHUNK):
            query = _history_query(source, item_ids[lo : lo + ITEM_LOOKUP_CHUNK])
            for external_id, at_ns, kind, value, key in connection.execute(query):
                history.setdefault(external_id, []).append(
                    _stored_row(external_id, at_ns, kind, value, key)
                )
        return history

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


def _history_query(source: str, item_ids: Sequence[str]) -> Select[str, int, int, str, str]:
    """`history`'s query on databases other than PostgreSQL (ids as bound parameters)."""
    return (
        select(
            _ITEMS.c.external_id,
            _EVENTS.c.at_ns,
            _EVENTS.c.kind,
            _EVENTS.c.value,
            _EVENTS.c.dedupe_key,
        )
        .select_from(_EVENTS.join(_ITEMS, _EVENTS.c.item_pk == _ITEMS.c.pk))
        .where(_ITEMS.c.source == source, _ITEMS.c.external_id.in_(list(item_ids)))
        .order_by(_EVENTS.c.item_pk, _EVENTS.c.at_ns, _EVENTS.c.pk)
    )


def _history_postgresql(
    connection: Connection, source: str, item_ids: Sequence[str]
) -> dict[str, list[EventRow]]:
    """`history` on PostgreSQL: the items' keys, then their events (none: no second query)."""
    params = {"source": source, "ids": list(item_ids)}
    names: dict[int, str] = dict(connection.exec_driver_sql(_PG_ITEM_PKS, params).all())
    history: dict[str, list[EventRow]] = {}
    if names:
        result = connection.exec_driver_sql(_PG_HISTORY, {"pks": list(names)})
        for item_pk, at_ns, kind, value, key in result:
            external_id = names[item_pk]
            history.setdefault(external_id, []).append(
                _stored_row(external_id, at_ns, kind, value, key)
            )
    return history


def _stored_row(external_id: str, at_ns: int, kind: int, value: str, key: str) -> EventRow:
    """A stored event as the source gave it: its id back from an `id:` key."""
    event_id = key[3:] if key.startswith("id:") else None
    return EventRow(external_id, at_ns, _KIND_BY_CODE[kind], value, event_id)


def _unique(batch: EventBatch) -> _Stored:
    """The batch's events as stored, an event repeated within the batch only the first time
    (as the unique constraint would keep it)."""
    kinds = batch.kind
    codes = [EVENT_CODES[kind] for kind in kinds]
    values = [
        value if kind in VALUED_KINDS else ""
        for kind, value in zip(kinds, batch.value, strict=True)
    ]
    keys = [
        _dedupe_key(at_ns, kind, value, event_id)
        for at_ns, kind, value, event_id in zip(
            batch.at_ns, kinds, values, batch.event_id, strict=True
        )
    ]
    stored = _Stored(batch.item_id, batch.at_ns, codes, values, keys)
    # An event's identity as one string (the length makes item + key unambiguous): strings,
    # unlike tuples, give the garbage collector nothing to scan in a large batch.
    identities = [f"{len(item)}:{item}{key}" for item, key in zip(batch.item_id, keys, strict=True)]
    if len(set(identities)) == len(identities):
        return stored  # the usual case: no event twice
    seen: set[str] = set()
    first: list[int] = []
    for i, identity in enumerate(identities):
        if identity not in seen:
            seen.add(identity)
            first.append(i)
    return _Stored(
        [stored.item_id[i] for i in first],
        [stored.at_ns[i] for i in first],
        [codes[i] for i in first],
        [values[i] for i in first],
        [keys[i] for i in first],
    )


def _add_postgresql(
    connection: Connection, source: str, batch: EventBatch, import_pk: int | None
) -> int:
    """PostgreSQL: create the missing items; COPY the events of those straight into `events`,
    the others through a temporary table and INSERT ... ON CONFLICT DO NOTHING.

    The events of an item this call creates cannot conflict with anything: no other
    transaction can hold events of an item that did not exist (an item is created once, and
    others see it only once this transaction commits), and `_unique` leaves each event once.
    So they need neither ON CONFLICT (a speculative insertion per row) nor a staging table,
    and all of them count as added. Only the events of existing items can meet another
    transaction's, and those go in item order.
    """
    stored = _unique(batch)
    item_ids = sorted(set(stored.item_id))
    result = connection.exec_driver_sql(_PG_ADD_ITEMS, {"source": source, "ids": item_ids})
    created: dict[str, int] = dict(result.all())
    is_new = [item in created for item in stored.item_id]
    added = 0
    if created:
        fresh = compress(zip(*stored, strict=True), is_new)
        rows = (
            (created[item], at_ns, kind, value, key, import_pk)
            for item, at_ns, kind, value, key in fresh
        )
        _copy(connection, _PG_COPY_EVENTS, _PG_EVENT_TYPES, rows)
        added += is_new.count(True)
    if len(created) < len(item_ids):
        connection.exec_driver_sql(_PG_STAGE)
        numbered = zip(*stored, range(len(is_new)), strict=True)
        staged = compress(numbered, [not new for new in is_new])
        _copy(connection, _PG_COPY_STAGE, _PG_STAGE_TYPES, staged)
        params = {"source": source, "import_pk": import_pk}
        added += connection.exec_driver_sql(_PG_ADD_EVENTS, params).rowcount
        connection.exec_driver_sql(_PG_UNSTAGE)
    return added


def _copy(
    connection: Connection,
    statement: str,
    types: Sequence[str],
    rows: Iterable[Sequence[object]],
) -> None:
    """COPY `rows` (of PostgreSQL `types`) in through the psycopg connection under
    `connection`, in its transaction; a driver error comes out as SQLAlchemy's, as from
    `exec_driver_sql`."""
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)  # the psycopg 3 driver (db.normalise_url)
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as error:
        wrapped = DBAPIError.instance(statement, None, error, psycopg.Error)
        raise wrapped from error


def _add_sqlite(
    connection: Connection, source: str, batch: EventBatch, import_pk: int | None
) -> int:
    """SQLite: executemany of one-row INSERTs; the rows changed count the events added."""
    stored = _unique(batch)
    item_ids = sorted(set(stored.item_id))
    connection.exec_driver_sql(_SQLITE_ADD_ITEMS, [(source, item) for item in item_ids])
    pks: dict[str, int] = {}
    for lo in range(0, len(item_ids), ITEM_LOOKUP_CHUNK):
        chunk = item_ids[lo : lo + ITEM_LOOKUP_CHUNK]
        query = _SQLITE_ITEM_PKS.format(marks=", ".join("?" * len(chunk)))
        result = connection.exec_driver_sql(query, (source, *chunk))
        pks.update((external_id, pk) for external_id, pk in result)
    item_pks = map(pks.__getitem__, stored.item_id)
    _, at_ns, kinds, values, keys = stored
    rows = list(zip(item_pks, at_ns, kinds, values, keys, repeat(import_pk)))
    return connection.exec_driver_sql(_SQLITE_ADD_EVENTS, rows).rowcount
