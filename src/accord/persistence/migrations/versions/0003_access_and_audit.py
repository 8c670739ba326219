"""Access and audit: departments, users, their roles, API tokens, the audit log, and a session
secret made here once, so that every server on this database signs sessions alike.

Revision ID: 0003
Revises: 0002
Create Date: 2026-04-15
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

# 64-bit keys that are still SQLite's auto-incrementing rowid (as in records.BigKey).
_BIG_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _instant(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    secrets_table = op.create_table(
        "secrets",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        _instant("created_at"),
        sa.PrimaryKeyConstraint("name", name="pk_secrets"),
    )
    op.create_table(
        "departments",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("title", sa.String(200), nullable=True),
        _instant("created_at"),
        sa.PrimaryKeyConstraint("pk", name="pk_departments"),
        sa.UniqueConstraint("name", name="uq_departments_name"),
    )
    op.create_table(
        "users",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        _instant("created_at"),
        _instant("disabled_at", nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "memberships",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("department_pk", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_memberships"),
        sa.ForeignKeyConstraint(
            ["user_pk"], ["users.pk"], name="fk_memberships_user_pk_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["department_pk"],
            ["departments.pk"],
            name="fk_memberships_department_pk_departments",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "user_pk", "department_pk", "role", name="uq_memberships_user_pk_department_pk_role"
        ),
    )
    op.create_index("ix_memberships_department_pk", "memberships", ["department_pk"])
    op.create_table(
        "api_tokens",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("scopes", sa.String(64), nullable=False),
        _instant("created_at"),
        _instant("expires_at", nullable=True),
        _instant("revoked_at", nullable=True),
        _instant("last_used_at", nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_api_tokens"),
        sa.ForeignKeyConstraint(
            ["user_pk"], ["users.pk"], name="fk_api_tokens_user_pk_users", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("token_sha256", name="uq_api_tokens_token_sha256"),
    )
    op.create_index("ix_api_tokens_user_pk", "api_tokens", ["user_pk"])
    op.create_table(
        "audit_log",
        sa.Column("pk", _BIG_KEY, autoincrement=True, nullable=False),
        _instant("at"),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(200), nullable=False),
        sa.Column("agreement_id", sa.String(200), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_agreement_id", "audit_log", ["agreement_id"])
    # Made once per database, not per machine: servers behind one load balancer must agree.
    op.execute(
        secrets_table.insert().values(
            name="session", value=secrets.token_urlsafe(32), created_at=sa.func.now()
        )
    )


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("api_tokens")
    op.drop_table("memberships")
    op.drop_table("users")
    op.drop_table("departments")
    op.drop_table("secrets")
