"""Grouped array operations over rows sorted by group: the vocabulary of the clock kernels.

A group is a run of consecutive rows (an item, an item's clock cycle, or intervals that overlap
once sorted). Everything here is one or two passes of NumPy over the rows: no Python loop per
group.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Int64Array = npt.NDArray[np.int64]
IntArray = npt.NDArray[np.integer]
BoolArray = npt.NDArray[np.bool_]


def run_starts(*keys: npt.NDArray[np.generic]) -> BoolArray:
    """True on each row that starts a new run of equal keys (rows sorted by the keys)."""
    first = np.ones(keys[0].shape[0], dtype=bool)
    if first.size > 1:
        first[1:] = ~_same_as_next(keys)
    return first


def run_ends(*keys: npt.NDArray[np.generic]) -> BoolArray:
    """True on each row that ends a run of equal keys."""
    last = np.ones(keys[0].shape[0], dtype=bool)
    if last.size > 1:
        last[:-1] = ~_same_as_next(keys)
    return last


def _same_as_next(keys: tuple[npt.NDArray[np.generic], ...]) -> BoolArray:
    """For every row but the last: whether the next row has the same keys (at least 2 rows)."""
    same = np.ones(keys[0].shape[0] - 1, dtype=bool)
    for key in keys:
        same &= key[1:] == key[:-1]
    return same


def first_row(starts: BoolArray) -> Int64Array:
    """For each row, the index of the first row of its group."""
    idx = np.where(starts, np.arange(starts.size, dtype=np.int64), 0)
    return np.maximum.accumulate(idx) if idx.size else idx


def last_valid(valid: BoolArray, group_first: Int64Array) -> Int64Array:
    """For each row, the index of the last row at or before it in its group where `valid`, or -1."""
    idx = np.where(valid, np.arange(valid.size, dtype=np.int64), -1)
    if idx.size == 0:
        return idx
    last = np.maximum.accumulate(idx)
    return np.where(last >= group_first, last, -1)


def cumsum_exclusive(values: Int64Array, group_first: Int64Array) -> Int64Array:
    """Sum of the values of the earlier rows of each row's group."""
    if values.size == 0:
        return values.copy()
    inclusive = np.cumsum(values)
    before_group = inclusive[group_first] - values[group_first]
    return inclusive - values - before_group


def cumcount(flags: BoolArray, group_first: Int64Array) -> Int64Array:
    """How many rows of the group, up to and including this one, have the flag."""
    return cumsum_exclusive(flags.astype(np.int64), group_first) + flags


def cummin(values: Int64Array, group_starts: BoolArray) -> Int64Array:
    """Running minimum within each group (values are ranked first so offsets cannot overflow)."""
    if values.size == 0:
        return values.copy()
    uniq, rank = np.unique(values, return_inverse=True)
    span = np.int64(uniq.size + 1)
    gid = np.cumsum(group_starts, dtype=np.int64)
    running = np.maximum.accumulate(gid * span - rank.astype(np.int64))
    result: Int64Array = uniq[gid * span - running]
    return result


def last_per_group(group_ends: BoolArray) -> Int64Array:
    """Indices of the last row of every group."""
    return np.flatnonzero(group_ends)


def merge_intervals(
    starts: Int64Array, ends: Int64Array
) -> tuple[Int64Array, Int64Array, Int64Array]:
    """Merge overlapping or touching `[start, end)` intervals into sorted disjoint ones.

    Returns the merged starts and ends, and for each input interval the index of the merged
    interval that holds it. Empty intervals (end <= start) are kept as points of their group.
    """
    if starts.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy(), empty.copy()
    order = np.argsort(starts, kind="stable")
    s, e = starts[order], ends[order]
    reach = np.maximum.accumulate(e)
    new = np.ones(s.size, dtype=bool)
    new[1:] = s[1:] > reach[:-1]
    group = np.cumsum(new) - 1
    merged_start = s[new]
    merged_end = np.zeros(merged_start.size, dtype=np.int64)
    np.maximum.at(merged_end, group, e)
    label = np.empty(starts.size, dtype=np.int64)
    label[order] = group
    return merged_start, merged_end, label
