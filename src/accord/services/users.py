"""Departments, users and their roles, passwords (argon2id), and the principal of a login.

Every change needs an admin principal and is written to the audit log in the same transaction.
Passwords arrive as text from the entry point (which prompts); only their hashes are stored.
Flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from accord.domain.access import (
    SESSION_SCOPES,
    ConflictError,
    Grant,
    NotFoundError,
    Principal,
    Role,
    Scope,
    UnauthenticatedError,
    check_name,
)
from accord.domain.audit import AuditAction, SubjectType
from accord.errors import AccordError, FieldIssue, ValidationError
from accord.persistence.records import DepartmentRecord, UserRecord
from accord.persistence.repositories.access import (
    DepartmentRepository,
    SecretRepository,
    UserRepository,
)
from accord.services import audit
from accord.services.access import require_admin

MIN_PASSWORD_LENGTH = 10
SESSION_SECRET = "session"  # the `secrets` row migration 0003 makes
_HASHER = PasswordHasher()  # argon2id with the RFC 9106 low-memory profile
_WRONG = "wrong user name or password"

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "SESSION_SECRET",
    "Department",
    "User",
    "acting_as",
    "add_department",
    "add_user",
    "authenticate",
    "find_user",
    "get_user",
    "grant",
    "list_departments",
    "list_users",
    "principal_for",
    "remove_role",
    "session_principal",
    "session_secret",
    "set_disabled",
    "set_password",
]


@dataclass(frozen=True, slots=True)
class Department:
    name: str
    title: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class User:
    """A user as shown: never their password hash, only whether they have a password."""

    id: int
    name: str
    is_admin: bool
    has_password: bool
    created_at: datetime
    disabled_at: datetime | None
    grants: tuple[Grant, ...]

    @property
    def is_disabled(self) -> bool:
        return self.disabled_at is not None


def add_department(
    session: Session, by: Principal, name: str, *, title: str | None = None, now: datetime
) -> Department:
    """Create a department; `name` is the slug agreements use as provider or customer."""
    require_admin(by, change=True)
    check_name(name, field_path="name", department=True)
    repository = DepartmentRepository(session)
    if repository.get(name) is not None:
        raise ConflictError(f"department '{name}' exists already")
    record = repository.add(name, title=title, created_at=now)
    _audit(
        session, by, AuditAction.DEPARTMENT_ADDED, SubjectType.DEPARTMENT, name, now, title=title
    )
    return Department(record.name, record.title, record.created_at)


def list_departments(session: Session, by: Principal) -> list[Department]:
    """Every department by name (admins only)."""
    require_admin(by, change=False)
    return [Department(r.name, r.title, r.created_at) for r in DepartmentRepository(session).all()]


def add_user(
    session: Session,
    by: Principal,
    name: str,
    password: str | None,
    *,
    is_admin: bool = False,
    grants: Iterable[Grant] = (),
    now: datetime,
) -> User:
    """Create a user with `password` (None: a user for tokens only, e.g. a service desk's
    push) and, optionally, roles in existing departments. ConflictError when the name is taken."""
    require_admin(by, change=True)
    check_name(name, field_path="name")
    hashed = None if password is None else _hash(password)
    users = UserRepository(session)
    if users.get(name) is not None:
        raise ConflictError(f"user '{name}' exists already")
    record = users.add(name, password_hash=hashed, is_admin=is_admin, created_at=now)
    _audit(session, by, AuditAction.USER_ADDED, SubjectType.USER, name, now, is_admin=is_admin)
    for given in grants:
        grant(session, by, name, given.department, given.role, now=now)
    return _user(session, record)


def get_user(session: Session, by: Principal, name: str) -> User:
    """One user; an admin may look anyone up, a user only themselves (else ForbiddenError)."""
    if by.name != name:
        require_admin(by, change=False)
    return _user(session, _find(session, name))


def list_users(session: Session, by: Principal) -> list[User]:
    """Every user by name, with their roles (admins only)."""
    require_admin(by, change=False)
    users = UserRepository(session)
    records = users.all()
    grants = users.grants([r.pk for r in records])
    return [_view(record, grants[record.pk]) for record in records]


def grant(
    session: Session, by: Principal, user_name: str, department: str, role: Role, *, now: datetime
) -> User:
    """Give a user a role in a department (holding it already changes nothing)."""
    return _change_role(session, by, user_name, department, role, now=now, give=True)


def remove_role(
    session: Session, by: Principal, user_name: str, department: str, role: Role, *, now: datetime
) -> User:
    """Take a role away (not holding it changes nothing)."""
    return _change_role(session, by, user_name, department, role, now=now, give=False)


def _change_role(
    session: Session,
    by: Principal,
    user_name: str,
    department: str,
    role: Role,
    *,
    now: datetime,
    give: bool,
) -> User:
    """Give or take a role; audit only an actual change."""
    require_admin(by, change=True)
    user, found = _find(session, user_name), _department(session, department)
    repository = UserRepository(session)
    change = repository.grant if give else repository.remove_role
    if change(user.pk, found.pk, Role(role)):
        _audit(
            session,
            by,
            AuditAction.USER_ROLE_GRANTED if give else AuditAction.USER_ROLE_REMOVED,
            SubjectType.USER,
            user_name,
            now,
            department=department,
            role=str(role),
        )
    return _user(session, user)


def set_password(
    session: Session, by: Principal, user_name: str, password: str, *, now: datetime
) -> None:
    """Set a user's password: an admin for anyone, a user for themselves (with the `write`
    scope; an entry point should have them confirm their current password first)."""
    is_self = by.user_id is not None and by.name == user_name and Scope.WRITE in by.scopes
    if not is_self:
        require_admin(by, change=True)
    user = _find(session, user_name)
    user.password_hash = _hash(password)
    session.flush()
    _audit(session, by, AuditAction.USER_PASSWORD_SET, SubjectType.USER, user_name, now)


def set_disabled(
    session: Session, by: Principal, user_name: str, disabled: bool, *, now: datetime
) -> User:
    """Disable a user (their logins and tokens stop working at once) or enable them again."""
    require_admin(by, change=True)
    user = _find(session, user_name)
    if (user.disabled_at is not None) != disabled:
        user.disabled_at = now if disabled else None
        session.flush()
        action = AuditAction.USER_DISABLED if disabled else AuditAction.USER_ENABLED
        _audit(session, by, action, SubjectType.USER, user_name, now)
    return _user(session, user)


def authenticate(session: Session, name: str, password: str) -> User:
    """The user whose name and password these are; UnauthenticatedError otherwise.

    The message is the same for an unknown name, a wrong password, a user without a password
    and a disabled user, and an unknown name costs a hash too, so neither the answer nor its
    time tells which names exist. A hash made with older parameters is renewed on success.
    """
    record = UserRepository(session).get(name)
    stored = record.password_hash if record is not None else None
    try:
        _HASHER.verify(stored or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        raise UnauthenticatedError(_WRONG) from None
    if record is None or stored is None or record.disabled_at is not None:
        raise UnauthenticatedError(_WRONG)
    if _HASHER.check_needs_rehash(stored):
        record.password_hash = _hash(password)
        session.flush()
    return _user(session, record)


def session_principal(session: Session, user_id: int) -> Principal:
    """The principal of a password login (a session cookie names `user_id`): the user's roles
    and the session scopes (`read`, `write`). UnauthenticatedError for a missing or disabled
    user."""
    record = UserRepository(session).by_pk(user_id)
    if record is None or record.disabled_at is not None:
        raise UnauthenticatedError("the session's user no longer exists or is disabled")
    return principal_for(session, record, SESSION_SCOPES)


def session_secret(session: Session) -> str:
    """The key that signs session cookies: made once per database by its migration, so every
    server sharing the database accepts the sessions of the others."""
    secret = SecretRepository(session).get(SESSION_SECRET)
    if secret is None:
        raise AccordError("the database has no session secret: run `accord db upgrade`")
    return secret


def principal_for(
    session: Session,
    record: UserRecord,
    scopes: frozenset[Scope],
    token_id: int | None = None,
) -> Principal:
    """The principal of a user acting with a credential of `scopes`."""
    grants = UserRepository(session).grants([record.pk])[record.pk]
    return Principal(
        record.name,
        is_admin=record.is_admin,
        grants=frozenset(Grant(d, r) for d, r in grants),
        scopes=scopes,
        user_id=record.pk,
        token_id=token_id,
    )


def find_user(session: Session, name: str) -> UserRecord:
    """The stored user named `name`; NotFoundError otherwise (for `tokens`)."""
    return _find(session, name)


def _find(session: Session, name: str) -> UserRecord:
    record = UserRepository(session).get(name)
    if record is None:
        raise NotFoundError(f"no user '{name}'")
    return record


def _department(session: Session, name: str) -> DepartmentRecord:
    record = DepartmentRepository(session).get(name)
    if record is None:
        raise NotFoundError(f"no department '{name}'; `accord departments add {name}` creates it")
    return record


def _user(session: Session, record: UserRecord) -> User:
    return _view(record, UserRepository(session).grants([record.pk])[record.pk])


def _view(record: UserRecord, grants: list[tuple[str, Role]]) -> User:
    return User(
        record.pk,
        record.name,
        record.is_admin,
        record.password_hash is not None,
        record.created_at,
        record.disabled_at,
        tuple(Grant(d, r) for d, r in grants),
    )


def _hash(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        message = f"too short: use at least {MIN_PASSWORD_LENGTH} characters"
        raise ValidationError([FieldIssue("password", message)])
    return _HASHER.hash(password)


@cache
def _dummy_hash() -> str:
    """A hash to verify against when there is none, so that a miss takes as long as a hit."""
    return _HASHER.hash("no such user, no such password")


def _audit(
    session: Session,
    by: Principal,
    action: AuditAction,
    subject_type: SubjectType,
    subject_id: str,
    now: datetime,
    **details: object,
) -> None:
    audit.record(
        session,
        actor=by.name,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        at=now,
        details={key: value for key, value in details.items() if value is not None},
    )


def acting_as(session: Session, name: str | None, *, operator: str) -> Principal:
    """Who a local command acts as: the named user with the session scopes (`read`, `write`),
    or, for None, the local operator (an admin) called `operator`.

    The CLI runs on the machine that holds the database, so it may act for any user; what
    that user may then do follows their roles, as over the API. NotFoundError for an unknown
    user, UnauthenticatedError for a disabled one.
    """
    if name is None:
        return Principal.operator(operator)
    record = _find(session, name)
    if record.disabled_at is not None:
        raise UnauthenticatedError(f"user '{name}' is disabled")
    return principal_for(session, record, SESSION_SCOPES)
