"""Pydantic validation errors -> FieldIssues with dotted paths and readable sentences.

Owns the wording of every shape and type error in an agreement; it adds no checks of its own.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Sequence
from typing import Annotated, Any, Union, get_args, get_origin

import pydantic
from pydantic_core import ErrorDetails

from accord.errors import FieldIssue
from accord.spec.yamlload import child_path

_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def loc_to_path(loc: Sequence[int | str]) -> str:
    """`('spec', 'targets', 1, 'goal', 'P5')` -> `spec.targets[1].goal.P5`."""
    path = ""
    for part in loc:
        path = f"{path}[{part}]" if isinstance(part, int) else child_path(path, part)
    return path


def unknown_key_message(key: str, allowed: Sequence[str]) -> str:
    """`unknown key; did you mean 'x'?`, or the allowed keys when none is close."""
    hint = difflib.get_close_matches(key, list(allowed), n=1)
    if hint:
        return f"unknown key; did you mean '{hint[0]}'?"
    return f"unknown key (allowed: {', '.join(allowed)})"


def issues_from_pydantic(
    error: pydantic.ValidationError, root: type[pydantic.BaseModel]
) -> list[FieldIssue]:
    """Translate every error of `error`, raised while validating `root`, into a FieldIssue."""
    return [
        FieldIssue(loc_to_path(details["loc"]), _message(details, root))
        for details in error.errors(include_url=False)
    ]


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{'true' if value else 'false'}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"'{value}'"


def _message(details: ErrorDetails, root: type[pydantic.BaseModel]) -> str:
    kind = details["type"]
    value = details.get("input")
    ctx = details.get("ctx") or {}
    if kind == "extra_forbidden":
        allowed = _allowed_keys(root, details["loc"][:-1])
        return unknown_key_message(str(details["loc"][-1]), allowed)
    if kind == "missing":
        return "required"
    if kind in ("enum", "literal_error"):
        names = _QUOTED.findall(str(ctx.get("expected", "")))
        return f"'{value}' is not one of: {', '.join(names)}"
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    if value is None and (kind.endswith("_type") or kind.startswith("date")):
        return "required: the value is empty"
    if kind == "too_short":
        return "must not be empty"
    if kind == "string_too_short":
        return "must not be empty text"
    if kind == "string_type":
        return f"expected text, got {_describe(value)}"
    if kind == "list_type":
        return f"expected a list, got {_describe(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type"):
        return f"expected a mapping, got {_describe(value)}"
    if kind.startswith("date"):
        return f"{_describe(value)} is not a date (YYYY-MM-DD)"
    message = str(details["msg"])
    return message[:1].lower() + message[1:]


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional so that the container or model underneath shows."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            options = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation


def _model_at(root: type[pydantic.BaseModel], loc: Sequence[int | str]) -> Any:
    current: Any = root
    for part in loc:
        current = _unwrap(current)
        origin = get_origin(current)
        if isinstance(current, type) and issubclass(current, pydantic.BaseModel):
            fields = {(info.alias or name): info for name, info in current.model_fields.items()}
            if part not in fields:
                return None
            current = fields[str(part)].annotation
        elif origin is list and isinstance(part, int):
            current = get_args(current)[0]
        elif origin is dict and isinstance(part, str):
            current = get_args(current)[1]
        else:
            return None
    return _unwrap(current)


def _allowed_keys(root: type[pydantic.BaseModel], loc: Sequence[int | str]) -> list[str]:
    model = _model_at(root, loc)
    if not (isinstance(model, type) and issubclass(model, pydantic.BaseModel)):
        return []
    return [info.alias or name for name, info in model.model_fields.items()]
