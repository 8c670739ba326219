"""Business calendars as a cumulative index: `elapsed` and `add` are array lookups, not loops.

Owns the conversion of local working hours to UTC (DST and holidays exact, SEMANTICS.md
"Business calendars") and the arithmetic on business time. Pure computation: no I/O.

How the index works:
1. Every local date of the indexed range gets its hours (exception, else none on a holiday,
   else its weekday's), each interval is converted to UTC and the union is taken.
2. `position(t)` is the business time from a fixed anchor up to `t`. Interval boundaries are
   all multiples of a bucket size `g` (one hour for most calendars, a minute at worst), so
   inside a bucket the calendar is either working or not: position is one table lookup.
3. `add` inverts position with a second table over business time (one correction step).
4. Instants outside the indexed range extend the index; positions stay stable because they
   are measured from an anchor fixed at the first build.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, overload
from zoneinfo import ZoneInfo

import holidays as holidays_lib
import numpy as np
import numpy.typing as npt

from accord.domain.calendars import MINUTES_PER_DAY, CalendarSpec, DayHours
from accord.engine.events import NAT
from accord.engine.groups import merge_intervals

NS = 1_000_000_000
_HOUR_NS = 3600 * NS
_MAX_BUCKETS = 12_000_000
_MAX_SPAN_DAYS = 400 * 366
_PAD_DAYS = 7
_GROW_DAYS = 366

Int64Array = npt.NDArray[np.int64]
Float64Array = npt.NDArray[np.float64]
DT64Array = npt.NDArray[np.datetime64]


def local_to_utc(zone: ZoneInfo, day: date, minute: int) -> datetime:
    """The UTC instant of local wall time `minute` minutes after midnight of `day` in `zone`.

    A wall time that does not exist (spring forward) maps to the transition instant, the first
    instant after the gap; one that occurs twice (fall back) takes its first occurrence.
    """
    day = day + timedelta(days=minute // MINUTES_PER_DAY)
    minute %= MINUTES_PER_DAY
    wall = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone)
    utc = wall.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None):
        return utc
    # In a gap: fold=0 used the offset before the transition (an instant after it), fold=1 the
    # offset after (an instant before it). Search the transition between them to the second.
    before = wall.replace(fold=1).astimezone(UTC)
    lo, hi = before, utc
    offset_before = before.astimezone(zone).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid <= lo:
            break
        if mid.astimezone(zone).utcoffset() == offset_before:
            lo = mid
        else:
            hi = mid
    return hi


def _to_ns(dt: datetime) -> int:
    if dt.tzinfo is None:
        raise ValueError(
            f"naive datetime {dt.isoformat()} has no time zone; pass an aware datetime"
        )
    delta = dt.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * NS + delta.microseconds * 1000


def _ns_to_datetime(ns: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=ns // 1000)


def instants_to_ns(values: Any) -> tuple[Int64Array, bool]:
    """Normalise aware datetimes, datetime64 values or int64 ns to an int64 ns array.

    Returns the array and whether the input was a scalar. NaT becomes `NAT`.
    """
    if isinstance(values, datetime):
        return np.array([_to_ns(values)], dtype=np.int64), True
    if isinstance(values, np.datetime64):
        return np.array([values.astype("datetime64[ns]").astype(np.int64)], dtype=np.int64), True
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[ns]").view(np.int64).reshape(-1), arr.ndim == 0
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64, copy=False).reshape(-1), arr.ndim == 0
    if arr.dtype == object:
        flat = [NAT if v is None else _to_ns(v) for v in arr.reshape(-1)]
        return np.array(flat, dtype=np.int64), arr.ndim == 0
    raise TypeError(f"cannot read instants of dtype {arr.dtype}")


@dataclass(frozen=True, slots=True)
class _Index:
    """An immutable snapshot of the cumulative index over local dates `[lo_day, hi_day)`.

    Positions are business nanoseconds from the calendar's anchor, so two snapshots of one
    calendar agree on every instant both cover.
    """

    lo_day: date
    hi_day: date
    cover_lo: int
    cover_hi: int
    iv_start: Int64Array
    iv_end: Int64Array
    cum_start: Int64Array
    cum_end: Int64Array
    day_close: Int64Array
    day_close_search: Int64Array
    g: int  # bucket size in ns; 0 when lookups fall back to searchsorted
    origin: int
    bucket_base: Int64Array
    bucket_work: Int64Array
    inv_base: int
    inv: Int64Array

    def covers(self, lo: int, hi: int) -> bool:
        return lo >= self.cover_lo and hi < self.cover_hi

    def position(self, t: Int64Array) -> Int64Array:
        if self.g:
            k = (t - self.origin) // self.g
            return self.bucket_base[k] + self.bucket_work[k] * t
        i = np.searchsorted(self.iv_start, t, side="right") - 1
        before = i < 0
        i = np.maximum(i, 0)
        inside = np.clip(t - self.iv_start[i], 0, self.iv_end[i] - self.iv_start[i])
        result: Int64Array = np.where(before, self.cum_start[0], self.cum_start[i] + inside)
        return result

    def instant_at(self, pos: Int64Array) -> Int64Array:
        """Earliest instant with this position; needs cum_start[0] < pos <= cum_end[-1]."""
        if self.inv.size:
            m = (pos - self.inv_base) // self.g
            i = self.inv[m]
            i = i + (self.cum_end[i] < pos)
        else:
            i = np.searchsorted(self.cum_end, pos, side="left")
        result: Int64Array = self.iv_start[i] + (pos - self.cum_start[i])
        return result


class BusinessCalendar:
    """A business calendar with vectorised `elapsed`, `add` and `add_working_days`.

    Built from a `CalendarSpec`, or from its mapping form with `from_dict`. Array inputs are
    datetime64[ns] in UTC (aware datetimes work too); results are float64 business seconds or
    datetime64[ns] instants, NaN/NaT where an input is NaT. Safe to share between threads: the
    index is an immutable snapshot, replaced whole under a lock when it must grow.
    """

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.timezone = spec.timezone
        self._zone = ZoneInfo(spec.timezone)
        self._holiday_cache: dict[int, frozenset[date]] = {}
        self._lock = threading.Lock()
        self._anchor: int | None = None
        self._index: _Index | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        """Build a calendar from its agreement form (see `CalendarSpec.from_dict`)."""
        return cls(CalendarSpec.from_dict(data))

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.timezone!r})"

    # ----------------------------------------------------------------------------- public API

    @overload
    def elapsed(self, starts: datetime, ends: datetime) -> float: ...
    @overload
    def elapsed(self, starts: Any, ends: Any) -> Float64Array: ...
    def elapsed(self, starts: Any, ends: Any) -> float | Float64Array:
        """Business seconds in `[start, end)`, 0 where `end <= start`."""
        a, scalar_a = instants_to_ns(starts)
        b, scalar_b = instants_to_ns(ends)
        a, b = np.broadcast_arrays(a, b)
        result = self.elapsed_ns(a, b).astype(np.float64) / NS
        result[(a == NAT) | (b == NAT)] = np.nan
        if scalar_a and scalar_b:
            return float(result[0])
        return result

    @overload
    def add(self, starts: datetime, seconds: float) -> datetime: ...
    @overload
    def add(self, starts: Any, seconds: Any) -> DT64Array: ...
    def add(self, starts: Any, seconds: Any) -> datetime | DT64Array:
        """The earliest instant `t >= start` with `elapsed(start, t) == seconds` (seconds >= 0).

        For seconds > 0 the result is never outside working time except at the end of an
        interval: 8 business hours from Friday 09:00 on Mon-Fri 09-17 is Friday 17:00.
        """
        a, scalar = instants_to_ns(starts)
        secs = np.asarray(seconds, dtype=np.float64).reshape(-1)
        if np.any(secs < 0):
            raise ValueError("add() needs seconds >= 0")
        a, secs = np.broadcast_arrays(a, secs)
        bad = np.isnan(secs)
        s_ns = np.rint(np.where(bad, 0, secs) * NS).astype(np.int64)
        out = self.add_ns(np.where(bad, NAT, a), s_ns)
        if scalar and np.ndim(seconds) == 0:
            return _ns_to_datetime(int(out[0])) if out[0] != NAT else None  # type: ignore[return-value]
        return out.view("datetime64[ns]")

    @overload
    def add_working_days(self, starts: datetime, days: int) -> datetime: ...
    @overload
    def add_working_days(self, starts: Any, days: Any) -> DT64Array: ...
    def add_working_days(self, starts: Any, days: Any) -> datetime | DT64Array:
        """Due instant of an `Nwd` goal: the close of the N-th working day after the start day.

        The start day is the working day whose working time contains the start, or the next
        working day when the start is outside working time (a start in a lunch break or before
        opening counts as that day).
        """
        a, scalar = instants_to_ns(starts)
        n = np.asarray(days, dtype=np.int64).reshape(-1)
        if np.any(n < 0):
            raise ValueError("add_working_days() needs days >= 0")
        a, n = np.broadcast_arrays(a, n)
        out = self.working_days_due_ns(a, n)
        if scalar and np.ndim(days) == 0:
            return _ns_to_datetime(int(out[0]))
        return out.view("datetime64[ns]")

    def hours_on(self, day: date) -> DayHours:
        """The hours of a local date: its exception, else none on a holiday, else its weekday's."""
        spec = self.spec
        if day in spec.exceptions:
            return spec.exceptions[day]
        if self.is_holiday(day):
            return ()
        return spec.weekly[day.weekday()]

    def is_holiday(self, day: date) -> bool:
        return day in self.spec.holiday_dates or day in self._holidays_of(day.year)

    # ------------------------------------------------------------------------- ns-level kernels

    def elapsed_ns(self, a: Int64Array, b: Int64Array) -> Int64Array:
        """Business nanoseconds in `[a, b)`, 0 where `b <= a` or either is NAT."""
        valid = (a != NAT) & (b != NAT)
        all_valid = bool(valid.all())
        if not all_valid:
            a, b = _fill_nat(a, valid), _fill_nat(b, valid)
        pa, pb = self.positions_ns(a, b)
        out = np.maximum(pb - pa, 0)
        return out if all_valid else np.where(valid, out, 0)

    def positions_ns(self, *instants: Int64Array) -> tuple[Int64Array, ...]:
        """Business time from the calendar's anchor to each instant, for one or more arrays."""
        index = self._covering(*instants)
        return tuple(index.position(t) for t in instants)

    def add_ns(self, a: Int64Array, s: Int64Array) -> Int64Array:
        """`add` on int64 nanoseconds; NAT in `a` gives NAT."""
        valid = a != NAT
        a_safe = _fill_nat(a, valid)
        (pos,) = self.positions_ns(a_safe)
        out = a_safe.copy()
        moving = s > 0
        out[moving] = self.instants_at_ns(pos[moving] + s[moving])
        return np.where(valid, out, NAT)

    def instants_at_ns(self, pos: Int64Array) -> Int64Array:
        """The earliest instant at which business time from the anchor reaches `pos`.

        Exactly at an interval's end the end is returned (earliest), never the next start.
        """
        if pos.size == 0:
            return pos.copy()
        lo, hi = int(pos.min()), int(pos.max())
        index = self._require_index()
        while hi > index.cum_end[-1] or lo <= index.cum_start[0]:
            per_day = max(self.spec.weekly_minutes() * 60 * NS // 7, 1)
            if hi > index.cum_end[-1]:
                days = int((hi - index.cum_end[-1]) // per_day) * 2 + 14
                index = self._grow(
                    index, index.lo_day, index.hi_day + timedelta(days=max(days, _GROW_DAYS))
                )
            else:
                days = int((index.cum_start[0] - lo) // per_day) * 2 + 14
                index = self._grow(
                    index, index.lo_day - timedelta(days=max(days, _GROW_DAYS)), index.hi_day
                )
        return index.instant_at(pos)

    def working_days_due_ns(self, a: Int64Array, n: Int64Array) -> Int64Array:
        """`add_working_days` on int64 nanoseconds."""
        valid = a != NAT
        a_safe = _fill_nat(a, valid)
        index = self._covering(a_safe)
        j = np.searchsorted(index.day_close_search, a_safe, side="right") + n
        while j.size and j.max() >= index.day_close.size:
            extra = int((j.max() - index.day_close.size + 1) * 7 // 5 + 14)
            index = self._grow(
                index, index.lo_day, index.hi_day + timedelta(days=max(extra, _GROW_DAYS))
            )
            j = np.searchsorted(index.day_close_search, a_safe, side="right") + n
        return np.where(valid, index.day_close[j], NAT)

    # ------------------------------------------------------------------------------ the index

    def _holidays_of(self, year: int) -> frozenset[date]:
        if self.spec.holiday_country is None:
            return frozenset()
        cached = self._holiday_cache.get(year)
        if cached is None:
            found = holidays_lib.country_holidays(
                self.spec.holiday_country, subdiv=self.spec.holiday_subdivision, years=year
            )
            cached = frozenset(d for d in found if d.year == year)
            self._holiday_cache[year] = cached
        return cached

    def _require_index(self) -> _Index:
        index = self._index
        return index if index is not None else self._covering(np.zeros(0, dtype=np.int64))

    def _covering(self, *instants: Int64Array) -> _Index:
        """A snapshot covering every (non-NAT) instant given, growing the index if needed."""
        lo = hi = None
        for t in instants:
            if t.size == 0:
                continue
            tmin, tmax = int(t.min()), int(t.max())
            if tmin == NAT:
                valid = t[t != NAT]
                if valid.size == 0:
                    continue
                tmin = int(valid.min())
            lo = tmin if lo is None else min(lo, tmin)
            hi = tmax if hi is None else max(hi, tmax)
        index = self._index
        if index is not None and (lo is None or hi is None or index.covers(lo, hi)):
            return index
        if lo is None or hi is None:
            lo = hi = _to_ns(datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0))
        lo_day = self._local_day(lo) - timedelta(days=_PAD_DAYS)
        hi_day = self._local_day(hi) + timedelta(days=_PAD_DAYS)
        if index is not None:
            # Grow generously so that a stream of slightly later instants rebuilds rarely.
            if lo_day < index.lo_day:
                lo_day = min(lo_day, index.lo_day - timedelta(days=_GROW_DAYS))
            if hi_day > index.hi_day:
                hi_day = max(hi_day, index.hi_day + timedelta(days=_GROW_DAYS))
            lo_day, hi_day = min(lo_day, index.lo_day), max(hi_day, index.hi_day)
        return self._grow(index, lo_day, hi_day)

    def _grow(self, seen: _Index | None, lo_day: date, hi_day: date) -> _Index:
        with self._lock:
            current = self._index
            if (
                current is not None
                and current is not seen
                and current.lo_day <= lo_day
                and current.hi_day >= hi_day
            ):
                return current  # another thread grew it meanwhile
            if current is not None:
                lo_day, hi_day = min(lo_day, current.lo_day), max(hi_day, current.hi_day)
            if (hi_day - lo_day).days > _MAX_SPAN_DAYS:
                raise ValueError(
                    f"instants span more than {_MAX_SPAN_DAYS // 366} years ({lo_day} to {hi_day}),"
                    " or the calendar has no working time within reach; is a timestamp wrong?"
                )
            index = self._build(lo_day, hi_day)
            self._index = index
            return index

    def _local_day(self, ns: int) -> date:
        return datetime.fromtimestamp(ns // NS, tz=self._zone).date()

    def _build(self, lo_day: date, hi_day: date) -> _Index:
        """Index the local dates `[lo_day, hi_day)` (plus two days before, whose overnight
        intervals may reach into the range)."""
        starts: list[int] = []
        ends: list[int] = []
        closes: list[int] = []
        day = lo_day - timedelta(days=2)
        zone = self._zone
        while day < hi_day:
            close = None
            for rng in self.hours_on(day):
                s = _to_ns(local_to_utc(zone, day, rng.start_minute))
                e = _to_ns(local_to_utc(zone, day, rng.end_minute))
                if e > s:
                    starts.append(s)
                    ends.append(e)
                    close = e if close is None else max(close, e)
            if close is not None and day >= lo_day:
                closes.append(close)
            day += timedelta(days=1)
        cover_lo = _to_ns(local_to_utc(zone, lo_day, 0))
        cover_hi = _to_ns(local_to_utc(zone, hi_day, 0))
        iv_start, iv_end, _ = merge_intervals(
            np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)
        )
        # Clip to the covered span so that the tables have no holes inside it.
        keep = (iv_end > cover_lo) & (iv_start < cover_hi)
        iv_start = np.maximum(iv_start[keep], cover_lo)
        iv_end = np.minimum(iv_end[keep], cover_hi)
        if iv_start.size == 0:
            # No working time in the range: one empty interval keeps lookups defined.
            iv_start = np.array([cover_hi], dtype=np.int64)
            iv_end = np.array([cover_hi], dtype=np.int64)
        lengths = iv_end - iv_start
        cum_start = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
        cum_end = cum_start + lengths
        if self._anchor is None:
            self._anchor = cover_lo
        g, origin, bucket_pos, bucket_work = _buckets(
            iv_start, iv_end, cum_start, cum_end, cover_lo, cover_hi
        )
        # Shift every position so that the anchor is at 0 in this and every later snapshot.
        probe = _Index(
            lo_day, hi_day, cover_lo, cover_hi, iv_start, iv_end, cum_start, cum_end,
            np.empty(0, np.int64), np.empty(0, np.int64), 0, 0,
            np.empty(0, np.int64), np.empty(0, np.int64), 0, np.empty(0, np.int64),
        )  # fmt: skip
        shift = int(probe.position(np.array([self._anchor], dtype=np.int64))[0])
        cum_start, cum_end, bucket_pos = cum_start - shift, cum_end - shift, bucket_pos - shift
        inv_base = int(cum_start[0])
        if g:
            total = int(cum_end[-1] - cum_start[0])
            marks = inv_base + np.arange(total // g + 2, dtype=np.int64) * g
            inv = np.minimum(np.searchsorted(cum_end, marks, side="left"), cum_end.size - 1).astype(
                np.int64
            )
            # position(t) = base[k] + work[k] * t inside bucket k: one gather less on the hot path.
            bucket_base = bucket_pos - bucket_work * (
                origin + np.arange(bucket_pos.size, dtype=np.int64) * g
            )
        else:
            inv = np.empty(0, dtype=np.int64)
            bucket_base = np.empty(0, dtype=np.int64)
        day_close = np.array(closes, dtype=np.int64)
        day_close_search = np.maximum.accumulate(day_close) if day_close.size else day_close
        return _Index(
            lo_day, hi_day, cover_lo, cover_hi, iv_start, iv_end, cum_start, cum_end,
            day_close, day_close_search, g, origin, bucket_base, bucket_work, inv_base, inv,
        )  # fmt: skip


def _buckets(
    iv_start: Int64Array,
    iv_end: Int64Array,
    cum_start: Int64Array,
    cum_end: Int64Array,
    cover_lo: int,
    cover_hi: int,
) -> tuple[int, int, Int64Array, Int64Array]:
    """Bucket size, origin, position at each bucket start, and whether each bucket is working.

    Every interval boundary is a multiple of the bucket size, so a bucket is working or not as
    a whole. Returns g = 0 where the table would be too large (a boundary off the minute).
    """
    empty = np.empty(0, dtype=np.int64)
    bounds = np.concatenate((iv_start, iv_end, [cover_lo, cover_hi]))
    g = int(np.gcd.reduce(np.concatenate((bounds % _HOUR_NS, [_HOUR_NS]))))
    origin = (cover_lo // _HOUR_NS) * _HOUR_NS
    if g < 60 * NS:
        return 0, origin, empty, empty
    n_buckets = (cover_hi - origin) // g + 1
    total = int(cum_end[-1] - cum_start[0])
    if n_buckets > _MAX_BUCKETS or total // g > _MAX_BUCKETS:
        return 0, origin, empty, empty
    diff = np.zeros(n_buckets + 1, dtype=np.int64)
    np.add.at(diff, (iv_start - origin) // g, 1)
    np.add.at(diff, (iv_end - origin) // g, -1)
    work = (np.cumsum(diff[:-1]) > 0).astype(np.int64)
    pos = np.concatenate(([0], np.cumsum(work * g)[:-1])).astype(np.int64)
    first = int((iv_start[0] - origin) // g)
    pos += int(cum_start[0]) - int(pos[first])
    return g, origin, pos, work


def _fill_nat(values: Int64Array, valid: npt.NDArray[np.bool_]) -> Int64Array:
    """Replace NAT entries by a valid instant of the same array so lookups stay in range."""
    if valid.all():
        return values
    filler = values[valid][0] if valid.any() else 0
    return np.where(valid, values, filler)


def seconds_to_text(seconds: float) -> str:
    """Show business seconds in human units: `1h 30m`, `45m`, `2d 3h` (d = 24 business hours)."""
    if math.isnan(seconds):
        return ""
    total = round(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{v}{u}" for v, u in ((days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")) if v]
    return " ".join(parts) or "0m"
