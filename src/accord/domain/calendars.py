"""Business calendars as data: time zone, weekly hours, holidays, exceptions (no arithmetic here).

Parsing from the agreement's mapping form lives here so that the spec layer and
`BusinessCalendar.from_dict` report the same errors with the same field paths. The engine
(`accord.engine.calendars`) turns a CalendarSpec into a cumulative index and does the maths.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from accord.errors import FieldIssue, ValidationError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 1440
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_ALWAYS = ("24x7", "24/7")


@dataclass(frozen=True, slots=True, order=True)
class TimeRange:
    """Working time on one local date, in minutes after that date's midnight.

    `end_minute` may exceed 1440 for an interval that runs past midnight (`22:00-06:00` is
    1320-1800); it still belongs to the date on which it opens.
    """

    start_minute: int
    end_minute: int

    @classmethod
    def parse(cls, text: str) -> TimeRange:
        """Parse `HH:MM-HH:MM`; `24:00` ends a day; an end before the start runs past midnight."""
        match = _RANGE.match(str(text))
        if not match:
            raise ValueError(f"'{text}' is not a time range; write e.g. 09:00-17:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if m1 > 59 or m2 > 59 or h1 > 23 or h2 > 24 or (h2 == 24 and m2 != 0):
            raise ValueError(f"'{text}' has an invalid time of day (00:00 to 24:00)")
        start = h1 * 60 + m1
        end = h2 * 60 + m2
        if end == start:
            raise ValueError(f"'{text}' is empty; for a whole day write 00:00-24:00")
        if end < start:
            end += MINUTES_PER_DAY
        return cls(start, end)

    def __str__(self) -> str:
        def hhmm(minute: int) -> str:
            return f"{minute // 60:02d}:{minute % 60:02d}"

        end = self.end_minute
        end_text = "24:00" if end == MINUTES_PER_DAY else hhmm(end % MINUTES_PER_DAY)
        return f"{hhmm(self.start_minute)}-{end_text}"

    @property
    def minutes(self) -> int:
        return self.end_minute - self.start_minute


DayHours = tuple[TimeRange, ...]
Week = tuple[DayHours, DayHours, DayHours, DayHours, DayHours, DayHours, DayHours]


def _week(days: list[DayHours]) -> Week:
    return (days[0], days[1], days[2], days[3], days[4], days[5], days[6])


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    """A business calendar as the agreement states it.

    Which hours a local date has: its exception if it has one, else none if it is a holiday,
    else its weekday's intervals (SEMANTICS.md, "Business calendars").
    """

    timezone: str
    weekly: Week
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    holiday_dates: frozenset[date] = frozenset()
    exceptions: Mapping[date, DayHours] = field(default_factory=dict)

    @property
    def is_24x7(self) -> bool:
        full = (TimeRange(0, MINUTES_PER_DAY),)
        return (
            all(day == full for day in self.weekly)
            and self.holiday_country is None
            and not self.holiday_dates
            and not self.exceptions
        )

    @property
    def has_working_time(self) -> bool:
        return any(self.weekly) or any(self.exceptions.values())

    def weekly_minutes(self) -> int:
        """Business minutes in an ordinary week (no holiday, no exception)."""
        return sum(r.minutes for day in self.weekly for r in day)

    @classmethod
    def from_dict(cls, data: object) -> CalendarSpec:
        """Build a spec from its mapping form; raise ValidationError listing every problem.

        Keys: `timezone` (IANA, required), `hours` (`24x7`, or day specs such as `mon-fri`,
        `sat`, `mon,wed`, `daily` mapped to lists of `HH:MM-HH:MM`), `holidays` (`country`,
        `subdivision`, `dates`), `exceptions` (date -> list of ranges; an empty list closes it).
        """
        issues: list[FieldIssue] = []
        if not isinstance(data, Mapping):
            raise ValidationError([FieldIssue("", "a calendar must be a mapping")])
        for key in data:
            if key not in ("timezone", "hours", "holidays", "exceptions"):
                issues.append(
                    _unknown_key(str(key), ("timezone", "hours", "holidays", "exceptions"))
                )
        tz_name = _parse_timezone(data.get("timezone"), issues)
        weekly = _parse_hours(data.get("hours"), issues)
        country, subdivision, dates = _parse_holidays(data.get("holidays"), issues)
        exceptions = _parse_exceptions(data.get("exceptions"), issues)
        if not issues and not any(weekly) and not any(exceptions.values()):
            issues.append(FieldIssue("hours", "the calendar has no working time at all"))
        if issues:
            raise ValidationError(issues)
        return cls(
            timezone=tz_name,
            weekly=weekly,
            holiday_country=country,
            holiday_subdivision=subdivision,
            holiday_dates=frozenset(dates),
            exceptions=exceptions,
        )


def _unknown_key(key: str, allowed: tuple[str, ...]) -> FieldIssue:
    hint = difflib.get_close_matches(key, allowed, n=1)
    suffix = f"; did you mean '{hint[0]}'?" if hint else f" (allowed: {', '.join(allowed)})"
    return FieldIssue(key, f"unknown key{suffix}")


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def _parse_timezone(value: object, issues: list[FieldIssue]) -> str:
    if value is None:
        issues.append(FieldIssue("timezone", "required: an IANA time zone such as Europe/Berlin"))
        return "UTC"
    name = str(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        hint = difflib.get_close_matches(name, _zone_names(), n=1)
        suffix = f"; did you mean '{hint[0]}'?" if hint else ""
        issues.append(FieldIssue("timezone", f"'{name}' is not an IANA time zone{suffix}"))
        return "UTC"
    return name


def parse_day_spec(spec: str) -> list[int]:
    """Turn `mon-fri`, `sat`, `mon,wed,fri`, `daily` into weekday numbers (Monday is 0)."""
    days: list[int] = []
    for part in str(spec).lower().replace(" ", "").split(","):
        if part in ("daily", "all", "mon-sun"):
            days.extend(range(7))
            continue
        if "-" in part:
            first, _, last = part.partition("-")
            if first not in DAY_NAMES or last not in DAY_NAMES:
                raise ValueError(f"'{spec}' is not a day range; write e.g. mon-fri")
            a, b = DAY_NAMES.index(first), DAY_NAMES.index(last)
            days.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
            continue
        if part not in DAY_NAMES:
            raise ValueError(f"'{spec}' is not a day; use mon, tue, wed, thu, fri, sat, sun")
        days.append(DAY_NAMES.index(part))
    return days


def _parse_ranges(value: object, path: str, issues: list[FieldIssue]) -> list[TimeRange]:
    if value is None or value in ("closed",):
        return []
    if isinstance(value, str):
        if value.strip().lower() in _ALWAYS:
            return [TimeRange(0, MINUTES_PER_DAY)]
        value = [value]
    if not isinstance(value, list):
        issues.append(FieldIssue(path, "expected a list of time ranges such as ['09:00-17:00']"))
        return []
    ranges: list[TimeRange] = []
    for i, item in enumerate(value):
        try:
            ranges.append(TimeRange.parse(str(item)))
        except ValueError as exc:
            issues.append(FieldIssue(f"{path}[{i}]", str(exc)))
    return ranges


def _check_overlap(ranges: list[TimeRange], path: str, issues: list[FieldIssue]) -> DayHours:
    ordered = sorted(ranges)
    for prev, nxt in itertools.pairwise(ordered):
        if nxt.start_minute < prev.end_minute:
            issues.append(FieldIssue(path, f"intervals {prev} and {nxt} overlap"))
            return tuple(ordered)
    if ordered and ordered[-1].end_minute - ordered[0].start_minute > 2 * MINUTES_PER_DAY:
        issues.append(FieldIssue(path, "a day's intervals span more than 48 hours"))
    return tuple(ordered)


def _parse_hours(value: object, issues: list[FieldIssue]) -> Week:
    empty = _week([()] * 7)
    if value is None:
        issues.append(
            FieldIssue("hours", "required: '24x7' or day specs such as mon-fri: ['09:00-17:00']")
        )
        return empty
    if isinstance(value, str):
        if value.strip().lower() in _ALWAYS:
            return _week([(TimeRange(0, MINUTES_PER_DAY),)] * 7)
        issues.append(
            FieldIssue(
                "hours", f"'{value}': write '24x7' or a mapping such as mon-fri: ['09:00-17:00']"
            )
        )
        return empty
    if not isinstance(value, Mapping):
        issues.append(FieldIssue("hours", "expected '24x7' or a mapping of days to time ranges"))
        return empty
    per_day: list[list[TimeRange]] = [[] for _ in range(7)]
    for key, ranges_value in value.items():
        path = f"hours.{key}"
        try:
            days = parse_day_spec(str(key))
        except ValueError as exc:
            issues.append(FieldIssue(path, str(exc)))
            continue
        ranges = _parse_ranges(ranges_value, path, issues)
        for day in days:
            per_day[day].extend(ranges)
    return _week(
        [_check_overlap(r, f"hours.{DAY_NAMES[d]}", issues) for d, r in enumerate(per_day)]
    )


def _parse_date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def _parse_holidays(
    value: object, issues: list[FieldIssue]
) -> tuple[str | None, str | None, list[date]]:
    if value is None:
        return None, None, []
    if not isinstance(value, Mapping):
        issues.append(
            FieldIssue("holidays", "expected a mapping with country, subdivision and dates")
        )
        return None, None, []
    allowed = ("country", "subdivision", "dates")
    for key in value:
        if key not in allowed:
            issues.append(_unknown_key(str(key), allowed).under("holidays"))
    country = value.get("country")
    subdivision = value.get("subdivision")
    if subdivision is not None and country is None:
        issues.append(FieldIssue("holidays.subdivision", "a subdivision needs a country"))
    dates: list[date] = []
    raw_dates = value.get("dates") or []
    if not isinstance(raw_dates, list):
        issues.append(FieldIssue("holidays.dates", "expected a list of dates (YYYY-MM-DD)"))
        raw_dates = []
    for i, item in enumerate(raw_dates):
        try:
            dates.append(_parse_date(item))
        except ValueError:
            issues.append(
                FieldIssue(f"holidays.dates[{i}]", f"'{item}' is not a date (YYYY-MM-DD)")
            )
    return (
        None if country is None else str(country),
        None if subdivision is None else str(subdivision),
        dates,
    )


def _parse_exceptions(value: object, issues: list[FieldIssue]) -> dict[date, DayHours]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        issues.append(FieldIssue("exceptions", "expected a mapping of dates to time ranges"))
        return {}
    result: dict[date, DayHours] = {}
    for key, ranges_value in value.items():
        path = f"exceptions.{key}"
        try:
            day = _parse_date(key)
        except ValueError:
            issues.append(FieldIssue(path, f"'{key}' is not a date (YYYY-MM-DD)"))
            continue
        ranges = _parse_ranges(ranges_value if ranges_value is not None else [], path, issues)
        result[day] = _check_overlap(ranges, path, issues)
    return result
