"""Index events by instant: evaluations "as of" an instant filter every item's events on it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-04-01
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_events_at_ns", "events", ["at_ns"])


def downgrade() -> None:
    op.drop_index("ix_events_at_ns", table_name="events")
