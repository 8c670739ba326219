"""Who is calling: a session cookie (signed, holding a user id) or a Bearer API token, turned into
a `Principal` before any route runs, so that a request without a valid credential gets 401
before its body is read or validated.

Keeps no state between requests: the cookie is signed, not stored, and both credentials are
checked against the database each time (a disabled user or revoked token stops at once).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import anyio.to_thread
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from accord.domain.access import Principal, UnauthenticatedError
from accord.errors import AccordError
from accord.services import tokens, users
from accord.timesource import Clock

__all__ = [
    "API_PREFIX",
    "OPTIONAL_AUTH_PREFIXES",
    "PRINCIPAL_STATE",
    "PUBLIC_PATHS",
    "SESSION_COOKIE",
    "AuthMiddleware",
    "Authenticator",
    "SessionSigner",
]

API_PREFIX = "/v1/"
SESSION_COOKIE = "accord_session"
PRINCIPAL_STATE = "principal"  # request.state.principal
# Paths under /v1 that anyone may call.
PUBLIC_PATHS = frozenset({"/v1/login", "/v1/logout"})
# Paths whose routes may authenticate a request without a credential themselves (a webhook
# signed with a shared secret): here a missing credential is let through, a wrong one is not.
OPTIONAL_AUTH_PREFIXES: tuple[str, ...] = ("/v1/webhooks/",)
_SALT = "accord.session"


@dataclass
class SessionSigner:
    """Signs and reads session cookies. The key comes from `key` (ACCORD_SECRET_KEY), else the
    database's shared session secret (so servers on one database accept each other's
    sessions), else `fallback` (the workspace's secret_key); it is read once, on first use."""

    sessions: sessionmaker[Session]
    max_age_seconds: int
    key: str | None = None
    fallback: str | None = None
    _serializer: URLSafeTimedSerializer | None = field(default=None, init=False, repr=False)

    def dumps(self, user_id: int) -> str:
        return self._signer().dumps({"uid": user_id})

    def user_id(self, cookie: str) -> int:
        """The user id a cookie holds; UnauthenticatedError for a forged or expired one."""
        try:
            data = self._signer().loads(cookie, max_age=self.max_age_seconds)
        except BadSignature:
            raise UnauthenticatedError("the session has expired or is not valid") from None
        if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
            raise UnauthenticatedError("the session is not valid")
        return int(data["uid"])

    def _signer(self) -> URLSafeTimedSerializer:
        if self._serializer is None:
            self._serializer = URLSafeTimedSerializer(self._secret(), salt=_SALT)
        return self._serializer

    def _secret(self) -> str:
        if self.key:
            return self.key
        try:
            with self.sessions() as session:
                return users.session_secret(session)
        except AccordError:
            if self.fallback:
                return self.fallback
            raise


@dataclass
class Authenticator:
    """Turns a request's credentials into a principal, against the database."""

    sessions: sessionmaker[Session]
    signer: SessionSigner
    clock: Clock

    def principal(self, authorization: str | None, cookie: str | None) -> Principal:
        """The caller: a Bearer token wins over a cookie; UnauthenticatedError without a valid
        credential."""
        if authorization is not None:
            scheme, _, value = authorization.partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                raise UnauthenticatedError("use 'Authorization: Bearer acc_...'")
            now: datetime = self.clock.now()
            with self.sessions.begin() as session:
                return tokens.verify_token(session, value.strip(), now=now)
        if cookie:
            user_id = self.signer.user_id(cookie)
            with self.sessions() as session:
                return users.session_principal(session, user_id)
        raise UnauthenticatedError(
            "sign in (POST /v1/login) or send 'Authorization: Bearer <token>'"
        )


class AuthMiddleware:
    """Authenticates every request under /v1 except PUBLIC_PATHS, before routing, and puts the
    principal in `request.state.principal`; answers 401 itself when there is none."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator) -> None:
        self.app = app
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(API_PREFIX) or path in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        authorization = headers.get("authorization")
        cookie = cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)
        optional = path.startswith(OPTIONAL_AUTH_PREFIXES)
        if optional and authorization is None and not cookie:
            await self.app(scope, receive, send)
            return
        try:
            principal = await anyio.to_thread.run_sync(
                self.authenticator.principal, authorization, cookie
            )
        except UnauthenticatedError as exc:
            await _answer(send, 401, str(exc))
            return
        except SQLAlchemyError:
            await _answer(send, 503, "the database is unavailable; try again shortly")
            return
        scope.setdefault("state", {})[PRINCIPAL_STATE] = principal
        await self.app(scope, receive, send)


async def _answer(send: Send, status: int, message: str) -> None:
    """An `ErrorRead` answer sent before routing (401 says how to authenticate)."""
    body = json.dumps({"detail": message, "issues": []}).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
    ]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="accord"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
