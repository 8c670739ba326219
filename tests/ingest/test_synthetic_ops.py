"""Seeded outage and delivery records: their shape, their mix, and the same table every time."""

from __future__ import annotations

from datetime import date

import numpy as np

from accord.domain.events import EVENT_CODES, EventKind
from accord.engine.events import EventTable
from accord.ingest.instants import parse_instant
from accord.ingest.synthetic_ops import generate_deliveries, generate_outages

START = date(2026, 1, 1)


def rows(table: EventTable, kind: EventKind) -> np.ndarray:
    return np.flatnonzero(table.kind == EVENT_CODES[kind])


def test_outages_are_items_with_a_service_an_end_and_some_planned() -> None:
    table = generate_outages(200, seed=3, start=START, days=365, service="web-hosting")

    assert table.n_items == 200
    assert table.item_ids[:2] == ("OUT1", "OUT2")
    outages = rows(table, EventKind.OUTAGE)
    assert outages.size == 200
    ends = np.array([parse_instant(table.values[v]) for v in table.value[outages]])
    lengths = (ends - table.at[outages]) // 1_000_000_000
    assert lengths.min() >= 5
    assert (lengths < 60).sum() > 0  # blips below a one-minute minimum
    planned = table.value == table.values.index("planned=true")
    share = planned.sum() / 200
    assert 0.1 < share < 0.4
    planned_items = table.item[planned]
    assert set(lengths[np.isin(table.item[outages], planned_items)].tolist()) <= {3600, 7200, 10800}
    service = table.values.index("service=web-hosting")
    assert np.unique(table.item[table.value == service]).size == 200


def test_outages_start_in_order_within_the_days_given() -> None:
    table = generate_outages(50, seed=1, start=START, days=31, service="web")
    starts = table.at[rows(table, EventKind.OUTAGE)]
    assert np.all(np.diff(starts) >= 0)
    assert starts.min() >= parse_instant("2026-01-01T00:00:00+01:00")
    assert starts.max() < parse_instant("2026-02-01T00:00:00+01:00")


def test_reports_are_delivered_around_monday_ten_o_clock_berlin_time() -> None:
    table = generate_deliveries(
        seed=5,
        start=START,
        days=365,
        deliverable="pipeline-report",
        service="lead-management",
        skip={date(2026, 4, 6)},
    )
    delivered = rows(table, EventKind.DELIVERED)
    assert 40 < delivered.size <= 51  # 52 Mondays, one skipped, a few missed
    assert table.n_items == delivered.size
    assert "RPT14" not in table.item_ids  # 6 April, the 14th Monday, is skipped
    assert {"deliverable=pipeline-report", "service=lead-management"} <= set(table.values)
    local = table.at[delivered].astype("datetime64[ns]") + np.timedelta64(1, "h")
    weekday = (local.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday
    assert set(weekday.tolist()) == {0}


def test_the_same_seed_gives_the_same_records() -> None:
    def both(seed: int) -> tuple[EventTable, EventTable]:
        return (
            generate_outages(30, seed=seed, start=START, days=90, service="web"),
            generate_deliveries(seed=seed, start=START, days=90, deliverable="r"),
        )

    first, again, other = both(1), both(1), both(2)
    for a, b in zip(first, again, strict=True):
        assert a.item_ids == b.item_ids
        assert a.values == b.values
        assert np.array_equal(a.at, b.at)
    assert not np.array_equal(first[0].at, other[0].at)
