"""YAML text -> plain Python values plus the 1-based line of every mapping key and list item.

Owns the YAML dialect accord reads its files in (YAML 1.2 booleans) and the dotted paths
(`spec.targets[0].id`) that let an error name its line. Shared by agreements (`accord.spec`)
and mapping files (`accord.ingest`); knows neither, and words no error for them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_BOOL_TAG = "tag:yaml.org,2002:bool"
_BOOL_1_2 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class Yaml12Loader(yaml.SafeLoader):
    """A SafeLoader whose booleans are YAML 1.2's: only true and false.

    YAML 1.1 also reads yes, no, on, off, y and n as booleans, which turns the country code of
    Norway (`country: NO`) into False, and a status called `No` into False.
    """


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(_BOOL_TAG, _BOOL_1_2, list("tTfF"))


def child_path(prefix: str, key: str) -> str:
    """`a` + `b` -> `a.b`; a key of the document itself is its own path."""
    return f"{prefix}.{key}" if prefix else key


def parent_path(path: str) -> str:
    """`a.b[2]` -> `a.b`, `a.b` -> `a`, `a` -> `` (the document)."""
    cut = path.rfind("[") if path.endswith("]") else path.rfind(".")
    return path[: max(cut, 0)]


def nearest_line(lines: Mapping[str, int], path: str) -> int | None:
    """The line of `path`, else of its nearest ancestor that was written (a missing key)."""
    while path not in lines:
        if not path:
            return None
        path = parent_path(path)
    return lines[path]


class RecursiveAliasError(ValueError):
    """An alias that refers to a value containing it (`a: &l [*l]`), on `line`."""

    def __init__(self, line: int) -> None:
        self.line = line
        super().__init__("an alias refers to a value that contains it")


class LineBuilder:
    """Builds plain values from a composed node tree and records the line of each key and item.

    This base reads as PyYAML does: what cannot be constructed raises PyYAML's error, and a
    repeated key keeps its last value and its first line. A stricter reader overrides the hooks
    `scalar`, `key`, `merge` and `record_key`. Every mapping key becomes a string.
    """

    def __init__(self, loader: Yaml12Loader) -> None:
        self.loader = loader
        self.lines: dict[str, int] = {}  # dotted path -> 1-based line
        self._building: set[int] = set()  # collections being built, to stop recursive aliases

    def build(self, node: Node, path: str) -> Any:
        """The value of `node`, found at `path`; RecursiveAliasError for `a: &l [*l]`."""
        if isinstance(node, SequenceNode | MappingNode):
            if id(node) in self._building:
                raise RecursiveAliasError(node.start_mark.line + 1)
            self._building.add(id(node))
            try:
                if isinstance(node, SequenceNode):
                    return self.sequence(node, path)
                return self.mapping(node, path)
            finally:
                self._building.discard(id(node))
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        raise ValueError(f"unsupported YAML node on line {node.start_mark.line + 1}")

    def sequence(self, node: SequenceNode, path: str) -> list[Any]:
        values: list[Any] = []
        for index, item in enumerate(node.value):
            item_path = f"{path}[{index}]"
            self.lines[item_path] = item.start_mark.line + 1
            values.append(self.build(item, item_path))
        return values

    def mapping(self, node: MappingNode, path: str) -> dict[str, Any]:
        if not self.merge(node, path):
            return {}
        values: dict[str, Any] = {}
        for key_node, value_node in node.value:
            name = self.key(key_node, path)
            if name is None:
                continue
            key_path = child_path(path, name)
            self.record_key(key_path, name, key_node, repeated=name in values)
            values[name] = self.build(value_node, key_path)
        return values

    def scalar(self, node: ScalarNode, path: str) -> Any:
        return self.loader.construct_object(node, deep=True)

    def key(self, node: Node, path: str) -> str | None:
        """The text of a key of the mapping at `path`; None leaves the entry out."""
        return str(self.loader.construct_object(node, deep=True))

    def merge(self, node: MappingNode, path: str) -> bool:
        """Resolve `<<: *anchor` merge keys; False reads the mapping as empty."""
        self.loader.flatten_mapping(node)
        return True

    def record_key(self, key_path: str, name: str, node: Node, *, repeated: bool) -> None:
        """Note where a key was written; `repeated` when the mapping already has that key."""
        self.lines.setdefault(key_path, node.start_mark.line + 1)
