"""Plain-data views of cases, shared by the CLI's JSON output and the web API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import states, tracking
from .models import Case, Event


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


def case_dict(session: Session, case: Case, *, role: str | None = None, today: dt.date | None = None) -> dict:
    events = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq)).all()
    allowed = states.offered(case, role)
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
        "deadlines": tracking.case_deadlines(session, case, today or dt.date.today()),
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
