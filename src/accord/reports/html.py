"""The monthly report as one self-contained HTML file: inline CSS and SVG, nothing fetched.

Renders a `ComplianceReport` built by `accord.services.reports`; it computes no figure. Every
piece of text goes through `esc` (markup is only what this module and `charts` build), so an
item id or agreement title can never inject markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape
from pathlib import Path

from accord.reports.charts import TrendPoint, count_chart, trend_chart, volume_chart
from accord.reports.figures import (
    CLOCK_KINDS,
    counts_text,
    duration_text,
    hours_text,
    target_achieved,
    target_objective,
)
from accord.services.reports import (
    AgreementReport,
    Breach,
    ComplianceReport,
    PeriodFigures,
    PriorityVolume,
    TargetReport,
)

_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class Html(str):
    """Markup that is already safe: built here from escaped parts, never from raw input."""

    __slots__ = ()


def esc(value: object) -> Html:
    """Escape anything that is not already `Html` (quotes too, so it is safe in attributes)."""
    if isinstance(value, Html):
        return value
    return Html(escape(str(value), quote=True))


def el(tag: str, *children: object, **attrs: object) -> Html:
    """An element: attributes and children escaped; `class_` stands for `class`."""
    attributes = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{esc(value)}"'
        for name, value in attrs.items()
        if value is not None
    )
    return Html(f"<{tag}{attributes}>{join(children)}</{tag}>")


def join(children: Iterable[object]) -> Html:
    return Html("".join(esc(child) for child in children))


def render_html(report: ComplianceReport) -> str:
    """The whole report as an HTML document (UTF-8 text)."""
    title = f"Compliance report – {_month_name(report.period)}"
    body = [
        _header(report, title),
        *(el("p", note, class_="note") for note in report.notes),
        _summary(report) if report.agreements else "",
        *(_agreement(a) for a in report.agreements),
        _workspace_volume(report),
        _footer(report),
    ]
    head = join(
        [
            Html('<meta charset="utf-8">'),
            Html('<meta name="viewport" content="width=device-width, initial-scale=1">'),
            el("title", title),
            Html(f"<style>{_CSS}</style>"),
        ]
    )
    return "<!DOCTYPE html>\n" + el("html", el("head", head), el("body", *body), lang="en") + "\n"


def write_html(report: ComplianceReport, path: Path) -> None:
    """Write the report as one HTML file."""
    Path(path).write_text(render_html(report), encoding="utf-8")


def _header(report: ComplianceReport, title: str) -> Html:
    facts = [
        ("Period", report.period),
        ("As of", _when(report.as_of)),
        ("Generated", _when(report.generated_at)),
        ("Agreements", str(len(report.agreements))),
    ]
    return el(
        "header",
        el("h1", title),
        el("dl", *(join([el("dt", k), el("dd", v)]) for k, v in facts), class_="facts"),
    )


def _summary(report: ComplianceReport) -> Html:
    rows = []
    for a in report.agreements:
        for t in a.targets:
            figures = _month_figures(t)
            rows.append(
                el(
                    "tr",
                    el("td", el("a", a.title, href=f"#{a.agreement_id}")),
                    el("td", t.target_id),
                    el("td", target_achieved(t, figures), class_="num"),
                    el("td", target_objective(t), class_="num"),
                    el("td", _badge(figures.result if figures else "no data")),
                )
            )
    head = el(
        "tr",
        *(el("th", h) for h in ("Agreement", "Target")),
        el("th", "Achieved", class_="num"),
        el("th", "Objective", class_="num"),
        el("th", "Result"),
    )
    return el(
        "section",
        el("h2", "Summary"),
        el("table", el("thead", head), el("tbody", *rows)),
        class_="card",
    )


def _agreement(a: AgreementReport) -> Html:
    subtitle = f"{a.provider} → {a.customer} · {a.agreement_id} · times in {a.timezone}"
    parts: list[object] = [el("h2", a.title), el("p", subtitle, class_="muted")]
    parts.extend(_target(a, t) for t in a.targets)
    parts.append(el("h3", "Ticket volume and MTTR per priority"))
    parts.append(_volume_table(a.volume, business=a.business_calendar))
    parts.append(
        Html(
            volume_chart(
                [(v.priority, v.created, v.resolved) for v in a.volume],
                title=f"{a.title}: items created and resolved per priority",
            )
        )
    )
    if a.skipped_items:
        parts.append(
            el(
                "p",
                f"{a.skipped_items:,} items could not be measured (no priority, no goal for "
                "their priority, or no 'created' event); see accord items show.",
                class_="muted",
            )
        )
    return el("section", *parts, class_="card agreement", id=a.agreement_id)


def _target(a: AgreementReport, t: TargetReport) -> Html:
    figures = _month_figures(t)
    result = figures.result if figures else "no data"
    head = el(
        "div",
        el("h3", t.target_id, el("span", f" · {t.kind} target", class_="kind")),
        el("div", target_achieved(t, figures), class_=f"big {result.replace(' ', '-')}"),
        el(
            "div",
            f"{figures.label}: " if figures and t.period_kind != "month" else "",
            f"objective {target_objective(t)} · ",
            _badge(result),
            " · ",
            counts_text(t, figures),
        ),
        class_="target-head",
    )
    parts: list[object] = [head]
    if t.description:
        parts.append(el("p", t.description, class_="muted"))
    if len(t.periods) > 1:
        parts.append(_periods_table(t))
    if t.trend:
        parts.append(el("figure", Html(_chart(a, t)), el("figcaption", _trend_caption(t))))
    if t.reliability:
        parts.append(_reliability_table(t))
    if t.kind in CLOCK_KINDS:
        parts.append(_breaches(t))
    return el("div", *parts, class_="target")


def _chart(a: AgreementReport, t: TargetReport) -> str:
    points = [
        TrendPoint(p.label, p.period_start, p.attainment, p.counted, p.result) for p in t.trend
    ]
    title = f"{a.title}, {t.target_id}: per period"
    if t.kind == "count":
        counted = [(point, p.counted) for point, p in zip(points, t.trend, strict=True)]
        return count_chart(counted, at_least=t.at_least, at_most=t.at_most, title=title)
    return trend_chart(points, t.objective, title=title)


def _trend_caption(t: TargetReport) -> str:
    n = len(t.trend)
    unit = {"month": "month", "week": "week", "quarter": "quarter"}.get(t.period_kind)
    what = f"{n} {unit}{'s' if n != 1 else ''}" if unit else f"{n} periods of {t.period_kind}"
    if t.kind == "count":
        return f"Matching items created per period over the last {what}; dashed: the bounds."
    measure = {"availability": "Availability", "delivery": "Deliveries on time"}.get(
        t.kind, "Share of clocks met"
    )
    return (
        f"{measure} per period over the last {what}, each bar coloured by its result; "
        f"dashed line: the objective, {target_objective(t)}."
    )


def _periods_table(t: TargetReport) -> Html:
    rows = [
        el(
            "tr",
            el("td", p.label),
            el("td", f"{p.counted:,}", class_="num"),
            el("td", f"{p.met:,}", class_="num"),
            el("td", f"{p.breached:,}", class_="num"),
            el("td", target_achieved(t, p), class_="num"),
            el("td", _badge(p.result)),
        )
        for p in t.periods
    ]
    head = el(
        "tr",
        el("th", "Period"),
        *(el("th", h, class_="num") for h in ("Counted", "Met", "Breached", "Achieved")),
        el("th", "Result"),
    )
    return el("table", el("thead", head), el("tbody", *rows))


def _reliability_table(t: TargetReport) -> Html:
    head = el(
        "tr",
        el("th", "Period"),
        *(el("th", h, class_="num") for h in ("MTTR (restore)", "MTBF", "MTTA")),
        *(el("th", h, class_="num") for h in ("Restored", "Failures", "Acknowledged")),
    )
    rows = [
        el(
            "tr",
            el("td", f"{r.period_start:%Y-%m-%d} – {r.period_end:%Y-%m-%d} ({r.basis} time)"),
            el("td", duration_text(r.mttr_seconds, days=r.basis == "wall"), class_="num"),
            el("td", duration_text(r.mtbf_seconds, days=r.basis == "wall"), class_="num"),
            el("td", duration_text(r.mtta_seconds, days=r.basis == "wall"), class_="num"),
            el("td", f"{r.restored:,}", class_="num"),
            el("td", f"{r.failures:,}", class_="num"),
            el("td", f"{r.acknowledged:,}", class_="num"),
        )
        for r in t.reliability
    ]
    return el("table", el("thead", head), el("tbody", *rows))


def _breaches(t: TargetReport) -> Html:
    if t.breach_count == 0:
        return el("p", "No breach in this month.", class_="muted")
    shown = len(t.breaches)
    title = f"Breaches this month: {t.breach_count:,}"
    if shown < t.breach_count:
        title += f" (the first {shown:,} by breach time)"
    head = el(
        "tr",
        *(el("th", h) for h in ("Item", "Priority", "Started", "Breached at")),
        *(el("th", h, class_="num") for h in ("Elapsed", "Goal")),
        el("th", "Now"),
    )
    return el(
        "details",
        el("summary", title),
        el("table", el("thead", head), el("tbody", *(_breach_row(b) for b in t.breaches))),
        open="open" if t.breach_count <= 10 else None,
    )


def _breach_row(b: Breach) -> Html:
    cycle = f" (cycle {b.cycle})" if b.cycle > 1 else ""
    return el(
        "tr",
        el("td", el("code", b.item_id), cycle),
        el("td", b.priority),
        el("td", _when(b.start_at)),
        el("td", _when(b.breached_at)),
        el("td", hours_text(b.elapsed_seconds), class_="num"),
        el("td", hours_text(b.goal_seconds), class_="num"),
        el("td", "running" if b.stop_at is None else f"stopped {_when(b.stop_at)}"),
    )


def _volume_table(rows: tuple[PriorityVolume, ...], *, business: str | None) -> Html:
    headers = ["Created", "Resolved", "MTTR (wall clock)"]
    if business is not None:
        headers.append(f"MTTR (business, {business})")
    head = el("tr", el("th", "Priority"), *(el("th", h, class_="num") for h in headers))
    body = []
    for v in rows:
        cells = [
            el("td", v.priority),
            el("td", f"{v.created:,}", class_="num"),
            el("td", f"{v.resolved:,}", class_="num"),
            el("td", duration_text(v.mttr_seconds), class_="num"),
        ]
        if business is not None:
            cells.append(el("td", duration_text(v.mttr_business_seconds, days=False), class_="num"))
        body.append(el("tr", *cells))
    if not body:
        return el("p", "No item was created or resolved in this month.", class_="muted")
    return el("table", el("thead", head), el("tbody", *body))


def _workspace_volume(report: ComplianceReport) -> Html:
    parts: list[object] = [
        el("h2", "All items in the workspace"),
        el(
            "p",
            f"Every stored item, by its latest priority; the month is cut in {report.timezone}.",
            class_="muted",
        ),
        _volume_table(report.volume, business=None),
    ]
    if report.volume:
        chart = volume_chart(
            [(v.priority, v.created, v.resolved) for v in report.volume],
            title="All items: created and resolved per priority",
        )
        parts.append(Html(chart))
    return el("section", *parts, class_="card")


def _footer(report: ComplianceReport) -> Html:
    return el(
        "footer",
        el(
            "p",
            "Attainment = met / (met + breached) of the clocks decided in the period (a met "
            "clock at its stop, a breached one at its breach); no counted clock is 'no data', "
            "never 100%. MTTR = mean time from created to the final resolution of the items "
            "resolved in the month, pauses included (docs/policies.md, Reports).",
        ),
        el("p", f"{report.format} · accord"),
    )


def _month_figures(t: TargetReport) -> PeriodFigures | None:
    """The target's figures for the month: its month period, else the last overlapping one."""
    return t.periods[-1] if t.periods else None


def _badge(result: str) -> Html:
    return el("span", result, class_=f"badge {result.replace(' ', '-')}")


def _when(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def _month_name(period: str) -> str:
    year, month = period.split("-")
    return f"{_MONTH_NAMES[int(month) - 1]} {year}"


_CSS = """
:root { --ink:#1f2933; --muted:#5c6773; --line:#e3e7ec; --bg:#f5f7fa; --accent:#1d3557;
  --met:#2f7d4f; --missed:#c0392b; --nodata:#8a939e; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; }
header, section, footer { max-width:1040px; margin:0 auto; }
header { padding:28px 24px 8px; }
h1 { margin:0 0 12px; font-size:26px; color:var(--accent); }
h2 { margin:0 0 4px; font-size:20px; color:var(--accent); }
h3 { margin:18px 0 6px; font-size:16px; }
.kind { font-weight:normal; color:var(--muted); font-size:13px; }
.facts { display:flex; flex-wrap:wrap; gap:8px 28px; margin:0; }
.facts dt { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
.facts dd { margin:0; font-weight:600; }
.card { background:#fff; border:1px solid var(--line); border-radius:8px; padding:20px 24px;
  margin:16px auto; }
.note { max-width:1040px; margin:16px auto; padding:12px 16px; background:#fff8e1;
  border:1px solid #f0d98c; border-radius:8px; }
.muted { color:var(--muted); margin:2px 0 10px; }
.target { border-top:1px solid var(--line); margin-top:16px; padding-top:8px; }
.target-head .big { font-size:30px; font-weight:700; line-height:1.2; }
.big.met { color:var(--met); } .big.missed { color:var(--missed); }
.big.no-data { color:var(--nodata); } .big.pending { color:#9a6700; }
table { border-collapse:collapse; width:100%; margin:8px 0 12px; font-size:13px; }
th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); }
th { color:var(--muted); font-weight:600; background:#fafbfc; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px;
  font-weight:600; color:#fff; background:var(--nodata); }
.badge.met { background:var(--met); } .badge.missed { background:var(--missed); }
.badge.pending { background:#9a6700; }
figure { margin:8px 0; } figcaption { color:var(--muted); font-size:12px; }
svg { max-width:100%; height:auto; display:block; }
details summary { cursor:pointer; font-weight:600; margin:6px 0; }
code { font-size:12px; }
a { color:var(--accent); }
footer { padding:8px 24px 32px; color:var(--muted); font-size:12px; }
@media print { body { background:#fff; } .card { border:none; padding:0; } }
"""
