"""Reading event-log files: formats, duplicates, order, line numbers, gzip, progress, writing."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from accord.domain.events import EventKind
from accord.errors import EventLogError
from accord.ingest.eventlog import (
    PROGRESS_EVERY,
    RowIssue,
    read_event_log,
    read_event_rows,
    write_event_log,
)
from tests.ingest.samples import HEADER, ISSUE_LOG, event_rows, write

rows = event_rows


def test_the_issue_example_log_reads_into_six_events_in_utc(tmp_path: Path) -> None:
    result = read_event_log(write(tmp_path / "events.csv", ISSUE_LOG))

    assert (result.rows_read, result.duplicates, result.issues) == (6, 0, [])
    assert result.table.item_ids == ("INC1",)
    assert rows(result.table) == [
        ("INC1", "2026-03-02T08:00:00Z", "created", ""),
        ("INC1", "2026-03-02T08:00:00Z", "priority", "P2"),
        ("INC1", "2026-03-02T08:40:00Z", "responded", ""),
        ("INC1", "2026-03-02T10:00:00Z", "state", "awaiting customer"),
        ("INC1", "2026-03-03T10:00:00Z", "state", "in progress"),
        ("INC1", "2026-03-04T08:30:00Z", "resolved", ""),
    ]


def test_json_lines_give_the_same_table_as_the_csv(tmp_path: Path) -> None:
    lines = ISSUE_LOG.splitlines()[1:]
    records = [
        dict(zip(("item_id", "at", "event", "value"), line.split(","), strict=True))
        for line in lines
    ]
    records[0]["value"] = None  # type: ignore[assignment]  # JSON null reads as no value
    text = "\n".join(json.dumps(record) for record in records) + "\n"

    from_csv = read_event_log(write(tmp_path / "events.csv", ISSUE_LOG)).table
    for name in ("events.jsonl", "events.ndjson", "events.json"):
        from_json = read_event_log(write(tmp_path / name, text))
        assert from_json.issues == []
        assert rows(from_json.table) == rows(from_csv)


def test_a_duplicate_row_counts_once_and_is_not_an_issue(tmp_path: Path) -> None:
    doubled = ISSUE_LOG + ISSUE_LOG.splitlines()[3] + "\n" + ISSUE_LOG.splitlines()[1] + "\n"

    result = read_event_log(write(tmp_path / "events.csv", doubled))

    assert (result.rows_read, result.duplicates, result.issues) == (8, 2, [])
    assert len(result.table) == 6


def test_rows_with_one_event_id_are_one_event_and_different_ids_are_different_events(
    tmp_path: Path,
) -> None:
    text = (
        "item_id,at,event,value,event_id\n"
        "A,2026-03-02T08:00:00Z,created,,e1\n"
        "A,2026-03-02T08:00:00Z,state,open,e2\n"
        "A,2026-03-02T08:05:00Z,state,open,e2\n"  # a re-delivery, even at another instant
        "A,2026-03-02T08:00:00Z,state,open,e3\n"  # same content, another source event
    )
    result = read_event_log(write(tmp_path / "events.csv", text))

    assert result.duplicates == 1
    assert rows(result.table) == [
        ("A", "2026-03-02T08:00:00Z", "created", ""),
        ("A", "2026-03-02T08:00:00Z", "state", "open"),
        ("A", "2026-03-02T08:00:00Z", "state", "open"),
    ]


def test_out_of_order_rows_are_sorted_by_instant_then_by_rank_at_one_instant(
    tmp_path: Path,
) -> None:
    text = HEADER + (
        "B,2026-03-02T10:00:00Z,resolved,\n"
        "A,2026-03-02T09:00:00Z,responded,\n"
        "A,2026-03-02T08:00:00Z,priority,P1\n"
        "A,2026-03-02T08:00:00Z,created,\n"
        "B,2026-03-02T07:00:00Z,created,\n"
    )
    result = read_event_log(write(tmp_path / "events.csv", text))

    assert rows(result.table) == [
        ("B", "2026-03-02T07:00:00Z", "created", ""),
        ("B", "2026-03-02T10:00:00Z", "resolved", ""),
        ("A", "2026-03-02T08:00:00Z", "created", ""),
        ("A", "2026-03-02T08:00:00Z", "priority", "P1"),
        ("A", "2026-03-02T09:00:00Z", "responded", ""),
    ]


def test_line_numbers_are_physical_lines_across_blank_lines_and_quoted_newlines(
    tmp_path: Path,
) -> None:
    text = HEADER + (
        "A,2026-03-02T08:00:00Z,created,\n"
        "\n"
        'A,2026-03-02T08:01:00Z,state,"waiting\nfor parts"\n'
        "A,2026-03-02T08:02:00Z,bogus,\n"
    )
    result = read_event_log(write(tmp_path / "events.csv", text))

    known = ", ".join(kind.value for kind in EventKind)
    assert result.issues == [RowIssue(6, f"unknown event 'bogus' (known: {known})")]
    assert rows(result.table)[1][3] == "waiting\nfor parts"


def test_a_gzipped_log_is_read_by_suffix_or_by_content(tmp_path: Path) -> None:
    packed = gzip.compress(ISSUE_LOG.encode())
    (tmp_path / "events.csv.gz").write_bytes(packed)
    (tmp_path / "events.data").write_bytes(packed)

    for name in ("events.csv.gz", "events.data"):
        result = read_event_log(tmp_path / name)
        assert (result.rows_read, len(result.table), result.issues) == (6, 6, [])


def test_an_unknown_extension_is_sniffed_as_json_lines_or_csv(tmp_path: Path) -> None:
    jsonl = '{"item_id": "A", "at": "2026-03-02T08:00:00Z", "event": "created"}\n'
    assert len(read_event_log(write(tmp_path / "a.log", jsonl)).table) == 1
    assert len(read_event_log(write(tmp_path / "b.log", ISSUE_LOG)).table) == 6
    assert len(read_event_log(write(tmp_path / "c.txt", jsonl), format="jsonl").table) == 1


def test_bad_json_lines_are_reported_and_skipped(tmp_path: Path) -> None:
    text = (
        '{"item_id": "A", "at": "2026-03-02T08:00:00Z", "event": "created"}\n'
        "{not json\n"
        "[1, 2]\n"
        "\n"
        '{"item_id": 7, "at": "2026-03-02T09:00:00Z", "event": "priority", "value": "P1"}\n'
    )
    result = read_event_log(write(tmp_path / "events.jsonl", text))

    assert [(i.line, i.message.split(" (")[0]) for i in result.issues] == [
        (2, "not a JSON object"),
        (3, "not a JSON object"),
    ]
    assert result.table.item_ids == ("A", "7")
    assert result.rows_read == 4


@pytest.mark.parametrize(
    ("header", "missing"),
    [("item_id,at,event\n", "'value'"), ("id,time,event,value\n", "'item_id', 'at'")],
)
def test_a_missing_column_is_an_event_log_error_naming_file_and_column(
    tmp_path: Path, header: str, missing: str
) -> None:
    path = write(tmp_path / "events.csv", header + "A,2026-03-02T08:00:00Z,created\n")
    with pytest.raises(EventLogError, match=f"events.csv: missing column {missing}"):
        read_event_log(path)


def test_header_names_are_matched_in_any_order_and_case(tmp_path: Path) -> None:
    text = "Event,VALUE,at,item_id\ncreated,,2026-03-02T08:00:00Z,A\n"
    assert rows(read_event_log(write(tmp_path / "e.csv", text)).table) == [
        ("A", "2026-03-02T08:00:00Z", "created", "")
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot open"), ("", "the file is empty"), ("[\n", "a JSON array")],
)
def test_a_log_that_cannot_be_read_at_all_raises(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / ("events.jsonl" if content == "[\n" else "events.csv")
    if content is not None:
        write(path, content)
    with pytest.raises(EventLogError, match=message):
        read_event_log(path)


def test_a_log_that_is_not_utf8_raises(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(HEADER.encode() + b"A\xff,2026-03-02T08:00:00Z,created,\n")
    with pytest.raises(EventLogError, match="not UTF-8"):
        read_event_log(path)


def test_progress_reports_bytes_read_up_to_the_file_size(tmp_path: Path) -> None:
    line = "A,2026-03-02T08:00:00Z,state,open\n"
    path = write(tmp_path / "events.csv", HEADER + line * (PROGRESS_EVERY + 10))
    seen: list[int] = []

    read_event_log(path, progress=seen.append)

    assert 2 <= len(seen) <= 4
    assert seen == sorted(seen)
    assert 0 < seen[0] <= seen[-1] == path.stat().st_size


def test_rows_given_as_mappings_are_read_with_line_numbers_from_two() -> None:
    result = read_event_rows(
        [
            {"item_id": "A", "at": "2026-03-02T08:00:00Z", "event": "created"},
            {"item_id": "A", "at": "2026-03-02T08:00:00Z", "event": "nope"},
        ],
        "inline",
    )
    assert [issue.line for issue in result.issues] == [3]
    assert len(result.table) == 1


def test_a_written_log_reads_back_as_the_same_table(tmp_path: Path) -> None:
    text = HEADER + (
        'B,2026-03-02T08:00:00.123456789Z,field,"note=a, b"\n'
        "A,2026-03-02T09:00:00+01:00,created,\n"
        "A,2026-03-02T09:00:00+01:00,priority,P2\n"
    )
    original = read_event_log(write(tmp_path / "in.csv", text)).table
    for name in ("out.csv", "out.csv.gz"):
        write_event_log(original, tmp_path / name)
        again = read_event_log(tmp_path / name).table
        assert rows(again) == rows(original)
        assert np.array_equal(again.at, original.at)
    assert (tmp_path / "out.csv").read_text().splitlines()[:2] == [
        "item_id,at,event,value",
        'B,2026-03-02T08:00:00.123456789Z,field,"note=a, b"',
    ]
