"""Business calendar rules of SEMANTICS.md, one table row per rule, on the fast engine."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from accord.engine.calendars import BusinessCalendar, local_to_utc
from accord.errors import ValidationError
from tests.builders import OFFICE, instant

BERLIN_LUNCH = {"timezone": "Europe/Berlin", "hours": {"mon-fri": ["08:00-12:00", "13:00-17:00"]}}
NEW_YORK = {"timezone": "America/New_York", "hours": {"mon-fri": ["09:00-17:00"]}}
ALWAYS = {"timezone": "Europe/Berlin", "hours": "24x7"}
ISSUE = {
    "timezone": "Europe/Berlin",
    "hours": {"mon-fri": ["09:00-17:00"]},
    "holidays": {"country": "DE", "subdivision": "BE", "dates": ["2026-06-15"]},
    "exceptions": {"2026-12-24": ["09:00-12:00"], "2026-12-31": []},
}
NIGHTS = {
    "timezone": "Europe/Berlin",
    "hours": {"daily": ["22:00-06:00"]},
    "holidays": {"country": "DE"},
}
SPRING_NIGHT = {"timezone": "Europe/Berlin", "hours": {"sun": ["01:00-03:00"]}}
LATE = {"timezone": "Europe/Berlin", "hours": {"mon-fri": ["16:00-24:00"]}}


@pytest.mark.parametrize(
    ("calendar", "start", "end", "hours"),
    [
        (OFFICE, "2026-03-06T09:00+01:00", "2026-03-06T17:00+01:00", 8),  # a plain day
        (OFFICE, "2026-03-06T12:00+01:00", "2026-03-09T12:00+01:00", 8),  # over a weekend
        (OFFICE, "2026-03-07T10:00+01:00", "2026-03-08T18:00+01:00", 0),  # weekend only
        (
            OFFICE,
            "2026-04-02T09:00+02:00",
            "2026-04-07T09:00+02:00",
            8,
        ),  # Good Friday, Easter Monday
        (OFFICE, "2026-03-27T09:00+01:00", "2026-03-30T17:00+02:00", 16),  # DST spring in between
        (OFFICE, "2026-10-23T09:00+02:00", "2026-10-26T17:00+01:00", 16),  # DST autumn in between
        (NEW_YORK, "2026-03-06T09:00-05:00", "2026-03-09T17:00-04:00", 16),  # US spring forward
        (NEW_YORK, "2026-10-30T09:00-04:00", "2026-11-02T17:00-05:00", 16),  # US fall back
        (ALWAYS, "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00", 23),  # 23-hour day
        (ALWAYS, "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00", 25),  # 25-hour day
        (BERLIN_LUNCH, "2026-03-02T11:00+01:00", "2026-03-02T14:00+01:00", 2),  # lunch break
        (ISSUE, "2026-06-15T09:00+02:00", "2026-06-16T09:00+02:00", 0),  # explicit holiday date
        (ISSUE, "2026-12-24T00:00+01:00", "2026-12-25T00:00+01:00", 3),  # short day exception
        (ISSUE, "2026-12-31T00:00+01:00", "2027-01-01T00:00+01:00", 0),  # closed exception
        (
            SPRING_NIGHT,
            "2026-03-29T00:00+01:00",
            "2026-03-29T06:00+02:00",
            1,
        ),  # 01:00-03:00 lost 02-03
        (LATE, "2026-03-02T20:00+01:00", "2026-03-03T00:00+01:00", 4),  # 24:00 ends a day
        (NIGHTS, "2026-12-24T22:00+01:00", "2026-12-25T06:00+01:00", 8),  # opened on a working day
        (NIGHTS, "2026-12-25T22:00+01:00", "2026-12-26T06:00+01:00", 0),  # opened on a holiday
        (OFFICE, "2026-03-06T17:00+01:00", "2026-03-06T09:00+01:00", 0),  # end before start
    ],
)
def test_elapsed_counts_business_hours(
    calendar: dict[str, object], start: str, end: str, hours: float
) -> None:
    cal = BusinessCalendar.from_dict(calendar)
    assert cal.elapsed(instant(start), instant(end)) == hours * 3600


@pytest.mark.parametrize(
    ("calendar", "start", "seconds", "due"),
    [
        (
            OFFICE,
            "2026-03-06T09:00+01:00",
            8 * 3600,
            "2026-03-06T17:00+01:00",
        ),  # ends at interval end
        (OFFICE, "2026-03-06T09:00+01:00", 8 * 3600 + 60, "2026-03-09T09:01+01:00"),  # then Monday
        (OFFICE, "2026-03-07T12:00+01:00", 60, "2026-03-09T09:01+01:00"),  # start off hours
        (OFFICE, "2026-03-06T10:00+01:00", 0, "2026-03-06T10:00+01:00"),  # zero stays put
        (OFFICE, "2026-03-07T10:00+01:00", 0, "2026-03-07T10:00+01:00"),  # even off hours
        (OFFICE, "2026-04-02T16:00+02:00", 2 * 3600, "2026-04-07T10:00+02:00"),  # over Easter
        (OFFICE, "2026-03-27T16:00+01:00", 2 * 3600, "2026-03-30T10:00+02:00"),  # over DST
        (BERLIN_LUNCH, "2026-03-02T11:00+01:00", 2 * 3600, "2026-03-02T14:00+01:00"),  # skips lunch
        (BERLIN_LUNCH, "2026-03-02T11:00+01:00", 3600, "2026-03-02T12:00+01:00"),  # lunch starts
        (ALWAYS, "2026-03-29T00:00+01:00", 3 * 3600, "2026-03-29T04:00+02:00"),  # wall clock jumps
        (
            ISSUE,
            "2026-12-24T11:00+01:00",
            2 * 3600,
            "2026-12-28T10:00+01:00",
        ),  # short day, holidays
    ],
)
def test_add_finds_the_earliest_due_instant(
    calendar: dict[str, object], start: str, seconds: int, due: str
) -> None:
    cal = BusinessCalendar.from_dict(calendar)
    assert cal.add(instant(start), seconds) == instant(due)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2026-03-02T10:00+01:00", 2, "2026-03-04T17:00+01:00"),  # Monday + 2wd = Wednesday close
        ("2026-03-02T07:00+01:00", 2, "2026-03-04T17:00+01:00"),  # before opening: same start day
        ("2026-03-02T18:00+01:00", 2, "2026-03-05T17:00+01:00"),  # after close: next day starts
        ("2026-03-07T10:00+01:00", 2, "2026-03-11T17:00+01:00"),  # Saturday: counts from Monday
        ("2026-03-06T10:00+01:00", 5, "2026-03-13T17:00+01:00"),  # one office week
        ("2026-04-01T10:00+02:00", 1, "2026-04-02T17:00+02:00"),  # Wednesday + 1 = Thursday
        ("2026-04-02T10:00+02:00", 1, "2026-04-07T17:00+02:00"),  # Thursday + 1 skips Easter
        ("2026-03-02T10:00+01:00", 0, "2026-03-02T17:00+01:00"),  # 0wd = close of start day
    ],
)
def test_working_days_are_due_at_the_close_of_the_nth_day(start: str, days: int, due: str) -> None:
    cal = BusinessCalendar.from_dict(OFFICE)
    assert cal.add_working_days(instant(start), days) == instant(due)


@pytest.mark.parametrize(
    ("zone", "wall", "utc"),
    [
        ("Europe/Berlin", (2026, 3, 29, 2, 30), "2026-03-29T01:00Z"),  # gap -> transition instant
        ("Europe/Berlin", (2026, 10, 25, 2, 30), "2026-10-25T00:30Z"),  # twice -> first occurrence
        ("America/New_York", (2026, 3, 8, 2, 15), "2026-03-08T07:00Z"),
        ("America/New_York", (2026, 11, 1, 1, 30), "2026-11-01T05:30Z"),
        ("Asia/Kolkata", (2026, 3, 2, 9, 0), "2026-03-02T03:30Z"),
    ],
)
def test_wall_times_map_to_one_instant(
    zone: str, wall: tuple[int, int, int, int, int], utc: str
) -> None:
    from datetime import date
    from zoneinfo import ZoneInfo

    y, mo, d, h, mi = wall
    assert local_to_utc(ZoneInfo(zone), date(y, mo, d), h * 60 + mi) == instant(utc)


def test_arrays_and_scalars_agree_and_nat_propagates() -> None:
    cal = BusinessCalendar.from_dict(OFFICE)
    starts = np.array(["2026-03-06T08:00", "NaT", "2026-03-09T08:00"], dtype="datetime64[ns]")
    ends = np.array(
        ["2026-03-09T09:00", "2026-03-09T09:00", "2026-03-09T07:00"], dtype="datetime64[ns]"
    )
    result = cal.elapsed(starts, ends)
    assert result[0] == cal.elapsed(
        datetime(2026, 3, 6, 8, tzinfo=UTC), datetime(2026, 3, 9, 9, tzinfo=UTC)
    )
    assert np.isnan(result[1])
    assert result[2] == 0
    due = cal.add(starts, np.array([3600.0, 3600.0, np.nan]))
    assert due[0] == np.datetime64("2026-03-06T09:00", "ns")
    assert np.isnat(due[1])
    assert np.isnat(due[2])


def test_instants_outside_the_index_extend_it() -> None:
    cal = BusinessCalendar.from_dict(OFFICE)
    assert cal.elapsed(instant("2026-03-02T09:00+01:00"), instant("2026-03-02T10:00+01:00")) == 3600
    # Far later and far earlier than the first lookup: the index grows, never fails.
    assert (
        cal.elapsed(instant("2031-03-03T09:00+01:00"), instant("2031-03-03T17:00+01:00"))
        == 8 * 3600
    )
    assert (
        cal.elapsed(instant("2019-03-04T09:00+01:00"), instant("2019-03-04T17:00+01:00"))
        == 8 * 3600
    )
    assert cal.add(instant("2026-03-02T09:00+01:00"), 8 * 3600 * 260 * 3) > instant(
        "2028-10-01T00:00Z"
    )


def test_a_calendar_with_minute_boundaries_stays_exact() -> None:
    cal = BusinessCalendar.from_dict(
        {"timezone": "Asia/Kathmandu", "hours": {"mon-fri": ["09:10-17:35"]}}
    )
    start = instant("2026-03-02T09:10+05:45")
    assert cal.add(start, 8 * 3600 + 25 * 60) == instant("2026-03-02T17:35+05:45")
    assert cal.elapsed(start, instant("2026-03-03T09:11+05:45")) == 8 * 3600 + 25 * 60 + 60


def test_a_bad_calendar_is_refused_with_every_field_named() -> None:
    with pytest.raises(ValidationError) as caught:
        BusinessCalendar.from_dict(
            {
                "timezone": "Europe/Berlinn",
                "hours": {"mon-fri": ["09:00-13:00", "12:00-17:00"], "fry": []},
            }
        )
    text = str(caught.value)
    assert "did you mean 'Europe/Berlin'" in text
    assert "hours.mon: intervals 09:00-13:00 and 12:00-17:00 overlap" in text
    assert "hours.fry" in text
