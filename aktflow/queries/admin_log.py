"""The administrative audit log as the entrypoints read it: the admin page and ``aktflow audit admin-log``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..admin_log import KINDS
from ..models import AdminLogEntry
from ..vocabulary import SYSTEM_ACTOR


def admin_log_of(db: Any, *, limit: int | None = 200, kind: str | None = None) -> list[dict[str, Any]]:
    """:func:`admin_log` in a session of its own (for the command line); ``db`` is a Database."""
    with db.session() as s:
        return admin_log(s, limit=limit, kind=kind)


def admin_log(session: Session, *, limit: int | None = 200, kind: str | None = None) -> list[dict[str, Any]]:
    """The newest entries first: ``[{"seq", "at" (aware UTC), "actor", "actor_name", "kind", "label",
    "target", "old", "new"}]``; ``limit`` None gives all, ``kind`` keeps one kind (:data:`KINDS`).

    ``actor_name`` is how the log names the actor ("systemet" for the server's shell); the stored values
    passed the exit filter when they were written."""
    stmt = select(AdminLogEntry).order_by(AdminLogEntry.seq.desc())
    if kind:
        stmt = stmt.where(AdminLogEntry.kind == kind)
    if limit is not None:
        stmt = stmt.limit(max(0, limit))
    return [
        {
            "seq": e.seq,
            "at": e.at,
            "actor": e.actor,
            "actor_name": "systemet" if e.actor == SYSTEM_ACTOR else e.actor,
            "kind": e.kind,
            "label": KINDS.get(e.kind, e.kind),
            "target": e.target,
            "old": e.old,
            "new": e.new,
        }
        for e in session.scalars(stmt)
    ]
