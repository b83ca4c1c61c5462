"""Plain-data views of cases, shared by the CLI's JSON output and the web API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import states
from .models import Case, CaseDeadline, Event


def _d(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def outcome(case: Case) -> str | None:
    """The decision outcome the assessments give (None while a document is unassessed)."""
    docs = case.documents
    if not docs:
        return "none_found"
    if any(d.assessment is None for d in docs):
        return None
    granted = [d.assessment.outcome for d in docs]
    if all(o == "grant" for o in granted):
        return "full"
    if all(o == "refuse" for o in granted):
        return "refusal"
    return "partial"


def deadlines(session: Session, case: Case, today: dt.date | None = None) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(CaseDeadline)
        .where(CaseDeadline.case_id == case.id, CaseDeadline.active.is_(True))
        .order_by(CaseDeadline.due, CaseDeadline.id)
    ).all()
    return [
        {
            "rule": r.rule,
            "start": _d(r.start),
            "due": _d(r.due),
            "explanation": r.explanation,
            "calendar_version": r.calendar_version,
        }
        for r in rows
    ]


def case_dict(session: Session, case: Case, *, role: str | None = None, today: dt.date | None = None) -> dict:
    events = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq)).all()
    allowed = [n for n in states.triggers_from(case.state) if role is None or role in states.TRIGGERS[n].roles]
    return {
        "id": case.id,
        "state": case.state,
        "state_label": states.STATES[case.state].label,
        "version": case.version,
        "basis": case.basis,
        "received": _d(case.received),
        "subject": case.subject,
        "emne": case.emne,
        "requester": case.requester_name,
        "email": case.requester_email,
        "channel": case.channel,
        "sagsnummer": case.sagsnummer,
        "assignee": case.assignee.username if case.assignee else None,
        "flagged": case.flagged,
        "flag_reasons": [f.reason for f in case.open_flags],
        "outcome": outcome(case),
        "allowed_triggers": allowed,
        "deadlines": deadlines(session, case, today),
        "documents": [
            {
                "id": d.id,
                "title": d.title,
                "date": _d(d.doc_date),
                "sender": d.sender,
                "archive_doc_id": d.archive_doc_id,
                "outcome": d.assessment.outcome if d.assessment else None,
                "grounds": list(d.assessment.grounds) if d.assessment else [],
            }
            for d in case.documents
        ],
        "events": [
            {
                "seq": e.seq,
                "trigger": e.trigger,
                "from": e.from_state,
                "to": e.to_state,
                "actor": e.actor,
                "at": e.at.isoformat(timespec="seconds"),
                "note": e.note,
                "data": e.data,
            }
            for e in events
        ],
    }
