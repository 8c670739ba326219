"""API tokens: issue one (its text is shown once), verify one into a principal, revoke, list.

Only the SHA-256 of a token is stored, so the database cannot give a token away; a token is
`acc_` and 43 random URL-safe characters (256 bits), too many to guess, which is why a fast
hash is enough here where passwords need argon2. Flushes, never commits.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from accord.domain.access import (
    ForbiddenError,
    NotFoundError,
    Principal,
    Scope,
    TokenState,
    UnauthenticatedError,
    can_administer,
    can_issue_token,
)
from accord.domain.audit import AuditAction, SubjectType
from accord.errors import FieldIssue, ValidationError
from accord.persistence.records import TokenRecord
from accord.persistence.repositories.access import TokenRepository, UserRepository
from accord.services import audit
from accord.services.users import find_user, principal_for

TOKEN_PREFIX = "acc_"
# `last_used_at` is rewritten at most this often: busy ingestion must not queue on one row.
LAST_USED_RESOLUTION = timedelta(minutes=1)

__all__ = [
    "LAST_USED_RESOLUTION",
    "TOKEN_PREFIX",
    "IssuedToken",
    "Token",
    "create_token",
    "list_tokens",
    "revoke_token",
    "token_digest",
    "verify_token",
]


@dataclass(frozen=True, slots=True)
class Token:
    """A token as listed: never its text, which only its holder has."""

    id: int
    user: str
    scopes: frozenset[Scope]
    label: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def state(self, now: datetime) -> TokenState:
        """Revoked wins over expired; a token expires at `expires_at` exactly."""
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if self.expires_at is not None and now >= self.expires_at:
            return TokenState.EXPIRED
        return TokenState.ACTIVE


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: `plain` is its text, to be shown to the caller once and never again."""

    plain: str = field(repr=False)
    token: Token


def token_digest(plain: str) -> str:
    """The hex SHA-256 of a token's text: what is stored and looked up."""
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def create_token(
    session: Session,
    by: Principal,
    user_name: str,
    scopes: Iterable[Scope | str],
    *,
    expires_in: timedelta | None = None,
    label: str | None = None,
    now: datetime,
) -> IssuedToken:
    """Issue a token for `user_name` with `scopes` (at least one), expiring after
    `expires_in` (never when None). Admins issue any token; users `read`/`write` ones for
    themselves (ForbiddenError otherwise). Recorded in the audit log, without the token."""
    wanted = _scopes(scopes)
    if expires_in is not None and expires_in <= timedelta(0):
        raise ValidationError([FieldIssue("expires_in", "must be positive")])
    if not can_issue_token(by, user_name, wanted):
        raise ForbiddenError(
            f"you may not issue a token with scopes {_text(wanted)} to '{user_name}'"
        )
    user = find_user(session, user_name)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = TokenRepository(session).add(
        user_pk=user.pk,
        token_sha256=token_digest(plain),
        scopes=_text(wanted),
        label=label,
        created_at=now,
        expires_at=None if expires_in is None else now + expires_in,
    )
    token = _token(record, user.name)
    details: dict[str, object] = {"user": user.name, "scopes": sorted(wanted)}
    if token.expires_at is not None:
        details["expires_at"] = token.expires_at.isoformat()
    if label is not None:
        details["label"] = label
    _audit(session, by, AuditAction.TOKEN_CREATED, token.id, now, details)
    return IssuedToken(plain, token)


def verify_token(session: Session, plain: str, *, now: datetime) -> Principal:
    """The principal a token stands for: its user's roles with the token's scopes.

    UnauthenticatedError for text that is not a token, an unknown, revoked or expired token, and a
    token of a disabled user. Notes when it was used, at most once per LAST_USED_RESOLUTION.
    """
    if not plain.startswith(TOKEN_PREFIX):
        raise UnauthenticatedError(f"not an accord token (they start with {TOKEN_PREFIX})")
    record = TokenRepository(session).by_digest(token_digest(plain))
    if record is None:
        raise UnauthenticatedError("unknown token")
    if record.revoked_at is not None:
        raise UnauthenticatedError("the token was revoked")
    if record.expires_at is not None and now >= record.expires_at:
        raise UnauthenticatedError("the token expired")
    user = UserRepository(session).by_pk(record.user_pk)
    if user is None or user.disabled_at is not None:
        raise UnauthenticatedError("the token's user is disabled")
    if record.last_used_at is None or now - record.last_used_at >= LAST_USED_RESOLUTION:
        try:
            with session.begin_nested():
                record.last_used_at = now
                session.flush()
        except OperationalError:
            # Bookkeeping only: on SQLite another process may hold the write lock, and a
            # valid token must not fail for it. The next use stamps it.
            pass
    return principal_for(session, user, _parse(record.scopes), token_id=record.pk)


def revoke_token(session: Session, by: Principal, token_id: int, *, now: datetime) -> Token:
    """Revoke a token from now on (revoking it again changes nothing). Admins revoke any
    token, users their own; any other token reads as NotFoundError."""
    repository = TokenRepository(session)
    record = repository.get(token_id)
    owner = None if record is None else UserRepository(session).by_pk(record.user_pk)
    if record is None or owner is None or not _may_manage(by, owner.name, change=True):
        raise NotFoundError(f"no token {token_id}")
    if record.revoked_at is None:
        record.revoked_at = now
        session.flush()
        _audit(session, by, AuditAction.TOKEN_REVOKED, record.pk, now, {"user": owner.name})
    return _token(record, owner.name)


def list_tokens(session: Session, by: Principal, user_name: str | None = None) -> list[Token]:
    """Tokens oldest first, of `user_name` when given (every user's for None). Admins list
    anyone's; other users their own only (None means their own), else ForbiddenError."""
    if user_name is None and not by.is_admin:
        user_name = by.name
    if not _may_manage(by, user_name or by.name, change=False):
        raise ForbiddenError("only admins may list other users' tokens")
    user_pk = None if user_name is None else find_user(session, user_name).pk
    return [_token(record, name) for record, name in TokenRepository(session).listed(user_pk)]


def _may_manage(by: Principal, owner: str, *, change: bool) -> bool:
    """Admins manage every token, users their own; with the `write` scope for a change."""
    if by.is_admin:
        return can_administer(by, change=change)
    scope = Scope.WRITE if change else Scope.READ
    return by.user_id is not None and by.name == owner and scope in by.scopes


def _scopes(scopes: Iterable[Scope | str]) -> frozenset[Scope]:
    found: set[Scope] = set()
    for scope in scopes:
        try:
            found.add(Scope(scope))
        except ValueError:
            allowed = ", ".join(s.value for s in Scope)
            message = f"'{scope}' is not a scope: use {allowed}"
            raise ValidationError([FieldIssue("scopes", message)]) from None
    if not found:
        raise ValidationError([FieldIssue("scopes", "name at least one scope")])
    return frozenset(found)


def _text(scopes: frozenset[Scope]) -> str:
    return " ".join(sorted(scopes))


def _parse(text: str) -> frozenset[Scope]:
    return frozenset(Scope(word) for word in text.split())


def _token(record: TokenRecord, user: str) -> Token:
    return Token(
        record.pk,
        user,
        _parse(record.scopes),
        record.label,
        record.created_at,
        record.expires_at,
        record.revoked_at,
        record.last_used_at,
    )


def _audit(
    session: Session,
    by: Principal,
    action: AuditAction,
    token_id: int,
    now: datetime,
    details: dict[str, object],
) -> None:
    audit.record(
        session,
        actor=by.name,
        action=action,
        subject_type=SubjectType.TOKEN,
        subject_id=str(token_id),
        at=now,
        details=details,
    )
