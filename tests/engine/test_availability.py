"""Availability, error budgets, burn rates and reliability from outage records, by hand.

SEMANTICS.md "Availability and reliability": A = (T - X - D) / (T - X) under `exclude`,
(T - D) / T under `count-as-up`. The week of Monday 2026-03-02 (CET, UTC+1) is the period
unless a case says otherwise: T = 7 x 24h = 604,800 s on 24x7, 5 x 8h = 144,000 s on office
hours (Mon-Fri 09:00-17:00).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.domain.agreements import Agreement, Target, TargetKind
from accord.domain.measures import (
    AvailabilityRules,
    BurnAlert,
    MaintenanceConvention,
    TimeBasis,
)
from accord.domain.periods import PeriodSpec
from accord.engine.availability import downtime, merge_intervals, wall_ns, window_time
from accord.services.availability import burn_alerts, burn_rates, reliability
from accord.services.compliance import ComplianceRow
from accord.services.evaluation import EvaluationResult, evaluate
from tests.builders import OFFICE, agreement, instant, table

ALWAYS: dict[str, Any] = {"timezone": "Europe/Berlin", "hours": "24x7"}
WEEK = (date(2026, 3, 2), date(2026, 3, 8))
END_OF_WEEK = "2026-03-09T00:00+01:00"
Row = tuple[str, str, str, str]


def availability(
    objective: str = "0.999",
    *,
    maintenance: str = "exclude",
    minimum_seconds: int = 0,
    basis: str = "wall",
    period: str = "week",
    alerts: tuple[BurnAlert, ...] = (),
) -> Target:
    return Target(
        id="availability",
        kind=TargetKind.AVAILABILITY,
        calendar="office",
        goals={},
        objective=Decimal(objective),
        period=PeriodSpec.parse(period),
        availability=AvailabilityRules(
            MaintenanceConvention(maintenance), minimum_seconds, TimeBasis(basis), alerts
        ),
    )


def web(target: Target, calendar: dict[str, Any] | None = None, **kw: Any) -> Agreement:
    kw.setdefault("validity", WEEK)
    return agreement(target, calendar=calendar or ALWAYS, services=("web",), **kw)


def outage(item: str, start: str, end: str, *, planned: bool = False) -> list[Row]:
    rows: list[Row] = [(item, start, "field", "service=web"), (item, start, "outage", end)]
    if planned:
        rows.append((item, start, "field", "planned=true"))
    return rows


def run(rows: list[Row], tgt: Target, as_of: str = END_OF_WEEK, **kw: Any) -> EvaluationResult:
    return evaluate([web(tgt, **kw)], table(rows), instant(as_of))


def only_row(rows: list[Row], tgt: Target, as_of: str = END_OF_WEEK, **kw: Any) -> ComplianceRow:
    (row,) = run(rows, tgt, as_of, **kw).compliance
    return row


def fraction(up: int, window: int) -> Decimal:
    """A as the engine shows it: cut (never rounded up) to nine places."""
    return (Decimal(up) / Decimal(window)).quantize(Decimal("1e-9"), rounding="ROUND_FLOOR")


def test_overlapping_and_touching_intervals_merge() -> None:
    starts = np.array([30, 0, 10, 50, 60], dtype=np.int64)
    ends = np.array([40, 20, 15, 60, 70], dtype=np.int64)
    merged_start, merged_end, label = merge_intervals(starts, ends)
    assert merged_start.tolist() == [0, 30, 50]
    assert merged_end.tolist() == [20, 40, 70]
    assert label.tolist() == [1, 0, 0, 2, 2]


def test_one_unplanned_hour_in_a_24x7_week() -> None:
    row = only_row(
        outage("OUT-1", "2026-03-03T10:00+01:00", "2026-03-03T11:00+01:00"), availability()
    )
    assert row.kind == "availability"
    assert (row.counted, row.met, row.breached) == (1, 0, 0)
    assert row.value == row.attainment == fraction(604_800 - 3600, 604_800)  # 0.994047619
    assert (row.objective, row.result) == (Decimal("0.999"), "missed")


def test_a_week_without_outages_is_fully_available() -> None:
    row = only_row([("I", "2026-03-03T10:00+01:00", "field", "service=web")], availability())
    assert (row.value, row.counted, row.result) == (Decimal(1), 0, "met")


@pytest.mark.parametrize(
    ("maintenance", "expected"),
    [
        # X = 2h planned, D = 1h: (604800 - 7200 - 3600) / (604800 - 7200)
        ("exclude", fraction(594_000, 597_600)),
        # planned time counts as up: (604800 - 3600) / 604800
        ("count-as-up", fraction(601_200, 604_800)),
    ],
)
def test_planned_maintenance_follows_the_declared_convention(
    maintenance: str, expected: Decimal
) -> None:
    rows = [
        *outage("OUT-1", "2026-03-08T02:00+01:00", "2026-03-08T04:00+01:00", planned=True),
        *outage("OUT-2", "2026-03-04T12:00+01:00", "2026-03-04T13:00+01:00"),
    ]
    row = only_row(rows, availability(maintenance=maintenance))
    assert (row.value, row.counted) == (expected, 1)


def test_overlapping_unplanned_outages_merge_into_one() -> None:
    rows = [
        *outage("OUT-1", "2026-03-03T10:00+01:00", "2026-03-03T10:30+01:00"),
        *outage("OUT-2", "2026-03-03T10:20+01:00", "2026-03-03T11:00+01:00"),
    ]
    row = only_row(rows, availability())
    assert (row.counted, row.value) == (1, fraction(604_800 - 3600, 604_800))


def test_downtime_inside_a_maintenance_window_is_not_downtime() -> None:
    # Planned 02:00-04:00, unplanned 03:30-05:00: D is 04:00-05:00 only.
    rows = [
        *outage("OUT-1", "2026-03-05T02:00+01:00", "2026-03-05T04:00+01:00", planned=True),
        *outage("OUT-2", "2026-03-05T03:30+01:00", "2026-03-05T05:00+01:00"),
    ]
    row = only_row(rows, availability())
    assert row.value == fraction(604_800 - 7200 - 3600, 604_800 - 7200)


def test_downtime_shorter_than_the_minimum_is_ignored() -> None:
    rows = [
        *outage("OUT-1", "2026-03-03T10:00:00+01:00", "2026-03-03T10:00:59+01:00"),  # 59 s
        *outage("OUT-2", "2026-03-04T10:00:00+01:00", "2026-03-04T10:02:00+01:00"),  # 2 min
    ]
    row = only_row(rows, availability(minimum_seconds=60))
    assert (row.counted, row.value) == (1, fraction(604_800 - 120, 604_800))
    without_minimum = only_row(rows, availability())
    assert (without_minimum.counted, without_minimum.value) == (2, fraction(604_800 - 179, 604_800))


def test_business_hours_are_the_service_window() -> None:
    # Monday 16:00-18:00 is down for one business hour; a night outage costs nothing.
    rows = [
        *outage("OUT-1", "2026-03-02T16:00+01:00", "2026-03-02T18:00+01:00"),
        *outage("OUT-2", "2026-03-03T20:00+01:00", "2026-03-03T22:00+01:00"),
    ]
    row = only_row(rows, availability(), calendar=OFFICE)
    assert (row.counted, row.value) == (1, Decimal("0.975"))  # (144000 - 3600) / 144000


@pytest.mark.parametrize(
    ("calendar", "rows", "validity"),
    [
        pytest.param(
            OFFICE,
            [("I", "2026-03-07T10:00+01:00", "field", "service=web")],
            (date(2026, 3, 7), date(2026, 3, 8)),
            id="a-weekend-on-office-hours",
        ),
        pytest.param(
            ALWAYS,
            outage("OUT-1", "2026-03-02T00:00+01:00", "2026-03-09T00:00+01:00", planned=True),
            WEEK,
            id="maintenance-all-week",
        ),
    ],
)
def test_an_empty_service_window_is_no_data(
    calendar: dict[str, Any], rows: list[Row], validity: tuple[date, date]
) -> None:
    row = only_row(rows, availability(period="month"), calendar=calendar, validity=validity)
    assert (row.attainment, row.value, row.result) == (None, None, "no data")


def test_an_ongoing_outage_is_measured_up_to_the_evaluation_instant() -> None:
    rows = outage("OUT-1", "2026-03-03T10:00+01:00", "")  # no end yet
    row = only_row(rows, availability(), as_of="2026-03-03T12:00+01:00")
    # Monday 00:00 to Tuesday 12:00 is 36h so far, 2h of them down.
    assert row.value == fraction(36 * 3600 - 7200, 36 * 3600)


def test_an_end_after_the_evaluation_instant_is_cut_there() -> None:
    rows = outage("OUT-1", "2026-03-03T10:00+01:00", "2026-03-03T20:00+01:00")
    row = only_row(rows, availability(), as_of="2026-03-03T12:00+01:00")
    assert row.value == fraction(36 * 3600 - 7200, 36 * 3600)


def test_a_month_with_the_spring_forward_day_has_743_hours() -> None:
    rows = outage("OUT-1", "2026-03-29T01:00+01:00", "2026-03-29T04:00+02:00")  # 2h of wall time
    tgt = availability(period="month")
    row = only_row(
        rows, tgt, as_of="2026-04-01T00:00+02:00", validity=(date(2026, 3, 1), date(2026, 3, 31))
    )
    assert row.value == fraction(743 * 3600 - 7200, 743 * 3600)


def test_an_end_sent_later_replaces_the_open_outage() -> None:
    rows = [
        *outage("OUT-1", "2026-03-03T10:00+01:00", ""),
        ("OUT-1", "2026-03-03T10:00+01:00", "outage", "2026-03-03T10:30+01:00"),
    ]
    row = only_row(rows, availability())
    assert row.value == fraction(604_800 - 1800, 604_800)


@pytest.mark.parametrize(
    ("end", "reason"),
    [
        ("soon", "outage end 'soon' is not an instant"),
        ("2026-03-03T09:00+01:00", "the outage ends before it starts"),
    ],
)
def test_an_outage_that_cannot_be_read_is_skipped_with_its_reason(end: str, reason: str) -> None:
    result = run(outage("OUT-1", "2026-03-03T10:00+01:00", end), availability())
    assert result.compliance[0].value == Decimal(1)
    (skipped,) = result.skipped
    assert (skipped.item_id, skipped.target_id) == ("OUT-1", "availability")
    assert skipped.reason.startswith(reason)


def test_outage_records_are_not_tickets_for_clock_targets() -> None:
    from tests.builders import target

    rows = outage("OUT-1", "2026-03-03T10:00+01:00", "2026-03-03T11:00+01:00")
    result = evaluate([web(target("response"))], table(rows), instant(END_OF_WEEK))
    assert result.skipped == []
    assert len(result.clocks[0]) == 0


def test_the_error_budget_is_one_minus_the_objective_of_the_measured_window() -> None:
    rows = outage("OUT-1", "2026-03-03T10:00+01:00", "2026-03-03T10:06+01:00")
    (budget,) = run(rows, availability("0.999")).budgets
    assert (budget.budget, budget.unit) == (Decimal("0.001"), "seconds")
    assert budget.allowed == Decimal("604.8")  # 0.1% of 604,800 s
    assert budget.consumed == Decimal(360)
    assert budget.remaining == Decimal("244.8")


def test_burn_rate_is_the_error_ratio_over_the_budget() -> None:
    a = web(availability("0.99"))
    rows = table(outage("OUT-1", "2026-03-03T10:00+01:00", "2026-03-03T10:06+01:00"))
    one_hour, five_min = burn_rates(a, rows, instant("2026-03-03T10:30+01:00"), [3600, 300])
    assert one_hour.error_ratio == Decimal(360) / Decimal(3600)  # 6 of the last 60 minutes
    assert one_hour.burn_rate == Decimal(10)  # 0.1 / 0.01
    assert (five_min.error_ratio, five_min.burn_rate) == (Decimal(0), Decimal(0))


def test_a_multiwindow_alert_fires_when_both_windows_burn_fast_enough() -> None:
    rule = BurnAlert(Decimal("14.4"), 3600, 300)
    a = web(availability("0.999", alerts=(rule,)))
    rows = table(outage("OUT-1", "2026-03-03T10:00+01:00", ""))
    (during,) = burn_alerts([a], rows, instant("2026-03-03T10:10+01:00"))
    assert during.firing  # 10 of 60 min: 166.7x; 5 of 5 min: 1000x
    rows = table(outage("OUT-1", "2026-03-03T10:00+01:00", "2026-03-03T10:10+01:00"))
    (after,) = burn_alerts([a], rows, instant("2026-03-03T10:30+01:00"))
    assert after.long.burn_rate == Decimal(600) / Decimal(3600) / Decimal("0.001")  # 166.7x
    assert after.short.burn_rate == 0
    assert not after.firing


def test_mttr_mtbf_and_mtta_per_period_in_wall_clock_time() -> None:
    rows = [
        *outage("OUT-1", "2026-03-03T10:00+01:00", "2026-03-03T11:00+01:00"),
        *outage("OUT-2", "2026-03-05T10:00+01:00", "2026-03-05T10:30+01:00"),
        *outage("OUT-3", "2026-03-08T02:00+01:00", "2026-03-08T04:00+01:00", planned=True),
        *outage("OUT-4", "2026-03-08T23:00+01:00", ""),  # still ongoing: not restored
        ("INC-1", "2026-03-03T10:05+01:00", "created", ""),
        ("INC-1", "2026-03-03T10:05+01:00", "field", "service=web"),
        ("INC-1", "2026-03-03T10:15+01:00", "responded", ""),
        ("INC-2", "2026-03-05T10:00+01:00", "created", ""),
        ("INC-2", "2026-03-05T10:30+01:00", "responded", ""),
    ]
    (row,) = reliability(web(availability()), table(rows), instant(END_OF_WEEK))
    assert row.basis == "wall"
    assert (row.restored, row.failures, row.acknowledged) == (2, 3, 2)
    assert row.mttr_seconds == Decimal(2700)  # (3600 + 1800) / 2
    # uptime = 604800 - 7200 planned - (3600 + 1800 + 3600) down = 588600, over 3 failures
    assert row.mtbf_seconds == Decimal(196_200)
    assert row.mtta_seconds == Decimal(1200)  # (600 + 1800) / 2


def test_reliability_in_business_time_uses_the_target_calendar() -> None:
    rows = [
        *outage("OUT-1", "2026-03-02T16:00+01:00", "2026-03-03T10:00+01:00"),
        ("INC-1", "2026-03-02T16:30+01:00", "created", ""),
        ("INC-1", "2026-03-03T09:30+01:00", "responded", ""),
    ]
    a = web(availability(basis="business"), calendar=OFFICE)
    (row,) = reliability(a, table(rows), instant(END_OF_WEEK))
    assert row.mttr_seconds == Decimal(7200)  # 16:00-17:00 and 09:00-10:00
    assert row.mtta_seconds == Decimal(3600)  # 16:30-17:00 and 09:00-09:30
    assert row.mtbf_seconds == Decimal(144_000 - 7200)


def test_reliability_needs_an_availability_target() -> None:
    from tests.builders import target

    with pytest.raises(ValueError, match="no availability target"):
        reliability(web(target("response")), table([]), instant(END_OF_WEEK))


def test_outage_ends_are_exact_to_the_nanosecond() -> None:
    rows = outage(
        "OUT-1", "2026-03-03T10:00:00.000001+01:00", "2026-03-03T10:00:00.500000001+01:00"
    )
    row = only_row(rows, availability())
    down_ns = 500_000_001 - 1_000
    assert row.value == fraction(604_800 * 10**9 - down_ns, 604_800 * 10**9)


def reference_downtime(
    outages: list[tuple[int, int, bool]], minutes: int, minimum: int
) -> tuple[int, int]:
    """Planned and downtime minutes by brute force over a minute grid."""
    planned = np.zeros(minutes, dtype=bool)
    unplanned = np.zeros(minutes, dtype=bool)
    for start, length, is_planned in outages:
        (planned if is_planned else unplanned)[start : start + length] = True
    down = unplanned & ~planned
    kept = 0
    run_start = None
    for minute in range(minutes + 1):
        inside = minute < minutes and unplanned[minute]
        if inside and run_start is None:
            run_start = minute
        if not inside and run_start is not None:
            amount = int(down[run_start:minute].sum())
            if amount > 0 and amount >= minimum:
                kept += amount
            run_start = None
    return int(planned.sum()), kept


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 200), st.integers(1, 40), st.booleans()), min_size=0, max_size=12
    ),
    st.integers(0, 30),
)
def test_downtime_matches_a_minute_by_minute_count(
    outages: list[tuple[int, int, bool]], minimum: int
) -> None:
    minute = 60 * 10**9
    starts = np.array([s * minute for s, _, _ in outages], dtype=np.int64)
    ends = np.array([(s + n) * minute for s, n, _ in outages], dtype=np.int64)
    planned = np.array([p for _, _, p in outages], dtype=bool)
    horizon = 240
    found = downtime(starts, ends, planned, horizon * minute, wall_ns, minimum * minute)
    lo = np.array([0], dtype=np.int64)
    hi = np.array([horizon * minute], dtype=np.int64)
    time = window_time(found, lo, hi, wall_ns)
    x, d = reference_downtime(outages, horizon, minimum)
    assert (int(time.planned_ns[0]) // minute, int(time.down_ns[0]) // minute) == (x, d)
    assert int(found.outage_downtime_ns.sum()) // minute == d
