"""``aktflow db``: the database's schema (Alembic migrations) and, on PostgreSQL, the runtime role's grants."""

from __future__ import annotations

import click

from .base import Group, echo


def _urls() -> tuple[str, str]:
    """(the owner's URL for migrations, the runtime URL): AKTFLOW_MIGRATION_DATABASE_URL falls back to
    AKTFLOW_DATABASE_URL (or the embedded database)."""
    from aktflow.config import load_settings

    settings = load_settings()
    runtime = settings.resolved_database_url()
    return settings.migration_database_url or runtime, runtime


@click.group("db", cls=Group)
def db() -> None:
    """The database: migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or upgrade the database schema as its owner (AKTFLOW_MIGRATION_DATABASE_URL, else
    AKTFLOW_DATABASE_URL); on PostgreSQL, grant the role of AKTFLOW_DATABASE_URL only what it needs."""
    from aktflow.db import upgrade
    from aktflow.db_roles import grant_runtime

    owner_url, runtime_url = _urls()
    upgrade(owner_url, revision)
    echo("databasen er opdateret", err=True)
    if owner_url.startswith("postgresql"):
        report = grant_runtime(owner_url, runtime_url)
        for line in report.warnings:
            echo(f"advarsel: {line}", err=True)
        if report.runtime and report.runtime != report.owner:
            echo(
                f"rollen {report.runtime!r} må læse og tilføje i loggene ({', '.join(report.log_tables)}), "
                f"men ikke ændre eller slette dem; ejer: {report.owner!r}",
                err=True,
            )


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (e.g. 'base'), as the schema's owner."""
    from aktflow.db import downgrade

    downgrade(_urls()[0], revision)
