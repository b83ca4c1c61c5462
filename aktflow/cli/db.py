"""``aktflow db``: the database's schema (Alembic migrations)."""

from __future__ import annotations

import click

from .base import Group, echo


@click.group("db", cls=Group)
def db() -> None:
    """The database: migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or upgrade the database schema (AKTFLOW_DATABASE_URL)."""
    from aktflow.config import Config
    from aktflow.db import upgrade

    upgrade(Config.from_env().database_url, revision)
    echo("databasen er opdateret", err=True)


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (e.g. 'base')."""
    from aktflow.config import Config
    from aktflow.db import downgrade

    downgrade(Config.from_env().database_url, revision)
