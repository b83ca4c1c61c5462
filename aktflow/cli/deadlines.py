"""``aktflow deadlines`` and ``aktflow sweep``: the statutory deadlines and the daily deadline sweep."""

from __future__ import annotations

import sys

import click

from .base import echo, emit, open_db
from .base import today as clock_today
from .options import json_option


@click.command("deadlines")
@click.option("--received", required=True, help="Date of receipt, YYYY-MM-DD (any date)")
@click.option("--basis", required=True, help="ofl | fvl | mol | gdpr")
@json_option
def deadlines(received: str, basis: str, as_json: bool) -> None:
    """Compute the statutory deadlines for a request received on a date."""
    from aktflow.queries.deadlines import statutory_deadlines

    out = statutory_deadlines(open_db, basis, received)
    emit(out, as_json, "\n".join(f"{d['rule']:<20} {d['due']}  {d['explanation']}" for d in out["deadlines"]))


@click.command("sweep")
@click.option("--today", default=None, help="Run as if today were this date (YYYY-MM-DD)")
@json_option
def sweep(today: str | None, as_json: bool) -> None:
    """The daily deadline sweep: due soon, overdue and missing fristbreve per assignee.

    Exit 0 when nothing is overdue or missing, 10 when something is (so cron can mail the output),
    1 on failure.
    """

    from aktflow.queries.deadlines import sweep as deadline_sweep
    from aktflow.service import parse_date

    day = parse_date(today, "--today") if today else clock_today()
    out = deadline_sweep(open_db(), day)
    if as_json:
        emit(out, True)
    else:
        c = out["counts"]
        echo(
            f"Fristoversigt {day:%d.%m.%Y}: {c['overdue']} overskredet, {c['missing_notice']} mangler "
            f"fristbrev, {c['due_soon']} snart"
        )
        labels = {"overdue": "OVERSKREDET", "missing_notice": "FRISTBREV MANGLER", "due_soon": "snart"}
        for assignee, rows in sorted(out["by_assignee"].items()):
            echo(f"\n{assignee}:")
            for r in rows:
                echo(
                    f"  sag {r['case']:>6} {r['sagsnummer'] or '-':<22} {r['rule']:<20} {r['due']} "
                    f"{labels[r['kind']]}"
                )
    if out["counts"]["overdue"] or out["counts"]["missing_notice"]:
        sys.exit(10)
