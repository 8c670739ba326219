"""One item's clock timeline: steps from the events, figures from the clock engine itself."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from accord.domain.agreements import Agreement, Target
from accord.domain.clocks import ClockStatus
from accord.engine.calendars import BusinessCalendar
from accord.engine.timeline import CycleExplanation, StepKind, VerdictReason, explain
from accord.reports.tables import CLOCK_COLUMNS, clock_rows
from accord.services.evaluation import clock_rules, evaluate
from tests.builders import agreement, instant, ns, table, target

Row = tuple[str, str, str, str]
H = 3600 * 10**9

# 2026-03-02 is a Monday; Berlin is UTC+1 until 29 March, so 09:00 local is 08:00Z.
SCENARIOS: dict[str, tuple[Target, list[Row], str]] = {
    "paused and resumed, met": (
        target(pause=["awaiting customer"]),
        [
            ("A", "2026-03-02T08:00:00Z", "created", ""),
            ("A", "2026-03-02T08:00:00Z", "priority", "P2"),
            ("A", "2026-03-02T09:00:00Z", "state", "awaiting customer"),
            ("A", "2026-03-02T10:00:00Z", "state", "in progress"),
            ("A", "2026-03-02T14:00:00Z", "resolved", ""),
        ],
        "2026-03-10T00:00:00Z",
    ),
    "breached when elapsed reached the goal": (
        target(),
        [
            ("A", "2026-03-02T08:00:00Z", "created", ""),
            ("A", "2026-03-02T08:00:00Z", "priority", "P1"),
            ("A", "2026-03-02T14:00:00Z", "resolved", ""),
        ],
        "2026-03-10T00:00:00Z",
    ),
    "breached at a priority change": (
        target(),
        [
            ("A", "2026-03-02T08:00:00Z", "created", ""),
            ("A", "2026-03-02T08:00:00Z", "priority", "P3"),
            ("A", "2026-03-02T14:00:00Z", "priority", "P1"),
            ("A", "2026-03-03T10:00:00Z", "resolved", ""),
        ],
        "2026-03-10T00:00:00Z",
    ),
    "restart cancels and starts again": (
        target(on_priority_change="restart"),
        [
            ("A", "2026-03-02T08:00:00Z", "created", ""),
            ("A", "2026-03-02T08:00:00Z", "priority", "P3"),
            ("A", "2026-03-02T10:00:00Z", "priority", "P2"),
            ("A", "2026-03-02T12:00:00Z", "resolved", ""),
        ],
        "2026-03-10T00:00:00Z",
    ),
    "reopened as a new cycle": (
        target(on_reopen="new-cycle"),
        [
            ("A", "2026-03-02T08:00:00Z", "created", ""),
            ("A", "2026-03-02T08:00:00Z", "priority", "P1"),
            ("A", "2026-03-02T09:00:00Z", "resolved", ""),
            ("A", "2026-03-02T10:00:00Z", "reopened", ""),
            ("A", "2026-03-02T15:00:00Z", "resolved", ""),
        ],
        "2026-03-10T00:00:00Z",
    ),
    "reopened and resumed, running at risk": (
        target(),
        [
            ("A", "2026-03-02T08:00:00Z", "created", ""),
            ("A", "2026-03-02T08:00:00Z", "priority", "P2"),
            ("A", "2026-03-02T10:00:00Z", "resolved", ""),
            ("A", "2026-03-02T11:00:00Z", "reopened", ""),
        ],
        "2026-03-02T15:30:00Z",
    ),
    "priority set after creation, paused over the weekend": (
        target(pause=["awaiting customer"]),
        [
            ("A", "2026-03-06T14:00:00Z", "created", ""),
            ("A", "2026-03-06T14:30:00Z", "priority", "P3"),
            ("A", "2026-03-06T15:00:00Z", "state", "awaiting customer"),
        ],
        "2026-03-09T12:00:00Z",
    ),
    "breach across a DST change": (
        target(goals={"P1": "4h"}),
        [
            ("A", "2026-03-27T15:00:00Z", "created", ""),
            ("A", "2026-03-27T15:00:00Z", "priority", "P1"),
        ],
        "2026-03-31T00:00:00Z",
    ),
}


def _explained(name: str) -> tuple[list[CycleExplanation], Agreement, int]:
    tgt, rows, at = SCENARIOS[name]
    a = agreement(tgt)
    events = table(rows)
    rules = clock_rules(a, tgt, events.values)
    calendar = BusinessCalendar(a.calendars[tgt.calendar])
    return explain(events, rules, calendar, ns(at)), a, ns(at)


def _kinds(cycle: CycleExplanation) -> list[StepKind]:
    return [step.kind for step in cycle.steps]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_timeline_ends_on_the_same_figures_as_the_clocks_csv(name: str) -> None:
    cycles, a, _ = _explained(name)
    _, rows, at_text = SCENARIOS[name]
    result = evaluate([a], table(rows), instant(at_text))
    csv_rows = [
        dict(zip(CLOCK_COLUMNS, row, strict=True))
        for clocks in result.clocks
        for chunk in clock_rows(clocks)
        for row in chunk
    ]

    assert len(cycles) == len(csv_rows) > 0
    for cycle, row in zip(cycles, csv_rows, strict=True):
        assert cycle.cycle == row["cycle"]
        assert cycle.elapsed_ns / 10**9 == float(row["elapsed_seconds"])
        assert cycle.goal_ns / 10**9 == float(row["goal_seconds"])
        assert cycle.status.value == row["status"]


def test_a_paused_and_resumed_clock_is_met_with_the_pause_left_out() -> None:
    (cycle,), _, _ = _explained("paused and resumed, met")

    assert _kinds(cycle) == [
        StepKind.STARTED,
        StepKind.PAUSED,
        StepKind.RESUMED,
        StepKind.STOPPED,
    ]
    paused, resumed, stopped = cycle.steps[1:]
    assert (paused.detail, paused.elapsed_ns) == ("awaiting customer", 1 * H)
    assert (resumed.detail, resumed.elapsed_ns) == ("in progress", 1 * H)
    assert (stopped.detail, stopped.elapsed_ns) == ("resolved", 5 * H)
    assert cycle.status is ClockStatus.MET
    assert cycle.reason is VerdictReason.WITHIN_GOAL


def test_a_breach_is_placed_at_the_instant_elapsed_reached_the_goal() -> None:
    (cycle,), _, _ = _explained("breached when elapsed reached the goal")

    assert _kinds(cycle) == [StepKind.STARTED, StepKind.BREACHED, StepKind.STOPPED]
    breach = cycle.steps[1]
    assert breach.at_ns == ns("2026-03-02T12:00:00Z")
    assert breach.elapsed_ns == breach.goal_ns == 4 * H
    assert cycle.reason is VerdictReason.REACHED_GOAL


def test_a_priority_change_that_lowers_the_goal_below_elapsed_breaches_at_the_change() -> None:
    (cycle,), _, _ = _explained("breached at a priority change")

    assert _kinds(cycle) == [
        StepKind.STARTED,
        StepKind.PRIORITY_CHANGED,
        StepKind.BREACHED,
        StepKind.STOPPED,
    ]
    change = cycle.steps[1]
    assert (change.at_ns, change.priority, change.goal_ns) == (ns("2026-03-02T14:00:00Z"), 0, 4 * H)
    assert change.elapsed_ns == 6 * H
    assert cycle.breached_at_ns == change.at_ns
    assert cycle.reason is VerdictReason.GOAL_LOWERED


def test_restart_cancels_the_cycle_and_starts_a_new_one_at_the_change() -> None:
    (first, second), _, _ = _explained("restart cancels and starts again")

    assert _kinds(first) == [StepKind.STARTED, StepKind.CANCELLED]
    assert first.reason is VerdictReason.CANCELLED_BY_RESTART
    assert _kinds(second) == [StepKind.STARTED, StepKind.STOPPED]
    assert second.steps[0].detail == "restart"
    assert (second.priority, second.elapsed_ns, second.status) == (1, 2 * H, ClockStatus.MET)


def test_a_reopen_under_new_cycle_starts_a_second_cycle() -> None:
    (first, second), _, _ = _explained("reopened as a new cycle")

    assert _kinds(first) == [StepKind.STARTED, StepKind.STOPPED]
    assert first.status is ClockStatus.MET
    assert second.steps[0].detail == "reopened"
    assert _kinds(second) == [StepKind.STARTED, StepKind.BREACHED, StepKind.STOPPED]


def test_a_reopen_under_resume_continues_the_cycle_and_warns_near_the_goal() -> None:
    (cycle,), _, _ = _explained("reopened and resumed, running at risk")

    assert _kinds(cycle) == [StepKind.STARTED, StepKind.STOPPED, StepKind.REOPENED]
    assert cycle.elapsed_ns == 2 * H + int(4.5 * H)
    assert cycle.status is ClockStatus.AT_RISK
    assert cycle.reason is VerdictReason.NEAR_GOAL


def test_a_clock_that_appears_with_its_first_priority_starts_at_creation() -> None:
    (cycle,), _, _ = _explained("priority set after creation, paused over the weekend")

    assert _kinds(cycle) == [StepKind.STARTED, StepKind.PAUSED]
    assert cycle.steps[0].at_ns == ns("2026-03-06T14:00:00Z")
    assert cycle.elapsed_ns == 1 * H
    assert cycle.status is ClockStatus.PAUSED
    assert cycle.reason is VerdictReason.PAUSED


def test_a_breach_over_a_dst_weekend_is_dated_by_business_time() -> None:
    (cycle,), _, _ = _explained("breach across a DST change")

    # Friday 16:00-17:00 CET, then Monday 09:00 CEST (07:00Z) + 3h.
    assert cycle.breached_at_ns == ns("2026-03-30T10:00:00Z")
    assert _kinds(cycle) == [StepKind.STARTED, StepKind.BREACHED]


def test_an_item_without_a_clock_has_no_timeline() -> None:
    rows: Sequence[Row] = [("A", "2026-03-02T08:00:00Z", "state", "new")]
    a = agreement(target())
    events = table(rows)
    rules = clock_rules(a, a.targets[0], events.values)
    calendar = BusinessCalendar(a.calendars["office"])

    assert explain(events, rules, calendar, ns("2026-03-03T00:00:00Z")) == []


def test_explain_refuses_the_events_of_several_items() -> None:
    events = table(
        [("A", "2026-03-02T08:00:00Z", "created", ""), ("B", "2026-03-02T08:00:00Z", "created", "")]
    )
    a = agreement(target())
    rules = clock_rules(a, a.targets[0], events.values)
    with pytest.raises(ValueError, match="one item"):
        explain(events, rules, BusinessCalendar(a.calendars["office"]), ns("2026-03-03T00:00:00Z"))
