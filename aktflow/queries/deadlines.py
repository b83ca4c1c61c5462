"""Deadlines as the command line reads them: the daily sweep and the statutory-deadline calculator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ..db import Database


def sweep(db: Database, day: dt.date) -> dict[str, Any]:
    """The daily list for ``day``: open deadlines due soon or overdue and missing fristbreve, per assignee.

    The shape of :func:`aktflow.tracking.sweep`: ``{"today", "counts": {"due_soon", "overdue",
    "missing_notice"}, "by_assignee": {username: [rows]}}``.
    """
    from .. import tracking

    with db.session() as s:
        return tracking.sweep(s, day)


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
    errors of :func:`aktflow.service.deadline_calculator` (ValidationError for a bad date or basis).
    """
    from ..service import deadline_calculator

    return deadline_calculator(set_up_database(open_db), basis, received)
