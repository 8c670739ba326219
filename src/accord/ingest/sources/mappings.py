"""Mapping files -> validated `SourceMapping`s, or every problem with its file, line and field.

Owns finding the built-in mappings (YAML files shipped in `builtin/`, meant to be copied) and
reading user-written ones. Reads no export: columns are checked when a file is opened.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic
from pydantic_core import ErrorDetails

from accord.errors import FieldIssue, ValidationError
from accord.ingest.sources.models import (
    CsvOptions,
    MappingDocument,
    MappingSpec,
    Metadata,
    TimeColumn,
    Trigger,
    ValueColumn,
    describe,
    field_names,
)
from accord.ingest.sources.yamltext import YamlDocument, load_yaml

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"
NATIVE_SOURCE = "events"  # accord's own event CSV / JSON lines, read by accord.ingest.eventlog
MAPPED_SOURCES = ("servicenow", "jira", "zendesk", "bpic2013", "helpdesk")
BUILTIN_SOURCES = (*MAPPED_SOURCES, NATIVE_SOURCE)


@dataclass(frozen=True, slots=True)
class SourceMapping:
    """A valid mapping: its name (`metadata.name`), its spec, and the file it came from."""

    name: str
    spec: MappingSpec
    path: Path | None = None
    description: str = ""


def builtin_mapping_path(name: str) -> Path:
    """The YAML file of a built-in mapping; raise KeyError for a name without one."""
    if name not in MAPPED_SOURCES:
        raise KeyError(name)
    return BUILTIN_DIR / f"{name}.yaml"


def builtin_mapping(name: str) -> SourceMapping:
    """A built-in mapping by source name (`servicenow`, `bpic2013`, ...)."""
    return load_mapping(builtin_mapping_path(name))


def load_mapping(path: Path) -> SourceMapping:
    """Read and check a mapping file; raise ValidationError listing every problem.

    Each issue names the file, the line of the field (or of its nearest written parent for a
    missing key) and the field's dotted path, e.g. `acme.yaml:12: spec.priority.values: ...`.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(
            [FieldIssue("", f"cannot read the mapping ({exc.strerror or exc})", str(path))]
        ) from None
    except UnicodeDecodeError:
        raise ValidationError(
            [FieldIssue("", "the mapping is not UTF-8 text", str(path))]
        ) from None
    return load_mapping_text(text, str(path), path)


def load_mapping_text(
    text: str, source: str = "<mapping>", path: Path | None = None
) -> SourceMapping:
    """Check mapping YAML text; `source` names it in errors."""
    document = load_yaml(text)
    if document.data is None:
        raise ValidationError(
            [FieldIssue("", document.error or "the file is empty", source, document.error_line)]
        )
    if not isinstance(document.data, dict):
        issue = FieldIssue(
            "", "a mapping file is a mapping with apiVersion, kind, metadata, spec", source, 1
        )
        raise ValidationError([issue])
    try:
        parsed = MappingDocument.model_validate(document.data)
    except pydantic.ValidationError as exc:
        issues = [_issue(details, document, source) for details in exc.errors(include_url=False)]
        issues.sort(key=lambda issue: (issue.line or 0, issue.path))
        raise ValidationError(list(dict.fromkeys(issues))) from None
    return SourceMapping(parsed.metadata.name, parsed.spec, path, parsed.metadata.description)


def _issue(details: ErrorDetails, document: YamlDocument, source: str) -> FieldIssue:
    loc = [part for part in details["loc"] if not _is_validator_tag(part)]
    path = _dotted(loc)
    return FieldIssue(path, _message(details, loc), source, document.line_of(path))


def _is_validator_tag(part: int | str) -> bool:
    """Pydantic names union members and validators in `loc` (`function-before[...]`)."""
    return isinstance(part, str) and ("[" in part or part in ("str", "list[str]"))


def _dotted(loc: Sequence[int | str]) -> str:
    path = ""
    for part in loc:
        path = f"{path}[{part}]" if isinstance(part, int) else (f"{path}.{part}" if path else part)
    return path


def _message(details: ErrorDetails, loc: Sequence[int | str]) -> str:
    kind = details["type"]
    value: Any = details.get("input")
    ctx = details.get("ctx") or {}
    if kind == "extra_forbidden":
        allowed = _allowed(loc[:-1])
        hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        if hint:
            return f"unknown key; did you mean '{hint[0]}'?"
        return f"unknown key (allowed: {', '.join(allowed)})"
    if kind == "missing":
        return "required"
    if kind == "literal_error":
        names = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"{value} is not one of: {', '.join(names)}"
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    if kind in ("string_type", "str_type"):
        return f"expected text, got {describe(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping, got {describe(value)}"
    if kind == "list_type":
        return f"expected a list, got {describe(value)}"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    message = str(details["msg"])
    return message[:1].lower() + message[1:]


_SECTIONS: dict[str, type[pydantic.BaseModel]] = {
    "spec": MappingSpec,
    "metadata": Metadata,
    "csv": CsvOptions,
    "at": TimeColumn,
    "state": ValueColumn,
    "priority": ValueColumn,
    "created": Trigger,
    "responded": Trigger,
    "resolved": Trigger,
    "closed": Trigger,
    "reopened": Trigger,
}


def _allowed(loc: Sequence[int | str]) -> list[str]:
    """The keys accepted where an unknown key was written."""
    current: type[pydantic.BaseModel] = MappingDocument
    for index, part in enumerate(loc):
        if index > 0 and loc[index - 1] == "fields":
            current = ValueColumn
        elif isinstance(part, str) and part in _SECTIONS:
            current = _SECTIONS[part]
    return field_names(current)
