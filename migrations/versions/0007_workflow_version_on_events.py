"""workflow version on events

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

Every event records the version of the workflow definition it was written under; the events written
before this revision were all written under the first version, 2026.1 (the column's default fills them).
Adding a column with a default does not fire the append-only trigger on PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "events",
        sa.Column("workflow_version", sa.String(length=20), server_default="2026.1", nullable=False),
    )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of the table would trip the letters' foreign key.
    op.drop_column("events", "workflow_version")
