"""Events in storage: added once whatever is sent twice, loaded back exactly, on every database."""

from __future__ import annotations

import threading

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.domain.events import EVENT_CODES, EventKind
from accord.engine.events import EventTable
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


def test_concurrent_imports_of_the_same_events_count_each_event_once(
    empty_database_url: str,
) -> None:
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    rows = [
        EventRow(f"INC{i // 4}", T0 + i * MINUTE, EventKind.STATE, f"s{i % 3}")
        for i in range(2_000)
    ]
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
    assert sorted(results, key=lambda r: r.added) == [AddResult(0, 2_000), AddResult(2_000, 0)]
    with Session(engine) as session:
        assert EventRepository(session).count() == 2_000
    engine.dispose()
