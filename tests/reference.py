"""A slow, obviously correct reference of SEMANTICS.md, written for tests from the text alone.

It owns nothing the product uses: pure Python, no NumPy, no import from `accord.engine`. Calendars
walk local dates one by one; clocks replay one item's events instant by instant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from accord.domain.agreements import Agreement, PriorityChangePolicy, ReopenPolicy, Target
from accord.domain.calendars import CalendarSpec
from accord.domain.durations import Duration
from accord.domain.events import EVENT_RANK, Event, EventKind
from accord.domain.periods import Period

ZERO = timedelta(0)
NO_GOAL = timedelta(days=10**6)  # a priority without a goal: never exceeded
ONE_SECOND = timedelta(seconds=1)
_SEARCH_LIMIT_DAYS = 366 * 30  # a calendar with no working time for 30 years is a test bug


def seconds(delta: timedelta) -> float:
    """Seconds of a timedelta as the nearest float to its exact value."""
    return delta / ONE_SECOND


class RefCalendar:
    """Business time on one calendar, computed date by date in local wall time."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.timezone)
        self._intervals_of = cache(self._intervals_of_date)
        self._holidays_of = cache(self._holidays_of_year)

    # -- which hours a local date has ---------------------------------------------------------

    def _holidays_of_year(self, year: int) -> frozenset[date]:
        if self.spec.holiday_country is None:
            return frozenset()
        found = holidays.country_holidays(
            self.spec.holiday_country, subdiv=self.spec.holiday_subdivision, years=year
        )
        return frozenset(day for day in found if day.year == year)

    def is_holiday(self, day: date) -> bool:
        return day in self.spec.holiday_dates or day in self._holidays_of(day.year)

    def hours(self, day: date) -> tuple[tuple[int, int], ...]:
        """Minute ranges of a date: its exception, else none on a holiday, else its weekday's."""
        if day in self.spec.exceptions:
            ranges = self.spec.exceptions[day]
        elif self.is_holiday(day):
            ranges = ()
        else:
            ranges = self.spec.weekly[day.weekday()]
        return tuple((r.start_minute, r.end_minute) for r in ranges)

    # -- wall time to UTC ---------------------------------------------------------------------

    def local(self, instant: datetime) -> datetime:
        """The naive local wall time of an aware instant."""
        return instant.astimezone(self.zone).replace(tzinfo=None)

    def wall_to_utc(self, day: date, minute: int) -> datetime:
        """The UTC instant of `minute` minutes after the local midnight of `day`.

        A wall time that occurs twice takes its first occurrence; one that does not exist (in a
        spring-forward gap) maps to the transition, found by stepping through the gap.
        """
        wall = datetime.combine(day, time()) + timedelta(minutes=minute)
        readings = [wall.replace(tzinfo=self.zone, fold=f).astimezone(UTC) for f in (0, 1)]
        for reading in sorted(readings):
            if self.local(reading) == wall:
                return reading  # the earlier reading that round-trips is the first occurrence
        # In a gap: the transition is the first instant whose wall time is past `wall`; it lies
        # between the two readings. Step by minutes, then back by seconds.
        low, high = sorted(readings)
        t = low
        while self.local(t) < wall:
            t += timedelta(minutes=1)
            assert t <= high + timedelta(minutes=1), "no transition found in a gap"
        while self.local(t - ONE_SECOND) > wall:
            t -= ONE_SECOND
        return t

    def _intervals_of_date(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The non-empty UTC intervals opened on a local date."""
        result = []
        for start_minute, end_minute in self.hours(day):
            start = self.wall_to_utc(day, start_minute)
            end = self.wall_to_utc(day, end_minute)
            if end > start:
                result.append((start, end))
        return tuple(result)

    def intervals_of(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        return self._intervals_of(day)

    def working_intervals(self, day_from: date, day_to: date) -> list[tuple[datetime, datetime]]:
        """The union, as sorted disjoint UTC intervals, of the intervals opened on these dates.

        Both dates are inclusive; intervals that overlap or touch are merged.
        """
        pieces: list[tuple[datetime, datetime]] = []
        day = day_from
        while day <= day_to:
            pieces.extend(self.intervals_of(day))
            day += timedelta(days=1)
        pieces.sort()
        merged: list[tuple[datetime, datetime]] = []
        for start, end in pieces:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    # -- arithmetic ---------------------------------------------------------------------------

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def elapsed_delta(self, a: datetime, b: datetime) -> timedelta:
        """Business time in [a, b); zero when b <= a."""
        a, b = _utc(a), _utc(b)
        if b <= a:
            return ZERO
        # An interval opened on a date ends less than 48 hours after that date's midnight.
        day_from = self.local_date(a) - timedelta(days=2)
        day_to = self.local_date(b) + timedelta(days=1)
        total = ZERO
        for start, end in self.working_intervals(day_from, day_to):
            overlap = min(end, b) - max(start, a)
            if overlap > ZERO:
                total += overlap
        return total

    def elapsed(self, a: datetime, b: datetime) -> float:
        """Business seconds in [a, b); 0 when b <= a."""
        return seconds(self.elapsed_delta(a, b))

    def add_delta(self, a: datetime, amount: timedelta) -> datetime:
        """The earliest t >= a with elapsed(a, t) == amount.

        Walks the merged intervals after `a`; an amount used up exactly at an interval's end
        ends there. Only intervals before `horizon` (the midnight after the last expanded date)
        are final, so the window of dates doubles until the amount fits.
        """
        a = _utc(a)
        if amount < ZERO:
            raise ValueError("a negative amount of business time")
        if amount == ZERO:
            return a
        day_from = self.local_date(a) - timedelta(days=2)
        span = 16
        while span <= _SEARCH_LIMIT_DAYS:
            day_to = day_from + timedelta(days=span)
            horizon = self.wall_to_utc(day_to + timedelta(days=1), 0)
            remaining = amount
            for start, end in self.working_intervals(day_from, day_to):
                start, end = max(start, a), min(end, horizon)
                if end <= start:
                    continue
                if remaining <= end - start:
                    return start + remaining
                remaining -= end - start
            span *= 2
        raise ValueError("no working time found within 30 years")

    def add(self, a: datetime, amount_seconds: float) -> datetime:
        return self.add_delta(a, timedelta(seconds=amount_seconds))

    def close_of(self, day: date) -> datetime | None:
        """The end of the last interval opened on a date; None when it is not a working day."""
        intervals = self.intervals_of(day)
        return max(end for _, end in intervals) if intervals else None

    def add_working_days(self, a: datetime, n: int) -> datetime:
        """The close of the n-th working day after the start day (n = 0: the start day's close).

        The start day is the first working date whose last interval ends after `a`: a start
        before opening or in a lunch break counts that day, one after close the next working day.
        """
        a = _utc(a)
        if n < 0:
            raise ValueError("a negative number of working days")
        day = self.local_date(a) - timedelta(days=2)
        for _ in range(_SEARCH_LIMIT_DAYS):
            close = self.close_of(day)
            if close is not None and close > a:
                break
            day += timedelta(days=1)
        else:
            raise ValueError("no working day found within 30 years")
        counted = 0
        for _ in range(_SEARCH_LIMIT_DAYS):
            if counted == n:
                close = self.close_of(day)
                assert close is not None
                return close
            day += timedelta(days=1)
            if self.close_of(day) is not None:
                counted += 1
        raise ValueError("no working day found within 30 years")


def _utc(instant: datetime) -> datetime:
    """The instant in UTC; refuses naive input.

    Python subtracts and compares two datetimes sharing one tzinfo as wall times, so every
    instant is moved to UTC before any arithmetic.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{instant!r} is naive; the reference takes aware instants only")
    return instant.astimezone(UTC)


# -- clocks ------------------------------------------------------------------------------------

COUNTING = "counting"
PAUSED = "paused"
STOPPED = "stopped"


@dataclass
class _Cycle:
    """One clock cycle while it is being replayed."""

    number: int
    start_at: datetime
    priority: str
    held: set[str]
    goals: list[tuple[datetime, timedelta]]  # (instant a goal came into force, goal)
    modes: list[tuple[datetime, str]] = field(default_factory=list)  # (since, mode) on change
    stop_at: datetime | None = None
    cancelled: bool = False

    @property
    def running(self) -> bool:
        return self.stop_at is None

    def note_mode(self, at: datetime, mode: str) -> None:
        if not self.modes or self.modes[-1][1] != mode:
            self.modes.append((at, mode))

    def spans(self, end: datetime) -> list[tuple[datetime, datetime, str]]:
        """Counting and paused spans up to `end`, in order."""
        bounds = [since for since, _ in self.modes[1:]] + [end]
        return [
            (since, until, mode)
            for (since, mode), until in zip(self.modes, bounds, strict=True)
            if mode != STOPPED and until > since
        ]


@dataclass(frozen=True)
class RefItemResult:
    """The cycles of one item under one target, or the reason no clock was run."""

    rows: list[dict[str, object]]
    skip_reason: str | None = None


def _sorted_events(events: Iterable[Event], as_of: datetime) -> list[Event]:
    as_of = _utc(as_of)
    indexed = [
        (_utc(e.at), EVENT_RANK[e.kind], i, replace(e, at=_utc(e.at)))
        for i, e in enumerate(events)
        if _utc(e.at) <= as_of
    ]
    indexed.sort(key=lambda row: row[:3])
    return [row[3] for row in indexed]


class _Replay:
    """Replays one item's sorted events for one target, instant by instant."""

    def __init__(self, target: Target, calendar: RefCalendar) -> None:
        self.target = target
        self.calendar = calendar
        self.cycles: list[_Cycle] = []

    def goal_of(self, priority: str, cycle_start: datetime) -> timedelta:
        if priority not in self.target.goals:
            return NO_GOAL
        duration: Duration = self.target.goals[priority]
        if duration.working_days is None:
            return timedelta(seconds=duration.seconds)
        due = self.calendar.add_working_days(cycle_start, duration.working_days)
        return self.calendar.elapsed_delta(cycle_start, due)

    def goal_in_force(self, cycle: _Cycle) -> timedelta:
        if self.target.on_priority_change is PriorityChangePolicy.STRICTEST:
            return min(self.goal_of(p, cycle.start_at) for p in cycle.held)
        return self.goal_of(cycle.priority, cycle.start_at)

    def new_cycle(self, at: datetime, priority: str) -> _Cycle:
        cycle = _Cycle(len(self.cycles) + 1, at, priority, {priority}, [])
        cycle.goals.append((at, self.goal_in_force(cycle)))
        self.cycles.append(cycle)
        return cycle

    def take_priority(self, cycle: _Cycle, at: datetime, priority: str) -> None:
        """A running cycle takes the priority in force; a new goal dates from this instant."""
        cycle.priority = priority
        cycle.held.add(priority)
        goal = self.goal_in_force(cycle)
        if goal != cycle.goals[-1][1]:
            cycle.goals.append((at, goal))

    def run(self, events: list[Event], initial_priority: str) -> None:
        """Apply each instant's events in rank order; the state after it holds until the next.

        1. Every priority and state event of instant t is applied (the last of a kind wins).
        2. `created` starts the first cycle with the priority in force after t. A cycle that
           was running before t and whose priority differs after t is cancelled and replaced
           (`restart`) or takes the new priority and goal from t (other policies).
        3. Stops stop a running cycle; `reopened` resumes a stopped one (with the priority in
           force now) or starts a new cycle, as the target's reopen policy says.
        4. Each cycle notes its mode after t: counting, paused (a pause state) or stopped.
        """
        pause_states = self.target.pause_states
        stop_kinds = self.target.stop_events
        reopen = self.target.effective_reopen
        priority, state = initial_priority, None
        current: _Cycle | None = None
        for t in sorted({e.at for e in events}):
            at_t = [e for e in events if e.at == t]
            for e in at_t:
                if e.kind is EventKind.PRIORITY:
                    priority = e.value
                elif e.kind is EventKind.STATE:
                    state = e.value
            running_before = current is not None and current.running
            if current is None:
                if any(e.kind is EventKind.CREATED for e in at_t):
                    current = self.new_cycle(t, priority)
            elif running_before and priority != current.priority:
                if self.target.on_priority_change is PriorityChangePolicy.RESTART:
                    current.stop_at, current.cancelled = t, True
                    current = self.new_cycle(t, priority)
                else:
                    self.take_priority(current, t, priority)
            if current is None:
                continue
            for e in at_t:
                if e.kind in stop_kinds and current.running:
                    current.stop_at = t
                elif e.kind is EventKind.REOPENED and not current.running:
                    if reopen is ReopenPolicy.RESUME:
                        current.stop_at = None
                        if priority != current.priority:
                            self.take_priority(current, t, priority)
                    elif reopen is ReopenPolicy.NEW_CYCLE:
                        current = self.new_cycle(t, priority)
            for cycle in self.cycles:
                if not cycle.running:
                    cycle.note_mode(t, STOPPED)
                else:
                    cycle.note_mode(t, PAUSED if state in pause_states else COUNTING)


def _elapsed_until(cycle: _Cycle, calendar: RefCalendar, t: datetime) -> timedelta:
    """The cycle's elapsed time at instant t: counting spans clipped to end at t."""
    return sum(
        (
            calendar.elapsed_delta(s, min(e, t))
            for s, e, mode in cycle.spans(t)
            if mode == COUNTING and s < t
        ),
        ZERO,
    )


def _reach(
    spans: list[tuple[datetime, datetime, str]], calendar: RefCalendar, goal: timedelta
) -> datetime | None:
    """The earliest instant at which the elapsed time of these spans reaches `goal`, if it does."""
    before = ZERO
    for s, e, mode in spans:
        if mode != COUNTING:
            continue
        length = calendar.elapsed_delta(s, e)
        if before + length >= goal:
            return calendar.add_delta(s, goal - before)
        before += length
    return None


def _last_resume(cycle: _Cycle) -> datetime:
    """The start of the cycle's last counting stretch; its start if it never counted."""
    resume = cycle.start_at
    previous = None
    for since, mode in cycle.modes:
        if mode == COUNTING and previous != COUNTING:
            resume = since
        previous = mode
    return resume


def _is_at_risk(elapsed: timedelta, goal: timedelta, warn_at: Decimal) -> bool:
    micro = timedelta(microseconds=1)
    return Fraction(elapsed // micro) >= Fraction(warn_at) * Fraction(goal // micro)


def _row(
    cycle: _Cycle, target: Target, calendar: RefCalendar, as_of: datetime
) -> dict[str, object]:
    """The reported figures of one cycle: elapsed up to its stop (or as_of), breach, status, due."""
    end = cycle.stop_at if cycle.stop_at is not None else as_of
    spans = cycle.spans(end)
    elapsed = _elapsed_until(cycle, calendar, end)
    paused = sum((calendar.elapsed_delta(s, e) for s, e, mode in spans if mode == PAUSED), ZERO)
    # A breach happens in the first goal segment whose goal the elapsed time exceeds within it;
    # it is dated when elapsed reached that goal, never before the goal came into force.
    breached_at = None
    for k, (since, goal) in enumerate(cycle.goals):
        until = cycle.goals[k + 1][0] if k + 1 < len(cycle.goals) else end
        if _elapsed_until(cycle, calendar, until) > goal:
            reached = _reach(spans, calendar, goal)
            assert reached is not None
            breached_at = max(since, reached)
            break
    goal = cycle.goals[-1][1]
    if cycle.cancelled:
        status = "cancelled"
    elif breached_at is not None:
        status = "breached"
    elif not cycle.running:
        status = "met"
    elif cycle.modes[-1][1] == PAUSED:
        status = "paused"
    elif _is_at_risk(elapsed, goal, target.warn_at):
        status = "at-risk"
    else:
        status = "running"
    if breached_at is not None:
        due_at: datetime | None = breached_at
    elif status == "paused":
        due_at = None
    elif elapsed >= goal:
        # Reached but not exceeded: due is when elapsed reached the goal, dated like a breach
        # (never before the goal came into force), so that breached_at = due_at holds later.
        since = cycle.goals[-1][0]
        reached = _reach(spans, calendar, goal)
        assert reached is not None
        due_at = max(since, reached)
    else:
        resume = _last_resume(cycle)
        due_at = calendar.add_delta(resume, goal - _elapsed_until(cycle, calendar, resume))
    return {
        "cycle": cycle.number,
        "priority": cycle.priority,
        "start_at": cycle.start_at,
        "stop_at": cycle.stop_at,
        "goal_seconds": seconds(goal),
        "elapsed_seconds": seconds(elapsed),
        "paused_seconds": seconds(paused),
        "due_at": due_at,
        "status": status,
        "breached_at": breached_at,
    }


def ref_item(
    events: Sequence[Event],
    target: Target,
    agreement: Agreement,
    calendar: RefCalendar,
    as_of: datetime,
) -> RefItemResult:
    """Run one item's clock for one target as of an instant: its cycles, or why it has none.

    `events` are one item's deduplicated events in arrival order; those after `as_of` are
    dropped. Before the first priority event the priority is the agreement's default, else the
    item's first priority value. An item with no priority is skipped; a cycle whose priority at
    its end has no goal is not measured (the item is skipped when no cycle is left).
    """
    if target.match:
        raise NotImplementedError("the reference does not filter on fields")
    ordered = _sorted_events(events, as_of)
    if not ordered:
        return RefItemResult([])  # the item does not exist yet as of that instant
    if not any(e.kind is EventKind.CREATED for e in ordered):
        return RefItemResult([], "no created event")
    values = [e.value for e in ordered if e.kind is EventKind.PRIORITY]
    initial = agreement.default_priority or (values[0] if values else None)
    if initial is None:
        return RefItemResult([], "no priority")
    replay = _Replay(target, calendar)
    replay.run(ordered, initial)
    # The priority in force at a cycle's end decides whether the target measures it; while a
    # priority without a goal is in force, the cycle cannot breach.
    measured = [c for c in replay.cycles if c.goals[-1][1] < NO_GOAL]
    if replay.cycles and not measured:
        return RefItemResult([], f"no goal for priority {replay.cycles[-1].priority}")
    return RefItemResult([_row(c, target, calendar, _utc(as_of)) for c in measured])


def ref_clocks(
    events: Sequence[Event],
    target: Target,
    agreement: Agreement,
    calendar: RefCalendar,
    as_of: datetime,
) -> list[dict[str, object]]:
    """The cycles of one item under one target as of an instant ([] when it is skipped)."""
    return ref_item(events, target, agreement, calendar, as_of).rows


# -- compliance --------------------------------------------------------------------------------


def ref_compliance(
    clocks: Iterable[dict[str, object]], periods: Sequence[Period], tz: str
) -> list[dict[str, object]]:
    """Count each decided clock once, in the period holding its decision instant.

    Met clocks are decided at their stop, breached ones at their breach (stopped or running);
    running, paused and cancelled clocks are not counted. Attainment is an exact fraction,
    None when nothing was counted.
    """
    zone = ZoneInfo(tz)
    decided: list[tuple[date, bool]] = []
    for clock in clocks:
        if clock["status"] == "met":
            instant = clock["stop_at"]
        elif clock["status"] == "breached":
            instant = clock["breached_at"]
        else:
            continue
        assert isinstance(instant, datetime)
        decided.append((instant.astimezone(zone).date(), clock["status"] == "met"))
    rows: list[dict[str, object]] = []
    for period in periods:
        inside = [is_met for day, is_met in decided if period.start_on <= day < period.end_on]
        met = sum(inside)
        counted = len(inside)
        rows.append(
            {
                "period_start": period.start_on,
                "period_end": period.end_on,
                "counted": counted,
                "met": met,
                "breached": counted - met,
                "attainment": Fraction(met, counted) if counted else None,
            }
        )
    return rows
