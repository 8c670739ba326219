"""How a figure reads to a person: percentages cut (never rounded up), objectives per target kind.

Shared by the HTML report and the terminal so that both say the same thing the same way. Only
formats figures the services computed; it decides nothing.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from accord.engine.calendars import seconds_to_text
from accord.services.reports import PeriodFigures, TargetReport

__all__ = [
    "CLOCK_KINDS",
    "achieved_text",
    "counts_text",
    "duration_text",
    "hours_text",
    "objective_text",
    "percent_text",
    "target_achieved",
    "target_objective",
]

CLOCK_KINDS = ("response", "resolution")
_COUNTED = {"response": "clocks", "resolution": "clocks", "delivery": "occurrences"}


def percent_text(value: Decimal, places: int = 1) -> str:
    """0.9512 -> `95.1%`, 1 -> `100%`: cut, never rounded up (a missed 94.99% never shows 95%)."""
    quantum = Decimal(1).scaleb(-places)
    text = f"{(value * 100).quantize(quantum, rounding=ROUND_FLOOR):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "%"


def objective_text(
    kind: str,
    objective: Decimal,
    *,
    percentile: Decimal | None = None,
    at_least: int | None = None,
    at_most: int | None = None,
) -> str:
    """`95%`, `p90 within goal`, `at least 200`, `200 to 300`, `99.9%` (availability)."""
    if kind == "count":
        if at_least is not None and at_most is not None:
            return f"{at_least:,} to {at_most:,}"
        if at_least is not None:
            return f"at least {at_least:,}"
        if at_most is not None:
            return f"at most {at_most:,}"
    if percentile is not None:
        return f"p{_rank(percentile)} within goal"
    return percent_text(objective, 3 if kind == "availability" else 2)


def achieved_text(
    kind: str,
    attainment: Decimal | None,
    value: Decimal | None,
    *,
    percentile: Decimal | None = None,
) -> str:
    """What a period achieved: a share, a count of items, p90 as a share of its goal."""
    if kind == "count":
        return "no data" if value is None else f"{int(value):,} items"
    if percentile is not None and value is not None:
        return f"p{_rank(percentile)} at {percent_text(value, 1)} of goal"
    if attainment is None:
        return "no data"
    return percent_text(attainment, 3 if kind == "availability" else 2)


def duration_text(seconds: float | Decimal | None, *, days: bool = True) -> str:
    """Seconds to the minute in human units (`1d 2h 5m`, d = 24 hours); `–` for none.

    Business time is shown with `days=False` (`30h 5m`): on an office calendar a "day" of
    24 business hours is three working days, which nobody reads right.
    """
    if seconds is None:
        return "–"
    minutes = round(float(seconds) / 60)
    if not minutes:
        return "< 1m"
    return seconds_to_text(minutes * 60.0) if days else hours_text(minutes * 60)


def hours_text(seconds: float) -> str:
    """Seconds in hours, minutes and seconds, never days: `87h 40m 24s`, `32m`, `0s`."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{v}{u}" for v, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if v]
    return " ".join(parts) or "0s"


def target_objective(t: TargetReport) -> str:
    """A report target's objective as `objective_text` words it."""
    return objective_text(
        t.kind, t.objective, percentile=t.percentile, at_least=t.at_least, at_most=t.at_most
    )


def target_achieved(t: TargetReport, figures: PeriodFigures | None) -> str:
    """What a report target achieved in one of its periods (`no data` for none)."""
    if figures is None:
        return "no data"
    return achieved_text(t.kind, figures.attainment, figures.value, percentile=t.percentile)


def counts_text(t: TargetReport, figures: PeriodFigures | None) -> str:
    """What was counted, in the target kind's words: `9 met, 1 breached of 10 clocks`."""
    if figures is None:
        return "no period of this target overlaps the month"
    if t.kind == "count":
        return f"{figures.counted:,} matching items created"
    if t.kind == "availability":
        return f"{figures.counted:,} unplanned outages"
    met, late = ("on time", "late") if t.kind == "delivery" else ("met", "breached")
    return (
        f"{figures.met:,} {met}, {figures.breached:,} {late} of {figures.counted:,} "
        f"{_COUNTED.get(t.kind, 'counted')}"
    )


def _rank(percentile: Decimal) -> str:
    rank = percentile * 100 if percentile <= 1 else percentile
    return f"{rank.normalize():f}"
