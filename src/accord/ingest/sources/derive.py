"""Parsed rows -> item events: what a ticket's successive rows (or snapshots) imply.

Owns the derivation rules and the identity of every derived event, which is what makes a
re-import, or an overlapping later export, add only what is new. Stores nothing: the events
already stored for the chunk's items come in as `history`.

Rules (docs/imports.md has the long form):
1. A chunk's rows are grouped per item and put in time order: (instant, sequence, line).
2. An item's first row in the chunk is compared with its stored events as of that row's
   instant (`history`); an item with nothing stored starts fresh from its first row.
3. Events shape: every row is a `state` event and fires the triggers whose states it names.
   Snapshots shape: `state` only when it changes, and a trigger fires when the state becomes
   one of its states. In both, priority and fields are events when they change (a missing
   value changes nothing), timestamp columns when they carry a new instant, counters once per
   increase above the first value seen.
4. A fresh item's first snapshot is dated at its creation for its state, priority and fields
   (when it was created earlier), so that a clock starting at `created` knows its priority.

Identity: snapshot events are named by their row (`sequence@instant:kind`), counted events by
their rank (`reopened#2`), `created` at an item's first row by `created`; everything else has
no id and is identified by its content (item, instant, kind, value).

Fresh items, the common case, are derived column-wise with NumPy; items with history go
through `accord.ingest.sources.history`, the same rules row by row.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from accord.domain.events import EventKind
from accord.engine.events import NAT
from accord.ingest.sources.columns import EventColumns, History
from accord.ingest.sources.history import StoredItem
from accord.ingest.sources.rowparse import Coded, Mapper, ParsedChunk, sequence_key

_MINUTE_NS = 60_000_000_000
Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def derive_events(mapper: Mapper, chunk: ParsedChunk, history: History) -> EventColumns:
    """Every event the chunk's rows imply, item by item in time order."""
    out = EventColumns()
    n = len(chunk)
    if n == 0:
        return out
    item_codes: dict[str, int] = {}
    item = np.fromiter(
        (item_codes.setdefault(x, len(item_codes)) for x in chunk.items), dtype=np.int64, count=n
    )
    order = np.lexsort((chunk.lines, _sequence_keys(chunk.sequence, n), chunk.at, item))
    stored = [code for name, code in item_codes.items() if history.get(name)]
    if stored:
        with_history = np.isin(item[order], stored)
        rows = order[with_history]
        order = order[~with_history]
        starts = np.flatnonzero(np.r_[True, item[rows][1:] != item[rows][:-1]]).tolist()
        for lo, hi in zip(starts, [*starts[1:], rows.size], strict=True):
            group = rows[lo:hi].tolist()
            name = chunk.items[group[0]]
            StoredItem(mapper, chunk, name, out).run(group, history[name])
    if order.size:
        _Fresh(mapper, chunk, order, item[order]).emit(out)
    return out


def _sequence_keys(sequence: list[str] | None, n: int) -> Int64Array:
    """Sort keys of the sequence column: numbers as numbers, other text after them in order."""
    if sequence is None:
        return np.zeros(n, dtype=np.int64)
    texts = sorted(set(sequence), key=sequence_key)
    rank = {text: r for r, text in enumerate(texts)}
    return np.fromiter(map(rank.__getitem__, sequence), dtype=np.int64, count=n)


class _Fresh:
    """Column-wise derivation for items with nothing stored, rows in time order per item."""

    def __init__(
        self, mapper: Mapper, chunk: ParsedChunk, order: Int64Array, item: Int64Array
    ) -> None:
        self.mapper = mapper
        self.chunk = chunk
        self.order = order
        m = order.size
        self.m = m
        self.position = np.arange(m, dtype=np.int64)
        self.first = np.r_[True, item[1:] != item[:-1]]
        self.start = np.maximum.accumulate(np.where(self.first, self.position, 0))
        self.at = chunk.at[order]
        self.snapshots = mapper.snapshots
        fields = len(mapper.fields)
        self.state_slot = 2 + fields
        self.slots = 3 + fields + 3 * len(mapper.triggers)
        self.parts: list[
            tuple[Int64Array, Int64Array, list[EventKind], list[str], list[str | None]]
        ]
        self.parts = []

    def previous(self, valid: BoolArray) -> Int64Array:
        """Per position, the last valid position before it in its item (-1 for none)."""
        last = np.maximum.accumulate(np.where(valid, self.position, -1))
        before = np.r_[-1, last[:-1]]
        return np.where(before >= self.start, before, -1)

    def keys(self, positions: list[int]) -> list[str | None]:
        """Snapshot names (`sequence@instant`) of positions; None in the events shape."""
        if not self.snapshots:
            return [None] * len(positions)
        chunk = self.chunk
        rows = self.order[positions].tolist()
        if chunk.sequence is None:
            return [chunk.at_text[i] for i in rows]
        return [f"{chunk.sequence[i]}@{chunk.at_text[i]}" for i in rows]

    def add(
        self,
        positions: Int64Array,
        slot: int,
        at: Int64Array,
        kind: EventKind,
        values: list[str],
        ids: list[str | None],
    ) -> None:
        if positions.size:
            keys = positions * self.slots + slot
            self.parts.append((keys, at, [kind] * positions.size, values, ids))

    def named(self, positions: Int64Array, name: str) -> list[str | None]:
        return [None if key is None else f"{key}:{name}" for key in self.keys(positions.tolist())]

    def emit(self, out: EventColumns) -> None:
        mapper = self.mapper
        chunk = self.chunk
        created = self.created_instants()
        since = np.minimum(created, self.at) if self.snapshots else self.at
        if any(t.kind is EventKind.CREATED and t.first for t in mapper.triggers):
            firsts = np.flatnonzero(self.first)
            self.add(
                firsts,
                0,
                self.at[firsts],
                EventKind.CREATED,
                [""] * firsts.size,
                ["created"] * firsts.size,
            )
        self.values(chunk.priority, 1, EventKind.PRIORITY, "priority", since, None)
        for j, ((name, _), column) in enumerate(zip(mapper.fields, chunk.fields, strict=True)):
            self.values(column, 2 + j, EventKind.FIELD, f"field:{name}", since, name)
        state_codes = self.values(
            chunk.state,
            self.state_slot,
            EventKind.STATE,
            "state",
            since,
            None,
            every_row=not self.snapshots,
        )
        for t, trigger in enumerate(mapper.triggers):
            slot = 3 + len(mapper.fields) + 3 * t
            if trigger.states and state_codes is not None and chunk.state is not None:
                self.states(trigger.kind, trigger.states, chunk.state, state_codes, slot)
            if trigger.time is not None or trigger.minutes is not None:
                self.instants(trigger.kind, trigger.time, trigger.minutes, created, slot + 1)
            if trigger.count is not None:
                numbers = chunk.numbers[trigger.count][self.order]
                self.counts(trigger.kind, trigger.count_name, numbers, since, slot + 2)
        self.collect(out)

    def created_instants(self) -> Int64Array:
        """Each row's creation instant: the created column, else its item's first instant."""
        default = self.at[self.start]
        for trigger in self.mapper.triggers:
            if trigger.kind is EventKind.CREATED and trigger.time is not None:
                column = self.chunk.times[trigger.time][self.order]
                return np.where(column != NAT, column, default)
        return default

    def values(
        self,
        column: Coded | None,
        slot: int,
        kind: EventKind,
        name: str,
        since: Int64Array,
        field_name: str | None,
        *,
        every_row: bool = False,
    ) -> Int64Array | None:
        """Value events where the value changes (or on every row): at `since` on first rows."""
        if column is None:
            return None
        codes = column.codes[self.order]
        valid = codes >= 0
        previous = self.previous(valid)
        if every_row:
            emit = valid
        else:
            before = np.where(previous >= 0, codes[np.maximum(previous, 0)], -1)
            emit = valid & (codes != before)
        positions = np.flatnonzero(emit)
        vocabulary = column.vocabulary
        if field_name is not None:
            vocabulary = [f"{field_name}={v}" for v in vocabulary]
        at = np.where(self.first[positions], since[positions], self.at[positions])
        values = [vocabulary[c] for c in codes[positions].tolist()]
        self.add(positions, slot, at, kind, values, self.named(positions, name))
        return codes

    def states(
        self, kind: EventKind, states: frozenset[str], column: Coded, codes: Int64Array, slot: int
    ) -> None:
        """A trigger by states: on each matching row, or (snapshots) when the state becomes one."""
        wanted = [i for i, text in enumerate(column.vocabulary) if text in states]
        if not wanted:
            return
        inside = np.isin(codes, wanted)
        emit = inside
        if self.snapshots:
            previous = self.previous(codes >= 0)
            was = np.where(previous >= 0, inside[np.maximum(previous, 0)], False)
            emit = inside & ~was
        positions = np.flatnonzero(emit)
        ids = self.named(positions, kind.value)
        self.add(positions, slot, self.at[positions], kind, [""] * positions.size, ids)

    def instants(
        self,
        kind: EventKind,
        time: int | None,
        minutes: int | None,
        created: Int64Array,
        slot: int,
    ) -> None:
        """A trigger by a timestamp column (or minutes after created): each new instant."""
        instant = np.full(self.m, NAT, dtype=np.int64)
        if time is not None:
            instant = self.chunk.times[time][self.order]
        if minutes is not None:
            offset = self.chunk.numbers[minutes][self.order]
            usable = (instant == NAT) & ~np.isnan(offset) & (created != NAT)
            shift = np.round(np.where(usable, offset, 0) * _MINUTE_NS).astype(np.int64)
            instant = np.where(usable, created + shift, instant)
        valid = instant != NAT
        previous = self.previous(valid)
        before = np.where(previous >= 0, instant[np.maximum(previous, 0)], NAT)
        positions = np.flatnonzero(valid & (instant != before))
        self.add(
            positions,
            slot,
            instant[positions],
            kind,
            [""] * positions.size,
            [None] * positions.size,
        )

    def counts(
        self,
        kind: EventKind,
        name: str,
        numbers: npt.NDArray[np.float64],
        since: Int64Array,
        slot: int,
    ) -> None:
        """A trigger by a counter: one event per rank above the item's first value.

        A first value above zero (the ticket was reopened before this export began) is kept as
        a field named after the column, so that a later export knows where counting starts.
        """
        value = np.where(np.isnan(numbers), -np.inf, np.floor(numbers))
        base = np.flatnonzero(self.first & ~np.isinf(value) & (value > 0))
        self.add(
            base,
            slot,
            since[base],
            EventKind.FIELD,
            [f"{name}={int(v)}" for v in value[base].tolist()],
            self.named(base, f"field:{name}"),
        )
        value = np.where(self.first & np.isinf(value), 0.0, value)
        group = np.cumsum(self.first) - 1
        spread = float(np.max(np.abs(np.where(np.isinf(value), 0, value)), initial=0)) * 2 + 2
        running = np.maximum.accumulate(np.where(np.isinf(value), -1.0, value) + group * spread)
        running -= group * spread
        before = np.r_[0.0, running[:-1]]
        rise = np.flatnonzero(~self.first & ~np.isinf(value) & (value > before))
        positions: list[int] = []
        ids: list[str | None] = []
        for p in rise.tolist():
            for rank in range(int(before[p]) + 1, int(value[p]) + 1):
                positions.append(p)
                ids.append(f"{kind.value}#{rank}")
        chosen = np.asarray(positions, dtype=np.int64)
        self.add(chosen, slot, self.at[chosen], kind, [""] * chosen.size, ids)

    def collect(self, out: EventColumns) -> None:
        """All parts in (position, slot) order: the order of the row-by-row rules."""
        if not self.parts:
            return
        keys = np.concatenate([part[0] for part in self.parts])
        order = np.argsort(keys, kind="stable").tolist()
        at = np.concatenate([part[1] for part in self.parts]).tolist()
        kinds = [k for part in self.parts for k in part[2]]
        values = [v for part in self.parts for v in part[3]]
        ids = [e for part in self.parts for e in part[4]]
        rows = self.order[keys // self.slots].tolist()
        items = self.chunk.items
        out.item_id.extend(items[rows[i]] for i in order)
        out.at_ns.extend(at[i] for i in order)
        out.kind.extend(kinds[i] for i in order)
        out.value.extend(values[i] for i in order)
        out.event_id.extend(ids[i] for i in order)
