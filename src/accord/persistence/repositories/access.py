"""Departments, users and their roles, API tokens, and the shared secrets, as stored.

Stores what it is given: names are checked, passwords hashed and tokens made by the services.
Flushes, never commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.domain.access import Role
from accord.persistence.records import (
    DepartmentRecord,
    MembershipRecord,
    SecretRecord,
    TokenRecord,
    UserRecord,
)

__all__ = ["DepartmentRepository", "SecretRepository", "TokenRepository", "UserRepository"]


class DepartmentRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, name: str, *, title: str | None, created_at: datetime) -> DepartmentRecord:
        record = DepartmentRecord(name=name, title=title, created_at=created_at)
        self._session.add(record)
        self._session.flush()
        return record

    def get(self, name: str) -> DepartmentRecord | None:
        query = select(DepartmentRecord).where(DepartmentRecord.name == name)
        return self._session.scalars(query).first()

    def all(self) -> list[DepartmentRecord]:
        """Every department by name."""
        return list(self._session.scalars(select(DepartmentRecord).order_by(DepartmentRecord.name)))


class UserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self, name: str, *, password_hash: str | None, is_admin: bool, created_at: datetime
    ) -> UserRecord:
        record = UserRecord(
            name=name, password_hash=password_hash, is_admin=is_admin, created_at=created_at
        )
        self._session.add(record)
        self._session.flush()
        return record

    def get(self, name: str) -> UserRecord | None:
        return self._session.scalars(select(UserRecord).where(UserRecord.name == name)).first()

    def by_pk(self, pk: int) -> UserRecord | None:
        return self._session.get(UserRecord, pk)

    def all(self) -> list[UserRecord]:
        """Every user by name."""
        return list(self._session.scalars(select(UserRecord).order_by(UserRecord.name)))

    def grants(self, user_pks: list[int]) -> dict[int, list[tuple[str, Role]]]:
        """Per user: their (department name, role) pairs, by department then role."""
        query = (
            select(MembershipRecord.user_pk, DepartmentRecord.name, MembershipRecord.role)
            .join(DepartmentRecord, DepartmentRecord.pk == MembershipRecord.department_pk)
            .where(MembershipRecord.user_pk.in_(user_pks))
            .order_by(DepartmentRecord.name, MembershipRecord.role)
        )
        result: dict[int, list[tuple[str, Role]]] = {pk: [] for pk in user_pks}
        for user_pk, department, role in self._session.execute(query):
            result[user_pk].append((department, role))
        return result

    def grant(self, user_pk: int, department_pk: int, role: Role) -> bool:
        """Give the role; False when the user held it already (nothing changes)."""
        if self._membership(user_pk, department_pk, role) is not None:
            return False
        self._session.add(MembershipRecord(user_pk=user_pk, department_pk=department_pk, role=role))
        self._session.flush()
        return True

    def remove_role(self, user_pk: int, department_pk: int, role: Role) -> bool:
        """Take the role away; False when the user did not hold it."""
        record = self._membership(user_pk, department_pk, role)
        if record is None:
            return False
        self._session.delete(record)
        self._session.flush()
        return True

    def _membership(self, user_pk: int, department_pk: int, role: Role) -> MembershipRecord | None:
        query = select(MembershipRecord).where(
            MembershipRecord.user_pk == user_pk,
            MembershipRecord.department_pk == department_pk,
            MembershipRecord.role == role,
        )
        return self._session.scalars(query).first()


class TokenRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        user_pk: int,
        token_sha256: str,
        scopes: str,
        label: str | None,
        created_at: datetime,
        expires_at: datetime | None,
    ) -> TokenRecord:
        record = TokenRecord(
            user_pk=user_pk,
            token_sha256=token_sha256,
            scopes=scopes,
            label=label,
            created_at=created_at,
            expires_at=expires_at,
        )
        self._session.add(record)
        self._session.flush()
        return record

    def get(self, pk: int) -> TokenRecord | None:
        return self._session.get(TokenRecord, pk)

    def by_digest(self, token_sha256: str) -> TokenRecord | None:
        query = select(TokenRecord).where(TokenRecord.token_sha256 == token_sha256)
        return self._session.scalars(query).first()

    def listed(self, user_pk: int | None = None) -> list[tuple[TokenRecord, str]]:
        """Tokens with their user's name (of one user, when given), oldest first."""
        query = (
            select(TokenRecord, UserRecord.name)
            .join(UserRecord, UserRecord.pk == TokenRecord.user_pk)
            .order_by(TokenRecord.pk)
        )
        if user_pk is not None:
            query = query.where(TokenRecord.user_pk == user_pk)
        return [(token, name) for token, name in self._session.execute(query)]


class SecretRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, name: str) -> str | None:
        record = self._session.get(SecretRecord, name)
        return None if record is None else record.value
