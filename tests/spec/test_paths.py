"""Checking files and directories of agreements: one report per file, clashes between files."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.domain.agreements import PriorityChangePolicy, ReopenPolicy, TargetKind
from accord.errors import ValidationError
from accord.spec import example_agreements_dir, load_agreements, validate_paths

EXAMPLE = (example_agreements_dir() / "it-service-desk-for-sales.yaml").read_text(encoding="utf-8")
BUNDLED = [
    "it-service-desk-for-sales.yaml",
    "leads-marketing-to-sales.yaml",
    "web-hosting-for-marketing.yaml",
]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bundled_examples_all_validate() -> None:
    reports = validate_paths([example_agreements_dir()])

    assert [report.path.name for report in reports] == BUNDLED
    assert [str(issue) for report in reports for issue in report.issues] == []
    assert all(report.ok and report.agreement is not None for report in reports)


def test_the_web_hosting_example_escalates_to_the_strictest_goal_and_reopens_a_new_cycle() -> None:
    [agreement] = load_agreements([example_agreements_dir() / "web-hosting-for-marketing.yaml"])

    assert set(agreement.calendars) == {"always", "office"}
    assert agreement.calendars["always"].is_24x7
    resolution = agreement.target("incident-resolution")
    assert resolution.on_priority_change is PriorityChangePolicy.STRICTEST
    assert resolution.on_reopen is ReopenPolicy.NEW_CYCLE
    assert agreement.target("incident-response").goals["P1"].seconds == 900


def test_the_leads_example_uses_lead_quality_as_priority() -> None:
    [agreement] = load_agreements([example_agreements_dir() / "leads-marketing-to-sales.yaml"])

    assert agreement.priorities == ("hot", "warm", "cold")
    contact = agreement.target("first-contact")
    assert contact.kind is TargetKind.RESPONSE
    assert contact.goals["hot"].seconds == 7200
    assert (contact.goals["warm"].working_days, contact.goals["cold"].working_days) == (1, 2)
    qualification = agreement.target("qualification")
    assert qualification.match == {"channel": frozenset({"web", "event"})}
    assert qualification.on_priority_change is PriorityChangePolicy.RESTART


def test_a_directory_with_a_good_and_a_bad_file_gives_one_report_each(tmp_path: Path) -> None:
    write(tmp_path / "good.yaml", EXAMPLE)
    bad = write(tmp_path / "nested" / "bad.yml", EXAMPLE.replace("P4: 40h}", "P4: 40h, P5: 1h}"))
    write(tmp_path / "notes.txt", "not an agreement")
    write(tmp_path / ".hidden" / "draft.yaml", "not: valid")

    good_report, bad_report = validate_paths([tmp_path])

    assert (good_report.path.name, good_report.ok) == ("good.yaml", True)
    assert good_report.agreement is not None
    assert bad_report.path == bad
    assert bad_report.agreement is None
    assert [str(issue) for issue in bad_report.issues] == [
        f"{bad}:61: spec.targets[1].goal.P5: no such priority in this agreement"
    ]


def test_a_missing_path_and_an_empty_directory_are_issues(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    empty = tmp_path / "empty"
    empty.mkdir()

    reports = validate_paths([missing, empty])

    assert [str(issue) for report in reports for issue in report.issues] == [
        f"{missing}: no such file or directory",
        f"{empty}: no agreement files (*.yaml, *.yml) in this directory",
    ]
    assert all(report.agreement is None for report in reports)


def test_a_file_named_twice_is_checked_once(tmp_path: Path) -> None:
    good = write(tmp_path / "good.yaml", EXAMPLE)

    reports = validate_paths([good, tmp_path])

    assert [report.path for report in reports] == [good]


def test_an_unreadable_file_is_an_issue(tmp_path: Path) -> None:
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")

    [report] = validate_paths([binary])

    assert [str(issue) for issue in report.issues] == [f"{binary}: not UTF-8 text"]


def test_two_files_with_the_same_agreement_id_are_refused(tmp_path: Path) -> None:
    first = write(tmp_path / "a.yaml", EXAMPLE)
    second = write(tmp_path / "b.yaml", "# a copy\n" + EXAMPLE)

    with pytest.raises(ValidationError) as info:
        load_agreements([tmp_path])

    assert [str(issue) for issue in info.value.issues] == [
        f"{second}:5: metadata.id: agreement id 'it-service-desk-for-sales' is already used by "
        f"{first}"
    ]


def test_load_agreements_reports_the_issues_of_every_file(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", EXAMPLE.replace("calendar: office", "calendar: ofice", 1))
    write(tmp_path / "b.yaml", EXAMPLE.replace("id: it-service", "id: other-it-service"))
    write(tmp_path / "c.yaml", "kind: [\n")

    with pytest.raises(ValidationError) as info:
        load_agreements([tmp_path])

    assert [(Path(str(i.file)).name, i.line, i.path) for i in info.value.issues] == [
        ("a.yaml", 53, "spec.targets[0].calendar"),
        ("c.yaml", 2, ""),
    ]


def test_load_agreements_returns_every_agreement_in_file_order(tmp_path: Path) -> None:
    write(tmp_path / "b.yaml", EXAMPLE)
    write(tmp_path / "a.yaml", EXAMPLE.replace("id: it-service", "id: another-it-service"))

    agreements = load_agreements([tmp_path])

    assert [agreement.id for agreement in agreements] == [
        "another-it-service-desk-for-sales",
        "it-service-desk-for-sales",
    ]
