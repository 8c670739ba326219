"""Columns of timestamps in a mapping's formats -> exact UTC nanoseconds, fast on repeats.

Owns strptime-style patterns (compiled once to a regular expression) and the wall-time rule for
naive values, which is `accord.ingest.instants.resolve_wall_time`'s (gap and fold), applied per
local hour: an hour without a transition converts by one offset, any other value exactly.
`iso` values go through `accord.ingest.instants` unchanged. Reads no files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import NoReturn
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from accord.engine.events import NAT
from accord.errors import EventLogError
from accord.ingest.instants import parse_instant, parse_instant_column, resolve_wall_time
from accord.ingest.sources.models import ISO

NAIVE_ADVICE = "pass --timezone (or name timezone: in the mapping)"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = _EPOCH.replace(tzinfo=None)  # wall-time arithmetic happens on naive values
_EPOCH_ORDINAL = _NAIVE_EPOCH.toordinal()
_CACHE_LIMIT = 1 << 20  # distinct texts remembered per column before the cache starts afresh
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_PIECES = {
    "Y": r"(?P<Y>\d{4})",
    "y": r"(?P<y>\d{2})",
    "m": r"(?P<m>\d{1,2})",
    "d": r"(?P<d>\d{1,2})",
    "H": r"(?P<H>\d{1,2})",
    "I": r"(?P<I>\d{1,2})",
    "M": r"(?P<M>\d{1,2})",
    "S": r"(?P<S>\d{1,2})",
    "f": r"(?P<f>\d{1,9})",
    "p": r"(?P<p>[AaPp]\.?[Mm]\.?)",
    "b": r"(?P<b>[A-Za-z]{3,9}\.?)",
    "B": r"(?P<b>[A-Za-z]{3,9})",
    "z": r"(?P<z>[Zz]|[+-]\d{2}:?\d{2})",
}


class Pattern:
    """A strptime-style pattern as a regular expression; whitespace matches any run of it."""

    def __init__(self, pattern: str) -> None:
        self.text = pattern
        parts: list[str] = []
        i = 0
        while i < len(pattern):
            char = pattern[i]
            if char == "%" and i + 1 < len(pattern):
                code = pattern[i + 1]
                parts.append("%" if code == "%" else _PIECES[code])
                i += 2
            elif char.isspace():
                while i < len(pattern) and pattern[i].isspace():
                    i += 1
                parts.append(r"\s+")
            else:
                parts.append(re.escape(char))
                i += 1
        self.regex = re.compile("".join(parts) + r"\Z")
        self.has_offset = "%z" in pattern
        self.groups = sorted(self.regex.groupindex, key=self.regex.groupindex.__getitem__)
        self.numeric = set(self.groups) <= set("YymdHMSf")  # readable column-wise

    def read(self, text: str) -> tuple[int, int, int | None] | None:
        """`(local seconds since the epoch, fraction in ns, offset seconds or None)`.

        None when the text does not have this pattern's shape; ValueError when it has the shape
        but is not a real instant (31 February, hour 25).
        """
        match = self.regex.match(text)
        if match is None:
            return None
        g = match.groupdict()
        year = int(g["Y"]) if g.get("Y") else _two_digit_year(int(g["y"]))
        if g.get("b"):
            month = _MONTHS.get(g["b"].rstrip(".").lower(), 0)
            if not month:
                raise ValueError(f"'{g['b']}' is not a month name")
        else:
            month = int(g["m"]) if g.get("m") else 1
        day = int(g["d"]) if g.get("d") else 1
        hour = int(g["H"]) if g.get("H") else 0
        if g.get("I"):
            hour = int(g["I"])
            if not 1 <= hour <= 12:
                raise ValueError(f"hour {hour} on a 12-hour clock")
            hour = hour % 12 + (12 if g.get("p", "a")[:1] in "Pp" else 0)
        minute = int(g["M"]) if g.get("M") else 0
        second = int(g["S"]) if g.get("S") else 0
        if hour > 23 or minute > 59 or second > 59:
            raise ValueError("time of day out of range")
        days = date(year, month, day).toordinal() - _EPOCH_ORDINAL
        fraction = int(g["f"].ljust(9, "0")) if g.get("f") else 0
        offset = _offset_seconds(g["z"]) if g.get("z") else None
        return days * 86_400 + hour * 3600 + minute * 60 + second, fraction, offset


def _two_digit_year(yy: int) -> int:
    return 1900 + yy if yy >= 69 else 2000 + yy  # strptime's rule


def _offset_seconds(text: str) -> int:
    if text in ("Z", "z"):
        return 0
    digits = text[1:].replace(":", "")
    seconds = int(digits[:2]) * 3600 + int(digits[2:]) * 60
    return -seconds if text[0] == "-" else seconds


class TimeParser:
    """Parses one column's texts in its formats (tried in order) into UTC nanoseconds.

    Naive values are read in `tz`; without a zone a naive value raises EventLogError, which
    stops the import: SEMANTICS.md refuses to guess a zone. Results are cached per text, since
    exports repeat instants (a ticket's opening time is on every one of its rows).
    """

    def __init__(self, column: str, formats: Sequence[str], tz: ZoneInfo | None) -> None:
        self.column = column
        self.formats = tuple(formats)
        self.tz = tz
        self.iso = ISO in self.formats
        self.patterns = [Pattern(f) for f in self.formats if f != ISO]
        # Shared by the parsers of one file with the same formats and zone (see `shared`).
        self._cache: dict[str, int | str] = {}
        self._offsets: dict[int, int | None] = {}  # local hour -> its one UTC offset (seconds)

    def shared(self, other: TimeParser) -> TimeParser:
        """This parser, reusing `other`'s caches when both read texts the same way."""
        if other.formats == self.formats and other.tz == self.tz:
            self._cache = other._cache
            self._offsets = other._offsets
        return self

    @property
    def always_naive(self) -> bool:
        """True when no format can carry an offset: then a zone is needed before reading."""
        return not self.iso and not any(p.has_offset for p in self.patterns)

    def parse(self, texts: Sequence[str]) -> tuple[npt.NDArray[np.int64], dict[int, str]]:
        """Nanoseconds per text (`NAT` for an empty one) and, by index, why a text is unreadable."""
        cache = self._cache
        distinct = dict.fromkeys(texts)  # ordered: the first bad text in the file is reported
        distinct.pop("", None)
        new = [text for text in distinct if text not in cache]
        if new:
            if len(cache) + len(new) > _CACHE_LIMIT:
                cache.clear()
            self._fill(new)
        lookup: dict[str, int] = {"": NAT}
        failed: dict[str, str] = {}
        for text in distinct:
            value = cache[text]
            if isinstance(value, str):
                failed[text] = value
                lookup[text] = NAT
            else:
                lookup[text] = value
        out = np.fromiter(map(lookup.__getitem__, texts), dtype=np.int64, count=len(texts))
        errors: dict[int, str] = {}
        if failed:
            errors = {i: failed[text] for i, text in enumerate(texts) if text in failed}
        return out, errors

    def _fill(self, texts: list[str]) -> None:
        """Parse texts not seen before into the cache: the common shapes column-wise first."""
        cache = self._cache
        rest = texts
        if self.iso:
            ns, fast = parse_instant_column(texts)
            rest = []
            for text, value, ok in zip(texts, ns.tolist(), fast.tolist(), strict=True):
                if ok:
                    cache[text] = value
                else:
                    rest.append(text)
        elif self.tz is not None:
            for pattern in self.patterns:
                if not (rest and pattern.numeric):
                    break
                rest = self._fill_numeric(pattern, rest, self.tz)
        for text in rest:
            cache[text] = self._one(text)

    def _fill_numeric(self, pattern: Pattern, texts: list[str], tz: ZoneInfo) -> list[str]:
        """Naive all-number times (`29/2/2016 01:16`) column-wise; return the texts left over.

        A text that does not fit, is not a real date or falls in an hour with a transition is
        left to `_one`, which reads it exactly or words the error.
        """
        match = pattern.regex.match
        matched: list[str] = []
        groups: list[tuple[str, ...]] = []
        rest: list[str] = []
        for text in texts:
            found = match(text.strip())
            if found is None:
                rest.append(text)
            else:
                matched.append(text)
                groups.append(found.groups())
        if not matched:
            return rest
        table = np.array(groups, dtype=str).reshape(len(groups), len(pattern.groups))
        column = {name: table[:, i] for i, name in enumerate(pattern.groups)}
        n = len(matched)

        def number(name: str, default: int) -> npt.NDArray[np.int64]:
            if name not in column:
                return np.full(n, default, dtype=np.int64)
            return column[name].astype(np.int64)

        if "Y" in column:
            year = number("Y", 1970)
        else:
            yy = number("y", 70)
            year = np.where(yy >= 69, 1900 + yy, 2000 + yy)
        month, day = number("m", 1), number("d", 1)
        hour, minute, second = number("H", 0), number("M", 0), number("S", 0)
        fraction = (
            np.char.ljust(column["f"], 9, "0").astype(np.int64)
            if "f" in column
            else np.zeros(n, dtype=np.int64)
        )
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        month_ok = (month >= 1) & (month <= 12)
        last_day = _MONTH_DAYS[np.where(month_ok, month, 1) - 1] + ((month == 2) & leap)
        ok = month_ok & (day >= 1) & (day <= last_day) & (year >= 1678) & (year <= 2261)
        ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
        local = _days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
        hours = local // 3600
        offsets = self._offsets
        for key in np.unique(hours[ok]).tolist():
            if key not in offsets:
                offsets[key] = _clean_offset(key, tz)
        per_row = [offsets.get(key) for key in hours.tolist()]
        clean = ok & np.array([o is not None for o in per_row], dtype=np.bool_)
        offset = np.array([o or 0 for o in per_row], dtype=np.int64)
        utc = (local - offset) * 1_000_000_000 + fraction
        cache = self._cache
        for text, value, good in zip(matched, utc.tolist(), clean.tolist(), strict=True):
            if good:
                cache[text] = value
            else:
                rest.append(text)
        return rest

    def _one(self, text: str) -> int | str:
        """One text's nanoseconds, or the message explaining why it cannot be read."""
        problem = ""
        if self.iso:
            try:
                return parse_instant(text, self.tz)
            except ValueError as exc:
                problem = str(exc)
                if self.tz is None and _reads_in_utc(text):
                    self._refuse(text)
        for pattern in self.patterns:
            try:
                parts = pattern.read(text.strip())
            except ValueError as exc:
                return f"unreadable time '{text}': {exc}"
            if parts is not None:
                return self._instant(text, *parts)
        if problem and not self.patterns:
            return problem
        shapes = " or ".join(f"'{f}'" for f in self.formats)
        return f"unreadable time '{text}' (expected {shapes})"

    def _instant(self, text: str, local: int, fraction: int, offset: int | None) -> int:
        if offset is not None:
            return (local - offset) * 1_000_000_000 + fraction
        tz = self.tz
        if tz is None:
            self._refuse(text)
        hour = local // 3600
        if hour not in self._offsets:
            self._offsets[hour] = _clean_offset(hour, tz)
        hour_offset = self._offsets[hour]
        if hour_offset is not None:
            return (local - hour_offset) * 1_000_000_000 + fraction
        naive = _NAIVE_EPOCH + timedelta(seconds=local, microseconds=fraction // 1000)
        exact = resolve_wall_time(naive, tz) - _EPOCH
        return (exact // timedelta(microseconds=1)) * 1000 + fraction % 1000

    def _refuse(self, text: str) -> NoReturn:
        raise EventLogError(
            f"column {self.column}: naive timestamp '{text}' has no offset and no time zone "
            f"was named; {NAIVE_ADVICE}"
        )


_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _days_from_civil(
    year: npt.NDArray[np.int64], month: npt.NDArray[np.int64], day: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    result: npt.NDArray[np.int64] = (
        era * 146_097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719_468
    )
    return result


def _reads_in_utc(text: str) -> bool:
    try:
        parse_instant(text, "UTC")
    except ValueError:
        return False
    return True


def _clean_offset(hour: int, tz: ZoneInfo) -> int | None:
    """The UTC offset of a local hour when it holds no transition (gap or fold), else None."""
    start = _NAIVE_EPOCH + timedelta(hours=hour)
    end = start + timedelta(seconds=3599)
    first = resolve_wall_time(start, tz)
    last = resolve_wall_time(end, tz)
    offset_first = (start.replace(tzinfo=UTC) - first) // timedelta(seconds=1)
    offset_last = (end.replace(tzinfo=UTC) - last) // timedelta(seconds=1)
    return offset_first if offset_first == offset_last else None
