"""The legal contact's queue: the cases waiting for legal review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func as sa_func
from sqlalchemy import select

from ..clock import today as clock_today
from ..db import Database
from ..models import Case, CaseDeadline


def legal_queue(db: Database, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Cases waiting for the legal contact (state legal_review), the oldest next deadline first."""
    today = today or clock_today()
    next_due = (
        select(CaseDeadline.case_id, sa_func.min(CaseDeadline.due).label("due"))
        .where(CaseDeadline.active.is_(True), CaseDeadline.done_on.is_(None))
        .group_by(CaseDeadline.case_id)
        .subquery()
    )
    with db.session() as session:
        rows = session.execute(
            select(Case, next_due.c.due)
            .outerjoin(next_due, next_due.c.case_id == Case.id)
            .where(Case.state == "legal_review")
            .order_by(next_due.c.due.is_(None), next_due.c.due, Case.received, Case.id)
        ).all()
        return [
            {
                "id": c.id,
                "sagsnummer": c.sagsnummer,
                "requester": c.requester_name,
                "subject": c.subject,
                "received": c.received.isoformat(),
                "assignee": c.assignee.username if c.assignee else None,
                "next_due": due.isoformat() if due else None,
                "flag_reasons": [f.reason for f in c.open_flags],
                "version": c.version,
            }
            for c, due in rows
        ]
