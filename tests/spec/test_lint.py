"""Spec lint: each finding's code, severity, line and reason, on edits of the service-desk
template (which lints clean but for the `no-catalog` note)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from accord.spec import example_catalog_dir, read_document
from accord.spec.lint import CODES, Finding, Severity, lint_paths, lint_text
from accord.spec.templates import template_text

DESK = template_text("service-desk")
HOSTING = template_text("web-hosting")


def edited(text: str, *edits: tuple[str, str]) -> str:
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def findings(text: str) -> list[tuple[str, Severity, int | None, str]]:
    """(code, severity, line, field) of every finding but the no-catalog note."""
    return [
        (f.code, f.severity, f.line, f.field)
        for f in lint_text(text, "a.yaml")
        if f.code != "no-catalog"
    ]


def test_the_template_alone_gets_only_the_no_catalog_note_on_its_services_line() -> None:
    [note] = lint_text(DESK, "desk.yaml")
    assert (note.code, note.severity, note.line, note.field) == (
        "no-catalog",
        Severity.INFO,
        line_of(DESK, "services:"),
        "spec.services",
    )
    assert note.why == CODES["no-catalog"][1]
    assert (
        str(note)
        == f"desk.yaml:{note.line}: info [no-catalog] spec.services: no service catalog known"
    )


def test_with_a_catalog_the_template_lints_clean() -> None:
    service = read_document(
        (example_catalog_dir() / "service-desk.yaml").read_text(encoding="utf-8"), "s.yaml"
    ).service
    assert service is not None
    assert lint_text(DESK, "desk.yaml", catalog={"service-desk": service}) == []
    services = lint_paths([example_catalog_dir()])
    assert len(services) == 5
    assert all(not r.findings for r in services)


@pytest.mark.parametrize(
    ("edits", "code", "severity", "needle", "field"),
    [
        (
            [("      source: ServiceNow incidents\n", "")],
            "no-data-source",
            Severity.WARNING,
            "- id: response",
            "spec.targets[0]",
        ),
        (
            [
                (
                    "goal: {P1: 4h, P2: 8h, P3: 3wd, P4: 5wd}",
                    "goal: {P1: 4h, P2: 8h, P3: 3d, P4: 5wd}",
                )
            ],
            "unmeasurable-unit",
            Severity.WARNING,
            "goal: {P1: 4h",
            "spec.targets[1].goal.P3",
        ),
        (
            [
                (
                    "goal: {P1: 30m, P2: 1h, P3: 4h, P4: 1wd}",
                    "goal: {P1: 30m, P2: 1h, P3: 4h, P4: 0wd}",
                )
            ],
            "unmeasurable-unit",
            Severity.WARNING,
            "goal: {P1: 30m",
            "spec.targets[0].goal.P4",
        ),
        (
            [("      objective: 95%\n", "      objective: 0%\n")],
            "unmeasurable-unit",
            Severity.WARNING,
            "objective: 0%",
            "spec.targets[0].objective",
        ),
        (
            [("      objective: 95%\n      period: month\n", "      objective: 95%\n")],
            "no-period",
            Severity.WARNING,
            "- id: response",
            "spec.targets[0]",
        ),
        (
            [("  consequences:\n    cap: 20%\n", "  consequences:\n")],
            "uncapped-consequences",
            Severity.WARNING,
            "  consequences:",
            "spec.consequences",
        ),
        (
            [("{below: 80%, percent: 10%}", "{below: 80%, percent: 30%}")],
            "band-above-cap",
            Severity.WARNING,
            "{below: 80%, percent: 30%}",
            "spec.consequences.items[1].bands[1].percent",
        ),
        (
            [("  review: {every: quarter}\n", "")],
            "no-review",
            Severity.WARNING,
            "spec:",
            "spec",
        ),
        (
            [("{start: 2026-01-01, end: 2026-12-31}", "{start: 2026-01-01}")],
            "no-end-date",
            Severity.WARNING,
            "validity:",
            "spec.validity",
        ),
        (
            [
                (
                    "  termination:\n    - {rule: missed-in-a-row, periods: 3, "
                    "targets: [response, resolution]}\n"
                    "    - {rule: not-approved-within, days: 30}\n",
                    "",
                )
            ],
            "no-termination",
            Severity.INFO,
            "spec:",
            "spec",
        ),
    ],
)
def test_each_finding_has_its_code_severity_line_and_field(
    edits: list[tuple[str, str]], code: str, severity: Severity, needle: str, field: str
) -> None:
    text = edited(DESK, *edits)
    assert findings(text) == [(code, severity, line_of(text, needle), field)]


def test_without_responsibilities_the_agreement_gets_an_info_note() -> None:
    start, end = DESK.index("  responsibilities:"), DESK.index("  reporting:")
    text = DESK[:start] + DESK[end:]
    assert findings(text) == [
        ("no-responsibilities", Severity.INFO, line_of(text, "spec:"), "spec")
    ]


def test_a_missing_objective_is_an_error_of_its_own_code() -> None:
    text = edited(DESK, ("      objective: 95%\n", ""))
    [finding] = findings(text)
    assert finding[:2] == ("no-objective", Severity.ERROR)
    assert finding[3] == "spec.targets[0].objective"


def test_an_invalid_agreement_gets_its_issues_as_errors_and_nothing_else() -> None:
    text = edited(DESK, ("calendar: office", "calendar: ofice"))
    assert [(f.code, f.severity, f.line, f.message) for f in lint_text(text, "a.yaml")] == [
        (
            "invalid",
            Severity.ERROR,
            line_of(text, "calendar: ofice"),
            "calendar 'ofice' is not defined; did you mean 'office'?",
        )
    ]


SECOND_RESPONSE = """\
    - id: response-vip
      kind: response
      calendar: office
      goal: {{P1: {p1}, P2: 1h}}
      objective: {objective}
      period: month
      source: ServiceNow incidents
"""


@pytest.mark.parametrize(
    ("p1", "objective", "contradicts"),
    [("30m", "95%", False), ("15m", "95%", True), ("30m", "99%", True)],
)
def test_two_targets_of_one_kind_on_the_same_items_contradict_when_they_differ(
    p1: str, objective: str, contradicts: bool
) -> None:
    text = DESK + SECOND_RESPONSE.format(p1=p1, objective=objective)
    expected = (
        [
            (
                "contradicting-targets",
                Severity.WARNING,
                line_of(text, "- id: response-vip"),
                "spec.targets[2]",
            )
        ]
        if contradicts
        else []
    )
    assert findings(text) == expected


def test_a_target_with_a_narrower_match_is_an_exception_not_a_contradiction() -> None:
    text = DESK + SECOND_RESPONSE.format(p1="15m", objective="95%").replace(
        "      period: month\n      source",
        "      period: month\n      match: {vip: true}\n      source",
    )
    assert findings(text) == []


def test_count_targets_contradict_only_when_their_bounds_cannot_both_hold() -> None:
    leads = template_text("sales-marketing")
    assert findings(leads) == []
    clash = leads.replace("match: {quality: cold}", "match: {quality: [cold, hot]}").replace(
        "objective: {at_least: 90}", "objective: {at_least: 400}"
    )
    [finding] = findings(clash)
    assert finding[0] == "contradicting-targets"


def test_days_on_a_24x7_calendar_are_no_finding() -> None:
    assert "P3: 2d}" in template_text("network")
    assert findings(template_text("network")) == []


def test_lint_paths_knows_a_catalog_from_service_files_among_them(tmp_path: Path) -> None:
    (tmp_path / "desk.yaml").write_text(
        edited(DESK, ("services: [service-desk]", "services: [desk]"))
    )
    alone = lint_paths([tmp_path / "desk.yaml"])
    assert [f.code for f in alone[0].findings] == ["no-catalog"]
    shutil.copytree(example_catalog_dir(), tmp_path / "catalog")

    results = lint_paths([tmp_path])

    by_name = {r.path.name: r for r in results}
    assert [(f.code, f.field) for f in by_name["desk.yaml"].findings] == [
        ("invalid", "spec.services[0]")
    ]
    assert by_name["service-desk.yaml"].service is not None
    assert by_name["service-desk.yaml"].findings == []


def test_every_code_has_a_reason_and_findings_print_with_file_and_line() -> None:
    assert all(why.endswith(".") for _, why in CODES.values())
    finding = Finding("no-review", Severity.WARNING, "a.yaml", 6, "spec", "no review cadence", "x")
    assert str(finding) == "a.yaml:6: warning [no-review] spec: no review cadence"
