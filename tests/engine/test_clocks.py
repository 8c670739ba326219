"""Clock rules of SEMANTICS.md ("Items and clocks"), one case per rule, through the fast engine.

Calendar: Mon-Fri 09:00-17:00 Europe/Berlin; 2026-03-02 is a Monday (CET, UTC+1).
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pytest

from accord.domain.agreements import Target
from accord.domain.clocks import Clock
from accord.domain.events import EventKind
from accord.services.evaluation import evaluate
from tests.builders import agreement, instant, table, target

GOALS = {"P1": "1h", "P2": "8h", "P3": "4h"}
AS_OF = "2026-03-20T00:00Z"


def clocks_of(
    rows: list[tuple[str, str, str, str]], tgt: Target, as_of: str = AS_OF, **kw: Any
) -> list[Clock]:
    result = evaluate([agreement(tgt, **kw)], table(rows), instant(as_of))
    return [c for tc in result.clocks for c in tc.rows()]


def only(
    rows: list[tuple[str, str, str, str]], tgt: Target, as_of: str = AS_OF, **kw: Any
) -> Clock:
    clocks = clocks_of(rows, tgt, as_of, **kw)
    assert len(clocks) == 1, clocks
    return clocks[0]


def opened(
    priority: str = "P2", at: str = "2026-03-02T09:00+01:00"
) -> list[tuple[str, str, str, str]]:
    return [("I", at, "created", ""), ("I", at, "priority", priority)]


def test_response_clock_stops_at_the_first_response() -> None:
    c = only(
        [*opened("P2"), ("I", "2026-03-02T09:40+01:00", "responded", "")],
        target("response", {"P2": "1h"}),
    )
    assert (c.status, c.elapsed_seconds, c.goal_seconds) == ("met", 2400, 3600)
    assert c.stop_at == instant("2026-03-02T09:40+01:00")
    assert c.due_at == instant("2026-03-02T10:00+01:00")  # when it would have breached


def test_response_clock_stops_at_resolution_when_that_comes_first() -> None:
    c = only(
        [*opened("P1"), ("I", "2026-03-02T09:20+01:00", "resolved", "")], target("response", GOALS)
    )
    assert (c.status, c.elapsed_seconds) == ("met", 1200)


def test_reopening_never_resumes_a_response_clock() -> None:
    rows = [
        *opened("P1"),
        ("I", "2026-03-02T09:10+01:00", "responded", ""),
        ("I", "2026-03-02T09:30+01:00", "resolved", ""),
        ("I", "2026-03-02T11:00+01:00", "reopened", ""),
    ]
    c = only(rows, target("response", GOALS, on_reopen="new-cycle"))
    assert (c.status, c.elapsed_seconds, c.cycle) == ("met", 600, 1)


def test_pause_over_weekend_removes_nothing() -> None:
    rows = [
        *opened("P2", "2026-03-06T16:00+01:00"),
        ("I", "2026-03-06T17:00+01:00", "state", "awaiting customer"),
        ("I", "2026-03-09T09:00+01:00", "state", "in progress"),
        ("I", "2026-03-09T12:00+01:00", "resolved", ""),
    ]
    c = only(rows, target(goals=GOALS, pause=["awaiting customer"]))
    assert (c.elapsed_seconds, c.paused_seconds, c.status) == (4 * 3600, 0, "met")


def test_pause_in_working_hours_is_excluded_and_reported() -> None:
    rows = [
        *opened("P2"),
        ("I", "2026-03-02T11:00+01:00", "state", "Awaiting  Customer"),  # case and spaces differ
        ("I", "2026-03-03T11:00+01:00", "state", "in progress"),
        ("I", "2026-03-04T09:30+01:00", "resolved", ""),
    ]
    c = only(rows, target(goals=GOALS, pause=["awaiting customer"]))
    assert (c.elapsed_seconds, c.paused_seconds) == (8.5 * 3600, 8 * 3600)
    assert c.status == "breached"
    # 2h on Monday + 6h on Tuesday reach the 8h goal at Tuesday 17:00, the earliest instant.
    assert c.breached_at == c.due_at == instant("2026-03-03T17:00+01:00")


def test_a_response_target_does_not_pause_unless_told() -> None:
    rows = [*opened("P2"), ("I", "2026-03-02T10:00+01:00", "state", "awaiting customer")]
    c = only(rows, target("response", GOALS), as_of="2026-03-02T10:30+01:00")
    assert (c.status, c.elapsed_seconds) == ("running", 5400)


def test_priority_set_at_the_start_instant_applies_whatever_the_arrival_order() -> None:
    rows = [
        ("I", "2026-03-02T09:00+01:00", "priority", "P1"),
        ("I", "2026-03-02T09:00+01:00", "created", ""),
    ]
    c = only([*rows, ("I", "2026-03-02T09:30+01:00", "resolved", "")], target(goals=GOALS))
    assert (c.priority, c.goal_seconds) == ("P1", 3600)


def test_events_at_one_instant_apply_in_rank_order() -> None:
    # reopened arrives before resolved at the same instant: resolved applies first, then reopen.
    rows = [
        *opened("P3"),
        ("I", "2026-03-02T10:00+01:00", "reopened", ""),
        ("I", "2026-03-02T10:00+01:00", "resolved", ""),
        ("I", "2026-03-02T11:00+01:00", "resolved", ""),
    ]
    c = only(rows, target(goals=GOALS, on_reopen="resume"))
    assert (c.status, c.elapsed_seconds) == ("met", 2 * 3600)


def test_duplicate_and_out_of_order_rows_give_the_same_clocks() -> None:
    rows = [
        *opened("P2"),
        ("I", "2026-03-02T11:00+01:00", "state", "awaiting customer"),
        ("I", "2026-03-02T13:00+01:00", "state", "in progress"),
        ("I", "2026-03-03T10:00+01:00", "resolved", ""),
        ("I", "2026-03-03T12:00+01:00", "reopened", ""),
        ("I", "2026-03-03T15:00+01:00", "resolved", ""),
    ]
    tgt = target(goals=GOALS, pause=["awaiting customer"])
    expected = clocks_of(rows, tgt)
    noisy = rows + rows[2:4] + rows[-2:]
    random.Random(7).shuffle(noisy)
    assert clocks_of(noisy, tgt) == expected


def test_keep_elapsed_breaches_at_the_change_when_the_new_goal_is_exceeded() -> None:
    rows = [
        *opened("P3"),
        ("I", "2026-03-02T11:00+01:00", "priority", "P1"),
        ("I", "2026-03-02T11:30+01:00", "resolved", ""),
    ]
    c = only(rows, target(goals=GOALS))
    assert (c.status, c.priority, c.goal_seconds) == ("breached", "P1", 3600)
    assert c.breached_at == instant("2026-03-02T11:00+01:00")  # never before the change


def test_keep_elapsed_carries_elapsed_into_the_new_goal() -> None:
    rows = [*opened("P3"), ("I", "2026-03-02T09:30+01:00", "priority", "P1")]
    c = only(rows, target(goals=GOALS), as_of="2026-03-02T12:00+01:00")
    assert c.status == "breached"
    assert c.breached_at == instant("2026-03-02T10:00+01:00")


def test_a_breach_stands_after_the_priority_is_lowered() -> None:
    rows = [
        *opened("P1"),
        ("I", "2026-03-02T11:00+01:00", "priority", "P3"),
        ("I", "2026-03-02T11:30+01:00", "resolved", ""),
    ]
    c = only(rows, target(goals=GOALS))
    assert (c.status, c.goal_seconds) == ("breached", 4 * 3600)
    assert c.breached_at == instant("2026-03-02T10:00+01:00")


def test_restart_cancels_the_running_cycle_and_starts_a_new_one() -> None:
    rows = [
        *opened("P3"),
        ("I", "2026-03-02T10:00+01:00", "priority", "P1"),
        ("I", "2026-03-02T10:30+01:00", "resolved", ""),
    ]
    first, second = clocks_of(rows, target(goals=GOALS, on_priority_change="restart"))
    assert (first.cycle, first.status, first.priority, first.elapsed_seconds) == (
        1,
        "cancelled",
        "P3",
        3600,
    )
    assert first.stop_at == instant("2026-03-02T10:00+01:00")
    assert (second.cycle, second.status, second.priority, second.elapsed_seconds) == (
        2,
        "met",
        "P1",
        1800,
    )
    assert second.start_at == instant("2026-03-02T10:00+01:00")


def test_strictest_keeps_the_smallest_goal_held_while_running() -> None:
    rows = [
        *opened("P1"),
        ("I", "2026-03-02T09:30+01:00", "priority", "P3"),
        ("I", "2026-03-02T11:00+01:00", "resolved", ""),
    ]
    c = only(rows, target(goals=GOALS, on_priority_change="strictest"))
    assert (c.status, c.goal_seconds, c.priority) == ("breached", 3600, "P3")
    assert c.breached_at == instant("2026-03-02T10:00+01:00")


def test_a_priority_change_after_the_stop_does_not_change_the_clock() -> None:
    rows = [
        *opened("P3"),
        ("I", "2026-03-02T12:00+01:00", "resolved", ""),
        ("I", "2026-03-02T13:00+01:00", "priority", "P1"),
    ]
    for policy in ("keep-elapsed", "restart", "strictest"):
        c = only(rows, target(goals=GOALS, on_priority_change=policy))
        assert (c.status, c.priority, c.goal_seconds, c.elapsed_seconds) == (
            "met",
            "P3",
            4 * 3600,
            3 * 3600,
        )


REOPEN_ROWS = [
    *opened("P2"),
    ("I", "2026-03-02T13:00+01:00", "resolved", ""),
    ("I", "2026-03-03T09:00+01:00", "reopened", ""),
    ("I", "2026-03-03T14:00+01:00", "resolved", ""),
]


def test_resume_judges_the_item_on_its_total_time() -> None:
    c = only(REOPEN_ROWS, target(goals=GOALS, on_reopen="resume"))
    assert (c.cycle, c.status, c.elapsed_seconds) == (1, "breached", 9 * 3600)
    assert c.breached_at == instant("2026-03-03T13:00+01:00")
    assert c.stop_at == instant("2026-03-03T14:00+01:00")


def test_new_cycle_counts_each_cycle_on_its_own() -> None:
    first, second = clocks_of(REOPEN_ROWS, target(goals=GOALS, on_reopen="new-cycle"))
    assert (first.cycle, first.status, first.elapsed_seconds) == (1, "met", 4 * 3600)
    assert first.stop_at == instant("2026-03-02T13:00+01:00")
    assert (second.cycle, second.status, second.elapsed_seconds) == (2, "met", 5 * 3600)
    assert second.start_at == instant("2026-03-03T09:00+01:00")


def test_ignore_keeps_the_clock_stopped() -> None:
    c = only(REOPEN_ROWS, target(goals=GOALS, on_reopen="ignore"))
    assert (c.status, c.elapsed_seconds) == ("met", 4 * 3600)
    assert c.stop_at == instant("2026-03-02T13:00+01:00")


@pytest.mark.parametrize(
    ("as_of", "status", "elapsed", "due"),
    [
        ("2026-03-02T10:00+01:00", "running", 3600, "2026-03-02T17:00+01:00"),
        ("2026-03-02T15:00+01:00", "at-risk", 6 * 3600, "2026-03-02T17:00+01:00"),  # 75% of 8h
        ("2026-03-02T15:30+01:00", "paused", 6.5 * 3600, None),  # the pause event at as-of applies
        ("2026-03-03T11:00+01:00", "at-risk", 7.5 * 3600, "2026-03-03T11:30+01:00"),
        ("2026-03-03T14:00+01:00", "breached", 10.5 * 3600, "2026-03-03T11:30+01:00"),
    ],
)
def test_an_evaluation_as_of_an_instant_uses_only_earlier_events(
    as_of: str, status: str, elapsed: float, due: str | None
) -> None:
    rows = [
        *opened("P2"),
        ("I", "2026-03-02T15:30+01:00", "state", "awaiting customer"),
        ("I", "2026-03-03T10:00+01:00", "state", "in progress"),
        ("I", "2026-03-05T10:00+01:00", "resolved", ""),
    ]
    c = only(rows, target(goals=GOALS, pause=["awaiting customer"]), as_of=as_of)
    assert (c.status, c.elapsed_seconds) == (status, elapsed)
    assert c.due_at == (instant(due) if due else None)


def test_stopping_exactly_at_the_goal_is_met() -> None:
    c = only([*opened("P1"), ("I", "2026-03-02T10:00+01:00", "resolved", "")], target(goals=GOALS))
    assert (c.status, c.elapsed_seconds, c.breached_at) == ("met", 3600, None)


def test_a_goal_reached_on_friday_evening_breaches_at_friday_close() -> None:
    rows = [
        *opened("P3", "2026-03-06T13:00+01:00"),
        ("I", "2026-03-09T10:00+01:00", "resolved", ""),
    ]
    c = only(rows, target(goals=GOALS))
    assert c.status == "breached"
    assert c.breached_at == instant("2026-03-06T17:00+01:00")
    still = only(rows[:2], target(goals=GOALS), as_of="2026-03-07T12:00+01:00")
    assert still.status == "at-risk"  # not exceeded yet: nothing elapses on Saturday


def test_working_day_goals_are_due_at_the_close_of_the_nth_day() -> None:
    c = only(
        opened("P2", "2026-03-02T10:00+01:00"),
        target(goals={"P2": "2wd"}),
        as_of="2026-03-02T12:00+01:00",
    )
    assert c.due_at == instant("2026-03-04T17:00+01:00")
    assert c.goal_seconds == 7 * 3600 + 2 * 8 * 3600


def test_default_priority_applies_to_items_without_one() -> None:
    rows = [
        ("I", "2026-03-02T09:00+01:00", "created", ""),
        ("I", "2026-03-02T09:30+01:00", "resolved", ""),
    ]
    c = only(rows, target(goals=GOALS), default_priority="P3")
    assert (c.priority, c.goal_seconds) == ("P3", 4 * 3600)


def test_items_without_a_clock_are_reported_with_a_reason() -> None:
    rows = [
        ("NOPRIO", "2026-03-02T09:00+01:00", "created", ""),
        ("NOCREATE", "2026-03-02T09:00+01:00", "priority", "P1"),
        ("ODD", "2026-03-02T09:00+01:00", "created", ""),
        ("ODD", "2026-03-02T09:00+01:00", "priority", "urgent"),
        ("OK", "2026-03-02T09:00+01:00", "created", ""),
        ("OK", "2026-03-02T09:00+01:00", "priority", "P4"),  # P4 has no goal in GOALS
    ]
    result = evaluate([agreement(target(goals=GOALS))], table(rows), instant(AS_OF))
    reasons = {s.item_id: s.reason for s in result.skipped}
    assert reasons == {
        "NOPRIO": "no priority, and the agreement names no default_priority",
        "NOCREATE": "no 'created' event",
        "ODD": "a priority that is not one of the agreement's priorities",
        "OK": "its priority has no goal in this target",
    }
    assert not list(result.clocks[0].rows())


def test_a_priority_set_after_creation_applies_from_the_start() -> None:
    rows = [
        ("I", "2026-03-02T09:00+01:00", "created", ""),
        ("I", "2026-03-02T09:05+01:00", "priority", "P1"),
        ("I", "2026-03-02T10:30+01:00", "resolved", ""),
    ]
    c = only(rows, target(goals=GOALS))
    assert (c.priority, c.status, c.breached_at) == (
        "P1",
        "breached",
        instant("2026-03-02T10:00+01:00"),
    )


def test_items_are_routed_by_service_and_target_filters() -> None:
    rows = [
        *[
            (i, "2026-03-02T09:00+01:00", k, v)
            for i in ("A", "B", "C")
            for k, v in (("created", ""), ("priority", "P1"))
        ],
        ("A", "2026-03-02T09:00+01:00", "field", "service=service-desk"),
        ("B", "2026-03-02T09:00+01:00", "field", "service=web-hosting"),
        ("A", "2026-03-02T09:00+01:00", "field", "channel=web"),
        ("C", "2026-03-02T09:00+01:00", "field", "channel=phone"),
    ]
    plain = evaluate([agreement(target(goals=GOALS))], table(rows), instant(AS_OF))
    assert sorted(c.item_id for c in plain.clocks[0].rows()) == ["A", "C"]  # B is another service
    filtered = evaluate(
        [agreement(target(goals=GOALS, match={"channel": ["web"]}))], table(rows), instant(AS_OF)
    )
    assert [c.item_id for c in filtered.clocks[0].rows()] == ["A"]


def test_the_priority_at_the_end_decides_whether_a_target_measures_the_clock() -> None:
    # Goals only for P1 and P3: an item upgraded from P4 to P1 is measured as a P1 (its P4
    # stretch could not breach); one downgraded from P1 to P4 is not measured at all.
    tgt = target(goals={"P1": "1h", "P3": "4h"})
    upgraded = [*opened("P4"), ("I", "2026-03-02T12:00+01:00", "priority", "P1")]
    c = only(upgraded, tgt, as_of="2026-03-02T12:30+01:00")
    assert (c.priority, c.status, c.breached_at) == (
        "P1",
        "breached",
        instant("2026-03-02T12:00+01:00"),
    )
    downgraded = [*opened("P1"), ("I", "2026-03-02T09:30+01:00", "priority", "P4")]
    result = evaluate([agreement(tgt)], table(downgraded), instant("2026-03-02T12:00+01:00"))
    assert not list(result.clocks[0].rows())
    assert [s.reason for s in result.skipped] == ["its priority has no goal in this target"]


def test_a_target_can_run_its_clock_until_closure() -> None:
    rows = [
        *opened("P3"),
        ("I", "2026-03-02T11:00+01:00", "resolved", ""),
        ("I", "2026-03-02T15:00+01:00", "closed", ""),
    ]
    to_resolution = only(rows, target(goals=GOALS))
    assert (to_resolution.elapsed_seconds, to_resolution.status) == (2 * 3600, "met")
    closure = replace(target(goals=GOALS), stop_on=frozenset({EventKind.CLOSED}))
    to_closure = only(rows, closure)
    assert (to_closure.elapsed_seconds, to_closure.status) == (6 * 3600, "breached")
    assert to_closure.stop_at == instant("2026-03-02T15:00+01:00")
