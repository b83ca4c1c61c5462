"""``aktflow case access``: who may see a sensitive case; add and remove members, mark and unmark it
(aktflow/case_access.py, docs/access.md)."""

from __future__ import annotations

import click

from aktflow.errors import ValidationError

from .base import emit, open_db
from .options import as_option, json_option


def _when(moment) -> str:
    """A moment as Danish users read it: ``01.12.2026 kl. 06:32`` in Danish time (a naive value is UTC)."""
    import datetime as dt

    from aktflow.clock import TZ

    if not isinstance(moment, dt.datetime):
        return str(moment or "")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(TZ).strftime("%d.%m.%Y kl. %H:%M")


def _text(a: dict) -> str:
    lines = [f"Sag {a['case_id']}: " + ("fortrolig" if a["sensitive"] else "ikke fortrolig")]
    lines += [f"  {r}" for r in a["reasons"]]
    for m in a["members"]:
        lines.append(
            f"  tilføjet: {m['username']} (af {m['added_by']} {_when(m['added_at'])}): {m['reason']}"
        )
    return "\n".join(lines)


@click.command("access")
@click.argument("case_id", type=int)
@click.option("--add", "add", default=None, metavar="USER", help="Add USER to the case (needs --reason)")
@click.option("--remove", "remove", default=None, metavar="USER", help="Remove USER from the case")
@click.option("--mark-sensitive", "mark", default=None, metavar="REASON", help="Mark the case sensitive")
@click.option("--unmark", "unmark", default=None, metavar="REASON", help="Lift the mark (managers, legal)")
@click.option("--reason", default=None, help="Why USER is added (or removed)")
@as_option("Your username")
@json_option
def case_access_cmd(
    case_id: int,
    add: str | None,
    remove: str | None,
    mark: str | None,
    unmark: str | None,
    reason: str | None,
    actor: str,
    as_json: bool,
) -> None:
    """Show who may see case CASE_ID, or change it: --add USER --reason R, --remove USER,
    --mark-sensitive REASON, --unmark REASON (one change at a time; each is written to the admin log).

    Exit code 4 when --as may not see the case or change its access.
    """
    from aktflow import case_members
    from aktflow.queries.case_members import access_of

    changes = [x for x in (add, remove, mark, unmark) if x is not None]
    if len(changes) > 1:
        raise ValidationError(
            "--add", "angiv én ændring ad gangen (--add, --remove, --mark-sensitive, --unmark)"
        )
    db = open_db()
    if add is not None:
        case_members.add_member(db, case_id, add, actor=actor, reason=reason or "")
    elif remove is not None:
        case_members.remove_member(db, case_id, remove, actor=actor, reason=reason)
    elif mark is not None:
        case_members.mark_sensitive(db, case_id, actor=actor, reason=mark)
    elif unmark is not None:
        case_members.unmark_sensitive(db, case_id, actor=actor, reason=unmark)
    a = access_of(db, case_id, actor)
    emit(a, as_json, _text(a))
