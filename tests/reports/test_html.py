"""The HTML report: one self-contained file with inline SVG charts, and every text escaped."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from accord.reports.charts import TrendPoint, percent_text, trend_chart, volume_chart
from accord.reports.html import el, esc, render_html, write_html
from accord.services.evaluation import evaluate
from accord.services.reports import ComplianceReport, build_report
from tests import builders

AS_OF = datetime(2026, 4, 2, tzinfo=UTC)


def _report(item_id: str = "INC-1", title: str = "Test agreement") -> ComplianceReport:
    rows = [
        (item_id, "2026-02-02T08:00:00Z", "created", ""),
        (item_id, "2026-02-02T08:00:00Z", "priority", "P1"),
        (item_id, "2026-02-02T09:00:00Z", "resolved", ""),
        ("INC-2", "2026-03-02T08:00:00Z", "created", ""),
        ("INC-2", "2026-03-02T08:00:00Z", "priority", "P2"),
        ("INC-2", "2026-03-03T08:00:00Z", "resolved", ""),
        (item_id + "x", "2026-03-04T08:00:00Z", "created", ""),
        (item_id + "x", "2026-03-04T08:00:00Z", "priority", "P1"),
        (item_id + "x", "2026-03-04T14:00:00Z", "resolved", ""),
    ]
    agreement = replace(
        builders.agreement(builders.target(), builders.target("response")), title=title
    )
    table = builders.table(rows)
    return build_report(
        [agreement], table, evaluate([agreement], table, AS_OF), (2026, 3), generated_at=AS_OF
    )


class _Collector(HTMLParser):
    """Every tag and attribute, to check the document's structure and references."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.references: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.references += [v or "" for k, v in attrs if k in {"href", "src", "xlink:href"}]


def test_the_html_report_is_one_file_with_inline_svg_and_no_external_reference(
    tmp_path: Path,
) -> None:
    path = tmp_path / "report.html"
    write_html(_report(), path)
    text = path.read_text(encoding="utf-8")

    parsed = _Collector()
    parsed.feed(text)
    assert text.startswith("<!DOCTYPE html>")
    assert parsed.tags.count("svg") == 4  # a trend per target, volume of the agreement and all
    assert "script" not in parsed.tags
    assert "link" not in parsed.tags
    assert "img" not in parsed.tags
    assert all(ref.startswith("#") for ref in parsed.references)
    assert not re.search(r"https?://", text)
    assert "@import" not in text
    assert "url(" not in text
    assert "Compliance report – March 2026" in text


def test_the_report_shows_attainment_objective_and_the_breached_items() -> None:
    text = render_html(_report())

    assert "50%" in text  # resolution: INC-2 met, INC-1x breached
    assert "objective 90%" in text
    assert "INC-1x" in text
    assert "Breaches this month: 1" in text


def test_item_ids_and_titles_cannot_inject_markup() -> None:
    text = render_html(_report(item_id="<script>alert(1)</script>", title='"Evil" & <b>co</b>'))

    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&quot;Evil&quot; &amp; &lt;b&gt;co&lt;/b&gt;" in text


def test_a_report_without_agreements_says_so_and_shows_volume() -> None:
    table = builders.table(
        [
            ("X", "2026-03-02T08:00:00Z", "created", ""),
            ("X", "2026-03-02T09:00:00Z", "resolved", ""),
        ]
    )
    report = build_report([], table, evaluate([], table, AS_OF), (2026, 3), generated_at=AS_OF)

    text = render_html(report)

    assert "No agreement has been applied yet" in text
    assert "All items in the workspace" in text
    assert "1h" in text


def test_the_trend_chart_draws_a_bar_per_period_and_the_objective_line() -> None:
    points = [
        TrendPoint("2026-01", date(2026, 1, 1), None, 0, "no data"),
        TrendPoint("2026-02", date(2026, 2, 1), Decimal("0.97"), 100, "met"),
        TrendPoint("2026-03", date(2026, 3, 1), Decimal("0.91"), 80, "missed"),
    ]

    svg = trend_chart(points, Decimal("0.95"), title="a <title>")

    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert svg.count("<rect") == 3
    assert "stroke-dasharray" in svg
    assert "objective 95%" in svg
    assert "no data" in svg
    assert "97%" in svg
    assert "91%" in svg
    assert "a &lt;title&gt;" in svg
    assert "<title>a <title>" not in svg
    assert ">Jan<" in svg
    assert ">2026<" in svg


def test_the_volume_chart_draws_created_and_resolved_per_priority() -> None:
    svg = volume_chart([("P1", 12, 10), ("P2", 0, 3)], title="volume")

    assert svg.count("<rect") == 4 + 2  # two bars per priority, two legend keys
    assert "P1: 12 created" in svg


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Decimal("0.95"), 1, "95%"),
        (Decimal("0.94996"), 2, "94.99%"),
        (Decimal("1"), 2, "100%"),
        (Decimal("0.833333"), 1, "83.3%"),
    ],
)
def test_percentages_are_cut_never_rounded_up(value: Decimal, places: int, text: str) -> None:
    assert percent_text(value, places) == text


def test_markup_helpers_escape_text_and_attributes() -> None:
    assert el("a", "<x>", href='#"q"') == '<a href="#&quot;q&quot;">&lt;x&gt;</a>'
    assert esc(el("b", "ok")) == "<b>ok</b>"
