"""`accord agreements render` and `accord agreements lint`: the agreement as a document people
sign, and what makes it fail on paper.

Parse, call the spec or one service, render with `accord.reports`; no rules here. Commands on a
file need no workspace; `render ID` reads the workspace in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from accord.cli.render import line, plural
from accord.cli.workspace import AsOption, acting, transaction
from accord.domain.agreements import Agreement
from accord.domain.catalog import CatalogService
from accord.domain.lifecycle import AgreementState, Approval
from accord.reports import document
from accord.reports.lint import counts, findings_json, has_failures, lint_with_document
from accord.services.documents import stored_document
from accord.spec import validate_paths
from accord.spec.lint import Finding

__all__ = ["register"]


class DocumentFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"
    MD = "md"


class LintFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


_SUFFIXES = {
    ".html": DocumentFormat.HTML,
    ".htm": DocumentFormat.HTML,
    ".pdf": DocumentFormat.PDF,
    ".md": DocumentFormat.MD,
    ".markdown": DocumentFormat.MD,
}
_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _console() -> Console:
    return Console(highlight=False)


def agreements_render(
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE|ID",
            help="An agreement file, or the id of an agreement stored in the workspace.",
        ),
    ],
    output_format: Annotated[
        DocumentFormat | None,
        typer.Option("--format", help="html, pdf or md (default: from --out, else html)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="File to write (default: <id>.<format>)."),
    ] = None,
    version: Annotated[
        int | None,
        typer.Option("--version", min=1, help="A stored version (default: the latest)."),
    ] = None,
    catalog: Annotated[
        list[Path] | None,
        typer.Option(
            "--catalog",
            metavar="FILE_OR_DIR",
            help="Service files (kind: Service) to show titles and owners (with FILE).",
        ),
    ] = None,
    as_user: AsOption = None,
) -> None:
    """Write an agreement as a document people sign: HTML, PDF or Markdown.

    A path that exists is a file, read without a workspace; anything else is the id of an
    agreement stored in the workspace, shown with its version, state and approvals.
    """
    console = _console()
    fmt = output_format or _SUFFIXES.get(out.suffix.lower() if out else "", DocumentFormat.HTML)
    path = Path(source)
    if path.exists():
        if version is not None:
            raise typer.BadParameter("a file has no stored versions", param_hint="--version")
        agreement, services = _from_file(console, path, catalog or [])
        content = _render(fmt, agreement, services, None, None, ())
        what = f"{agreement.id} from {path}"
    else:
        if catalog:
            raise typer.BadParameter("only with an agreement file", param_hint="--catalog")
        with transaction(console) as session:
            principal = acting(session, as_user)
            stored = stored_document(session, principal, source, version)
        agreement = stored.agreement
        content = _render(
            fmt, agreement, stored.catalog, stored.version, stored.state, stored.approvals
        )
        state = f", {stored.state.value}" if stored.state is not None else ""
        what = f"{agreement.id} version {stored.version}{state}"
    target = out or Path(f"{agreement.id}.{fmt.value}")
    try:
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    except OSError as exc:
        line(console, f"error: cannot write {target}: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    line(console, f"wrote the {fmt.value} document of {what} to {target}")


def _from_file(
    console: Console, path: Path, catalog: list[Path]
) -> tuple[Agreement, dict[str, CatalogService] | None]:
    """The file's agreement, checked against the catalog's Service files when given."""
    if path.is_dir():
        line(console, f"error: {path} is a directory; name one agreement file")
        raise typer.Exit(1)
    reports = validate_paths([path, *catalog])
    failed = [issue for report in reports for issue in report.issues]
    for issue in failed:
        line(console, str(issue))
    agreement = reports[0].agreement if reports else None
    if failed or agreement is None:
        if not failed:
            line(console, f"error: {path} is not an agreement (kind: Agreement)")
        raise typer.Exit(1)
    services = {r.service.id: r.service for r in reports if r.service is not None}
    return agreement, services or None


def _render(
    fmt: DocumentFormat,
    agreement: Agreement,
    catalog: Mapping[str, CatalogService] | None,
    version: int | None,
    state: AgreementState | None,
    approvals: tuple[Approval, ...],
) -> str | bytes:
    if fmt is DocumentFormat.PDF:
        return document.render_pdf(
            agreement, catalog=catalog, version=version, state=state, approvals=approvals
        )
    render = document.render_html if fmt is DocumentFormat.HTML else document.render_markdown
    return render(agreement, catalog=catalog, version=version, state=state, approvals=approvals)


def agreements_lint(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE_OR_DIR",
            help="Agreement (and Service) files, or directories searched for *.yaml and *.yml.",
        ),
    ],
    output_format: Annotated[
        LintFormat, typer.Option("--format", help="text or json.")
    ] = LintFormat.TEXT,
) -> None:
    """Find what makes agreements fail on paper: a finding per line, each with why it matters.

    Beyond validity: targets without a data source or measurable unit, contradicting targets,
    consequences without a cap, no review cadence or end date, a document over 5 pages.
    Exits 1 on any error or warning, 0 when there are only notes (info) or nothing.
    """
    console = _console()
    results = lint_with_document(paths)
    findings = [finding for result in results for finding in result.findings]
    if output_format is LintFormat.JSON:
        line(console, json.dumps({"files": len(results), **findings_json(findings)}, indent=2))
    else:
        for result in results:
            if not result.findings:
                line(console, f"ok  {result.path}")
            for finding in result.findings:
                _print_finding(console, finding)
        line(console, _summary(findings, len(results)))
    if has_failures(findings):
        raise typer.Exit(1)


def _print_finding(console: Console, finding: Finding) -> None:
    where = f"{finding.file}:{finding.line}" if finding.line is not None else finding.file
    head = Text(f"{where}: ")
    head.append(finding.severity.value, style=_SEVERITY_STYLE.get(finding.severity.value, ""))
    head.append(f" {finding.code}: {finding.message}")
    console.print(head, soft_wrap=True)
    console.print(Text(f"    {finding.why}", style="dim"), soft_wrap=True)


def _summary(findings: list[Finding], files: int) -> str:
    by = counts(findings)
    return (
        f"{plural(files, 'file')}: {plural(by['error'], 'error')}, "
        f"{plural(by['warning'], 'warning')}, {plural(by['info'], 'note')}"
    )


def register(agreements_app: typer.Typer) -> None:
    """Add render and lint to the `accord agreements` sub-app."""
    agreements_app.command("render")(agreements_render)
    agreements_app.command("lint")(agreements_lint)
