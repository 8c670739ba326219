"""`/v1/tokens`: issue an API token (its text is in the answer, once), list and revoke tokens.
Admins manage anyone's; users their own read/write tokens (the service decides).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from accord.api.deps import READ, WRITE, Now, PrincipalDep, SessionDep
from accord.api.errors import ERROR_RESPONSES
from accord.domain.access import Scope, TokenState, parse_lifetime
from accord.services import tokens
from accord.services.tokens import Token

__all__ = [
    "TokenCreate",
    "TokenIssued",
    "TokenRead",
    "router",
]


class TokenCreate(BaseModel):
    """A token for `user` (default: the caller); `expires_in` such as 30m, 12h, 90d, 2w."""

    user: str | None = Field(default=None, min_length=1, max_length=100)
    scopes: list[Scope] = Field(min_length=1, max_length=3)
    expires_in: str | None = Field(default=None, max_length=20)
    label: str | None = Field(default=None, max_length=200)


class TokenRead(BaseModel):
    id: int
    user: str
    scopes: list[Scope]
    label: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    state: TokenState

    @classmethod
    def of(cls, token: Token, now: datetime) -> TokenRead:
        return cls(
            id=token.id,
            user=token.user,
            scopes=sorted(token.scopes),
            label=token.label,
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
            last_used_at=token.last_used_at,
            state=token.state(now),
        )


class TokenIssued(BaseModel):
    """A new token: `token` is its text, shown this once only (only its hash is stored)."""

    token: str
    info: TokenRead


router = APIRouter(prefix="/v1/tokens", tags=["tokens"], responses=ERROR_RESPONSES)


@router.get(
    "", response_model=list[TokenRead], summary="Tokens (never their text)", dependencies=[READ]
)
def list_tokens(
    session: SessionDep,
    principal: PrincipalDep,
    now: Now,
    user: Annotated[str | None, Query(max_length=100, description="Only this user's.")] = None,
) -> list[TokenRead]:
    with session.begin():
        found = tokens.list_tokens(session, principal, user)
    return [TokenRead.of(t, now) for t in found]


@router.post(
    "",
    status_code=201,
    response_model=TokenIssued,
    summary="Issue a token: its text is shown in this answer only",
    dependencies=[WRITE],
)
def create_token(
    body: TokenCreate, session: SessionDep, principal: PrincipalDep, now: Now
) -> TokenIssued:
    lifetime = None if body.expires_in is None else parse_lifetime(body.expires_in)
    with session.begin():
        issued = tokens.create_token(
            session,
            principal,
            body.user or principal.name,
            body.scopes,
            expires_in=lifetime,
            label=body.label,
            now=now,
        )
    return TokenIssued(token=issued.plain, info=TokenRead.of(issued.token, now))


@router.delete(
    "/{token_id}",
    response_model=TokenRead,
    summary="Revoke a token from now on",
    dependencies=[WRITE],
)
def revoke_token(
    token_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: SessionDep,
    principal: PrincipalDep,
    now: Now,
) -> TokenRead:
    with session.begin():
        token = tokens.revoke_token(session, principal, token_id, now=now)
    return TokenRead.of(token, now)
