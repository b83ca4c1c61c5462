"""Plain-data views of cases, shared by the CLI's JSON output and the web API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from .. import case_deadlines, clock, states
from ..case_letters import (
    assessment_of,
    letters_of,
    outcome,
    register_order,
    request_refusal_of,
)
from ..errors import NotFound
from ..exits import mask, mask_filename
from ..labels import state_label
from ..models import Case, Document, Event
from ..release.service import packages_of
from ..states.case_rules import is_personnel_case
from .dispatches import decision_not_sent, dispatches_of


def get_case(session: Session, case_id: int) -> Case:
    """The case ``case_id`` loaded in ``session``; raises NotFound (Danish message) when there is none."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"sag {case_id} findes ikke")
    return case


def load_for_page(session: Session, case_id: int) -> Case:
    """:func:`get_case` with what the case page reads of it in as few statements as it can: the flags in
    the case's own query, the documents with their assessments in one more (their redactions follow in a
    third). Raises NotFound."""
    case = session.get(
        Case,
        case_id,
        options=[
            joinedload(Case.flags),
            selectinload(Case.documents).joinedload(Document.assessment),
        ],
    )
    if case is None:
        raise NotFound(f"sag {case_id} findes ikke")
    return case


def _d(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def archive_state(session: Session, case: Case) -> dict[str, Any]:
    """Where the case stands in the archive: its number, or that it is waiting or failed (with why)."""
    from ..models import OutboxItem

    items = session.execute(
        select(
            OutboxItem.kind, OutboxItem.status, OutboxItem.last_error, OutboxItem.attempts, OutboxItem.payload
        )
        .where(OutboxItem.case_id == case.id, OutboxItem.status.in_(("pending", "delivering", "failed")))
        .order_by(OutboxItem.id)
    ).all()
    failed = [{"kind": k, "error": e} for k, st, e, _, _ in items if st == "failed"]
    waiting = [{"kind": k, "attempts": a, "error": e} for k, st, e, a, _ in items if st != "failed"]
    if case.sagsnummer:
        status = "created"
    elif any(f["kind"] == "create_case" for f in failed):
        status = "failed"
    elif any(w["kind"] == "create_case" for w in waiting):
        status = "pending"
    else:
        status = "none"
    return {
        "status": status,
        "sagsnummer": case.sagsnummer,
        "archive_case_id": case.archive_case_id,
        "waiting": waiting,
        "failed": failed,
    }


def hearings(events: Sequence[Event]) -> list[dict[str, Any]]:
    """Third-party hearings as recorded by request_hearing / hearing_completed, oldest first."""
    out: list[dict[str, Any]] = []
    for e in events:
        if e.trigger == "request_hearing":
            out.append(
                {
                    "party": e.data.get("party"),
                    "question": e.data.get("question"),
                    "reply_by": e.data.get("reply_by"),
                    "sent": clock.local_date(e.at).isoformat(),
                    "reply": None,
                    "completed": None,
                    "summary": None,
                }
            )
        elif e.trigger == "hearing_completed" and out:
            out[-1].update(
                reply=e.data.get("reply"), completed=clock.local_date(e.at).isoformat(), summary=e.note
            )
    return out


SCREENING_LABELS = {
    "pending": "under gennemgang",
    "screened": "gennemgået",
    "unread": "ikke læst helt — skal læses manuelt",
    "refused": "afvist — skal læses manuelt",
}


def screening_of(d: Any) -> dict[str, Any]:
    """How far screening has read a document's file: ``screening`` (pending | screened | unread | refused;
    "unread" when some part could not be read), its Danish label, ``screening_error`` (why a file was
    refused) and ``parent_id`` (the e-mail or PDF an attachment came from)."""
    status = d.status
    if status == "screened" and d.complete is False:
        status = "unread"
    return {
        "screening": status,
        "screening_label": SCREENING_LABELS.get(status, status),
        "screening_error": d.error,
        "parent_id": d.parent_id,
    }


def _aktliste_row(case: Case, doc: Any, no: int) -> dict[str, Any]:
    """The document's row in the aktliste as it will print (:func:`aktflow.aktliste.released_row`):
    ``aktliste_title``, ``aktliste_sender``."""
    from ..aktliste import released_row

    row = released_row(case, doc, no)
    return {"aktliste_title": row["released_title"], "aktliste_sender": row["released_sender"]}


#: The events that open, end or answer a legal review, in the order they matter for the banners.
_REVIEW_EVENTS = ("submit_for_legal_review", "return_to_screening", "approve_legal")
#: The deadline rules of a fristbrev (OFL § 36, stk. 2; FVL's own), the letter that says when the decision comes.
NOTICE_RULES = ("ofl-notice", "fvl-notice")


def status_facts(
    session: Session,
    case: Case,
    events: Sequence[Event],
    deadlines: Sequence[dict[str, Any]],
    hearing_rows: Sequence[dict[str, Any]],
    today: dt.date,
) -> dict[str, Any]:
    """What the case page's banners say, as facts (dates as ISO text, people as usernames):

    - ``returned``: the legal contact sent the case back and it has not been sent for review since:
      ``{"by", "at", "comment"}``, else None.
    - ``approved``: the latest legal approval while the case is undecided and not sent back since:
      ``{"by", "at", "lapsed"}`` (``lapsed``: what changed since, a Danish sentence, or None while the
      approval covers the case as it is; :func:`aktflow.approval.lapsed`), else None.
    - ``notice``: the fristbrev's open deadline (OFL § 36, stk. 2): ``{"due", "today", "overdue"}``, else
      None (sent, or the decision came first).
    - ``hearing``: the open third-party hearing: ``{"party", "reply_by", "overdue"}``, else None.
    - ``overdue``: the rules of the open deadlines past their date (the fristbrev's included).
    """
    from ..approval import lapsed

    last = next((e for e in reversed(events) if e.trigger in _REVIEW_EVENTS), None)
    undecided = case.state in states.UNDECIDED_OPEN
    returned = approved = None
    if last is not None and last.trigger == "return_to_screening" and undecided:
        returned = {
            "by": last.actor,
            "at": last.at.isoformat(timespec="seconds"),
            "comment": last.note,
        }
    if last is not None and last.trigger == "approve_legal" and undecided:
        approved = {
            "by": last.actor,
            "at": last.at.isoformat(timespec="seconds"),
            "lapsed": lapsed(
                (last.data or {}).get("approved") or {"documents": {}, "flags": [], "outcome": "?"}, case
            ),
        }
    notice = None
    for d in deadlines:
        if d["rule"] in NOTICE_RULES and not d["done_on"] and undecided:
            due = dt.date.fromisoformat(d["due"])
            notice = {"due": d["due"], "today": due == today, "overdue": due < today}
    hearing = None
    open_hearings = [h for h in hearing_rows if not h["completed"]]
    if open_hearings and case.state == "third_party_hearing":
        h = open_hearings[-1]
        reply_by = h["reply_by"]
        hearing = {
            "party": h["party"],
            "reply_by": reply_by,
            "overdue": bool(reply_by) and dt.date.fromisoformat(str(reply_by)[:10]) < today,
        }
    overdue = [d["rule"] for d in deadlines if not d["done_on"] and d["status"] == "overdue"]
    return {
        "returned": returned,
        "approved": approved,
        "notice": notice,
        "hearing": hearing,
        "overdue": overdue,
    }


#: The actions on one document, offered in the documents' list rather than as a next step.
DOCUMENT_TRIGGERS = ("add_document", "edit_document", "remove_document", "assess_document")
#: The redactions of one document: drawn on the document's own page (its text and pages), never on the
#: case page, where each form would list every document of the case (docs/redaction.md).
REDACTION_TRIGGERS = ("redact", "remove_redaction", "accept_redaction", "reject_redaction")
#: The actions that are possible along the way but seldom the next step ("Andre handlinger").
SIDE_TRIGGERS = (
    "withdraw",
    "reopen_collection",
    "forward",
    "send_deadline_notice",
    "extend_deadline",
    "send_partial_decision",
    "assign",
    "flag_for_legal",
    "notify_employee",
)


def next_steps(view: dict[str, Any], hints: dict[str, str]) -> dict[str, Any]:
    """The case page's "Næste skridt" from the case's view (:func:`case_dict`) and the unmet conditions of
    its offered actions (``hints``: trigger → Danish sentence, :func:`aktflow.service.action_hints`):

    - ``main``: the actions to take now, the first being *the* next step: those without input first, then
      those with optional input, then those needing input; a fristbrev that is due today or overdue (or a
      case overdue without one, OFL § 36, stk. 2) comes first, unless a legal approval that still covers
      the case lets the decision itself be sent: then the decision comes first.
    - ``waiting``: the next steps that cannot be taken yet, each ``(trigger, why)``: named with the reason,
      never offered as a button that does nothing.
    - ``side``: the other actions (withdraw, forward, assign, …), in the offered order.

    The document's own actions (:data:`DOCUMENT_TRIGGERS`, :data:`REDACTION_TRIGGERS`) are in none of
    them: the documents' list and each document's page offer them.
    """
    allowed = list(view["allowed_triggers"])
    status = view.get("status") or {}

    def rank(name: str) -> int:
        fields = states.TRIGGERS[name].fields
        return 0 if not fields else (2 if any(f.required for f in fields) else 1)

    # The dispatch, access and comment actions are drawn on their own panels (states.PANEL_TRIGGERS).
    allowed = [n for n in allowed if n not in states.PANEL_TRIGGERS]
    main = [
        n
        for n in allowed
        if n not in DOCUMENT_TRIGGERS and n not in SIDE_TRIGGERS and n not in REDACTION_TRIGGERS
    ]
    main.sort(key=rank)  # stable: the definition's order within a rank
    side = [n for n in allowed if n in SIDE_TRIGGERS]
    notice = status.get("notice")
    late = notice and (notice["today"] or notice["overdue"] or status.get("overdue"))
    if late and "send_deadline_notice" in side:
        side.remove("send_deadline_notice")
        main.insert(0, "send_deadline_notice")
    approved = status.get("approved")
    if approved and not approved.get("lapsed") and not hints.get("send_decision"):
        main.sort(key=lambda n: n != "send_decision")  # the decision answers the fristbrev's need too
    waiting = [(n, hints[n]) for n in main if hints.get(n)]
    main = [n for n in main if not hints.get(n)]
    return {"main": main, "waiting": waiting, "side": side}


#: A document row's values made by aktflow itself (ids, numbers, dates, hashes, codes, statuses): they hold no
#: CPR number, so the exit filter skips them; every other value (titles, names, notes) passes it.
_GENERATED = frozenset(
    {
        "id",
        "no",
        "date",
        "sha256",
        "outcome",
        "grounds",
        "extracted",
        "screening",
        "screening_label",
        "parent_id",
    }
)


def _document_row(case: Case, d: Any, no: int) -> dict[str, Any]:
    """The document ``d`` (number ``no`` in the register) as the case's view shows it, through the exit
    filter: ``id``, ``no``, ``title``, ``date``, ``sender``, ``recipient``, ``archive_doc_id``, ``filename``,
    ``sha256``, :func:`screening_of`, :func:`aktflow.case_letters.assessment_of`, the aktliste's row and
    ``assessed_by``."""
    row = {
        "id": d.id,
        "no": no,
        "title": d.title,
        "date": _d(d.doc_date),
        "sender": d.sender,
        "recipient": d.recipient,
        "archive_doc_id": d.archive_doc_id,
        "filename": mask_filename(d.filename) if d.filename else None,
        "sha256": d.sha256,
        **screening_of(d),
        **assessment_of(d),
        **_aktliste_row(case, d, no),
        "assessed_by": d.assessment.assessed_by if d.assessment else None,
    }
    return {k: v if k in _GENERATED else mask(v) for k, v in row.items()}


def case_events(session: Session, case_id: int) -> list[Event]:
    """The case's events, oldest first (one query)."""
    return list(session.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.seq)))


def _narrowing_attempts(events: Sequence[Event]) -> list[dict[str, Any]]:
    """:func:`aktflow.case_letters.narrowing_attempts` from the events already read."""
    return [
        {"date": e.data.get("date"), "how": e.data.get("how"), "answer": e.data.get("answer") or None}
        for e in events
        if e.trigger == "record_narrowing_attempt"
    ]


def case_dict(
    session: Session,
    case: Case,
    *,
    today: dt.date,
    role: str | None = None,
    events: Sequence[Event] | None = None,
) -> dict:
    """The whole case as plain data: the case page, ``aktflow case show --json`` and ``GET /api/v1/cases/<id>``.

    Everything in it passes the exit filter (:func:`aktflow.exits.mask`): a CPR number written into the
    subject, the requester's name, a document's title, sender, recipient or file name, a flag's reason,
    an assessment's note or an event's note or data is shown as ``XXXXXX-XXXX``. The stored case keeps
    what was written. ``today``: the date the deadlines are judged against, given by the caller from the
    composition root's clock. ``events``: the case's events, oldest first, when the caller has read them
    already (:func:`case_events`).
    """
    if events is None:
        events = case_events(session, case.id)
    allowed = states.offered(case, role)
    deadlines = case_deadlines.case_deadlines(session, case, today)
    hearing_rows = hearings(events)
    view = {
        "id": case.id,
        "state": case.state,
        "state_label": state_label(case.state),
        "version": case.version,
        "basis": case.basis,
        "received": _d(case.received),
        "subject": case.subject,
        "emne": case.emne,
        "requester": case.requester_name,
        "email": case.requester_email,
        # Where letters go (docs/dispatch.md): the CPR number is never shown, only that there is one.
        "address": mask(case.requester_address) if case.requester_address else None,
        "has_cpr": bool(case.requester_cpr),
        "cvr": case.requester_cvr,
        "channel": case.channel,
        "sagsnummer": case.sagsnummer,
        "assignee": case.assignee.username if case.assignee else None,
        "flagged": case.flagged,
        "flag_reasons": [f.reason for f in case.open_flags],
        "outcome": outcome(case),
        "personnel": is_personnel_case(case),
        "request_refusal": request_refusal_of(session, case),
        "narrowing_attempts": _narrowing_attempts(events),
        "allowed_triggers": allowed,
        "deadlines": deadlines,
        "status": status_facts(session, case, events, deadlines, hearing_rows, today),
        "hearings": hearing_rows,
        "letters": letters_of(session, case.id),
        # A package is made only by a decision's effect, which records it in its event
        # (aktflow.release.service.request_package): without such an event there is none to read.
        "packages": packages_of(session, case.id) if any("package" in (e.data or {}) for e in events) else [],
        "dispatches": (sent := dispatches_of(session, case.id)),
        "decision_not_sent": decision_not_sent(sent),
        "archive": archive_state(session, case),
        "employee_notices": [
            {
                "employee": e.data.get("employee"),
                "stage": e.data.get("stage"),
                "at": e.at.isoformat(timespec="seconds"),
            }
            for e in events
            if e.trigger == "notify_employee"
        ],
    }
    out = mask(view)  # the exit filter: no CPR number leaves in the case's view
    out["documents"] = [
        _document_row(case, d, i) for i, d in enumerate(register_order(case.documents), start=1)
    ]
    # The log's own values (sequence number, trigger, states, actor, the ISO time) are made by aktflow and
    # hold no CPR number; what was written into the log (note, data) passes the exit filter one by one. A
    # case's log is its longest part (two events per document), so it is not masked as one tree.
    out["events"] = [
        {
            "seq": e.seq,
            "trigger": e.trigger,
            "from": e.from_state,
            "to": e.to_state,
            "actor": mask(e.actor),
            "at": e.at.isoformat(timespec="seconds"),
            "note": mask(e.note),
            "data": mask(e.data),
        }
        for e in events
    ]
    return out
