"""what the requester reads: released titles and senders, internal notes apart from reasons

``documents.released_title`` / ``released_sender``: the aktliste as released (aktflow/aktliste.py),
prefilled for the documents already registered from their title and sender/recipient, unless those hold
a CPR number or a sensitive word (then empty: printed neutrally as "Dokument nr. N").
``assessments.note`` becomes ``internal_note``: an assessment's note written before this version was
copied into the letter, but was never marked as text for the requester, so it is kept as an internal note
(never printed). ``assessments.reason``: the reason written for the requester (printed);
``assessments.extraction_note``: what was extracted under OFL §§ 28-29 (printed).

Revision ID: 0012_release_texts
Revises: 0011_idempotency
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_release_texts"
down_revision = "0011_idempotency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE statements (SQLite 3.25+ and PostgreSQL): a batch copy of ``documents`` would drop
    # a table other tables point to.
    op.add_column("documents", sa.Column("released_title", sa.String(length=300), nullable=True))
    op.add_column("documents", sa.Column("released_sender", sa.String(length=410), nullable=True))
    op.execute("ALTER TABLE assessments RENAME COLUMN note TO internal_note")
    op.add_column("assessments", sa.Column("reason", sa.Text(), nullable=True))
    op.add_column("assessments", sa.Column("extraction_note", sa.Text(), nullable=True))
    _prefill()


def _prefill() -> None:
    """The released texts of the documents already registered, prefilled as at upload."""
    from aktflow.aktliste import prefill

    bind = op.get_bind()
    docs = sa.table(
        "documents",
        sa.column("id", sa.Integer),
        sa.column("title", sa.String),
        sa.column("sender", sa.String),
        sa.column("recipient", sa.String),
        sa.column("released_title", sa.String),
        sa.column("released_sender", sa.String),
    )
    rows = bind.execute(sa.select(docs.c.id, docs.c.title, docs.c.sender, docs.c.recipient)).all()
    for doc_id, title, sender, recipient in rows:
        bind.execute(
            docs.update()
            .where(docs.c.id == doc_id)
            .values(released_title=prefill(title), released_sender=prefill(sender, recipient))
        )


def downgrade() -> None:
    op.drop_column("assessments", "extraction_note")
    op.drop_column("assessments", "reason")
    op.execute("ALTER TABLE assessments RENAME COLUMN internal_note TO note")
    op.drop_column("documents", "released_sender")
    op.drop_column("documents", "released_title")
