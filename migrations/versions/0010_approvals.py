"""approvals: flags follow the document whose assessment raised them

Revision ID: 0010_approvals
Revises: 0009_request_rules
Create Date: 2026-11-30

``flags.document_id`` names the document whose assessment raised a flag (source "assessment"; a plain
column, no foreign key, like ``documents.parent_id``), and ``flags.superseded`` marks a flag closed because
that document was assessed again or removed (the event log keeps the history). What the legal contact
approved is kept in the approve_legal event's data (``approved``), so approvals need no table of their own.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_approvals"
down_revision = "0009_request_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both databases (a batch copy of the table would trip the foreign keys to it).
    op.add_column("flags", sa.Column("document_id", sa.Integer(), nullable=True))
    op.add_column("flags", sa.Column("superseded", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+).
    for col in ("superseded", "document_id"):
        op.drop_column("flags", col)
