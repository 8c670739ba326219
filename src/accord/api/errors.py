"""HTTP answers for accord's errors: one `ErrorRead` body for all of them.

UnauthenticatedError  401  (with WWW-Authenticate: Bearer)
ForbiddenError        403  a known caller without the role or scope
NotFoundError         404  also what outsiders get for things that exist
ConflictError         409
TransitionError       409  what the agreement's state does not allow, with what it allows
PayloadError          413, 415  a body too large, or of a type the route does not read
ValidationError       422  each issue with the CLI's field path
request validation    422  FastAPI's own (query, path, JSON bodies), in the same shape
other AccordError     400
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from accord.api.schemas import ErrorRead, IssueRead
from accord.domain.access import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    UnauthenticatedError,
)
from accord.domain.lifecycle import TransitionError
from accord.errors import AccordError, ValidationError

__all__ = ["ERROR_RESPONSES", "PayloadError", "install_error_handlers", "loc_path"]


class PayloadError(AccordError):
    """A body that cannot be read at all: too large (413), of an unknown type (415)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


_STATUS: tuple[tuple[type[AccordError], int], ...] = (
    (UnauthenticatedError, 401),
    (ForbiddenError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (TransitionError, 409),
    (ValidationError, 422),
)

# Documented on every route under /v1 (FastAPI adds 422 itself).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorRead, "description": "No valid credential"},
    403: {"model": ErrorRead, "description": "The credential or role does not allow this"},
    404: {"model": ErrorRead, "description": "No such thing, or none the caller may know of"},
}


def loc_path(loc: Sequence[int | str]) -> str:
    """FastAPI's error location as a field path: ('body', 'grants', 0, 'role') ->
    `grants[0].role`; ('query', 'limit') -> `limit`."""
    parts = list(loc[1:]) if loc and loc[0] in ("body", "query", "path", "header") else list(loc)
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _body(detail: str, issues: list[IssueRead] | None = None) -> dict[str, Any]:
    return ErrorRead(detail=detail, issues=issues or []).model_dump(mode="json")


async def _accord_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AccordError)
    status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 400)
    if isinstance(exc, PayloadError):
        status = exc.status
    headers = {"WWW-Authenticate": 'Bearer realm="accord"'} if status == 401 else None
    if isinstance(exc, ValidationError):
        issues = [IssueRead(path=i.path, message=i.message, line=i.line) for i in exc.issues]
        detail = "; ".join(f"{i.path}: {i.message}" if i.path else i.message for i in issues)
        return JSONResponse(_body(detail or "invalid input", issues), status, headers)
    return JSONResponse(_body(str(exc)), status, headers)


async def _request_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    issues = [
        IssueRead(path=loc_path(error.get("loc", ())), message=str(error.get("msg", "")))
        for error in exc.errors()
    ]
    detail = "; ".join(f"{i.path}: {i.message}" if i.path else i.message for i in issues)
    return JSONResponse(_body(detail or "invalid request", issues), 422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return JSONResponse(_body(str(exc.detail)), exc.status_code, exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    """Answer accord's errors and FastAPI's validation errors with `ErrorRead` bodies."""
    app.add_exception_handler(AccordError, _accord_error)
    app.add_exception_handler(RequestValidationError, _request_error)
    app.add_exception_handler(HTTPException, _http_error)
