"""The governance sections of an agreement (definitions, responsibilities, reporting, review,
consequences, termination, sources) -> domain objects, and each of their errors with its line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accord.domain.agreements import Band, ConsequenceKind, RuleKind, TerminationRule
from accord.domain.periods import PeriodKind, PeriodSpec
from accord.errors import ValidationError
from accord.spec import example_agreements_dir, load_agreement_file, load_agreement_text
from accord.spec.templates import template_text

DESK = template_text("service-desk")


def edited(text: str, *edits: tuple[str, str]) -> str:
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def issues_of(text: str) -> list[tuple[str, int | None, str]]:
    with pytest.raises(ValidationError) as info:
        load_agreement_text(text, "broken.yaml")
    return [(i.path, i.line, i.message) for i in info.value.issues]


def test_every_governance_section_of_the_service_desk_template_is_built() -> None:
    agreement = load_agreement_text(DESK)
    assert agreement.items == "incidents"
    assert agreement.definitions["incident"].startswith("An unplanned interruption")
    assert agreement.responsibilities["provider"][0].startswith("Answer every ticket")
    assert len(agreement.responsibilities["customer"]) == 2
    assert agreement.reporting is not None
    assert agreement.reporting.every == PeriodSpec(PeriodKind.MONTH)
    assert agreement.reporting.to == ("sales leadership",)
    assert agreement.review == PeriodSpec(PeriodKind.QUARTER)
    consequences = agreement.consequences
    assert consequences is not None
    assert (consequences.cap, consequences.charge, consequences.currency) == (
        Decimal("0.2"),
        Decimal(12000),
        "EUR",
    )
    response = consequences.items[0]
    assert (response.target, response.kind) == ("response", ConsequenceKind.CHARGEBACK)
    assert response.bands == (
        Band(Decimal("0.9"), Decimal("0.95"), Decimal("0.05")),
        Band(None, Decimal("0.9"), Decimal("0.1")),
    )
    assert agreement.termination == (
        TerminationRule(RuleKind.MISSED_IN_A_ROW, 3, None, frozenset({"response", "resolution"})),
        TerminationRule(RuleKind.NOT_APPROVED_WITHIN, None, 30),
    )
    assert [t.source for t in agreement.targets] == ["ServiceNow incidents"] * 2


def test_an_agreement_without_governance_sections_still_validates_with_defaults() -> None:
    text = edited(
        DESK,
        ("  items: incidents\n", ""),
        ("  termination:\n", "  ignored_termination:\n"),
    )
    text = text[: text.index("  definitions:")] + text[text.index("  targets:") :]
    agreement = load_agreement_text(text)
    assert agreement.items == "items"
    assert agreement.definitions == {}
    assert agreement.responsibilities == {}
    assert (agreement.reporting, agreement.review, agreement.consequences) == (None, None, None)
    assert agreement.termination == ()


def test_a_validity_without_end_has_no_end_date() -> None:
    agreement = load_agreement_text(
        edited(DESK, ("{start: 2026-01-01, end: 2026-12-31}", "{start: 2026-01-01}"))
    )
    assert agreement.validity.end_on is None


def test_the_bundled_agreements_carry_their_sources_and_consequences() -> None:
    for path in sorted(example_agreements_dir().glob("*.yaml")):
        agreement = load_agreement_file(path)
        assert all(t.source for t in agreement.targets), path
        assert agreement.consequences is not None
        assert agreement.consequences.cap is not None
        assert agreement.review is not None
        assert agreement.termination


def test_a_target_override_of_items_is_kept() -> None:
    text = edited(
        DESK, ("      source: ServiceNow incidents\n", "      items: requests\n      source: x\n")
    )
    assert load_agreement_text(text).targets[0].items == "requests"


@pytest.mark.parametrize(
    ("edits", "needle", "path", "message"),
    [
        (
            [("      - target: resolution", "      - target: resolutoin")],
            "target: resolutoin",
            "spec.consequences.items[1].target",
            "'resolutoin' is not a target of this agreement; did you mean 'resolution'?",
        ),
        (
            [
                (
                    "{at_least: 90%, below: 95%, percent: 5%}",
                    "{at_least: 85%, below: 95%, percent: 5%}",
                )
            ],
            "{below: 90%, percent: 10%}",
            "spec.consequences.items[0].bands[1]",
            "overlaps band 0: an attainment would fall in both; bands never overlap, "
            "so exactly one applies",
        ),
        (
            [
                (
                    "{at_least: 90%, below: 95%, percent: 5%}",
                    "{at_least: 95%, below: 90%, percent: 5%}",
                )
            ],
            "{at_least: 95%, below: 90%",
            "spec.consequences.items[0].bands[0]",
            "at_least 95% is not below 90%",
        ),
        (
            [
                (
                    "{at_least: 90%, below: 95%, percent: 5%}",
                    "{at_least: 90%, below: 95%, percent: 0%}",
                )
            ],
            "{at_least: 90%, below: 95%",
            "spec.consequences.items[0].bands[0].percent",
            "'0%' must be more than 0% (and at most 100%)",
        ),
        (
            [("{below: 90%, percent: 10%}", "{below: 90%, percent: 110%}")],
            "{below: 90%, percent: 110%}",
            "spec.consequences.items[0].bands[1].percent",
            "'110%' must lie between 0% and 100%",
        ),
        (
            [("    charge: 12000\n", "")],
            "currency: EUR",
            "spec.consequences.currency",
            "a currency goes with a charge: write charge: 12000 too",
        ),
        (
            [
                (
                    "{rule: missed-in-a-row, periods: 3, targets: [response, resolution]}",
                    "{rule: missed-in-a-row, targets: [response, resolve]}",
                )
            ],
            "{rule: missed-in-a-row",
            "spec.termination[0].periods",
            "required for missed-in-a-row: periods: 3",
        ),
        (
            [("targets: [response, resolution]}", "targets: [response, resolutoin]}")],
            "{rule: missed-in-a-row",
            "spec.termination[0].targets[1]",
            "'resolutoin' is not a target of this agreement; did you mean 'resolution'?",
        ),
        (
            [("{rule: not-approved-within, days: 30}", "{rule: not-approved-within, periods: 2}")],
            "{rule: not-approved-within",
            "spec.termination[1].days",
            "required for not-approved-within: days: 30",
        ),
        (
            [("{rule: not-approved-within, days: 30}", "{rule: not-approved-within, days: 0}")],
            "{rule: not-approved-within",
            "spec.termination[1].days",
            "'0' must be a whole number, 1 or more",
        ),
        (
            [("    to: [sales leadership]", "    to: []")],
            "    to: []",
            "spec.reporting.to",
            "must not be empty",
        ),
        (
            [("  items: incidents\n", "  items: incidents\n  supports: Sales Desk\n")],
            "supports: Sales Desk",
            "spec.supports",
            "'Sales Desk' is not a slug: use lowercase letters, digits and single dashes, "
            "e.g. it-service-desk-for-sales",
        ),
        (
            [("  review: {every: quarter}", "  review: {every: fortnight}")],
            "review: {every",
            "spec.review.every",
            "'fortnight' is not a period; use month, week, quarter or N days (e.g. 28d)",
        ),
    ],
)
def test_governance_errors_name_the_field_and_line(
    edits: list[tuple[str, str]], needle: str, path: str, message: str
) -> None:
    text = edited(DESK, *edits)
    issues = issues_of(text)
    assert (path, line_of(text, needle), message) in issues, issues


def test_a_not_approved_within_rule_takes_no_periods() -> None:
    text = edited(
        DESK,
        (
            "{rule: not-approved-within, days: 30}",
            "{rule: not-approved-within, days: 30, periods: 2}",
        ),
    )
    assert issues_of(text) == [
        (
            "spec.termination[1].periods",
            line_of(text, "{rule: not-approved-within"),
            "a not-approved-within rule takes no periods (only days)",
        )
    ]
