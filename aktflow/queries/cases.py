"""Case lists for the entrypoints: the API's ``GET /api/v1/cases`` and ``aktflow case list``.

The dashboard's own lists (open cases with their next deadline, the CSV export) are
:func:`aktflow.dashboard.case_rows`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..db import Database
from ..labels import state_label
from ..models import Case, User
from ..screening import redact_cpr


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
            "requester": redact_cpr(c.requester_name),
            "subject": redact_cpr(c.subject),
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
    from ..correspondence import letters_of
    from ..views import get_case

    with db.session() as s:
        get_case(s, case_id)
        return letters_of(s, case_id)
