"""Negotiation: proposed changes to an agreement's targets, their evidence and their answers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def _instant(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "proposals",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agreement_id", sa.String(200), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.String(200), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.String(200), nullable=False),
        sa.Column("department", sa.String(100), nullable=False),
        _instant("proposed_at"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("responds_to", sa.Integer(), nullable=True),
        sa.Column("answered_by", sa.String(200), nullable=True),
        _instant("answered_at", nullable=True),
        sa.Column("answer_comment", sa.Text(), nullable=True),
        sa.Column("resulting_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_proposals"),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name="fk_proposals_agreement_id_agreements",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["responds_to"],
            ["proposals.pk"],
            name="fk_proposals_responds_to_proposals",
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_proposals_agreement_id", "proposals", ["agreement_id"])


def downgrade() -> None:
    op.drop_index("ix_proposals_agreement_id", table_name="proposals")
    op.drop_table("proposals")
