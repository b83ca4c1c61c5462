"""The legal contact's queue: the cases waiting for legal review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func as sa_func
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import today as clock_today
from ..db import Database
from ..exits import mask
from ..models import Case, CaseDeadline, Event, Flag


def legal_queue(db: Database, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Cases waiting for the legal contact (state legal_review), the oldest next deadline first.

    Each row: ``id, sagsnummer, requester, subject, received`` (ISO date), ``assignee, next_due`` (ISO date
    or None), ``flag_reasons, version``. Every text passes the exit filter (:func:`aktflow.exits.mask`).
    """
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
        queue = [
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
        return mask(queue)


def review_context(session: Session, case_id: int) -> dict[str, Any]:
    """For the legal review: the flags with reasons and who/when (open and cleared), and the caseworker's
    questions and legal's earlier comments, from the event log. Texts pass the exit filter (CPR masked)."""
    flags = [
        {
            "reason": f.reason,
            "source": f.source,
            "created_at": f.created_at,
            "cleared_at": f.cleared_at,
            "cleared_by": f.cleared_by,
        }
        for f in session.scalars(select(Flag).where(Flag.case_id == case_id).order_by(Flag.id))
    ]
    notes = [
        {"trigger": e.trigger, "actor": e.actor, "at": e.at, "note": e.note}
        for e in session.scalars(
            select(Event)
            .where(
                Event.case_id == case_id,
                Event.trigger.in_(
                    ("submit_for_legal_review", "return_to_screening", "approve_legal", "flag_for_legal")
                ),
            )
            .order_by(Event.seq)
        )
    ]
    return mask({"flags": flags, "notes": notes})
