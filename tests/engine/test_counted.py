"""Counted targets: matching items created per period, within bounds, per segment.

SEMANTICS.md "Compliance": counted targets count matching items created in the period. A
segment is a target of its own: `priorities` (the item's latest priority, else the default)
or `match` on a field. Periods are months in Europe/Berlin.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accord.domain.agreements import Target, TargetKind
from accord.domain.measures import CountBounds
from accord.domain.periods import PeriodSpec
from accord.services.compliance import ComplianceRow
from accord.services.evaluation import evaluate
from tests.builders import agreement, instant, table

Row = tuple[str, str, str, str]
LEADS = ("hot", "warm", "cold")


def count(
    at_least: int | None = None,
    at_most: int | None = None,
    *,
    priorities: tuple[str, ...] = (),
    match: dict[str, frozenset[str]] | None = None,
    target_id: str = "leads",
) -> Target:
    return Target(
        id=target_id,
        kind=TargetKind.COUNT,
        calendar="office",
        goals={},
        objective=Decimal(1),
        period=PeriodSpec.parse("month"),
        match=match or {},
        count=CountBounds(at_least, at_most),
        priorities=frozenset(priorities),
    )


def lead(item: str, at: str, quality: str | None = None, **fields: str) -> list[Row]:
    rows: list[Row] = [(item, at, "created", "")]
    if quality is not None:
        rows.append((item, at, "priority", quality))
    rows.extend((item, at, "field", f"{name}={value}") for name, value in fields.items())
    return rows


def rows_of(
    rows: list[Row], *targets: Target, as_of: str = "2026-04-01T00:00+02:00"
) -> dict[tuple[str, int], ComplianceRow]:
    a = agreement(
        *targets,
        priorities=LEADS,
        default_priority="cold",
        validity=(date(2026, 1, 1), date(2026, 12, 31)),
    )
    result = evaluate([a], table(rows), instant(as_of))
    return {(r.target_id, r.period_start.month): r for r in result.compliance}


MARCH_LEADS = [
    *lead("L1", "2026-03-02T10:00+01:00", "hot"),
    *lead("L2", "2026-03-10T10:00+01:00", "hot"),
    *lead("L3", "2026-03-11T10:00+01:00", "warm"),
    *lead("L4", "2026-03-12T10:00+01:00"),  # no priority: the default, cold
    *lead("L5", "2026-03-31T23:30+02:00", "hot"),  # still March in Berlin
    *lead("L6", "2026-04-01T00:30+02:00", "hot"),  # April in Berlin, March in UTC
]


def test_items_are_counted_per_segment_in_the_month_they_were_created() -> None:
    got = rows_of(
        MARCH_LEADS,
        count(3, priorities=("hot",), target_id="hot"),
        count(1, priorities=("warm",), target_id="warm"),
        count(at_most=0, priorities=("cold",), target_id="cold"),
        count(5, target_id="all"),
        as_of="2026-04-02T00:00+02:00",
    )
    hot = got[("hot", 3)]
    assert (hot.kind, hot.counted, hot.value, hot.met, hot.breached) == ("count", 3, 3, 0, 0)
    assert (hot.attainment, hot.objective, hot.result) == (None, Decimal(1), "met")
    assert (got[("warm", 3)].counted, got[("warm", 3)].result) == (1, "met")
    assert (got[("cold", 3)].counted, got[("cold", 3)].result) == (1, "missed")  # over 0
    assert (got[("all", 3)].counted, got[("all", 3)].result) == (5, "met")
    assert got[("hot", 4)].counted == 1


def test_a_regraded_item_counts_under_its_latest_priority() -> None:
    rows = [*lead("L1", "2026-03-02T10:00+01:00", "cold")]
    rows.append(("L1", "2026-03-03T10:00+01:00", "priority", "HOT"))  # any case
    got = rows_of(rows, count(1, priorities=("hot",)))
    assert got[("leads", 3)].counted == 1


def test_a_field_segment_counts_only_matching_items() -> None:
    rows = [
        *lead("L1", "2026-03-02T10:00+01:00", "hot", channel="web"),
        *lead("L2", "2026-03-02T11:00+01:00", "hot", channel="event"),
        *lead("L3", "2026-03-02T12:00+01:00", "hot"),
    ]
    got = rows_of(rows, count(1, match={"channel": frozenset({"web"})}))
    assert got[("leads", 3)].counted == 1


def test_items_without_created_and_of_other_services_are_not_counted() -> None:
    rows = [
        ("X", "2026-03-02T10:00+01:00", "priority", "hot"),
        *lead("Y", "2026-03-02T10:00+01:00", "hot", service="elsewhere"),
        *lead("Z", "2026-03-02T10:00+01:00", "hot", service="service-desk"),
    ]
    assert rows_of(rows, count(0))[("leads", 3)].counted == 1


@pytest.mark.parametrize(
    ("bounds", "n", "as_of", "result"),
    [
        pytest.param((2, None), 2, "2026-04-01T00:00+02:00", "met", id="minimum-reached"),
        pytest.param((3, None), 2, "2026-04-01T00:00+02:00", "missed", id="minimum-not-reached"),
        pytest.param((3, None), 2, "2026-03-20T00:00+01:00", "pending", id="running-month"),
        pytest.param((None, 1), 2, "2026-03-20T00:00+01:00", "missed", id="maximum-passed"),
        pytest.param((1, 2), 2, "2026-04-01T00:00+02:00", "met", id="within-both"),
        pytest.param((3, 1), 0, "2026-04-01T00:00+02:00", "missed", id="zero-is-data"),
    ],
)
def test_the_bounds_decide_the_month(
    bounds: tuple[int | None, int | None], n: int, as_of: str, result: str
) -> None:
    rows = [r for i in range(n) for r in lead(f"L{i}", f"2026-03-0{i + 2}T10:00+01:00", "hot")]
    got = rows_of(rows, count(*bounds), as_of=as_of)
    assert (got[("leads", 3)].counted, got[("leads", 3)].result) == (n, result)


def test_counted_targets_have_no_error_budget() -> None:
    a = agreement(count(1), priorities=LEADS)
    result = evaluate([a], table(MARCH_LEADS), instant("2026-04-01T00:00+02:00"))
    assert result.budgets == []
    assert result.clocks == []
