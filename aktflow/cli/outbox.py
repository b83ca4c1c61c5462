"""``aktflow outbox``: the work waiting for the archive, delivered after commit or by a worker."""

from __future__ import annotations

import sys

import click

from aktflow.errors import ValidationError

from .base import Group, echo, emit, open_db
from .options import as_option, json_option


@click.group("outbox", cls=Group)
def outbox() -> None:
    """Work waiting for the archive (SBSYS)."""


@outbox.command("run")
@click.option("--loop", is_flag=True, help="Keep running (a worker); Ctrl-C stops")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between rounds with --loop")
@click.option("--now", "now_", is_flag=True, help="Ignore the backoff: try everything pending now")
@json_option
def outbox_run(loop: bool, interval: float, now_: bool, as_json: bool) -> None:
    """Deliver what is pending once (or keep doing it with --loop)."""
    from aktflow.outbox_delivery import run

    marks = {"done": ".", "pending": "r", "failed": "F"}

    def report(status: str) -> None:
        if not as_json:
            echo(marks[status], nl=False, err=True)

    try:
        counts = run(open_db(), loop=loop, interval=interval, ignore_backoff=now_, report=report)
    except KeyboardInterrupt:
        echo("\nstoppet", err=True)
        return
    if not as_json:
        echo("", err=True)
    emit(counts, as_json, f"leveret {counts['done']}, venter {counts['pending']}, fejlet {counts['failed']}")
    if counts["failed"]:
        sys.exit(1)


@outbox.command("list")
@click.option("--status", default=None, type=click.Choice(["pending", "delivering", "done", "failed"]))
@json_option
def outbox_list(status: str | None, as_json: bool) -> None:
    """List outbox items (newest first)."""
    from aktflow.queries.outbox import outbox_items

    rows = outbox_items(open_db(), status)
    emit(
        rows,
        as_json,
        "\n".join(
            f"{r['id']:>6} sag {r['case'] or '-':>6} {r['kind']:<12} {r['status']:<10} forsøg {r['attempts']}"
            + (f"  {r['error']}" if r["error"] else "")
            for r in rows
        )
        or "ingen opgaver",
    )


@outbox.command("retry")
@click.argument("item_ids", type=int, nargs=-1)
@click.option("--all-failed", is_flag=True)
@as_option("An administrator")
def outbox_retry(item_ids: tuple[int, ...], all_failed: bool, actor: str) -> None:
    """Put failed items back in the queue (after the cause is fixed)."""
    from aktflow.administration import retry_outbox

    if not item_ids and not all_failed:
        raise ValidationError("ITEM_IDS", "angiv opgaver eller --all-failed")
    n = retry_outbox(open_db(), actor=actor, item_ids=item_ids, all_failed=all_failed)
    echo(f"{n} opgaver sat i kø igen")
