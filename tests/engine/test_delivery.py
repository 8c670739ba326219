"""On-time delivery targets: a report due every Monday by 10:00 Berlin time, by hand.

An occurrence due at d[k] is met by a `delivered` event of a matching item in (d[k-1], d[k]]
(or in (d[k] - window, d[k]] with a shorter window); it counts in the period holding d[k].
March 2026 has five Mondays: 2, 9, 16, 23 (CET, UTC+1) and 30 (CEST, UTC+2, after the
spring-forward on Sunday 29). Easter Monday, 6 April 2026, is a holiday in Berlin.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from accord.domain.agreements import Target, TargetKind
from accord.domain.measures import ClosedDayPolicy, DeliverySchedule
from accord.domain.periods import PeriodSpec
from accord.engine.calendars import BusinessCalendar
from accord.engine.delivery import due_dates, occurrences
from accord.services.compliance import ComplianceRow
from accord.services.evaluation import EvaluationResult, evaluate, ratio_burn_rate
from tests.builders import OFFICE, agreement, instant, ns, table

Row = tuple[str, str, str, str]
MONDAY_10 = DeliverySchedule(weekdays=frozenset({0}), month_day=None, at_minute=600)
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
AFTER_MARCH = "2026-04-01T00:00+02:00"


def delivery(schedule: DeliverySchedule = MONDAY_10, objective: str = "0.8") -> Target:
    return Target(
        id="pipeline-report",
        kind=TargetKind.DELIVERY,
        calendar="office",
        goals={},
        objective=Decimal(objective),
        period=PeriodSpec.parse("month"),
        match={"deliverable": frozenset({"pipeline-report"})},
        due=schedule,
    )


def delivered(item: str, at: str, deliverable: str = "pipeline-report") -> list[Row]:
    return [(item, at, "field", f"deliverable={deliverable}"), (item, at, "delivered", "")]


def run(
    rows: list[Row], tgt: Target | None = None, as_of: str = AFTER_MARCH, **kw: Any
) -> EvaluationResult:
    kw.setdefault("validity", MARCH)
    return evaluate([agreement(tgt or delivery(), **kw)], table(rows), instant(as_of))


def march_row(rows: list[Row], tgt: Target | None = None, **kw: Any) -> ComplianceRow:
    return run(rows, tgt, **kw).compliance[0]


ON_TIME = [
    *delivered("R1", "2026-03-02T09:30+01:00"),
    *delivered("R2", "2026-03-09T10:00+01:00"),  # exactly at the due instant
    *delivered("R3", "2026-03-13T16:00+01:00"),  # the Friday before: early is on time
    *delivered("R4", "2026-03-23T08:00+01:00"),
    *delivered("R5", "2026-03-30T09:59+02:00"),  # summer time
]


def test_every_monday_on_time_meets_every_occurrence() -> None:
    row = march_row(ON_TIME)
    assert (row.kind, row.counted, row.met, row.breached) == ("delivery", 5, 5, 0)
    assert (row.attainment, row.value, row.result) == (Decimal(1), None, "met")


def test_the_due_instant_follows_summer_time() -> None:
    result = run(ON_TIME)
    due = [o.due_at for o in result.deliveries]
    assert due == [
        instant("2026-03-02T10:00+01:00"),
        instant("2026-03-09T10:00+01:00"),
        instant("2026-03-16T10:00+01:00"),
        instant("2026-03-23T10:00+01:00"),
        instant("2026-03-30T10:00+02:00"),  # 08:00 UTC, an hour earlier than in winter
    ]
    assert [o.item_id for o in result.deliveries] == ["R1", "R2", "R3", "R4", "R5"]


def test_a_winter_time_delivery_hour_is_late_in_summer() -> None:
    rows = [*ON_TIME[:-2], *delivered("R5", "2026-03-30T09:30+01:00")]  # 10:30 CEST
    row = march_row(rows)
    assert (row.met, row.breached, row.result) == (4, 1, "met")  # 0.8 >= 0.8


def test_late_and_missing_reports_miss_their_occurrences() -> None:
    rows = [
        *delivered("R1", "2026-03-02T10:01+01:00"),  # late for the 2nd
        *delivered("R2", "2026-03-16T09:00+01:00"),
    ]
    result = run(rows)
    row = result.compliance[0]
    assert (row.counted, row.met, row.breached, row.result) == (5, 2, 3, "missed")
    met = [o.met for o in result.deliveries]
    # The late delivery of the 2nd lies in the window of the 9th, which it meets.
    assert met == [False, True, True, False, False]
    assert result.deliveries[1].delivered_at == instant("2026-03-02T10:01+01:00")


def test_a_window_keeps_a_late_delivery_from_meeting_the_next_week() -> None:
    rows = [*delivered("R1", "2026-03-02T10:01+01:00"), *delivered("R2", "2026-03-08T12:00+01:00")]
    schedule = replace(MONDAY_10, window_seconds=86_400)  # from Sunday 10:00
    result = run(rows, delivery(schedule))
    assert [o.met for o in result.deliveries] == [False, True, False, False, False]


def test_a_delivery_before_the_validity_counts_for_the_first_monday() -> None:
    rows = delivered("R1", "2026-02-27T15:00+01:00")  # the Friday before: after 23 Feb 10:00
    assert run(rows).deliveries[0].met


def test_several_deliveries_in_one_window_count_once() -> None:
    rows = [*delivered("R1", "2026-03-02T08:00+01:00"), *delivered("R2", "2026-03-02T09:00+01:00")]
    result = run(rows)
    assert result.compliance[0].met == 1
    assert result.deliveries[0].item_id == "R1"  # the first one in the window


def test_other_deliverables_do_not_count() -> None:
    rows = delivered("R1", "2026-03-02T09:00+01:00", deliverable="forecast")
    assert march_row(rows).met == 0


def test_occurrences_due_after_the_evaluation_instant_are_not_counted_yet() -> None:
    row = march_row(ON_TIME, as_of="2026-03-16T09:00+01:00")
    assert (row.counted, row.met) == (2, 2)
    before_any = march_row(ON_TIME, as_of="2026-03-02T09:59+01:00")
    assert (before_any.counted, before_any.result) == (0, "no data")


@pytest.mark.parametrize(
    ("policy", "dates"),
    [
        (ClosedDayPolicy.SKIP, [date(2026, 3, 30), date(2026, 4, 13)]),
        (ClosedDayPolicy.KEEP, [date(2026, 3, 30), date(2026, 4, 6), date(2026, 4, 13)]),
    ],
)
def test_a_public_holiday_is_skipped_unless_kept(
    policy: ClosedDayPolicy, dates: list[date]
) -> None:
    schedule = replace(MONDAY_10, on_closed_day=policy)
    calendar = BusinessCalendar.from_dict(OFFICE)
    assert due_dates(schedule, calendar, date(2026, 3, 30), date(2026, 4, 13)) == dates


def test_a_24x7_calendar_never_skips() -> None:
    calendar = BusinessCalendar.from_dict({"timezone": "Europe/Berlin", "hours": "24x7"})
    assert date(2026, 4, 6) in due_dates(MONDAY_10, calendar, date(2026, 4, 6), date(2026, 4, 6))


def test_after_a_skipped_holiday_the_window_spans_two_weeks() -> None:
    calendar = BusinessCalendar.from_dict(OFFICE)
    delivered_at = np.array([ns("2026-04-07T09:00+02:00")], dtype=np.int64)
    found = occurrences(MONDAY_10, calendar, date(2026, 4, 13), date(2026, 4, 13), delivered_at)
    assert found.opens_at.tolist() == [ns("2026-03-30T10:00+02:00")]
    assert found.met.tolist() == [True]


def test_a_monthly_day_past_the_end_of_a_month_is_its_last_day() -> None:
    schedule = DeliverySchedule(weekdays=frozenset(), month_day=31, at_minute=9 * 60)
    calendar = BusinessCalendar.from_dict({"timezone": "Europe/Berlin", "hours": "24x7"})
    found = due_dates(schedule, calendar, date(2026, 1, 1), date(2026, 4, 30))
    assert found == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


def test_a_monthly_report_on_the_first_is_judged_per_month() -> None:
    schedule = DeliverySchedule(weekdays=frozenset(), month_day=1, at_minute=9 * 60)
    rows = [*delivered("R1", "2026-02-27T12:00+01:00"), *delivered("R2", "2026-04-01T09:30+02:00")]
    result = run(
        rows,
        delivery(schedule, "1"),
        as_of="2026-05-01T00:00+02:00",
        calendar={"timezone": "Europe/Berlin", "hours": "24x7"},
        validity=(date(2026, 3, 1), date(2026, 4, 30)),
    )
    assert [(o.due_at, o.met) for o in result.deliveries] == [
        (instant("2026-03-01T09:00+01:00"), True),
        (instant("2026-04-01T09:00+02:00"), False),  # 09:30 is late
    ]


def test_the_error_budget_counts_occurrences() -> None:
    (budget,) = run(ON_TIME[:8]).budgets  # 4 of 5 on time (two rows per delivery)
    assert (budget.unit, budget.budget) == ("occurrences", Decimal("0.2"))
    assert (budget.allowed, budget.consumed, budget.remaining) == (1, 1, 0)


def test_the_burn_rate_over_a_window_counts_the_occurrences_due_in_it() -> None:
    rows = [*ON_TIME[:6], *ON_TIME[8:]]  # the 23rd is missed
    result = run(rows, delivery(objective="0.75"))
    a = agreement(delivery(objective="0.75"), validity=MARCH)
    two_weeks = ratio_burn_rate(result, a, "pipeline-report", 14 * 86_400)
    assert two_weeks.error_ratio == Decimal("0.5")  # the 23rd missed, the 30th met
    assert two_weeks.burn_rate == Decimal(2)  # 0.5 / 0.25
