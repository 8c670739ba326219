"""Percentile objectives on clock targets: nearest rank over the clocks counted in a period.

The rank of the p-th percentile of n clocks is ceil(p/100 x n); clocks are ordered met first,
then breached, each by elapsed / goal; the period is met when the clock at the rank is met.
Calendar: Mon-Fri 09:00-17:00 Europe/Berlin; 2026-03-02 is a Monday (CET, UTC+1).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from accord.domain.agreements import Target
from accord.engine.measures import nearest_rank
from accord.services.compliance import ComplianceRow
from accord.services.evaluation import evaluate
from tests.builders import agreement, instant, table, target

Row = tuple[str, str, str, str]
AS_OF = "2026-04-01T00:00+02:00"


def p(percentile: int, goals: dict[str, str] | None = None) -> Target:
    base = target("resolution", goals or {"P1": "1h", "P2": "4h"})
    return replace(base, percentile=Decimal(percentile), objective=Decimal(percentile) / 100)


def resolved_after(item: str, minutes: int, priority: str = "P1", day: int = 2) -> list[Row]:
    """An item created at 09:00 on 2026-03-<day> and resolved `minutes` business minutes later."""
    start = f"2026-03-{day:02d}T09:00+01:00"
    hours, mins = divmod(minutes, 60)
    return [
        (item, start, "created", ""),
        (item, start, "priority", priority),
        (item, f"2026-03-{day:02d}T{9 + hours:02d}:{mins:02d}+01:00", "resolved", ""),
    ]


def march(rows: list[Row], tgt: Target) -> ComplianceRow:
    result = evaluate([agreement(tgt)], table(rows), instant(AS_OF))
    return next(r for r in result.compliance if r.period_start.month == 3)


@pytest.mark.parametrize(
    ("count", "percentile", "rank"),
    [
        (10, "90", 9),
        (11, "90", 10),
        (1, "90", 1),
        (20, "95", 19),
        (3, "50", 2),
        (4, "50", 2),
        (5, "100", 5),
        (7, "1", 1),
        (1000, "99.9", 999),
    ],
)
def test_nearest_rank_is_the_ceiling_of_p_percent_of_n(
    count: int, percentile: str, rank: int
) -> None:
    assert nearest_rank(count, Decimal(percentile)) == rank


def test_a_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no values"):
        nearest_rank(0, Decimal(90))


def test_the_90th_percentile_of_ten_clocks_is_the_ninth() -> None:
    # Elapsed 6, 12, ..., 60 minutes against a 1h goal: all met, the 9th is 54 minutes.
    rows = [row for i in range(1, 11) for row in resolved_after(f"I{i}", 6 * i)]
    row = march(rows, p(90))
    assert (row.kind, row.counted, row.met, row.breached) == ("resolution", 10, 10, 0)
    assert row.value == Decimal("0.9")  # 54 / 60
    assert (row.objective, row.result) == (Decimal("0.9"), "met")


def test_two_breaches_in_ten_clocks_miss_the_90th_percentile() -> None:
    # 8 met (10..45 min) and 2 breached (70 and 80 min): the 9th ranked clock is breached.
    minutes = [10, 15, 20, 25, 30, 35, 40, 45, 70, 80]
    rows = [row for i, m in enumerate(minutes) for row in resolved_after(f"I{i}", m)]
    row = march(rows, p(90))
    assert (row.met, row.breached, row.result) == (8, 2, "missed")
    assert row.value == Decimal("1.166667")  # 70 / 60, rounded up
    assert row.attainment == Decimal("0.8")


def test_one_breach_in_ten_clocks_still_meets_the_90th_percentile() -> None:
    minutes = [10, 15, 20, 25, 30, 35, 40, 45, 50, 80]
    rows = [row for i, m in enumerate(minutes) for row in resolved_after(f"I{i}", m)]
    row = march(rows, p(90))
    assert (row.value, row.result) == (Decimal("0.833334"), "met")  # 50 / 60, rounded up


def test_clocks_with_different_goals_are_ranked_by_elapsed_over_goal() -> None:
    # P1 (1h goal) took 30 min: 0.5; P2 (4h goal) took 3h: 0.75; P2 took 1h: 0.25.
    rows = [
        *resolved_after("A", 30, "P1"),
        *resolved_after("B", 180, "P2"),
        *resolved_after("C", 60, "P2"),
    ]
    assert march(rows, p(50)).value == Decimal("0.5")  # rank 2 of 3
    assert march(rows, p(100)).value == Decimal("0.75")


def test_working_day_goals_are_measured_per_clock() -> None:
    # 1wd from Monday 09:00 is due at Tuesday's close: 16 business hours, of which 4h is 1/4;
    # from Friday 09:00 it is due at Monday's close, again 16 hours; from Friday 13:00, 12.
    rows = [*resolved_after("A", 240, "P1", day=2), *resolved_after("B", 240, "P1", day=6)]
    rows += [
        ("C", "2026-03-06T13:00+01:00", "created", ""),
        ("C", "2026-03-06T13:00+01:00", "priority", "P1"),
        ("C", "2026-03-09T11:00+01:00", "resolved", ""),  # 4h + 2h = 6h of 12h
    ]
    row = march(rows, p(100, {"P1": "1wd"}))
    assert (row.value, row.result) == (Decimal("0.5"), "met")
    assert march(rows, p(50, {"P1": "1wd"})).value == Decimal("0.25")


def test_a_period_without_counted_clocks_has_no_data() -> None:
    april = evaluate([agreement(p(90))], table([]), instant(AS_OF)).compliance[3]
    assert (april.counted, april.value, april.result) == (0, None, "no data")


def test_a_breach_ranks_after_every_met_clock_even_under_a_raised_goal() -> None:
    # C breached its 1h goal at 10:00, then became P2 (4h): 150 of 240 min, yet breached.
    rows = [
        *resolved_after("A", 45, "P1"),  # 0.75, met
        *resolved_after("B", 54, "P1"),  # 0.9, met
        ("C", "2026-03-02T09:00+01:00", "created", ""),
        ("C", "2026-03-02T09:00+01:00", "priority", "P1"),
        ("C", "2026-03-02T11:00+01:00", "priority", "P2"),
        ("C", "2026-03-02T11:30+01:00", "resolved", ""),
    ]
    median = march(rows, p(50))
    assert (median.value, median.result) == (Decimal("0.9"), "met")
    top = march(rows, p(100))
    assert (top.breached, top.value, top.result) == (1, Decimal("0.625"), "missed")


def test_clocks_count_in_the_period_of_their_decision() -> None:
    # Breached on 31 March at 16:00 (goal 1h), resolved in April: it counts in March.
    rows = [
        ("I", "2026-03-31T15:00+02:00", "created", ""),
        ("I", "2026-03-31T15:00+02:00", "priority", "P1"),
        ("I", "2026-04-01T10:00+02:00", "resolved", ""),
    ]
    result = evaluate([agreement(p(90))], table(rows), instant("2026-04-02T00:00+02:00"))
    by_month = {r.period_start.month: r for r in result.compliance}
    assert (by_month[3].counted, by_month[3].result) == (1, "missed")
    assert by_month[4].counted == 0


def test_a_ratio_target_reports_no_value() -> None:
    rows = resolved_after("A", 30, "P1")
    row = march(rows, target("resolution", {"P1": "1h"}))
    assert (row.value, row.kind, row.result) == (None, "resolution", "met")
