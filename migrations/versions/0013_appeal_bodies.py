"""appeal bodies per KLE prefix and legal basis, seeded with the law's routes and the sector bodies

Revision ID: 0013_appeal_bodies
Revises: 0012_release_texts
Create Date: 2026-11-30
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0013_appeal_bodies"
down_revision = "0012_release_texts"
branch_labels = None
depends_on = None

_ANKESTYRELSEN = "Teglholmsgade 3, 2450 København SV"
_NAEVNENES_HUS = "Nævnenes Hus, Toldboden 2, 8800 Viborg"
# The same rows as aktflow.appeal_bodies.DEFAULTS when this revision was written (sources: docs/domain.md).
_SEED = (
    ("", "ofl", "tilsyn", "Ankestyrelsen", _ANKESTYRELSEN),
    ("", "gdpr", "klageinstans", "Datatilsynet", "Carl Jacobsens Vej 35, 2500 Valby"),
    ("01", "ofl", "klageinstans", "Planklagenævnet", _NAEVNENES_HUS),
    ("02", "ofl", "klageinstans", "Byggeklageenheden", _NAEVNENES_HUS),
    ("09", "ofl", "klageinstans", "Miljø- og Fødevareklagenævnet", _NAEVNENES_HUS),
    ("27", "ofl", "klageinstans", "Ankestyrelsen", _ANKESTYRELSEN),
    ("32", "ofl", "klageinstans", "Ankestyrelsen", _ANKESTYRELSEN),
    ("82", "ofl", "klageinstans", "Klagenævnet for Udbud", _NAEVNENES_HUS),
)


def upgrade() -> None:
    table = op.create_table(
        "appeal_bodies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kle_prefix", sa.String(length=8), nullable=False),
        sa.Column("basis", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_bodies")),
        sa.UniqueConstraint("kle_prefix", "basis", name=op.f("uq_appeal_bodies_kle_prefix_basis")),
    )
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    op.bulk_insert(
        table,
        [
            {"kle_prefix": p, "basis": b, "kind": k, "name": n, "address": a, "updated_at": now}
            for p, b, k, n, a in _SEED
        ],
    )


def downgrade() -> None:
    op.drop_table("appeal_bodies")
