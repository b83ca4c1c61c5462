"""request rules: personnel marking, request-level refusals, MOL assessments

Revision ID: 0009_request_rules
Revises: 0008
Create Date: 2026-11-30

``cases.personnel``: a caseworker marked the case as a personnel matter (OFL § 41); KLE 81 cases are
personnel matters without it. ``cases.request_ground`` / ``request_hours``: a refusal of the whole request
(OFL § 9, stk. 2) and the estimated hours. ``assessments.weighing_note`` / ``emission``: the weighing of
the public interest and whether the information concerns emissions (MOL § 2).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_request_rules"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both databases (a batch copy of the table would trip the foreign keys to it).
    op.add_column("cases", sa.Column("personnel", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("cases", sa.Column("request_ground", sa.String(length=20), nullable=True))
    op.add_column("cases", sa.Column("request_hours", sa.Integer(), nullable=True))
    op.add_column("assessments", sa.Column("weighing_note", sa.Text(), nullable=True))
    op.add_column("assessments", sa.Column("emission", sa.Boolean(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy of the table would trip the foreign keys to it.
    for col in ("emission", "weighing_note"):
        op.drop_column("assessments", col)
    for col in ("request_hours", "request_ground", "personnel"):
        op.drop_column("cases", col)
