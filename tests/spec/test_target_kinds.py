"""Target kinds beyond clocks in `accord/v1`: what they build, and each error with file:line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accord.domain.agreements import TargetKind
from accord.domain.measures import (
    SRE_WORKBOOK_ALERTS,
    AvailabilityRules,
    BurnAlert,
    ClosedDayPolicy,
    CountBounds,
    DeliverySchedule,
    MaintenanceConvention,
    TimeBasis,
)
from accord.errors import ValidationError
from accord.spec import example_agreements_dir, load_agreement_file, load_agreement_text

BASE = (example_agreements_dir() / "it-service-desk-for-sales.yaml").read_text(encoding="utf-8")

KINDS = """\
    - id: resolution-p90
      kind: resolution
      calendar: office
      goal: {P1: 1wd, P2: 2wd, P3: 3wd, P4: 5wd}
      objective: {percentile: 90}
    - id: p1-per-month
      kind: count
      calendar: office
      priorities: [P1]
      objective: {at_least: 2, at_most: 10}
      period: week
    - id: status-report
      kind: delivery
      calendar: office
      match: {deliverable: status-report}
      due: {every: mon, at: 10:00, window: 3d}
      objective: 100%
    - id: monthly-review
      kind: delivery
      calendar: office
      due: {every: month, day: 31, at: "09:30", on_closed_day: keep}
      objective: 90%
    - id: availability
      kind: availability
      calendar: office
      objective: 99.5%
      maintenance: count-as-up
      minimum_downtime: 1m
      clock: business
      alerts: sre-workbook
    - id: availability-custom
      kind: availability
      calendar: office
      objective: 99.9%
      alerts: [{burn_rate: 14.4, long_window: 1h, short_window: 5m}]
"""


def with_targets(extra: str) -> str:
    return BASE + extra


def errors_of(text: str) -> list[str]:
    with pytest.raises(ValidationError) as info:
        load_agreement_text(text, "broken.yaml")
    return [str(issue) for issue in info.value.issues]


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_every_kind_builds_its_domain_target() -> None:
    agreement = load_agreement_text(with_targets(KINDS))
    by_id = {t.id: t for t in agreement.targets}

    p90 = by_id["resolution-p90"]
    assert (p90.kind, p90.percentile, p90.objective) == (TargetKind.RESOLUTION, 90, Decimal("0.9"))
    assert p90.is_clock
    assert p90.error_budget is None

    counted = by_id["p1-per-month"]
    assert (counted.kind, counted.count, counted.priorities) == (
        TargetKind.COUNT,
        CountBounds(2, 10),
        frozenset({"P1"}),
    )
    assert (counted.objective, counted.goals, counted.is_clock) == (Decimal(1), {}, False)

    report = by_id["status-report"]
    assert report.due == DeliverySchedule(frozenset({0}), None, 600, 3 * 86_400)
    assert report.error_budget == Decimal(0)
    monthly = by_id["monthly-review"]
    assert monthly.due == DeliverySchedule(frozenset(), 31, 570, None, ClosedDayPolicy.KEEP)

    assert by_id["availability"].availability == AvailabilityRules(
        MaintenanceConvention.COUNT_AS_UP, 60, TimeBasis.BUSINESS, SRE_WORKBOOK_ALERTS
    )
    assert by_id["availability"].error_budget == Decimal("0.005")
    custom = by_id["availability-custom"].availability
    assert custom == AvailabilityRules(alerts=(BurnAlert(Decimal("14.4"), 3600, 300),))


def test_the_bundled_examples_use_the_new_kinds() -> None:
    leads = load_agreement_file(example_agreements_dir() / "leads-marketing-to-sales.yaml")
    kinds = {t.id: t.kind for t in leads.targets}
    assert kinds["hot-leads"] is TargetKind.COUNT
    assert kinds["pipeline-report"] is TargetKind.DELIVERY
    web = load_agreement_file(example_agreements_dir() / "web-hosting-for-marketing.yaml")
    availability = web.target("availability")
    assert availability.objective == Decimal("0.999")
    assert availability.availability is not None
    assert availability.availability.maintenance is MaintenanceConvention.EXCLUDE
    assert web.validity.start_on == date(2026, 1, 1)


TARGET = """\
    - id: extra
      kind: {kind}
      calendar: office
{body}"""


def target(kind: str, body: str) -> str:
    indented = "".join(f"      {line}\n" for line in body.strip("\n").split("\n"))
    return with_targets(TARGET.format(kind=kind, body=indented))


@pytest.mark.parametrize(
    ("kind", "body", "at", "expected"),
    [
        pytest.param(
            "count",
            "objective: 95%",
            "objective: 95%",
            "spec.targets[2].objective: a count target's objective gives bounds: "
            "{at_least: 20} and/or {at_most: 40}",
            id="count-with-a-share",
        ),
        pytest.param(
            "count",
            "objective: {at_least: 5, at_most: 2}",
            "objective:",
            "spec.targets[2].objective: at_least 5 is more than at_most 2",
            id="bounds-crossed",
        ),
        pytest.param(
            "count",
            "objective: {at_least: -1}",
            "objective:",
            "spec.targets[2].objective: at_least must be a whole number of items, 0 or more; "
            "got '-1'",
            id="negative-bound",
        ),
        pytest.param(
            "count",
            "objective: {at_least: 1, most: 2}",
            "objective:",
            "spec.targets[2].objective: unknown key 'most' (allowed: percentile, or at_least "
            "and at_most)",
            id="unknown-bound",
        ),
        pytest.param(
            "count",
            "objective: {at_least: 1}\npriorities: [P9]",
            "priorities:",
            "spec.targets[2].priorities: 'P9' is not one of this agreement's priorities",
            id="unknown-priority",
        ),
        pytest.param(
            "count",
            "objective: {at_least: 1}\ngoal: {P1: 1h}",
            "goal:",
            "spec.targets[2].goal: a count target takes no goal (only response and resolution "
            "targets do)",
            id="count-with-a-goal",
        ),
        pytest.param(
            "resolution",
            "objective: 90%",
            "- id: extra",
            "spec.targets[2].goal: required for resolution targets: a goal per priority, "
            "e.g. {P1: 4h, P2: 8h}",
            id="clock-without-goal",
        ),
        pytest.param(
            "resolution",
            "goal: {P1: 4h}\nobjective: {percentile: 0.9}",
            "objective:",
            "spec.targets[2].objective: '0.9': write 90 for the 90th percentile",
            id="percentile-as-a-fraction",
        ),
        pytest.param(
            "resolution",
            "goal: {P1: 4h}\nobjective: {percentile: 120}",
            "objective:",
            "spec.targets[2].objective: '120' must lie between 1 and 100 (e.g. 90 for the 90th "
            "percentile)",
            id="percentile-too-high",
        ),
        pytest.param(
            "availability",
            "objective: {percentile: 90}",
            "objective:",
            "spec.targets[2].objective: a percentile objective is for response and resolution "
            "targets; write a share such as 99.9%",
            id="percentile-on-availability",
        ),
        pytest.param(
            "delivery",
            "objective: 90%",
            "- id: extra",
            "spec.targets[2].due: required for delivery targets: a schedule, e.g. "
            '{every: mon, at: "10:00"}',
            id="delivery-without-due",
        ),
        pytest.param(
            "delivery",
            'objective: 90%\ndue: {every: monday, at: "10:00"}',
            "due:",
            "spec.targets[2].due.every: 'monday' is not a schedule; write a weekday (mon), days "
            "(mon-fri, mon,thu) or month (with day: N)",
            id="unknown-weekday",
        ),
        pytest.param(
            "delivery",
            'objective: 90%\ndue: {every: mon, at: "10h"}',
            "due:",
            "spec.targets[2].due.at: '10h' is not a time of day; write HH:MM between 00:00 and "
            "23:59",
            id="bad-time",
        ),
        pytest.param(
            "delivery",
            'objective: 90%\ndue: {every: month, at: "10:00"}',
            "due:",
            "spec.targets[2].due: a monthly schedule needs day: N (1-31)",
            id="month-without-day",
        ),
        pytest.param(
            "delivery",
            'objective: 90%\ndue: {every: month, day: 32, at: "10:00"}',
            "due:",
            "spec.targets[2].due: day 32 is not a day of the month (1-31)",
            id="day-out-of-range",
        ),
        pytest.param(
            "delivery",
            'objective: 90%\ndue: {every: mon, at: "10:00", window: 2wd}',
            "due:",
            "spec.targets[2].due.window: '2wd': working days (wd) are not a span of time here; "
            "write e.g. 5m, 1h or 3d",
            id="window-in-working-days",
        ),
        pytest.param(
            "delivery",
            'objective: 90%\ndue: {every: mon, at: "10:00", when: x}',
            "due:",
            "spec.targets[2].due.when: unknown key (allowed: every, at, day, window, "
            "on_closed_day)",
            id="unknown-due-key",
        ),
        pytest.param(
            "availability",
            "objective: 99.9%\nmaintenance: ignore",
            "maintenance:",
            "spec.targets[2].maintenance: 'ignore' is not one of: exclude, count-as-up",
            id="unknown-maintenance",
        ),
        pytest.param(
            "availability",
            "objective: 99.9%\nminimum_downtime: soon",
            "minimum_downtime:",
            "spec.targets[2].minimum_downtime: 'soon' is not a duration; write e.g. 30m, 4h, "
            "1h30m, 1d (24 business hours) or 2wd (working days)",
            id="bad-minimum",
        ),
        pytest.param(
            "availability",
            "objective: 99.9%\nclock: cpu",
            "clock:",
            "spec.targets[2].clock: 'cpu' is not one of: wall, business",
            id="unknown-clock",
        ),
        pytest.param(
            "availability",
            "objective: 99.9%\npause_states: [x]",
            "pause_states:",
            "spec.targets[2].pause_states: an availability target takes no pause_states (only "
            "response and resolution targets do)",
            id="availability-with-pauses",
        ),
        pytest.param(
            "response",
            "goal: {P1: 1h}\nobjective: 95%\nmaintenance: exclude",
            "maintenance:",
            "spec.targets[2].maintenance: a response target takes no maintenance (only "
            "availability targets do)",
            id="clock-with-maintenance",
        ),
        pytest.param(
            "availability",
            "objective: 90%\nalerts: sre-workbook",
            "alerts:",
            "spec.targets[2].alerts: a burn rate of 14.4 can never fire with an error budget of "
            "0.1 (14.4 x 0.1 = 1.44 > 1, and an error ratio never exceeds 1); lower the burn "
            "rate or raise the objective",
            id="workbook-rule-that-cannot-fire",
        ),
        pytest.param(
            "availability",
            "objective: 99%\nalerts:\n  - {burn_rate: 200, long_window: 1h, short_window: 5m}",
            "- {burn_rate",
            "spec.targets[2].alerts[0].burn_rate: a burn rate of 200 can never fire with an "
            "error budget of 0.01 (200 x 0.01 = 2 > 1, and an error ratio never exceeds 1); "
            "lower the burn rate or raise the objective",
            id="custom-rule-that-cannot-fire",
        ),
        pytest.param(
            "availability",
            "objective: 99.9%\nalerts:\n  - {burn_rate: 6, long_window: 5m, short_window: 1h}",
            "- {burn_rate",
            "spec.targets[2].alerts[0]: short_window must be shorter than long_window",
            id="windows-swapped",
        ),
        pytest.param(
            "availability",
            "objective: 99.9%\nalerts: all",
            "alerts:",
            "spec.targets[2].alerts: 'all': write sre-workbook or a list of rules",
            id="unknown-alert-set",
        ),
        pytest.param(
            "availabilty",
            "objective: 99.9%",
            "kind: availabilty",
            "spec.targets[2].kind: 'availabilty' is not one of: response, resolution, count, "
            "delivery, availability",
            id="misspelt-kind",
        ),
    ],
)
def test_a_bad_field_of_a_new_kind_reports_file_line_and_path(
    kind: str, body: str, at: str, expected: str
) -> None:
    text = target(kind, body)
    start = text.index("- id: extra")
    line = text[: start + text[start:].index(at)].count("\n") + 1
    assert errors_of(text) == [f"broken.yaml:{line}: {expected}"]


def test_an_unquoted_time_reads_as_written() -> None:
    # YAML 1.1 reads 10:00 as the number 600 (base 60); it is the time 10:00 all the same.
    agreement = load_agreement_text(with_targets(KINDS))
    assert agreement.target("status-report").due is not None
    assert agreement.target("status-report").due.at_minute == 600


def test_a_schedule_may_name_several_weekdays() -> None:
    text = target("delivery", 'objective: 90%\ndue: {every: "mon,thu", at: "08:00"}')
    due = load_agreement_text(text).target("extra").due
    assert due is not None
    assert (due.weekdays, str(due)) == (frozenset({0, 3}), "every mon,thu at 08:00")


def test_stop_on_names_the_events_that_stop_a_clock() -> None:
    from accord.domain.events import EventKind
    from accord.spec import load_agreement_text
    from accord.spec.agreements import example_agreements_dir

    text = (example_agreements_dir() / "it-service-desk-for-sales.yaml").read_text()
    closure = text.replace(
        "      on_reopen: resume", "      on_reopen: resume\n      stop_on: [closed]"
    )
    agreement = load_agreement_text(closure, "closure.yaml")
    assert agreement.target("resolution").stop_events == frozenset({EventKind.CLOSED})
    assert agreement.target("response").stop_events == frozenset(
        {EventKind.RESPONDED, EventKind.RESOLVED, EventKind.CLOSED}
    )
    bad = text.replace(
        "      on_reopen: resume", "      on_reopen: resume\n      stop_on: [finished]"
    )
    with pytest.raises(ValidationError) as caught:
        load_agreement_text(bad, "bad.yaml")
    (issue,) = caught.value.issues
    assert issue.path == "spec.targets[1].stop_on[0]"
    lines = bad.splitlines()
    assert issue.line == next(i for i, t in enumerate(lines, 1) if "stop_on: [finished]" in t)
    assert "'finished' is not one of: responded, resolved, closed" in issue.message
