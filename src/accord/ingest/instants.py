"""Instants as text: ISO 8601 in (exact integer nanoseconds, UTC) and out (with `Z`).

Owns the naive-time rule of SEMANTICS.md (a named zone, the gap and fold rule) for every input
that carries times. No file handling here; nothing but parsing and formatting.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import numpy as np
import numpy.typing as npt

from accord.engine.events import NAT
from accord.errors import FieldIssue, ValidationError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_NS = int(np.iinfo(np.int64).max)
_FRACTION = re.compile(r"(\d{2}:\d{2}:\d{2})[.,](\d+)")
# Python 3.11 reads "2026-04-01+05:00" as a naive midnight, dropping the offset: refuse it.
_DATE_WITH_OFFSET = re.compile(r"^\d{4}-?\d{2}-?\d{2}\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$")


def zone(name: str) -> ZoneInfo:
    """Return the IANA zone `name`; raise ValidationError with a suggestion when it is unknown."""
    try:
        return _zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        hint = difflib.get_close_matches(name, sorted(available_timezones()), n=1)
        suffix = f"; did you mean '{hint[0]}'?" if hint else ""
        raise ValidationError(
            [FieldIssue("timezone", f"'{name}' is not an IANA time zone{suffix}")]
        ) from None


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def resolve_wall_time(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach `tz` to a naive wall time by SEMANTICS.md's rule; return an aware UTC datetime.

    A wall time that occurs twice (fall back) takes its first occurrence; one that does not
    exist (spring forward) maps to the transition instant, the first instant after the gap.
    """
    first = naive.replace(tzinfo=tz, fold=0)
    first_utc = first.astimezone(UTC)
    if first_utc.astimezone(tz).replace(tzinfo=None) == naive:
        return first_utc
    # In a gap, fold=0 reads the wall time with the offset before the transition (an instant
    # after it) and fold=1 with the offset after it (an instant before it): the transition lies
    # in between, and bisection over whole seconds finds it (zones change on whole seconds).
    lo = int((naive.replace(tzinfo=tz, fold=1).astimezone(UTC) - _EPOCH).total_seconds())
    hi = int((first_utc - _EPOCH).total_seconds())
    after = first_utc.astimezone(tz).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if (_EPOCH + timedelta(seconds=mid)).astimezone(tz).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return _EPOCH + timedelta(seconds=hi)


def parse_instant(text: str, timezone: str | ZoneInfo | None = None) -> int:
    """Parse an ISO 8601 instant into integer nanoseconds since the epoch, UTC, exactly.

    The text carries an offset or `Z`; a naive one is read in `timezone` (gap and fold as
    `resolve_wall_time` says) and is an error without it. Up to nine fractional digits are kept.
    Raise ValueError with a message fit for a row report.
    """
    raw = text.strip()
    extra_ns = 0
    match = _FRACTION.search(raw)
    if match:
        digits = match.group(2)
        if len(digits) > 9:
            raise ValueError(f"unreadable time '{text}': more than nanosecond precision")
        extra_ns = int(digits.ljust(9, "0"))
        raw = raw[: match.end(1)] + raw[match.end(2) :]
    if _DATE_WITH_OFFSET.match(raw):
        raise ValueError(f"unreadable time '{text}': a date with an offset needs a time of day")
    if raw[-1:] in ("Z", "z"):
        raw = raw[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"unreadable time '{text}'; write ISO 8601 such as 2026-03-02T09:00:00+01:00"
        ) from None
    if parsed.tzinfo is None:
        if timezone is None:
            raise ValueError(f"naive timestamp '{text}' has no offset; pass --timezone")
        tz = zone(timezone) if isinstance(timezone, str) else timezone
        parsed = resolve_wall_time(parsed, tz)
    delta = parsed - _EPOCH
    ns = (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000
    ns += extra_ns
    if not NAT < ns <= _MAX_NS:
        raise ValueError(f"time '{text}' is out of range (years {_MIN_YEAR} to {_MAX_YEAR})")
    return ns


def instant_to_datetime(ns: int) -> datetime:
    """An aware UTC datetime for integer nanoseconds (sub-microsecond digits are dropped)."""
    return _EPOCH + timedelta(microseconds=ns // 1000)


def format_instants(ns: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
    """Format UTC nanoseconds as ISO 8601 with `Z`, vectorised; `NAT` becomes the empty string.

    Whole seconds print as `2026-03-02T08:00:00Z`; others keep their fraction without
    trailing zeros (`...08:00:00.5Z`). Returns a string (or, with fractions, object) array.
    """
    ns = np.asarray(ns, dtype=np.int64)
    out: npt.NDArray[Any] = np.datetime_as_string(
        ns.view("datetime64[ns]"), unit="s", timezone="UTC"
    )
    frac = ns % 1_000_000_000 != 0
    frac &= ns != NAT
    if frac.any():
        fine = np.datetime_as_string(ns[frac].view("datetime64[ns]"), unit="ns", timezone="UTC")
        out = out.astype(object)
        out[frac] = [text[:-1].rstrip("0") + "Z" for text in fine.tolist()]
    out[ns == NAT] = ""
    return out


_MIN_YEAR, _MAX_YEAR = 1678, 2261  # whole years that int64 nanoseconds can hold
_DIGITS = (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18)
_OFFSET_DIGITS = (20, 21, 23, 24)
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def parse_instant_column(
    texts: Sequence[str],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Parse many instants at once in the two commonest forms; flag the rest for `parse_instant`.

    The fast forms are `YYYY-MM-DDTHH:MM:SSZ` and `YYYY-MM-DDTHH:MM:SS+HH:MM` (a space for the
    `T` too). Returns nanoseconds and a mask of the texts parsed; a text outside these forms
    (fractions, naive, invalid dates) is left to the exact per-text parser, which also words
    the error.
    """
    n = len(texts)
    ns = np.zeros(n, dtype=np.int64)
    if n == 0:
        return ns, np.zeros(0, dtype=bool)
    wide = np.array(texts, dtype=str)
    if wide.dtype.itemsize // 4 < 20:
        return ns, np.zeros(n, dtype=bool)
    length = np.char.str_len(wide)
    codes = wide.view(np.uint32).reshape(n, -1)
    if codes.shape[1] < 25:
        codes = np.pad(codes, ((0, 0), (0, 25 - codes.shape[1])))
    # One contiguous row per character position: column-wise work stays in cache.
    c = np.ascontiguousarray(codes[:, :25].T, dtype=np.int32)
    zulu = (length == 20) & ((c[19] == ord("Z")) | (c[19] == ord("z")))
    offset = (length == 25) & ((c[19] == ord("+")) | (c[19] == ord("-"))) & (c[22] == 58)
    ok = (zulu | offset) & (c[4] == 45) & (c[7] == 45) & (c[13] == 58) & (c[16] == 58)
    ok &= (c[10] == ord("T")) | (c[10] == ord(" "))
    d = c - 48
    for i in _DIGITS:
        ok &= (d[i] >= 0) & (d[i] <= 9)
    for i in _OFFSET_DIGITS:
        ok &= zulu | ((d[i] >= 0) & (d[i] <= 9))
    year = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3]
    month = d[5] * 10 + d[6]
    day = d[8] * 10 + d[9]
    hour, minute, second = (d[i] * 10 + d[i + 1] for i in (11, 14, 17))
    ok &= (year >= _MIN_YEAR) & (year <= _MAX_YEAR) & (month >= 1) & (month <= 12)
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
    month = np.where(ok, month, 1)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    ok &= (day >= 1) & (day <= _MONTH_DAYS[month - 1] + ((month == 2) & leap))
    off_h = np.where(zulu, 0, d[20] * 10 + d[21])
    off_m = np.where(zulu, 0, d[23] * 10 + d[24])
    ok &= (off_h <= 23) & (off_m <= 59)
    sign = np.where(c[19] == ord("-"), -1, 1)
    # Days since 1970-01-01 from the civil date (H. Hinnant's days_from_civil), column-wise.
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    days = (era * 146_097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719_468).astype(np.int64)
    seconds = days * 86_400 + (hour * 3600 + minute * 60 + second)
    seconds -= sign * (off_h * 3600 + off_m * 60)
    ns[ok] = seconds[ok] * 1_000_000_000
    return ns, ok
