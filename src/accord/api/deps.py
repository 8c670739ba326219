"""What routes receive from FastAPI: the app's context, a database session per request, the
caller's principal, "now", and pagination. Routes own their transaction (`with
session.begin():`); nothing here commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session, sessionmaker

from accord.api.auth import PRINCIPAL_STATE, Authenticator, SessionSigner
from accord.domain.access import ForbiddenError, Principal, Scope, UnauthenticatedError
from accord.errors import FieldIssue, ValidationError
from accord.ingest.instants import instant_to_datetime, parse_instant
from accord.services.workspace import Workspace
from accord.timesource import Clock

__all__ = [
    "MAX_PAGE",
    "READ",
    "WRITE",
    "ApiContext",
    "AsOf",
    "Limit",
    "Now",
    "Offset",
    "OptionalPrincipal",
    "Principal",
    "PrincipalDep",
    "SessionDep",
    "get_context",
    "get_now",
    "get_optional_principal",
    "get_principal",
    "get_session",
    "parse_at",
]

MAX_PAGE = 500


@dataclass(frozen=True)
class ApiContext:
    """One app's shared parts: one engine (in `workspace`) and session factory per process."""

    workspace: Workspace
    sessions: sessionmaker[Session]
    clock: Clock
    signer: SessionSigner
    authenticator: Authenticator
    cookie_secure: bool
    max_body_bytes: int


def get_context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.accord
    return context


def get_session(request: Request) -> Iterator[Session]:
    """A session for this request; the route begins and commits its transaction."""
    with get_context(request).sessions() as session:
        yield session


def get_optional_principal(request: Request) -> Principal | None:
    """The caller, when the request came with a credential (see `auth.AuthMiddleware`)."""
    principal = getattr(request.state, PRINCIPAL_STATE, None)
    return principal if isinstance(principal, Principal) else None


def get_principal(request: Request) -> Principal:
    """The caller; 401 when the request came without a valid credential."""
    principal = get_optional_principal(request)
    if principal is None:
        raise UnauthenticatedError("sign in (POST /v1/login) or send 'Authorization: Bearer ...'")
    return principal


def _needs(scope: Scope) -> Callable[[Principal], None]:
    def check(principal: Annotated[Principal, Depends(get_principal)]) -> None:
        if scope not in principal.scopes:
            raise ForbiddenError(f"this needs a credential with the '{scope}' scope")

    return check


def get_now(request: Request) -> datetime:
    """The current instant, from the app's clock (tests fix it)."""
    return get_context(request).clock.now()


def parse_at(at: str | None, now: datetime) -> datetime:
    """`?at=` as an aware instant (ISO 8601 with an offset or Z); `now` without it."""
    if at is None:
        return now
    try:
        return instant_to_datetime(parse_instant(at, None))
    except ValueError as exc:
        raise ValidationError([FieldIssue("at", str(exc))]) from None


def _as_of(
    request: Request,
    at: Annotated[
        str | None,
        Query(description="As of this instant (ISO 8601 with an offset or Z); default: now."),
    ] = None,
) -> datetime:
    return parse_at(at, get_now(request))


SessionDep = Annotated[Session, Depends(get_session)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(get_optional_principal)]
Now = Annotated[datetime, Depends(get_now)]
AsOf = Annotated[datetime, Depends(_as_of)]
# Route dependencies: the credential's scope, checked before anything else (the services check
# again, with the caller's roles).
READ = Depends(_needs(Scope.READ))
WRITE = Depends(_needs(Scope.WRITE))
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page.")]
