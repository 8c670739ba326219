"""What targets beyond clocks promise: counts, delivery schedules, availability rules (stdlib only).

Immutable data plus the parsing of their small textual forms (ValueError with a readable
reason). No arithmetic on time here: the engine turns schedules into instants and outages into
figures (SEMANTICS.md, "Compliance" and "Availability and reliability").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from accord.domain.calendars import DAY_NAMES, parse_day_spec

MINUTES_PER_DAY = 1440
MONTHLY = "month"


class MaintenanceConvention(StrEnum):
    """How planned maintenance counts in availability (T window, X planned, D unplanned)."""

    EXCLUDE = "exclude"  # A = (T - X - D) / (T - X)
    COUNT_AS_UP = "count-as-up"  # A = (T - D) / T


class TimeBasis(StrEnum):
    """Whether MTTR, MTBF and MTTA are measured in wall-clock time or on the target's calendar."""

    WALL = "wall"
    BUSINESS = "business"


class ClosedDayPolicy(StrEnum):
    """Whether a delivery falls due on a date the target's calendar has no working hours."""

    SKIP = "skip"
    KEEP = "keep"


@dataclass(frozen=True, slots=True)
class CountBounds:
    """How many matching items a period must see: at least and/or at most (inclusive)."""

    at_least: int | None = None
    at_most: int | None = None

    def holds(self, count: int) -> bool:
        """True when `count` lies within both bounds."""
        low_ok = self.at_least is None or count >= self.at_least
        return low_ok and (self.at_most is None or count <= self.at_most)

    def __str__(self) -> str:
        if self.at_least is not None and self.at_most is not None:
            return f"{self.at_least}..{self.at_most}"
        if self.at_least is not None:
            return f">= {self.at_least}"
        return f"<= {self.at_most}"


@dataclass(frozen=True, slots=True)
class DeliverySchedule:
    """When a deliverable is due: weekly on some weekdays, or monthly on a day, at a local time.

    Exactly one of `weekdays` (Monday is 0) and `month_day` (1-31; a day past the end of a
    month means its last day) is set. `window_seconds` limits how long before a due instant a
    delivery counts for it (wall-clock); None counts every delivery since the previous due
    instant.
    """

    weekdays: frozenset[int]
    month_day: int | None
    at_minute: int
    window_seconds: int | None = None
    on_closed_day: ClosedDayPolicy = ClosedDayPolicy.SKIP

    def __str__(self) -> str:
        at = f"{self.at_minute // 60:02d}:{self.at_minute % 60:02d}"
        if self.month_day is not None:
            return f"monthly on day {self.month_day} at {at}"
        days = ",".join(DAY_NAMES[d] for d in sorted(self.weekdays))
        return f"every {days} at {at}"


@dataclass(frozen=True, slots=True)
class BurnAlert:
    """A multiwindow burn-rate alert: it fires when both windows burn at least `burn_rate`."""

    burn_rate: Decimal
    long_window_seconds: int
    short_window_seconds: int

    def can_fire(self, objective: Decimal) -> bool:
        """An error ratio never exceeds 1, so a rule with burn x (1 - objective) > 1 never fires."""
        return self.burn_rate * (1 - objective) <= 1


# The SRE workbook's multiwindow table: 14.4 over 1h and 5m, 6 over 6h and 30m, 1 over 3d and 6h.
SRE_WORKBOOK_ALERTS = (
    BurnAlert(Decimal("14.4"), 3600, 300),
    BurnAlert(Decimal(6), 6 * 3600, 1800),
    BurnAlert(Decimal(1), 3 * 86400, 6 * 3600),
)


@dataclass(frozen=True, slots=True)
class AvailabilityRules:
    """How an availability target reads its outages and measures reliability."""

    maintenance: MaintenanceConvention = MaintenanceConvention.EXCLUDE
    minimum_downtime_seconds: int = 0
    basis: TimeBasis = TimeBasis.WALL
    alerts: tuple[BurnAlert, ...] = ()


def plain(number: Decimal) -> Decimal:
    """`90.0` -> `90`, `14.40` -> `14.4`: no trailing zeros and never an exponent (`9E+1`)."""
    normal = number.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def parse_time_of_day(value: object) -> int:
    """`10:00`, `9:30` -> minutes after midnight (00:00-23:59).

    YAML 1.1 reads an unquoted `10:00` as the base-60 number 600; such a number is read back as
    the time it was written as.
    """
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < MINUTES_PER_DAY:
        return value
    text = str(value).strip()
    hours, sep, minutes = text.partition(":")
    if sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and len(hours) <= 2:
        minute = int(hours) * 60 + int(minutes)
        if int(hours) < 24 and int(minutes) < 60:
            return minute
    raise ValueError(f"'{value}' is not a time of day; write HH:MM between 00:00 and 23:59")


def parse_every(value: object) -> frozenset[int] | None:
    """`mon`, `mon-fri`, `mon,thu` -> weekdays; `month` -> None (monthly)."""
    text = str(value).strip().lower()
    if text in (MONTHLY, "monthly"):
        return None
    try:
        days = parse_day_spec(text)
    except ValueError:
        raise ValueError(
            f"'{value}' is not a schedule; write a weekday (mon), days (mon-fri, mon,thu) "
            "or month (with day: N)"
        ) from None
    return frozenset(days)


def parse_percentile(value: object) -> Decimal:
    """`90`, `99.5`, `90%` -> Decimal('90'); a percentile lies in [1, 100].

    A fraction such as 0.9 is refused: write 90 for the 90th percentile.
    """
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a percentile; write e.g. 90 for the 90th")
    text = str(value).strip().removesuffix("%").strip()
    try:
        result = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"'{value}' is not a percentile; write e.g. 90 for the 90th") from None
    if not result.is_finite() or result > 100 or result <= 0:
        raise ValueError(f"'{value}' must lie between 1 and 100 (e.g. 90 for the 90th percentile)")
    if result < 1:
        whole = plain(result * 100)
        raise ValueError(f"'{value}': write {whole} for the {whole}th percentile")
    return plain(result)


def parse_burn_rate(value: object) -> Decimal:
    """`14.4`, `6`, `1` -> a positive Decimal."""
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a burn rate; write e.g. 14.4")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"'{value}' is not a burn rate; write e.g. 14.4") from None
    if not result.is_finite() or result <= 0:
        raise ValueError(f"'{value}': a burn rate must be more than 0")
    return plain(result)
