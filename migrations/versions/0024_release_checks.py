"""each file's check stored with the release package, immutable with it

Revision ID: 0024_release_checks
Revises: 0023_review_comments
Create Date: 2026-12-01

``release_packages.checks`` holds, per file of the package, the checks it passed as it went in (which
checks ran, the result, what was read, when, the SHA-256 of the checked file; aktflow/release/package.py).
It is written with the package's status, so the immutability trigger of 0016 is redrawn to refuse
changing it too once the package is made (packages made before this revision keep NULL).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_release_checks"
down_revision = "0023_review_comments"
branch_labels = None
depends_on = None

_PG_WHEN = (
    "OLD.status <> 'pending' AND (OLD.content IS DISTINCT FROM NEW.content "
    "OR OLD.sha256 IS DISTINCT FROM NEW.sha256 OR OLD.zip_content IS DISTINCT FROM NEW.zip_content "
    "OR OLD.status IS DISTINCT FROM NEW.status OR OLD.case_id IS DISTINCT FROM NEW.case_id "
    "OR OLD.document_ids::text IS DISTINCT FROM NEW.document_ids::text{extra})"
)
_SQLITE_WHEN = (
    "OLD.status <> 'pending' AND (OLD.content IS NOT NEW.content OR OLD.sha256 IS NOT NEW.sha256 "
    "OR OLD.zip_content IS NOT NEW.zip_content OR OLD.status IS NOT NEW.status "
    "OR OLD.case_id IS NOT NEW.case_id OR OLD.document_ids IS NOT NEW.document_ids{extra})"
)


def _triggers(with_checks: bool) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        extra = " OR OLD.checks::text IS DISTINCT FROM NEW.checks::text" if with_checks else ""
        op.execute("DROP TRIGGER IF EXISTS release_packages_immutable ON release_packages")
        op.execute(
            "CREATE TRIGGER release_packages_immutable BEFORE UPDATE ON release_packages FOR EACH ROW "
            f"WHEN ({_PG_WHEN.format(extra=extra)}) "
            "EXECUTE FUNCTION aktflow_release_packages_immutable()"
        )
    elif dialect == "sqlite":
        extra = " OR OLD.checks IS NOT NEW.checks" if with_checks else ""
        op.execute("DROP TRIGGER IF EXISTS release_packages_immutable")
        op.execute(
            "CREATE TRIGGER release_packages_immutable BEFORE UPDATE ON release_packages "
            f"WHEN {_SQLITE_WHEN.format(extra=extra)} "
            "BEGIN SELECT RAISE(ABORT, 'release packages are immutable once made'); END"
        )


def upgrade() -> None:
    op.add_column("release_packages", sa.Column("checks", sa.JSON(), nullable=True))
    _triggers(with_checks=True)


def downgrade() -> None:
    # The trigger names the column: dropped first, drawn again as 0016 drew it once the column is gone.
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS release_packages_immutable ON release_packages")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS release_packages_immutable")
    with op.batch_alter_table("release_packages", schema=None) as batch_op:
        batch_op.drop_column("checks")
    _triggers(with_checks=False)
