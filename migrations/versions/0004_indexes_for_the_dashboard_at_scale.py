"""indexes for the dashboard at scale

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_assessed_at"), ["assessed_at"], unique=False)

    with op.batch_alter_table("case_deadlines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_deadlines_open_due",
            ["due", "case_id"],
            unique=False,
            postgresql_where=sa.text("active AND done_on IS NULL"),
            sqlite_where=sa.text("active AND done_on IS NULL"),
        )
        batch_op.create_index(
            "ix_case_deadlines_rule_done", ["rule", "done_on", "due", "case_id"], unique=False
        )

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_trigger_at", ["trigger", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_trigger_at")

    with op.batch_alter_table("case_deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_case_deadlines_rule_done")
        batch_op.drop_index(
            "ix_case_deadlines_open_due",
            postgresql_where=sa.text("active AND done_on IS NULL"),
            sqlite_where=sa.text("active AND done_on IS NULL"),
        )

    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_assessed_at"))
