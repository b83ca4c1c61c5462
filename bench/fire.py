"""fire-sqlite / fire-postgres: a full fire() per transition vs the bare minimum on the same database.

The minimum: one UPDATE of the case and one INSERT of an event in one transaction, via SQLAlchemy Core.
fire() does everything the product does: user and case loaded, role, version, state and guards checked,
the state changed on the shared machine, the event hashed and chained, version bumped, one commit.
Measured in alternation on the same database, so noise falls on both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

from sqlalchemy import insert, update

from aktflow.db import Database
from aktflow.models import Case, Event
from aktflow.service import create_case, fire
from aktflow.users import add_user
from aktflow.vocabulary import SYSTEM_ACTOR

from .common import Result, interleaved, ratio


def setup(db: Database) -> tuple[int, int]:
    add_user(db, "bench", role="caseworker", password="bench-pass", actor=SYSTEM_ACTOR)
    add_user(db, "benchlegal", role="legal", password="bench-pass", actor=SYSTEM_ACTOR)
    received = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    c = create_case(
        db, actor="bench", requester="Bench", received=received, basis="ofl", subject="Bench", emne="15.17.12"
    )
    for t in ("register", "start_collecting", "start_screening"):
        fire(db, c.id, t, actor="bench")
    other = create_case(
        db,
        actor="bench",
        requester="Baseline",
        received=received,
        basis="ofl",
        subject="Baseline",
        emne="15.17.12",
    )
    return c.id, other.id


def run(db: Database, name: str, goal: float, rounds: int) -> Result:
    case_id, base_id = setup(db)
    cycle = itertools.cycle(
        [("submit_for_legal_review", "bench", None), ("return_to_screening", "benchlegal", "Se igen")]
    )
    counter = itertools.count(10)

    def full() -> None:
        trigger, actor, note = next(cycle)
        fire(db, case_id, trigger, actor=actor, note=note)

    def minimum() -> None:
        v = next(counter)
        h = hashlib.sha256(str(v).encode()).hexdigest()
        now = dt.datetime.now(dt.UTC)
        with db.engine.begin() as conn:
            conn.execute(
                update(Case)
                .where(Case.id == base_id)
                .values(version=v, state="received", last_hash=h, updated_at=now)
            )
            conn.execute(
                insert(Event).values(
                    case_id=base_id,
                    seq=v,
                    at=now,
                    actor="bench",
                    trigger="bench",
                    from_state="received",
                    to_state="received",
                    note=None,
                    data={},
                    prev_hash=h,
                    hash=h,
                )
            )

    for _ in range(20):  # warm up both paths (caches, calendar, prepared statements)
        full()
        minimum()
    t_full, t_min = interleaved(full, minimum, rounds)
    return Result(name, t_full * 1e6, "µs/transition", t_min * 1e6, ratio(t_full, t_min), goal, rounds)
