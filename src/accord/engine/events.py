"""Columnar event tables: every item's events as parallel NumPy arrays, sorted and deduplicated.

Sorted by (item, instant, rank at one instant, arrival order) so that clocks can run over all
items at once. No parsing here: `accord.ingest` turns files into these columns.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from accord.domain.events import EVENT_CODES, EVENT_RANK, EventKind

NAT = np.iinfo(np.int64).min  # "no instant" in int64 nanosecond columns

KIND_CODE = {kind: np.int8(code) for kind, code in EVENT_CODES.items()}
_RANK_BY_CODE = np.array([EVENT_RANK[kind] for kind in EventKind], dtype=np.int8)

Int64Array = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
Int8Array = npt.NDArray[np.int8]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class EventTable:
    """Events of many items in columns.

    `item` indexes `item_ids`; `at` is UTC nanoseconds; `kind` is an `EVENT_CODES` value;
    `value` indexes `values` (-1 where the event carries none). Rows are sorted by item, then
    instant, then rank at one instant (SEMANTICS.md), then order of arrival.
    """

    item_ids: tuple[str, ...]
    values: tuple[str, ...]
    item: Int32Array
    at: Int64Array
    kind: Int8Array
    value: Int32Array

    def __len__(self) -> int:
        return int(self.item.shape[0])

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @classmethod
    def from_arrays(
        cls,
        item_ids: Sequence[str],
        values: Sequence[str],
        item: npt.ArrayLike,
        at: npt.ArrayLike,
        kind: npt.ArrayLike,
        value: npt.ArrayLike,
        event_key: npt.ArrayLike | None = None,
    ) -> tuple[EventTable, int]:
        """Sort and deduplicate raw columns (in arrival order); return the table and the duplicates.

        Where `event_key` is given (an integer per row, -1 for none), two rows of one item with
        the same key are the same event and the later arrival is dropped; rows without a key are
        the same event when item, instant, kind and value are all equal.
        """
        item_a = np.asarray(item, dtype=np.int32)
        at_a = np.asarray(at, dtype=np.int64)
        kind_a = np.asarray(kind, dtype=np.int8)
        value_a = np.asarray(value, dtype=np.int32)
        n = item_a.shape[0]
        if not (at_a.shape[0] == kind_a.shape[0] == value_a.shape[0] == n):
            raise ValueError("event columns differ in length")
        keep = np.ones(n, dtype=bool)
        if event_key is not None and n:
            key_a = np.asarray(event_key, dtype=np.int64)
            has_key = key_a >= 0
            idx = np.flatnonzero(has_key)
            if idx.size:
                order = idx[np.lexsort((idx, key_a[idx], item_a[idx]))]
                same = (item_a[order][1:] == item_a[order][:-1]) & (
                    key_a[order][1:] == key_a[order][:-1]
                )
                keep[order[1:][same]] = False
        rank = _RANK_BY_CODE[kind_a]
        arrival = np.arange(n, dtype=np.int64)
        order = np.lexsort((arrival, value_a, kind_a, rank, at_a, item_a))
        order = order[keep[order]]
        item_s, at_s, kind_s, value_s = item_a[order], at_a[order], kind_a[order], value_a[order]
        if order.size > 1:
            dup = np.zeros(order.size, dtype=bool)
            dup[1:] = (
                (item_s[1:] == item_s[:-1])
                & (at_s[1:] == at_s[:-1])
                & (kind_s[1:] == kind_s[:-1])
                & (value_s[1:] == value_s[:-1])
            )
            if event_key is not None:
                key_s = np.asarray(event_key, dtype=np.int64)[order]
                # Rows that carry different source ids are different events even when alike.
                dup[1:] &= (key_s[1:] < 0) | (key_s[:-1] < 0) | (key_s[1:] == key_s[:-1])
            if dup.any():
                # Identical rows at one instant sort next to each other, so dropping every row
                # equal to its predecessor keeps exactly the first of each group.
                order = order[~dup]
                item_s, at_s, kind_s, value_s = (
                    item_s[~dup],
                    at_s[~dup],
                    kind_s[~dup],
                    value_s[~dup],
                )
        duplicates = n - int(order.size)
        # Ties broken by value then arrival keep same-kind events at one instant deterministic;
        # restore arrival order among same-kind events: "last value at an instant" is the last sent.
        if order.size > 1:
            resort = np.lexsort((order, _RANK_BY_CODE[kind_s], at_s, item_s))
            item_s, at_s, kind_s, value_s = (
                item_s[resort],
                at_s[resort],
                kind_s[resort],
                value_s[resort],
            )
        table = cls(tuple(item_ids), tuple(values), item_s, at_s, kind_s, value_s)
        return table, duplicates

    def until(self, as_of_ns: int) -> EventTable:
        """Only the events at or before `as_of_ns` (an evaluation as of an instant)."""
        mask = self.at <= as_of_ns
        if bool(mask.all()):
            return self
        return EventTable(
            self.item_ids,
            self.values,
            self.item[mask],
            self.at[mask],
            self.kind[mask],
            self.value[mask],
        )

    def item_bounds(self, step: int) -> list[tuple[int, int]]:
        """Row ranges of consecutive blocks of `step` items (for chunked processing)."""
        marks = np.arange(0, self.n_items + step, step, dtype=self.item.dtype)
        rows = np.searchsorted(self.item, marks, side="left").tolist()
        return list(itertools.pairwise(rows)) or [(0, 0)]

    def rows(self, a: int, b: int) -> EventTable:
        """Rows `[a, b)` as a table sharing this one's vocabularies (a view, no copy)."""
        return EventTable(
            self.item_ids,
            self.values,
            self.item[a:b],
            self.at[a:b],
            self.kind[a:b],
            self.value[a:b],
        )

    def value_code(self, text: str) -> int:
        """The code of a value string, or -1 when no event carries it."""
        try:
            return self.values.index(text)
        except ValueError:
            return -1
