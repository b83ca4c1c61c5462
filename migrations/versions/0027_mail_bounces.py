"""failed mails keep their bytes until they are taken in or dismissed

Revision ID: 0027_mail_bounces
Revises: 0026_read_speed
Create Date: 2026-12-01

``mail_messages`` gets ``filename`` and ``content`` (the bytes of a mail that could not be taken in, so a
caseworker can try again or open a case by hand from "E-mails, der ikke er modtaget") and ``handled_by``
(who dismissed it; status ``dismissed``). A mail taken in or dismissed has its bytes deleted: the mail
itself is then the case's document, or was set aside on purpose. Bounces (kind ``bounce``) need no new
column: the dispatch they answer gets the existing status ``bounced``.

``appeal_bodies`` gets ``email`` and ``cvr``: where the forwarding of a complaint (klage_oversendelse) is
sent electronically (Digital Post by CVR number, else e-mail); without them it goes by post.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027_mail_bounces"
down_revision = "0026_read_speed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mail_messages") as batch:
        batch.add_column(sa.Column("filename", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("content", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("handled_by", sa.String(length=64), nullable=True))
    with op.batch_alter_table("appeal_bodies") as batch:
        batch.add_column(sa.Column("email", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("cvr", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("appeal_bodies") as batch:
        batch.drop_column("cvr")
        batch.drop_column("email")
    with op.batch_alter_table("mail_messages") as batch:
        batch.drop_column("handled_by")
        batch.drop_column("content")
        batch.drop_column("filename")
