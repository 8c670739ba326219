"""Charts as inline SVG, drawn by hand: no JavaScript, no fonts or files fetched from anywhere.

Takes figures already computed by the report service and returns SVG markup in which every
piece of text is escaped. Geometry only: which figure means what is the service's business.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from html import escape

from accord.reports.figures import percent_text

COLOURS = {"met": "#2f7d4f", "missed": "#c0392b", "no data": "#b8bec6"}
OBJECTIVE_COLOUR = "#1d3557"
AXIS_COLOUR = "#5c6773"
GRID_COLOUR = "#e3e7ec"
CREATED_COLOUR = "#4c78a8"
RESOLVED_COLOUR = "#9ecae9"
FONT = "font-family='system-ui, -apple-system, Segoe UI, Roboto, sans-serif'"

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One period of a target: its label, start, attainment (None: no data) and result."""

    label: str
    start: date
    attainment: Decimal | None
    counted: int
    result: str


def trend_chart(
    points: Sequence[TrendPoint], objective: Decimal, *, title: str, width: int = 940
) -> str:
    """Attainment per period as bars (coloured by result) with the objective as a dashed line.

    The y axis starts below the lowest attainment or the objective, whichever is lower, at a
    multiple of 5%, and ends at 100%; periods without data show a grey tick and `no data`.
    """
    height, left, right, top, bottom = 230, 52, 96, 18, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [p.attainment for p in points if p.attainment is not None] + [objective]
    low, step = _axis(min(values))
    span = Decimal(1) - low
    places = _places(step)

    def y(value: Decimal) -> float:
        return top + plot_h * float((Decimal(1) - value) / span)

    parts = [_open_svg(width, height, title)]
    for tick in _ticks(low, step):
        ty = y(tick)
        parts.append(_line(left, ty, left + plot_w, ty, GRID_COLOUR))
        parts.append(_text(left - 8, ty + 4, percent_text(tick, places), anchor="end", size=11))
    parts.append(_line(left, top + plot_h, left + plot_w, top + plot_h, AXIS_COLOUR))
    slot = plot_w / max(len(points), 1)
    bar_w = min(44.0, slot * 0.62)
    labels: list[str] = []  # drawn last, over the objective line
    for i, point in enumerate(points):
        cx = left + slot * (i + 0.5)
        colour = COLOURS.get(point.result, COLOURS["no data"])
        tip = f"{point.label}: {_tip(point)}"
        if point.attainment is None:
            parts.append(
                f"<rect x='{cx - bar_w / 2:.1f}' y='{top + plot_h - 3:.1f}' width='{bar_w:.1f}' "
                f"height='3' fill='{colour}'><title>{escape(tip)}</title></rect>"
            )
            parts.append(_text(cx, top + plot_h - 8, "no data", size=9, fill=AXIS_COLOUR))
        else:
            bar_top = y(point.attainment)
            parts.append(_bar(cx, bar_w, bar_top, top + plot_h, colour, tip))
            labels.append(_bar_label(cx, bar_top, percent_text(point.attainment, places + 1)))
        parts.extend(_period_label(cx, top + plot_h, point, points[i - 1] if i else None))
    objective_text = f"objective {percent_text(objective, places + 1)}"
    parts.extend(_reference_line(left, left + plot_w, y(objective), objective_text))
    parts.extend(labels)
    parts.append("</svg>")
    return "".join(parts)


def volume_chart(rows: Sequence[tuple[str, int, int]], *, title: str, width: int = 620) -> str:
    """Items created and resolved per priority, as grouped bars with a count scale."""
    height, left, right, top, bottom = 200, 52, 16, 30, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([c for _, c, _ in rows] + [r for _, _, r in rows] + [1])
    step = _nice_step(peak)
    top_value = step * math.ceil(peak / step)

    def y(value: int) -> float:
        return top + plot_h * (1 - value / top_value)

    parts = [_open_svg(width, height, title)]
    parts.extend(_count_grid(left, left + plot_w, y, top_value, step))
    parts.append(_line(left, top + plot_h, left + plot_w, top + plot_h, AXIS_COLOUR))
    slot = plot_w / max(len(rows), 1)
    bar_w = min(34.0, slot * 0.34)
    for i, (label, created, resolved) in enumerate(rows):
        cx = left + slot * (i + 0.5)
        for offset, count, colour, what in (
            (-bar_w, created, CREATED_COLOUR, "created"),
            (0.0, resolved, RESOLVED_COLOUR, "resolved"),
        ):
            by = y(count)
            parts.append(
                f"<rect x='{cx + offset:.1f}' y='{by:.1f}' width='{bar_w:.1f}' "
                f"height='{top + plot_h - by:.1f}' fill='{colour}'>"
                f"<title>{escape(f'{label}: {count:,} {what}')}</title></rect>"
            )
        parts.append(_text(cx, top + plot_h + 18, label, size=11))
    for j, (name, colour) in enumerate(
        (("created", CREATED_COLOUR), ("resolved", RESOLVED_COLOUR))
    ):
        lx = left + j * 90
        parts.append(f"<rect x='{lx}' y='8' width='12' height='12' fill='{colour}'/>")
        parts.append(_text(lx + 18, 18, name, anchor="start", size=11))
    parts.append("</svg>")
    return "".join(parts)


def count_chart(
    points: Sequence[tuple[TrendPoint, int]],
    *,
    at_least: int | None,
    at_most: int | None,
    title: str,
    width: int = 940,
) -> str:
    """Items counted per period (bars coloured by result) with the bounds as dashed lines."""
    height, left, right, top, bottom = 230, 52, 96, 18, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    bounds = [b for b in (at_least, at_most) if b is not None]
    peak = max([count for _, count in points] + bounds + [1])
    step = _nice_step(peak)
    top_value = step * math.ceil(peak * 1.1 / step)

    def y(value: int) -> float:
        return top + plot_h * (1 - value / top_value)

    parts = [_open_svg(width, height, title)]
    parts.extend(_count_grid(left, left + plot_w, y, top_value, step))
    parts.append(_line(left, top + plot_h, left + plot_w, top + plot_h, AXIS_COLOUR))
    slot = plot_w / max(len(points), 1)
    bar_w = min(44.0, slot * 0.62)
    labels: list[str] = []
    for i, (point, count) in enumerate(points):
        cx = left + slot * (i + 0.5)
        colour = COLOURS.get(point.result, COLOURS["no data"])
        by = y(count)
        tip = f"{point.label}: {count:,} ({point.result})"
        parts.append(_bar(cx, bar_w, by, top + plot_h, colour, tip))
        labels.append(_bar_label(cx, by, f"{count:,}"))
        parts.extend(_period_label(cx, top + plot_h, point, points[i - 1][0] if i else None))
    for bound, name in ((at_least, "at least"), (at_most, "at most")):
        if bound is not None:
            parts.extend(_reference_line(left, left + plot_w, y(bound), f"{name} {bound:,}"))
    parts.extend(labels)
    parts.append("</svg>")
    return "".join(parts)


def _open_svg(width: int, height: int, title: str) -> str:
    return (
        f"<svg viewBox='0 0 {width} {height}' "
        f"width='{width}' height='{height}' role='img' aria-label='{escape(title)}' {FONT}>"
        f"<title>{escape(title)}</title>"
    )


def _line(x1: float, y1: float, x2: float, y2: float, colour: str) -> str:
    return (
        f"<line x1='{x1:.1f}' y1='{y1:.1f}' x2='{x2:.1f}' y2='{y2:.1f}' "
        f"stroke='{colour}' stroke-width='1'/>"
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "middle",
    size: int = 11,
    fill: str = AXIS_COLOUR,
    halo: bool = False,
) -> str:
    outline = " stroke='#fff' stroke-width='3' paint-order='stroke'" if halo else ""
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}' font-size='{size}' "
        f"fill='{fill}'{outline}>{escape(text)}</text>"
    )


def _count_grid(
    x1: float, x2: float, y: Callable[[int], float], top_value: int, step: int
) -> list[str]:
    """Grid lines and their counts (`1,000`) from 0 to `top_value`, every `step`."""
    parts = []
    for value in range(0, top_value + 1, step):
        parts.append(_line(x1, y(value), x2, y(value), GRID_COLOUR))
        parts.append(_text(x1 - 8, y(value) + 4, f"{value:,}", anchor="end", size=11))
    return parts


def _bar(cx: float, width: float, y_top: float, y_base: float, colour: str, tip: str) -> str:
    """A bar centred on `cx` from `y_base` up to `y_top` (at least 1 high), `tip` on hover."""
    return (
        f"<rect x='{cx - width / 2:.1f}' y='{y_top:.1f}' width='{width:.1f}' "
        f"height='{max(y_base - y_top, 1.0):.1f}' fill='{colour}' rx='2'>"
        f"<title>{escape(tip)}</title></rect>"
    )


def _bar_label(cx: float, y_top: float, text: str) -> str:
    """A bar's figure just above it, haloed so that a line behind it does not hide it."""
    return _text(cx, y_top - 5, text, size=10, fill="#222", halo=True)


def _period_label(
    cx: float, y_axis: float, point: TrendPoint, previous: TrendPoint | None
) -> list[str]:
    """A period's name under the x axis, and the year under that where `_axis_label` gives one."""
    label, year = _axis_label(point, previous)
    parts = [_text(cx, y_axis + 16, label, size=11)]
    if year:
        parts.append(_text(cx, y_axis + 30, year, size=10, fill=AXIS_COLOUR))
    return parts


def _reference_line(x1: int, x2: int, y: float, text: str) -> list[str]:
    """A dashed line across the plot at `y` (an objective or a bound), named right of it."""
    return [
        f"<line x1='{x1}' y1='{y:.1f}' x2='{x2}' y2='{y:.1f}' "
        f"stroke='{OBJECTIVE_COLOUR}' stroke-width='2' stroke-dasharray='6 4'/>",
        _text(x2 + 6, y + 4, text, anchor="start", size=11, fill=OBJECTIVE_COLOUR),
    ]


_STEPS = tuple(
    Decimal(t) for t in ("0.0005", "0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2")
)


def _axis(lowest: Decimal) -> tuple[Decimal, Decimal]:
    """A round lower bound and a tick step for a fraction axis ending at 100%: one step of
    room below `lowest`, at most six steps in all (so 99.95% is not drawn as 100%)."""
    for step in _STEPS:
        low = max(Decimal(0), (lowest / step).to_integral_value(rounding=ROUND_FLOOR) * step - step)
        if (Decimal(1) - low) / step <= 6:
            return low, step
    return Decimal(0), Decimal("0.2")


def _ticks(low: Decimal, step: Decimal) -> list[Decimal]:
    ticks, tick = [], Decimal(1)
    while tick >= low:
        ticks.append(tick)
        tick -= step
    return ticks


def _places(step: Decimal) -> int:
    """Decimals a tick label needs: 0 for whole percents, 1 for 0.5%, 2 for 0.05%."""
    return max(0, -(step * 100).normalize().as_tuple().exponent)  # type: ignore[operator]


def _nice_step(peak: int) -> int:
    raw = max(peak / 5, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    return int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))


def _tip(point: TrendPoint) -> str:
    if point.attainment is None:
        return "no data"
    return f"{percent_text(point.attainment, 2)} of {point.counted:,} ({point.result})"


def _axis_label(point: TrendPoint, previous: TrendPoint | None) -> tuple[str, str]:
    """`Mar` plus the year under the first period and under each January, for month labels."""
    if len(point.label) == 7 and point.label[4] == "-" and point.label[5:].isdigit():
        year = point.label[:4]
        show_year = previous is None or previous.start.year != point.start.year
        return _MONTHS[point.start.month - 1], year if show_year else ""
    return point.label, ""
