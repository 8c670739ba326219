"""Hand-computed calendar cases that pin the slow reference (tests/reference.py) itself.

The differential tests trust the reference; these tables are why: every value here was worked
out by hand from SEMANTICS.md ("Business calendars"), DST and holidays included.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accord.domain.calendars import CalendarSpec
from tests.reference import RefCalendar

CALENDARS = {
    "berlin-office": {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": ["09:00-17:00"]},
        "holidays": {"country": "DE", "subdivision": "BE", "dates": ["2026-06-15"]},
        "exceptions": {"2026-12-24": ["09:00-12:00"], "2026-12-31": []},
    },
    "berlin-daily": {"timezone": "Europe/Berlin", "hours": {"daily": ["09:00-17:00"]}},
    "berlin-lunch": {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": ["08:00-12:00", "13:00-17:00"]},
    },
    "berlin-24x7": {"timezone": "Europe/Berlin", "hours": "24x7"},
    "berlin-night": {"timezone": "Europe/Berlin", "hours": {"daily": ["01:00-03:00"]}},
    "berlin-gap": {"timezone": "Europe/Berlin", "hours": {"daily": ["02:30-05:00"]}},
    "berlin-overnight": {
        "timezone": "Europe/Berlin",
        "hours": {"sat": ["22:00-06:00"]},
        "holidays": {"dates": ["2026-06-13"]},
    },
    "berlin-evening": {"timezone": "Europe/Berlin", "hours": {"mon-fri": ["18:00-24:00"]}},
    "new-york-daily": {"timezone": "America/New_York", "hours": {"daily": ["09:00-17:00"]}},
    "new-york-24x7": {"timezone": "America/New_York", "hours": "24x7"},
}

_REFS: dict[str, RefCalendar] = {}


def ref(name: str) -> RefCalendar:
    if name not in _REFS:
        _REFS[name] = RefCalendar(CalendarSpec.from_dict(CALENDARS[name]))
    return _REFS[name]


def local(name: str, text: str) -> datetime:
    """An aware instant from local wall time in the calendar's zone ("2026-03-06 09:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(CALENDARS[name]["timezone"]))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


H = 3600


@pytest.mark.parametrize(
    ("calendar", "start", "end", "expected_seconds"),
    [
        ("berlin-office", "2026-03-06 09:00", "2026-03-06 17:00", 8 * H),
        ("berlin-office", "2026-03-06 16:00", "2026-03-09 10:00", 2 * H),
        ("berlin-office", "2026-03-07 10:00", "2026-03-08 10:00", 0),
        ("berlin-office", "2026-03-06 12:00", "2026-03-06 12:00", 0),
        ("berlin-office", "2026-03-06 13:00", "2026-03-06 12:00", 0),
        # Good Friday 2026-04-03 and Easter Monday 2026-04-06 are DE-BE holidays.
        ("berlin-office", "2026-04-02 09:00", "2026-04-07 17:00", 16 * H),
        # 2026-06-15 is an explicit holiday date (a Monday).
        ("berlin-office", "2026-06-15 00:00", "2026-06-16 00:00", 0),
        # 24 December has 09:00-12:00, 25 and 26 are holidays, 31 December is closed.
        ("berlin-office", "2026-12-24 00:00", "2026-12-25 00:00", 3 * H),
        ("berlin-office", "2026-12-21 00:00", "2027-01-04 00:00", 3 * 8 * H + 3 * H + 3 * 8 * H),
        ("berlin-office", "2026-12-31 00:00", "2027-01-01 00:00", 0),
        ("berlin-lunch", "2026-03-02 08:00", "2026-03-02 17:00", 8 * H),
        ("berlin-lunch", "2026-03-02 11:30", "2026-03-02 13:30", H),
        ("berlin-lunch", "2026-03-02 12:10", "2026-03-02 12:50", 0),
        # DST: a 09:00-17:00 day stays 8 hours on both transition days (Sundays).
        ("berlin-daily", "2026-03-29 00:00", "2026-03-30 00:00", 8 * H),
        ("berlin-daily", "2026-10-25 00:00", "2026-10-26 00:00", 8 * H),
        ("new-york-daily", "2026-03-08 00:00", "2026-03-09 00:00", 8 * H),
        ("new-york-daily", "2026-11-01 00:00", "2026-11-02 00:00", 8 * H),
        ("berlin-24x7", "2026-03-29 00:00", "2026-03-30 00:00", 23 * H),
        ("berlin-24x7", "2026-10-25 00:00", "2026-10-26 00:00", 25 * H),
        ("berlin-24x7", "2026-03-28 00:00", "2026-03-29 00:00", 24 * H),
        ("new-york-24x7", "2026-03-08 00:00", "2026-03-09 00:00", 23 * H),
        ("new-york-24x7", "2026-11-01 00:00", "2026-11-02 00:00", 25 * H),
        # 01:00-03:00 loses its 02:xx hour in spring and gains a repeated one in autumn.
        ("berlin-night", "2026-03-29 00:00", "2026-03-30 00:00", 1 * H),
        ("berlin-night", "2026-10-25 00:00", "2026-10-26 00:00", 3 * H),
        # 02:30-05:00 opens at the transition (03:00 CEST) on the spring-forward day.
        ("berlin-gap", "2026-03-29 00:00", "2026-03-30 00:00", 2 * H),
        ("berlin-gap", "2026-03-28 00:00", "2026-03-29 00:00", 2 * H + 30 * 60),
        # 22:00-06:00 belongs to the Saturday it opens on; opened on a holiday it is not worked.
        ("berlin-overnight", "2026-06-13 00:00", "2026-06-15 00:00", 0),
        ("berlin-overnight", "2026-06-20 00:00", "2026-06-22 00:00", 8 * H),
        ("berlin-overnight", "2026-06-21 00:00", "2026-06-21 12:00", 6 * H),
        ("berlin-evening", "2026-03-02 18:00", "2026-03-03 00:00", 6 * H),
        ("berlin-evening", "2026-03-02 00:00", "2026-03-04 00:00", 12 * H),
    ],
)
def test_reference_elapsed_matches_hand_computed_business_time(
    calendar: str, start: str, end: str, expected_seconds: int
) -> None:
    assert ref(calendar).elapsed(local(calendar, start), local(calendar, end)) == expected_seconds


@pytest.mark.parametrize(
    ("calendar", "start", "seconds", "expected"),
    [
        ("berlin-office", "2026-03-06 09:00", 8 * H, "2026-03-06 17:00"),
        ("berlin-office", "2026-03-06 09:00", 8 * H + 60, "2026-03-09 09:01"),
        ("berlin-office", "2026-03-06 12:00", 0, "2026-03-06 12:00"),
        ("berlin-office", "2026-03-07 12:00", 0, "2026-03-07 12:00"),
        ("berlin-office", "2026-03-07 12:00", 60, "2026-03-09 09:01"),
        ("berlin-office", "2026-03-06 18:00", 30 * 60, "2026-03-09 09:30"),
        ("berlin-office", "2026-04-02 16:00", 2 * H, "2026-04-07 10:00"),
        ("berlin-office", "2026-12-24 11:00", 2 * H, "2026-12-28 10:00"),
        ("berlin-office", "2026-12-30 16:00", 2 * H, "2027-01-04 10:00"),
        ("berlin-lunch", "2026-03-02 08:00", 4 * H, "2026-03-02 12:00"),
        ("berlin-lunch", "2026-03-02 11:00", 2 * H, "2026-03-02 14:00"),
        ("berlin-lunch", "2026-03-02 12:30", 60, "2026-03-02 13:01"),
        ("berlin-daily", "2026-03-28 16:00", 2 * H, "2026-03-29 10:00"),
        ("berlin-24x7", "2026-03-29 00:00", 23 * H, "2026-03-30 00:00"),
        ("berlin-24x7", "2026-10-25 00:00", 25 * H, "2026-10-26 00:00"),
        ("new-york-24x7", "2026-03-08 00:00", 3 * H, "2026-03-08 04:00"),
        ("berlin-evening", "2026-03-02 20:00", 4 * H, "2026-03-03 00:00"),
        ("berlin-evening", "2026-03-02 20:00", 4 * H + 60, "2026-03-03 18:01"),
        ("berlin-overnight", "2026-06-13 12:00", 60, "2026-06-20 22:01"),
        ("berlin-overnight", "2026-06-20 23:00", 7 * H, "2026-06-21 06:00"),
    ],
)
def test_reference_add_ends_at_the_earliest_instant_with_that_business_time(
    calendar: str, start: str, seconds: int, expected: str
) -> None:
    assert ref(calendar).add(local(calendar, start), seconds) == local(calendar, expected)


@pytest.mark.parametrize(
    ("calendar", "start", "seconds", "expected_utc"),
    [
        # 02:30 does not exist on 2026-03-29 in Berlin: the interval opens at 03:00 CEST.
        ("berlin-gap", "2026-03-29 00:00", 60, "2026-03-29T01:01:00Z"),
        ("berlin-night", "2026-03-29 00:00", H, "2026-03-29T01:00:00Z"),
        ("berlin-night", "2026-03-29 00:00", H + 60, "2026-03-29T23:01:00Z"),
        # 02:xx occurs twice on 2026-10-25; 01:00-03:00 runs 23:00Z to 02:00Z.
        ("berlin-night", "2026-10-25 00:00", 3 * H, "2026-10-25T02:00:00Z"),
        ("new-york-daily", "2026-03-08 00:00", 8 * H, "2026-03-08T21:00:00Z"),
        ("new-york-daily", "2026-11-01 00:00", 8 * H, "2026-11-01T22:00:00Z"),
    ],
)
def test_reference_add_is_exact_across_dst_in_utc(
    calendar: str, start: str, seconds: int, expected_utc: str
) -> None:
    assert ref(calendar).add(local(calendar, start), seconds) == utc(expected_utc)


@pytest.mark.parametrize(
    ("calendar", "day", "minute", "expected_utc"),
    [
        ("berlin-office", "2026-03-29", 150, "2026-03-29T01:00:00Z"),
        ("berlin-office", "2026-03-29", 120, "2026-03-29T01:00:00Z"),
        ("berlin-office", "2026-03-29", 180, "2026-03-29T01:00:00Z"),
        ("berlin-office", "2026-03-29", 119, "2026-03-29T00:59:00Z"),
        ("berlin-office", "2026-10-25", 150, "2026-10-25T00:30:00Z"),
        ("berlin-office", "2026-10-25", 180, "2026-10-25T02:00:00Z"),
        ("berlin-office", "2026-10-24", 1440, "2026-10-24T22:00:00Z"),
        ("new-york-daily", "2026-03-08", 150, "2026-03-08T07:00:00Z"),
        ("new-york-daily", "2026-11-01", 90, "2026-11-01T05:30:00Z"),
    ],
)
def test_reference_maps_missing_wall_times_to_the_transition_and_repeated_ones_to_the_first(
    calendar: str, day: str, minute: int, expected_utc: str
) -> None:
    assert ref(calendar).wall_to_utc(date.fromisoformat(day), minute) == utc(expected_utc)


@pytest.mark.parametrize(
    ("calendar", "day_from", "day_to", "expected_utc"),
    [
        ("berlin-night", "2026-03-29", "2026-03-29", [("2026-03-29T00:00Z", "2026-03-29T01:00Z")]),
        ("berlin-night", "2026-10-25", "2026-10-25", [("2026-10-24T23:00Z", "2026-10-25T02:00Z")]),
        ("berlin-24x7", "2026-03-28", "2026-03-30", [("2026-03-27T23:00Z", "2026-03-30T22:00Z")]),
        ("berlin-office", "2026-04-03", "2026-04-06", []),
        (
            "berlin-lunch",
            "2026-03-02",
            "2026-03-02",
            [
                ("2026-03-02T07:00Z", "2026-03-02T11:00Z"),
                ("2026-03-02T12:00Z", "2026-03-02T16:00Z"),
            ],
        ),
    ],
)
def test_reference_working_intervals_are_merged_utc_intervals(
    calendar: str, day_from: str, day_to: str, expected_utc: list[tuple[str, str]]
) -> None:
    got = ref(calendar).working_intervals(date.fromisoformat(day_from), date.fromisoformat(day_to))
    assert got == [(utc(a), utc(b)) for a, b in expected_utc]


@pytest.mark.parametrize(
    ("calendar", "start", "days", "expected"),
    [
        ("berlin-office", "2026-03-02 10:00", 2, "2026-03-04 17:00"),
        ("berlin-office", "2026-03-02 10:00", 0, "2026-03-02 17:00"),
        ("berlin-office", "2026-03-02 07:00", 0, "2026-03-02 17:00"),
        ("berlin-office", "2026-03-02 17:00", 0, "2026-03-03 17:00"),
        ("berlin-office", "2026-03-07 10:00", 0, "2026-03-09 17:00"),
        ("berlin-office", "2026-03-07 10:00", 1, "2026-03-10 17:00"),
        ("berlin-office", "2026-03-06 18:00", 1, "2026-03-10 17:00"),
        ("berlin-office", "2026-03-06 10:00", 5, "2026-03-13 17:00"),
        ("berlin-office", "2026-04-02 10:00", 1, "2026-04-07 17:00"),
        ("berlin-office", "2026-12-23 10:00", 1, "2026-12-24 12:00"),
        ("berlin-office", "2026-12-24 12:30", 0, "2026-12-28 17:00"),
        ("berlin-lunch", "2026-03-02 12:30", 0, "2026-03-02 17:00"),
        ("berlin-daily", "2026-03-28 10:00", 1, "2026-03-29 17:00"),
        ("berlin-overnight", "2026-06-21 03:00", 0, "2026-06-21 06:00"),
        ("berlin-overnight", "2026-06-13 21:00", 0, "2026-06-21 06:00"),
    ],
)
def test_reference_working_days_end_at_the_close_of_the_nth_working_day(
    calendar: str, start: str, days: int, expected: str
) -> None:
    assert ref(calendar).add_working_days(local(calendar, start), days) == local(calendar, expected)


def test_reference_elapsed_and_add_agree_on_whole_weeks_across_dst() -> None:
    cal = ref("berlin-office")
    start = local("berlin-office", "2026-03-23 09:00")
    end = cal.add(start, 5 * 8 * H)
    assert end == local("berlin-office", "2026-03-27 17:00")
    assert cal.elapsed(start, end + timedelta(days=2)) == 5 * 8 * H


def test_reference_refuses_naive_instants() -> None:
    with pytest.raises(ValueError, match="naive"):
        ref("berlin-office").elapsed(datetime(2026, 3, 2, 9), datetime(2026, 3, 2, 10))  # noqa: DTZ001
