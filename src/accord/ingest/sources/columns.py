"""The events a source yields, and the stored events it is compared with, as plain records.

Shared by the derivation and the readers; no rules here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from accord.domain.events import EventKind


class SourceEvent(NamedTuple):
    """One derived event; `event_id` None means "identified by its content" (a row hash)."""

    item_id: str
    at_ns: int
    kind: EventKind
    value: str
    event_id: str | None


class StoredEvent(NamedTuple):
    """An event already stored for an item of this source (its history)."""

    at_ns: int
    kind: EventKind
    value: str
    event_id: str | None


History = Mapping[str, Sequence[StoredEvent]]


@dataclass(slots=True)
class EventColumns:
    """Events as parallel lists (cheaper than one object per event for large imports)."""

    item_id: list[str] = field(default_factory=list)
    at_ns: list[int] = field(default_factory=list)
    kind: list[EventKind] = field(default_factory=list)
    value: list[str] = field(default_factory=list)
    event_id: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.item_id)

    def append(
        self, item: str, at_ns: int, kind: EventKind, value: str = "", event_id: str | None = None
    ) -> None:
        self.item_id.append(item)
        self.at_ns.append(at_ns)
        self.kind.append(kind)
        self.value.append(value)
        self.event_id.append(event_id)

    def extend(self, other: EventColumns) -> None:
        self.item_id.extend(other.item_id)
        self.at_ns.extend(other.at_ns)
        self.kind.extend(other.kind)
        self.value.extend(other.value)
        self.event_id.extend(other.event_id)

    def __iter__(self) -> Iterator[SourceEvent]:
        for row in zip(self.item_id, self.at_ns, self.kind, self.value, self.event_id, strict=True):
            yield SourceEvent(*row)
