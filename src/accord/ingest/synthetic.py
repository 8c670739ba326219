"""Seeded synthetic event logs (service desk tickets, leads) for the demo, tests and benchmarks.

Fully vectorised with NumPy: no Python loop per item, so ten million items take seconds.
It must stay deterministic for a seed; it knows nothing about agreements or clocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np
import numpy.typing as npt

from accord.domain.events import EVENT_CODES, EventKind
from accord.engine.events import EventTable
from accord.ingest.eventlog import write_event_log
from accord.ingest.instants import zone

__all__ = [
    "LEADS",
    "SERVICE_DESK",
    "ItemProfile",
    "generate_events",
    "generate_leads",
    "merge_tables",
    "write_event_log",
]

_NS = 1_000_000_000
_HOUR = 3600
_DAY = 86_400
_ABSENT = np.iinfo(np.int64).max  # sorts after every real event, then dropped

# One kind of event per item: its instants (UTC seconds), which items have it (None: all),
# its kind, and its value code (one for all, or one per item; -1 for none).
_Slot = tuple[
    npt.NDArray[np.int64], npt.NDArray[np.bool_] | None, EventKind, "int | npt.NDArray[np.int32]"
]

# Arrivals per local hour of the day: office peaks, a lunch dip, quiet nights.
_HOURLY = np.array(
    [0.1, 0.08, 0.06, 0.06, 0.08, 0.15, 0.3, 0.8, 2.5, 5.0, 6.0, 5.5,
     2.8, 4.5, 5.5, 5.0, 4.0, 2.2, 1.0, 0.6, 0.4, 0.3, 0.2, 0.15],
)  # fmt: skip
# Arrivals per weekday (Monday first): Mondays heaviest, weekends light.
_WEEKDAY = np.array([1.2, 1.05, 1.0, 1.0, 0.9, 0.15, 0.1])


@dataclass(frozen=True, slots=True)
class ItemProfile:
    """How a kind of item behaves: its priorities and the wall-clock delays of its lifecycle.

    Delays are log-normal with the given medians (seconds, per priority) and spread `sigma`,
    scaled per arrival week by a log-normal strain of spread `weekly_strain` (busy weeks are
    slow). The shares are fractions of all items (reopens: of resolved items).
    """

    prefix: str
    priorities: tuple[str, ...]
    weights: tuple[float, ...]
    respond_median_seconds: tuple[float, ...]
    resolve_median_seconds: tuple[float, ...]
    sigma: float = 0.8
    weekly_strain: float = 0.4
    pause_share: float = 0.2
    pause_median_seconds: float = 20 * _HOUR
    pause_state: str = "awaiting customer"
    resume_state: str = "in progress"
    change_share: float = 0.08
    reopen_share: float = 0.05
    open_share: float = 0.03
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


SERVICE_DESK = ItemProfile(
    prefix="INC",
    priorities=("P1", "P2", "P3", "P4"),
    weights=(0.05, 0.15, 0.5, 0.3),
    respond_median_seconds=(7 * 60, 14 * 60, 60 * 60, 130 * 60),
    resolve_median_seconds=(80 * 60, 3 * _HOUR, 18 * _HOUR, 32 * _HOUR),
    sigma=0.6,
)

LEADS = ItemProfile(
    prefix="LEAD",
    priorities=("hot", "warm", "cold"),
    weights=(0.15, 0.35, 0.5),
    respond_median_seconds=(30 * 60, 3 * _HOUR, 8 * _HOUR),
    resolve_median_seconds=(12 * _HOUR, 30 * _HOUR, 2 * _DAY),
    pause_share=0.1,
    pause_state="awaiting contact details",
    resume_state="in progress",
    change_share=0.1,
    reopen_share=0.02,
    open_share=0.08,
    fields={"channel": ("web", "event", "referral")},
)


def generate_events(
    n_items: int,
    *,
    seed: int,
    start: date,
    days: int,
    services: Sequence[str] = (),
    profile: ItemProfile = SERVICE_DESK,
    fields: Mapping[str, Sequence[str]] | None = None,
    timezone: str = "Europe/Berlin",
    first_number: int = 1,
) -> EventTable:
    """Generate `n_items` items arriving over `days` local days from `start`, as an EventTable.

    Steps per item, all column-wise:
    1. arrival: a local day weighted by weekday, an hour by the office profile, a uniform second;
    2. `created`, `priority` and one `field` per requested field at that instant
       (`service=<one of services>` when services are given);
    3. `responded` after a priority-dependent delay (missing for part of the open items);
    4. `resolved` after a further delay (missing for `open_share` of the items);
    5. for some items a pause (`state` to the pause state, later back), which delays `resolved`,
       a priority change to a neighbouring priority, and a reopen followed by a second `resolved`.
    Item ids are `<prefix><number>` in order of arrival. Same arguments, same table.
    """
    rng = np.random.default_rng(seed)
    n = int(n_items)
    wanted: dict[str, tuple[str, ...]] = {
        name: tuple(vals) for name, vals in profile.fields.items()
    }
    if services:
        wanted["service"] = tuple(services)
    for name, vals in (fields or {}).items():
        wanted[name] = tuple(vals)
    wanted = {name: vals for name, vals in wanted.items() if vals}

    values = [*profile.priorities, profile.pause_state, profile.resume_state]
    field_codes = []
    for name, vals in wanted.items():
        field_codes.append(np.arange(len(values), len(values) + len(vals), dtype=np.int32))
        values.extend(f"{name}={v}" for v in vals)
    pause_code, resume_code = len(profile.priorities), len(profile.priorities) + 1

    t0 = _arrivals(rng, n, start, days, timezone)
    prio = rng.choice(len(profile.priorities), size=n, p=_normalised(profile.weights)).astype(
        np.int32
    )

    # Busy and quiet weeks: every delay of an item scales with the strain of its arrival week.
    weeks = days // 7 + 1
    strain = np.exp(rng.normal(0.0, profile.weekly_strain, size=weeks))
    item_strain = strain[np.clip((t0 - t0[:1]) // (7 * _DAY), 0, weeks - 1)] if n else strain[:0]

    def delay(medians: Sequence[float], minimum: int = 60) -> npt.NDArray[np.int64]:
        median = np.asarray(medians, dtype=np.float64)[prio] * item_strain
        seconds = median * np.exp(rng.normal(0.0, profile.sigma, size=n))
        return np.maximum(seconds, minimum).astype(np.int64)

    t_respond = t0 + delay(profile.respond_median_seconds)
    t_resolve = t_respond + delay(profile.resolve_median_seconds)

    is_open = rng.random(n) < profile.open_share
    no_response = is_open & (rng.random(n) < 0.4)

    paused = (rng.random(n) < profile.pause_share) & ~no_response
    pause_at = t_respond + ((t_resolve - t_respond) * rng.random(n)).astype(np.int64) + 1
    pause_for = np.maximum(
        profile.pause_median_seconds * np.exp(rng.normal(0.0, 1.0, size=n)), 600
    ).astype(np.int64)
    resume_at = pause_at + pause_for
    t_resolve = np.where(paused, t_resolve + pause_for + 60, t_resolve)

    changed = rng.random(n) < profile.change_share
    change_at = t0 + 1 + ((t_resolve - t0 - 1) * rng.random(n)).astype(np.int64)
    step = np.where(rng.random(n) < 0.5, -1, 1)
    new_prio = np.clip(prio + step, 0, len(profile.priorities) - 1)
    new_prio = np.where(new_prio == prio, prio - step, new_prio).astype(np.int32)
    changed &= (new_prio >= 0) & (new_prio < len(profile.priorities))

    reopened = (rng.random(n) < profile.reopen_share) & ~is_open
    reopen_at = t_resolve + np.maximum(
        1.5 * _DAY * np.exp(rng.normal(0.0, 0.7, size=n)), 60
    ).astype(np.int64)
    resolve_again_at = reopen_at + delay(profile.resolve_median_seconds) // 2 + 60

    # Slots in the order of application at one instant, so a tie sorts correctly by slot.
    slots: list[_Slot] = [
        (t0, None, EventKind.CREATED, -1),
        (t0, None, EventKind.PRIORITY, prio),
    ]
    for codes in field_codes:
        slots.append((t0, None, EventKind.FIELD, codes[rng.integers(0, codes.size, size=n)]))
    slots += [
        (change_at, changed, EventKind.PRIORITY, new_prio),
        (pause_at, paused, EventKind.STATE, pause_code),
        (resume_at, paused, EventKind.STATE, resume_code),
        (t_respond, ~no_response, EventKind.RESPONDED, -1),
        (t_resolve, ~is_open, EventKind.RESOLVED, -1),
        (resolve_again_at, reopened, EventKind.RESOLVED, -1),
        (reopen_at, reopened, EventKind.REOPENED, -1),
    ]
    del t0, t_respond, t_resolve, change_at, pause_at, resume_at, reopen_at, resolve_again_at
    del pause_for, step, new_prio
    item, at, kind, value = _assemble(n, slots, len(values))
    pattern = profile.prefix.replace("%", "%%") + "%07d"
    item_ids = tuple(map(pattern.__mod__, range(first_number, first_number + n)))
    return EventTable(item_ids, tuple(values), item, at, kind, value)


def generate_leads(
    n_items: int, *, seed: int, start: date, days: int, first_number: int = 1
) -> EventTable:
    """Generate leads: priorities hot/warm/cold, a `channel=web|event|referral` field each."""
    return generate_events(
        n_items, seed=seed, start=start, days=days, profile=LEADS, first_number=first_number
    )


def _normalised(weights: Sequence[float]) -> npt.NDArray[np.float64]:
    w = np.asarray(weights, dtype=np.float64)
    return w / w.sum()  # type: ignore[no-any-return]


def _arrivals(
    rng: np.random.Generator, n: int, start: date, days: int, timezone: str
) -> npt.NDArray[np.int64]:
    """Arrival instants in UTC seconds: weighted local day and hour, uniform second."""
    tz = zone(timezone)
    day_list = [start + timedelta(days=d) for d in range(days)]
    day_weights = np.array([_WEEKDAY[d.weekday()] for d in day_list])
    # UTC offset of each local hour of each day: days x 24 zone look-ups, not one per item.
    offsets = np.array(
        [
            [
                int(datetime(d.year, d.month, d.day, h, tzinfo=tz).utcoffset().total_seconds())  # type: ignore[union-attr]
                for h in range(24)
            ]
            for d in day_list
        ],
        dtype=np.int64,
    ).reshape(days, 24)
    base = int(
        (
            datetime(start.year, start.month, start.day, tzinfo=UTC)
            - datetime(1970, 1, 1, tzinfo=UTC)
        ).total_seconds()
    )
    day = rng.choice(days, size=n, p=day_weights / day_weights.sum())
    hour = rng.choice(24, size=n, p=_HOURLY / _HOURLY.sum())
    second = rng.integers(0, _HOUR, size=n)
    local = base + day.astype(np.int64) * _DAY + hour * _HOUR + second
    utc = local - offsets[day, hour]
    return np.sort(utc)


def _assemble(
    n: int, slots: list[_Slot], n_values: int
) -> tuple[
    npt.NDArray[np.int32], npt.NDArray[np.int64], npt.NDArray[np.int8], npt.NDArray[np.int32]
]:
    """Sort each item's slots by (instant, slot) and flatten the present ones into columns.

    One int64 key per slot packs the instant (seconds after the earliest), the slot and the
    value code, so a single in-place row sort orders the events and carries their payload.
    """
    k = len(slots)
    slot_bits = max(1, (k - 1).bit_length())
    value_bits = max(1, n_values.bit_length())  # value code + 1, so 0 means none
    low_bits = slot_bits + value_bits
    base = min((int(at.min()) for at, *_ in slots if at.size), default=0)
    span = max((int(at.max()) for at, *_ in slots if at.size), default=0) - base
    if span.bit_length() + low_bits > 62:
        raise ValueError("synthetic events span too long a time to pack")
    kinds = np.array([EVENT_CODES[kind] for _at, _p, kind, _v in slots], dtype=np.int8)
    keys = np.empty((n, k), dtype=np.int64)
    for s in range(k):
        # Popping frees each input column as soon as it is packed: memory is the peak here.
        at, present, _kind, code = slots.pop(0)
        column = keys[:, s]
        np.subtract(at, base, out=column)
        column <<= low_bits
        column += (s << value_bits) + 1
        column += code
        if present is not None:
            column[~present] = _ABSENT
        del at, present, code
    keys.sort(axis=1)
    present_keys = keys != _ABSENT
    counts = present_keys.sum(axis=1)
    flat = keys[present_keys]
    del keys, present_keys
    item = np.repeat(np.arange(n, dtype=np.int32), counts)
    value = (flat & ((1 << value_bits) - 1)).astype(np.int32) - 1
    slot = (flat >> value_bits) & ((1 << slot_bits) - 1)
    kind = kinds[slot]
    del slot
    flat >>= low_bits
    flat += base
    flat *= _NS
    return item, flat, kind, value


def merge_tables(tables: Sequence[EventTable]) -> EventTable:
    """One table holding the events of several (item ids must differ between them)."""
    item_ids: list[str] = []
    values: dict[str, int] = {}
    items, ats, kinds, vals = [], [], [], []
    for table in tables:
        codes = np.array(
            [values.setdefault(v, len(values)) for v in table.values] + [-1], dtype=np.int32
        )
        items.append(table.item + np.int32(len(item_ids)))
        item_ids.extend(table.item_ids)
        ats.append(table.at)
        kinds.append(table.kind)
        vals.append(codes[table.value])
    if len(set(item_ids)) != len(item_ids):
        raise ValueError("merged tables share item ids")
    return EventTable(
        tuple(item_ids),
        tuple(values),
        np.concatenate(items) if items else np.empty(0, np.int32),
        np.concatenate(ats) if ats else np.empty(0, np.int64),
        np.concatenate(kinds) if kinds else np.empty(0, np.int8),
        np.concatenate(vals) if vals else np.empty(0, np.int32),
    )
