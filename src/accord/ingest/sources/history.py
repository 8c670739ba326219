"""Items already stored: their events rebuilt into "the previous row", then rows compared.

Owns the row-by-row form of the derivation rules (`accord.ingest.sources.derive` has the
column-wise form for fresh items, and both must agree): a later export's first row of a stored
ticket is compared with the ticket as its stored events describe it just before that row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from accord.domain.events import EventKind
from accord.engine.events import NAT
from accord.ingest.sources.columns import EventColumns, StoredEvent
from accord.ingest.sources.rowparse import Mapper, ParsedChunk, sequence_key

_MINUTE_NS = 60_000_000_000
_RANK = re.compile(r"#(\d+)$")


@dataclass(slots=True)
class _Previous:
    """What an item's previous row said (or its stored events, for its first row here)."""

    state: str | None = None
    priority: str | None = None
    fields: list[str | None] = field(default_factory=list)
    times: list[int] = field(default_factory=list)  # per trigger: its last instant (NAT: none)
    counts: list[int] = field(default_factory=list)  # per trigger with a counter
    first_seen_at: int = NAT
    has_created: bool = False
    stored: frozenset[tuple[EventKind, int]] = frozenset()  # (kind, instant) already stored
    # Values ("priority", "state", "field:NAME") that stored events set at the row's own
    # instant, in a log without sequence numbers: that instant was imported already, and its
    # rows' order is unknown, so the row's value is taken as known, not compared.
    settled: frozenset[str] = frozenset()


class StoredItem:
    """Derives one stored item's events from its rows of one chunk, row by row."""

    def __init__(self, mapper: Mapper, chunk: ParsedChunk, item: str, out: EventColumns):
        self.mapper = mapper
        self.chunk = chunk
        self.item = item
        self.out = out
        self.snapshots = mapper.snapshots

    def emit(
        self, at_ns: int, kind: EventKind, value: str = "", event_id: str | None = None
    ) -> None:
        self.out.append(self.item, at_ns, kind, value, event_id)

    def run(self, rows: Sequence[int], stored: Sequence[StoredEvent]) -> None:
        """1. rebuild the previous row from the stored events; 2. compare row by row."""
        first = rows[0]
        sequence = self.chunk.sequence[first] if self.chunk.sequence is not None else None
        previous = _from_history(self.mapper, stored, int(self.chunk.at[first]), sequence)
        for i in rows:
            self.compare(i, previous)
            previous.stored = frozenset()
            previous.settled = frozenset()

    def key(self, i: int) -> str | None:
        chunk = self.chunk
        if not self.snapshots:
            return None
        if chunk.sequence is None:
            return chunk.at_text[i]
        return f"{chunk.sequence[i]}@{chunk.at_text[i]}"

    def compare(self, i: int, previous: _Previous) -> None:
        """A row of a stored item: what changed since the previous row is an event."""
        chunk, mapper = self.chunk, self.mapper
        at = int(chunk.at[i])
        key = self.key(i)
        created = self.created_at(i, previous.first_seen_at)
        settled = previous.settled
        priority = chunk.priority.value(i) if chunk.priority is not None else None
        if priority is not None and priority != previous.priority:
            if "priority" not in settled:
                self.emit(at, EventKind.PRIORITY, priority, _named(key, "priority"))
            previous.priority = priority
        for j, ((name, _), column) in enumerate(zip(mapper.fields, chunk.fields, strict=True)):
            value = column.value(i) if column is not None else None
            if value is not None and value != previous.fields[j]:
                if f"field:{name}" not in settled:
                    self.emit(at, EventKind.FIELD, f"{name}={value}", _named(key, f"field:{name}"))
                previous.fields[j] = value
        state = chunk.state.value(i) if chunk.state is not None else None
        was = previous.state
        if state is not None and (not self.snapshots or state != was):
            if not (self.snapshots and "state" in settled):
                self.emit(at, EventKind.STATE, state, _named(key, "state"))
            previous.state = state
        counter = 0
        for j, trigger in enumerate(mapper.triggers):
            if trigger.first and not previous.has_created:
                self.emit(at, EventKind.CREATED, "", "created")
                previous.has_created = True
            if (
                state is not None
                and state in trigger.states
                and (not self.snapshots or was not in trigger.states)
            ):
                self.emit(at, trigger.kind, "", _named(key, trigger.kind.value))
            instant = self.trigger_time(trigger.time, trigger.minutes, i, created)
            if instant != NAT and instant != previous.times[j]:
                if (trigger.kind, instant) not in previous.stored:
                    self.emit(instant, trigger.kind)
                previous.times[j] = instant
            if trigger.count is not None:
                count = float(chunk.numbers[trigger.count][i])
                if count == count:  # not NaN
                    for rank in range(previous.counts[counter] + 1, int(count) + 1):
                        self.emit(at, trigger.kind, "", f"{trigger.kind.value}#{rank}")
                    previous.counts[counter] = max(previous.counts[counter], int(count))
                counter += 1

    def created_at(self, i: int, default: int) -> int:
        """The row's creation instant: the created trigger's column, else `default`."""
        for trigger in self.mapper.triggers:
            if trigger.kind is EventKind.CREATED and trigger.time is not None:
                instant = int(self.chunk.times[trigger.time][i])
                if instant != NAT:
                    return instant
        return default

    def trigger_time(self, time: int | None, minutes: int | None, i: int, created: int) -> int:
        """A trigger's instant on row i: its timestamp column, else minutes after created."""
        if time is not None:
            instant = int(self.chunk.times[time][i])
            if instant != NAT:
                return instant
        if minutes is not None and created != NAT:
            value = float(self.chunk.numbers[minutes][i])
            if value == value:
                return created + round(value * _MINUTE_NS)
        return NAT


def _before(event: StoredEvent, as_of: int, row_key: tuple[int, int, str] | None) -> bool:
    """Whether a stored event comes before a row at `as_of` with sequence key `row_key`."""
    if event.at_ns != as_of:
        return event.at_ns < as_of
    if row_key is None or not event.event_id or "@" not in event.event_id:
        return True
    return sequence_key(event.event_id.split("@", 1)[0]) < row_key


def _named(key: str | None, name: str) -> str | None:
    return None if key is None else f"{key}:{name}"


def _from_history(
    mapper: Mapper, stored: Sequence[StoredEvent], as_of: int, sequence: str | None = None
) -> _Previous:
    """The previous row of a stored item, rebuilt from its events before the row at `as_of`.

    Values are the last stored before that row: at an earlier instant, or at the same instant
    from a snapshot with a lower `sequence` (read from the event's name, `seq@instant:kind`).
    Without a sequence, the order of rows within one instant is unknown: values stored at the
    row's own instant are "settled" (that instant was imported already) rather than compared.
    Counters are the highest rank stored; timestamp triggers are checked against every stored
    instant of their kind.
    """
    row_key = sequence_key(sequence) if sequence is not None else None
    names = [name for name, _ in mapper.fields]
    position = {name: j for j, name in enumerate(names)}
    previous = _Previous(fields=[None] * len(names), first_seen_at=as_of)
    ranks: dict[EventKind, int] = {}
    counters = {t.count_name: t.kind for t in mapper.triggers if t.count is not None}
    seen: set[tuple[EventKind, int]] = set()
    settled: set[str] = set()
    for event in sorted(stored, key=lambda e: e.at_ns):
        kind = event.kind
        if kind is EventKind.CREATED:
            previous.has_created = True
        if _before(event, as_of, row_key):
            same_instant = row_key is None and event.at_ns == as_of
            if kind is EventKind.STATE:
                previous.state = event.value
                if same_instant:
                    settled.add("state")
            elif kind is EventKind.PRIORITY:
                previous.priority = event.value
                if same_instant:
                    settled.add("priority")
            elif kind is EventKind.FIELD:
                name, _, value = event.value.partition("=")
                if name in position:
                    previous.fields[position[name]] = value
                    if same_instant:
                        settled.add(f"field:{name}")
        if kind is EventKind.FIELD:
            name, _, value = event.value.partition("=")
            if name in counters and value.isdigit():
                counted = counters[name]
                ranks[counted] = max(ranks.get(counted, 0), int(value))
        seen.add((kind, event.at_ns))
        match = _RANK.search(event.event_id or "")
        if match and event.event_id == f"{kind.value}#{match.group(1)}":
            ranks[kind] = max(ranks.get(kind, 0), int(match.group(1)))
    previous.stored = frozenset(seen)
    previous.settled = frozenset(settled)
    previous.times = [NAT] * len(mapper.triggers)
    previous.counts = [ranks.get(t.kind, 0) for t in mapper.triggers if t.count is not None]
    return previous
