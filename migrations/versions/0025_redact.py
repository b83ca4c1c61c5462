"""whether the release package was written as PDF/A-2b, stored with it and immutable with it

Revision ID: 0025_redact
Revises: 0024_release_checks
Create Date: 2026-12-01

``release_packages.pdfa`` holds ``{"pdfa", "flavour", "reason"}`` (aktflow/release/pdfa.py): whether the
package PDF passed pikepdf's PDF/A-2b validation and was declared so, and why not. It is written with the
package's status, so the immutability trigger is drawn again to refuse changing it too once the package
is made (packages made before this revision keep NULL: not known).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_redact"
down_revision = "0024_release_checks"
branch_labels = None
depends_on = None

_PG_WHEN = (
    "OLD.status <> 'pending' AND (OLD.content IS DISTINCT FROM NEW.content "
    "OR OLD.sha256 IS DISTINCT FROM NEW.sha256 OR OLD.zip_content IS DISTINCT FROM NEW.zip_content "
    "OR OLD.status IS DISTINCT FROM NEW.status OR OLD.case_id IS DISTINCT FROM NEW.case_id "
    "OR OLD.document_ids::text IS DISTINCT FROM NEW.document_ids::text "
    "OR OLD.checks::text IS DISTINCT FROM NEW.checks::text{extra})"
)
_SQLITE_WHEN = (
    "OLD.status <> 'pending' AND (OLD.content IS NOT NEW.content OR OLD.sha256 IS NOT NEW.sha256 "
    "OR OLD.zip_content IS NOT NEW.zip_content OR OLD.status IS NOT NEW.status "
    "OR OLD.case_id IS NOT NEW.case_id OR OLD.document_ids IS NOT NEW.document_ids "
    "OR OLD.checks IS NOT NEW.checks{extra})"
)


def _triggers(with_pdfa: bool) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        extra = " OR OLD.pdfa::text IS DISTINCT FROM NEW.pdfa::text" if with_pdfa else ""
        op.execute("DROP TRIGGER IF EXISTS release_packages_immutable ON release_packages")
        op.execute(
            "CREATE TRIGGER release_packages_immutable BEFORE UPDATE ON release_packages FOR EACH ROW "
            f"WHEN ({_PG_WHEN.format(extra=extra)}) "
            "EXECUTE FUNCTION aktflow_release_packages_immutable()"
        )
    elif dialect == "sqlite":
        extra = " OR OLD.pdfa IS NOT NEW.pdfa" if with_pdfa else ""
        op.execute("DROP TRIGGER IF EXISTS release_packages_immutable")
        op.execute(
            "CREATE TRIGGER release_packages_immutable BEFORE UPDATE ON release_packages "
            f"WHEN {_SQLITE_WHEN.format(extra=extra)} "
            "BEGIN SELECT RAISE(ABORT, 'release packages are immutable once made'); END"
        )


def upgrade() -> None:
    op.add_column("release_packages", sa.Column("pdfa", sa.JSON(), nullable=True))
    _triggers(with_pdfa=True)


def downgrade() -> None:
    # The trigger names the column: dropped first, drawn again as 0024 drew it once the column is gone.
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS release_packages_immutable ON release_packages")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS release_packages_immutable")
    with op.batch_alter_table("release_packages", schema=None) as batch_op:
        batch_op.drop_column("pdfa")
    _triggers(with_pdfa=False)
