"""Edit one target of an agreement's YAML text in place: its goals, objective and pause states,
keeping comments, key order, flow style and indentation (ruamel.yaml round trip).

Writes text only; the caller validates the result (`load_agreement_text`) before storing it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from accord.errors import AccordError

__all__ = ["edit_target", "percent_text"]

# (mapping, sequence, offset) indentations tried, so that the text comes back as it was written.
_INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 4, 4))


def percent_text(fraction: Decimal) -> str:
    """A fraction as the percent an agreement writes: 0.95 -> `95%`, 0.925 -> `92.5%`."""
    percent = (fraction * 100).normalize()
    return f"{percent:f}%"


def edit_target(
    text: str,
    target_id: str,
    *,
    goals: Mapping[str, str] | None = None,
    objective: Decimal | None = None,
    pause_states: list[str] | None = None,
) -> str:
    """Return `text` with the target `target_id` changed; everything else as it was.

    `goals` sets each named priority's goal (a key matching case and spaces aside is reused,
    else the priority is added at the end of the goal mapping); `objective` replaces the
    objective as a percent; `pause_states` replaces the list, kept in flow style when it was
    (or when it is new: then placed after `goal`). AccordError when the text has no such target.
    """
    try:
        document = _loader().load(text)
    except YAMLError as exc:
        raise AccordError(f"the stored agreement cannot be edited: {exc}") from None
    node = _target_node(document, target_id)
    if goals:
        goal = node.get("goal")
        if not isinstance(goal, CommentedMap):
            raise AccordError(f"target '{target_id}' has no goal mapping to change")
        for name, value in goals.items():
            key = next((k for k in goal if _normal(str(k)) == _normal(name)), name)
            goal[key] = value
    if objective is not None:
        node["objective"] = percent_text(objective)
    if pause_states is not None:
        _set_pause_states(node, pause_states)
    return _dump(document, text)


def _loader() -> YAML:
    yaml = YAML()  # round trip
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def _target_node(document: Any, target_id: str) -> CommentedMap:
    targets = document.get("spec", {}).get("targets") if isinstance(document, Mapping) else None
    for node in targets or ():
        if isinstance(node, CommentedMap) and str(node.get("id")) == target_id:
            return node
    raise AccordError(f"the stored agreement has no target '{target_id}'")


def _set_pause_states(node: CommentedMap, states: list[str]) -> None:
    old = node.get("pause_states")
    new = CommentedSeq(states)
    if not isinstance(old, CommentedSeq) or old.fa.flow_style():
        new.fa.set_flow_style()
    if "pause_states" in node:
        node["pause_states"] = new
        return
    keys = list(node)
    position = keys.index("goal") + 1 if "goal" in keys else len(keys)
    node.insert(position, "pause_states", new)


def _dump(document: Any, original: str) -> str:
    """The document as text, in the indentation that reproduces `original` best."""
    best: tuple[int, str] | None = None
    unchanged = _loader().load(original)
    for mapping, sequence, offset in _INDENTS:
        yaml = _loader()
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        again = io.StringIO()
        yaml.dump(unchanged, again)
        misses = _differing_lines(original, again.getvalue())
        if best is None or misses < best[0]:
            out = io.StringIO()
            yaml.dump(document, out)
            best = (misses, out.getvalue())
        if misses == 0:
            break
    assert best is not None
    return best[1]


def _differing_lines(a: str, b: str) -> int:
    left, right = a.splitlines(), b.splitlines()
    return sum(x != y for x, y in zip(left, right, strict=False)) + abs(len(left) - len(right))


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()
