"""Item events: the kinds, their order at one instant, and the event record (stdlib only).

An item (incident, request, lead, outage record, report) arrives as an ordered event log. Events
at the same instant are applied in a fixed order whatever their arrival (SEMANTICS.md, "Items
and clocks"); `outage` and `delivered` come last, since no clock reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class EventKind(StrEnum):
    CREATED = "created"
    PRIORITY = "priority"
    FIELD = "field"
    STATE = "state"
    RESPONDED = "responded"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"
    OUTAGE = "outage"  # at the outage's start; value: its end instant (ISO 8601), empty if ongoing
    DELIVERED = "delivered"  # a deliverable (a report, say) handed over at this instant


# Integer codes used in columnar tables (stored by persistence, so new kinds are only ever
# appended); the order of codes is not the order of application.
EVENT_CODES: dict[EventKind, int] = {kind: code for code, kind in enumerate(EventKind)}

# Order of application at one instant: created, priority and field, state, responded,
# resolved, closed, reopened; then outage and delivered.
EVENT_RANK: dict[EventKind, int] = {
    EventKind.CREATED: 0,
    EventKind.PRIORITY: 1,
    EventKind.FIELD: 1,
    EventKind.STATE: 2,
    EventKind.RESPONDED: 3,
    EventKind.RESOLVED: 4,
    EventKind.CLOSED: 5,
    EventKind.REOPENED: 6,
    EventKind.OUTAGE: 7,
    EventKind.DELIVERED: 8,
}

# Events whose value is meaningful (kept); the others ignore it. A value is required, except
# for the kinds in OPTIONAL_VALUE_KINDS: an `outage` without an end is still ongoing.
VALUED_KINDS = frozenset({EventKind.PRIORITY, EventKind.FIELD, EventKind.STATE, EventKind.OUTAGE})
OPTIONAL_VALUE_KINDS = frozenset({EventKind.OUTAGE})


@dataclass(frozen=True, slots=True)
class Event:
    """One event of one item; `at` is an aware datetime, `value` empty where the kind has none.

    For `field` events `value` is `name=value`; for `outage` events the end instant (ISO 8601
    with an offset or `Z`, empty while the outage lasts); `event_id` is the source's own id if
    it has one.
    """

    item_id: str
    at: datetime
    kind: EventKind
    value: str = ""
    event_id: str | None = None


def split_field(value: str) -> tuple[str, str]:
    """Split a `field` event's `name=value`; raise ValueError when there is no `=` or no name."""
    name, sep, rest = value.partition("=")
    if not sep or not name.strip():
        raise ValueError(f"field event value '{value}' must be name=value")
    return name.strip(), rest.strip()
