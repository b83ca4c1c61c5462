"""the dashboard's index-only scan stays index-only: autovacuum on ``cases`` after 1 % changed

Revision ID: 0026_read_speed
Revises: 0025_redact
Create Date: 2026-12-01

Every count of open cases on the dashboard is one index-only scan of ``ix_cases_state_assignee``
(aktflow/queries/dashboard.py). PostgreSQL answers an index-only scan from the index alone only for the
heap pages its visibility map marks all-visible; a transition updates its case's row and clears that mark
for the row's page, and the scan then visits the heap for every entry on such a page (after 20 % of the
open cases changed, 5× slower in the benchmark, docs/benchmarks.md). By default autovacuum, which sets the
marks again, waits until 20 % of a table has changed: for a million cases, 200,000 updates. Here it runs
after 1 % (and at least 500 rows), so the map is restored within a minute or two of a busy spell; a vacuum
of ``cases`` reads only the pages that are not all-visible, so it stays cheap. PostgreSQL only (SQLite has
no visibility map).
"""

from __future__ import annotations

from alembic import op

revision = "0026_read_speed"
down_revision = "0025_redact"
branch_labels = None
depends_on = None

#: Autovacuum and autoanalyze of ``cases`` after this share of its rows changed (PostgreSQL's default 0.2, 0.1).
SETTINGS = {
    "autovacuum_vacuum_scale_factor": "0.01",
    "autovacuum_vacuum_threshold": "500",
    "autovacuum_analyze_scale_factor": "0.02",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE cases SET ({', '.join(f'{k} = {v}' for k, v in SETTINGS.items())})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE cases RESET ({', '.join(SETTINGS)})")
