"""``aktflow audit``: the event log's and the administrative log's keyed hash chains, and the audit key."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .base import Group, echo, emit, open_db
from .options import json_option


@click.group("audit", cls=Group)
def audit() -> None:
    """The event log and the administrative log."""


_CHECKPOINTS = click.option(
    "--checkpoints",
    "checkpoints",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The checkpoint file (default: audit-checkpoints in the instance folder).",
)


@audit.command("verify")
@_CHECKPOINTS
@json_option
def audit_verify(checkpoints: Path | None, as_json: bool) -> None:
    """Check every case's hash chain, that its state equals the replay of its events, the
    administrative log's chain (each entry with the audit key it names), and the database against the
    checkpoint file when there is one."""
    from aktflow.audit import checkpoint_path
    from aktflow.queries.integrity import verify_admin_log, verify_checkpoints, verify_log

    db = open_db()
    n, problems = verify_log(db)
    n_admin, admin_problems = verify_admin_log(db)
    n_points, point_problems = verify_checkpoints(db, checkpoints or checkpoint_path())
    ok = not problems and not admin_problems and not point_problems
    if as_json:
        emit(
            {
                "cases": n,
                "ok": ok,
                "problems": [
                    {"case": p.case_id, "seq": p.seq, "event_id": p.event_id, "message": p.message}
                    for p in problems
                ],
                "admin_log": {
                    "entries": n_admin,
                    "problems": [
                        {"seq": p.seq, "id": p.entry_id, "message": p.message} for p in admin_problems
                    ],
                },
                "checkpoints": {"checked": n_points, "problems": point_problems},
            },
            True,
        )
    if not ok:
        for p in [*problems, *admin_problems, *point_problems]:
            echo(f"fejl: {p}", err=True)
        sys.exit(1)
    if not as_json:
        echo(
            f"hændelsesloggen er i orden ({n} sager); administrationsloggen er i orden ({n_admin} indførsler)"
            + (f"; {n_points} kontrolpunkter passer" if n_points else "")
        )


@audit.command("checkpoint")
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to append (default: audit-checkpoints in the instance folder).",
)
def audit_checkpoint(path: Path | None) -> None:
    """Append the heads of every chain to a checkpoint file outside the database (e.g. daily from cron).

    Keep the file where the database's users cannot rewrite it (append-only storage, another host):
    'aktflow audit verify' then detects a chain recomputed or shortened after the checkpoint."""
    from aktflow.audit import make_checkpoint

    where, line = make_checkpoint(open_db(), path)
    echo(
        f"kontrolpunkt skrevet i {where}: {line['cases']} sager, hændelser til og med id {line['max_event_id']}, "
        f"administrationsloggen til og med nr. {line['admin_seq']}"
    )


@audit.command("admin-log")
@click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True)
@click.option("--all", "everything", is_flag=True, help="Every entry (ignores --limit).")
@click.option("--kind", default=None, help="Only one kind, e.g. user.role.")
@json_option
def audit_admin_log(limit: int, everything: bool, kind: str | None, as_json: bool) -> None:
    """The administrative log, newest first: who changed what, with the old and new values."""
    from aktflow.admin_log import KINDS
    from aktflow.errors import ValidationError
    from aktflow.queries.admin_log import admin_log_of

    if kind is not None and kind not in KINDS:
        raise ValidationError("kind", f"ukendt slags {kind!r}: brug {', '.join(KINDS)}")
    rows = admin_log_of(open_db(), limit=None if everything else limit, kind=kind)
    if as_json:
        emit([{**r, "at": r["at"].isoformat()} for r in rows], True)
        return
    if not rows:
        echo("administrationsloggen er tom")
    for r in rows:
        change = (
            f"{_short(r['old'])} → {_short(r['new'])}" if r["old"] is not None or r["new"] is not None else ""
        )
        echo(
            f"{r['seq']:>6}  {r['at']:%Y-%m-%d %H:%M:%S}  {r['actor_name']:<16} {r['label']}: {r['target']}  {change}"
        )


def _short(value: object) -> str:
    import json

    text = "–" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "…"


@audit.command("new-key")
def audit_new_key() -> None:
    """Rotate the audit key: append a new key to the key file; new entries use it, old ones keep verifying.

    Restart the web workers afterwards, so that they sign with the new key."""
    from aktflow.audit import add_key

    kid, path = add_key()
    echo(f"ny nøgle {kid} tilføjet i {path}; genstart aktflow, så den bruges til nye hændelser")
