"""Set-based seeding of many cases for benchmarks (valid hash chains: each case gets its create event)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from sqlalchemy import insert, select

from aktflow import audit
from aktflow import deadlines as rules
from aktflow.calendar import get_calendar
from aktflow.db import Database
from aktflow.events import event_row
from aktflow.models import Case, CaseDeadline, Event, User

#: An internal working-day target (not a statutory rule): what a calendar change recounts.
INTERNAL_TARGET = "internal-target"


def seed_cases(
    db: Database,
    n: int,
    *,
    open_share: float = 1.0,
    start: dt.date = dt.date(2024, 1, 2),
    days: int = 900,
    chunk: int = 10_000,
    progress: Callable[[int], None] | None = None,
    seed: int = 1,
    target_days: int | None = None,
) -> None:
    """Insert ``n`` cases (a share of them open) with their create event and statutory deadlines.

    With ``target_days``, each open case also gets an internal target of that many working days from its
    receipt (rule ``INTERNAL_TARGET``): the kind of deadline a calendar change moves (the law's deadlines
    are counted on the law's calendar, which the municipality's closures never change)."""
    rnd = random.Random(seed)
    cal = get_calendar()
    now = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    with db.session() as s:
        users = list(s.scalars(select(User.id).where(User.role == "caseworker"))) or [None]
        first_id = (s.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) or 0) + 1
    done = 0
    bases = ("ofl", "ofl", "ofl", "fvl", "mol", "gdpr")
    while done < n:
        size = min(chunk, n - done)
        cases, events, dls = [], [], []
        for i in range(size):
            cid = first_id + done + i
            received = start + dt.timedelta(days=rnd.randrange(days))
            basis = rnd.choice(bases)
            is_open = rnd.random() < open_share
            data = {"basis": basis, "received": received.isoformat(), "emne": "15.17.12"}
            ev = event_row(
                case_id=cid,
                seq=1,
                at=now,
                actor="seed",
                trigger=audit.CREATE,
                from_state=None,
                to_state="received",
                note=None,
                data=data,
                prev_hash=audit.GENESIS,
            )
            # Closed cases keep a consistent chain too: they stay 'received' in the log, so mark them
            # withdrawn only through the state column when verification is not part of the benchmark.
            cases.append(
                {
                    "id": cid,
                    "state": "received" if is_open else "withdrawn",
                    "version": 1,
                    "requester_name": f"Borger {cid}",
                    "basis": basis,
                    "received": received,
                    "subject": "Aktindsigt",
                    "emne": "15.17.12",
                    "assignee_id": rnd.choice(users),
                    "created_at": now,
                    "updated_at": now,
                    "last_hash": ev["hash"],
                }
            )
            # The row as aktflow.events writes it (its hash and workflow version), inserted set-based.
            events.append(ev)
            for d in rules.for_case(basis, received, cal):
                dls.append(
                    {
                        "case_id": cid,
                        "rule": d.rule,
                        "start": d.start,
                        "due": d.due,
                        "count": d.count,
                        "unit": d.unit,
                        "calendar_version": d.calendar_version,
                        "explanation": d.explanation,
                        "active": True,
                        "created_at": now,
                        "done_on": None if is_open else d.due,
                    }
                )
            if target_days is not None and is_open:
                dls.append(
                    {
                        "case_id": cid,
                        "rule": INTERNAL_TARGET,
                        "start": received,
                        "due": cal.add_working_days(received, target_days),
                        "count": target_days,
                        "unit": rules.WORKING_DAYS,
                        "calendar_version": cal.version,
                        "explanation": f"{target_days} arbejdsdage efter modtagelse (intern målsætning)",
                        "active": True,
                        "created_at": now,
                        "done_on": None,
                    }
                )
        with db.session() as s:
            s.execute(insert(Case.__table__), cases)
            s.execute(insert(Event.__table__), events)
            s.execute(insert(CaseDeadline.__table__), dls)
            s.commit()
        done += size
        if progress:
            progress(done)
    if db.dialect == "postgresql":
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))"
            )
