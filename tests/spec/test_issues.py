"""The wording of shape and type errors, and pydantic locations turned into field paths."""

from __future__ import annotations

import pytest

from accord.errors import ValidationError
from accord.spec import example_agreements_dir, load_agreement_text
from accord.spec.issues import loc_to_path, unknown_key_message

EXAMPLE = (example_agreements_dir() / "it-service-desk-for-sales.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (("spec", "targets", 1, "goal", "P5"), "spec.targets[1].goal.P5"),
        (("spec", "services", 0), "spec.services[0]"),
        (("metadata",), "metadata"),
        ((), ""),
    ],
)
def test_pydantic_locations_become_dotted_paths(loc: tuple[int | str, ...], path: str) -> None:
    assert loc_to_path(loc) == path


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("pause_state", "unknown key; did you mean 'pause_states'?"),
        ("warnat", "unknown key; did you mean 'warn_at'?"),
        ("zzz", "unknown key (allowed: id, pause_states, warn_at)"),
    ],
)
def test_an_unknown_key_gets_a_hint_or_the_allowed_keys(key: str, message: str) -> None:
    assert unknown_key_message(key, ["id", "pause_states", "warn_at"]) == message


def issues_of(old: str, new: str) -> list[tuple[str, str]]:
    assert old in EXAMPLE, old
    with pytest.raises(ValidationError) as info:
        load_agreement_text(EXAMPLE.replace(old, new, 1))
    return [(issue.path, issue.message) for issue in info.value.issues]


@pytest.mark.parametrize(
    ("old", "new", "issue"),
    [
        (
            "services: [service-desk]",
            "services: service-desk",
            ("spec.services", "expected a list, got 'service-desk'"),
        ),
        (
            "provider: it",
            "provider: [it, ops]",
            ("spec.provider", "expected text, got a list"),
        ),
        (
            "provider: it",
            "provider:",
            ("spec.provider", "required: the value is empty"),
        ),
        (
            "validity: {start: 2026-01-01, end: 2026-12-31}",
            "validity: 2026",
            ("spec.validity", "expected a mapping, got '2026'"),
        ),
        (
            "goal: {P1: 30m, P2: 1h, P3: 4h, P4: 8h}",
            "goal: {}",
            ("spec.targets[0].goal", "must not be empty"),
        ),
        (
            "goal: {P1: 30m, P2: 1h, P3: 4h, P4: 8h}",
            "goal: {P1: 30m, P2: 0m, P3: 4h, P4: 8h}",
            ("spec.targets[0].goal.P2", "'0m': a goal must be longer than zero"),
        ),
        (
            "      period: month\n      source: ServiceNow incidents\n    - id",
            "      period: month\n      match: {channel: []}\n    - id",
            ("spec.targets[0].match.channel", "list at least one value to match"),
        ),
        (
            "      period: month\n      source: ServiceNow incidents\n    - id",
            "      period: month\n      match: {channel: {web: 1}}\n    - id",
            (
                "spec.targets[0].match.channel",
                "match values must be plain values, e.g. web or [web, event]",
            ),
        ),
        (
            "kind: Agreement",
            "kind: Agrement",
            ("kind", "'Agrement' is not one of: Agreement, Service"),
        ),
        (
            "  title: IT service desk for Sales\n",
            "  title: IT service desk for Sales\n  owner: me\n",
            ("metadata.owner", "unknown key (allowed: id, title, description)"),
        ),
        (
            "holidays: {country: DE, subdivision: BE}",
            "holidays: {country: DE, subdivision: BE}\n      exeptions: {}",
            ("spec.calendars.office.exeptions", "unknown key; did you mean 'exceptions'?"),
        ),
        (
            "country: DE, subdivision: BE",
            "country: de",
            (
                "spec.calendars.office.holidays.country",
                "'de' is not a country the holidays package knows; did you mean 'DE'?",
            ),
        ),
    ],
)
def test_shape_errors_read_as_sentences(old: str, new: str, issue: tuple[str, str]) -> None:
    assert issues_of(old, new) == [issue]


def test_a_calendar_that_is_not_a_mapping_is_reported_under_its_name() -> None:
    issues = issues_of("    office:\n      timezone: Europe/Berlin\n", "    office: 24x7\n    x:\n")

    assert ("spec.calendars.office", "a calendar must be a mapping") in issues


def test_a_target_with_an_undefined_calendar_lists_the_defined_ones_when_none_is_close() -> None:
    assert issues_of("calendar: office", "calendar: night-shift") == [
        ("spec.targets[0].calendar", "calendar 'night-shift' is not defined; defined: office")
    ]


def test_a_numeric_calendar_name_is_checked_like_any_other() -> None:
    assert issues_of("calendar: office", "calendar: 5") == [
        ("spec.targets[0].calendar", "calendar '5' is not defined; defined: office")
    ]


def test_an_overlap_from_two_written_keys_names_the_days() -> None:
    issues = issues_of(
        'hours: {mon-fri: ["09:00-17:00"]}',
        'hours: {mon-fri: ["09:00-17:00"], mon-tue: ["16:00-18:00"]}',
    )

    assert issues == [
        (
            "spec.calendars.office.hours",
            "intervals 09:00-17:00 and 16:00-18:00 overlap (on mon, tue)",
        )
    ]


def test_an_unknown_subdivision_without_a_close_match_lists_the_known_ones() -> None:
    [(path, message)] = issues_of("subdivision: BE", "subdivision: XQ")

    assert path == "spec.calendars.office.holidays.subdivision"
    assert message.startswith("'XQ' is not a subdivision of DE the holidays package knows (known: ")
    assert "BE, " in message
