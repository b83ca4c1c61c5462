"""The legal contact's queue: the cases waiting for legal review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func as sa_func
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..approval import Change, changes, lapsed
from ..case_access import MASKED, hidden_case_ids, legal_contacts
from ..db import Database
from ..exits import mask
from ..models import Case, CaseDeadline, Document, Event, Flag, ReviewComment, User

#: The legal contact's own verdicts: "the last review" is the latest of them.
REVIEW_TRIGGERS = ("approve_legal", "return_to_screening")

#: What the caseworker may have done since the last review that changes what the legal contact looks at:
#: the documents, their assessments and redactions, the request as a whole, the letters sent meanwhile.
CHANGE_TRIGGERS = (
    "add_document",
    "edit_document",
    "remove_document",
    "assess_document",
    "redact",
    "remove_redaction",
    "accept_redaction",
    "reject_redaction",
    "mark_personnel",
    "notify_employee",
    "flag_for_legal",
    "hearing_completed",
    "refuse_request",
    "cancel_request_refusal",
    "send_partial_decision",
    "send_deadline_notice",
)


def legal_queue(db: Database, today: dt.date | None = None, me: str | None = None) -> list[dict[str, Any]]:
    """Cases waiting for the legal contact (state legal_review), the oldest next deadline first; with ``me``
    (a username), the cases that name ``me`` their legal contact first (``mine`` True), in that order too.
    ``legal_contact`` is the case's named legal contact (:func:`aktflow.case_access.legal_contacts`) or None,
    ``legal_contact_name`` that user's name (else the username). A case ``me`` may not see in full (a
    sensitive case that names another legal contact, docs/access.md) is kept with ``masked`` True and only
    its number, dates, deadlines, caseworker and legal contact (:data:`MASKED_ROW`); the others have
    ``masked`` False.

    Each row: ``id, sagsnummer, requester, subject, received`` (ISO date), ``assignee`` (username or None),
    ``assignee_name`` (the user's name, else the username), ``next_due`` (ISO date or None), ``next_rule``
    (the rule id of that deadline), ``overdue`` (the next deadline is before ``today``; False without
    ``today``), ``flag_reasons, version``, ``question`` (the caseworker's text sent with the latest
    submit_for_legal_review, or None), ``last_review`` (None if never reviewed, else ``{"trigger", "at"}``:
    the latest approve_legal or return_to_screening), ``changed_since_review`` (what the caseworker did
    after it: ``[{"trigger", "count"}]`` in the order first done, :data:`CHANGE_TRIGGERS`) and
    ``changed_since_approval`` (None if never approved, else what changed since the legal contact's latest
    approval, a Danish sentence, or "" if nothing did). Every text passes the exit filter
    (:func:`aktflow.exits.mask`).
    """
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
        ids = [c.id for c, _ in rows]
        approved = _latest_approvals(session, ids)
        history = _review_history(session, ids)
        rules = _next_rules(session, {c.id: due for c, due in rows if due is not None})
        queue = [
            {
                "id": c.id,
                "sagsnummer": c.sagsnummer,
                "requester": c.requester_name,
                "subject": c.subject,
                "received": c.received.isoformat(),
                "assignee": c.assignee.username if c.assignee else None,
                "assignee_name": (c.assignee.name or c.assignee.username) if c.assignee else None,
                "next_due": due.isoformat() if due else None,
                "next_rule": rules.get(c.id),
                "overdue": bool(due and today and due < today),
                "flag_reasons": [f.reason for f in c.open_flags],
                "version": c.version,
                **history.get(c.id, {"question": None, "last_review": None, "changed_since_review": []}),
                "changed_since_approval": (
                    None if c.id not in approved else (lapsed(approved[c.id], c) or "")
                ),
            }
            for c, due in rows
        ]
        named = legal_contacts(session, ids)
        names = _names(session, {*named.values(), *([me] if me else [])})
        hidden = hidden_case_ids(session, names.get(me) if me else None, ids)
        for row in queue:
            row["legal_contact"] = named.get(row["id"])
            contact = names.get(row["legal_contact"]) if row["legal_contact"] else None
            row["legal_contact_name"] = (
                (contact.name or contact.username) if contact else row["legal_contact"]
            )
            row["mine"] = bool(me) and row["legal_contact"] == me
            row["masked"] = row["id"] in hidden
            if row["masked"]:  # need to know: that it exists, its deadlines and who reviews it; nothing more
                row.update(MASKED_ROW)
        queue.sort(key=lambda r: not r["mine"])  # stable: the deadline order within each part
        return mask(queue)


#: What a queue row shows of a case the user may not see in full (a sensitive case that names another
#: legal contact, docs/access.md): the number, the deadlines, the caseworker and the legal contact stay.
MASKED_ROW: dict[str, Any] = {
    "requester": MASKED,
    "subject": MASKED,
    "flag_reasons": [],
    "question": None,
    "last_review": None,
    "changed_since_review": [],
    "changed_since_approval": None,
}


def _names(session: Session, usernames: set[str]) -> dict[str, User]:
    """The users of ``usernames`` by username (one query; unknown names left out)."""
    if not usernames:
        return {}
    return {u.username: u for u in session.scalars(select(User).where(User.username.in_(usernames)))}


def _next_rules(session: Session, due: dict[int, dt.date]) -> dict[int, str]:
    """Each case's rule id of its running deadline due on ``due[case_id]`` (the first by rule id if two)."""
    if not due:
        return {}
    out: dict[int, str] = {}
    for cid, rule, day in session.execute(
        select(CaseDeadline.case_id, CaseDeadline.rule, CaseDeadline.due)
        .where(
            CaseDeadline.case_id.in_(list(due)),
            CaseDeadline.active.is_(True),
            CaseDeadline.done_on.is_(None),
        )
        .order_by(CaseDeadline.rule)
    ):
        if day == due[cid]:
            out.setdefault(cid, rule)
    return out


def _review_history(session: Session, case_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per case, from its event log: ``question`` (the note of the latest submit_for_legal_review),
    ``last_review`` (``{"trigger", "at"}`` of the latest :data:`REVIEW_TRIGGERS` event, or None) and
    ``changed_since_review`` (``[{"trigger", "count"}]``: the :data:`CHANGE_TRIGGERS` events after it,
    empty when never reviewed)."""
    out: dict[int, dict[str, Any]] = {}
    if not case_ids:
        return out
    for cid, trigger, at, note in session.execute(
        select(Event.case_id, Event.trigger, Event.at, Event.note)
        .where(
            Event.case_id.in_(case_ids),
            Event.trigger.in_(("submit_for_legal_review", *REVIEW_TRIGGERS, *CHANGE_TRIGGERS)),
        )
        .order_by(Event.case_id, Event.seq)
    ):
        row = out.setdefault(cid, {"question": None, "last_review": None, "changed_since_review": []})
        if trigger == "submit_for_legal_review":
            row["question"] = (note or "").strip() or None
        elif trigger in REVIEW_TRIGGERS:
            row["last_review"] = {"trigger": trigger, "at": at}
            row["changed_since_review"] = []
        elif row["last_review"] is not None:
            changed = row["changed_since_review"]
            hit = next((x for x in changed if x["trigger"] == trigger), None)
            if hit is None:
                changed.append({"trigger": trigger, "count": 1})
            else:
                hit["count"] += 1
    return out


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
            "superseded": f.superseded,
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
    return mask({"flags": flags, "notes": notes, "approval": approval_changes(session, case_id)})


def approval_changes(session: Session, case_id: int) -> dict[str, Any] | None:
    """What changed since the legal contact's latest approval of the case (docs/domain.md, "Juridisk
    vurdering"), or None if it was never approved: ``at`` (datetime), ``by`` (username), ``outcome``
    (approved, now: case outcome codes), ``changes`` (per document: ``document_id, title, kind`` —
    added | removed | changed — and ``fields``: ``name`` (Danish), ``before``, ``after``), ``lapsed`` (a
    Danish sentence naming what changed, or None while the approval holds). Texts are masked."""
    event = session.scalars(
        select(Event)
        .where(Event.case_id == case_id, Event.trigger == "approve_legal")
        .order_by(Event.seq.desc())
        .limit(1)
    ).first()
    case = session.get(Case, case_id)
    if event is None or case is None:
        return None
    approved = _snapshot_of(event.data)
    from ..approval import case_outcome

    return mask(
        {
            "at": event.at,
            "by": event.actor,
            "outcome": [approved.get("outcome"), case_outcome(case.documents)],
            "changes": [_change_row(c) for c in changes(approved, case)],
            "lapsed": lapsed(approved, case),
        }
    )


def _change_row(c: Change) -> dict[str, Any]:
    return {
        "document_id": c.document_id,
        "title": c.title,
        "kind": c.kind,
        "fields": [{"name": n, "before": b, "after": a} for n, b, a in c.fields],
        "text": c.describe(),
    }


def _snapshot_of(data: dict[str, Any] | None) -> dict[str, Any]:
    """The snapshot an approve_legal event recorded; an approval from before snapshots were kept covers
    nothing (every document shows as added), as the decision's guard treats it."""
    return (data or {}).get("approved") or {"documents": {}, "flags": [], "outcome": "?"}


def _latest_approvals(session: Session, case_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each case's latest approval snapshot (case id → snapshot), for the cases that have one."""
    if not case_ids:
        return {}
    out: dict[int, dict[str, Any]] = {}
    for cid, data in session.execute(
        select(Event.case_id, Event.data)
        .where(Event.case_id.in_(case_ids), Event.trigger == "approve_legal")
        .order_by(Event.seq)
    ):
        out[cid] = _snapshot_of(data)
    return out


def review_comments(session: Session, case_id: int, document_id: int | None = None) -> list[dict[str, Any]]:
    """The legal contact's comments on the case's documents (:mod:`aktflow.review_comments`), oldest first;
    only ``document_id``'s when given. Each: ``id, document_id, document_title, author`` (username),
    ``author_name`` (the user's name, else the username), ``at`` (datetime, UTC), ``text``. Texts are
    masked (:func:`aktflow.exits.mask`)."""
    stmt = (
        select(ReviewComment, Document.title, User.name)
        .join(Document, Document.id == ReviewComment.document_id)
        .outerjoin(User, User.username == ReviewComment.author)
        .where(ReviewComment.case_id == case_id)
        .order_by(ReviewComment.id)
    )
    if document_id is not None:
        stmt = stmt.where(ReviewComment.document_id == document_id)
    return mask(
        [
            {
                "id": c.id,
                "document_id": c.document_id,
                "document_title": title,
                "author": c.author,
                "author_name": name or c.author,
                "at": c.created_at,
                "text": c.text,
            }
            for c, title, name in session.execute(stmt)
        ]
    )


def case_review_comments(db: Database, case_id: int, document_id: int | None = None) -> list[dict[str, Any]]:
    """:func:`review_comments` in a session of its own (for the case page and the document page)."""
    with db.session() as session:
        return review_comments(session, case_id, document_id)
