"""The column-wise clock engine against the per-item reference replay, row by row.

Seeded random event logs (priority changes, pauses, stops, reopens, bursts at one instant,
duplicates, out-of-order arrival) are evaluated by `accord.services.evaluation.evaluate` and by
`tests.reference.ref_clocks` for every policy combination, at several evaluation instants.
Instants compare to the nanosecond and seconds with `==`: every event is on a whole second, so
both sides hold whole microseconds whose float seconds are exact.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import product
from zoneinfo import ZoneInfo

import pytest

from accord.domain.agreements import (
    Agreement,
    AgreementType,
    PriorityChangePolicy,
    ReopenPolicy,
    Target,
    TargetKind,
    Validity,
)
from accord.domain.calendars import CalendarSpec
from accord.domain.durations import Duration
from accord.domain.events import EVENT_CODES, Event, EventKind
from accord.domain.periods import PeriodSpec, periods_between
from accord.engine.events import EventTable
from accord.services.evaluation import EvaluationResult, evaluate
from tests.reference import RefCalendar, ref_compliance, ref_item

CALENDARS = {
    "office": {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": ["09:00-17:00"]},
        "holidays": {"country": "DE", "subdivision": "BE"},
        "exceptions": {"2026-12-24": ["09:00-12:00"], "2026-12-31": []},
    },
    "desk": {
        "timezone": "America/New_York",
        "hours": {"mon-fri": ["08:00-12:00", "13:00-17:00"]},
        "holidays": {"country": "US"},
    },
    "always": {"timezone": "Europe/London", "hours": "24x7"},
}
SPECS = {name: CalendarSpec.from_dict(data) for name, data in CALENDARS.items()}
REFS = {name: RefCalendar(spec) for name, spec in SPECS.items()}
PRIORITIES = ("P1", "P2", "P3", "P4")
PAUSES = frozenset({"awaiting customer", "awaiting vendor"})
STATES = ("new", "in progress", "awaiting customer", "awaiting vendor")

HOURS = {"P1": "2h", "P2": "4h", "P3": "8h", "P4": "16h"}
DAYS = {"P1": "1wd", "P2": "2wd", "P3": "3wd", "P4": "5wd"}
MIXED = {"P1": "3h", "P2": "1wd", "P3": "12h", "P4": "4wd"}
ROUND_THE_CLOCK = {"P1": "4h", "P2": "1d", "P3": "2d", "P4": "5d"}


def goals(table: dict[str, str]) -> dict[str, Duration]:
    return {p: Duration.parse(text) for p, text in table.items()}


def target(
    target_id: str,
    kind: TargetKind = TargetKind.RESOLUTION,
    calendar: str = "office",
    goal_table: dict[str, str] = HOURS,
    change: PriorityChangePolicy = PriorityChangePolicy.KEEP_ELAPSED,
    reopen: ReopenPolicy = ReopenPolicy.RESUME,
    pauses: frozenset[str] = PAUSES,
    warn_at: str = "0.75",
) -> Target:
    return Target(
        id=target_id,
        kind=kind,
        calendar=calendar,
        goals=goals(goal_table),
        objective=Decimal("0.9"),
        period=PeriodSpec.parse("month"),
        pause_states=pauses,
        on_priority_change=change,
        on_reopen=reopen,
        warn_at=Decimal(warn_at),
    )


def agreement(agreement_id: str, targets: Sequence[Target], default: str | None) -> Agreement:
    return Agreement(
        id=agreement_id,
        title=agreement_id,
        type=AgreementType.CUSTOMER,
        provider="it",
        customer="sales",
        services=("service-desk",),
        validity=Validity(date(2026, 1, 1), date(2027, 12, 31)),
        priorities=PRIORITIES,
        calendars=SPECS,
        targets=tuple(targets),
        default_priority=default,
    )


def policy_targets() -> list[Target]:
    """A resolution target per (priority change, reopen) policy pair, plus response targets."""
    targets = []
    for change, reopen in product(PriorityChangePolicy, ReopenPolicy):
        targets.append(target(f"res-{change}-{reopen}", change=change, reopen=reopen))
    for change in PriorityChangePolicy:
        targets.append(target(f"resp-{change}", TargetKind.RESPONSE, change=change, pauses=PAUSES))
        targets.append(
            target(
                f"resp-plain-{change}",
                TargetKind.RESPONSE,
                "desk",
                change=change,
                pauses=frozenset(),
            )
        )
    return targets


def day_goal_targets() -> list[Target]:
    """Working-day and mixed goals, other calendars and warn thresholds."""
    targets = []
    for change, reopen in product(PriorityChangePolicy, ReopenPolicy):
        targets.append(
            target(f"wd-{change}-{reopen}", goal_table=DAYS, change=change, reopen=reopen)
        )
    for change in PriorityChangePolicy:
        targets.append(target(f"mixed-{change}", goal_table=MIXED, change=change, warn_at="0.5"))
        targets.append(target(f"desk-{change}", calendar="desk", goal_table=DAYS, change=change))
        targets.append(
            target(
                f"always-{change}",
                calendar="always",
                goal_table=ROUND_THE_CLOCK,
                change=change,
                reopen=ReopenPolicy.NEW_CYCLE,
            )
        )
    return targets


# -- random event logs --------------------------------------------------------------------------


@dataclass
class Log:
    """Raw events in arrival order (duplicates included) for every item."""

    events: list[Event]

    def by_item(self) -> dict[str, list[Event]]:
        """Each item's events in arrival order, a repeated identical row counted once."""
        seen: set[tuple[str, datetime, EventKind, str]] = set()
        items: dict[str, list[Event]] = defaultdict(list)
        for e in self.events:
            key = (e.item_id, e.at, e.kind, e.value)
            if key not in seen:
                seen.add(key)
                items[e.item_id].append(e)
        return items

    def table(self) -> tuple[EventTable, int]:
        item_ids = sorted({e.item_id for e in self.events})
        values = sorted({e.value for e in self.events if e.value})
        item_index = {item: i for i, item in enumerate(item_ids)}
        value_index = {value: i for i, value in enumerate(values)}
        return EventTable.from_arrays(
            item_ids,
            values,
            [item_index[e.item_id] for e in self.events],
            [to_ns(e.at) for e in self.events],
            [EVENT_CODES[e.kind] for e in self.events],
            [value_index[e.value] if e.value else -1 for e in self.events],
        )


def to_ns(instant: datetime) -> int:
    delta = instant.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


SPECIAL_DAYS = [date(2026, 3, 27), date(2026, 4, 2), date(2026, 10, 23), date(2026, 12, 22)]


def random_gap(rng: random.Random) -> timedelta:
    roll = rng.random()
    if roll < 0.15:
        return timedelta(0)
    if roll < 0.45:
        return timedelta(seconds=rng.randint(1, 120) * 60 + rng.choice([0, 0, rng.randint(0, 59)]))
    if roll < 0.75:
        return timedelta(
            hours=rng.randint(1, 24), minutes=rng.choice([0, 0, 30, rng.randint(0, 59)])
        )
    return timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 23))


def random_item(rng: random.Random, item_id: str) -> list[Event]:
    """One item's events in arrival order: a plausible lifecycle with rough edges."""
    if rng.random() < 0.25:
        day = rng.choice(SPECIAL_DAYS) + timedelta(days=rng.randint(0, 5))
    else:
        day = date(2026, 1, 5) + timedelta(days=rng.randint(0, 400))
    zone = ZoneInfo(rng.choice(["Europe/Berlin", "America/New_York"]))
    minute = rng.choice([rng.randint(0, 1439), rng.randint(7 * 60, 18 * 60), 9 * 60, 17 * 60])
    t = datetime.combine(day, datetime.min.time()).replace(tzinfo=zone)
    t = (t + timedelta(minutes=minute)).astimezone(UTC)
    events: list[Event] = []

    def emit(kind: EventKind, value: str = "", at: datetime | None = None) -> None:
        events.append(Event(item_id, at or t, kind, value))

    roll = rng.random()
    if roll < 0.15:
        emit(EventKind.PRIORITY, rng.choice(PRIORITIES), t - random_gap(rng))
    if rng.random() < 0.05:
        emit(EventKind.STATE, rng.choice(STATES), t - random_gap(rng))
    if rng.random() < 0.03:
        emit(EventKind.RESPONDED, at=t - random_gap(rng))
    if rng.random() > 0.03:
        emit(EventKind.CREATED)
    if 0.15 <= roll < 0.85:
        emit(EventKind.PRIORITY, rng.choice(PRIORITIES))
    first_priority_late = roll >= 0.95
    for _ in range(rng.randint(2, 14)):
        t += random_gap(rng)
        if first_priority_late:
            emit(EventKind.PRIORITY, rng.choice(PRIORITIES))
            first_priority_late = False
            continue
        if rng.random() < 0.15:
            burst = rng.choice(
                [
                    [(EventKind.RESOLVED, ""), (EventKind.REOPENED, "")],
                    [
                        (EventKind.PRIORITY, "P1"),
                        (EventKind.PRIORITY, "P4"),
                        (EventKind.PRIORITY, "P1"),
                    ],
                    [(EventKind.STATE, "awaiting customer"), (EventKind.RESOLVED, "")],
                    [(EventKind.PRIORITY, rng.choice(PRIORITIES)), (EventKind.RESOLVED, "")],
                    [(EventKind.REOPENED, ""), (EventKind.PRIORITY, rng.choice(PRIORITIES))],
                    [(EventKind.RESPONDED, ""), (EventKind.STATE, "awaiting vendor")],
                    [(EventKind.CLOSED, ""), (EventKind.REOPENED, ""), (EventKind.STATE, "new")],
                ]
            )
            for kind, value in burst:
                emit(kind, value)
            continue
        kind = rng.choices(
            [
                EventKind.PRIORITY,
                EventKind.STATE,
                EventKind.RESPONDED,
                EventKind.RESOLVED,
                EventKind.CLOSED,
                EventKind.REOPENED,
                EventKind.FIELD,
                EventKind.CREATED,
            ],
            weights=[18, 28, 10, 12, 5, 12, 4, 1],
        )[0]
        if kind is EventKind.PRIORITY:
            emit(kind, rng.choice(PRIORITIES))
        elif kind is EventKind.STATE:
            emit(kind, rng.choice(STATES))
        elif kind is EventKind.FIELD:
            emit(kind, "segment=gold")
        else:
            emit(kind)
    for _ in range(rng.choice([0, 0, 1, 3])):
        events.append(rng.choice(events))  # a duplicate row arriving later
    if rng.random() < 0.4:
        i, j = sorted(rng.sample(range(len(events)), 2)) if len(events) > 1 else (0, 0)
        events[i], events[j] = events[j], events[i]  # out-of-order arrival
    return events


def random_log(seed: int, n_items: int) -> Log:
    """Items' events interleaved at random, each item's rows keeping their own arrival order."""
    rng = random.Random(seed)
    queues = [random_item(rng, f"INC{n:04d}") for n in range(n_items)]
    events: list[Event] = []
    while queues:
        queue = rng.choice(queues)
        events.append(queue.pop(0))
        if not queue:
            queues.remove(queue)
    return Log(events)


AS_OF = [
    datetime(2026, 2, 2, 10, 30, tzinfo=UTC),
    datetime(2026, 3, 30, 8, 0, tzinfo=UTC),
    datetime(2026, 7, 1, tzinfo=UTC),
    datetime(2026, 10, 26, 15, 0, tzinfo=UTC),
    datetime(2027, 3, 1, tzinfo=UTC),
]


# -- comparison ---------------------------------------------------------------------------------

FIELDS = (
    "cycle",
    "priority",
    "start_at",
    "stop_at",
    "goal_seconds",
    "elapsed_seconds",
    "paused_seconds",
    "due_at",
    "status",
    "breached_at",
)

Key = tuple[str, str, str]  # agreement, target, item


def engine_rows(result: EvaluationResult) -> dict[Key, list[dict[str, object]]]:
    rows: dict[Key, list[dict[str, object]]] = defaultdict(list)
    for clocks in result.clocks:
        for clock in clocks.rows():
            row = {name: getattr(clock, name) for name in FIELDS}
            row["status"] = str(clock.status)
            rows[(clock.agreement_id, clock.target_id, clock.item_id)].append(row)
    return {key: sorted(value, key=lambda r: r["cycle"]) for key, value in rows.items()}  # type: ignore[arg-type,return-value]


def reference_rows(
    agreements: Sequence[Agreement], items: dict[str, list[Event]], as_of: datetime
) -> tuple[dict[Key, list[dict[str, object]]], dict[Key, str]]:
    rows: dict[Key, list[dict[str, object]]] = {}
    skipped: dict[Key, str] = {}
    for a in agreements:
        for t in a.targets:
            for item_id, events in items.items():
                got = ref_item(events, t, a, REFS[t.calendar], as_of)
                if got.skip_reason is not None:
                    skipped[(a.id, t.id, item_id)] = got.skip_reason
                elif got.rows:
                    rows[(a.id, t.id, item_id)] = got.rows
    return rows, skipped


def differences(
    want: dict[Key, list[dict[str, object]]], got: dict[Key, list[dict[str, object]]]
) -> list[str]:
    out = []
    for key in sorted(set(want) | set(got)):
        w, g = want.get(key, []), got.get(key, [])
        if len(w) != len(g):
            out.append(f"{key}: reference has {len(w)} cycles, engine {len(g)}: {w} != {g}")
            continue
        for rw, rg in zip(w, g, strict=True):
            diff = {f: (rw[f], rg[f]) for f in FIELDS if rw[f] != rg[f]}
            if diff:
                out.append(f"{key} cycle {rw['cycle']}: (reference, engine) {diff}")
    return out


def check(agreements: Sequence[Agreement], log: Log, as_of: datetime) -> list[str]:
    table, _ = log.table()
    result = evaluate(agreements, table, as_of)
    want, want_skipped = reference_rows(agreements, log.by_item(), as_of)
    problems = differences(want, engine_rows(result))
    got_skipped = {(s.agreement_id, s.target_id, s.item_id): s.reason for s in result.skipped}
    for key in sorted(set(want_skipped) | set(got_skipped)):
        w, g = want_skipped.get(key), got_skipped.get(key)
        if (w is None) != (g is None) or (w and g and w.split()[1] not in g):
            problems.append(f"{key}: skipped by reference {w!r}, by engine {g!r}")
    problems.extend(compliance_differences(agreements, result, want, as_of))
    return [f"as of {as_of:%Y-%m-%dT%H:%M}Z {p}" for p in problems]


def compliance_differences(
    agreements: Sequence[Agreement],
    result: EvaluationResult,
    want: dict[Key, list[dict[str, object]]],
    as_of: datetime,
) -> list[str]:
    problems = []
    got = {(r.agreement_id, r.target_id, r.period_start): r for r in result.compliance}
    for a in agreements:
        for t in a.targets:
            tz = a.period_timezone(t)
            begun = [
                p
                for p in periods_between(t.period, a.validity.start_on, a.validity.end_on)
                if p.start_on <= as_of.astimezone(ZoneInfo(tz)).date()
            ]
            clocks = [row for key, rows in want.items() if key[:2] == (a.id, t.id) for row in rows]
            for expected in ref_compliance(clocks, begun, tz):
                row = got.get((a.id, t.id, expected["period_start"]))
                attainment = expected["attainment"]
                if attainment is not None:
                    attainment = (Decimal(attainment.numerator) / attainment.denominator).quantize(
                        Decimal("0.000001"), ROUND_HALF_EVEN
                    )
                if row is None or (
                    row.period_end,
                    row.counted,
                    row.met,
                    row.breached,
                    row.attainment,
                ) != (
                    expected["period_end"],
                    expected["counted"],
                    expected["met"],
                    expected["breached"],
                    attainment,
                ):
                    problems.append(f"compliance {a.id}/{t.id} {expected} != {row}")
    return problems


# -- tests --------------------------------------------------------------------------------------


@pytest.mark.parametrize("default", [None, "P3"])
def test_engine_clocks_equal_the_reference_for_every_policy_pair(default: str | None) -> None:
    agreements = [agreement("policies", policy_targets(), default)]
    log = random_log(seed=2026 if default is None else 2027, n_items=400)
    problems = [p for as_of in AS_OF for p in check(agreements, log, as_of)]
    assert problems[:8] == [], f"{len(problems)} differences"


def test_engine_clocks_equal_the_reference_with_working_day_goals() -> None:
    agreements = [agreement("days", day_goal_targets(), None)]
    log = random_log(seed=31, n_items=300)
    problems = [p for as_of in AS_OF[1:4] for p in check(agreements, log, as_of)]
    assert problems[:8] == [], f"{len(problems)} differences"


def test_engine_clocks_equal_the_reference_as_of_event_instants() -> None:
    agreements = [agreement("policies", policy_targets(), None)]
    log = random_log(seed=5, n_items=150)
    rng = random.Random(5)
    instants = sorted({e.at for e in log.events})
    problems = [p for as_of in rng.sample(instants, 8) for p in check(agreements, log, as_of)]
    assert problems[:8] == [], f"{len(problems)} differences"


def test_engine_clocks_equal_the_reference_when_some_priorities_have_no_goal() -> None:
    partial = {"P1": "2h", "P3": "8h"}
    targets = [
        target(f"partial-{change}-{reopen}", goal_table=partial, change=change, reopen=reopen)
        for change, reopen in product(PriorityChangePolicy, ReopenPolicy)
    ]
    agreements = [agreement("partial", targets, None)]
    log = random_log(seed=77, n_items=200)
    problems = [p for as_of in AS_OF[1:4] for p in check(agreements, log, as_of)]
    assert problems[:8] == [], f"{len(problems)} differences"


# -- named scenarios: hand-computed values pin the reference, then the engine must agree -------

BERLIN = ZoneInfo("Europe/Berlin")


def when(text: str | None) -> datetime | None:
    """`2026-03-02 09:00` is Berlin wall time; text with `Z` or an offset is taken as written."""
    if text is None:
        return None
    if text.endswith("Z") or "+" in text:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN).astimezone(UTC)


@dataclass(frozen=True)
class Scenario:
    rule: Target
    events: list[tuple[str, str, str]]  # (instant, kind, value) in arrival order
    as_of: str
    cycles: list[tuple[object, ...]]  # FIELDS in order, instants as `when` text
    default: str | None = None

    def item_events(self) -> list[Event]:
        return [Event("X", when(t), EventKind(k), v) for t, k, v in self.events]  # type: ignore[arg-type]

    def expected(self) -> list[dict[str, object]]:
        rows = []
        for values in self.cycles:
            row = dict(zip(FIELDS, values, strict=True))
            for name in ("start_at", "stop_at", "due_at", "breached_at"):
                row[name] = when(row[name])  # type: ignore[arg-type]
            rows.append(row)
        return rows


RESTART = PriorityChangePolicy.RESTART
STRICTEST = PriorityChangePolicy.STRICTEST
MON = "2026-03-02"
SCENARIOS = {
    "breach-stands-when-a-later-priority-raises-the-goal": Scenario(
        target("a"),
        [(f"{MON} 09:00", "created", ""), (f"{MON} 09:00", "priority", "P2"),
         ("2026-03-03 12:00", "priority", "P4")],
        "2026-03-05 12:00",
        [(1, "P4", f"{MON} 09:00", None, 57600.0, 97200.0, 0.0, f"{MON} 13:00", "breached",
          f"{MON} 13:00")],
    ),
    "created-and-resolved-at-one-instant-is-a-met-clock-of-zero": Scenario(
        target("b"),
        [(f"{MON} 10:00", "resolved", ""), (f"{MON} 10:00", "created", ""),
         (f"{MON} 10:00", "priority", "P3")],
        f"{MON} 12:00",
        [(1, "P3", f"{MON} 10:00", f"{MON} 10:00", 28800.0, 0.0, 0.0, "2026-03-03 10:00", "met",
          None)],
    ),
    "a-priority-change-at-the-stop-instant-applies-before-the-stop": Scenario(
        target("c"),
        [(f"{MON} 09:00", "created", ""), (f"{MON} 09:00", "priority", "P4"),
         (f"{MON} 15:00", "resolved", ""), (f"{MON} 15:00", "priority", "P1")],
        "2026-03-03 09:00",
        [(1, "P1", f"{MON} 09:00", f"{MON} 15:00", 7200.0, 21600.0, 0.0, f"{MON} 15:00",
          "breached", f"{MON} 15:00")],
    ),
    "a-pause-over-the-weekend-removes-nothing-out-of-order-and-duplicated": Scenario(
        target("d"),
        [("2026-03-09 10:00", "state", "in progress"), ("2026-03-06 15:00", "created", ""),
         ("2026-03-09 15:00", "resolved", ""), ("2026-03-06 16:00", "state", "awaiting customer"),
         ("2026-03-06 15:00", "priority", "P3"), ("2026-03-09 15:00", "resolved", "")],
        "2026-03-10 00:00",
        [(1, "P3", "2026-03-06 15:00", "2026-03-09 15:00", 28800.0, 21600.0, 7200.0,
          "2026-03-09 17:00", "met", None)],
    ),
    "restart-cancels-the-running-cycle-and-starts-another": Scenario(
        target("e", change=RESTART),
        [(f"{MON} 09:00", "created", ""), (f"{MON} 09:00", "priority", "P3"),
         (f"{MON} 11:00", "priority", "P1")],
        f"{MON} 12:00",
        [(1, "P3", f"{MON} 09:00", f"{MON} 11:00", 28800.0, 7200.0, 0.0, f"{MON} 17:00",
          "cancelled", None),
         (2, "P1", f"{MON} 11:00", None, 7200.0, 3600.0, 0.0, f"{MON} 13:00", "running", None)],
    ),
    "a-flip-and-back-within-one-instant-does-not-restart": Scenario(
        target("f", change=RESTART),
        [(f"{MON} 09:00", "created", ""), (f"{MON} 09:00", "priority", "P2"),
         (f"{MON} 10:00", "priority", "P1"), (f"{MON} 10:00", "priority", "P2")],
        f"{MON} 11:00",
        [(1, "P2", f"{MON} 09:00", None, 14400.0, 7200.0, 0.0, f"{MON} 13:00", "running", None)],
    ),
    "a-reopen-resumes-the-clock-from-its-elapsed-time": Scenario(
        target("g"),
        [(f"{MON} 09:00", "created", ""), (f"{MON} 09:00", "priority", "P2"),
         (f"{MON} 10:00", "resolved", ""), ("2026-03-03 09:00", "reopened", "")],
        "2026-03-03 11:30",
        [(1, "P2", f"{MON} 09:00", None, 14400.0, 12600.0, 0.0, "2026-03-03 12:00", "at-risk",
          None)],
    ),
    "a-reopen-starts-a-new-cycle": Scenario(
        target("h", reopen=ReopenPolicy.NEW_CYCLE),
        [(f"{MON} 09:00", "created", ""), (f"{MON} 09:00", "priority", "P2"),
         (f"{MON} 10:00", "resolved", ""), ("2026-03-03 09:00", "reopened", "")],
        "2026-03-03 11:30",
        [(1, "P2", f"{MON} 09:00", f"{MON} 10:00", 14400.0, 3600.0, 0.0, f"{MON} 13:00", "met",
          None),
         (2, "P2", "2026-03-03 09:00", None, 14400.0, 9000.0, 0.0, "2026-03-03 13:00",
          "running", None)],
    ),
    "strictest-keeps-the-smallest-goal-held": Scenario(
        target("i", change=STRICTEST),
        [(f"{MON} 09:00", "created", ""), (f"{MON} 09:00", "priority", "P4"),
         (f"{MON} 10:00", "priority", "P1"), (f"{MON} 10:30", "priority", "P4")],
        f"{MON} 12:00",
        [(1, "P4", f"{MON} 09:00", None, 7200.0, 10800.0, 0.0, f"{MON} 11:00", "breached",
          f"{MON} 11:00")],
    ),
    "a-goal-lowered-below-elapsed-breaches-at-the-change": Scenario(
        target("j"),
        [(f"{MON} 09:00", "created", ""), (f"{MON} 09:00", "priority", "P4"),
         (f"{MON} 12:00", "priority", "P1")],
        f"{MON} 12:00",
        [(1, "P1", f"{MON} 09:00", None, 7200.0, 10800.0, 0.0, f"{MON} 12:00", "breached",
          f"{MON} 12:00")],
    ),
    "a-response-clock-stops-once": Scenario(
        target("k", TargetKind.RESPONSE),
        [(f"{MON} 09:00", "created", ""), (f"{MON} 09:00", "priority", "P2"),
         (f"{MON} 09:30", "responded", ""), (f"{MON} 10:00", "resolved", ""),
         (f"{MON} 11:00", "reopened", "")],
        f"{MON} 12:00",
        [(1, "P2", f"{MON} 09:00", f"{MON} 09:30", 14400.0, 1800.0, 0.0, f"{MON} 13:00", "met",
          None)],
    ),
    "a-paused-clock-has-no-due-instant": Scenario(
        target("l"),
        [(f"{MON} 09:00", "created", ""), (f"{MON} 09:00", "priority", "P3"),
         (f"{MON} 10:00", "state", "awaiting vendor")],
        f"{MON} 12:00",
        [(1, "P3", f"{MON} 09:00", None, 28800.0, 3600.0, 7200.0, None, "paused", None)],
    ),
    "a-24x7-clock-reaching-its-goal-over-the-spring-gap-is-not-breached": Scenario(
        target("m", calendar="always", goal_table=ROUND_THE_CLOCK),
        [("2026-03-29T00:00Z", "created", ""), ("2026-03-29T00:00Z", "priority", "P1")],
        "2026-03-29T05:00+01:00",
        [(1, "P1", "2026-03-29T00:00Z", None, 14400.0, 14400.0, 0.0, "2026-03-29T04:00Z",
          "at-risk", None)],
    ),
    "working-day-goals-run-to-the-close-of-the-nth-day": Scenario(
        target("n", goal_table=DAYS),
        [(f"{MON} 10:00", "created", ""), (f"{MON} 10:00", "priority", "P2")],
        "2026-03-04 12:00",
        [(1, "P2", f"{MON} 10:00", None, 82800.0, 64800.0, 0.0, "2026-03-04 17:00", "at-risk",
          None)],
    ),
    "working-days-after-close-skip-easter-holidays": Scenario(
        target("o", goal_table=DAYS),
        [("2026-04-02 18:00", "created", ""), ("2026-04-02 18:00", "priority", "P1"),
         ("2026-04-08 16:00", "resolved", "")],
        "2026-04-09 00:00",
        [(1, "P1", "2026-04-02 18:00", "2026-04-08 16:00", 57600.0, 54000.0, 0.0,
          "2026-04-08 17:00", "met", None)],
    ),
    "a-default-priority-holds-until-the-first-priority-event": Scenario(
        target("p", change=RESTART),
        [(f"{MON} 09:00", "created", ""), (f"{MON} 10:00", "priority", "P1")],
        f"{MON} 12:00",
        [(1, "P3", f"{MON} 09:00", f"{MON} 10:00", 28800.0, 3600.0, 0.0, f"{MON} 17:00",
          "cancelled", None),
         (2, "P1", f"{MON} 10:00", None, 7200.0, 7200.0, 0.0, f"{MON} 12:00", "at-risk", None)],
        default="P3",
    ),
    "without-a-default-the-first-priority-is-backfilled": Scenario(
        target("q", change=RESTART),
        [(f"{MON} 09:00", "created", ""), (f"{MON} 10:00", "priority", "P1")],
        f"{MON} 12:00",
        [(1, "P1", f"{MON} 09:00", None, 7200.0, 10800.0, 0.0, f"{MON} 11:00", "breached",
          f"{MON} 11:00")],
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", SCENARIOS)
def test_reference_clocks_match_hand_computed_values(name: str) -> None:
    s = SCENARIOS[name]
    got = ref_item(
        s.item_events(),
        s.rule,
        agreement("s", [s.rule], s.default),
        REFS[s.rule.calendar],
        when(s.as_of),  # type: ignore[arg-type]
    )
    assert got.rows == s.expected()


@pytest.mark.parametrize("name", SCENARIOS)
def test_engine_clocks_equal_the_reference_on_named_scenarios(name: str) -> None:
    s = SCENARIOS[name]
    agreements = [agreement("s", [s.rule], s.default)]
    assert check(agreements, Log(s.item_events()), when(s.as_of)) == []  # type: ignore[arg-type]


def test_an_item_without_any_priority_is_skipped_by_both() -> None:
    rule = target("r")
    events = [Event("X", when(f"{MON} 09:00"), EventKind.CREATED)]  # type: ignore[arg-type]
    as_of = when(f"{MON} 12:00")
    assert as_of is not None
    agreements = [agreement("s", [rule], None)]
    result = ref_item(events, rule, agreements[0], REFS["office"], as_of)
    assert result.skip_reason == "no priority"
    assert check(agreements, Log(events), as_of) == []
