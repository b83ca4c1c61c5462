"""letters are immutable once stored

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            """
            CREATE FUNCTION aktflow_letters_immutable() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'letters are immutable: their content cannot be changed'
                    USING ERRCODE = 'insufficient_privilege';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER letters_immutable BEFORE UPDATE ON letters FOR EACH ROW "
            "WHEN (OLD.content IS DISTINCT FROM NEW.content OR OLD.sha256 IS DISTINCT FROM NEW.sha256 "
            "OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.case_id IS DISTINCT FROM NEW.case_id) "
            "EXECUTE FUNCTION aktflow_letters_immutable()"
        )
        op.execute(
            "CREATE TRIGGER letters_no_delete BEFORE DELETE ON letters FOR EACH ROW "
            "EXECUTE FUNCTION aktflow_letters_immutable()"
        )
    elif dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER letters_immutable BEFORE UPDATE OF content, sha256, kind, case_id ON letters "
            "WHEN OLD.content IS NOT NEW.content OR OLD.sha256 IS NOT NEW.sha256 OR OLD.kind IS NOT NEW.kind "
            "OR OLD.case_id IS NOT NEW.case_id "
            "BEGIN SELECT RAISE(ABORT, 'letters are immutable: their content cannot be changed'); END"
        )
        op.execute(
            "CREATE TRIGGER letters_no_delete BEFORE DELETE ON letters "
            "BEGIN SELECT RAISE(ABORT, 'letters are immutable: they cannot be deleted'); END"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS letters_no_delete ON letters")
        op.execute("DROP TRIGGER IF EXISTS letters_immutable ON letters")
        op.execute("DROP FUNCTION IF EXISTS aktflow_letters_immutable()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS letters_no_delete")
        op.execute("DROP TRIGGER IF EXISTS letters_immutable")
