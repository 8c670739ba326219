"""Spec lint: beyond validity, what makes an agreement fail on paper (no data source, no review,
no cap, targets that contradict each other), each finding with a code, a severity, a line and
a sentence on why it matters.

Findings only: the exit status and checks of the rendered document are the entry points'.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations
from pathlib import Path
from typing import Any

from accord.domain.agreements import Agreement, Target, TargetKind
from accord.domain.catalog import CatalogService
from accord.domain.measures import plain
from accord.errors import FieldIssue
from accord.spec.agreements import (
    ReadDocument,
    check_paths,
    known_catalog,
    read_document,
    with_catalog,
)
from accord.spec.yamlload import SourceMap

__all__ = ["CODES", "FileLint", "Finding", "Severity", "lint_paths", "lint_text"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


# code -> (severity, why it matters): the sentence every finding of that code carries.
CODES: dict[str, tuple[Severity, str]] = {
    "invalid": (Severity.ERROR, "An invalid agreement cannot be stored, evaluated or signed."),
    "no-objective": (
        Severity.ERROR,
        "A goal without an objective promises nothing: no share of items has to meet it.",
    ),
    "no-data-source": (
        Severity.WARNING,
        "A target nobody knows how to measure is argued about instead of measured; "
        "name the system its figures come from.",
    ),
    "unmeasurable-unit": (
        Severity.WARNING,
        "On a calendar that is not 24x7, 'd' means 24 business hours (three office days), "
        "which people misread as one day; a goal of 0 cannot be met. Write wd or hours.",
    ),
    "no-period": (
        Severity.WARNING,
        "A target without a period silently runs per month; write the period the parties "
        "agreed so the document says it.",
    ),
    "contradicting-targets": (
        Severity.WARNING,
        "Two targets that judge the same items differently cannot both be met; the provider "
        "does not know which promise holds.",
    ),
    "uncapped-consequences": (
        Severity.WARNING,
        "Consequences without a cap can exceed the charge of the period; every agreement "
        "caps what one period may cost.",
    ),
    "band-above-cap": (
        Severity.WARNING,
        "A band above the cap can never be paid in full: the cap cuts it, so the ladder "
        "says something the agreement does not mean.",
    ),
    "no-review": (
        Severity.WARNING,
        "An agreement nobody reviews drifts away from what the business needs; state how "
        "often the parties review it.",
    ),
    "no-end-date": (
        Severity.WARNING,
        "An agreement without an end date is never renegotiated; give it an end and renew it.",
    ),
    "no-termination": (
        Severity.INFO,
        "Without termination rules an agreement that keeps failing goes on; a rule such as "
        "'missed 3 periods in a row' flags it for review.",
    ),
    "no-responsibilities": (
        Severity.INFO,
        "Targets depend on both sides; without the customer's duties every miss is the provider's.",
    ),
    "no-catalog": (
        Severity.INFO,
        "No service catalog is known, so the services the agreement names are not checked; "
        "validate it together with the catalog's Service files.",
    ),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing lint says about one field of a file."""

    code: str
    severity: Severity
    file: str
    line: int | None
    field: str
    message: str
    why: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}: {self.severity} [{self.code}]{field} {self.message}"


@dataclass(frozen=True, slots=True)
class FileLint:
    """The findings of one file, and what it built (neither when it is invalid)."""

    path: Path
    findings: list[Finding]
    agreement: Agreement | None = None
    service: CatalogService | None = None


def lint_text(
    text: str, source: str, *, catalog: Mapping[str, CatalogService] | None = None
) -> list[Finding]:
    """Lint one Agreement or Service document; findings in order of their lines.

    An invalid document gets its validation issues as `invalid` errors (a missing objective as
    `no-objective`) and nothing else. A Service document has no lint of its own. With no
    `catalog`, a valid agreement gets the `no-catalog` note.
    """
    document = read_document(text, source, catalog=catalog)
    return _findings(document, document.issues, source, has_catalog=catalog is not None)


def lint_paths(paths: Sequence[Path]) -> list[FileLint]:
    """Lint files and directories as `validate_paths` reads them; one result per file.

    A catalog is known when Service documents are among the paths: the agreements are checked
    against it and get no `no-catalog` note.
    """
    pairs = check_paths(paths)
    catalog = known_catalog(pairs, None)
    results = []
    for report, document in pairs:
        if catalog is not None:
            report = with_catalog(report, document, catalog)
        if document is None:
            findings = [_invalid(issue) for issue in report.issues]
        else:
            findings = _findings(
                document, report.issues, str(report.path), has_catalog=catalog is not None
            )
        results.append(FileLint(report.path, findings, report.agreement, report.service))
    return results


def _findings(
    document: ReadDocument, issues: list[FieldIssue], source: str, *, has_catalog: bool
) -> list[Finding]:
    if issues:
        return [_invalid(issue) for issue in issues]
    if document.agreement is None:
        return []  # a Service document
    rules = _Rules(document.agreement, document.data, document.source_map, source)
    found = rules.all(has_catalog=has_catalog)
    return sorted(found, key=lambda f: (f.line or 0, f.field, f.code))


def _invalid(issue: FieldIssue) -> Finding:
    code = "invalid"
    if issue.path.endswith(".objective") and issue.message == "required":
        code = "no-objective"
    severity, why = CODES[code]
    return Finding(code, severity, issue.file or "", issue.line, issue.path, issue.message, why)


_DAYS = re.compile(r"\dd")  # 1d, 1.5d, 1d12h; never 2wd (spaces are taken out first)


@dataclass(frozen=True, slots=True)
class _Rules:
    """The lint rules of one valid agreement, with the raw values for what was written."""

    agreement: Agreement
    data: Any
    source_map: SourceMap
    source: str

    def all(self, *, has_catalog: bool) -> list[Finding]:
        found = [
            *self.targets(),
            *self.contradictions(),
            *self.governance(),
        ]
        if not has_catalog:
            found.append(self.finding("no-catalog", "spec.services", "no service catalog known"))
        return found

    def finding(self, code: str, path: str, message: str) -> Finding:
        severity, why = CODES[code]
        line = self.source_map.line_of(path)
        return Finding(code, severity, self.source, line, path, message, why)

    def raw_target(self, index: int) -> Mapping[str, Any]:
        target = self.data["spec"]["targets"][index]
        return target if isinstance(target, Mapping) else {}

    def targets(self) -> list[Finding]:
        found = []
        for index, target in enumerate(self.agreement.targets):
            path = f"spec.targets[{index}]"
            raw = self.raw_target(index)
            if target.source is None:
                message = f"target '{target.id}' names no data source (source: ...)"
                found.append(self.finding("no-data-source", path, message))
            if "period" not in raw:
                message = f"target '{target.id}' has no period; it runs per month"
                found.append(self.finding("no-period", path, message))
            found.extend(self.units(target, raw, path))
        return found

    def units(self, target: Target, raw: Mapping[str, Any], path: str) -> list[Finding]:
        found = []
        calendar = self.agreement.calendars.get(target.calendar)
        goal_values = raw.get("goal")
        written = goal_values if isinstance(goal_values, Mapping) else {}
        for priority, goal in target.goals.items():
            field = f"{path}.goal.{priority}"
            text = str(written.get(priority, goal.text)).lower().replace(" ", "")
            if goal.seconds == 0 and not goal.working_days:
                message = f"goal {goal.text} for {priority} cannot be met"
                found.append(self.finding("unmeasurable-unit", field, message))
            elif calendar is not None and not calendar.is_24x7 and _DAYS.search(text):
                message = (
                    f"goal {goal.text} for {priority} is in days (24 business hours each) on "
                    f"calendar '{target.calendar}', which is not 24x7; write working days "
                    "(e.g. 3wd) or hours"
                )
                found.append(self.finding("unmeasurable-unit", field, message))
        if target.kind is not TargetKind.COUNT and target.objective == 0:
            message = f"target '{target.id}' has an objective of 0%: it promises nothing"
            found.append(self.finding("unmeasurable-unit", f"{path}.objective", message))
        return found

    def contradictions(self) -> list[Finding]:
        found = []
        indexed = list(enumerate(self.agreement.targets))
        for (_, a), (j, b) in combinations(indexed, 2):
            reason = _contradiction(a, b)
            if reason is not None:
                message = f"targets '{a.id}' and '{b.id}' judge the same {a.kind.value} {reason}"
                found.append(self.finding("contradicting-targets", f"spec.targets[{j}]", message))
        return found

    def governance(self) -> list[Finding]:
        agreement = self.agreement
        found = []
        if agreement.validity.end_on is None:
            message = "the validity has no end date"
            found.append(self.finding("no-end-date", "spec.validity", message))
        if agreement.review is None:
            message = "no review cadence (review: {every: quarter})"
            found.append(self.finding("no-review", "spec", message))
        if not agreement.termination:
            message = "no termination rules (termination: [...])"
            found.append(self.finding("no-termination", "spec", message))
        if not agreement.responsibilities:
            message = "no responsibilities of either side"
            found.append(self.finding("no-responsibilities", "spec", message))
        consequences = agreement.consequences
        if consequences is None:
            return found
        if consequences.cap is None:
            message = "consequences without a cap (cap: 25%)"
            found.append(self.finding("uncapped-consequences", "spec.consequences", message))
            return found
        for i, item in enumerate(consequences.items):
            for j, band in enumerate(item.bands):
                if band.percent > consequences.cap:
                    path = f"spec.consequences.items[{i}].bands[{j}].percent"
                    message = (
                        f"{plain(band.percent * 100)}% is above the cap of "
                        f"{plain(consequences.cap * 100)}%"
                    )
                    found.append(self.finding("band-above-cap", path, message))
        return found


def _overlapping_items(a: Target, b: Target) -> bool:
    """Same match fields with values in common on each (two empty matches: all items).

    A target whose `match` names other fields is read as a deliberate exception, not a clash.
    """
    if set(a.match) != set(b.match):
        return False
    return all(a.match[key] & b.match[key] for key in a.match)


def _contradiction(a: Target, b: Target) -> str | None:
    """Why targets `a` and `b` contradict each other, None when they do not."""
    if a.kind is not b.kind or not _overlapping_items(a, b):
        return None
    if a.is_clock:
        shared = [p for p in a.goals if p in b.goals]
        if not shared:
            return None
        for priority in shared:
            if a.goals[priority] != b.goals[priority]:
                first, second = a.goals[priority].text, b.goals[priority].text
                return f"items with different goals for {priority} ({first}, {second})"
        if (a.objective, a.percentile) != (b.objective, b.percentile):
            return "items with different objectives"
        return None
    if a.kind is TargetKind.COUNT:
        if a.priorities and b.priorities and not a.priorities & b.priorities:
            return None
        if a.count is None or b.count is None:
            return None
        low = [x for x in (a.count.at_least, b.count.at_least) if x is not None]
        high = [x for x in (a.count.at_most, b.count.at_most) if x is not None]
        if low and high and max(low) > min(high):
            return "items with bounds that cannot both hold"
        return None
    if a.objective != b.objective:
        return "items with different objectives"
    return None
