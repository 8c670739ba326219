"""`/v1/agreements`: list, read any version, create and update from YAML or JSON, versions, diff.

Parse, call one service of `accord.services.scoped` in one transaction, render a schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from accord.api.deps import READ, WRITE, Limit, Now, Offset, PrincipalDep, SessionDep, get_context
from accord.api.errors import ERROR_RESPONSES, PayloadError
from accord.api.schemas import (
    AgreementApplied,
    AgreementPage,
    AgreementRead,
    AgreementSummaryRead,
    DiffRead,
    ErrorRead,
    VersionRead,
)
from accord.errors import FieldIssue, ValidationError
from accord.services import scoped

__all__ = ["AGREEMENT_MEDIA_TYPES", "router"]

# Content types an agreement may be sent as; JSON is parsed by the same (YAML 1.2) loader.
AGREEMENT_MEDIA_TYPES = {
    "application/yaml": "yaml",
    "application/x-yaml": "yaml",
    "text/yaml": "yaml",
    "text/plain": "yaml",
    "application/json": "json",
}
_TEXT_SCHEMA: dict[str, Any] = {"type": "string", "description": "An agreement file (YAML)."}
AGREEMENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/AgreementCreate"}},
            "application/yaml": {"schema": _TEXT_SCHEMA},
            "text/plain": {"schema": _TEXT_SCHEMA},
        },
    }
}
_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorRead, "description": "An agreement with this id exists"},
    413: {"model": ErrorRead, "description": "The body is too large"},
    415: {"model": ErrorRead, "description": "Not YAML, JSON or text"},
}

router = APIRouter(prefix="/v1/agreements", tags=["agreements"], responses=ERROR_RESPONSES)

AgreementId = Annotated[str, Path(min_length=1, max_length=200, description="metadata.id")]


@dataclass(frozen=True, slots=True)
class AgreementText:
    text: str
    source: str  # how messages name the body: `body.yaml`, `body.json`


async def agreement_text(request: Request) -> AgreementText:
    """The request body as agreement text: YAML, JSON or plain text, UTF-8, within the limit."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    kind = AGREEMENT_MEDIA_TYPES.get(media)
    if kind is None:
        allowed = ", ".join(sorted(AGREEMENT_MEDIA_TYPES))
        raise PayloadError(f"send the agreement as one of {allowed}", 415)
    limit = get_context(request).max_body_bytes
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadError(f"an agreement is at most {limit:,} bytes", 413)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError([FieldIssue("", "the body is not UTF-8 text")]) from None
    return AgreementText(text, f"body.{kind}")


Body = Annotated[AgreementText, Depends(agreement_text)]


@router.get(
    "",
    response_model=AgreementPage,
    summary="List the agreements you may read",
    dependencies=[READ],
)
def list_agreements(
    session: SessionDep, principal: PrincipalDep, offset: Offset = 0, limit: Limit = 50
) -> AgreementPage:
    with session.begin():
        page = scoped.list_agreements(session, principal, offset=offset, limit=limit)
    items = [AgreementSummaryRead.of(s) for s in page.items]
    return AgreementPage(total=page.total, offset=offset, limit=limit, items=items)


@router.post(
    "",
    status_code=201,
    response_model=AgreementApplied,
    openapi_extra=AGREEMENT_BODY,
    responses=_WRITE_RESPONSES,
    summary="Create an agreement from its file's YAML or JSON",
    dependencies=[WRITE],
)
def create_agreement(
    body: Body, session: SessionDep, principal: PrincipalDep, now: Now
) -> AgreementApplied:
    with session.begin():
        written = scoped.write_agreement(session, principal, body.text, now=now, source=body.source)
    return _applied(written)


@router.get(
    "/{agreement_id}",
    response_model=AgreementRead,
    summary="Read the latest version",
    dependencies=[READ],
)
def read_agreement(
    agreement_id: AgreementId, session: SessionDep, principal: PrincipalDep
) -> AgreementRead:
    with session.begin():
        return AgreementRead.of_stored(scoped.read_agreement(session, principal, agreement_id))


@router.put(
    "/{agreement_id}",
    response_model=AgreementApplied,
    openapi_extra=AGREEMENT_BODY,
    responses=_WRITE_RESPONSES,
    summary="Store the next version (unchanged text stores nothing)",
    dependencies=[WRITE],
)
def update_agreement(
    agreement_id: AgreementId,
    body: Body,
    session: SessionDep,
    principal: PrincipalDep,
    now: Now,
) -> AgreementApplied:
    with session.begin():
        written = scoped.write_agreement(
            session, principal, body.text, now=now, source=body.source, agreement_id=agreement_id
        )
    return _applied(written)


@router.get(
    "/{agreement_id}/versions",
    response_model=list[VersionRead],
    summary="Every version, oldest first",
    dependencies=[READ],
)
def list_versions(
    agreement_id: AgreementId, session: SessionDep, principal: PrincipalDep
) -> list[VersionRead]:
    with session.begin():
        versions = scoped.agreement_versions(session, principal, agreement_id)
    return [VersionRead.of(v) for v in versions]


@router.get(
    "/{agreement_id}/versions/{version}",
    response_model=AgreementRead,
    summary="Read one version",
    dependencies=[READ],
)
def read_version(
    agreement_id: AgreementId,
    version: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: SessionDep,
    principal: PrincipalDep,
) -> AgreementRead:
    with session.begin():
        stored = scoped.read_agreement(session, principal, agreement_id, version)
    return AgreementRead.of_stored(stored)


@router.get(
    "/{agreement_id}/diff",
    response_model=DiffRead,
    summary="What changed between two versions (unified diff)",
    dependencies=[READ],
)
def diff_versions(
    agreement_id: AgreementId,
    session: SessionDep,
    principal: PrincipalDep,
    from_version: Annotated[int, Query(alias="from", ge=1, le=2**31 - 1)],
    to_version: Annotated[int, Query(alias="to", ge=1, le=2**31 - 1)],
) -> DiffRead:
    with session.begin():
        text = scoped.agreement_diff(session, principal, agreement_id, from_version, to_version)
    return DiffRead(
        agreement_id=agreement_id, from_version=from_version, to_version=to_version, diff=text
    )


def _applied(written: scoped.WriteOutcome) -> AgreementApplied:
    read = AgreementRead.of_stored(written.stored)
    return AgreementApplied(**read.model_dump(), changed=written.outcome.changed)
