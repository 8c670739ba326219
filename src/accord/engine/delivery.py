"""On-time delivery: a schedule's due instants, and which of them a delivery met.

Due instants are local dates and a local time on the target calendar's zone, converted to UTC
one by one (DST exact: a Monday 10:00 is 10:00 in winter and in summer). Pure computation.

An occurrence due at `d[k]` is met when a delivery lies in `(open[k], d[k]]`: after the
previous due instant `d[k-1]` (or after `d[k] - window` when the schedule has a shorter
window), at or before the due instant.
"""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from accord.domain.measures import ClosedDayPolicy, DeliverySchedule
from accord.engine.calendars import NS, BusinessCalendar, local_to_utc
from accord.engine.events import NAT

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

LOOK_BACK_DAYS = 62
_EPOCH = datetime(
    1970, 1, 1, tzinfo=UTC
)  # far enough back to find the due instant before the first one


def due_dates(
    schedule: DeliverySchedule, calendar: BusinessCalendar, first_on: date, last_on: date
) -> list[date]:
    """The local dates in `[first_on, last_on]` the schedule falls due on.

    Monthly on day N falls on the month's last day when N is past it (31 in April is the 30th).
    Under `on_closed_day: skip`, a date without working hours on the calendar (a holiday, a
    weekend on an office calendar) has no occurrence; a 24x7 calendar never skips.
    """
    found: list[date] = []
    day = first_on
    while day <= last_on:
        if schedule.month_day is not None:
            last = month_calendar.monthrange(day.year, day.month)[1]
            due = date(day.year, day.month, min(schedule.month_day, last))
            if first_on <= due <= last_on:
                found.append(due)
            day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        else:
            if day.weekday() in schedule.weekdays:
                found.append(day)
            day += timedelta(days=1)
    if schedule.on_closed_day is ClosedDayPolicy.SKIP:
        found = [d for d in found if calendar.hours_on(d)]
    return found


def due_instants(schedule: DeliverySchedule, zone: str, dates: list[date]) -> Int64Array:
    """The UTC instant (ns) of the schedule's local time on each date, DST exact."""
    tz = ZoneInfo(zone)
    seconds = [int(local_to_utc(tz, day, schedule.at_minute).timestamp()) for day in dates]
    return np.array(seconds, dtype=np.int64) * NS


@dataclass(frozen=True, slots=True)
class Occurrences:
    """Due instants in order, the instant after which deliveries count for each, and results.

    `delivery` is the index (into the sorted deliveries) of the first delivery in each window,
    -1 where there is none; `met` is True where there is one.
    """

    due_on: list[date]
    due_at: Int64Array
    opens_at: Int64Array
    delivery: Int64Array
    met: BoolArray


def occurrences(
    schedule: DeliverySchedule,
    calendar: BusinessCalendar,
    first_on: date,
    last_on: date,
    delivered: Int64Array,
) -> Occurrences:
    """Every occurrence due on `[first_on, last_on]` (local dates) against sorted deliveries.

    The window of the first occurrence opens at the schedule's previous due instant before
    `first_on`, so the first week is judged like every other.
    """
    earlier = due_dates(schedule, calendar, first_on - timedelta(days=LOOK_BACK_DAYS), first_on)
    earlier = [d for d in earlier if d < first_on][-1:]
    dates = due_dates(schedule, calendar, first_on, last_on)
    instants = due_instants(schedule, calendar.timezone, earlier + dates)
    due = instants[len(earlier) :]
    previous = np.full(due.size, NAT, dtype=np.int64)
    if due.size:
        previous[1:] = due[:-1]
        if earlier:
            previous[0] = instants[0]
    opens = previous
    if schedule.window_seconds is not None:
        opens = np.maximum(previous, due - schedule.window_seconds * NS)
    first = np.searchsorted(delivered, opens, side="right")
    safe = np.minimum(first, max(delivered.size - 1, 0))
    if delivered.size:
        met = (first < delivered.size) & (delivered[safe] <= due)
    else:
        met = np.zeros(due.size, dtype=bool)
    return Occurrences(
        due_on=dates,
        due_at=due,
        opens_at=opens,
        delivery=np.where(met, first, -1).astype(np.int64),
        met=met,
    )
