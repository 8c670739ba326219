"""Who may do what: roles per department, the global admin, token scopes, and the rules as pure
functions of a `Principal` and an agreement's parties.

Knows nothing of storage, passwords or tokens' secrets (see `accord.services.access`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from accord.errors import AccordError, FieldIssue, ValidationError

__all__ = [
    "ALL_SCOPES",
    "SESSION_SCOPES",
    "AccessError",
    "Action",
    "ConflictError",
    "Decision",
    "ForbiddenError",
    "Grant",
    "NotFoundError",
    "Principal",
    "Role",
    "Scope",
    "TokenState",
    "UnauthenticatedError",
    "can",
    "can_administer",
    "can_ingest",
    "can_issue_token",
    "check",
    "check_name",
    "decide",
    "parse_lifetime",
]


class Role(StrEnum):
    """What a member of a department may do with the agreements their department is party to."""

    VIEWER = "viewer"  # read the agreement, its figures and its audit log
    EDITOR = "editor"  # also create and change it
    APPROVER = "approver"  # also approve its changes


class Scope(StrEnum):
    """What a credential may be used for, whatever its user's roles allow."""

    INGEST = "ingest"  # push item events
    READ = "read"
    WRITE = "write"


class Action(StrEnum):
    """Something done to one agreement."""

    READ = "read"
    WRITE = "write"
    APPROVE = "approve"


class Decision(StrEnum):
    ALLOWED = "allowed"
    FORBIDDEN = "forbidden"  # the caller may know the agreement, but not do this
    NOT_FOUND = "not found"  # the caller may not even know that the agreement exists


class TokenState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


ALL_SCOPES = frozenset(Scope)
# A password login acts for its user on the agreements; pushing events is for tokens only.
SESSION_SCOPES = frozenset({Scope.READ, Scope.WRITE})

# The scope and the roles (any one of them) each action needs.
_NEEDS: dict[Action, tuple[Scope, frozenset[Role]]] = {
    Action.READ: (Scope.READ, frozenset(Role)),
    Action.WRITE: (Scope.WRITE, frozenset({Role.EDITOR})),
    Action.APPROVE: (Scope.WRITE, frozenset({Role.APPROVER})),
}

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")
_DEPARTMENT = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LIFETIME = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class AccessError(AccordError):
    """A request that the caller's identity or rights do not allow."""


class UnauthenticatedError(AccessError):
    """No valid credential: unknown user, wrong password, unknown, expired or revoked token."""


class ForbiddenError(AccessError):
    """A known caller without the role, scope or admin right the action needs."""


class NotFoundError(AccordError):
    """No such thing, or none the caller may know of: both read the same, on purpose."""


class ConflictError(AccordError):
    """The thing to create exists already (a user or department name is taken)."""


@dataclass(frozen=True, slots=True, order=True)
class Grant:
    """A role in a department, e.g. `Grant("it", Role.EDITOR)`."""

    department: str
    role: Role


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking, with what: a user's grants and the scopes of the credential used.

    `user_id` is None for the local operator (the CLI on the server's machine, who holds the
    database itself); `token_id` names the token a request came with, None for a password login.
    """

    name: str
    is_admin: bool = False
    grants: frozenset[Grant] = frozenset()
    scopes: frozenset[Scope] = SESSION_SCOPES
    user_id: int | None = None
    token_id: int | None = None
    departments: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "departments", frozenset(g.department for g in self.grants))

    @classmethod
    def operator(cls, name: str) -> Principal:
        """The local operator: an admin with every scope."""
        return cls(name, is_admin=True, scopes=ALL_SCOPES)

    def roles_in(self, department: str) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants if g.department == department)


def decide(principal: Principal, action: Action, parties: Iterable[str]) -> Decision:
    """Whether `principal` may do `action` to an agreement between `parties` (department names).

    In this order: 1. the credential lacks the action's scope: FORBIDDEN (this depends on the
    credential alone, so it says nothing about the agreement); 2. an admin: ALLOWED; 3. none of
    the principal's departments is a party: NOT_FOUND, so that an outsider cannot tell an
    agreement that exists from one that does not; 4. no party department gives one of the
    roles the action needs: FORBIDDEN; 5. ALLOWED.
    """
    scope, roles = _NEEDS[action]
    if scope not in principal.scopes:
        return Decision.FORBIDDEN
    if principal.is_admin:
        return Decision.ALLOWED
    mine = [d for d in dict.fromkeys(parties) if d in principal.departments]
    if not mine:
        return Decision.NOT_FOUND
    if not any(principal.roles_in(d) & roles for d in mine):
        return Decision.FORBIDDEN
    return Decision.ALLOWED


def can(principal: Principal, action: Action, parties: Iterable[str]) -> bool:
    return decide(principal, action, parties) is Decision.ALLOWED


def check(principal: Principal, action: Action, parties: Iterable[str], *, what: str) -> None:
    """Raise unless `decide` allows: NotFoundError `no <what>`, or ForbiddenError saying what
    is missing.

    `what` names the thing as the caller named it (`agreement 'x'`); the NotFoundError message
    is the same whether the thing exists or not.
    """
    decision = decide(principal, action, parties)
    if decision is Decision.NOT_FOUND:
        raise NotFoundError(f"no {what}")
    if decision is Decision.FORBIDDEN:
        scope, roles = _NEEDS[action]
        if scope not in principal.scopes:
            raise ForbiddenError(f"{what}: {action} needs a credential with the '{scope}' scope")
        names = " or ".join(sorted(roles))
        raise ForbiddenError(f"{what}: {action} needs the {names} role in a party department")


def can_ingest(principal: Principal) -> bool:
    """Pushing events needs a token with the `ingest` scope (events belong to no department)."""
    return Scope.INGEST in principal.scopes


def can_administer(principal: Principal, *, change: bool) -> bool:
    """Admins manage users, departments and tokens and read the whole audit log.

    A change needs the `write` scope, reading the `read` scope.
    """
    return principal.is_admin and (Scope.WRITE if change else Scope.READ) in principal.scopes


def can_issue_token(principal: Principal, user_name: str, scopes: Iterable[Scope]) -> bool:
    """An admin may issue any token to anyone; a user may issue themselves `read`/`write` ones.

    Either way the issuer's credential needs the `write` scope.
    """
    if Scope.WRITE not in principal.scopes:
        return False
    if principal.is_admin:
        return True
    return user_name == principal.name and set(scopes) <= SESSION_SCOPES


def check_name(value: str, *, field_path: str, department: bool = False) -> str:
    """Return `value` when it is a valid user name (or department name); else ValidationError.

    Department names are slugs (`it`, `facilities`), as agreements name their provider and
    customer; user names are letters, digits and `_ . @ -`, at most 100 characters.
    """
    pattern = _DEPARTMENT if department else _NAME
    if len(value) <= 100 and pattern.match(value):
        return value
    rule = (
        "lowercase letters, digits and single dashes, e.g. it or service-desk"
        if department
        else "letters, digits, '_', '.', '@' or '-', at most 100 characters"
    )
    raise ValidationError([FieldIssue(field_path, f"'{value}' is not a valid name: use {rule}")])


def parse_lifetime(text: str) -> timedelta:
    """`90d`, `12h`, `30m` or `2w` as a timedelta (calendar time, not business time)."""
    match = _LIFETIME.match(text)
    if match is None or int(match.group(1)) == 0:
        raise ValidationError(
            [FieldIssue("expires_in", f"'{text}' is not a lifetime: use e.g. 30m, 12h, 90d, 2w")]
        )
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
