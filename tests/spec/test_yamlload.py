"""YAML loading: plain values, the line of every key and item, YAML 1.2 booleans, duplicates."""

from __future__ import annotations

from datetime import date

import pytest

from accord.spec.yamlload import SourceMap, load_yaml, parent_path

DOCUMENT = """\
spec:
  calendars:
    office:
      holidays: {country: NO}
  targets:
    - id: response
      goal:
        P1: 30m
    - id: resolution
"""


def test_every_key_and_item_records_its_line() -> None:
    loaded = load_yaml(DOCUMENT)

    assert loaded.issues == []
    assert loaded.source_map.lines == {
        "": 1,
        "spec": 1,
        "spec.calendars": 2,
        "spec.calendars.office": 3,
        "spec.calendars.office.holidays": 4,
        "spec.calendars.office.holidays.country": 4,
        "spec.targets": 5,
        "spec.targets[0]": 6,
        "spec.targets[0].id": 6,
        "spec.targets[0].goal": 7,
        "spec.targets[0].goal.P1": 8,
        "spec.targets[1]": 9,
        "spec.targets[1].id": 9,
    }


def test_a_missing_field_takes_the_line_of_its_nearest_written_ancestor() -> None:
    source_map = load_yaml(DOCUMENT).source_map

    assert source_map.line_of("spec.targets[1].goal.P5") == 9
    assert source_map.line_of("spec.targets[0].goal.P5") == 7
    assert source_map.line_of("metadata.id") == 1
    assert SourceMap().line_of("spec") is None


@pytest.mark.parametrize(
    ("path", "parent"),
    [
        ("spec.targets[1].goal", "spec.targets[1]"),
        ("spec.targets[1]", "spec.targets"),
        ("spec", ""),
        ("", ""),
    ],
)
def test_parent_path_drops_the_last_key_or_index(path: str, parent: str) -> None:
    assert parent_path(path) == parent


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("NO", "NO"),
        ("no", "no"),
        ("yes", "yes"),
        ("on", "on"),
        ("Off", "Off"),
        ("y", "y"),
        ("true", True),
        ("False", False),
        ("2026-01-01", date(2026, 1, 1)),
        ("2026-13-45", "2026-13-45"),
        ("95%", "95%"),
        ("0.95", 0.95),
        ("'09:00-17:00'", "09:00-17:00"),
        ("", None),
    ],
)
def test_scalars_are_read_with_yaml_1_2_booleans(text: str, value: object) -> None:
    loaded = load_yaml(f"value: {text}\n")

    assert loaded.issues == []
    assert loaded.data == {"value": value}


def test_keys_become_text() -> None:
    loaded = load_yaml("1: a\n2026-12-24: []\ntrue: b\n")

    assert loaded.data == {"1": "a", "2026-12-24": [], "True": "b"}


def test_a_duplicate_key_is_reported_at_its_second_line_and_the_rest_still_loads() -> None:
    loaded = load_yaml("a: 1\nb:\n  c: 2\n  c: 3\nd: 4\n")

    assert [(i.path, i.message, i.line) for i in loaded.issues] == [
        ("b.c", "duplicate key 'c' (first on line 3)", 4)
    ]
    assert loaded.data == {"a": 1, "b": {"c": 3}, "d": 4}


def test_merge_keys_and_aliases_are_resolved() -> None:
    loaded = load_yaml("base: &office {timezone: UTC}\nother:\n  <<: *office\n  hours: 24x7\n")

    assert loaded.issues == []
    assert loaded.data["other"] == {"timezone": "UTC", "hours": "24x7"}


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("a: 1\nb: [1, 2\nc: 3\n", 3, "expected ',' or ']'"),
        ("a: 1\n  b: 2\n", 2, "mapping values are not allowed here"),
        ("a: 'open\n", 2, "found unexpected end of stream"),
        ("a: 1\n---\nb: 2\n", 2, "expected a single document"),
    ],
)
def test_a_syntax_error_names_its_line(text: str, line: int, fragment: str) -> None:
    loaded = load_yaml(text)

    assert loaded.data is None
    [issue] = loaded.issues
    assert issue.line == line
    assert issue.message.startswith("YAML syntax error: ")
    assert fragment in issue.message


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_an_empty_document_is_an_issue(text: str) -> None:
    loaded = load_yaml(text)

    assert loaded.data is None
    assert [issue.message for issue in loaded.issues] == ["the document is empty"]


def test_python_tags_are_refused_with_their_line() -> None:
    loaded = load_yaml("a: 1\nb: !!python/object/apply:os.system ['true']\n")

    [issue] = loaded.issues
    assert (issue.path, issue.line) == ("b", 2)
    assert "cannot read this value" in issue.message


def test_a_recursive_alias_is_an_issue_not_a_hang() -> None:
    loaded = load_yaml("a: &loop [*loop]\n")

    assert [(i.path, i.line) for i in loaded.issues] == [("a[0]", 1)]


def test_control_characters_are_an_issue_not_a_crash() -> None:
    loaded = load_yaml("title: caf\x99\x10\n")

    assert loaded.data is None
    assert "unacceptable character #x0099" in loaded.issues[0].message
