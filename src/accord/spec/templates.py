"""The agreement templates installed with accord (`accord agreements new --template NAME`):
their names and their text. Each is a complete agreement that passes validate and lint.

Reads the bundled files only; writing them out is the entry points' business.
"""

from __future__ import annotations

from accord.errors import AccordError
from accord.spec.agreements import example_templates_dir

__all__ = ["TEMPLATE_NAMES", "UnknownTemplate", "template_text"]

TEMPLATE_NAMES = ("service-desk", "web-hosting", "network", "sales-marketing")


class UnknownTemplate(AccordError):  # noqa: N818
    """A template name accord does not ship."""


def template_text(name: str) -> str:
    """The YAML text of the template `name`; UnknownTemplate listing the names otherwise."""
    if name not in TEMPLATE_NAMES:
        raise UnknownTemplate(
            f"no template '{name}'; the templates are: {', '.join(TEMPLATE_NAMES)}"
        )
    return (example_templates_dir() / f"{name}.yaml").read_text(encoding="utf-8")
