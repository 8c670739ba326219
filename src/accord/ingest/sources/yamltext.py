"""Mapping files as YAML text -> plain values plus the 1-based line of every key written.

Owns the wording of a mapping file's YAML errors (one per file, the first met). The dialect
(YAML 1.2 booleans: `no` stays text, so a status called `No` is not `False`) and the line map
are `accord.yamllines`'s, shared with agreements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from accord.yamllines import LineBuilder, RecursiveAliasError, Yaml12Loader, nearest_line


@dataclass(slots=True)
class YamlDocument:
    """Parsed data (None when unreadable), the line of each dotted path, and a syntax error."""

    data: Any
    lines: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    error_line: int | None = None

    def line_of(self, path: str) -> int | None:
        """The line of `path`, else of its nearest written ancestor (for a missing key)."""
        return nearest_line(self.lines, path)


def load_yaml(text: str) -> YamlDocument:
    """Parse one YAML document, recording the line of every mapping key and list item."""
    loader = Yaml12Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, error="the file is empty", error_line=1)
        builder = LineBuilder(loader)
        builder.lines[""] = node.start_mark.line + 1
        return YamlDocument(builder.build(node, ""), builder.lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "cannot parse"
        return YamlDocument(
            None, error=f"YAML syntax error: {problem}", error_line=mark.line + 1 if mark else None
        )
    except RecursiveAliasError as exc:
        return YamlDocument(None, error=f"YAML error: {exc}", error_line=exc.line)
    except (yaml.YAMLError, ValueError) as exc:
        return YamlDocument(None, error=f"YAML error: {exc}")
    finally:
        loader.dispose()
