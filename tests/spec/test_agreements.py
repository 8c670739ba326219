"""Agreement YAML -> domain objects: the issue's example, and each error with its file:line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import accord.spec
from accord.domain.agreements import (
    AgreementType,
    PriorityChangePolicy,
    ReopenPolicy,
    TargetKind,
)
from accord.domain.calendars import TimeRange
from accord.domain.periods import PeriodKind, PeriodSpec
from accord.errors import ValidationError
from accord.spec import example_agreements_dir, load_agreement_file, load_agreement_text

EXAMPLE_PATH = example_agreements_dir() / "it-service-desk-for-sales.yaml"
EXAMPLE = EXAMPLE_PATH.read_text(encoding="utf-8")


def broken(*edits: tuple[str, str]) -> str:
    """The issue's example with each `old` text replaced (once) by `new`."""
    text = EXAMPLE
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first occurrence of `needle`."""
    return text[: text.index(needle)].count("\n") + 1


def errors_of(text: str) -> list[str]:
    with pytest.raises(ValidationError) as info:
        load_agreement_text(text, "broken.yaml")
    assert all(issue.file == "broken.yaml" for issue in info.value.issues)
    return [str(issue) for issue in info.value.issues]


def test_the_public_api_is_what_all_lists() -> None:
    assert sorted(accord.spec.__all__) == [
        "FileReport",
        "example_agreements_dir",
        "example_catalog_dir",
        "example_templates_dir",
        "load_agreement_file",
        "load_agreement_text",
        "load_agreements",
        "read_document",
        "validate_paths",
    ]
    assert all(hasattr(accord.spec, name) for name in accord.spec.__all__)


def test_the_issue_example_yields_the_agreement_it_describes() -> None:
    agreement = load_agreement_file(EXAMPLE_PATH)

    assert agreement.id == "it-service-desk-for-sales"
    assert agreement.title == "IT service desk for Sales"
    assert agreement.type is AgreementType.CUSTOMER
    assert (agreement.provider, agreement.customer) == ("it", "sales")
    assert agreement.services == ("service-desk",)
    assert str(agreement.validity.start_on) == "2026-01-01"
    assert str(agreement.validity.end_on) == "2026-12-31"
    assert agreement.priorities == ("P1", "P2", "P3", "P4")
    assert agreement.default_priority is None
    assert agreement.timezone is None
    assert [target.id for target in agreement.targets] == ["response", "resolution"]


def test_the_issue_example_calendar_is_berlin_office_hours_with_berlin_holidays() -> None:
    office = load_agreement_text(EXAMPLE).calendars["office"]

    assert office.timezone == "Europe/Berlin"
    assert office.weekly == ((TimeRange(540, 1020),),) * 5 + ((), ())
    assert (office.holiday_country, office.holiday_subdivision) == ("DE", "BE")


def test_the_issue_example_response_target() -> None:
    response = load_agreement_text(EXAMPLE).target("response")

    assert response.kind is TargetKind.RESPONSE
    assert response.calendar == "office"
    assert {p: d.seconds for p, d in response.goals.items()} == {
        "P1": 1800,
        "P2": 3600,
        "P3": 14400,
        "P4": 28800,
    }
    assert response.objective == Decimal("0.95")
    assert response.period == PeriodSpec(PeriodKind.MONTH)
    assert response.pause_states == frozenset()
    assert response.warn_at == Decimal("0.75")
    assert response.on_priority_change is PriorityChangePolicy.KEEP_ELAPSED
    assert response.effective_reopen is ReopenPolicy.IGNORE
    assert response.match == {}


def test_the_issue_example_resolution_target() -> None:
    resolution = load_agreement_text(EXAMPLE).target("resolution")

    assert resolution.kind is TargetKind.RESOLUTION
    assert {p: d.seconds for p, d in resolution.goals.items()} == {
        "P1": 14400,
        "P2": 28800,
        "P3": 86400,
        "P4": 144000,
    }
    assert all(not d.is_working_days for d in resolution.goals.values())
    assert resolution.objective == Decimal("0.9")
    assert resolution.warn_at == Decimal("0.75")
    assert resolution.pause_states == frozenset({"awaiting customer", "awaiting vendor"})
    assert resolution.on_priority_change is PriorityChangePolicy.KEEP_ELAPSED
    assert resolution.on_reopen is ReopenPolicy.RESUME


def test_a_goal_for_a_priority_the_agreement_lacks_names_its_field_and_line() -> None:
    text = broken(("P4: 40h}", "P4: 40h, P5: 50h}"))

    assert errors_of(text) == [
        f"broken.yaml:{line_of(text, 'P5: 50h')}: spec.targets[1].goal.P5: "
        "no such priority in this agreement"
    ]


def test_an_undefined_calendar_names_its_field_and_line_with_a_hint() -> None:
    text = broken(("calendar: office", "calendar: ofice"))

    assert errors_of(text) == [
        f"broken.yaml:{line_of(text, 'calendar: ofice')}: spec.targets[0].calendar: "
        "calendar 'ofice' is not defined; "
        "did you mean 'office'?"
    ]


# (old text, new text, the text whose line is reported, expected issue without file:line)
BROKEN_COPIES = [
    pytest.param(
        "pause_states:",
        "pause_state:",
        "pause_state:",
        "spec.targets[1].pause_state: unknown key; did you mean 'pause_states'?",
        id="unknown-key",
    ),
    pytest.param(
        "  title: IT service desk for Sales\n",
        "  title: IT service desk for Sales\n  titel: IT\n",
        "titel:",
        "metadata.titel: unknown key; did you mean 'title'?",
        id="unknown-metadata-key",
    ),
    pytest.param(
        "P2: 1h,",
        "P2: 1hr,",
        "P2: 1hr",
        "spec.targets[0].goal.P2: '1hr' is not a duration; write e.g. 30m, 4h, 1h30m, "
        "1d (24 business hours) or 2wd (working days)",
        id="bad-duration",
    ),
    pytest.param(
        "objective: 90%",
        "objective: 90",
        "objective: 90",
        "spec.targets[1].objective: '90' is more than 1; write 90% for a percentage "
        "or a fraction such as 0.95",
        id="objective-without-percent",
    ),
    pytest.param(
        "objective: 95%",
        "objective: lots",
        "objective: lots",
        "spec.targets[0].objective: 'lots' is not a fraction; write e.g. 95% or 0.95",
        id="objective-not-a-number",
    ),
    pytest.param(
        "warn_at: 75%",
        "warn_at: 0%",
        "warn_at",
        "spec.targets[1].warn_at: '0%' must be more than 0% (and at most 100%)",
        id="warn-at-zero",
    ),
    pytest.param(
        "timezone: Europe/Berlin",
        "timezone: Europe/Berln",
        "timezone:",
        "spec.calendars.office.timezone: 'Europe/Berln' is not an IANA time zone; "
        "did you mean 'Europe/Berlin'?",
        id="bad-timezone",
    ),
    pytest.param(
        "  priorities: [P1, P2, P3, P4]",
        "  priorities: [P1, P2, P3, P4]\n  timezone: Europe/Pariss",
        "Pariss",
        "spec.timezone: 'Europe/Pariss' is not an IANA time zone; did you mean 'Europe/Paris'?",
        id="bad-agreement-timezone",
    ),
    pytest.param(
        "country: DE, subdivision: BE",
        "country: XX",
        "country: XX",
        "spec.calendars.office.holidays.country: 'XX' is not a country the holidays package knows",
        id="unknown-holiday-country",
    ),
    pytest.param(
        "subdivision: BE",
        "subdivision: be",
        "subdivision: be",
        "spec.calendars.office.holidays.subdivision: 'be' is not a subdivision of DE the holidays "
        "package knows; did you mean 'BE'?",
        id="unknown-holiday-subdivision",
    ),
    pytest.param(
        '["09:00-17:00"]',
        '["09:00-17:00", "16:30-18:00"]',
        "hours:",
        "spec.calendars.office.hours.mon-fri: intervals 09:00-17:00 and 16:30-18:00 overlap",
        id="overlapping-intervals",
    ),
    pytest.param(
        "mon-fri:",
        "mon-fry:",
        "mon-fry",
        "spec.calendars.office.hours.mon-fry: 'mon-fry' is not a day range; write e.g. mon-fri",
        id="bad-day-range",
    ),
    pytest.param(
        "type: customer",
        "type: client",
        "type: client",
        "spec.type: 'client' is not one of: customer, service, multi-level",
        id="bad-enum",
    ),
    pytest.param(
        "on_reopen: resume",
        "on_reopen: reopen",
        "on_reopen",
        "spec.targets[1].on_reopen: 'reopen' is not one of: resume, new-cycle, ignore",
        id="bad-reopen-policy",
    ),
    pytest.param(
        "  provider: it\n",
        "",
        "spec:",
        "spec.provider: required",
        id="missing-key",
    ),
    pytest.param(
        "    - id: resolution",
        "    - id: response\n      kind: response\n      calendar: office\n"
        "      goal: {P1: 1h}\n      objective: 90%\n    - id: resolution",
        "- id: response\n      kind: response\n      calendar: office\n      goal: {P1: 1h}",
        "spec.targets[1].id: target id 'response' is already used by spec.targets[0]",
        id="duplicate-target-id",
    ),
    pytest.param(
        "  priorities: [P1, P2, P3, P4]",
        "  priorities: [P1, P2, P3, P4]\n  default_priority: P9",
        "default_priority",
        "spec.default_priority: 'P9' is not one of this agreement's priorities (P1, P2, P3, P4)",
        id="unknown-default-priority",
    ),
    pytest.param(
        "[P1, P2, P3, P4]",
        "[P1, P2, P2, P3, P4]",
        "priorities:",
        "spec.priorities[2]: 'P2' is listed twice",
        id="duplicate-priority",
    ),
    pytest.param(
        "{start: 2026-01-01, end: 2026-12-31}",
        "{start: 2027-01-01, end: 2026-12-31}",
        "validity:",
        "spec.validity: start 2027-01-01 is after end 2026-12-31",
        id="validity-start-after-end",
    ),
    pytest.param(
        "start: 2026-01-01",
        "start: 2026-02-30",
        "validity:",
        "spec.validity.start: '2026-02-30' is not a date (YYYY-MM-DD)",
        id="impossible-date",
    ),
    pytest.param(
        "      period: month\n      source: ServiceNow incidents\n    - id",
        "      period: fortnight\n      source: ServiceNow incidents\n    - id",
        "fortnight",
        "spec.targets[0].period: 'fortnight' is not a period; use month, week, quarter or N days "
        "(e.g. 28d)",
        id="bad-period",
    ),
    pytest.param(
        "services: [service-desk]",
        "services: []",
        "services:",
        "spec.services: must not be empty",
        id="empty-services",
    ),
    pytest.param(
        "id: it-service-desk-for-sales",
        "id: IT Service Desk",
        "id: IT",
        "metadata.id: 'IT Service Desk' is not a slug: use lowercase letters, digits and single "
        "dashes, e.g. it-service-desk-for-sales",
        id="id-not-a-slug",
    ),
    pytest.param(
        "apiVersion: accord/v1",
        "apiVersion: accord/v2",
        "apiVersion",
        "apiVersion: 'accord/v2' is not one of: accord/v1",
        id="unsupported-api-version",
    ),
    pytest.param(
        "      warn_at: 75%\n",
        "      warn_at: 75%\n      warn_at: 80%\n",
        "warn_at: 80%",
        "spec.targets[1].warn_at: duplicate key 'warn_at' (first on line 65)",
        id="duplicate-key",
    ),
    pytest.param(
        "goal: {P1: 4h, P2: 8h, P3: 24h, P4: 40h}",
        "goal: {P1: 4h, P2: 8h, P3: 24h, P4: 40h",
        "pause_states",
        "YAML syntax error: while parsing a flow mapping, expected ',' or '}', but got ':' "
        "(column 19); the construct opened on line 61",
        id="yaml-syntax-error",
    ),
]


@pytest.mark.parametrize(("old", "new", "at", "expected"), BROKEN_COPIES)
def test_a_broken_copy_of_the_example_reports_file_line_and_field(
    old: str, new: str, at: str, expected: str
) -> None:
    text = broken((old, new))

    assert errors_of(text) == [f"broken.yaml:{line_of(text, at)}: {expected}"]


def test_several_errors_are_reported_together_in_line_order() -> None:
    text = broken(
        ("type: customer", "type: client"),
        ("timezone: Europe/Berlin", "timezone: Europe/Berln"),
        ("calendar: office", "calendar: ofice"),
        ("P2: 1h,", "P2: 1hr,"),
        ("P4: 40h}", "P4: 40h, P5: 50h}"),
        ("pause_states:", "pause_state:"),
        ("objective: 90%", "objective: 190%"),
    )

    errors = errors_of(text)

    assert [error.split(": ")[1] for error in errors] == [
        "spec.type",
        "spec.calendars.office.timezone",
        "spec.targets[0].calendar",
        "spec.targets[0].goal.P2",
        "spec.targets[1].goal.P5",
        "spec.targets[1].pause_state",
        "spec.targets[1].objective",
    ]
    assert [int(error.split(":")[1]) for error in errors] == [7, 16, 53, 54, 61, 62, 66]


def test_a_document_that_is_not_a_mapping_says_what_an_agreement_is() -> None:
    assert errors_of("- a\n- b\n") == [
        "broken.yaml:1: an agreement must be a mapping with apiVersion, kind, metadata, spec"
    ]


def test_a_missing_file_is_a_validation_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"

    with pytest.raises(ValidationError) as info:
        load_agreement_file(missing)

    assert str(info.value) == f"{missing}: no such file or directory"


def test_a_directory_is_not_an_agreement_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        load_agreement_file(tmp_path)

    assert str(info.value) == f"{tmp_path}: is a directory; name one agreement file"
