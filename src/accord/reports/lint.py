"""Lint with the rendered document: the spec's findings plus `too-long`, an agreement whose
signed document runs past `MAX_PAGES` pages.

Composes `accord.spec.lint` (which it never changes) with a layout of each valid agreement's
document (`accord.reports.document.page_count`); the exit status is the entry point's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from accord.domain.catalog import CatalogService
from accord.reports.document import page_count
from accord.spec.agreements import read_document
from accord.spec.lint import FileLint, Finding, Severity, lint_paths, lint_text
from accord.spec.yamlload import load_yaml

__all__ = [
    "MAX_PAGES",
    "TOO_LONG_WHY",
    "counts",
    "findings_json",
    "has_failures",
    "lint_text_with_document",
    "lint_with_document",
    "too_long",
]

MAX_PAGES = 5
TOO_LONG_WHY = (
    "Nobody reads a long agreement before signing it, and a promise buried on page 9 is a "
    "promise nobody keeps; keep the document to what is measured and agreed."
)


def lint_with_document(paths: Sequence[Path]) -> list[FileLint]:
    """Lint files and directories (`accord.spec.lint.lint_paths`), and lay out the document of
    each valid agreement: one over `MAX_PAGES` A4 pages gets a `too-long` warning.

    Service files among the paths are the catalog the documents show (titles, owners), as
    they are the catalog the agreements are checked against. An invalid file is not laid out.
    """
    results = lint_paths(paths)
    catalog = {r.service.id: r.service for r in results if r.service is not None}
    return [_with_length(result, catalog or None) for result in results]


def lint_text_with_document(text: str, source: str) -> list[Finding]:
    """Lint one document's text (`accord.spec.lint.lint_text`, no catalog) and, when it is a
    valid agreement, its rendered length; findings in order of their lines."""
    findings = lint_text(text, source)
    if any(f.severity is Severity.ERROR for f in findings):
        return findings
    document = read_document(text, source)
    if document.agreement is None:
        return findings
    pages = page_count(document.agreement)
    if pages <= MAX_PAGES:
        return findings
    finding = too_long(source, pages, document.source_map.line_of("spec"))
    return _sorted([*findings, finding])


def has_failures(findings: Sequence[Finding]) -> bool:
    """True when a finding is an error or a warning (what makes `accord agreements lint` exit
    1); notes (info) alone pass."""
    return any(f.severity in (Severity.ERROR, Severity.WARNING) for f in findings)


def counts(findings: Sequence[Finding]) -> dict[str, int]:
    """How many findings of each severity: `{"error": 0, "warning": 2, "info": 1}`."""
    return {s.value: sum(1 for f in findings if f.severity is s) for s in Severity}


def findings_json(findings: Sequence[Finding]) -> dict[str, Any]:
    """The findings as the CLI's `--format json` and the API answer them: each finding's
    fields, the count per severity, and `ok` (no error and no warning)."""
    return {
        "ok": not has_failures(findings),
        "counts": counts(findings),
        "findings": [
            {
                "file": f.file,
                "line": f.line,
                "field": f.field,
                "code": f.code,
                "severity": f.severity.value,
                "message": f.message,
                "why": f.why,
            }
            for f in findings
        ],
    }


def too_long(file: str, pages: int, line: int | None = None) -> Finding:
    """The `too-long` finding of a document of `pages` pages."""
    return Finding(
        code="too-long",
        severity=Severity.WARNING,
        file=file,
        line=line,
        field="spec",
        message=f"the rendered document is {pages} pages long (at most {MAX_PAGES})",
        why=TOO_LONG_WHY,
    )


def _with_length(result: FileLint, catalog: dict[str, CatalogService] | None) -> FileLint:
    if result.agreement is None:
        return result
    pages = page_count(result.agreement, catalog=catalog)
    if pages <= MAX_PAGES:
        return result
    finding = too_long(str(result.path), pages, _line_of_spec(result.path))
    return replace(result, findings=_sorted([*result.findings, finding]))


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.line or 0, f.field, f.code))


def _line_of_spec(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return load_yaml(text).source_map.line_of("spec")
