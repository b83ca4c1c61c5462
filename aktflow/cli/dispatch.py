"""``aktflow dispatch``: the letters on their way out (docs/dispatch.md).

``list CASE`` shows each letter's dispatches; ``channel CASE DISPATCH CHANNEL`` chooses another channel
before the letter is sent; ``retry`` tries a letter that did not go again; ``posted`` records that a
printed letter was posted ("Sendt med post"); ``print`` writes the print file. Sending is the outbox's
(``aktflow outbox run --now``).
"""

from __future__ import annotations

from pathlib import Path

import click

from aktflow.errors import ValidationError
from aktflow.queries.case_members import viewer

from .base import Group, echo, emit, open_db
from .options import as_option, json_option, viewer_option


@click.group("dispatch", cls=Group)
def dispatch() -> None:
    """Letters out: channel, status, retry, sent by post."""


def _line(r: dict) -> str:
    when = f" sendt {r['sent_at']}" if r["sent_at"] else ""
    detail = f"  {r['detail']}" if r["detail"] else ""
    return (
        f"{r['id']:>6} {r['letter_label']:<28} {r['recipient'][:24]:<24} {r['channel_label']:<13} "
        f"{r['status_label']}{when}{detail}"
    )


@dispatch.command("list")
@click.argument("case_id", type=int)
@json_option
@viewer_option
def dispatch_list(case_id: int, as_json: bool, actor: str | None) -> None:
    """The case's dispatches, oldest first (with --as: if that user may see the case, need-to-know)."""
    from aktflow.queries.dispatches import case_dispatches

    if actor is not None:
        viewer(open_db(), actor, case_id)
    rows = case_dispatches(open_db(), case_id)
    emit(rows, as_json, "\n".join(_line(r) for r in rows) or "ingen forsendelser")


@dispatch.command("channel")
@click.argument("case_id", type=int)
@click.argument("dispatch_id", type=int)
@click.argument("channel", type=click.Choice(["digital_post", "email", "print"]))
@as_option("A caseworker")
@json_option
def dispatch_channel(case_id: int, dispatch_id: int, channel: str, actor: str, as_json: bool) -> None:
    """Send a letter not yet sent with CHANNEL instead of the rule's."""
    from aktflow.dispatch_actions import choose

    row = choose(open_db(), case_id, dispatch_id, channel, actor=actor)
    emit(row, as_json, _line(row))


@dispatch.command("retry")
@click.argument("case_id", type=int)
@click.argument("dispatch_id", type=int)
@as_option("A caseworker")
@json_option
def dispatch_retry(case_id: int, dispatch_id: int, actor: str, as_json: bool) -> None:
    """Try a letter that did not go again."""
    from aktflow.dispatch_actions import retry

    row = retry(open_db(), case_id, dispatch_id, actor=actor)
    emit(row, as_json, _line(row))


@dispatch.command("posted")
@click.argument("case_id", type=int)
@click.argument("dispatch_id", type=int)
@as_option("A caseworker")
@json_option
def dispatch_posted(case_id: int, dispatch_id: int, actor: str, as_json: bool) -> None:
    """Record that a printed letter was posted now ("Sendt med post")."""
    from aktflow.dispatch_actions import confirm_posted

    row = confirm_posted(open_db(), case_id, dispatch_id, actor=actor)
    emit(row, as_json, _line(row))


@dispatch.command("print")
@click.argument("case_id", type=int)
@click.argument("dispatch_id", type=int)
@click.option("--out", required=True, help="The PDF file to write")
@as_option("Your username (need-to-know; the read is in a sensitive case's access log)")
def dispatch_print(case_id: int, dispatch_id: int, out: str, actor: str) -> None:
    """Write the print file (A4, address in the C5 window, the letter and the package) as user --as: exit
    code 4 when that user may not see the case; a sensitive case's access log records the read."""
    from aktflow.access_log import record_access
    from aktflow.queries.dispatches import print_file

    target = Path(out)
    if not target.parent.is_dir():
        raise ValidationError("--out", f"mappen {str(target.parent)!r} findes ikke")
    db_ = open_db()
    viewer(db_, actor, case_id)
    name, content = print_file(db_, case_id, dispatch_id)
    record_access(
        db_, actor=actor, case_id=case_id, what="print", object_id=dispatch_id, name=name, via="cli"
    )
    target.write_bytes(content)
    echo(f"printfilen er skrevet til {out} ({len(content)} bytes)")
