"""recompute-100k / recompute-all-100k: a calendar change over N open cases (seconds), in bounded batches.

A calendar change recounts the open cases' internal working-day targets (the law's deadlines are counted on
the law's calendar and never move), so every open case is seeded with one: 10 working days from receipt.

- **recompute-100k**: juleaften and nytårsaften marked closed, with the cases received over 330 days of
  2026, each with a 40-working-day target: the cases whose target spans one of those days move (about a
  tenth). A run that moves nothing raises: it would time only the search.
- **recompute-all-100k**: one closure day inside every open case's target (all received in the nine
  days before it), then reopened, then closed again: each change moves every open case and writes an event
  on each. Alternating rounds; the figure is the median change. The longest a batch held SQLite's write
  lock (from its first write to its commit: a deferred transaction's reads take no write lock, and in WAL
  mode readers are never blocked) is its own line, goal ≤ 1 s; the note gives the longest whole batch.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

from aktflow.administration import change_calendar
from aktflow.calendar import get_calendar
from aktflow.db import Database
from aktflow.users import add_user
from aktflow.vocabulary import SYSTEM_ACTOR

from .common import Result, progress
from .seed import seed_cases

TARGET_DAYS = 10


def _users(db: Database) -> None:
    add_user(db, "benchadmin", role="admin", password="vinter-maaling-blaa-kop", actor=SYSTEM_ACTOR)
    add_user(db, "benchcw", role="caseworker", password="vinter-maaling-blaa-kop", actor=SYSTEM_ACTOR)


def run(db: Database, n: int, goal_seconds: float = 5.0) -> Result:
    _users(db)
    seed_cases(
        db,
        n,
        start=dt.date(2026, 1, 5),
        days=330,
        # 40 working days (as long as the OFL outer limit): a case received from early November spans
        # juleaften; with 10 days no case received by 1 December would, and the change would move nothing.
        target_days=40,
        progress=lambda d: progress("seeding", d, n),
    )
    t = time.perf_counter()
    out = change_calendar(
        db, actor="benchadmin", set_flags={"juleaften_closed": True, "nytaarsaften_closed": True}
    )
    elapsed = time.perf_counter() - t
    if not out["cases_moved"]:
        raise RuntimeError("recompute-100k moved no case: the seed does not span the changed days")
    return Result(
        "recompute-100k",
        elapsed,
        "s",
        None,
        None,
        goal_seconds,
        n,
        note=f"{out['deadlines_moved']} deadlines moved on {out['cases_moved']} cases "
        f"({out['deadlines_checked']} checked) in {out['batches']} batches, the longest "
        f"{out['longest_batch_s']:.2f} s; {db.dialect}",
    )


def run_all(db: Database, n: int, goal_seconds: float = 20.0, rounds: int = 3) -> list[Result]:
    _users(db)
    cal = get_calendar()
    closure = cal.add_working_days(dt.date(2026, 11, 9), 0)  # a Monday
    first = closure - dt.timedelta(days=9)
    # Received in the nine days before the closure: every 10-working-day target spans it.
    seed_cases(
        db, n, start=first, days=9, target_days=TARGET_DAYS, progress=lambda d: progress("seeding", d, n)
    )
    times, longest, longest_lock, outs = [], 0.0, 0.0, []
    for i in range(max(rounds, 3)):
        change = {"close": [closure]} if i % 2 == 0 else {"reopen": [closure]}
        t = time.perf_counter()
        out = change_calendar(db, actor="benchadmin", **change)
        times.append(time.perf_counter() - t)
        longest = max(longest, out["longest_batch_s"])
        longest_lock = max(longest_lock, out["longest_lock_s"])
        outs.append(out)
        if out["cases_moved"] != n:
            raise RuntimeError(f"recompute-all moved {out['cases_moved']} of {n} cases")
    med = statistics.median(times)
    last = outs[-1]
    return [
        Result(
            "recompute-all-100k",
            med,
            "s",
            None,
            None,
            goal_seconds,
            n,
            note=f"every open case moved and logged, {last['deadlines_moved']} deadlines per change, "
            f"{last['batches']} batches; rounds {', '.join(f'{x:.1f}' for x in times)} s; {db.dialect}",
        ),
        Result(
            "recompute-all-100k-lock",
            longest_lock,
            "s",
            None,
            None,
            1.0,
            n,
            note="the longest a batch held SQLite's write lock (its first write to its commit), over every "
            f"round; the longest batch's whole transaction, reads included, {longest:.2f} s",
        ),
    ]
