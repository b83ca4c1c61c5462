"""``aktflow dashboard``: check and rebuild the dashboard's read model."""

from __future__ import annotations

import sys

import click

from .base import Group, echo, open_db

#: What ``dashboard rebuild`` says as each step of :func:`aktflow.figure_counts.rebuild_read_model` starts.
REBUILD_STEPS = {
    "figures": "genberegner dagstal …",
    "due": "genberegner sagernes tidligste frister …",
}


@click.group("dashboard", cls=Group)
def dashboard() -> None:
    """The dashboard's read model: daily figure totals and the cases' earliest running deadlines."""


@dashboard.command("check")
def dashboard_check() -> None:
    """Compare the read model with the cases, events and assessments it is kept from (reads them all)."""
    from aktflow.queries.integrity import read_model_problems

    problems = read_model_problems(open_db())
    if problems:
        for p in problems:
            echo(f"fejl: {p}", err=True)
        echo("ret med 'aktflow dashboard rebuild'", err=True)
        sys.exit(1)
    echo("dashboardets tal stemmer med sagerne")


@dashboard.command("rebuild")
def dashboard_rebuild() -> None:
    """Recompute the read model from the cases (after a restore or manual changes to the database)."""
    from aktflow.figure_counts import rebuild_read_model

    rows, fixed = rebuild_read_model(open_db(), on_step=lambda step: echo(REBUILD_STEPS[step], err=True))
    echo(f"dashboardets tal genberegnet: {rows} dagstal, {fixed} sager rettet")
