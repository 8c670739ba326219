"""The agreement in plain words and as a document: calendars, goals, one sentence per target,
the sections of the Markdown and the HTML (self-contained, escaped)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from accord.domain.agreements import Agreement
from accord.domain.calendars import CalendarSpec
from accord.domain.catalog import CatalogService, ServiceType
from accord.domain.durations import Duration
from accord.domain.lifecycle import AgreementState, Approval
from accord.domain.periods import PeriodSpec
from accord.reports.document import render_html, render_markdown
from accord.reports.words import calendar_words, duration_words, period_words, target_sentences
from accord.spec import example_agreements_dir, load_agreement_file, load_agreement_text
from accord.spec.templates import template_text

OFFICE_WORDS = "Mon-Fri 09:00-17:00 Berlin time, public holidays in Berlin (DE-BE) excepted"


def _calendar(data: dict[str, object]) -> CalendarSpec:
    return CalendarSpec.from_dict({"timezone": "Europe/Berlin", **data})


def _example(name: str) -> Agreement:
    return load_agreement_file(example_agreements_dir() / f"{name}.yaml")


def _template(name: str) -> Agreement:
    return load_agreement_text(template_text(name), f"{name}.yaml")


@pytest.mark.parametrize(
    ("calendar", "words"),
    [
        (
            {
                "hours": {"mon-fri": ["09:00-17:00"]},
                "holidays": {"country": "DE", "subdivision": "BE"},
            },
            OFFICE_WORDS,
        ),
        ({"hours": "24x7"}, "around the clock (24x7)"),
        (
            {"hours": "24x7", "holidays": {"country": "DE"}},
            "around the clock (24x7), public holidays in DE excepted",
        ),
        (
            {"hours": {"mon-thu": ["08:00-12:00", "13:00-17:00"], "fri": ["08:00-14:00"]}},
            "Mon-Thu 08:00-12:00 and 13:00-17:00; Fri 08:00-14:00 Berlin time",
        ),
        ({"hours": {"mon,wed": ["22:00-06:00"]}}, "Mon, Wed 22:00-06:00 Berlin time"),
        (
            {
                "hours": {"mon-fri": ["09:00-17:00"]},
                "holidays": {"dates": ["2026-12-31"]},
                "exceptions": {"2026-12-24": ["09:00-12:00"], "2026-12-28": []},
            },
            "Mon-Fri 09:00-17:00 Berlin time, 2026-12-31 excepted, 2026-12-24 09:00-12:00 only, "
            "closed on 2026-12-28",
        ),
    ],
)
def test_a_calendar_reads_as_its_hours_zone_holidays_and_exceptions(
    calendar: dict[str, object], words: str
) -> None:
    assert calendar_words(_calendar(calendar)) == words


OFFICE = _calendar({"hours": {"mon-fri": ["09:00-17:00"]}})
ALWAYS = _calendar({"hours": "24x7"})


@pytest.mark.parametrize(
    ("goal", "calendar", "words"),
    [
        ("30m", OFFICE, "30 business minutes"),
        ("1h", OFFICE, "1 business hour"),
        ("4h", OFFICE, "4 business hours"),
        ("1h30m", OFFICE, "1 hour 30 minutes of business time"),
        ("1d", OFFICE, "1 business day (24 business hours)"),
        ("24h", OFFICE, "24 business hours"),
        ("2wd", OFFICE, "2 working days"),
        ("1wd", OFFICE, "1 working day"),
        ("15m", ALWAYS, "15 minutes"),
        ("2d", ALWAYS, "2 days (48 hours)"),
        ("90s", ALWAYS, "90 seconds"),
    ],
)
def test_a_goal_reads_in_business_time_on_an_office_calendar_and_plainly_around_the_clock(
    goal: str, calendar: CalendarSpec, words: str
) -> None:
    assert duration_words(Duration.parse(goal), calendar) == words


@pytest.mark.parametrize(
    ("period", "words"),
    [
        ("month", "each calendar month"),
        ("quarter", "each calendar quarter"),
        ("week", "each week (Monday to Sunday)"),
        ("28d", "each block of 28 days from the start of the agreement"),
    ],
)
def test_a_period_reads_as_words(period: str, words: str) -> None:
    assert period_words(PeriodSpec.parse(period)) == words


def test_the_service_desk_example_says_each_priority_s_promise_in_one_sentence() -> None:
    desk = _example("it-service-desk-for-sales")
    assert target_sentences(desk, desk.target("response")) == [
        f"95% of P1 incidents get a first response within 30 business minutes, {OFFICE_WORDS}.",
        f"95% of P2 incidents get a first response within 1 business hour, {OFFICE_WORDS}.",
        f"95% of P3 incidents get a first response within 4 business hours, {OFFICE_WORDS}.",
        f"95% of P4 incidents get a first response within 8 business hours, {OFFICE_WORDS}.",
        "Measured each calendar month over the incidents whose clock is decided in it, all "
        "priorities together, each against the goal of its priority.",
        "The figures come from ServiceNow incidents.",
    ]
    resolution = target_sentences(desk, desk.target("resolution"))
    assert (
        resolution[0]
        == f"90% of P1 incidents are resolved within 4 business hours, {OFFICE_WORDS}."
    )
    assert 'The clock stops while the incident is "awaiting customer" or "awaiting vendor".' in (
        resolution
    )
    assert "A reopened incident's clock resumes where it stopped." in resolution


def test_the_service_desk_template_words_working_days() -> None:
    desk = _template("service-desk")
    sentences = target_sentences(desk, desk.target("resolution"))
    assert sentences[2] == (
        f"90% of P3 incidents are resolved within 3 working days, {OFFICE_WORDS}."
    )


def test_counts_and_the_pipeline_report_read_as_volumes_and_deliveries() -> None:
    leads = _template("sales-marketing")
    assert target_sentences(leads, leads.target("hot-leads"))[:2] == [
        "At least 90 hot leads a month.",
        "Counted each calendar month, by the date each lead is created.",
    ]
    assert target_sentences(leads, leads.target("cold-leads"))[0] == (
        "At most 340 cold leads a month."
    )
    assert target_sentences(leads, leads.target("pipeline-report"))[:2] == [
        "The pipeline report is delivered every Monday by 10:00 Berlin time; 100% on time, "
        "each calendar month.",
        "Nothing falls due on a day without working hours (public holidays in Berlin (DE-BE)).",
    ]


def test_availability_reads_as_its_window_maintenance_and_the_shortest_outage_counted() -> None:
    hosting = _example("web-hosting-for-marketing")
    catalog = {
        "web-hosting": CatalogService(
            "web-hosting", "Web hosting", ServiceType.INFRASTRUCTURE, "it"
        )
    }
    sentences = target_sentences(hosting, hosting.target("availability"), catalog=catalog)
    assert sentences[:3] == [
        "Web hosting is available 99.9% of the service window, around the clock (24x7), each "
        "calendar month, planned maintenance excluded.",
        "Outages shorter than 1 minute are not counted.",
        "MTTR (mean time to restore), MTBF (mean time between failures) and MTTA (mean time to "
        "acknowledge) are reported each calendar month, in wall-clock time.",
    ]
    assert sentences[3].endswith(
        "14.4x over the last hour and the last 5 minutes, 6x over the last 6 hours and the last "
        "30 minutes or 1x over the last 3 days and the last 6 hours."
    )
    without_catalog = target_sentences(hosting, hosting.target("availability"))
    assert without_catalog[0].startswith("The service web-hosting is available 99.9%")


def test_a_percentile_objective_names_its_rank() -> None:
    desk = _example("it-service-desk-for-sales")
    target = replace(desk.target("resolution"), percentile=Decimal(90), objective=Decimal("0.9"))
    sentences = target_sentences(desk, target)
    assert sentences[0] == (
        f"90% of P1 incidents are resolved within 4 business hours (90th percentile), "
        f"{OFFICE_WORDS}."
    )
    assert "the incident at the 90th percentile (nearest rank) must meet its goal" in sentences[4]


def _sections(markdown: str) -> list[str]:
    return re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE)


def test_the_markdown_document_has_every_section_in_order_and_blank_lines_to_sign() -> None:
    markdown = render_markdown(_template("service-desk"))
    assert markdown.startswith(
        "# IT service desk for Sales\n\n*Service level agreement between it and sales*\n"
    )
    assert _sections(markdown) == [
        "1. Parties and services",
        "2. Validity",
        "3. Definitions",
        "4. Service hours",
        "5. Service levels",
        "6. Responsibilities",
        "7. Reporting and review",
        "8. Consequences",
        "9. Termination",
        "10. Signatures",
    ]
    assert (
        f"- 95% of P1 incidents get a first response within 30 business minutes, {OFFICE_WORDS}."
    ) in markdown
    assert (
        "This agreement is in force from 1 January 2026 to 31 December 2026, both days included."
        in markdown
    )
    assert (
        "- **incident:** An unplanned interruption or reduction in quality of an IT service."
        in markdown
    )
    assert "| response | chargeback of the charge | 90% to below 95% | 5% (600 EUR) |" in markdown
    assert (
        "All consequences of one period together never exceed 20% of that period's charge "
        "(2,400 EUR)."
    ) in markdown
    assert "- If a target (resolution or response) is missed in 3 periods in a row." in markdown
    assert "- If no version is approved within 30 days of the first." in markdown
    assert (
        "The provider (it) and the customer (sales) review this agreement each calendar quarter"
    ) in markdown
    assert markdown.count("Signature: ________________________________") == 2
    assert "### For it (provider)" in markdown
    assert "### For sales (customer)" in markdown


def test_sections_the_agreement_leaves_out_are_not_printed_empty() -> None:
    markdown = render_markdown(
        load_agreement_file(example_agreements_dir() / "leads-marketing-to-sales.yaml")
    )
    bare = replace(
        _template("service-desk"),
        definitions={},
        responsibilities={},
        reporting=None,
        review=None,
        consequences=None,
        termination=(),
    )
    assert _sections(render_markdown(bare)) == [
        "1. Parties and services",
        "2. Validity",
        "3. Service hours",
        "4. Service levels",
        "5. Signatures",
    ]
    assert "## 1. Parties and services" in markdown


def test_approvals_fill_the_signature_blocks_and_the_version_and_state_head_the_document() -> None:
    approved_at = datetime(2026, 2, 3, 9, 30, tzinfo=UTC)
    approvals = [
        Approval("service-desk-for-sales", 3, "it", "alice", approved_at),
        Approval(
            "service-desk-for-sales", 2, "sales", "sam", approved_at,
            withdrawn_at=datetime(2026, 2, 4, 8, 0, tzinfo=UTC), withdrawn_reason="version 3",
        ),
    ]  # fmt: skip
    markdown = render_markdown(
        _template("service-desk"),
        version=3,
        state=AgreementState.PENDING_APPROVAL,
        approvals=approvals,
    )
    assert "- **Version:** 3\n- **State:** pending-approval\n" in markdown
    assert "- Approved version 3 by alice on 2026-02-03 09:30 UTC." in markdown
    assert (
        "- Approved version 2 by sam on 2026-02-03 09:30 UTC; withdrawn on 2026-02-04 08:00 UTC "
        "(version 3)."
    ) in markdown
    assert markdown.count("Signature: ") == 0


def test_a_catalog_adds_the_services_titles_and_owners() -> None:
    catalog = {
        "service-desk": CatalogService(
            "service-desk", "IT service desk", ServiceType.BUSINESS_FUNCTION, "it",
            description="Help with IT.", hours="Mon-Fri 08:00-18:00", contact="desk@example.com",
        )
    }  # fmt: skip
    markdown = render_markdown(_template("service-desk"), catalog=catalog)
    assert "| Service | Type | Owner | Hours | Contact |" in markdown
    assert (
        "| IT service desk (service-desk) | business function | it | Mon-Fri 08:00-18:00 | "
        "desk@example.com |"
    ) in markdown
    assert "IT service desk: Help with IT." in markdown


def test_markdown_escapes_what_would_be_markup() -> None:
    agreement = replace(_template("service-desk"), title="Desk *for* <Sales> | [all]")
    assert render_markdown(agreement).startswith("# Desk \\*for\\* \\<Sales\\> \\| \\[all\\]\n")


def test_the_html_document_is_self_contained_escaped_and_numbers_its_pages(tmp_path: Path) -> None:
    agreement = replace(_template("service-desk"), title='Desk <script>alert("x")</script>')
    html = render_html(agreement, version=2, state=AgreementState.DRAFT)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert not re.search(r"""(src|href)=|@import|url\(""", html)
    assert 'content: "page " counter(page) " of " counter(pages)' in html
    assert "size: A4" in html
    assert "· Version 2 · draft" in html  # the running page header
    assert "<h2>5. Service levels</h2>" in html
    assert (
        f"<li>95% of P1 incidents get a first response within 30 business minutes, "
        f"{OFFICE_WORDS}.</li>"
    ) in html
