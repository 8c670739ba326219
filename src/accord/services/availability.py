"""Availability targets from outage records, their error budgets, burn rates and reliability.

Reads outages from `outage` events (value: the end instant), the `planned` field of their items,
and turns the engine's time sums into Decimals (SEMANTICS.md, "Availability and reliability").
Also MTTR, MTBF and MTTA per period for the reports. Works on in-memory tables, reads nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

import numpy as np
import numpy.typing as npt

from accord.domain.agreements import Agreement, Target, TargetKind
from accord.domain.clocks import SkippedItem
from accord.domain.events import EventKind
from accord.domain.measures import AvailabilityRules, MaintenanceConvention, TimeBasis
from accord.engine.availability import (
    Downtime,
    Measure,
    WindowTime,
    downtime,
    reliability_by_period,
    wall_ns,
    window_time,
)
from accord.engine.calendars import BusinessCalendar
from accord.engine.events import KIND_CODE, NAT, EventTable
from accord.engine.groups import run_ends
from accord.engine.measures import sum_by_period
from accord.ingest.instants import parse_instant
from accord.services.compliance import (
    NS,
    ComplianceRow,
    ErrorBudget,
    ItemFields,
    first_instants,
    periods_begun,
    to_ns,
)

AVAILABILITY_PLACES = Decimal("0.000000001")
SECONDS_PLACES = Decimal("0.001")
PLANNED_VALUES = frozenset({"true", "yes", "1"})

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class OutageRecords:
    """Outage events of matching items: one per (item, start instant), the last one sent.

    `end_at` is NAT for an outage still ongoing; `planned` comes from the item's latest
    `planned` field (true, yes or 1, in any case).
    """

    item: npt.NDArray[np.int32]
    start_at: Int64Array
    end_at: Int64Array
    planned: BoolArray


@dataclass(slots=True)
class AvailabilityOutcome:
    """What one availability target gave: a row and an error budget per period, and the
    outage records it could not read."""

    rows: list[ComplianceRow] = field(default_factory=list)
    budgets: list[ErrorBudget] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)


def read_outages(
    agreement: Agreement, target: Target, table: EventTable, fields: ItemFields
) -> tuple[OutageRecords, list[SkippedItem]]:
    """The outage records of the items `target` covers, and those whose end cannot be read.

    An outage event sent again for the same item and start (an end filled in later) replaces
    the earlier one. An end that is not an ISO 8601 instant with an offset, or that lies
    before the start, skips that outage with the reason.
    """
    items = fields.items_for(agreement, target)
    rows = np.flatnonzero((table.kind == KIND_CODE[EventKind.OUTAGE]) & items[table.item])
    rows = rows[run_ends(table.item[rows], table.at[rows])]
    item, start, code = table.item[rows], table.at[rows], table.value[rows]
    end = np.full(rows.size, NAT, dtype=np.int64)
    bad = np.zeros(rows.size, dtype=bool)
    reasons: dict[int, str] = {}
    for value in np.unique(code[code >= 0]).tolist():
        text = table.values[value]
        where = code == value
        try:
            end[where] = parse_instant(text)
        except ValueError as exc:
            bad |= where
            reasons[value] = f"outage end '{text}' is not an instant: {exc}"
    backwards = ~bad & (end != NAT) & (end < start)
    skipped = [
        SkippedItem(
            table.item_ids[int(item[i])],
            agreement.id,
            target.id,
            reasons[int(code[i])] if bad[i] else "the outage ends before it starts",
        )
        for i in np.flatnonzero(bad | backwards).tolist()
    ]
    keep = ~(bad | backwards)
    planned_values = frozenset(
        value
        for value in {v.partition("=")[2] for v in table.values if v.startswith("planned=")}
        if value.casefold() in PLANNED_VALUES
    )
    is_planned = fields.allowed("planned", planned_values, missing_ok=False)
    records = OutageRecords(item[keep], start[keep], end[keep], is_planned[item[keep]])
    return records, skipped


def _rules(target: Target) -> AvailabilityRules:
    if target.kind is not TargetKind.AVAILABILITY or target.availability is None:
        raise ValueError(f"target '{target.id}' is not an availability target")
    return target.availability


def target_downtime(
    agreement: Agreement,
    target: Target,
    table: EventTable,
    fields: ItemFields,
    calendar: BusinessCalendar,
    as_of_ns: int,
) -> tuple[Downtime, list[SkippedItem]]:
    """The downtime and maintenance of an availability target on its service window."""
    rules = _rules(target)
    records, skipped = read_outages(agreement, target, table, fields)
    found = downtime(
        records.start_at,
        records.end_at,
        records.planned,
        as_of_ns,
        calendar.elapsed_ns,
        rules.minimum_downtime_seconds * NS,
    )
    return found, skipped


def _fraction_up(time: WindowTime, i: int, maintenance: MaintenanceConvention) -> tuple[int, int]:
    """Numerator and denominator of A for window i: (T - X - D, T - X) or (T - D, T)."""
    total, planned, down = int(time.total_ns[i]), int(time.planned_ns[i]), int(time.down_ns[i])
    if maintenance is MaintenanceConvention.EXCLUDE:
        return total - planned - down, total - planned
    return total - down, total


def availability_outcome(
    agreement: Agreement,
    target: Target,
    table: EventTable,
    fields: ItemFields,
    calendar: BusinessCalendar,
    as_of_ns: int,
) -> AvailabilityOutcome:
    """A row and an error budget per period begun, measured up to `as_of_ns`.

    A = (T - X - D) / (T - X) under `maintenance: exclude`, (T - D) / T under `count-as-up`,
    T being the service window's time in the period (so far), X planned maintenance in it and
    D unplanned downtime outside maintenance. An empty window (T - X = 0) is `no data`. The
    value is cut (never rounded up) to nine places; the result compares the exact fraction.
    """
    rules = _rules(target)
    found, skipped = target_downtime(agreement, target, table, fields, calendar, as_of_ns)
    periods, edges = periods_begun(agreement, target, as_of_ns)
    lo, hi = edges[:-1], np.minimum(edges[1:], as_of_ns)
    time = window_time(found, lo, hi, calendar.elapsed_ns)
    # Outages are disjoint and sorted: those overlapping [lo, hi) form one run.
    touching = np.searchsorted(found.outage_start, hi, side="left") - np.searchsorted(
        found.outage_end, lo, side="right"
    )
    budget = 1 - target.objective
    outcome = AvailabilityOutcome(skipped=skipped)
    for i, period in enumerate(periods):
        up, window = _fraction_up(time, i, rules.maintenance)
        if window <= 0:
            value, result = None, "no data"
        else:
            value = (Decimal(up) / Decimal(window)).quantize(AVAILABILITY_PLACES, ROUND_FLOOR)
            result = "met" if Decimal(up) >= target.objective * Decimal(window) else "missed"
        outcome.rows.append(
            ComplianceRow(
                agreement.id, target.id, period.start_on, period.end_on, int(touching[i]), 0, 0,
                value, target.objective, result, kind=target.kind.value, value=value,
            )
        )  # fmt: skip
        allowed = budget * Decimal(max(window, 0)) / NS
        consumed = Decimal(int(time.down_ns[i])) / NS
        outcome.budgets.append(
            ErrorBudget(
                agreement.id, target.id, period.start_on, period.end_on, budget, "seconds",
                allowed, consumed, allowed - consumed,
            )
        )  # fmt: skip
    return outcome


def availability_target(agreement: Agreement, target_id: str | None = None) -> Target:
    """The target named, else the agreement's first availability target (ValueError if none)."""
    for target in agreement.targets:
        if target.kind is TargetKind.AVAILABILITY and target_id in (None, target.id):
            return target
    name = f"'{target_id}'" if target_id is not None else "any"
    raise ValueError(f"agreement '{agreement.id}' has no availability target {name}")


@dataclass(frozen=True, slots=True)
class BurnRate:
    """The burn rate of an availability target over a window ending at the evaluation instant.

    `error_ratio` = D / (T - X) (or D / T when maintenance counts as up) over the window;
    `burn_rate` = error_ratio / B. Both are None over an empty service window, and the burn
    rate is None too when the objective is 100% (B = 0).
    """

    agreement_id: str
    target_id: str
    window_seconds: int
    error_ratio: Decimal | None
    burn_rate: Decimal | None


@dataclass(frozen=True, slots=True)
class AlertState:
    """One multiwindow alert rule of a target as of an instant: firing when both windows burn
    at least the rule's rate (with B = 0, when both windows saw downtime)."""

    agreement_id: str
    target_id: str
    rule_burn_rate: Decimal
    long: BurnRate
    short: BurnRate
    firing: bool


def burn_rates(
    agreement: Agreement,
    table: EventTable,
    as_of: datetime,
    window_seconds: Sequence[int],
    *,
    target_id: str | None = None,
) -> list[BurnRate]:
    """Burn rates of an availability target over windows `[as_of - w, as_of)`."""
    target = availability_target(agreement, target_id)
    as_of_ns = to_ns(as_of)
    table = table.until(as_of_ns)
    calendar = BusinessCalendar(agreement.calendars[target.calendar])
    found, _ = target_downtime(agreement, target, table, ItemFields(table), calendar, as_of_ns)
    return _burn_rates(agreement, target, found, calendar, as_of_ns, window_seconds)


def _burn_rates(
    agreement: Agreement,
    target: Target,
    found: Downtime,
    calendar: BusinessCalendar,
    as_of_ns: int,
    window_seconds: Sequence[int],
) -> list[BurnRate]:
    widths = np.array(window_seconds, dtype=np.int64) * NS
    hi = np.full(widths.size, as_of_ns, dtype=np.int64)
    time = window_time(found, hi - widths, hi, calendar.elapsed_ns)
    budget = 1 - target.objective
    maintenance = _rules(target).maintenance
    rates = []
    for i, seconds in enumerate(window_seconds):
        _, window = _fraction_up(time, i, maintenance)
        ratio = Decimal(int(time.down_ns[i])) / Decimal(window) if window > 0 else None
        burn = ratio / budget if ratio is not None and budget > 0 else None
        rates.append(BurnRate(agreement.id, target.id, seconds, ratio, burn))
    return rates


def burn_alerts(
    agreements: Sequence[Agreement], table: EventTable, as_of: datetime
) -> list[AlertState]:
    """Every alert rule of every availability target, evaluated as of `as_of`."""
    as_of_ns = to_ns(as_of)
    table = table.until(as_of_ns)
    fields = ItemFields(table)
    states = []
    for agreement in agreements:
        for target in agreement.targets:
            if target.availability is None or not target.availability.alerts:
                continue
            calendar = BusinessCalendar(agreement.calendars[target.calendar])
            found, _ = target_downtime(agreement, target, table, fields, calendar, as_of_ns)
            for rule in target.availability.alerts:
                long, short = _burn_rates(
                    agreement, target, found, calendar, as_of_ns,
                    (rule.long_window_seconds, rule.short_window_seconds),
                )  # fmt: skip
                states.append(
                    AlertState(
                        agreement.id, target.id, rule.burn_rate, long, short,
                        _fires(long, rule.burn_rate) and _fires(short, rule.burn_rate),
                    )
                )  # fmt: skip
    return states


def _fires(rate: BurnRate, threshold: Decimal) -> bool:
    if rate.burn_rate is not None:
        return rate.burn_rate >= threshold
    # B = 0: any downtime burns without limit.
    return rate.error_ratio is not None and rate.error_ratio > 0


@dataclass(frozen=True, slots=True)
class ReliabilityRow:
    """MTTR, MTBF and MTTA of one availability target in one period, in seconds.

    - MTTR (restore) = mean(end - start) of the unplanned outages restored in the period;
    - MTBF = uptime in the period (so far) / unplanned outages starting in it;
    - MTTA = mean(first `responded` - `created`) of the agreement's items (records aside)
      acknowledged in the period.
    Each is None when its denominator is 0. `basis` says whether they are wall-clock or
    business time on the target's calendar (`clock:` in the target). Outages are the merged
    unplanned ones that count for availability (downtime above the minimum).
    """

    agreement_id: str
    target_id: str
    period_start: date
    period_end: date  # exclusive
    basis: str  # "wall" | "business"
    mttr_seconds: Decimal | None
    mtbf_seconds: Decimal | None
    mtta_seconds: Decimal | None
    restored: int
    failures: int
    acknowledged: int


def reliability(
    agreement: Agreement,
    table: EventTable,
    as_of: datetime,
    *,
    target_id: str | None = None,
) -> list[ReliabilityRow]:
    """MTTR, MTBF and MTTA per period of an availability target, as of `as_of`.

    The target is `target_id`, else the agreement's first availability target; its periods,
    maintenance convention, minimum downtime and `clock` basis apply. Raise ValueError when
    the agreement has no such target.
    """
    target = availability_target(agreement, target_id)
    rules = _rules(target)
    as_of_ns = to_ns(as_of)
    table = table.until(as_of_ns)
    fields = ItemFields(table)
    calendar = BusinessCalendar(agreement.calendars[target.calendar])
    measure: Measure = calendar.elapsed_ns if rules.basis is TimeBasis.BUSINESS else wall_ns
    found, _ = target_downtime(agreement, target, table, fields, calendar, as_of_ns)
    periods, edges = periods_begun(agreement, target, as_of_ns)
    figures = reliability_by_period(
        found,
        edges,
        as_of_ns,
        measure,
        maintenance_is_up=rules.maintenance is MaintenanceConvention.COUNT_AS_UP,
    )
    ack_sum, ack_count = _acknowledgements(agreement, table, fields, edges, measure)
    return [
        ReliabilityRow(
            agreement.id,
            target.id,
            period.start_on,
            period.end_on,
            rules.basis.value,
            _mean_seconds(int(figures.restore_ns[i]), int(figures.restored[i])),
            _mean_seconds(int(figures.uptime_ns[i]), int(figures.failures[i])),
            _mean_seconds(int(ack_sum[i]), int(ack_count[i])),
            int(figures.restored[i]),
            int(figures.failures[i]),
            int(ack_count[i]),
        )
        for i, period in enumerate(periods)
    ]


def _acknowledgements(
    agreement: Agreement,
    table: EventTable,
    fields: ItemFields,
    edges: Int64Array,
    measure: Measure,
) -> tuple[Int64Array, Int64Array]:
    """Sum and count of (first responded - created) per period of the first response."""
    items = fields.allowed("service", frozenset(agreement.services), missing_ok=True)
    items &= ~fields.records()
    created = first_instants(table, EventKind.CREATED)
    responded = first_instants(table, EventKind.RESPONDED)
    acked = items & (created != NAT) & (responded != NAT) & (responded >= created)
    a, b = created[acked], responded[acked]
    spans = measure(a, b) if a.size else np.zeros(0, dtype=np.int64)
    return sum_by_period(b, spans, edges)


def _mean_seconds(total_ns: int, count: int) -> Decimal | None:
    if count == 0:
        return None
    seconds = Decimal(total_ns) / Decimal(count) / NS
    return seconds.quantize(SECONDS_PLACES, rounding=ROUND_HALF_EVEN)
