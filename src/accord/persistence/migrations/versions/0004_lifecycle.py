"""Lifecycle: each agreement's state, the activations that put versions in force, approvals by
the parties, and reviews. Agreements stored before this revision were in force as applied, so
each of their versions becomes an activation at its applied instant and the agreement active.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def _instant(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _agreement_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["agreement_id"],
        ["agreements.id"],
        name=f"fk_{table}_agreement_id_agreements",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    with op.batch_alter_table("agreements") as batch:
        batch.add_column(sa.Column("state", sa.String(32), nullable=False, server_default="draft"))
        batch.add_column(sa.Column("state_reason", sa.Text(), nullable=True))
        batch.add_column(_instant("state_changed_at", nullable=True))
        batch.add_column(sa.Column("in_force_version", sa.Integer(), nullable=True))
        batch.add_column(_instant("ended_at", nullable=True))
    activations = op.create_table(
        "agreement_activations",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agreement_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _instant("activated_at"),
        sa.Column("activated_by", sa.String(200), nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_agreement_activations"),
        _agreement_fk("agreement_activations"),
        sa.UniqueConstraint(
            "agreement_id", "version", name="uq_agreement_activations_agreement_id_version"
        ),
    )
    op.create_table(
        "approvals",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agreement_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        _instant("approved_at"),
        _instant("withdrawn_at", nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_approvals"),
        _agreement_fk("approvals"),
        sa.UniqueConstraint(
            "agreement_id",
            "version",
            "department",
            name="uq_approvals_agreement_id_version_department",
        ),
    )
    op.create_table(
        "reviews",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agreement_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        _instant("at"),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("rule_key", sa.String(300), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_reviews"),
        _agreement_fk("reviews"),
        sa.UniqueConstraint("agreement_id", "rule_key", name="uq_reviews_agreement_id_rule_key"),
    )
    op.create_index("ix_reviews_agreement_id", "reviews", ["agreement_id"])
    # What was stored before approvals existed was in force as applied: keep it so.
    versions = sa.table(
        "agreement_versions",
        sa.column("agreement_id", sa.String()),
        sa.column("version", sa.Integer()),
        sa.column("applied_at", sa.DateTime(timezone=True)),
        sa.column("applied_by", sa.String()),
    )
    op.execute(
        activations.insert().from_select(
            ["agreement_id", "version", "activated_at", "activated_by", "via"],
            sa.select(
                versions.c.agreement_id,
                versions.c.version,
                versions.c.applied_at,
                versions.c.applied_by,
                sa.literal("migration"),
            ),
        )
    )
    agreements = sa.table(
        "agreements",
        sa.column("id", sa.String()),
        sa.column("state", sa.String()),
        sa.column("in_force_version", sa.Integer()),
    )
    latest = (
        sa.select(sa.func.max(versions.c.version))
        .where(versions.c.agreement_id == agreements.c.id)
        .scalar_subquery()
    )
    op.execute(agreements.update().values(state="active", in_force_version=latest))


def downgrade() -> None:
    op.drop_index("ix_reviews_agreement_id", table_name="reviews")
    op.drop_table("reviews")
    op.drop_table("approvals")
    op.drop_table("agreement_activations")
    with op.batch_alter_table("agreements") as batch:
        batch.drop_column("ended_at")
        batch.drop_column("in_force_version")
        batch.drop_column("state_changed_at")
        batch.drop_column("state_reason")
        batch.drop_column("state")
