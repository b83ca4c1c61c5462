"""``aktflow audit``: the event log's hash chains and replay."""

from __future__ import annotations

import sys

import click

from .base import Group, echo, emit, open_db
from .options import json_option


@click.group("audit", cls=Group)
def audit() -> None:
    """The event log."""


@audit.command("verify")
@json_option
def audit_verify(as_json: bool) -> None:
    """Check every case's hash chain and that its state equals the replay of its events."""
    from aktflow.queries.integrity import verify_log

    n, problems = verify_log(open_db())
    if as_json:
        emit(
            {
                "cases": n,
                "ok": not problems,
                "problems": [
                    {"case": p.case_id, "seq": p.seq, "event_id": p.event_id, "message": p.message}
                    for p in problems
                ],
            },
            True,
        )
    if problems:
        for p in problems:
            echo(f"fejl: {p}", err=True)
        sys.exit(1)
    if not as_json:
        echo(f"hændelsesloggen er i orden ({n} sager)")
