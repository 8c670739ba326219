"""The first schema: agreements and their versions, items, events, imports and their issues.

Revision ID: 0001
Revises:
Create Date: 2026-04-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

# 64-bit keys that are still SQLite's auto-incrementing rowid (as in records.BigKey).
_BIG_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _instant(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("id", sa.String(200), nullable=False),
        _instant("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_agreements"),
    )
    op.create_table(
        "agreement_versions",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agreement_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        _instant("applied_at"),
        sa.Column("applied_by", sa.String(200), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_agreement_versions"),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name="fk_agreement_versions_agreement_id_agreements",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "agreement_id", "version", name="uq_agreement_versions_agreement_id_version"
        ),
    )
    op.create_table(
        "items",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("external_id", sa.String(400), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("pk", name="pk_items"),
        sa.UniqueConstraint("source", "external_id", name="uq_items_source_external_id"),
    )
    op.create_table(
        "imports",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(100), nullable=True),
        _instant("started_at"),
        _instant("finished_at", nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("events_added", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_imports"),
    )
    op.create_table(
        "import_issues",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("import_pk", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_import_issues"),
        sa.ForeignKeyConstraint(
            ["import_pk"],
            ["imports.pk"],
            name="fk_import_issues_import_pk_imports",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_import_issues_import_pk", "import_issues", ["import_pk"])
    op.create_table(
        "events",
        sa.Column("pk", _BIG_KEY, autoincrement=True, nullable=False),
        sa.Column("item_pk", sa.Integer(), nullable=False),
        sa.Column("at_ns", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.Text(), nullable=False),
        sa.Column("import_pk", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_events"),
        sa.ForeignKeyConstraint(
            ["item_pk"], ["items.pk"], name="fk_events_item_pk_items", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["import_pk"], ["imports.pk"], name="fk_events_import_pk_imports", ondelete="SET NULL"
        ),
        sa.UniqueConstraint("item_pk", "dedupe_key", name="uq_events_item_pk_dedupe_key"),
    )
    op.create_index("ix_events_item_pk_at_ns", "events", ["item_pk", "at_ns"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("import_issues")
    op.drop_table("imports")
    op.drop_table("items")
    op.drop_table("agreement_versions")
    op.drop_table("agreements")
