"""Case lists for the entrypoints: the API's ``GET /api/v1/cases`` and ``aktflow case list``.

The dashboard's own lists (open cases with their next deadline, the CSV export) are
:func:`aktflow.dashboard.case_rows`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

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
