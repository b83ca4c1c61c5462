"""need-to-know access: the members added to a case and a case marked sensitive by hand

Revision ID: 0019_case_access
Revises: 0018_audit_trail
Create Date: 2026-12-01

``case_access`` holds the users added to a sensitive case (who added them, when, why); ``case_sensitivity``
a case marked sensitive by hand, with its reason. The policy that reads them is aktflow/case_access.py;
every change of either is written to the administrative log.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_case_access"
down_revision = "0018_audit_trail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_access_case_id_cases")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_case_access_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_access")),
        sa.UniqueConstraint("case_id", "user_id", name=op.f("uq_case_access_case_id_user_id")),
    )
    with op.batch_alter_table("case_access", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_access_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_access_user_id"), ["user_id"], unique=False)
    op.create_table(
        "case_sensitivity",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("marked_by", sa.String(length=64), nullable=False),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_sensitivity_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_sensitivity")),
    )


def downgrade() -> None:
    op.drop_table("case_sensitivity")
    with op.batch_alter_table("case_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_access_user_id"))
        batch_op.drop_index(batch_op.f("ix_case_access_case_id"))
    op.drop_table("case_access")
