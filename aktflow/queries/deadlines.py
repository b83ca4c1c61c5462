"""Deadlines as the entrypoints read them: the statutory-deadline calculator (docs/domain.md §2) and the
daily sweep."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from .. import case_deadlines
from .. import deadlines as rules
from ..db import Database
from ..errors import ValidationError
from ..states.fields import parse_date
from ..vocabulary import BASES


def deadline_calculator(db: Database | None, basis: str, received: Any) -> dict[str, Any]:
    """The deadlines a request received on ``received`` gets (any date, past or future), counted on the
    law's calendar (``db`` is accepted for the callers' sake; the municipality's closures never move a
    statutory deadline)."""
    received_d = parse_date(received, "received")
    if basis not in BASES:
        raise ValidationError("basis", f"ukendt retsgrundlag {basis!r}: brug {'|'.join(BASES)}")
    # Statutory deadlines are counted on the law's calendar, whatever the municipality's closures.
    cal = case_deadlines.law_calendar()
    return {
        "basis": basis,
        "received": received_d.isoformat(),
        "calendar_version": cal.version,
        "deadlines": [
            {
                "rule": d.rule,
                "due": d.due.isoformat(),
                "count": d.count,
                "unit": d.unit,
                "explanation": d.explanation,
            }
            for d in rules.for_case(basis, received_d, cal)
        ],
    }


def sweep(db: Database, day: dt.date) -> dict[str, Any]:
    """The daily list for ``day``: open deadlines due soon or overdue and missing fristbreve, per assignee.

    The shape of :func:`aktflow.case_deadlines.sweep`: ``{"today", "counts": {"due_soon", "overdue",
    "missing_notice"}, "by_assignee": {username: [rows]}}``, every text through the exit filter
    (:func:`aktflow.exits.mask`: a requester's name or a subject never carries a CPR number out).
    """
    from .. import case_deadlines
    from ..exits import mask

    with db.session() as s:
        return mask(case_deadlines.sweep(s, day))


def set_up_database(open_db: Callable[[], Database]) -> Database | None:
    """The database ``open_db`` gives if it can be reached and its schema is in place, else None.

    The deadline calculator works without a database (on the statutory calendar alone); with one, it
    uses the municipality's calendar settings.
    """
    from sqlalchemy import inspect

    try:
        db = open_db()
        if inspect(db.engine).has_table("settings"):
            return db
    except Exception:  # noqa: BLE001 - no database is fine for the calculator
        return None
    return None


def statutory_deadlines(open_db: Callable[[], Database], basis: str, received: Any) -> dict[str, Any]:
    """The deadlines a request on ``basis`` received on ``received`` gets (any date, past or future).

    Uses the municipality's calendar when the database is set up, else the statutory one; the shape and
    errors of :func:`deadline_calculator` (ValidationError for a bad date or basis).
    """
    return deadline_calculator(set_up_database(open_db), basis, received)
