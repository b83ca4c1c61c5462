"""requests in by e-mail: the mails taken in, one row per Message-ID

Revision ID: 0020_mail_intake
Revises: 0019_case_access
Create Date: 2026-12-01

``mail_messages`` records each e-mail taken in (aktflow/mail_in/): the case it opened or answered and
the stored mail's document, or why it failed. The unique Message-ID makes a mail a case once, also when
the mailbox poller is stopped between creating the case and moving the mail.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_mail_intake"
down_revision = "0019_case_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=320), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_mail_messages_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_messages")),
        sa.UniqueConstraint("message_id", name=op.f("uq_mail_messages_message_id")),
    )
    op.create_index(op.f("ix_mail_messages_case_id"), "mail_messages", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_mail_messages_case_id"), table_name="mail_messages")
    op.drop_table("mail_messages")
