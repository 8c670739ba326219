"""Rows -> events on small invented exports: every rule of a mapping, one at a time.

Instants are written in UTC (`Etc/UTC` as the zone) unless a test is about zones, so that the
expected nanoseconds read as plain times.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.domain.events import EventKind
from accord.errors import EventLogError
from accord.ingest.instants import resolve_wall_time, zone
from accord.ingest.sources import (
    EventColumns,
    RowIssue,
    SourceEvent,
    StoredEvent,
    load_mapping_text,
    open_source,
    read_events,
)

SNAPSHOTS = """\
apiVersion: accord/v1
kind: Mapping
metadata: {name: desk}
spec:
  shape: snapshots
  missing: ["?"]
  time_format: "%d/%m/%Y %H:%M"
  item: number
  at: updated
  sequence: mod
  created: {column: opened}
  state: state
  priority: {column: priority, values: {"1 - Critical": P1, "3 - Moderate": P3}}
  responded: {states: [Active]}
  resolved: {column: resolved}
  reopened: {count: reopens}
  fields: {group: group}
"""

HEADER = "number,state,priority,opened,updated,mod,resolved,reopens,group\n"

EVENTS = """\
apiVersion: accord/v1
kind: Mapping
metadata: {name: log}
spec:
  shape: events
  item: case
  at: time
  state: activity
  priority: {column: impact, values: {High: P2, Low: P4}}
  responded: {states: [Take]}
  resolved: {states: [Solve]}
  fields: {team: team}
"""


def ns(text: str) -> int:
    """UTC nanoseconds of `YYYY-MM-DD HH:MM`."""
    at = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    return int(at.timestamp()) * 10**9


def derive(
    tmp_path: Path,
    mapping: str,
    text: str,
    *,
    timezone: str | None = "Etc/UTC",
    chunk_rows: int = 1000,
    name: str = "export.csv",
) -> tuple[list[SourceEvent], list[RowIssue]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    events, issues, _ = read_events(
        path, "desk", mapping=load_mapping_text(mapping), timezone=timezone, chunk_rows=chunk_rows
    )
    return list(events), issues


def brief(events: list[SourceEvent]) -> list[tuple[str, str, str, str, str | None]]:
    """Events as readable tuples: item, UTC time, kind, value, id."""
    return [
        (
            e.item_id,
            datetime.fromtimestamp(e.at_ns / 1e9, UTC).strftime("%d %H:%M"),
            e.kind.value,
            e.value,
            e.event_id,
        )
        for e in events
    ]


def test_a_snapshot_log_becomes_created_state_priority_response_resolution_and_reopen(
    tmp_path: Path,
) -> None:
    text = HEADER + (
        "INC1,New,3 - Moderate,1/3/2026 08:00,1/3/2026 08:05,0,?,0,G1\n"
        "INC1,Active,3 - Moderate,1/3/2026 08:00,1/3/2026 09:00,1,?,0,G1\n"
        "INC1,Active,1 - Critical,1/3/2026 08:00,1/3/2026 09:30,2,?,0,G2\n"
        "INC1,Resolved,1 - Critical,1/3/2026 08:00,1/3/2026 11:00,3,1/3/2026 11:00,0,G2\n"
        "INC1,Active,1 - Critical,1/3/2026 08:00,2/3/2026 10:00,4,1/3/2026 11:00,1,G2\n"
    )

    events, issues = derive(tmp_path, SNAPSHOTS, text)

    assert issues == []
    assert brief(events) == [
        ("INC1", "01 08:00", "priority", "P3", "0@1/3/2026 08:05:priority"),
        ("INC1", "01 08:00", "field", "group=G1", "0@1/3/2026 08:05:field:group"),
        ("INC1", "01 08:00", "state", "New", "0@1/3/2026 08:05:state"),
        ("INC1", "01 08:00", "created", "", None),
        ("INC1", "01 09:00", "state", "Active", "1@1/3/2026 09:00:state"),
        ("INC1", "01 09:00", "responded", "", "1@1/3/2026 09:00:responded"),
        ("INC1", "01 09:30", "priority", "P1", "2@1/3/2026 09:30:priority"),
        ("INC1", "01 09:30", "field", "group=G2", "2@1/3/2026 09:30:field:group"),
        ("INC1", "01 11:00", "state", "Resolved", "3@1/3/2026 11:00:state"),
        ("INC1", "01 11:00", "resolved", "", None),
        ("INC1", "02 10:00", "state", "Active", "4@2/3/2026 10:00:state"),
        ("INC1", "02 10:00", "responded", "", "4@2/3/2026 10:00:responded"),  # Active again
        ("INC1", "02 10:00", "reopened", "", "reopened#1"),
    ]


def test_a_fresh_tickets_first_snapshot_is_dated_at_its_creation(tmp_path: Path) -> None:
    text = HEADER + "INC1,New,3 - Moderate,1/3/2026 08:00,1/3/2026 08:40,0,?,0,?\n"

    events, _ = derive(tmp_path, SNAPSHOTS, text)

    assert {(e.kind, e.at_ns) for e in events} == {
        (EventKind.CREATED, ns("2026-03-01 08:00")),
        (EventKind.PRIORITY, ns("2026-03-01 08:00")),
        (EventKind.STATE, ns("2026-03-01 08:00")),
    }


def test_snapshots_out_of_order_in_the_file_are_put_in_update_order(tmp_path: Path) -> None:
    rows = [
        "INC1,New,3 - Moderate,1/3/2026 08:00,1/3/2026 08:00,0,?,0,G1\n",
        "INC1,Active,3 - Moderate,1/3/2026 08:00,1/3/2026 09:00,1,?,0,G1\n",
        "INC1,Active,3 - Moderate,1/3/2026 08:00,1/3/2026 09:00,2,?,0,G2\n",
        "INC2,New,3 - Moderate,1/3/2026 08:10,1/3/2026 08:10,0,?,0,G1\n",
    ]
    in_order, _ = derive(tmp_path, SNAPSHOTS, HEADER + "".join(rows))
    shuffled, _ = derive(
        tmp_path, SNAPSHOTS, HEADER + "".join([rows[2], rows[3], rows[1], rows[0]])
    )

    assert sorted(shuffled) == sorted(in_order)
    groups = [e.value for e in in_order if e.kind is EventKind.FIELD and e.item_id == "INC1"]
    assert groups == ["group=G1", "group=G2"]


def test_same_minute_snapshots_are_ordered_by_their_sequence_number(tmp_path: Path) -> None:
    text = HEADER + (
        "INC1,Active,3 - Moderate,1/3/2026 08:00,1/3/2026 09:00,10,?,0,?\n"
        "INC1,New,3 - Moderate,1/3/2026 08:00,1/3/2026 09:00,9,?,0,?\n"
    )

    events, _ = derive(tmp_path, SNAPSHOTS, text)

    states = [e.value for e in events if e.kind is EventKind.STATE]
    assert states == ["New", "Active"]


def test_a_missing_value_changes_nothing_and_unknown_states_are_kept(tmp_path: Path) -> None:
    text = HEADER + (
        "INC1,New,3 - Moderate,1/3/2026 08:00,1/3/2026 08:00,0,?,0,G1\n"
        "INC1,?,?,1/3/2026 08:00,1/3/2026 08:30,1,?,?,?\n"
        "INC1,-100,3 - Moderate,1/3/2026 08:00,1/3/2026 09:00,2,?,0,G1\n"
    )

    events, issues = derive(tmp_path, SNAPSHOTS, text)

    assert issues == []
    assert [(e.kind.value, e.value) for e in events if e.kind is EventKind.STATE] == [
        ("state", "New"),
        ("state", "-100"),
    ]
    assert [e for e in events if e.kind in (EventKind.PRIORITY, EventKind.FIELD)][2:] == []


def test_unreadable_rows_are_reported_with_their_line_and_the_rest_is_read(
    tmp_path: Path,
) -> None:
    text = HEADER + (
        "INC1,New,3 - Moderate,1/3/2026 08:00,1/3/2026 08:00,0,?,0,G1\n"
        "?,New,3 - Moderate,1/3/2026 08:00,1/3/2026 08:00,0,?,0,G1\n"
        "INC2,New,3 - Moderate,1/3/2026 08:00,31/2/2026 08:00,0,?,0,G1\n"
        "INC3,New,3 - Moderate,1/3/2026 08:00,1/3/2026 08:00,0,yesterday,0,G1\n"
        "INC4,New,3 - Moderate,1/3/2026 08:00,?,0,?,0,G1\n"
        "INC5,New,3 - Moderate,1/3/2026 08:00,1/3/2026 08:00,0,?,0,G1,extra\n"
        "INC6,New,3 - Moderate,1/3/2026 08:00,1/3/2026 08:00,0,?,0,G1\n"
    )

    events, issues = derive(tmp_path, SNAPSHOTS, text)

    assert issues == [
        RowIssue(3, "no item id (column number)"),
        RowIssue(
            4, "unreadable time '31/2/2026 08:00': day is out of range for month (column updated)"
        ),
        RowIssue(5, "unreadable time 'yesterday' (expected '%d/%m/%Y %H:%M') (column resolved)"),
        RowIssue(6, "no time (column updated)"),
        RowIssue(7, "10 fields, the header names 9"),
    ]
    assert sorted({e.item_id for e in events}) == ["INC1", "INC6"]


def test_naive_times_without_a_zone_are_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(EventLogError) as caught:
        derive(tmp_path, SNAPSHOTS, HEADER, timezone=None)

    message = str(caught.value)
    assert "carry no offset and no time zone was named" in message
    assert "pass --timezone (or name timezone: in the mapping)" in message


def test_a_naive_iso_time_without_a_zone_stops_the_import(tmp_path: Path) -> None:
    text = "case,time,activity,impact,team\nA,2026-03-01T08:00:00,Take,High,T\n"

    with pytest.raises(EventLogError, match=r"naive timestamp '2026-03-01T08:00:00'"):
        derive(tmp_path, EVENTS, text, timezone=None)


def test_the_mappings_zone_is_used_and_timezone_overrides_it(tmp_path: Path) -> None:
    text = HEADER + "INC1,New,?,1/7/2026 08:00,1/7/2026 08:00,0,?,0,?\n"
    berlin = SNAPSHOTS.replace(
        '  missing: ["?"]\n', '  missing: ["?"]\n  timezone: Europe/Berlin\n'
    )

    from_mapping, _ = derive(tmp_path, berlin, text, timezone=None)
    overridden, _ = derive(tmp_path, berlin, text, timezone="America/New_York")

    assert from_mapping[0].at_ns == ns("2026-07-01 06:00")
    assert overridden[0].at_ns == ns("2026-07-01 12:00")


@pytest.mark.parametrize(
    ("wall", "utc"),
    [
        ("29/3/2026 01:59", "2026-03-29 00:59"),  # before the spring-forward gap
        ("29/3/2026 02:30", "2026-03-29 01:00"),  # in the gap: the transition instant
        ("29/3/2026 03:00", "2026-03-29 01:00"),  # the first hour of summer time
        ("25/10/2026 02:30", "2026-10-25 00:30"),  # twice that night: the first occurrence
        ("25/10/2026 03:30", "2026-10-25 02:30"),  # after the fold
    ],
)
def test_naive_times_follow_the_gap_and_fold_rule_of_semantics(
    tmp_path: Path, wall: str, utc: str
) -> None:
    text = HEADER + f"INC1,New,?,{wall},{wall},0,?,0,?\n"

    events, _ = derive(tmp_path, SNAPSHOTS, text, timezone="Europe/Berlin")

    naive = datetime.strptime(wall, "%d/%m/%Y %H:%M")  # noqa: DTZ007 - a wall time on purpose
    expected = resolve_wall_time(naive, zone("Europe/Berlin"))
    assert events[0].at_ns == ns(utc) == int(expected.timestamp()) * 10**9


def test_an_event_log_row_is_a_state_event_and_fires_its_triggers(tmp_path: Path) -> None:
    text = "case,time,activity,impact,team\n" + (
        "A,2026-03-01T08:00:00Z,Open,Low,T1\n"
        "A,2026-03-01T08:10:00Z,Take,Low,T1\n"
        "A,2026-03-01T08:20:00Z,Take,High,T1\n"
        "A,2026-03-01T09:00:00Z,Solve,High,T2\n"
    )

    events, _ = derive(tmp_path, EVENTS, text)

    assert brief(events) == [
        ("A", "01 08:00", "created", "", "created"),
        ("A", "01 08:00", "priority", "P4", None),
        ("A", "01 08:00", "field", "team=T1", None),
        ("A", "01 08:00", "state", "Open", None),
        ("A", "01 08:10", "state", "Take", None),
        ("A", "01 08:10", "responded", "", None),
        ("A", "01 08:20", "priority", "P2", None),
        ("A", "01 08:20", "state", "Take", None),
        ("A", "01 08:20", "responded", "", None),
        ("A", "01 09:00", "field", "team=T2", None),
        ("A", "01 09:00", "state", "Solve", None),
        ("A", "01 09:00", "resolved", "", None),
    ]


def test_line_numbers_count_quoted_line_breaks_and_blank_lines(tmp_path: Path) -> None:
    text = "case,time,activity,impact,team\n" + (
        'A,2026-03-01T08:00:00Z,"Open\nwith a note",Low,T1\n\n,2026-03-01T08:10:00Z,Take,Low,T1\n'
    )

    _, issues = derive(tmp_path, EVENTS, text)

    assert issues == [RowIssue(5, "no item id (column case)")]


def test_gzip_files_are_read_by_their_content(tmp_path: Path) -> None:
    text = "case,time,activity,impact,team\nA,2026-03-01T08:00:00Z,Open,Low,T1\n"
    path = tmp_path / "export.bin"
    path.write_bytes(gzip.compress(text.encode()))

    events, _, rows = read_events(path, "desk", mapping=load_mapping_text(EVENTS))

    assert rows == 1
    assert len(events) == 4


def test_a_column_the_mapping_needs_must_be_in_the_header(tmp_path: Path) -> None:
    text = "case,time,activity\nA,2026-03-01T08:00:00Z,Open\n"

    with pytest.raises(EventLogError) as caught:
        derive(tmp_path, EVENTS, text)

    assert "no column 'impact' (spec.priority), 'team' (spec.fields.team)" in str(caught.value)


def test_optional_columns_may_be_absent(tmp_path: Path) -> None:
    mapping = EVENTS.replace(
        "fields: {team: team}", "fields: {team: {column: team, optional: true}}"
    )
    text = "case,time,activity,impact\nA,2026-03-01T08:00:00Z,Open,Low\n"

    events, _ = derive(tmp_path, mapping, text)

    assert EventKind.FIELD not in {e.kind for e in events}


def test_minutes_after_created_give_an_instant(tmp_path: Path) -> None:
    mapping = """\
apiVersion: accord/v1
kind: Mapping
metadata: {name: zd}
spec:
  shape: snapshots
  item: Id
  at: Updated at
  created: {column: Created at}
  responded: {minutes_after_created: First reply time in minutes}
"""
    text = "Id,Created at,Updated at,First reply time in minutes\n" + (
        "7,2026-03-01T08:00:00Z,2026-03-02T08:00:00Z,90\n"
    )

    events, _ = derive(tmp_path, mapping, text)

    assert [(e.kind, e.at_ns) for e in events] == [
        (EventKind.CREATED, ns("2026-03-01 08:00")),
        (EventKind.RESPONDED, ns("2026-03-01 09:30")),
    ]


def snapshot_rows(draw: st.DrawFn) -> str:
    """A random snapshot log of a few tickets, each ticket's rows in update order."""
    lines = []
    for ticket in range(draw(st.integers(1, 4))):
        minute = 0
        reopens = 0
        resolved = "?"
        for mod in range(draw(st.integers(1, 6))):
            minute += draw(st.integers(0, 90))
            state = draw(st.sampled_from(["New", "Active", "Waiting", "Resolved", "?"]))
            priority = draw(st.sampled_from(["1 - Critical", "3 - Moderate", "?"]))
            group = draw(st.sampled_from(["G1", "G2", "?"]))
            reopens += draw(st.integers(0, 1))
            if state == "Resolved":
                resolved = f"1/3/2026 {8 + minute // 60:02d}:{minute % 60:02d}"
            at = f"1/3/2026 {8 + minute // 60:02d}:{minute % 60:02d}"
            row = [f"T{ticket}", state, priority, "1/3/2026 08:00", at, str(mod), resolved]
            lines.append(",".join([*row, str(reopens), group]) + "\n")
    return HEADER + "".join(lines)


def event_rows(draw: st.DrawFn) -> str:
    """A random event log of a few cases, each case's rows in time order."""
    lines = []
    for case in range(draw(st.integers(1, 4))):
        minute = 0
        for _ in range(draw(st.integers(1, 6))):
            minute += draw(st.integers(0, 30))
            activity = draw(st.sampled_from(["Open", "Take", "Wait", "Solve", ""]))
            impact = draw(st.sampled_from(["High", "Low", ""]))
            team = draw(st.sampled_from(["T1", "T2", ""]))
            at = f"2026-03-01T{8 + minute // 60:02d}:{minute % 60:02d}:00Z"
            lines.append(f"C{case},{at},{activity},{impact},{team}\n")
    return "case,time,activity,impact,team\n" + "".join(lines)


@st.composite
def _logs(draw: st.DrawFn) -> tuple[str, str, list[str], list[str]]:
    """A mapping, a log, and the log cut in two overlapping exports (header on both).

    Snapshot logs are cut at any row (their sequence numbers order a minute's snapshots); event
    logs are cut at instants, as exports by date are: an export holds all of an instant's rows
    or none of them.
    """
    mapping = draw(st.sampled_from([SNAPSHOTS, EVENTS]))
    text = snapshot_rows(draw) if mapping is SNAPSHOTS else event_rows(draw)
    header, *rows = text.splitlines(keepends=True)
    if mapping is SNAPSHOTS:
        cut = draw(st.integers(0, len(rows)))
        start = draw(st.integers(0, cut))
        return mapping, text, [header, *rows[:cut]], [header, *rows[start:]]
    times = sorted({row.split(",")[1] for row in rows})
    late = draw(st.sampled_from([*times, "9999"]))
    early = draw(st.sampled_from([t for t in times if t <= late] or [late]))
    first = [row for row in rows if row.split(",")[1] < late]
    second = [row for row in rows if row.split(",")[1] >= early]
    return mapping, text, [header, *first], [header, *second]


def identities(events: EventColumns | list[SourceEvent]) -> set[tuple[object, ...]]:
    """What storage keeps: (item, id) for named events, (item, instant, kind, value) else."""
    return {
        (e.item_id, e.event_id) if e.event_id else (e.item_id, e.at_ns, e.kind, e.value)
        for e in events
    }


@settings(max_examples=100, deadline=None)
@given(log=_logs())
def test_two_overlapping_exports_give_the_events_of_one(
    log: tuple[str, str, list[str], list[str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A file cut in two overlapping parts, the second read with the first one's events as
    history, gives exactly the events of the whole file (what makes later exports safe)."""
    mapping_text, text, first, second = log
    mapping = load_mapping_text(mapping_text)
    folder = tmp_path_factory.mktemp("exports")
    whole, part_one, part_two = (folder / n for n in ("whole.csv", "one.csv", "two.csv"))
    whole.write_text(text)
    part_one.write_text("".join(first))
    part_two.write_text("".join(second))

    expected, _, _ = read_events(whole, "desk", mapping=mapping, timezone="Etc/UTC")
    stored, _, _ = read_events(part_one, "desk", mapping=mapping, timezone="Etc/UTC")
    history: dict[str, list[StoredEvent]] = {}
    for e in stored:
        history.setdefault(e.item_id, []).append(StoredEvent(e.at_ns, e.kind, e.value, e.event_id))
    with open_source(part_two, "desk", mapping=mapping, timezone="Etc/UTC") as reader:
        later = EventColumns()
        for chunk in reader.chunks(1000):
            known = {item: history[item] for item in chunk.item_ids if item in history}
            later.extend(reader.events(chunk, known))

    assert identities(stored) | identities(later) == identities(expected)


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 1000])
def test_chunk_size_does_not_change_the_events_of_a_file(tmp_path: Path, chunk_rows: int) -> None:
    text = HEADER + "".join(
        f"INC{i % 3},{'Active' if i % 2 else 'New'},3 - Moderate,1/3/2026 08:00,"
        f"1/3/2026 {9 + i}:00,{i},?,{i // 4},G{i % 2}\n"
        for i in range(9)
    )

    one_chunk, _ = derive(tmp_path, SNAPSHOTS, text)
    chunked, _ = derive(tmp_path, SNAPSHOTS, text, chunk_rows=chunk_rows)

    assert identities(chunked) == identities(one_chunk)
