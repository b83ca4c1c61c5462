"""Case lists for the entrypoints: the API's ``GET /api/v1/cases`` and ``aktflow case list``
(:func:`case_list`, :func:`list_cases`), a case's letters, and the case lists of the web pages and the
dashboard's CSV export (:func:`case_rows`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .. import case_deadlines
from .. import deadlines as rules
from ..db import Database
from ..exits import mask
from ..labels import state_label
from ..models import Case, CaseDeadline, Flag, User
from .dashboard import Filters, open_cases, scope


def case_list(
    session: Session, *, state: str | None = None, assignee: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """Cases newest first (at most ``limit``), optionally in one state and of one assignee (username).

    Each row: ``id, state, state_label, version, sagsnummer, basis, received`` (ISO date), ``requester,
    subject, emne, assignee`` (username or None) — the API's ``CaseSummary``. CPR numbers in the
    requester's name and the subject are masked (``XXXXXX-XXXX``), as everywhere a list leaves the server.
    An unknown state or assignee simply matches nothing; the caller checks its input.
    """
    stmt = select(Case).options(selectinload(Case.assignee)).order_by(Case.id.desc()).limit(limit)
    if state:
        stmt = stmt.where(Case.state == state)
    if assignee:
        stmt = stmt.join(User, User.id == Case.assignee_id).where(User.username == assignee)
    return [
        {
            "id": c.id,
            "state": c.state,
            "state_label": state_label(c.state),
            "version": c.version,
            "sagsnummer": c.sagsnummer,
            "basis": c.basis,
            "received": c.received.isoformat(),
            "requester": mask(c.requester_name),
            "subject": mask(c.subject),
            "emne": c.emne,
            "assignee": c.assignee.username if c.assignee else None,
        }
        for c in session.scalars(stmt).unique()
    ]


def list_cases(db: Database, *, state: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Cases newest first (at most ``limit``), optionally in one state; the rows of ``GET /api/v1/cases``.

    CPR numbers in the requester's name and the subject are masked (``XXXXXX-XXXX``), as in every list
    that leaves the server. The state is not checked here: an unknown state gives an empty list.
    """
    with db.session() as s:
        return case_list(s, state=state, limit=limit)


def case_letters(db: Database, case_id: int) -> list[dict[str, Any]]:
    """The letters made on case ``case_id``, oldest first: id, kind, created, sha256, filename, archive state.

    Raises NotFound when the case does not exist (an empty list means a case without letters).
    """
    from ..case_letters import letters_of
    from .case_page import get_case

    with db.session() as s:
        get_case(s, case_id)
        return mask(letters_of(s, case_id))


# The columns a case list may be sorted by (``case_rows(sort=…)``): the web lists' sort links and the API.
SORT_COLUMNS: dict[str, Any] = {
    "id": Case.id,
    "sagsnummer": Case.sagsnummer,
    "requester": Case.requester_name,
    "received": Case.received,
    "state": Case.state,
    "due": Case.due_first,
    "assignee": User.name,
}


def case_rows(
    session: Session,
    today: dt.date,
    f: Filters,
    *,
    which: str = "open",
    state: str | None = None,
    limit: int | None = 1000,
    use_period: bool = False,
    where: Sequence[Any] = (),
    sort: str | None = None,
    descending: bool = False,
) -> list[dict[str, Any]]:
    """Cases with their next running deadline and its status, soonest first.

    ``which``: "open" (not final) or "all". ``state`` narrows to one state. With ``use_period`` the cases
    received in the filters' period. ``where``: further SQL conditions on the case (the search's).
    Ordered by the case's stored earliest due date (``due_first``), or by ``sort`` (a key of
    :data:`SORT_COLUMNS`, ``descending`` to reverse; the case id breaks ties); the rule of that deadline
    is read for the listed cases only.
    """
    cal = case_deadlines.load_calendar(session)
    flagged = (
        select(func.count())
        .select_from(Flag)
        .where(Flag.case_id == Case.id, Flag.cleared_at.is_(None))
        .correlate(Case)
        .scalar_subquery()
    )
    stmt = select(
        Case.id,
        Case.sagsnummer,
        Case.requester_name,
        Case.subject,
        Case.emne,
        Case.basis,
        Case.state,
        Case.received,
        Case.version,
        User.username,
        User.name,
        Case.due_first,
        flagged,
    ).outerjoin(User, User.id == Case.assignee_id)
    stmt = scope(stmt, f)
    if which == "open":
        stmt = stmt.where(open_cases())
    if state:
        stmt = stmt.where(Case.state == state)
    if use_period:
        start, end = f.period(today)
        stmt = stmt.where(Case.received >= start, Case.received <= end)
    if where:
        stmt = stmt.where(*where)
    if sort in SORT_COLUMNS:
        col = SORT_COLUMNS[sort]
        # Empty values last whichever the direction (no deadline, no sagsnummer, unassigned).
        stmt = stmt.order_by(col.is_(None), col.desc() if descending else col, Case.id)
    else:
        stmt = stmt.order_by(Case.due_first.is_(None), Case.due_first, Case.received, Case.id)
    if limit:
        stmt = stmt.limit(limit)
    found = session.execute(stmt).all()
    # The rule of each listed case's earliest running deadline (the first by rule name on a tie).
    rule_of: dict[int, str] = {}
    ids = [r[0] for r in found if r[11] is not None]
    for i in range(0, len(ids), 5000):
        for cid, rule in session.execute(
            select(CaseDeadline.case_id, CaseDeadline.rule)
            .where(
                CaseDeadline.case_id.in_(ids[i : i + 5000]),
                CaseDeadline.active.is_(True),
                CaseDeadline.done_on.is_(None),
            )
            .order_by(CaseDeadline.case_id, CaseDeadline.due, CaseDeadline.rule)
        ):
            rule_of.setdefault(cid, rule)
    out = []
    for (
        cid,
        nr,
        requester,
        subject,
        emne,
        basis,
        st,
        received,
        version,
        username,
        name,
        due,
        nflags,
    ) in found:
        out.append(
            {
                "id": cid,
                "sagsnummer": nr,
                # Lists and exports never carry a CPR number typed into the request (the exit filter).
                "requester": mask(requester),
                "subject": mask(subject),
                "emne": emne,
                "basis": basis,
                "state": st,
                "state_label": state_label(st),
                "received": received,
                "version": version,
                "assignee": username,
                "assignee_name": name,
                "next_rule": rule_of.get(cid) if due else None,
                "next_due": due,
                "next_status": rules.status(due, today, None, cal) if due else None,
                "flagged": bool(nflags),
            }
        )
    return out
