"""YAML text -> plain Python values plus the 1-based line of every key and sequence item.

Owns the YAML dialect agreements are read in (YAML 1.2 booleans, no duplicate keys) and the
`path -> line` map that lets every later error name its line. Knows nothing about agreements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from accord.errors import FieldIssue

_BOOL_TAG = "tag:yaml.org,2002:bool"
_PLAIN_TAGS = ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")
_BOOL_1_2 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class AgreementLoader(yaml.SafeLoader):
    """A SafeLoader whose booleans are YAML 1.2's: only true and false.

    YAML 1.1 also reads yes, no, on, off, y and n as booleans, which turns the country code of
    Norway (`country: NO`) into False.
    """


AgreementLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
AgreementLoader.add_implicit_resolver(_BOOL_TAG, _BOOL_1_2, list("tTfF"))


def parent_path(path: str) -> str:
    """`a.b[2]` -> `a.b`, `a.b` -> `a`, `a` -> `` (the document)."""
    cut = path.rfind("[") if path.endswith("]") else path.rfind(".")
    return path[: max(cut, 0)]


@dataclass(slots=True)
class SourceMap:
    """Where each field of a document was written: dotted path -> 1-based line."""

    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, path: str) -> int | None:
        """The line of `path`, else of its nearest ancestor that was written (a missing key)."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = parent_path(path)

    def locate(self, issue: FieldIssue, source: str) -> FieldIssue:
        """Return `issue` with its file and line filled in."""
        line = issue.line if issue.line is not None else self.line_of(issue.path)
        return FieldIssue(issue.path, issue.message, source, line)


@dataclass(slots=True)
class LoadedYaml:
    """A parsed document: its value (None when unreadable), its line map, and what went wrong."""

    data: Any
    source_map: SourceMap
    issues: list[FieldIssue]


def child_path(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


class _Builder:
    """Walks a composed node tree, building values and recording lines; collects problems."""

    def __init__(self, loader: AgreementLoader) -> None:
        self.loader = loader
        self.source_map = SourceMap()
        self.issues: list[FieldIssue] = []
        self._open: set[int] = set()

    def issue(self, path: str, message: str, node: Node) -> None:
        self.issues.append(FieldIssue(path, message, line=node.start_mark.line + 1))

    def build(self, node: Node, path: str) -> Any:
        if id(node) in self._open:
            self.issue(path, "an alias refers to a value that contains it", node)
            return None
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if node.tag not in _PLAIN_TAGS:
            self.issue(path, f"cannot read this value: unsupported tag '{node.tag}'", node)
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return self._sequence(node, path)
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
        finally:
            self._open.discard(id(node))
        self.issue(path, "unsupported YAML node", node)  # pragma: no cover - composer has no other
        return None  # pragma: no cover

    def _scalar(self, node: ScalarNode, path: str) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self.issue(path, f"cannot read this value: {exc.problem}", node)
            return None
        except ValueError:
            # e.g. `2026-13-45` looks like a date to YAML; keep the text so the field reports it.
            return node.value

    def _sequence(self, node: SequenceNode, path: str) -> list[Any]:
        values: list[Any] = []
        for index, item in enumerate(node.value):
            item_path = f"{path}[{index}]"
            self.source_map.lines[item_path] = item.start_mark.line + 1
            values.append(self.build(item, item_path))
        return values

    def _mapping(self, node: MappingNode, path: str) -> dict[str, Any]:
        try:
            self.loader.flatten_mapping(node)  # resolves `<<: *anchor` merge keys
        except yaml.constructor.ConstructorError as exc:
            self.issue(path, f"cannot merge: {exc.problem}", node)
            return {}
        values: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.issue(path, "a key must be a plain value, not a list or a mapping", key_node)
                continue
            key = self._scalar(key_node, path)
            name = str(key) if key is not None else ""
            key_path = child_path(path, name)
            if name in values:
                first = self.source_map.lines.get(key_path)
                self.issue(key_path, f"duplicate key '{name}' (first on line {first})", key_node)
            else:
                self.source_map.lines[key_path] = key_node.start_mark.line + 1
            values[name] = self.build(value_node, key_path)
        return values


def load_yaml(text: str) -> LoadedYaml:
    """Parse one YAML document; every mapping key becomes a string.

    A syntax error, an empty text or several documents give an issue (with its line) and
    `data=None`. Duplicate keys are issues too, but the document is still built (the last value
    wins) so that the rest of it can be checked.
    """
    loader = AgreementLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return LoadedYaml(None, SourceMap(), [FieldIssue("", "the document is empty", line=1)])
        builder = _Builder(loader)
        builder.source_map.lines[""] = node.start_mark.line + 1
        data = builder.build(node, "")
        if data is None and not builder.issues:
            return LoadedYaml(None, SourceMap(), [FieldIssue("", "the document is empty", line=1)])
        return LoadedYaml(data, builder.source_map, builder.issues)
    except yaml.MarkedYAMLError as exc:
        return LoadedYaml(None, SourceMap(), [_syntax_issue(exc)])
    except yaml.YAMLError as exc:
        return LoadedYaml(None, SourceMap(), [FieldIssue("", f"YAML error: {exc}")])
    finally:
        loader.dispose()


def _syntax_issue(exc: yaml.MarkedYAMLError) -> FieldIssue:
    mark = exc.problem_mark or exc.context_mark
    parts = [part for part in (exc.context, exc.problem) if part]
    message = "YAML syntax error: " + ", ".join(parts) if parts else "YAML syntax error"
    if mark is not None:
        message += f" (column {mark.column + 1})"
    opened = exc.context_mark
    if opened is not None and mark is not None and opened.line != mark.line:
        message += f"; the construct opened on line {opened.line + 1}"
    return FieldIssue("", message, line=None if mark is None else mark.line + 1)
