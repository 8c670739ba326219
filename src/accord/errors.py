"""The AccordError hierarchy: every error a user can cause, with where it happened.

    AccordError
    ├── ValidationError    an agreement, calendar or option is invalid; holds FieldIssues
    └── EventLogError      an event log cannot be read at all (missing columns, unreadable file)

Row-level problems in an event log are not exceptions: they are reported and the row is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldIssue:
    """One problem in an input, located as precisely as the input allows.

    `path` is a dotted field path such as `spec.targets[1].goal.P5` (empty for the whole
    document); `file` and `line` are filled in when the issue is traced back to a source file.
    """

    path: str
    message: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file + (f":{self.line}" if self.line is not None else "") + ": "
        what = f"{self.path}: " if self.path else ""
        return f"{where}{what}{self.message}"

    def under(self, prefix: str) -> FieldIssue:
        """Return the same issue with its path placed under `prefix`."""
        if not prefix:
            return self
        if not self.path:
            path = prefix
        elif self.path.startswith("["):
            path = prefix + self.path
        else:
            path = f"{prefix}.{self.path}"
        return FieldIssue(path, self.message, self.file, self.line)


class AccordError(Exception):
    """Base of every error accord raises on purpose."""


class ValidationError(AccordError):
    """Invalid input; `issues` lists every problem found, not only the first."""

    def __init__(self, issues: list[FieldIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues))


class EventLogError(AccordError):
    """An event log that cannot be read at all (as opposed to a bad row, which is skipped)."""
