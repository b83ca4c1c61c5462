"""letters out: the requester's postal address and one dispatch row per letter and recipient

Revision ID: 0021_dispatch
Revises: 0020_mail_intake
Create Date: 2026-12-01

``cases.requester_address`` holds the lines of the requester's postal address (for letters sent by post).
``dispatches`` is one letter to one recipient on its way out (aktflow/dispatch/, docs/dispatch.md): the
channel the rule or the caseworker chose, the status the channel gave, attempts, the time sent, the
channel's reference and detail, and for print the print-ready PDF. The requester's CPR number is not
copied into it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_dispatch"
down_revision = "0020_mail_intake"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy of ``cases`` would drop the dashboard's triggers on SQLite.
    op.add_column("cases", sa.Column("requester_address", sa.Text(), nullable=True))
    op.create_table(
        "dispatches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("recipient_role", sa.String(length=20), nullable=False),
        sa.Column("recipient_name", sa.String(length=300), nullable=False),
        sa.Column("recipient_email", sa.String(length=200), nullable=True),
        sa.Column("recipient_address", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("chosen_by", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("own_personal_data", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("print_pdf", sa.LargeBinary(), nullable=True),
        sa.Column("confirmed_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_dispatches_case_id_cases")),
        sa.ForeignKeyConstraint(["letter_id"], ["letters.id"], name=op.f("fk_dispatches_letter_id_letters")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatches")),
    )
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispatches_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispatches_letter_id"), ["letter_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispatches_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispatches_status"))
        batch_op.drop_index(batch_op.f("ix_dispatches_letter_id"))
        batch_op.drop_index(batch_op.f("ix_dispatches_case_id"))
    op.drop_table("dispatches")
    op.drop_column("cases", "requester_address")
