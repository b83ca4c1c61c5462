"""release packages: the udleveringspakke of a decision, immutable once made

Revision ID: 0016_release_packages
Revises: 0015_redactions
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_release_packages"
down_revision = "0015_redactions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "release_packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column("document_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("zip_sha256", sa.String(length=64), nullable=True),
        sa.Column("zip_content", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=True),
        sa.Column("archive_status", sa.String(length=20), nullable=False),
        sa.Column("archive_doc_id", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_release_packages_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_release_packages_event_id_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_packages")),
    )
    with op.batch_alter_table("release_packages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_release_packages_case_id"), ["case_id"], unique=False)
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            """
            CREATE FUNCTION aktflow_release_packages_immutable() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'release packages are immutable once made'
                    USING ERRCODE = 'insufficient_privilege';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER release_packages_immutable BEFORE UPDATE ON release_packages FOR EACH ROW "
            "WHEN (OLD.status <> 'pending' AND (OLD.content IS DISTINCT FROM NEW.content "
            "OR OLD.sha256 IS DISTINCT FROM NEW.sha256 OR OLD.zip_content IS DISTINCT FROM NEW.zip_content "
            "OR OLD.status IS DISTINCT FROM NEW.status OR OLD.case_id IS DISTINCT FROM NEW.case_id "
            "OR OLD.document_ids::text IS DISTINCT FROM NEW.document_ids::text)) "
            "EXECUTE FUNCTION aktflow_release_packages_immutable()"
        )
        op.execute(
            "CREATE TRIGGER release_packages_no_delete BEFORE DELETE ON release_packages FOR EACH ROW "
            "WHEN (OLD.status <> 'pending') EXECUTE FUNCTION aktflow_release_packages_immutable()"
        )
    elif dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER release_packages_immutable BEFORE UPDATE ON release_packages "
            "WHEN OLD.status <> 'pending' AND (OLD.content IS NOT NEW.content OR OLD.sha256 IS NOT NEW.sha256 "
            "OR OLD.zip_content IS NOT NEW.zip_content OR OLD.status IS NOT NEW.status "
            "OR OLD.case_id IS NOT NEW.case_id OR OLD.document_ids IS NOT NEW.document_ids) "
            "BEGIN SELECT RAISE(ABORT, 'release packages are immutable once made'); END"
        )
        op.execute(
            "CREATE TRIGGER release_packages_no_delete BEFORE DELETE ON release_packages "
            "WHEN OLD.status <> 'pending' "
            "BEGIN SELECT RAISE(ABORT, 'release packages are immutable once made'); END"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS release_packages_no_delete ON release_packages")
        op.execute("DROP TRIGGER IF EXISTS release_packages_immutable ON release_packages")
        op.execute("DROP FUNCTION IF EXISTS aktflow_release_packages_immutable()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS release_packages_no_delete")
        op.execute("DROP TRIGGER IF EXISTS release_packages_immutable")
    with op.batch_alter_table("release_packages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_release_packages_case_id"))
    op.drop_table("release_packages")
