"""Signing in and out (`/v1/login`, `/v1/logout`), who am I (`/v1/me`), and the admin's
`/v1/users` and `/v1/departments`. The services check who may do what.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from accord.api.auth import SESSION_COOKIE
from accord.api.deps import READ, WRITE, Now, PrincipalDep, SessionDep, get_context
from accord.api.errors import ERROR_RESPONSES
from accord.api.schemas import (
    ErrorRead,
    ReadModel,
)
from accord.domain.access import Grant, Principal, Role, Scope
from accord.services import users
from accord.services.users import Department, User

__all__ = [
    "DepartmentCreate",
    "DepartmentRead",
    "GrantRead",
    "LoginRequest",
    "PrincipalRead",
    "UserCreate",
    "UserRead",
    "UserUpdate",
    "router",
]

_USER_NAME = Field(min_length=1, max_length=100)


class LoginRequest(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


class GrantRead(ReadModel):
    department: str = Field(min_length=1, max_length=100)
    role: Role


class PrincipalRead(BaseModel):
    """Who the caller is and what their credential allows."""

    name: str
    is_admin: bool
    grants: list[GrantRead]
    scopes: list[Scope]
    token_id: int | None

    @classmethod
    def of(cls, p: Principal) -> PrincipalRead:
        grants = [GrantRead(department=g.department, role=g.role) for g in sorted(p.grants)]
        return cls(
            name=p.name,
            is_admin=p.is_admin,
            grants=grants,
            scopes=sorted(p.scopes),
            token_id=p.token_id,
        )


class UserRead(ReadModel):
    id: int
    name: str
    is_admin: bool
    has_password: bool
    created_at: datetime
    disabled_at: datetime | None
    grants: list[GrantRead]

    @classmethod
    def of(cls, user: User) -> UserRead:
        return cls.model_validate(user)


class UserCreate(BaseModel):
    """A new user; without a password they can only use tokens (e.g. a service desk's push)."""

    name: str = _USER_NAME
    password: str | None = Field(default=None, max_length=1000)
    is_admin: bool = False
    grants: list[GrantRead] = Field(default=[], max_length=100)


class UserUpdate(BaseModel):
    """What to change about a user: disable or enable them, set their password."""

    disabled: bool | None = None
    password: str | None = Field(default=None, max_length=1000)


class DepartmentCreate(BaseModel):
    name: str = _USER_NAME
    title: str | None = Field(default=None, max_length=200)


class DepartmentRead(ReadModel):
    name: str
    title: str | None
    created_at: datetime

    @classmethod
    def of(cls, department: Department) -> DepartmentRead:
        return cls.model_validate(department)


router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES)

UserName = Annotated[str, Path(min_length=1, max_length=100)]


@router.post(
    "/login",
    response_model=UserRead,
    tags=["sessions"],
    responses={401: {"model": ErrorRead, "description": "Wrong user name or password"}},
    summary="Sign in with a password: sets the session cookie",
)
def login(
    credentials: LoginRequest, request: Request, response: Response, session: SessionDep
) -> UserRead:
    context = get_context(request)
    with session.begin():
        user = users.authenticate(session, credentials.name, credentials.password)
    response.set_cookie(
        SESSION_COOKIE,
        context.signer.dumps(user.id),
        max_age=context.signer.max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=context.cookie_secure,
    )
    return UserRead.of(user)


@router.post("/logout", status_code=204, tags=["sessions"], summary="Drop the session cookie")
def logout(request: Request) -> Response:
    response = Response(status_code=204)
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=get_context(request).cookie_secure
    )
    return response


@router.get("/me", response_model=PrincipalRead, tags=["sessions"], summary="Who you are")
def me(principal: PrincipalDep) -> PrincipalRead:
    return PrincipalRead.of(principal)


@router.get(
    "/users",
    response_model=list[UserRead],
    tags=["users"],
    summary="Users (admins)",
    dependencies=[READ],
)
def list_users(session: SessionDep, principal: PrincipalDep) -> list[UserRead]:
    with session.begin():
        return [UserRead.of(u) for u in users.list_users(session, principal)]


@router.post(
    "/users",
    status_code=201,
    response_model=UserRead,
    tags=["users"],
    summary="Add a user",
    dependencies=[WRITE],
)
def add_user(body: UserCreate, session: SessionDep, principal: PrincipalDep, now: Now) -> UserRead:
    grants = [Grant(g.department, g.role) for g in body.grants]
    with session.begin():
        user = users.add_user(
            session,
            principal,
            body.name,
            body.password,
            is_admin=body.is_admin,
            grants=grants,
            now=now,
        )
    return UserRead.of(user)


@router.get(
    "/users/{name}",
    response_model=UserRead,
    tags=["users"],
    summary="One user",
    dependencies=[READ],
)
def get_user(name: UserName, session: SessionDep, principal: PrincipalDep) -> UserRead:
    with session.begin():
        return UserRead.of(users.get_user(session, principal, name))


@router.patch(
    "/users/{name}",
    response_model=UserRead,
    tags=["users"],
    summary="Disable or enable a user, or set their password",
    dependencies=[WRITE],
)
def update_user(
    name: UserName, body: UserUpdate, session: SessionDep, principal: PrincipalDep, now: Now
) -> UserRead:
    with session.begin():
        if body.disabled is not None:
            users.set_disabled(session, principal, name, body.disabled, now=now)
        if body.password is not None:
            users.set_password(session, principal, name, body.password, now=now)
        return UserRead.of(users.get_user(session, principal, name))


@router.post(
    "/users/{name}/roles",
    response_model=UserRead,
    tags=["users"],
    summary="Give a user a role in a department",
    dependencies=[WRITE],
)
def grant_role(
    name: UserName, body: GrantRead, session: SessionDep, principal: PrincipalDep, now: Now
) -> UserRead:
    with session.begin():
        user = users.grant(session, principal, name, body.department, body.role, now=now)
    return UserRead.of(user)


@router.delete(
    "/users/{name}/roles/{department}/{role}",
    response_model=UserRead,
    tags=["users"],
    summary="Take a role away",
    dependencies=[WRITE],
)
def remove_role(
    name: UserName,
    department: Annotated[str, Path(min_length=1, max_length=100)],
    role: Role,
    session: SessionDep,
    principal: PrincipalDep,
    now: Now,
) -> UserRead:
    with session.begin():
        user = users.remove_role(session, principal, name, department, role, now=now)
    return UserRead.of(user)


@router.get(
    "/departments",
    response_model=list[DepartmentRead],
    tags=["users"],
    summary="Departments (admins)",
    dependencies=[READ],
)
def list_departments(session: SessionDep, principal: PrincipalDep) -> list[DepartmentRead]:
    with session.begin():
        return [DepartmentRead.of(d) for d in users.list_departments(session, principal)]


@router.post(
    "/departments",
    status_code=201,
    response_model=DepartmentRead,
    tags=["users"],
    summary="Add a department",
    dependencies=[WRITE],
)
def add_department(
    body: DepartmentCreate, session: SessionDep, principal: PrincipalDep, now: Now
) -> DepartmentRead:
    with session.begin():
        added = users.add_department(session, principal, body.name, title=body.title, now=now)
    return DepartmentRead.of(added)
