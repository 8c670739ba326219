"""The fast calendar engine against the slow reference, and its invariants under hypothesis.

Instants are drawn uniformly over 2024-2028, around DST transitions and on half-hour marks
(where working intervals open and close), and far outside the first indexed range. Business
seconds are compared with `==`: whole-second and millisecond instants give elapsed times whose
float values are exact on both sides.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.domain.calendars import CalendarSpec
from accord.engine.calendars import BusinessCalendar
from tests.reference import RefCalendar

CALENDARS = {
    "berlin-office": {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": ["09:00-17:00"]},
        "holidays": {"country": "DE", "subdivision": "BE", "dates": ["2026-06-15", "2027-06-14"]},
        "exceptions": {
            "2026-12-24": ["09:00-12:00"],
            "2026-12-31": [],
            "2027-12-24": ["09:00-12:00"],
            "2026-03-28": ["10:00-14:00"],
        },
    },
    "new-york-lunch": {
        "timezone": "America/New_York",
        "hours": {"mon-fri": ["08:00-12:00", "13:00-17:00"]},
        "holidays": {"country": "US"},
    },
    "london-24x7": {"timezone": "Europe/London", "hours": "24x7"},
    "berlin-overnight": {
        "timezone": "Europe/Berlin",
        "hours": {"sat": ["22:00-06:00"], "sun": ["01:00-03:00"]},
        "holidays": {"dates": ["2026-06-13", "2027-03-27"]},
    },
    "kolkata-office": {
        "timezone": "Asia/Kolkata",
        "hours": {"mon-fri": ["09:30-18:30"], "sat": ["10:00-13:00"]},
        "holidays": {"country": "IN"},
    },
    "lord-howe": {
        "timezone": "Australia/Lord_Howe",
        "hours": {"daily": ["00:30-02:45", "09:00-17:00"], "sun": ["20:00-24:00"]},
    },
    "berlin-night": {
        "timezone": "Europe/Berlin",
        "hours": {"daily": ["01:00-03:00", "22:00-24:00"]},
    },
}
NAMES = sorted(CALENDARS)
NS = 1_000_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LO = datetime(2024, 1, 1, tzinfo=UTC)
HI = datetime(2029, 1, 1, tzinfo=UTC)

_REF: dict[str, RefCalendar] = {}
_FAST: dict[str, BusinessCalendar] = {}


def ref(name: str) -> RefCalendar:
    if name not in _REF:
        _REF[name] = RefCalendar(CalendarSpec.from_dict(CALENDARS[name]))
    return _REF[name]


def fast(name: str) -> BusinessCalendar:
    if name not in _FAST:
        _FAST[name] = BusinessCalendar.from_dict(CALENDARS[name])
    return _FAST[name]


def to_ns(instant: datetime) -> int:
    delta = instant.astimezone(UTC) - EPOCH
    return (delta.days * 86400 + delta.seconds) * NS + delta.microseconds * 1000


def from_ns(ns: int) -> datetime:
    assert ns % 1000 == 0, "the reference works in microseconds"
    return EPOCH + timedelta(microseconds=ns // 1000)


def dt64(ns: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
    return np.asarray(ns, dtype=np.int64).view("datetime64[ns]")


def transition_days(zone_name: str, lo: datetime, hi: datetime) -> list[datetime]:
    """UTC midnights of the days on which the zone's UTC offset changes."""
    zone = ZoneInfo(zone_name)
    days = []
    day = lo
    while day < hi:
        if (
            day.astimezone(zone).utcoffset()
            != (day + timedelta(days=1)).astimezone(zone).utcoffset()
        ):
            days.append(day)
        day += timedelta(days=1)
    return days


def random_instants(
    name: str, rng: np.random.Generator, n: int, resolution_ns: int = NS
) -> list[int]:
    """Instants in ns: a third uniform, a third within 3 days of a DST transition, and half
    of all snapped to a half-hour mark."""
    lo_s, hi_s = to_ns(LO) // NS, to_ns(HI) // NS
    uniform = rng.integers(lo_s, hi_s, n).astype(np.int64) * NS
    other = rng.integers(lo_s, hi_s, n).astype(np.int64) * NS
    transitions = transition_days(CALENDARS[name]["timezone"], LO, HI)
    if transitions:
        centres = np.array([to_ns(t) for t in transitions], dtype=np.int64)
        near = rng.choice(centres, n) + rng.integers(-3 * 86400, 4 * 86400, n) * NS
    else:
        near = other
    pick = rng.integers(0, 3, n)
    out = np.where(pick == 0, uniform, np.where(pick == 1, near, other))
    half_hour = 1800 * NS
    snapped = rng.random(n) < 0.5
    fraction = rng.integers(0, NS // resolution_ns, n) * resolution_ns
    out = np.where(snapped, out // half_hour * half_hour, out + fraction)
    return [int(v) for v in out]


def random_seconds(rng: np.random.Generator, n: int) -> list[int]:
    """Business seconds to add: zero, whole half-hours and odd amounts up to 300 hours."""
    raw = rng.integers(0, 300 * 3600, n)
    kind = rng.integers(0, 4, n)
    raw = np.where(kind == 0, 0, np.where(kind == 1, raw // 1800 * 1800, raw))
    return [int(v) for v in raw]


# -- differential ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_fast_elapsed_equals_the_reference_on_random_pairs(name: str) -> None:
    rng = np.random.default_rng(20260301 + NAMES.index(name))
    starts = random_instants(name, rng, 2500)
    lengths = rng.integers(-86400, 45 * 86400, len(starts))
    ends = [
        a + (int(d) // 1800 * 1800 if i % 3 == 0 else int(d)) * NS
        for i, (a, d) in enumerate(zip(starts, lengths, strict=True))
    ]
    got = fast(name).elapsed(dt64(starts), dt64(ends))
    cal = ref(name)
    want = [cal.elapsed(from_ns(a), from_ns(b)) for a, b in zip(starts, ends, strict=True)]
    mismatches = [
        (from_ns(a), from_ns(b), float(g), w)
        for a, b, g, w in zip(starts, ends, got.tolist(), want, strict=True)
        if g != w
    ]
    assert mismatches[:5] == []


@pytest.mark.parametrize("name", NAMES)
def test_fast_add_equals_the_reference_on_random_starts_and_amounts(name: str) -> None:
    rng = np.random.default_rng(20260302 + NAMES.index(name))
    starts = random_instants(name, rng, 2500)
    amounts = random_seconds(rng, len(starts))
    got = fast(name).add(dt64(starts), np.array(amounts, dtype=np.float64))
    cal = ref(name)
    want = [to_ns(cal.add(from_ns(a), s)) for a, s in zip(starts, amounts, strict=True)]
    mismatches = [
        (from_ns(a), s, from_ns(int(g)), from_ns(w))
        for a, s, g, w in zip(starts, amounts, got.view(np.int64).tolist(), want, strict=True)
        if g != w
    ]
    assert mismatches[:5] == []


@pytest.mark.parametrize("name", NAMES)
def test_fast_working_days_equal_the_reference_on_random_starts(name: str) -> None:
    rng = np.random.default_rng(20260303 + NAMES.index(name))
    starts = random_instants(name, rng, 1200)
    days = [int(v) for v in rng.integers(0, 12, len(starts))]
    got = fast(name).add_working_days(dt64(starts), np.array(days, dtype=np.int64))
    cal = ref(name)
    want = [to_ns(cal.add_working_days(from_ns(a), n)) for a, n in zip(starts, days, strict=True)]
    mismatches = [
        (from_ns(a), n, from_ns(int(g)), from_ns(w))
        for a, n, g, w in zip(starts, days, got.view(np.int64).tolist(), want, strict=True)
        if g != w
    ]
    assert mismatches[:5] == []


@pytest.mark.parametrize("name", ["berlin-office", "lord-howe", "new-york-lunch"])
def test_fast_engine_equals_the_reference_at_millisecond_resolution(name: str) -> None:
    rng = np.random.default_rng(7)
    starts = random_instants(name, rng, 400, resolution_ns=1_000_000)
    ends = [
        a + int(d) * 1_000_000
        for a, d in zip(starts, rng.integers(0, 20 * 86400_000, 400), strict=True)
    ]
    cal = ref(name)
    got = fast(name).elapsed(dt64(starts), dt64(ends)).tolist()
    assert got == [cal.elapsed(from_ns(a), from_ns(b)) for a, b in zip(starts, ends, strict=True)]
    amounts = random_seconds(rng, 400)
    added = (
        fast(name).add(dt64(starts), np.array(amounts, dtype=np.float64)).view(np.int64).tolist()
    )
    assert added == [to_ns(cal.add(from_ns(a), s)) for a, s in zip(starts, amounts, strict=True)]


@pytest.mark.parametrize("name", ["berlin-office", "berlin-overnight", "lord-howe"])
def test_fast_engine_extends_its_index_forwards_and_backwards_exactly(name: str) -> None:
    cal, engine = ref(name), BusinessCalendar.from_dict(CALENDARS[name])
    rng = np.random.default_rng(11)
    first = to_ns(datetime(2026, 5, 4, 10, tzinfo=UTC))
    assert engine.elapsed(dt64([first]), dt64([first + 3600 * NS]))[0] == cal.elapsed(
        from_ns(first), from_ns(first + 3600 * NS)
    )
    for year in (2035, 2019, 2041, 2012):
        lo_s = to_ns(datetime(year, 1, 1, tzinfo=UTC)) // NS
        starts = [int(v) * NS for v in rng.integers(lo_s, lo_s + 366 * 86400, 60) // 1800 * 1800]
        ends = [
            a + int(d) * NS for a, d in zip(starts, rng.integers(0, 30 * 86400, 60), strict=True)
        ]
        got = engine.elapsed(dt64(starts), dt64(ends)).tolist()
        assert got == [
            cal.elapsed(from_ns(a), from_ns(b)) for a, b in zip(starts, ends, strict=True)
        ]
        amounts = random_seconds(rng, 60)
        added = (
            engine.add(dt64(starts), np.array(amounts, dtype=np.float64)).view(np.int64).tolist()
        )
        assert added == [
            to_ns(cal.add(from_ns(a), s)) for a, s in zip(starts, amounts, strict=True)
        ]


def test_fast_engine_takes_aware_datetimes_as_scalars() -> None:
    cal, engine = ref("berlin-office"), fast("berlin-office")
    berlin = ZoneInfo("Europe/Berlin")
    friday = datetime(2026, 3, 6, 9, tzinfo=berlin)
    monday = datetime(2026, 3, 9, 9, 1, tzinfo=berlin)
    assert engine.elapsed(friday, monday) == cal.elapsed(friday, monday) == 8 * 3600 + 60
    assert engine.add(friday, 8 * 3600 + 60) == cal.add(friday, 8 * 3600 + 60) == monday
    assert engine.add_working_days(friday, 1) == cal.add_working_days(friday, 1)


instants = st.integers(to_ns(LO) // NS, to_ns(HI) // NS).map(lambda s: s * NS)
amounts = st.integers(0, 400 * 3600)


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(NAMES), a=instants, s=amounts)
def test_fast_add_equals_the_reference_for_any_start_and_amount(name: str, a: int, s: int) -> None:
    got = int(fast(name).add(dt64([a]), np.array([s], dtype=np.float64)).view(np.int64)[0])
    assert from_ns(got) == ref(name).add(from_ns(a), s)


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(NAMES), a=instants, length=st.integers(-86400, 60 * 86400))
def test_fast_elapsed_equals_the_reference_for_any_pair(name: str, a: int, length: int) -> None:
    b = a + length * NS
    got = float(fast(name).elapsed(dt64([a]), dt64([b]))[0])
    assert got == ref(name).elapsed(from_ns(a), from_ns(b))


# -- properties of the fast engine --------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(NAMES), a=instants, s=amounts)
def test_elapsed_from_a_start_to_its_added_instant_is_the_amount(name: str, a: int, s: int) -> None:
    engine = fast(name)
    t = engine.add(dt64([a]), np.array([s], dtype=np.float64))
    assert t.view(np.int64)[0] >= a
    assert float(engine.elapsed(dt64([a]), t)[0]) == s


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    a=instants,
    splits=st.lists(st.integers(0, 20 * 86400), min_size=2, max_size=2),
)
def test_elapsed_is_additive_over_a_split(name: str, a: int, splits: list[int]) -> None:
    engine = fast(name)
    b, c = a + min(splits) * NS, a + max(splits) * NS
    whole, first, second = (
        float(engine.elapsed(dt64([x]), dt64([y]))[0]) for x, y in ((a, c), (a, b), (b, c))
    )
    assert whole == first + second


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(NAMES), a=instants, amounts=st.lists(amounts, min_size=2, max_size=2))
def test_add_is_monotonic_in_the_amount(name: str, a: int, amounts: list[int]) -> None:
    s1, s2 = sorted(amounts)
    t = fast(name).add(dt64([a, a]), np.array([s1, s2], dtype=np.float64)).view(np.int64)
    assert t[0] <= t[1]
    assert s1 == s2 or t[0] < t[1]


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    a=instants,
    ends=st.lists(st.integers(-86400, 20 * 86400), min_size=2, max_size=2),
)
def test_elapsed_is_monotonic_in_the_end(name: str, a: int, ends: list[int]) -> None:
    b1, b2 = (a + d * NS for d in sorted(ends))
    got = fast(name).elapsed(dt64([a, a]), dt64([b1, b2]))
    assert 0 <= got[0] <= got[1]
    assert got[1] - got[0] <= (b2 - b1) / NS
