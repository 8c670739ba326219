"""`/v1/agreements/{id}/document` (the agreement as a document people sign: HTML, PDF or
Markdown) and `/v1/lint` (what makes an agreement fail on paper), as the CLI renders them.

Parse, call one service (or the spec lint) in one transaction, render with `accord.reports`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from accord.api.deps import READ, PrincipalDep, SessionDep
from accord.api.errors import ERROR_RESPONSES
from accord.api.routes.agreements import AGREEMENT_BODY, AgreementId, Body
from accord.reports import document
from accord.reports.lint import findings_json, lint_text_with_document
from accord.services.documents import stored_document

__all__ = ["DocumentFormat", "router"]


class DocumentFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"
    MD = "md"


_MEDIA = {
    DocumentFormat.HTML: "text/html; charset=utf-8",
    DocumentFormat.PDF: "application/pdf",
    DocumentFormat.MD: "text/markdown; charset=utf-8",
}
_DOCUMENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The document: a self-contained page, a PDF (A4) or Markdown",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "text/markdown": {"schema": {"type": "string"}},
        },
    }
}
_FINDINGS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The findings: `ok` (no error, no warning), counts per severity and "
        "each finding with its file, line, field, code, severity, message and why",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}

_RENDERERS: dict[DocumentFormat, Callable[..., str | bytes]] = {
    DocumentFormat.HTML: document.render_html,
    DocumentFormat.PDF: document.render_pdf,
    DocumentFormat.MD: document.render_markdown,
}

router = APIRouter(tags=["documents"], responses=ERROR_RESPONSES)


@router.get(
    "/v1/agreements/{agreement_id}/document",
    response_class=Response,
    responses=_DOCUMENT,
    summary="The agreement as a document to sign (version, state and approvals shown)",
    dependencies=[READ],
)
def agreement_document(
    agreement_id: AgreementId,
    session: SessionDep,
    principal: PrincipalDep,
    format: Annotated[DocumentFormat, Query(description="html, pdf or md.")] = (
        DocumentFormat.HTML
    ),
    version: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="A version (default: the latest).")
    ] = None,
) -> Response:
    with session.begin():
        stored = stored_document(session, principal, agreement_id, version)
    content = _RENDERERS[format](
        stored.agreement,
        catalog=stored.catalog,
        version=stored.version,
        state=stored.state,
        approvals=stored.approvals,
    )
    filename = f"{stored.agreement.id}-v{stored.version}.{format.value}"
    headers = {"Content-Disposition": f'inline; filename="{filename}"'}
    return Response(content, media_type=_MEDIA[format], headers=headers)


@router.post(
    "/v1/lint",
    responses=_FINDINGS,
    openapi_extra=AGREEMENT_BODY,
    summary="Lint an agreement file's YAML or JSON (nothing is stored)",
    dependencies=[READ],
)
def lint(body: Body) -> dict[str, Any]:
    return findings_json(lint_text_with_document(body.text, body.source))
