"""an audit trail nobody can rewrite: keyed event hashes, the legacy boundary, the administrative log

Revision ID: 0018_audit_trail
Revises: 0017_hardening
Create Date: 2026-11-30

``events.key_id`` names the audit key an event's hash is an HMAC with (aktflow/audit.py); the events
already written keep their plain SHA-256 (``key_id`` NULL). ``audit_legacy`` records, once, the highest
event id written before this revision: the audit accepts an unkeyed event only up to it. ``admin_log`` is
the append-only, keyed hash chain of administrative changes (aktflow/admin_log.py). On PostgreSQL both
new tables refuse UPDATE, DELETE and TRUNCATE like the events do; adding a nullable column does not fire
the events' append-only trigger. ``access_log`` records who viewed or downloaded a sensitive case's
documents, letters and package (aktflow/access_log.py); it is append-only too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_audit_trail"
down_revision = "0017_hardening"
branch_labels = None
depends_on = None

APPEND_ONLY = ("admin_log", "audit_legacy", "access_log")


def upgrade() -> None:
    op.add_column("events", sa.Column("key_id", sa.String(length=16), nullable=True))
    op.create_table(
        "audit_legacy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("max_event_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_legacy")),
    )
    op.execute(
        "INSERT INTO audit_legacy (max_event_id, at) "
        "SELECT COALESCE(MAX(id), 0), CURRENT_TIMESTAMP FROM events"
    )
    op.create_table(
        "admin_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("old", sa.JSON(), nullable=True),
        sa.Column("new", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_log")),
        sa.UniqueConstraint("seq", name=op.f("uq_admin_log_seq")),
    )
    with op.batch_alter_table("admin_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_log_at"), ["at"], unique=False)

    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("via", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_access_log_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.create_index("ix_access_log_case_id_at", ["case_id", "at"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION aktflow_log_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION aktflow_log_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION aktflow_log_append_only()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS aktflow_log_append_only()")
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_index("ix_access_log_case_id_at")
    op.drop_table("access_log")
    with op.batch_alter_table("admin_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_log_at"))
    op.drop_table("admin_log")
    op.drop_table("audit_legacy")
    op.drop_column("events", "key_id")
