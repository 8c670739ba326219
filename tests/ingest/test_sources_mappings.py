"""Mapping files: the built-ins load, and a wrong mapping names its file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import ValidationError
from accord.ingest.sources import (
    BUILTIN_DIR,
    MAPPED_SOURCES,
    builtin_mapping,
    load_mapping,
    load_mapping_text,
    models,
)

EXAMPLES = BUILTIN_DIR.parents[2] / "examples" / "mappings"
DOCS = BUILTIN_DIR.parents[4] / "docs" / "imports.md"

MINIMAL = """\
apiVersion: accord/v1
kind: Mapping
metadata:
  name: acme
spec:
  shape: events
  item: Ticket
  at: When
"""


def issues_of(text: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        load_mapping_text(text, "acme.yaml")
    return [str(issue) for issue in caught.value.issues]


@pytest.mark.parametrize("name", MAPPED_SOURCES)
def test_every_builtin_mapping_is_a_valid_yaml_file_named_after_its_source(name: str) -> None:
    mapping = builtin_mapping(name)

    assert mapping.name == name
    assert mapping.path == BUILTIN_DIR / f"{name}.yaml"
    assert mapping.description


def test_the_builtin_directory_holds_exactly_the_builtin_mappings() -> None:
    assert sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml")) == sorted(MAPPED_SOURCES)


def test_a_minimal_mapping_creates_items_at_their_first_row_and_reads_iso_times() -> None:
    mapping = load_mapping_text(MINIMAL)

    assert mapping.spec.created.first
    assert mapping.spec.time_format == ["iso"]
    assert mapping.spec.at.column == "When"


def test_a_copied_builtin_loads_from_a_users_folder(tmp_path: Path) -> None:
    copy = tmp_path / "my-servicenow.yaml"
    copy.write_text((BUILTIN_DIR / "servicenow.yaml").read_text(encoding="utf-8"), "utf-8")

    assert load_mapping(copy).spec == builtin_mapping("servicenow").spec


def test_an_unknown_key_names_file_line_and_field_with_a_suggestion() -> None:
    text = MINIMAL + "  priorty: Urgency\n"

    assert issues_of(text) == ["acme.yaml:9: spec.priorty: unknown key; did you mean 'priority'?"]


def test_a_missing_key_points_at_its_parent() -> None:
    text = MINIMAL.replace("  item: Ticket\n", "")

    assert issues_of(text) == ["acme.yaml:5: spec.item: required"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "  time_format: '%d.%m.%Y %Q'",
            "acme.yaml:9: spec.time_format[0]: unsupported directive %Q in '%d.%m.%Y %Q' "
            "(supported: %Y %y %m %d %H %I %M %S %f %p %b %B %z %%)",
        ),
        (
            "  time_format: '%H:%M'",
            "acme.yaml:9: spec.time_format[0]: '%H:%M' has no year (%Y or %y)",
        ),
        (
            "  resolved: {states: [Done]}",
            "acme.yaml:5: spec: resolved.states needs a state column (spec.state)",
        ),
        (
            "  responded: {}",
            "acme.yaml:9: spec.responded: say when the event happens: states, column, "
            "minutes_after_created, count or first",
        ),
        ("  shape: tickets", "acme.yaml:6: spec.shape: tickets is not one of: events, snapshots"),
    ],
)
def test_field_errors_are_worded_for_the_person_who_wrote_the_file(
    line: str, expected: str
) -> None:
    key = line.split(":")[0].strip()
    lines = [row for row in MINIMAL.splitlines() if not row.strip().startswith(f"{key}:")]
    at = lines.index("spec:") + 1
    if key == "shape":
        lines.insert(at, line)
    else:
        lines.append(line)

    assert issues_of("\n".join(lines) + "\n") == [expected]


def test_a_yaml_syntax_error_names_its_line() -> None:
    text = MINIMAL + "  state: [open\n"

    (issue,) = issues_of(text)
    assert issue.startswith("acme.yaml:")
    assert "YAML syntax error" in issue


def test_no_and_yes_stay_text_in_value_maps() -> None:
    text = MINIMAL + "  priority:\n    column: Urgent\n    values: {no: P4, yes: P1, 1: P1}\n"

    values = load_mapping_text(text).spec.priority.values  # type: ignore[union-attr]

    assert values == {"no": "P4", "yes": "P1", "1": "P1"}


def test_a_file_that_cannot_be_read_is_one_issue(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        load_mapping(tmp_path / "absent.yaml")

    assert "cannot read the mapping" in str(caught.value)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_the_example_mappings_load(path: Path) -> None:
    assert load_mapping(path).spec.item


def test_there_are_example_mappings() -> None:
    assert len(list(EXAMPLES.glob("*.yaml"))) >= 2


def test_the_documented_example_mappings_are_valid() -> None:
    text = DOCS.read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    docstring = (models.__doc__ or "").split("```yaml\n", 1)[1].split("```", 1)[0]

    assert load_mapping_text(example, "docs/imports.md").spec.fields["service"].optional
    assert load_mapping_text(docstring, "models.py").name == "servicenow"


def test_a_recursive_alias_in_a_mapping_file_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(
        "apiVersion: accord/v1\nkind: Mapping\nmetadata: {name: loop}\n"
        "spec:\n  shape: events\n  item: &l [*l]\n"
    )
    with pytest.raises(ValidationError) as caught:
        load_mapping(path)
    assert "loop.yaml:6" in str(caught.value)
    assert "an alias refers to a value that contains it" in str(caught.value)
