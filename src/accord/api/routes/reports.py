"""`/v1/reports/{period}`: the monthly compliance report as JSON, CSV or HTML, the same figures
and files as `accord report`, of the agreements the caller reads.
"""

from __future__ import annotations

import csv
import io
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from accord.api.deps import READ, Now, PrincipalDep, SessionDep, parse_at
from accord.api.errors import ERROR_RESPONSES
from accord.errors import FieldIssue, ValidationError
from accord.reports.html import render_html
from accord.reports.pdf import report_pdf
from accord.reports.report_files import REPORT_COLUMNS, report_rows, to_json
from accord.services import scoped
from accord.services.reports import ComplianceReport, parse_month

__all__ = ["ReportFormat", "router"]


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    HTML = "html"
    PDF = "pdf"


_MEDIA = {
    ReportFormat.JSON: "application/json",
    ReportFormat.CSV: "text/csv; charset=utf-8",
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.PDF: "application/pdf",
}
_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report (accord-report/v1 JSON, CSV rows, a self-contained page, a PDF)",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
            "text/html": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}

router = APIRouter(prefix="/v1/reports", tags=["reports"], responses=ERROR_RESPONSES)


@router.get(
    "/{period}",
    response_class=Response,
    responses=_CONTENT,
    summary="The monthly report of YYYY-MM",
    dependencies=[READ],
)
def monthly_report(
    period: Annotated[str, Path(max_length=20, description="The month, YYYY-MM.")],
    session: SessionDep,
    principal: PrincipalDep,
    now: Now,
    format: Annotated[
        ReportFormat, Query(description="json, csv, html or pdf.")
    ] = ReportFormat.JSON,
    agreement: Annotated[str | None, Query(max_length=200, description="Only this one.")] = None,
    at: Annotated[
        str | None,
        Query(description="Evaluate as of this instant (default: the month's end, or now)."),
    ] = None,
) -> Response:
    try:
        month = parse_month(period)
    except ValueError as exc:
        raise ValidationError([FieldIssue("period", str(exc))]) from None
    as_of = parse_at(at, now) if at is not None else None
    with session.begin():
        report = scoped.monthly_report(
            session, principal, month, now=now, as_of=as_of, agreement_id=agreement
        )
    return Response(_render(report, format), media_type=_MEDIA[format])


def _render(report: ComplianceReport, fmt: ReportFormat) -> str | bytes:
    if fmt is ReportFormat.PDF:
        return report_pdf(report)
    if fmt is ReportFormat.HTML:
        return render_html(report)
    if fmt is ReportFormat.JSON:
        return to_json(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    writer.writerows(report_rows(report))
    return out.getvalue()
