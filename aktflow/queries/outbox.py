"""The outbox's items as the command line lists them (``aktflow outbox list``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..db import Database
from ..errors import ValidationError
from ..models import OutboxItem

#: The states an outbox item passes through (``aktflow.outbox``): waiting, claimed, delivered, given up.
OUTBOX_STATUSES = ("pending", "delivering", "done", "failed")


def outbox_items(db: Database, status: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """The outbox's items, newest first (at most ``limit``), optionally of one status, as plain rows.

    Each row: ``{"id", "case", "kind", "status", "attempts", "next_attempt", "error"}`` with
    ``next_attempt`` an ISO time (seconds) and ``case``/``error`` possibly None. Raises ValidationError
    (field ``status``) for a status not in :data:`OUTBOX_STATUSES`.
    """
    if status is not None and status not in OUTBOX_STATUSES:
        raise ValidationError("status", f"ukendt status {status!r}: brug {'|'.join(OUTBOX_STATUSES)}")
    q = select(OutboxItem).order_by(OutboxItem.id.desc()).limit(limit)
    if status:
        q = q.where(OutboxItem.status == status)
    with db.session() as s:
        return [
            {
                "id": o.id,
                "case": o.case_id,
                "kind": o.kind,
                "status": o.status,
                "attempts": o.attempts,
                "next_attempt": o.next_attempt_at.isoformat(timespec="seconds"),
                "error": o.last_error,
            }
            for o in s.scalars(q)
        ]
