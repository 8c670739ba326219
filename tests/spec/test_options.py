"""Values that must reach the domain as written: optional fields, units, YAML 1.2 text."""

from __future__ import annotations

from decimal import Decimal

from accord.domain.agreements import PriorityChangePolicy, ReopenPolicy
from accord.domain.periods import PeriodKind, PeriodSpec
from accord.spec import example_agreements_dir, load_agreement_text

EXAMPLE = (example_agreements_dir() / "it-service-desk-for-sales.yaml").read_text(encoding="utf-8")


def broken(*edits: tuple[str, str]) -> str:
    """The issue's example with each `old` text replaced (once) by `new`."""
    text = EXAMPLE
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_a_d_goal_on_an_office_calendar_and_a_wd_goal_are_both_valid() -> None:
    text = broken(("P3: 24h, P4: 40h", "P3: 1d, P4: 2wd"))

    goals = load_agreement_text(text).target("resolution").goals

    assert (goals["P3"].seconds, goals["P3"].working_days) == (86400, None)
    assert goals["P4"].working_days == 2


def test_country_no_stays_the_text_no() -> None:
    text = broken(("country: DE, subdivision: BE", "country: NO"))

    assert load_agreement_text(text).calendars["office"].holiday_country == "NO"


def test_optional_fields_reach_the_domain() -> None:
    text = broken(
        (
            "  priorities: [P1, P2, P3, P4]",
            "  priorities: [P1, P2, P3, P4]\n  default_priority: P3",
        ),
        ("  customer: sales", "  customer: sales\n  timezone: Europe/London"),
        ("  title: IT service desk for Sales", "  title: IT\n  description: The desk."),
        (
            "      period: month\n      source: ServiceNow incidents\n    - id",
            "      period: 28d\n      match: {channel: [web, 7], vip: true}\n"
            "      description: First answer.\n    - id",
        ),
        ("on_priority_change: keep-elapsed", "on_priority_change: strictest"),
        ("on_reopen: resume", "on_reopen: new-cycle"),
        ("warn_at: 75%", "warn_at: 0.8"),
    )

    agreement = load_agreement_text(text)

    assert agreement.default_priority == "P3"
    assert agreement.timezone == "Europe/London"
    assert agreement.description == "The desk."
    response, resolution = agreement.targets
    assert response.period == PeriodSpec(PeriodKind.DAYS, 28)
    assert response.match == {"channel": frozenset({"web", "7"}), "vip": frozenset({"true"})}
    assert response.description == "First answer."
    assert resolution.on_priority_change is PriorityChangePolicy.STRICTEST
    assert resolution.on_reopen is ReopenPolicy.NEW_CYCLE
    assert resolution.warn_at == Decimal("0.8")


def test_numeric_priorities_and_goal_keys_are_read_as_the_same_text() -> None:
    text = EXAMPLE.replace("[P1, P2, P3, P4]", "[1, 2, 3, 4]")
    for number in "1234":
        text = text.replace(f"P{number}:", f"{number}:")

    agreement = load_agreement_text(text)

    assert agreement.priorities == ("1", "2", "3", "4")
    assert list(agreement.target("resolution").goals) == ["1", "2", "3", "4"]
