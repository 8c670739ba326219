"""Mapping files as YAML text -> plain values plus the 1-based line of every key written.

Owns the YAML dialect of mapping files (YAML 1.2 booleans: `no` stays text, so a status called
`No` is not `False`) and the line map that lets a mapping error name its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_BOOL_TAG = "tag:yaml.org,2002:bool"


class _Loader(yaml.SafeLoader):
    """SafeLoader whose only booleans are true and false (YAML 1.2)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass(slots=True)
class YamlDocument:
    """Parsed data (None when unreadable), the line of each dotted path, and a syntax error."""

    data: Any
    lines: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    error_line: int | None = None

    def line_of(self, path: str) -> int | None:
        """The line of `path`, else of its nearest written ancestor (for a missing key)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[: max(cut, 0)]
        return self.lines.get("")


def load_yaml(text: str) -> YamlDocument:
    """Parse one YAML document, recording the line of every mapping key and list item."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, error="the file is empty", error_line=1)
        document = YamlDocument(None, {"": node.start_mark.line + 1})
        document.data = _build(loader, node, "", document.lines)
        return document
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "cannot parse"
        return YamlDocument(
            None, error=f"YAML syntax error: {problem}", error_line=mark.line + 1 if mark else None
        )
    except (yaml.YAMLError, ValueError) as exc:
        return YamlDocument(None, error=f"YAML error: {exc}")
    finally:
        loader.dispose()


def _build(loader: _Loader, node: Node, path: str, lines: dict[str, int]) -> Any:
    if isinstance(node, SequenceNode):
        items = []
        for index, child in enumerate(node.value):
            child_path = f"{path}[{index}]"
            lines[child_path] = child.start_mark.line + 1
            items.append(_build(loader, child, child_path, lines))
        return items
    if isinstance(node, MappingNode):
        loader.flatten_mapping(node)
        values: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(loader.construct_object(key_node, deep=True))
            key_path = f"{path}.{key}" if path else key
            lines.setdefault(key_path, key_node.start_mark.line + 1)
            values[key] = _build(loader, value_node, key_path, lines)
        return values
    if isinstance(node, ScalarNode):
        return loader.construct_object(node, deep=True)
    raise ValueError(f"unsupported YAML node on line {node.start_mark.line + 1}")
