"""Count and delivery targets: items created per period, deliverables on time per occurrence.

Compliance rows for the two kinds that need no clock (SEMANTICS.md, "Compliance"); the engine
does the counting and the schedule arithmetic. Works on in-memory tables, reads nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np

from accord.domain.agreements import Agreement, Target
from accord.domain.events import EventKind
from accord.engine.calendars import BusinessCalendar
from accord.engine.delivery import occurrences
from accord.engine.events import KIND_CODE, EventTable
from accord.engine.measures import count_by_period, period_index
from accord.services.compliance import (
    ComplianceRow,
    ItemFields,
    attainment_of,
    first_instants,
    item_priorities,
    normal,
    periods_begun,
    to_datetime,
    validity_end_on,
    validity_ns,
)

PENDING = "pending"


@dataclass(frozen=True, slots=True)
class DeliveryOccurrence:
    """One due occurrence of a delivery target: when it was due, and what met it if anything.

    `delivered_at` and `item_id` name the first delivery in its window (None when missed).
    """

    agreement_id: str
    target_id: str
    due_at: datetime
    delivered_at: datetime | None
    item_id: str | None

    @property
    def met(self) -> bool:
        return self.delivered_at is not None


def count_rows(
    agreement: Agreement,
    target: Target,
    table: EventTable,
    fields: ItemFields,
    as_of_ns: int,
) -> list[ComplianceRow]:
    """Per period, the matching items created in it (their first `created` event), in bounds?

    Items match by the agreement's services, the target's `match` and, when the target names
    `priorities`, by their latest priority (else the default priority). A running period whose
    count is still below `at_least` (and not above `at_most`) is `pending`: it may yet be met.
    """
    bounds = target.count
    if bounds is None:
        raise ValueError(f"target '{target.id}' is not a count target")
    items = fields.items_for(agreement, target)
    if target.priorities:
        wanted = {normal(p) for p in target.priorities}
        codes = [i for i, p in enumerate(agreement.priorities) if normal(p) in wanted]
        items &= np.isin(item_priorities(table, agreement), np.array(codes, dtype=np.int16))
    created = first_instants(table, EventKind.CREATED)[items]
    periods, edges = periods_begun(agreement, target, as_of_ns)
    counts = count_by_period(created, edges)
    rows = []
    for i, period in enumerate(periods):
        count = int(counts[i])
        running = int(edges[i + 1]) > as_of_ns
        if bounds.holds(count):
            outcome = "met"
        elif running and (bounds.at_most is None or count <= bounds.at_most):
            outcome = PENDING
        else:
            outcome = "missed"
        rows.append(
            ComplianceRow(
                agreement.id, target.id, period.start_on, period.end_on, count, 0, 0, None,
                target.objective, outcome, kind=target.kind.value, value=Decimal(count),
            )
        )  # fmt: skip
    return rows


def delivery_outcome(
    agreement: Agreement,
    target: Target,
    table: EventTable,
    fields: ItemFields,
    calendar: BusinessCalendar,
    as_of_ns: int,
) -> tuple[list[ComplianceRow], list[DeliveryOccurrence]]:
    """Per period, the occurrences due in it by the evaluation instant and how many were met.

    Steps: 1. the `delivered` events of matching items, sorted; 2. the schedule's due instants
    on the validity's dates, in the calendar's zone, kept when inside the validity and due by
    `as_of_ns`; 3. each is met by a delivery in its window (`accord.engine.delivery`);
    4. occurrences count in the period holding their due instant.
    """
    schedule = target.due
    if schedule is None:
        raise ValueError(f"target '{target.id}' is not a delivery target")
    items = fields.items_for(agreement, target)
    rows_of = np.flatnonzero((table.kind == KIND_CODE[EventKind.DELIVERED]) & items[table.item])
    order = np.argsort(table.at[rows_of], kind="stable")
    delivered = table.at[rows_of][order]
    delivered_item = table.item[rows_of][order]
    last_day = validity_end_on(agreement, target, as_of_ns)
    found = occurrences(schedule, calendar, agreement.validity.start_on, last_day, delivered)
    v_start, v_end = validity_ns(agreement, target)
    due = (found.due_at >= v_start) & (found.due_at < v_end) & (found.due_at <= as_of_ns)
    periods, edges = periods_begun(agreement, target, as_of_ns)
    index = period_index(found.due_at[due], edges)
    met = found.met[due]
    n_periods = len(periods)
    counted = np.bincount(index[index >= 0], minlength=n_periods)[:n_periods]
    met_count = np.bincount(index[(index >= 0) & met], minlength=n_periods)[:n_periods]
    rows = []
    for i, period in enumerate(periods):
        n, ok = int(counted[i]), int(met_count[i])
        attainment = attainment_of(ok, n)
        if attainment is None:
            outcome = "no data"
        else:
            outcome = "met" if Decimal(ok) / Decimal(n) >= target.objective else "missed"
        rows.append(
            ComplianceRow(
                agreement.id, target.id, period.start_on, period.end_on, n, ok, n - ok,
                attainment, target.objective, outcome, kind=target.kind.value,
            )
        )  # fmt: skip
    listed = []
    for due_ns, delivery in zip(
        found.due_at[due].tolist(), found.delivery[due].tolist(), strict=True
    ):
        due_at = to_datetime(due_ns)
        assert due_at is not None
        listed.append(
            DeliveryOccurrence(
                agreement.id,
                target.id,
                due_at,
                to_datetime(int(delivered[delivery])) if delivery >= 0 else None,
                table.item_ids[int(delivered_item[delivery])] if delivery >= 0 else None,
            )
        )
    return rows, listed
