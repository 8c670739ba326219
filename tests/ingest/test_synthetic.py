"""Seeded synthetic logs: deterministic, well ordered, and shaped like a real service desk."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from accord.domain.events import EVENT_CODES, EVENT_RANK, EventKind
from accord.engine.events import EventTable
from accord.ingest.eventlog import iter_event_rows, read_event_log
from accord.ingest.synthetic import (
    SERVICE_DESK,
    generate_events,
    generate_leads,
    merge_tables,
    write_event_log,
)

START = date(2026, 1, 1)
KIND = {code: kind for kind, code in EVENT_CODES.items()}
RANK = np.array([EVENT_RANK[KIND[code]] for code in range(len(KIND))])


@pytest.fixture(scope="module")
def desk() -> EventTable:
    return generate_events(20_000, seed=7, start=START, days=365, services=["service-desk"])


def count_of(table: EventTable, kind: EventKind, value: str | None = None) -> int:
    mask = table.kind == EVENT_CODES[kind]
    if value is not None:
        mask &= table.value == table.values.index(value)
    return int(mask.sum())


def items_with(table: EventTable, kind: EventKind, value: str | None = None) -> int:
    mask = table.kind == EVENT_CODES[kind]
    if value is not None:
        mask &= table.value == table.values.index(value)
    return int(np.unique(table.item[mask]).size)


def test_the_same_seed_gives_the_same_table_and_another_seed_another() -> None:
    def make(seed: int) -> EventTable:
        return generate_events(2_000, seed=seed, start=START, days=90, services=["a", "b"])

    first, again, other = make(1), make(1), make(2)
    for name in ("item", "at", "kind", "value"):
        assert np.array_equal(getattr(first, name), getattr(again, name))
    assert (first.item_ids, first.values) == (again.item_ids, again.values)
    assert not np.array_equal(first.at, other.at)


def test_rows_are_sorted_by_item_then_instant_then_rank_at_one_instant(desk: EventTable) -> None:
    same_item = desk.item[1:] == desk.item[:-1]
    assert np.all(desk.item[1:] >= desk.item[:-1])
    assert np.all(~same_item | (desk.at[1:] >= desk.at[:-1]))
    same_instant = same_item & (desk.at[1:] == desk.at[:-1])
    rank = RANK[desk.kind]
    assert np.all(~same_instant | (rank[1:] >= rank[:-1]))


def test_every_item_opens_with_created_priority_and_service_at_one_instant(
    desk: EventTable,
) -> None:
    starts = np.flatnonzero(np.r_[True, desk.item[1:] != desk.item[:-1]])
    assert starts.size == desk.n_items == 20_000
    for offset, kind in enumerate((EventKind.CREATED, EventKind.PRIORITY, EventKind.FIELD)):
        assert np.all(desk.kind[starts + offset] == EVENT_CODES[kind])
        assert np.all(desk.at[starts + offset] == desk.at[starts])
    assert desk.item_ids[:2] == ("INC0000001", "INC0000002")
    assert np.all(np.diff(desk.at[starts]) >= 0)  # numbered in order of arrival


def test_the_priority_mix_is_about_5_15_50_30_percent(desk: EventTable) -> None:
    starts = np.flatnonzero(np.r_[True, desk.item[1:] != desk.item[:-1]])
    first = Counter(desk.values[v] for v in desk.value[starts + 1].tolist())
    shares = [first[p] / desk.n_items for p in ("P1", "P2", "P3", "P4")]
    assert shares == pytest.approx([0.05, 0.15, 0.50, 0.30], abs=0.015)


def test_arrivals_peak_in_berlin_office_hours_on_weekdays_with_a_lunch_dip(
    desk: EventTable,
) -> None:
    created = desk.at[desk.kind == EVENT_CODES[EventKind.CREATED]]
    local = [
        np.datetime64(int(ns), "ns").astype("datetime64[s]").item().replace(tzinfo=ZoneInfo("UTC"))
        for ns in created[::20]
    ]
    berlin = [t.astimezone(ZoneInfo("Europe/Berlin")) for t in local]
    hours = Counter(t.hour for t in berlin)
    weekday_share = sum(t.weekday() < 5 for t in berlin) / len(berlin)
    office_share = sum(hours[h] for h in range(8, 18)) / len(berlin)
    assert weekday_share > 0.9
    assert office_share > 0.8
    assert hours[12] < 0.7 * min(hours[11], hours[14])
    assert min(t.date() for t in berlin) >= START


def test_lifecycles_include_pauses_priority_changes_reopens_and_open_items(
    desk: EventTable,
) -> None:
    n = desk.n_items
    assert items_with(desk, EventKind.STATE, "awaiting customer") / n == pytest.approx(
        SERVICE_DESK.pause_share, abs=0.02
    )
    assert count_of(desk, EventKind.STATE, "awaiting customer") == count_of(
        desk, EventKind.STATE, "in progress"
    )
    assert count_of(desk, EventKind.PRIORITY) - n == pytest.approx(0.08 * n, rel=0.15)
    assert items_with(desk, EventKind.REOPENED) / n == pytest.approx(0.05 * 0.97, abs=0.01)
    assert 0.95 < items_with(desk, EventKind.RESPONDED) / n < 1.0
    assert 0.95 < items_with(desk, EventKind.RESOLVED) / n < 0.99
    assert count_of(desk, EventKind.FIELD, "service=service-desk") == n


def test_each_item_is_resolved_after_it_responded_and_resumed(desk: EventTable) -> None:
    def last(kind: EventKind) -> np.ndarray:
        out = np.full(desk.n_items, -1, dtype=np.int64)
        rows = desk.kind == EVENT_CODES[kind]
        out[desk.item[rows]] = desk.at[rows]
        return out

    responded, resolved = last(EventKind.RESPONDED), last(EventKind.RESOLVED)
    both = (responded >= 0) & (resolved >= 0)
    assert np.all(resolved[both] > responded[both])
    created = last(EventKind.CREATED)
    assert np.all(responded[responded >= 0] > created[responded >= 0])


def test_leads_have_hot_warm_cold_priorities_and_a_channel() -> None:
    leads = generate_leads(3_000, seed=3, start=START, days=120)
    assert leads.item_ids[0] == "LEAD0000001"
    assert {"hot", "warm", "cold"} <= set(leads.values)
    channels = {v for v in leads.values if v.startswith("channel=")}
    assert channels == {"channel=web", "channel=event", "channel=referral"}
    assert sum(count_of(leads, EventKind.FIELD, c) for c in channels) == leads.n_items


def test_extra_fields_are_set_on_every_item() -> None:
    table = generate_events(500, seed=1, start=START, days=30, fields={"category": ["a", "b"]})
    assert count_of(table, EventKind.FIELD) == 500
    assert {"category=a", "category=b"} <= set(table.values)


def test_merged_tables_keep_every_event_with_recoded_values() -> None:
    desk = generate_events(300, seed=1, start=START, days=30, services=["service-desk"])
    leads = generate_leads(200, seed=2, start=START, days=30)

    merged = merge_tables([desk, leads])

    assert merged.n_items == 500
    assert len(merged) == len(desk) + len(leads)
    assert list(iter_event_rows(merged)) == [*iter_event_rows(desk), *iter_event_rows(leads)]
    with pytest.raises(ValueError, match="share item ids"):
        merge_tables([desk, desk])


def test_a_generated_log_written_and_read_back_is_the_same_table(tmp_path: Path) -> None:
    table = generate_events(400, seed=5, start=START, days=60, services=["service-desk"])
    write_event_log(table, tmp_path / "events.csv")

    read = read_event_log(tmp_path / "events.csv")

    assert (read.issues, read.duplicates) == ([], 0)
    assert list(iter_event_rows(read.table)) == list(iter_event_rows(table))
    assert (tmp_path / "events.csv").read_text().splitlines()[1].startswith("INC0000001,2026-01-")


def test_a_million_items_are_generated_column_wise() -> None:
    table = generate_events(1_000_000, seed=1, start=START, days=365)
    assert table.n_items == 1_000_000
    assert 4_000_000 < len(table) < 5_000_000
