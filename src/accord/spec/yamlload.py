"""YAML text -> plain Python values plus the 1-based line of every key and sequence item.

Owns how strictly agreements are read (no duplicate keys, no tags, no recursive aliases, each
problem an issue with its line) on top of `accord.yamllines` (YAML 1.2 booleans, the
`path -> line` map). Knows nothing about agreements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from accord.errors import FieldIssue
from accord.yamllines import LineBuilder, Yaml12Loader, child_path, nearest_line, parent_path

__all__ = ["LoadedYaml", "SourceMap", "child_path", "load_yaml", "parent_path"]

_PLAIN_TAGS = ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")


@dataclass(slots=True)
class SourceMap:
    """Where each field of a document was written: dotted path -> 1-based line."""

    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, path: str) -> int | None:
        """The line of `path`, else of its nearest ancestor that was written (a missing key)."""
        return nearest_line(self.lines, path)

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


class _Builder(LineBuilder):
    """A LineBuilder that turns what it cannot read into issues and goes on with the rest."""

    def __init__(self, loader: Yaml12Loader) -> None:
        super().__init__(loader)
        self.issues: list[FieldIssue] = []
        self._open: set[int] = set()

    def issue(self, path: str, message: str, node: Node) -> None:
        self.issues.append(FieldIssue(path, message, line=node.start_mark.line + 1))

    def build(self, node: Node, path: str) -> Any:
        if id(node) in self._open:
            self.issue(path, "an alias refers to a value that contains it", node)
            return None
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if node.tag not in _PLAIN_TAGS:
            self.issue(path, f"cannot read this value: unsupported tag '{node.tag}'", node)
            return None
        self._open.add(id(node))
        try:
            return super().build(node, path)
        finally:
            self._open.discard(id(node))

    def scalar(self, node: ScalarNode, path: str) -> Any:
        try:
            return super().scalar(node, path)
        except yaml.constructor.ConstructorError as exc:
            self.issue(path, f"cannot read this value: {exc.problem}", node)
            return None
        except ValueError:
            # e.g. `2026-13-45` looks like a date to YAML; keep the text so the field reports it.
            return node.value

    def key(self, node: Node, path: str) -> str | None:
        if not isinstance(node, ScalarNode):
            self.issue(path, "a key must be a plain value, not a list or a mapping", node)
            return None
        key = self.scalar(node, path)
        return str(key) if key is not None else ""

    def merge(self, node: MappingNode, path: str) -> bool:
        try:
            return super().merge(node, path)
        except yaml.constructor.ConstructorError as exc:
            self.issue(path, f"cannot merge: {exc.problem}", node)
            return False

    def record_key(self, key_path: str, name: str, node: Node, *, repeated: bool) -> None:
        if repeated:
            first = self.lines.get(key_path)
            self.issue(key_path, f"duplicate key '{name}' (first on line {first})", node)
        else:
            self.lines[key_path] = node.start_mark.line + 1


def load_yaml(text: str) -> LoadedYaml:
    """Parse one YAML document; every mapping key becomes a string.

    A syntax error, an empty text or several documents give an issue (with its line) and
    `data=None`. Duplicate keys are issues too, but the document is still built (the last value
    wins) so that the rest of it can be checked.
    """
    try:
        loader = Yaml12Loader(text)  # reads the whole text: refuses control characters here
    except yaml.YAMLError as exc:
        return LoadedYaml(None, SourceMap(), [FieldIssue("", f"YAML error: {exc}")])
    try:
        node = loader.get_single_node()
        if node is None:
            return LoadedYaml(None, SourceMap(), [FieldIssue("", "the document is empty", line=1)])
        builder = _Builder(loader)
        builder.lines[""] = node.start_mark.line + 1
        data = builder.build(node, "")
        if data is None and not builder.issues:
            return LoadedYaml(None, SourceMap(), [FieldIssue("", "the document is empty", line=1)])
        return LoadedYaml(data, SourceMap(builder.lines), builder.issues)
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
