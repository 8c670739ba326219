"""What every target kind shares: the compliance row, the items a target covers, its periods.

One definition of each for clocks, counts, deliveries and availability, so that every kind
cuts periods and filters items alike. Works on in-memory tables; reads and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from accord.domain.agreements import Agreement, Target
from accord.domain.events import EventKind
from accord.domain.periods import Period, periods_between
from accord.engine.calendars import local_to_utc
from accord.engine.events import KIND_CODE, NAT, EventTable

NS = 1_000_000_000
FRACTION_PLACES = Decimal("0.000001")

BoolArray = npt.NDArray[np.bool_]
Int64Array = npt.NDArray[np.int64]

# Kinds of event that make an item a record (an outage, a delivered report) rather than
# something with a lifecycle: such an item without `created` has no clock to skip.
RECORD_KINDS = (EventKind.OUTAGE, EventKind.DELIVERED)


@dataclass(frozen=True, slots=True)
class ComplianceRow:
    """One target in one period: what was counted and whether the objective holds.

    The meaning of the figures per `kind` (the target's kind):
    - response, resolution: `counted` clocks decided in the period, `met` + `breached`;
      `attainment` = met / counted; `value` is None, or for a percentile objective the
      elapsed / goal of the clock at the nearest rank (met when it is met).
    - count: `counted` = `value` = matching items created in the period; `met` = `breached`
      = 0; `attainment` None; `objective` 1 (the bounds are the target's `count`).
    - delivery: `counted` occurrences due, `met` on time, `breached` missed; `attainment` =
      met / counted.
    - availability: `counted` unplanned outages with downtime in the period, `met` =
      `breached` = 0; `attainment` = `value` = the availability A.

    `result` is `met`, `missed`, `no data` (nothing to judge: no clock, no occurrence, an
    empty service window), or `pending` (a count whose minimum a running period may still
    reach).
    """

    agreement_id: str
    target_id: str
    period_start: date
    period_end: date  # exclusive
    counted: int
    met: int
    breached: int
    attainment: Decimal | None
    objective: Decimal
    result: str  # "met" | "missed" | "no data" | "pending"
    kind: str = ""  # the target's kind (a TargetKind value); empty only in rows built by hand
    value: Decimal | None = None  # per kind, see above


def to_ns(at: datetime) -> int:
    """An aware datetime as integer UTC nanoseconds (exact to the microsecond)."""
    if at.tzinfo is None:
        raise ValueError("the evaluation instant needs a time zone (e.g. 2026-04-01T00:00:00Z)")
    delta = at.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * NS + delta.microseconds * 1000


def to_datetime(ns: int) -> datetime | None:
    """Integer UTC nanoseconds as an aware datetime (None for NAT)."""
    if ns == NAT:
        return None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=ns // 1000)


def normal(text: str) -> str:
    """Case-insensitive, repeated spaces ignored: how priorities and states are compared."""
    return " ".join(text.split()).casefold()


def attainment_of(met: int, counted: int) -> Decimal | None:
    """met / counted to six places; None when nothing was counted."""
    if counted == 0:
        return None
    return (Decimal(met) / Decimal(counted)).quantize(FRACTION_PLACES, rounding=ROUND_HALF_EVEN)


def latest_field_values(table: EventTable, name: str) -> npt.NDArray[np.int32]:
    """Per item, the value code of the last `field` event setting `name` (-1 where none)."""
    prefix = f"{name}="
    is_name = np.array([v.startswith(prefix) for v in table.values] + [False], dtype=bool)
    # value -1 (none) indexes the trailing False.
    rows = np.flatnonzero((table.kind == KIND_CODE[EventKind.FIELD]) & is_name[table.value])
    latest = np.full(table.n_items, -1, dtype=np.int32)
    latest[table.item[rows]] = table.value[rows]  # rows are sorted, so the last write wins
    return latest


def first_instants(table: EventTable, kind: EventKind) -> Int64Array:
    """Per item, the instant of its first event of `kind` (NAT where it has none)."""
    rows = np.flatnonzero(table.kind == KIND_CODE[kind])
    first = np.full(table.n_items, NAT, dtype=np.int64)
    # Rows are sorted by item then instant: writing in reverse leaves each item's first.
    first[table.item[rows[::-1]]] = table.at[rows[::-1]]
    return first


class ItemFields:
    """Which items a target covers, from the latest field values per item (computed once)."""

    def __init__(self, table: EventTable) -> None:
        self._table = table
        self._latest: dict[str, npt.NDArray[np.int32]] = {}
        self._records: BoolArray | None = None

    def allowed(self, name: str, allowed: frozenset[str], missing_ok: bool) -> BoolArray:
        """Items whose latest `name` field is one of `allowed` (or that have none, if ok)."""
        latest = self._latest.get(name)
        if latest is None:
            latest = self._latest[name] = latest_field_values(self._table, name)
        prefix = f"{name}="
        codes = [
            i
            for i, v in enumerate(self._table.values)
            if v.startswith(prefix) and v[len(prefix) :] in allowed
        ]
        ok = np.isin(latest, np.array(codes, dtype=np.int32))
        if missing_ok:
            ok |= latest < 0
        return ok

    def items_for(self, agreement: Agreement, target: Target) -> BoolArray:
        """Which items a target covers: the agreement's services (when the item names its
        service) and the target's `match` filters (the item's latest value must be listed)."""
        ok = self.allowed("service", frozenset(agreement.services), missing_ok=True)
        for name, allowed in target.match.items():
            ok &= self.allowed(name, allowed, missing_ok=False)
        return ok

    def records(self) -> BoolArray:
        """Items that are records (an outage, a delivery) and were never `created`."""
        if self._records is None:
            table = self._table
            has_record = np.zeros(table.n_items, dtype=bool)
            created = np.zeros(table.n_items, dtype=bool)
            for kind in RECORD_KINDS:
                has_record[table.item[table.kind == KIND_CODE[kind]]] = True
            created[table.item[table.kind == KIND_CODE[EventKind.CREATED]]] = True
            self._records = has_record & ~created
        return self._records


def item_priorities(table: EventTable, agreement: Agreement) -> npt.NDArray[np.int16]:
    """Per item, the index of its latest priority among the agreement's (as of the table's
    last event), else of the default priority; -1 where neither applies or it is unknown."""
    index = {normal(p): i for i, p in enumerate(agreement.priorities)}
    of_value = np.array([index.get(normal(v), -1) for v in table.values] + [-1], dtype=np.int16)
    rows = np.flatnonzero(table.kind == KIND_CODE[EventKind.PRIORITY])
    default = -1
    if agreement.default_priority is not None:
        default = index[normal(agreement.default_priority)]
    latest = np.full(table.n_items, default, dtype=np.int16)
    latest[table.item[rows]] = of_value[table.value[rows]]
    return latest


def local_midnight_ns(zone: ZoneInfo, day: date) -> int:
    return to_ns(local_to_utc(zone, day, 0))


def periods_begun(
    agreement: Agreement, target: Target, as_of_ns: int
) -> tuple[list[Period], Int64Array]:
    """The periods of the validity that have begun by `as_of_ns`, and their UTC edges."""
    zone = ZoneInfo(agreement.period_timezone(target))
    last_day = validity_end_on(agreement, target, as_of_ns)
    periods = periods_between(target.period, agreement.validity.start_on, last_day)
    begun = [p for p in periods if local_midnight_ns(zone, p.start_on) <= as_of_ns]
    edges = [local_midnight_ns(zone, p.start_on) for p in begun]
    if begun:
        edges.append(local_midnight_ns(zone, begun[-1].end_on))
    return begun, np.array(edges, dtype=np.int64)


def validity_end_on(agreement: Agreement, target: Target, as_of_ns: int) -> date:
    """The validity's last day; with no end date, the last day of the target's period that
    holds the local date of `as_of_ns` (periods are never cut short by an unwritten end)."""
    if agreement.validity.end_on is not None:
        return agreement.validity.end_on
    zone = ZoneInfo(agreement.period_timezone(target))
    today = datetime.fromtimestamp(as_of_ns // 1_000_000_000, tz=UTC).astimezone(zone).date()
    begun = periods_between(target.period, agreement.validity.start_on, today)
    if not begun:
        return today
    longest = timedelta(days=target.period.days or 92)  # no month or quarter is longer
    whole = periods_between(target.period, begun[-1].start_on, begun[-1].start_on + longest)
    return whole[0].end_on - timedelta(days=1)


def validity_ns(agreement: Agreement, target: Target) -> tuple[int, int]:
    """The agreement's validity as UTC instants `[start, end)` in its period time zone (the
    end is the largest instant when the validity has no end date)."""
    zone = ZoneInfo(agreement.period_timezone(target))
    start = local_midnight_ns(zone, agreement.validity.start_on)
    if agreement.validity.end_on is None:
        return start, int(np.iinfo(np.int64).max)
    end = local_midnight_ns(zone, agreement.validity.end_on + timedelta(days=1))
    return start, end


@dataclass(frozen=True, slots=True)
class ErrorBudget:
    """The error budget of one target in one period: B = 1 - objective (SEMANTICS.md).

    `unit` is `seconds` for availability (allowed = B x the measured window, consumed = the
    downtime), else `clocks` or `occurrences` (allowed = B x counted, consumed = breached).
    `remaining` may be negative: the budget is overspent. Periods with nothing counted have
    a zero budget.
    """

    agreement_id: str
    target_id: str
    period_start: date
    period_end: date  # exclusive
    budget: Decimal  # B, a fraction
    unit: str  # "seconds" | "clocks" | "occurrences"
    allowed: Decimal
    consumed: Decimal
    remaining: Decimal


def ratio_budget(row: ComplianceRow, budget: Decimal, unit: str) -> ErrorBudget:
    """The error budget of a ratio row: allowed = B x counted, consumed = breached."""
    allowed = budget * row.counted
    consumed = Decimal(row.breached)
    return ErrorBudget(
        row.agreement_id,
        row.target_id,
        row.period_start,
        row.period_end,
        budget,
        unit,
        allowed,
        consumed,
        allowed - consumed,
    )
