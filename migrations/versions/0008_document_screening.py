"""document screening: status, parts, attachments

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

A document's file is read by a worker after it is stored: ``documents.status`` says how far that got
("pending", "screened", "refused"; documents stored before this revision were screened when they were
added, so the default fills them as "screened"), ``complete`` whether every part was read, ``error`` why
a file was refused, ``parent_id`` the e-mail or PDF an attachment came from. ``document_parts`` keeps the
extracted text per part (header, footer, page, OCR page …) with whether it was read.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both databases (a batch copy of the table would trip the foreign keys to it).
    op.add_column(
        "documents", sa.Column("status", sa.String(length=20), server_default="screened", nullable=False)
    )
    op.add_column("documents", sa.Column("complete", sa.Boolean(), nullable=True))
    op.add_column("documents", sa.Column("error", sa.String(length=500), nullable=True))
    op.add_column("documents", sa.Column("screened_at", sa.DateTime(), nullable=True))
    # A plain column, no foreign key: SQLite can then drop it again without copying the table (which the
    # foreign keys to documents forbid); aktflow removes an attachment with its parent (remove_document).
    op.add_column("documents", sa.Column("parent_id", sa.Integer(), nullable=True))
    op.create_index("ix_documents_parent_id", "documents", ["parent_id"])
    op.create_table(
        "document_parts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("read", sa.Boolean(), nullable=False),
        sa.Column("ocr_confidence", sa.Float(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.UniqueConstraint("document_id", "seq", name="uq_document_parts_document_id_seq"),
    )


def downgrade() -> None:
    op.drop_table("document_parts")
    op.drop_index("ix_documents_parent_id", table_name="documents")
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy of the table would trip the foreign keys to it.
    for col in ("parent_id", "screened_at", "error", "complete", "status"):
        op.drop_column("documents", col)
