"""`/v1/services` (the service catalog: list, read, write from YAML or JSON) and
`/v1/templates` (the agreement templates, as text to start from).

Parse, call one service of `accord.services.catalog` or the spec's templates, render a schema.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from accord.api.deps import READ, WRITE, Now, PrincipalDep, SessionDep
from accord.api.errors import ERROR_RESPONSES
from accord.api.routes.agreements import Body
from accord.api.schemas import ErrorRead
from accord.api.schemas_catalog import (
    ServiceAppliedRead,
    ServiceRead,
    ServiceWrite,
    TemplateRead,
    TemplateSummaryRead,
)
from accord.domain.access import NotFoundError
from accord.services import catalog
from accord.spec import load_agreement_text
from accord.spec.templates import TEMPLATE_NAMES, UnknownTemplate, template_text

__all__ = ["router"]

_TEXT_SCHEMA: dict[str, Any] = {"type": "string", "description": "A Service file (YAML)."}
SERVICE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            # Inline: the routes read the body as text, so FastAPI lists no schema for it.
            "application/json": {"schema": ServiceWrite.model_json_schema(by_alias=True)},
            "application/yaml": {"schema": _TEXT_SCHEMA},
            "text/plain": {"schema": _TEXT_SCHEMA},
        },
    }
}
_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorRead, "description": "The body is too large"},
    415: {"model": ErrorRead, "description": "Not YAML, JSON or text"},
}

router = APIRouter(tags=["catalog"], responses=ERROR_RESPONSES)

ServiceId = Annotated[str, Path(min_length=1, max_length=100, description="metadata.id")]
TemplateName = Annotated[str, Path(min_length=1, max_length=100, description="template name")]


@router.get(
    "/v1/services",
    response_model=list[ServiceRead],
    summary="List the service catalog",
    dependencies=[READ],
)
def list_services(session: SessionDep, principal: PrincipalDep) -> list[ServiceRead]:
    with session.begin():
        return [ServiceRead.of(s) for s in catalog.list_services(session, principal)]


@router.get(
    "/v1/services/{service_id}",
    response_model=ServiceRead,
    summary="Read one service of the catalog",
    dependencies=[READ],
)
def read_service(
    service_id: ServiceId, session: SessionDep, principal: PrincipalDep
) -> ServiceRead:
    with session.begin():
        return ServiceRead.of(catalog.get_service(session, principal, service_id))


@router.put(
    "/v1/services/{service_id}",
    response_model=ServiceAppliedRead,
    openapi_extra=SERVICE_BODY,
    responses=_WRITE_RESPONSES,
    summary="Create or replace a service (an editor of its owner department, or an admin)",
    dependencies=[WRITE],
)
def write_service(
    service_id: ServiceId, body: Body, session: SessionDep, principal: PrincipalDep, now: Now
) -> ServiceAppliedRead:
    with session.begin():
        applied = catalog.apply_service_text(
            session, principal, body.text, now=now, source=body.source, service_id=service_id
        )
        stored = catalog.get_service(session, principal, service_id)
    return ServiceAppliedRead.of_applied(applied, stored)


@router.get(
    "/v1/templates",
    response_model=list[TemplateSummaryRead],
    summary="List the agreement templates",
    dependencies=[READ],
)
def list_templates() -> list[TemplateSummaryRead]:
    return [TemplateSummaryRead(name=name, title=_title(name)) for name in TEMPLATE_NAMES]


@router.get(
    "/v1/templates/{name}",
    response_model=TemplateRead,
    summary="Read a template's YAML text, a complete agreement to edit",
    dependencies=[READ],
)
def read_template(name: TemplateName) -> TemplateRead:
    try:
        text = template_text(name)
    except UnknownTemplate as exc:
        raise NotFoundError(str(exc)) from None
    return TemplateRead(name=name, title=_title(name), content=text)


def _title(name: str) -> str:
    return load_agreement_text(template_text(name), f"{name}.yaml").title
