"""For load balancers and monitoring: `/healthz` (the process answers), `/readyz` (the database
answers and its schema is the one this accord needs), `/metrics` (Prometheus text). No
credentials: they tell nothing about agreements.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from accord.api import metrics
from accord.api.deps import get_context
from accord.errors import AccordError
from accord.services.workspace import check_schema

__all__ = ["Health", "router"]

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    detail: str = ""


@router.get("/healthz", response_model=Health, summary="The process is up")
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    responses={503: {"model": Health, "description": "Database unreachable or not migrated"}},
    summary="The database is reachable and its schema current",
)
def readyz(request: Request) -> Response:
    try:
        check_schema(get_context(request).workspace)
    except (AccordError, SQLAlchemyError, OSError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        body = Health(status="unavailable", detail=detail).model_dump()
        return JSONResponse(body, status_code=503)
    return JSONResponse(Health(status="ok").model_dump())


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    summary="Prometheus metrics",
)
def prometheus_metrics() -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
