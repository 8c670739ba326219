"""Row rules: what makes a row valid, the message when not; chunking never changes a result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from accord.ingest import eventlog
from accord.ingest.eventlog import RowIssue, read_event_log
from tests.ingest.samples import HEADER, event_rows, write

rows = event_rows


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("A,2026-03-02T08:00:00Z,resolvd,", "unknown event 'resolvd'; did you mean 'resolved'?"),
        ("A,2026-03-02T08:00:00Z,escalated,", "unknown event 'escalated' (known: created,"),
        ("A,2026-03-02T08:00:00Z,,", "missing event"),
        (",2026-03-02T08:00:00Z,created,", "missing item_id"),
        ("A,,created,", "missing time (column at)"),
        ("A,yesterday,created,", "unreadable time 'yesterday'"),
        ("A,2026-02-30T08:00:00Z,created,", "unreadable time '2026-02-30T08:00:00Z'"),
        ("A,2026-03-02T08:00:00Z,priority,", "a priority event needs a value"),
        ("A,2026-03-02T08:00:00Z,state,  ", "a state event needs a value"),
        ("A,2026-03-02T08:00:00Z,field,", "a field event needs a value"),
        ("A,2026-03-02T08:00:00Z,field,web", "field event value 'web' must be name=value"),
        ("A,2026-03-02T08:00:00Z,created,,extra", "5 fields, the header names 4"),
    ],
)
def test_a_bad_row_is_reported_with_its_line_and_the_rest_is_read(
    tmp_path: Path, row: str, message: str
) -> None:
    text = (
        HEADER
        + "A,2026-03-02T08:00:00Z,created,\n"
        + row
        + "\n"
        + "A,2026-03-02T09:00:00Z,resolved,\n"
    )

    result = read_event_log(write(tmp_path / "events.csv", text))

    assert [issue.line for issue in result.issues] == [3]
    assert result.issues[0].message.startswith(message)
    assert result.rows_read == 3
    assert [kind for _, _, kind, _ in rows(result.table)] == ["created", "resolved"]


def test_field_values_are_kept_as_name_equals_value_with_spaces_trimmed(tmp_path: Path) -> None:
    text = HEADER + "A,2026-03-02T08:00:00Z,field, service = service-desk \n"
    result = read_event_log(write(tmp_path / "events.csv", text))
    assert result.table.values == ("service=service-desk",)


def test_a_naive_timestamp_is_a_row_error_without_a_timezone(tmp_path: Path) -> None:
    text = HEADER + "A,2026-03-02T09:00:00,created,\nA,2026-03-02T09:00:00Z,resolved,\n"

    result = read_event_log(write(tmp_path / "events.csv", text))

    assert result.issues == [
        RowIssue(2, "naive timestamp '2026-03-02T09:00:00' has no offset; pass --timezone")
    ]
    assert len(result.table) == 1


@pytest.mark.parametrize(
    ("zone", "local", "utc"),
    [
        ("Europe/Berlin", "2026-03-02T09:00:00", "2026-03-02T08:00:00Z"),
        ("Europe/Berlin", "2026-07-01 09:00", "2026-07-01T07:00:00Z"),
        # spring forward: 02:30 does not exist, it is the transition (03:00 CEST = 01:00Z)
        ("Europe/Berlin", "2026-03-29T02:30:00", "2026-03-29T01:00:00Z"),
        # fall back: 02:30 happens twice, the first (CEST) is taken
        ("Europe/Berlin", "2026-10-25T02:30:00", "2026-10-25T00:30:00Z"),
        ("America/New_York", "2026-03-08T02:30:00", "2026-03-08T07:00:00Z"),
        ("America/New_York", "2026-11-01T01:30:00", "2026-11-01T05:30:00Z"),
        ("UTC", "2026-03-02T09:00:00.25", "2026-03-02T09:00:00.25Z"),
    ],
)
def test_a_naive_timestamp_is_read_in_the_named_zone_with_the_gap_and_fold_rule(
    tmp_path: Path, zone: str, local: str, utc: str
) -> None:
    text = HEADER + f"A,{local},created,\nA,2026-03-02T09:00:00+01:00,responded,\n"

    result = read_event_log(write(tmp_path / "events.csv", text), timezone=zone)

    assert result.issues == []
    assert utc in {at for _, at, _, _ in rows(result.table)}


def test_an_offset_in_the_row_wins_over_the_timezone_option(tmp_path: Path) -> None:
    text = HEADER + "A,2026-03-02T09:00:00-05:00,created,\n"
    result = read_event_log(write(tmp_path / "events.csv", text), timezone="Europe/Berlin")
    assert rows(result.table)[0][1] == "2026-03-02T14:00:00Z"


def test_unusual_but_valid_spellings_read_like_their_plain_form(tmp_path: Path) -> None:
    plain = HEADER + (
        "A,2026-03-02T08:00:00Z,created,\n"
        "A,2026-03-02T08:00:00Z,priority,P2\n"
        "A,2026-03-02T09:00:00Z,field,service=desk\n"
    )
    unusual = HEADER + (
        " A ,2026-03-02T09:00:00.000+01:00,Created,\n"
        "A,2026-03-02 08:00Z, PRIORITY , P2 \n"
        "A,2026-03-02T04:00:00-05:00,field,service = desk\n"
    )
    expected = rows(read_event_log(write(tmp_path / "plain.csv", plain)).table)
    result = read_event_log(write(tmp_path / "unusual.csv", unusual))
    assert result.issues == []
    assert rows(result.table) == expected


def test_an_item_seen_only_in_rejected_rows_is_not_an_item(tmp_path: Path) -> None:
    text = HEADER + "A,2026-03-02T08:00:00Z,created,\nB,never,created,\nB,2026-03-02,nope,\n"
    result = read_event_log(write(tmp_path / "events.csv", text))
    assert result.table.item_ids == ("A",)
    assert [issue.line for issue in result.issues] == [3, 4]


def test_event_ids_are_compared_without_surrounding_spaces(tmp_path: Path) -> None:
    text = (
        "item_id,at,event,value,event_id\n"
        "A,2026-03-02T08:00:00Z,state,open,e1\n"
        "A,2026-03-02T08:00:00Z,state,open, e1 \n"
        "A,2026-03-02T08:00:00Z,state,open,\n"
    )
    result = read_event_log(write(tmp_path / "events.csv", text))
    assert result.duplicates == 2


INVALID = {5, 6, 7, 8, 9, 12}  # indexes of the invalid row variants below


def random_log(seed: int, n: int) -> tuple[str, list[int]]:
    """Rows over a few interleaved items, some valid in odd spellings, some invalid.

    Returns the text and the lines of the invalid rows.
    """
    rng = np.random.default_rng(seed)
    variants = [
        "{i},2026-03-02T{h:02d}:{m:02d}:00Z,created,",
        "{i},2026-03-02T{h:02d}:{m:02d}:00+01:00,priority,P{p}",
        "{i},2026-03-02 {h:02d}:{m:02d}:00.5Z,state,awaiting customer",
        "{i},2026-03-02T{h:02d}:{m:02d}:00Z,field,service=s{p}",
        " {i} ,2026-03-02T{h:02d}:{m:02d}:00Z,Resolved,",
        "{i},2026-03-02T{h:02d}:{m:02d}:00Z,resolvd,",
        "{i},2026-03-02T{h:02d}:{m:02d}:00,created,",
        ",2026-03-02T{h:02d}:{m:02d}:00Z,created,",
        "{i},2026-03-02T{h:02d}:{m:02d}:00Z,priority,",
        "{i},2026-03-02T{h:02d}:{m:02d}:00Z,field,nameless",
        "",
        '{i},2026-03-02T{h:02d}:{m:02d}:00Z,state,"two\nlines"',
        "{i},2026-03-02T{h:02d}:{m:02d}:00Z,created,,surplus",
    ]
    lines = [HEADER.strip()]
    invalid = []
    line = 2
    for _ in range(n):
        which = int(rng.integers(len(variants)))
        item = f"I{int(rng.integers(40))}"
        h, m, p = int(rng.integers(24)), int(rng.integers(60)), int(rng.integers(1, 5))
        row = variants[which].format(i=item, h=h, m=m, p=p)
        if which in INVALID:
            invalid.append(line)
        lines.append(row)
        line += 1 + row.count("\n")
    return "\n".join(lines) + "\n", invalid


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_result_does_not_depend_on_how_rows_are_chunked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    text, invalid = random_log(seed, 2_000)
    path = write(tmp_path / "events.csv", text)
    whole = read_event_log(path)
    monkeypatch.setattr(eventlog, "PROGRESS_EVERY", 7)
    chunked = read_event_log(path)

    assert chunked.issues == whole.issues
    assert (chunked.rows_read, chunked.duplicates) == (whole.rows_read, whole.duplicates)
    assert chunked.table.item_ids == whole.table.item_ids
    assert rows(chunked.table) == rows(whole.table)
    assert [issue.line for issue in whole.issues] == invalid


def test_an_outage_keeps_its_end_in_utc_and_may_still_be_ongoing(tmp_path: Path) -> None:
    text = HEADER + (
        "web,2026-03-02T09:00:00+01:00,outage,2026-03-02T09:30:00+01:00\n"
        "web,2026-03-03T09:00:00+01:00,outage,\n"
        "web,2026-03-04T09:00:00+01:00,outage,later\n"
    )
    result = read_event_log(write(tmp_path / "events.csv", text))

    assert [(i.line, i.message.split(";")[0]) for i in result.issues] == [
        (4, "unreadable time 'later'")
    ]
    assert [(at, value) for _, at, _, value in rows(result.table)] == [
        ("2026-03-02T08:00:00Z", "2026-03-02T08:30:00Z"),
        ("2026-03-03T08:00:00Z", ""),
    ]
