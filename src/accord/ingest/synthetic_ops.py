"""Seeded synthetic operations records: outages of a service and deliveries of a report.

The records behind availability and delivery targets, for the demo, tests and benchmarks.
Vectorised with NumPy (no Python loop per record) and deterministic for a seed; it knows
nothing about agreements or targets.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta

import numpy as np
import numpy.typing as npt

from accord.domain.events import EVENT_CODES, EventKind
from accord.engine.calendars import local_to_utc
from accord.engine.events import EventTable
from accord.ingest.instants import format_instants, zone

__all__ = ["generate_deliveries", "generate_outages"]

_NS = 1_000_000_000
_MINUTE = 60
_HOUR = 3600
_DAY = 86_400
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _local_midnights(start: date, days: int, timezone: str) -> npt.NDArray[np.int64]:
    """UTC seconds of each local midnight from `start` for `days` days (DST exact)."""
    tz = zone(timezone)
    second = timedelta(seconds=1)
    return np.array(
        [(local_to_utc(tz, start + timedelta(days=d), 0) - _EPOCH) // second for d in range(days)],
        dtype=np.int64,
    )


def _table(
    item_ids: list[str],
    values: list[str],
    columns: list[
        tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], EventKind, npt.NDArray[np.int64]]
    ],
) -> EventTable:
    """Events given per kind as (item, instant in seconds, kind, value code) columns."""
    item = np.concatenate([c[0] for c in columns])
    at = np.concatenate([c[1] for c in columns]) * _NS
    kind = np.concatenate([np.full(c[0].size, EVENT_CODES[c[2]], np.int8) for c in columns])
    value = np.concatenate([c[3] for c in columns])
    table, _ = EventTable.from_arrays(item_ids, values, item, at, kind, value)
    return table


def generate_outages(
    n_outages: int,
    *,
    seed: int,
    start: date,
    days: int,
    service: str,
    planned_share: float = 0.25,
    median_seconds: float = 12 * _MINUTE,
    blip_share: float = 0.15,
    timezone: str = "Europe/Berlin",
    prefix: str = "OUT",
) -> EventTable:
    """`n_outages` outage records of `service` over `days` local days from `start`.

    Each is an item `<prefix><number>` (in order of start) with `field service=<service>` and
    an `outage` event at its start whose value is its end (ISO 8601, `Z`). Planned ones
    (`planned_share`, with `field planned=true`) are maintenance windows of one to three hours
    starting at 01:00-03:00 local time on a Sunday or Saturday night. Unplanned ones start at
    any hour and last a log-normal time around `median_seconds`; `blip_share` of them are blips
    of 5-50 seconds (below a one-minute minimum). Starts are uniform, so some overlap.
    """
    rng = np.random.default_rng(seed)
    n = int(n_outages)
    planned = rng.random(n) < planned_share
    midnights = _local_midnights(start, days, timezone)
    weekday = (start.weekday() + np.arange(days)) % 7
    weekend = np.flatnonzero(weekday >= 5)
    any_day = rng.integers(0, days, n)
    weekend_day = weekend[rng.integers(0, max(weekend.size, 1), n)] if weekend.size else any_day
    day = np.where(planned, weekend_day, any_day)
    offset = np.where(
        planned,
        _HOUR + rng.integers(0, 3, n) * _HOUR,
        rng.integers(0, _DAY, n),
    )
    begin = midnights[day] + offset
    unplanned_length = np.exp(rng.normal(np.log(median_seconds), 1.0, n))
    blip = ~planned & (rng.random(n) < blip_share)
    length = np.where(
        planned,
        rng.integers(1, 4, n) * _HOUR,
        np.where(blip, rng.integers(5, 51, n), np.maximum(unplanned_length, 60)),
    ).astype(np.int64)
    order = np.argsort(begin, kind="stable")
    begin, length, planned = begin[order], length[order], planned[order]
    ends = format_instants((begin + length) * _NS).tolist()
    item_ids = [f"{prefix}{i + 1}" for i in range(n)]
    values = [f"service={service}", "planned=true", *ends]
    items = np.arange(n, dtype=np.int64)
    return _table(
        item_ids,
        values,
        [
            (items, begin, EventKind.FIELD, np.zeros(n, np.int64)),
            (
                items[planned],
                begin[planned],
                EventKind.FIELD,
                np.ones(int(planned.sum()), np.int64),
            ),
            (items, begin, EventKind.OUTAGE, items + 2),
        ],
    )


def generate_deliveries(
    *,
    seed: int,
    start: date,
    days: int,
    deliverable: str,
    service: str | None = None,
    weekday: int = 0,
    at_minute: int = 10 * 60,
    on_time_share: float = 0.88,
    late_share: float = 0.07,
    skip: Collection[date] = (),
    timezone: str = "Europe/Berlin",
    prefix: str = "RPT",
) -> EventTable:
    """Deliveries of a deliverable due weekly on `weekday` at `at_minute` local time.

    Per due date in `[start, start + days)` (dates in `skip` excepted): `on_time_share` of
    them are delivered up to three hours before the due time, `late_share` up to four hours
    after it, and the rest not at all (missed). Each delivery is an item `<prefix><n>`, n
    numbering the due dates (so a missed one leaves a gap), with `field
    deliverable=<deliverable>` (and `service=<service>` when given) and a `delivered` event.
    """
    rng = np.random.default_rng(seed)
    tz = zone(timezone)
    second = timedelta(seconds=1)
    every = [start + timedelta(days=d) for d in range(days)]
    dates = [d for d in every if d.weekday() == weekday and d not in skip]
    due = np.array(
        [(local_to_utc(tz, d, at_minute) - _EPOCH) // second for d in dates], dtype=np.int64
    )
    n = due.size
    draw = rng.random(n)
    on_time = draw < on_time_share
    late = ~on_time & (draw < on_time_share + late_share)
    shift = np.where(on_time, -rng.integers(0, 3 * _HOUR, n), rng.integers(1, 4 * _HOUR, n))
    number = np.flatnonzero(on_time | late)
    at = (due + shift)[number]
    m = number.size
    item_ids = [f"{prefix}{i + 1}" for i in number.tolist()]
    values = [f"deliverable={deliverable}"] + ([f"service={service}"] if service else [])
    items = np.arange(m, dtype=np.int64)
    columns = [(items, at, EventKind.FIELD, np.zeros(m, np.int64))]
    if service:
        columns.append((items, at, EventKind.FIELD, np.ones(m, np.int64)))
    columns.append((items, at, EventKind.DELIVERED, np.full(m, -1, np.int64)))
    return _table(item_ids, values, columns)
