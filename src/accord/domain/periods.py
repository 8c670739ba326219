"""Reporting periods: calendar months, weeks, quarters or N-day blocks, as local dates.

A period is `[start, end)` in local dates of the agreement's time zone. Periods are clipped to
the agreement's validity (whose end date is inclusive).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class PeriodKind(StrEnum):
    MONTH = "month"
    WEEK = "week"
    QUARTER = "quarter"
    DAYS = "days"


@dataclass(frozen=True, slots=True)
class PeriodSpec:
    """How an agreement cuts time into periods; `days` is set only for `DAYS` (N-day blocks)."""

    kind: PeriodKind
    days: int | None = None

    @classmethod
    def parse(cls, value: object) -> PeriodSpec:
        """Parse `month`, `week`, `quarter`, or `{days: N}` / `Nd` (N-day blocks from the start)."""
        if isinstance(value, dict):
            if set(value) != {"days"}:
                raise ValueError("a period mapping takes exactly one key, days")
            days = value["days"]
            if not isinstance(days, int) or isinstance(days, bool) or days < 1:
                raise ValueError("period days must be a whole number of days, at least 1")
            return cls(PeriodKind.DAYS, days)
        text = str(value).strip().lower()
        if text.endswith("d") and text[:-1].isdigit() and int(text[:-1]) >= 1:
            return cls(PeriodKind.DAYS, int(text[:-1]))
        try:
            kind = PeriodKind(text)
        except ValueError as exc:
            raise ValueError(
                f"'{value}' is not a period; use month, week, quarter or N days (e.g. 28d)"
            ) from exc
        if kind is PeriodKind.DAYS:
            raise ValueError("write N days as e.g. 28d or {days: 28}")
        return cls(kind)

    def __str__(self) -> str:
        return f"{self.days}d" if self.kind is PeriodKind.DAYS else self.kind.value


@dataclass(frozen=True, slots=True, order=True)
class Period:
    start_on: date
    end_on: date  # exclusive


def _next_boundary(spec: PeriodSpec, day: date, origin: date) -> date:
    if spec.kind is PeriodKind.MONTH:
        return date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    if spec.kind is PeriodKind.QUARTER:
        month = ((day.month - 1) // 3) * 3 + 4
        return date(day.year + (month > 12), (month - 1) % 12 + 1, 1)
    if spec.kind is PeriodKind.WEEK:
        return day + timedelta(days=7 - day.weekday())
    assert spec.days is not None
    offset = (day - origin).days
    return origin + timedelta(days=(offset // spec.days + 1) * spec.days)


def periods_between(spec: PeriodSpec, start_on: date, end_on: date) -> list[Period]:
    """Every period overlapping `[start_on, end_on]` (both inclusive), clipped to that span.

    Months, quarters and ISO weeks (Monday first) follow the calendar; N-day blocks count from
    `start_on`.
    """
    periods: list[Period] = []
    stop = end_on + timedelta(days=1)
    day = start_on
    while day < stop:
        nxt = min(_next_boundary(spec, day, start_on), stop)
        periods.append(Period(day, nxt))
        day = nxt
    return periods


def period_label(period: Period, *, through: str = "..") -> str:
    """A short name: `2026-03` for a month, `2026-Q1` for a quarter, `2026-W10` for an ISO week.

    Any other span is its first and last dates joined by `through` (the end date is exclusive,
    so the day before it is shown): `2026-03-02..2026-03-05`.
    """
    start, end = period.start_on, period.end_on
    if start.day == 1 and end.day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month
        if months == 1:
            return f"{start:%Y-%m}"
        if months == 3 and start.month % 3 == 1:
            return f"{start.year}-Q{start.month // 3 + 1}"
    if (end - start).days == 7 and start.weekday() == 0:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start.isoformat()}{through}{(end - timedelta(days=1)).isoformat()}"
