"""Timestamp columns: strptime-style patterns, read column-wise, agree with the exact rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.engine.events import NAT
from accord.errors import EventLogError
from accord.ingest.instants import resolve_wall_time, zone
from accord.ingest.sources.timeparse import TimeParser

BERLIN = zone("Europe/Berlin")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def exact(naive: datetime) -> int:
    return (resolve_wall_time(naive, BERLIN) - EPOCH) // timedelta(microseconds=1) * 1000


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.datetimes(min_value=datetime(2025, 3, 29), max_value=datetime(2026, 11, 1)),  # noqa: DTZ001
        min_size=1,
        max_size=40,
    )
)
def test_column_wise_reading_matches_the_wall_time_rule(moments: list[datetime]) -> None:
    """Around two DST changes: gaps map to the transition, folds to the first occurrence."""
    moments = [m.replace(second=0, microsecond=0) for m in moments]
    texts = [f"{m.day}/{m.month}/{m.year} {m:%H:%M}" for m in moments]

    ns, errors = TimeParser("t", ["%d/%m/%Y %H:%M"], BERLIN).parse(texts)

    assert errors == {}
    assert ns.tolist() == [exact(m) for m in moments]


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("%Y/%m/%d %H:%M:%S.%f", "2012/10/09 14:50:17.250", "2012-10-09T12:50:17.250+00:00"),
        ("%d/%b/%y %I:%M %p", "02/Mar/26 12:05 AM", "2026-03-01T23:05:00+00:00"),
        ("%d/%b/%y %I:%M %p", "02/Mar/26 3:40 PM", "2026-03-02T14:40:00+00:00"),
        ("%Y-%m-%d %H:%M:%S %z", "2026-03-02 09:00:00 -0500", "2026-03-02T14:00:00+00:00"),
        ("%d.%m.%y %H:%M", "02.03.26 09:00", "2026-03-02T08:00:00+00:00"),
    ],
)
def test_patterns_read_what_strptime_would(pattern: str, text: str, expected: str) -> None:
    ns, errors = TimeParser("t", [pattern], BERLIN).parse([text])

    assert errors == {}
    assert (
        int(ns[0]) == (datetime.fromisoformat(expected) - EPOCH) // timedelta(microseconds=1) * 1000
    )


def test_formats_are_tried_in_turn_and_misfits_are_worded() -> None:
    parser = TimeParser("t", ["%d/%m/%Y %H:%M", "%Y-%m-%d"], BERLIN)

    ns, errors = parser.parse(["1/3/2026 10:00", "2026-03-02", "", "2/30/2026 10:00", "soon"])

    assert ns[2] == NAT
    assert ns[1] == (datetime(2026, 3, 1, 23, tzinfo=UTC) - EPOCH) // timedelta(seconds=1) * 10**9
    assert errors == {
        3: "unreadable time '2/30/2026 10:00': month must be in 1..12",
        4: "unreadable time 'soon' (expected '%d/%m/%Y %H:%M' or '%Y-%m-%d')",
    }


def test_a_naive_value_without_a_zone_stops_everything() -> None:
    with pytest.raises(EventLogError, match="no time zone was named"):
        TimeParser("t", ["iso"], None).parse(["2026-03-02T09:00:00"])
