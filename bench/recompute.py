"""recompute-100k: recompute the deadlines of N open cases after a calendar change (seconds)."""

from __future__ import annotations

import datetime as dt
import time

from aktflow.administration import change_calendar
from aktflow.db import Database
from aktflow.users import add_user
from aktflow.vocabulary import SYSTEM_ACTOR

from .common import Result, progress
from .seed import seed_cases


def run(db: Database, n: int, goal_seconds: float = 5.0) -> Result:
    add_user(db, "benchadmin", role="admin", password="bench-pass", actor=SYSTEM_ACTOR)
    add_user(db, "benchcw", role="caseworker", password="bench-pass", actor=SYSTEM_ACTOR)
    seed_cases(db, n, start=dt.date(2026, 1, 5), days=330, progress=lambda d: progress("seeding", d, n))
    t = time.perf_counter()
    out = change_calendar(
        db, actor="benchadmin", set_flags={"juleaften_closed": True, "nytaarsaften_closed": True}
    )
    elapsed = time.perf_counter() - t
    return Result(
        "recompute-100k",
        elapsed,
        "s",
        None,
        None,
        goal_seconds,
        n,
        note=f"{out['deadlines_moved']} deadlines moved on {out['cases_moved']} cases "
        f"({out['deadlines_checked']} checked), {db.dialect}",
    )
