"""An agreement's promises in plain words: calendars, goals, periods and one sentence per target.

Shared by the signed document, and meant for the web pages and reports too. It only words what
the agreement states (SEMANTICS.md gives the meaning); it computes no figure and decides nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache

import holidays

from accord.domain.agreements import Agreement, PriorityChangePolicy, ReopenPolicy, Target
from accord.domain.agreements import TargetKind as Kind
from accord.domain.calendars import MINUTES_PER_DAY, CalendarSpec, DayHours, TimeRange
from accord.domain.catalog import CatalogService
from accord.domain.durations import Duration
from accord.domain.events import EventKind
from accord.domain.measures import (
    ClosedDayPolicy,
    DeliverySchedule,
    MaintenanceConvention,
    TimeBasis,
    plain,
)
from accord.domain.periods import PeriodKind, PeriodSpec

__all__ = [
    "Catalog",
    "calendar_words",
    "count_words",
    "duration_words",
    "join_words",
    "percent_words",
    "period_words",
    "plural",
    "seconds_words",
    "service_words",
    "singular",
    "target_sentences",
    "zone_words",
]

Catalog = Mapping[str, CatalogService]  # catalog services by id

_DAY_TITLES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_FULL = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FULL_DAY = (TimeRange(0, MINUTES_PER_DAY),)
_STOP_WORDS = {
    EventKind.RESPONDED: "the first response",
    EventKind.RESOLVED: "resolution",
    EventKind.CLOSED: "closing",
}


def plural(count: int | Decimal, noun: str, many: str | None = None) -> str:
    """`1 business hour`, `4 business hours`; `many` for an irregular plural."""
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"


def join_words(words: Sequence[str], conjunction: str = "and") -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(words) <= 2:
        return f" {conjunction} ".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def percent_words(fraction: Decimal) -> str:
    """0.95 -> `95%`, 0.999 -> `99.9%`: exactly what the agreement states, never rounded."""
    return f"{plain(fraction * 100):f}%"


def singular(noun: str) -> str:
    """The singular of a plural noun as agreements write them: incidents, leads, deliveries."""
    if noun.endswith("ies") and len(noun) > 3:
        return noun[:-3] + "y"
    if noun.endswith(("ches", "shes", "sses", "xes")):
        return noun[:-2]
    return noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun


def zone_words(timezone: str) -> str:
    """`Europe/Berlin` -> `Berlin time`; `UTC` stays `UTC`."""
    if "/" not in timezone:
        return timezone
    return timezone.rsplit("/", 1)[1].replace("_", " ") + " time"


def seconds_words(seconds: int, *, business: bool) -> str:
    """A span in the largest whole unit: `30 business minutes`, `4 hours`, `1 hour 30 minutes`.

    With `business`, the unit says it is business time (only the working time of a calendar
    counts); a span that is no whole number of minutes is given in seconds.
    """
    prefix = "business " if business else ""
    if seconds % 60:
        return plural(seconds, f"{prefix}second")
    minutes = seconds // 60
    if not business and minutes % 1440 == 0:
        return plural(minutes // 1440, "day")
    if minutes % 60 == 0:
        return plural(minutes // 60, f"{prefix}hour")
    if minutes < 60:
        return plural(minutes, f"{prefix}minute")
    hours_part = plural(minutes // 60, "hour")
    minutes_part = plural(minutes % 60, "minute")
    return f"{hours_part} {minutes_part}" + (" of business time" if business else "")


def duration_words(duration: Duration, calendar: CalendarSpec) -> str:
    """A goal in words on its calendar (SEMANTICS.md, "Units").

    `2wd` -> `2 working days`; `30m` -> `30 business minutes`; `1d` -> `1 business day (24
    business hours)`, since people read a day as a working day. On a 24x7 calendar every hour
    is business time, so the word `business` is left out: `4 hours`, `2 days (48 hours)`.
    """
    if duration.working_days is not None:
        return plural(duration.working_days, "working day")
    business = not _around_the_clock(calendar)
    seconds = duration.seconds
    if duration.uses_days_unit and seconds % 86400 == 0:
        prefix = "business " if business else ""
        days = plural(seconds // 86400, f"{prefix}day")
        return f"{days} ({plural(seconds // 3600, f'{prefix}hour')})"
    return seconds_words(seconds, business=business)


def calendar_words(spec: CalendarSpec) -> str:
    """The calendar as a person reads it: hours per weekday, time zone, holidays, exceptions.

    `Mon-Fri 09:00-17:00 Berlin time, public holidays in Berlin (DE-BE) excepted`;
    `around the clock (24x7)`. Weekdays with the same hours are grouped (`Mon-Fri`,
    `Mon, Wed`); an interval past midnight keeps its written form (`22:00-06:00`).
    """
    if _around_the_clock(spec):
        parts = ["around the clock (24x7)"]
    else:
        parts = [f"{_week_words(spec.weekly)} {zone_words(spec.timezone)}"]
    holidays_text = _holiday_words(spec)
    if holidays_text:
        parts.append(holidays_text)
    parts.extend(_exception_words(spec.exceptions))
    return ", ".join(parts)


def period_words(period: PeriodSpec) -> str:
    """`each calendar month`, `each week (Monday to Sunday)`, `each block of 28 days`."""
    if period.kind is PeriodKind.MONTH:
        return "each calendar month"
    if period.kind is PeriodKind.QUARTER:
        return "each calendar quarter"
    if period.kind is PeriodKind.WEEK:
        return "each week (Monday to Sunday)"
    return f"each block of {plural(period.days or 0, 'day')} from the start of the agreement"


def count_words(period: PeriodSpec) -> str:
    """How a count reads per period: `a month`, `a quarter`, `a week`, `every 28 days`."""
    if period.kind is PeriodKind.DAYS:
        return f"every {plural(period.days or 0, 'day')}"
    return f"a {period.kind.value}"


def target_sentences(
    agreement: Agreement, target: Target, *, catalog: Catalog | None = None
) -> list[str]:
    """The target's promise as sentences a person signs, the first one the promise itself.

    Clocks: one sentence per priority with a goal, in the agreement's order ("95% of P1
    incidents get a first response within 30 business minutes, Mon-Fri 09:00-17:00 Berlin
    time, public holidays in Berlin (DE-BE) excepted."), then how the share is counted over
    the priorities together, pauses and the policies that differ from the defaults. Counts,
    deliveries and availability get their own forms; a target's description comes last.
    """
    calendar = agreement.calendars[target.calendar]
    if target.kind in (Kind.RESPONSE, Kind.RESOLUTION):
        sentences = _clock_sentences(agreement, target, calendar)
    elif target.kind is Kind.COUNT:
        sentences = _count_sentences(agreement, target)
    elif target.kind is Kind.DELIVERY:
        sentences = _delivery_sentences(agreement, target, calendar)
    else:
        sentences = _availability_sentences(agreement, target, calendar, catalog or {})
    if target.source:
        sentences.append(f"The figures come from {target.source}.")
    if target.description:
        sentences.append(_sentence(target.description))
    return sentences


def _clock_sentences(agreement: Agreement, target: Target, calendar: CalendarSpec) -> list[str]:
    noun = target.items or agreement.items
    qualifier = _match_words(target.match)
    verb = "get a first response" if target.kind is Kind.RESPONSE else "are resolved"
    share = percent_words(target.objective)
    rank = "" if target.percentile is None else f" ({_ordinal(target.percentile)} percentile)"
    hours = calendar_words(calendar)
    goals = _ordered_goals(agreement.priorities, target.goals)
    sentences = [
        f"{share} of {priority} {noun}{qualifier} {verb} within "
        f"{duration_words(goal, calendar)}{rank}, {hours}."
        for priority, goal in goals
    ]
    period = period_words(target.period)
    counted = f"Measured {period} over the {noun} whose clock is decided in it"
    if len(goals) > 1:
        counted += ", all priorities together, each against the goal of its priority"
    if target.percentile is not None:
        counted += (
            f"; ranked by their time as a share of their goal, the {singular(noun)} at the "
            f"{_ordinal(target.percentile)} percentile (nearest rank) must meet its goal"
        )
    sentences.append(counted + ".")
    if target.stop_on is not None:
        stops = [_STOP_WORDS.get(event, event.value) for event in sorted(target.stop_on)]
        sentences.append(f"The clock stops at {join_words(stops, 'or')}, whichever comes first.")
    if target.pause_states:
        states = join_words([f'"{state}"' for state in sorted(target.pause_states)], "or")
        sentences.append(f"The clock stops while the {singular(noun)} is {states}.")
    sentences.extend(_policy_sentences(target, singular(noun)))
    return sentences


def _policy_sentences(target: Target, one: str) -> list[str]:
    sentences = []
    policy = target.on_priority_change
    if policy is PriorityChangePolicy.RESTART:
        sentences.append(
            f"When the priority of a running {one} changes, its clock starts over with the "
            "new priority's goal."
        )
    elif policy is PriorityChangePolicy.STRICTEST:
        sentences.append(
            f"When the priority of a running {one} changes, the strictest goal of the "
            "priorities it held applies."
        )
    if target.kind is Kind.RESOLUTION:
        reopen = {
            ReopenPolicy.RESUME: f"A reopened {one}'s clock resumes where it stopped.",
            ReopenPolicy.NEW_CYCLE: f"A reopened {one} is judged again, on its own new clock.",
            ReopenPolicy.IGNORE: f"Reopening a {one} does not restart its clock.",
        }
        sentences.append(reopen[target.on_reopen])
    return sentences


def _count_sentences(agreement: Agreement, target: Target) -> list[str]:
    noun = target.items or agreement.items
    adjectives = [join_words(sorted(target.priorities, key=_priority_order(agreement)), "or")]
    qualifier = _match_words(target.match)
    if len(target.match) == 1:  # one field reads best before the noun: "hot leads"
        adjectives.append(join_words(sorted(next(iter(target.match.values()))), "or"))
        qualifier = ""
    what = " ".join([*(a for a in adjectives if a), noun])
    bounds = target.count
    per = count_words(target.period)
    if bounds is None:  # pragma: no cover - the spec gives every count target its bounds
        amount = what
    elif bounds.at_least is not None and bounds.at_most is not None:
        amount = f"Between {bounds.at_least:,} and {bounds.at_most:,} {what}"
    elif bounds.at_least is not None:
        amount = f"At least {bounds.at_least:,} {what}"
    else:
        amount = f"At most {bounds.at_most:,} {what}"
    return [
        f"{amount}{qualifier} {per}.",
        f"Counted {period_words(target.period)}, by the date each {singular(noun)} is created.",
    ]


def _delivery_sentences(agreement: Agreement, target: Target, calendar: CalendarSpec) -> list[str]:
    due = target.due
    name = _deliverable(target)
    if due is None:  # pragma: no cover - the spec gives every delivery target its schedule
        return [f"The {name} is delivered on time."]
    sentences = [
        f"The {name} is delivered {_schedule_words(due)} {zone_words(calendar.timezone)}; "
        f"{percent_words(target.objective)} on time, {period_words(target.period)}."
    ]
    if due.on_closed_day is ClosedDayPolicy.SKIP and _has_closed_days(calendar):
        sentences.append(
            f"Nothing falls due on a day without working hours ({_closed_days(calendar)})."
        )
    if due.window_seconds is not None:
        window = seconds_words(due.window_seconds, business=False)
        sentences.append(f"A delivery counts when it arrives at most {window} before it is due.")
    return sentences


def _availability_sentences(
    agreement: Agreement, target: Target, calendar: CalendarSpec, catalog: Catalog
) -> list[str]:
    rules = target.availability
    subject = service_words(agreement, catalog)
    if target.match:
        limits = "; ".join(f"{k}: {join_words(sorted(v), 'or')}" for k, v in target.match.items())
        subject += f" ({limits})"
    subject += " is" if len(agreement.services) == 1 else " are"
    sentences = [
        f"{subject} available {percent_words(target.objective)} of "
        f"the service window, {calendar_words(calendar)}, {period_words(target.period)}"
        + (
            ", planned maintenance excluded."
            if rules is None or rules.maintenance is MaintenanceConvention.EXCLUDE
            else ", planned maintenance counted as available time."
        )
    ]
    if rules is None:  # pragma: no cover - the spec gives every availability target its rules
        return sentences
    if rules.minimum_downtime_seconds:
        shortest = seconds_words(rules.minimum_downtime_seconds, business=False)
        sentences.append(f"Outages shorter than {shortest} are not counted.")
    basis = "wall-clock time" if rules.basis is TimeBasis.WALL else "business time"
    sentences.append(
        "MTTR (mean time to restore), MTBF (mean time between failures) and MTTA (mean time "
        f"to acknowledge) are reported {period_words(target.period)}, in {basis}."
    )
    if rules.alerts:
        alerts = [
            f"{plain(alert.burn_rate):f}x over {_last(alert.long_window_seconds)} and "
            f"{_last(alert.short_window_seconds)}"
            for alert in rules.alerts
        ]
        sentences.append(
            "An alert is raised when the error budget burns faster than the sustainable rate: "
            f"{join_words(alerts, 'or')}."
        )
    return sentences


def service_words(agreement: Agreement, catalog: Catalog | None = None) -> str:
    """The agreement's services as the subject of a sentence: `Web hosting` (a catalog
    title), `The service web-hosting`, `The services crm and network`."""
    known = catalog or {}
    names = [known[s].title if s in known else s for s in agreement.services]
    if names and all(s in known for s in agreement.services):
        return join_words(names)
    noun = "The service" if len(names) == 1 else "The services"
    return f"{noun} {join_words(names)}"


def _last(seconds: int) -> str:
    """`the last hour`, `the last 5 minutes`, `the last 3 days` (a window of wall-clock time)."""
    words = seconds_words(seconds, business=False)
    return f"the last {words.removeprefix('1 ')}" if words.startswith("1 ") else f"the last {words}"


def _around_the_clock(spec: CalendarSpec) -> bool:
    return all(day == _FULL_DAY for day in spec.weekly) and not spec.exceptions


def _week_words(weekly: Sequence[DayHours]) -> str:
    """Weekdays grouped by their hours, in week order of their first day."""
    groups: dict[DayHours, list[int]] = {}
    for day, hours in enumerate(weekly):
        if hours:
            groups.setdefault(hours, []).append(day)
    parts = []
    for hours, days in groups.items():
        ranges = join_words([str(r) for r in hours])
        parts.append(f"{_days_words(days)} {ranges}")
    return "; ".join(parts) if parts else "no regular hours"


def _days_words(days: list[int]) -> str:
    """[0, 1, 2, 3, 4] -> `Mon-Fri`; [0, 2] -> `Mon, Wed`; [5, 6] -> `Sat-Sun`."""
    if len(days) == 7:
        return "daily"
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    words = []
    for run in runs:
        if len(run) >= 2:
            words.append(f"{_DAY_TITLES[run[0]]}-{_DAY_TITLES[run[-1]]}")
        else:
            words.append(_DAY_TITLES[run[0]])
    return ", ".join(words)


def _holiday_words(spec: CalendarSpec) -> str:
    parts = []
    if spec.holiday_country is not None:
        parts.append(
            f"public holidays in {_region(spec.holiday_country, spec.holiday_subdivision)}"
        )
    if spec.holiday_dates:
        dates = [day.isoformat() for day in sorted(spec.holiday_dates)]
        parts.append(f"{join_words(dates)}")
    return f"{join_words(parts)} excepted" if parts else ""


@lru_cache(maxsize=64)
def _region(country: str, subdivision: str | None) -> str:
    """`Berlin (DE-BE)` where the holidays package names the subdivision, else `DE-BE`."""
    if subdivision is None:
        return country
    code = f"{country}-{subdivision}"
    try:
        aliases: Mapping[str, str] = holidays.country_holidays(country).subdivisions_aliases
    except (NotImplementedError, AttributeError, KeyError):
        return code
    names = [name for name, sub in aliases.items() if sub == subdivision]
    return f"{names[0]} ({code})" if names else code


def _exception_words(exceptions: Mapping[date, DayHours]) -> list[str]:
    words = []
    for day, hours in sorted(exceptions.items()):
        if hours:
            words.append(f"{day} {join_words([str(r) for r in hours])} only")
        else:
            words.append(f"closed on {day}")
    return words


def _has_closed_days(calendar: CalendarSpec) -> bool:
    closed_exception = any(not hours for hours in calendar.exceptions.values())
    return (
        not all(calendar.weekly)
        or calendar.holiday_country is not None
        or bool(calendar.holiday_dates)
        or closed_exception
    )


def _closed_days(calendar: CalendarSpec) -> str:
    if calendar.holiday_country is not None:
        return (
            f"public holidays in {_region(calendar.holiday_country, calendar.holiday_subdivision)}"
        )
    return "closed days of the calendar"


def _schedule_words(due: DeliverySchedule) -> str:
    at = f"{due.at_minute // 60:02d}:{due.at_minute % 60:02d}"
    if due.month_day is not None:
        return f"each month by the {_ordinal(Decimal(due.month_day))} at {at}"
    days = [_DAY_FULL[d] for d in sorted(due.weekdays)]
    if len(days) == 7:
        return f"every day by {at}"
    return f"every {join_words(days)} by {at}"


def _deliverable(target: Target) -> str:
    """What is delivered: the `deliverable` the target matches, else its id (`backup`)."""
    named = target.match.get("deliverable")
    if named and len(named) == 1:
        return next(iter(named)).replace("-", " ").replace("_", " ")
    return singular(target.id.replace("-", " ").replace("_", " "))


def _match_words(match: Mapping[str, frozenset[str]]) -> str:
    """` whose channel is web or event`, for the items a target is limited to."""
    parts = [f"{field} is {join_words(sorted(values), 'or')}" for field, values in match.items()]
    return f" whose {join_words(parts)}" if parts else ""


def _ordered_goals(
    priorities: Iterable[str], goals: Mapping[str, Duration]
) -> list[tuple[str, Duration]]:
    order = {p: i for i, p in enumerate(priorities)}
    return sorted(goals.items(), key=lambda pair: (order.get(pair[0], len(order)), pair[0]))


def _priority_order(agreement: Agreement) -> Callable[[str], tuple[int, str]]:
    order = {p: i for i, p in enumerate(agreement.priorities)}
    return lambda p: (order.get(p, len(order)), p)


def _ordinal(number: Decimal) -> str:
    text = f"{plain(number):f}"
    if not text.isdigit():
        return f"{text}th"
    n = int(text)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."
