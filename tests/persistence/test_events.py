"""Events in storage: added once whatever is sent twice, loaded back exactly, on every database."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accord.domain.events import EVENT_CODES, EventKind
from accord.engine.events import EventTable
from accord.ingest.sources import EventColumns
from accord.persistence.db import make_engine
from accord.persistence.migrate import upgrade
from accord.persistence.records import EventRecord
from accord.persistence.repositories import (
    AddResult,
    EventRepository,
    EventRow,
    ImportRepository,
    dedupe_key,
)
from accord.persistence.repositories.events import ITEM_LOOKUP_CHUNK
from tests.builders import instant, ns

# 2026-03-02 09:00:00.123456789 UTC: nanoseconds that a microsecond timestamp would lose.
T0 = ns("2026-03-02T09:00:00Z") + 123_456_789
MINUTE = 60 * 1_000_000_000

ROWS = [
    EventRow("INC1", T0, EventKind.CREATED),
    EventRow("INC1", T0, EventKind.PRIORITY, "P2"),
    EventRow("INC1", T0 + 40 * MINUTE, EventKind.RESPONDED),
    EventRow("INC1", T0 + 120 * MINUTE, EventKind.STATE, "awaiting customer"),
    EventRow("INC2", T0 + 1, EventKind.CREATED),
    EventRow("INC2", T0 + 2, EventKind.FIELD, "service=web"),
]


def rows_of(table: EventTable) -> list[tuple[str, int, EventKind, str]]:
    kinds = list(EventKind)
    return [
        (
            table.item_ids[int(table.item[i])],
            int(table.at[i]),
            kinds[int(table.kind[i])],
            table.values[int(table.value[i])] if table.value[i] >= 0 else "",
        )
        for i in range(len(table))
    ]


def test_event_codes_are_never_renumbered() -> None:
    # Stored events hold these codes: a new kind must take a new number, never an old one.
    assert {kind.value: code for kind, code in EVENT_CODES.items() if code < 8} == {
        "created": 0,
        "priority": 1,
        "field": 2,
        "state": 3,
        "responded": 4,
        "resolved": 5,
        "closed": 6,
        "reopened": 7,
    }


def test_the_same_rows_twice_are_added_once(session: Session) -> None:
    events = EventRepository(session)
    assert events.add_events("servicenow", ROWS) == AddResult(added=6, duplicates=0)
    assert events.add_events("servicenow", ROWS) == AddResult(added=0, duplicates=6)
    assert events.count() == 6


def test_an_overlapping_later_batch_adds_only_what_is_new(session: Session) -> None:
    events = EventRepository(session)
    events.add_events("servicenow", ROWS[:4])
    later = [*ROWS[2:], EventRow("INC2", T0 + 3 * MINUTE, EventKind.RESOLVED)]
    assert events.add_events("servicenow", later) == AddResult(added=3, duplicates=2)


def test_a_row_repeated_within_one_batch_counts_once(session: Session) -> None:
    result = EventRepository(session).add_events("jira", [ROWS[0], ROWS[1], ROWS[0]])
    assert result == AddResult(added=2, duplicates=1)


def test_a_batch_of_stored_and_new_items_adds_only_what_is_new(session: Session) -> None:
    events = EventRepository(session)
    events.add_events("servicenow", ROWS[:3])  # INC1, partly
    later = [
        *ROWS,  # INC1 (three stored, one new) and INC2 (new)
        EventRow("INC3", T0, EventKind.CREATED),
        EventRow("INC3", T0, EventKind.CREATED),  # twice in the batch
    ]
    assert events.add_events("servicenow", later) == AddResult(added=4, duplicates=4)
    table = events.load_table()
    assert table.item_ids == ("INC1", "INC2", "INC3")
    assert len(table) == 7


def test_events_given_as_columns_are_added_as_rows_are(session: Session) -> None:
    events = EventRepository(session)
    columns = EventColumns()
    for row in ROWS:
        columns.append(row.item_id, row.at_ns, row.kind, row.value, row.event_id)
    assert events.add_event_columns("servicenow", columns) == AddResult(added=6, duplicates=0)
    assert events.add_events("servicenow", ROWS) == AddResult(added=0, duplicates=6)
    assert events.add_event_columns("servicenow", EventColumns()) == AddResult(0, 0)
    assert sorted(rows_of(events.load_table())) == sorted(
        (row.item_id, row.at_ns, row.kind, row.value) for row in ROWS
    )


def test_source_event_ids_decide_identity_when_given(session: Session) -> None:
    events = EventRepository(session)
    alike = [
        EventRow("INC1", T0, EventKind.STATE, "new", event_id="a1"),
        EventRow("INC1", T0, EventKind.STATE, "new", event_id="a2"),
    ]
    assert events.add_events("zendesk", alike) == AddResult(added=2, duplicates=0)
    # The same id again is the same event, even with a corrected value.
    corrected = [EventRow("INC1", T0, EventKind.STATE, "open", event_id="a1")]
    assert events.add_events("zendesk", corrected) == AddResult(added=0, duplicates=1)
    table = events.load_table()
    assert rows_of(table) == [
        ("INC1", T0, EventKind.STATE, "new"),
        ("INC1", T0, EventKind.STATE, "new"),
    ]


def test_an_event_id_twice_in_one_batch_keeps_its_first_value(session: Session) -> None:
    events = EventRepository(session)
    twice = [
        EventRow("INC1", T0, EventKind.STATE, "new", event_id="a1"),
        EventRow("INC1", T0, EventKind.STATE, "open", event_id="a1"),
    ]
    assert events.add_events("zendesk", twice) == AddResult(added=1, duplicates=1)
    assert rows_of(events.load_table()) == [("INC1", T0, EventKind.STATE, "new")]


def test_history_gives_back_the_stored_events_of_the_named_items(session: Session) -> None:
    events = EventRepository(session)
    events.add_events("servicenow", ROWS)
    events.add_events(
        "servicenow", [EventRow("INC1", T0 - MINUTE, EventKind.STATE, "new", event_id="e7")]
    )
    events.add_events("jira", [EventRow("INC2", T0, EventKind.CREATED)])

    history = events.history("servicenow", ["INC1", "INC9"])

    assert list(history) == ["INC1"]  # an item never stored is absent
    assert history["INC1"] == [
        EventRow("INC1", T0 - MINUTE, EventKind.STATE, "new", event_id="e7"),
        EventRow("INC1", T0, EventKind.CREATED),
        EventRow("INC1", T0, EventKind.PRIORITY, "P2"),
        EventRow("INC1", T0 + 40 * MINUTE, EventKind.RESPONDED),
        EventRow("INC1", T0 + 120 * MINUTE, EventKind.STATE, "awaiting customer"),
    ]
    assert events.history("jira", ["INC1", "INC2"]) == {
        "INC2": [EventRow("INC2", T0, EventKind.CREATED)]
    }
    assert events.history("servicenow", []) == {}


def test_history_answers_for_more_items_than_one_query_takes(session: Session) -> None:
    events = EventRepository(session)
    count = ITEM_LOOKUP_CHUNK + 10
    events.add_events(
        "servicenow", [EventRow(f"I{i}", T0 + i, EventKind.CREATED) for i in range(count)]
    )

    history = events.history("servicenow", [f"I{i}" for i in range(count + 5)])

    assert len(history) == count
    assert history[f"I{count - 1}"] == [
        EventRow(f"I{count - 1}", T0 + count - 1, EventKind.CREATED)
    ]


def test_a_failed_batch_leaves_nothing_behind_and_the_next_goes_in(session: Session) -> None:
    events = EventRepository(session)
    with pytest.raises(IntegrityError), session.begin_nested():
        events.add_events("servicenow", ROWS, import_pk=999_999)  # no such import
    assert events.add_events("servicenow", ROWS) == AddResult(added=6, duplicates=0)
    assert events.add_events("servicenow", ROWS[:2]) == AddResult(added=0, duplicates=2)
    assert events.count() == 6


def test_the_same_item_id_in_two_sources_is_two_items(session: Session) -> None:
    events = EventRepository(session)
    events.add_events("jira", [ROWS[0]])
    assert events.add_events("zendesk", [ROWS[0]]) == AddResult(added=1, duplicates=0)
    table = events.load_table()
    assert table.item_ids == ("jira:INC1", "zendesk:INC1")
    assert events.load_table(sources=["zendesk"]).item_ids == ("INC1",)


def test_dedupe_keys_use_the_source_id_else_a_hash_of_the_row() -> None:
    assert dedupe_key(EventRow("I", 5, EventKind.STATE, "new", event_id="e-9")) == "id:e-9"
    key = dedupe_key(EventRow("I", 5, EventKind.STATE, "new"))
    assert key.startswith("h:")
    assert len(key) == 42
    assert key == dedupe_key(EventRow("other item", 5, EventKind.STATE, "new"))
    assert key != dedupe_key(EventRow("I", 5, EventKind.STATE, "old"))
    # A value on a kind that carries none is ignored, as it is in a table.
    assert dedupe_key(EventRow("I", 5, EventKind.RESOLVED, "x")) == dedupe_key(
        EventRow("I", 5, EventKind.RESOLVED)
    )


def test_load_table_gives_back_every_instant_to_the_nanosecond(session: Session) -> None:
    events = EventRepository(session)
    far = [
        EventRow("OLD", -1, EventKind.CREATED),  # 1969-12-31T23:59:59.999999999Z
        EventRow("OLD", 2**62, EventKind.RESOLVED),
    ]
    events.add_events("servicenow", [*ROWS, *far])
    table = events.load_table()
    assert table.at.dtype == np.int64
    assert sorted(rows_of(table)) == sorted(
        (row.item_id, row.at_ns, row.kind, row.value) for row in [*ROWS, *far]
    )
    assert table.item_ids == ("INC1", "INC2", "OLD")


def test_load_table_until_keeps_the_events_at_or_before_the_instant(session: Session) -> None:
    events = EventRepository(session)
    events.add_events("servicenow", ROWS)
    table = events.load_table(until_ns=T0 + 40 * MINUTE)
    assert [row[2] for row in rows_of(table)] == [
        EventKind.CREATED,
        EventKind.PRIORITY,
        EventKind.RESPONDED,
        EventKind.CREATED,
        EventKind.FIELD,
    ]


def test_events_at_one_instant_keep_their_order_of_arrival(session: Session) -> None:
    events = EventRepository(session)
    events.add_events(
        "servicenow",
        [
            EventRow("INC1", T0, EventKind.STATE, "in progress"),
            EventRow("INC1", T0, EventKind.STATE, "awaiting customer"),
            EventRow("INC1", T0, EventKind.CREATED),
        ],
    )
    table = events.load_table()
    assert rows_of(table) == [
        ("INC1", T0, EventKind.CREATED, ""),
        ("INC1", T0, EventKind.STATE, "in progress"),
        ("INC1", T0, EventKind.STATE, "awaiting customer"),
    ]


def test_an_empty_store_loads_an_empty_table(session: Session) -> None:
    table = EventRepository(session).load_table()
    assert len(table) == 0
    assert table.item_ids == ()


def test_events_remember_their_import(session: Session) -> None:
    run = ImportRepository(session).start(
        source="servicenow",
        file_name="log.csv",
        timezone="UTC",
        started_at=instant("2026-04-01T00:00:00Z"),
    )
    EventRepository(session).add_events("servicenow", ROWS[:2], import_pk=run.pk)
    stored = session.scalars(select(EventRecord.import_pk)).all()
    assert stored == [run.pk, run.pk]


@pytest.mark.parametrize("half_stored", [False, True], ids=["new items", "stored items"])
def test_concurrent_imports_of_the_same_events_count_each_event_once(
    empty_database_url: str, half_stored: bool
) -> None:
    """Both transactions add the same 2,000 events: on new items (created by the first, awaited
    by the second) or on items stored before with every other event (both race on them)."""
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    rows = [
        EventRow(f"INC{i // 4}", T0 + i * MINUTE, EventKind.STATE, f"s{i % 3}")
        for i in range(2_000)
    ]
    before = rows[::2] if half_stored else []
    with Session(engine) as session, session.begin():
        EventRepository(session).add_events("servicenow", before)
    new = len(rows) - len(before)
    start = threading.Barrier(2)
    results: list[AddResult] = []

    def run() -> None:
        with Session(engine) as session, session.begin():
            start.wait()
            results.append(EventRepository(session).add_events("servicenow", rows))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=lambda r: r.added) == [
        AddResult(0, 2_000),
        AddResult(new, 2_000 - new),
    ]
    with Session(engine) as session:
        assert EventRepository(session).count() == 2_000
    engine.dispose()
