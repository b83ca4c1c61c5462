"""fire-sqlite / fire-postgres / fire-mix / fire-sbsys-idle: fire() against a minimum with its own round trips.

The minimum does what ``fire()`` must do at the least, in the same round trips as fire()'s own path, via
SQLAlchemy Core: one transaction that reads the acting user and the case in one query, writes the case
(version-checked) and its event — on PostgreSQL in one statement, ``WITH changed AS (UPDATE … RETURNING)
INSERT … SELECT … FROM changed``, as fire() does; on SQLite an UPDATE and an INSERT — and commits. It
hashes the event as the product does. fire() does everything the product does: user and case loaded,
role, version, state and guards checked, the state changed on the shared machine, effects, the event
hashed and chained, version bumped, one commit, the after-commit work. Measured in alternation on the
same database, so the machine's other work falls on both.

- **fire-sqlite**, **fire-postgres**: effect-free transitions (submit for legal review and back).
- **fire-mix**: a realistic mix with effects — register (the receipt letter, the archive case), assign,
  start collecting, add a document, start screening, assess it, send a fristbrev (its letter) — on one
  case per round, each call against one minimum call; the ratio is the mix's time over as many minima.
- **fire-sbsys-idle**: the effect-free transitions with the SBSYS archive configured (a fake SBSYS on
  loopback) and nothing in the outbox to deliver.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import os
import statistics
import time
from collections.abc import Iterator

from sqlalchemy import text

from aktflow.db import Database
from aktflow.service import create_case, fire
from aktflow.users import add_user
from aktflow.vocabulary import SYSTEM_ACTOR

from .common import Result, interleaved, ratio

# The texts a withheld document needs for the requester (FVL §§ 22-24): a reason and, for the § 30
# weighing, its main considerations.
WITHHELD = {
    "reason": "Oplysninger om private forhold er undtaget.",
    "weighing_note": "Hensynet til de berørte vejer tungest.",
}

_SELECT = text(
    "SELECT u.id, u.role, u.active, c.id, c.state, c.version, c.last_hash FROM users u "
    "LEFT OUTER JOIN cases c ON c.id = :case_id WHERE u.username = :username"
)
_UPDATE = text(
    "UPDATE cases SET version = :v, state = :state, last_hash = :h, updated_at = :now "
    "WHERE id = :case_id AND version = :old"
)
_INSERT = text(
    "INSERT INTO events (case_id, seq, at, actor, trigger, from_state, to_state, note, data, prev_hash, hash) "
    "VALUES (:case_id, :v, :now, :actor, 'bench', :state, :state, NULL, :data, :prev, :h) RETURNING id"
)
_BOTH_PG = text(
    "WITH changed AS (UPDATE cases SET version = :v, state = :state, last_hash = :h, updated_at = :now "
    "WHERE id = :case_id AND version = :old RETURNING id) "
    "INSERT INTO events (case_id, seq, at, actor, trigger, from_state, to_state, note, data, prev_hash, hash) "
    "SELECT id, :v, :now, :actor, 'bench', :state, :state, NULL, CAST(:data AS json), :prev, :h FROM changed "
    "RETURNING id"
)


def minimum_for(db: Database, case_id: int, actor: str = "bench"):
    """The least a transition must do, in fire()'s round trips (see the module docstring): a callable."""
    one_statement = db.dialect == "postgresql"

    def minimum() -> None:
        with db.engine.begin() as conn:
            row = conn.execute(_SELECT, {"case_id": case_id, "username": actor}).one()
            state, old, prev = row[4], row[5], row[6]
            data = json.dumps({"k": old})
            h = hashlib.sha256(f"{prev}{old}{data}".encode()).hexdigest()
            params = {
                "v": old + 1,
                "old": old,
                "state": state,
                "h": h,
                "prev": prev,
                "now": dt.datetime.now(dt.UTC),
                "case_id": case_id,
                "actor": actor,
                "data": data,
            }
            if one_statement:
                assert conn.execute(_BOTH_PG, params).scalar() is not None
            else:
                assert conn.execute(_UPDATE, params).rowcount == 1
                conn.execute(_INSERT, params).scalar_one()

    return minimum


def _users(db: Database) -> None:
    add_user(db, "bench", role="caseworker", password="vinter-maaling-blaa-kop", actor=SYSTEM_ACTOR)
    add_user(db, "bench2", role="caseworker", password="vinter-maaling-blaa-kop", actor=SYSTEM_ACTOR)
    add_user(db, "benchlegal", role="legal", password="vinter-maaling-blaa-kop", actor=SYSTEM_ACTOR)


def _new_case(db: Database, name: str = "Bench") -> int:
    received = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    c = create_case(
        db, actor="bench", requester=name, received=received, basis="ofl", subject=name, emne="15.17.12"
    )
    return c.id


def setup(db: Database) -> tuple[int, int]:
    """Two cases in screening: one that fire() moves, one that the minimum writes."""
    _users(db)
    ids = []
    for name in ("Bench", "Baseline"):
        cid = _new_case(db, name)
        for t in ("register", "start_collecting", "start_screening"):
            fire(db, cid, t, actor="bench")
        ids.append(cid)
    return ids[0], ids[1]


def _cpu_timed(fn, spent: list[float]):
    """``fn`` that also records the CPU time this process spent in each call (seconds) in ``spent``: on a
    shared machine the wall clock of a longer call suffers more from preemption than that of a shorter one,
    while the CPU time of an in-process database (SQLite) does not depend on the load."""

    def timed() -> None:
        t = time.process_time()
        fn()
        spent.append(time.process_time() - t)

    return timed


def _cpu_note(cpu_full: list[float], cpu_min: list[float]) -> str:
    f, m = statistics.median(cpu_full), statistics.median(cpu_min)
    return f"CPU time of this process: {f * 1e6:.0f} vs {m * 1e6:.0f} µs ({ratio(f, m):.2f}×)"


def _core_pair(db: Database, rounds: int):
    """(wall full, wall minimum, note on their CPU times) of the effect-free transitions, alternating."""
    case_id, base_id = setup(db)
    cycle = itertools.cycle(
        [("submit_for_legal_review", "bench", None), ("return_to_screening", "benchlegal", "Se igen")]
    )

    def full() -> None:
        trigger, actor, note = next(cycle)
        fire(db, case_id, trigger, actor=actor, note=note)

    minimum = minimum_for(db, base_id)
    for _ in range(20):  # warm up both paths (caches, calendar, prepared statements)
        full()
        minimum()
    cpu_full: list[float] = []
    cpu_min: list[float] = []
    t_full, t_min = interleaved(_cpu_timed(full, cpu_full), _cpu_timed(minimum, cpu_min), rounds)
    return t_full, t_min, _cpu_note(cpu_full, cpu_min)


def run(db: Database, name: str, goal: float, rounds: int) -> Result:
    """fire-sqlite / fire-postgres: effect-free transitions vs the minimum (µs per transition)."""
    t_full, t_min, cpu = _core_pair(db, rounds)
    return Result(
        name, t_full * 1e6, "µs/transition", t_min * 1e6, ratio(t_full, t_min), goal, rounds, note=cpu
    )


MIX = (
    ("register", {}),
    ("assign", {"assignee": "bench"}),  # a caseworker takes an unassigned case
    ("start_collecting", {}),
    ("add_document", {"title": "Notat om sagen", "sender": "Forvaltningen"}),
    ("start_screening", {}),
    ("assess_document", None),  # filled with the document's id
    ("send_deadline_notice", None),  # filled with the expected date
)


def run_mix(dbs: dict[str, Database], goal: float, rounds: int) -> list[Result]:
    """fire-mix on each database: the mix's median time over as many minimum calls (ms per transition)."""
    out = []
    for dialect, db in dbs.items():
        _users(db)
        base_id = _new_case(db, "Baseline")
        minimum = minimum_for(db, base_id)
        cases = [_new_case(db, f"Borger {i}") for i in range(rounds + 3)]
        expected = (dt.date.today() + dt.timedelta(days=30)).isoformat()
        per: dict[str, list[float]] = {t: [] for t, _ in MIX}
        mins: list[float] = []
        cpu_totals: list[float] = []
        cpu_mins: list[float] = []
        totals: list[float] = []
        for k, cid in enumerate(cases):
            total = cpu_total = 0.0
            for trigger, data in MIX:
                if trigger == "assess_document":
                    with db.session() as s:
                        doc = s.execute(
                            text("SELECT id FROM documents WHERE case_id = :c"), {"c": cid}
                        ).scalar()
                    data = {"document_id": doc, "outcome": "partial", "grounds": ["ofl-30-1"], **WITHHELD}
                elif trigger == "send_deadline_notice":
                    data = {"reason": "Mange dokumenter skal gennemgås", "expected": expected}
                t, c = time.perf_counter(), time.process_time()
                fire(db, cid, trigger, actor="bench", data=data)
                spent, cpu = time.perf_counter() - t, time.process_time() - c
                t, c = time.perf_counter(), time.process_time()
                minimum()
                m, cpu_m = time.perf_counter() - t, time.process_time() - c
                if k >= 3:  # the first cases warm both paths up (templates, caches, prepared statements)
                    per[trigger].append(spent)
                    mins.append(m)
                    cpu_mins.append(cpu_m)
                    total += spent
                    cpu_total += cpu
            if k >= 3:
                totals.append(total)
                cpu_totals.append(cpu_total / len(MIX))
        t_min = statistics.median(mins)
        t_mix = statistics.median(totals) / len(MIX)
        worst = sorted(per, key=lambda t: -statistics.median(per[t]))
        note = "per trigger: " + ", ".join(f"{t} {statistics.median(per[t]) / t_min:.1f}×" for t in worst)
        note += "; " + _cpu_note(cpu_totals, cpu_mins)
        out.append(
            Result(
                f"fire-mix-{dialect}",
                t_mix * 1e3,
                "ms/transition",
                t_min * 1e3,
                ratio(t_mix, t_min),
                goal,
                len(totals) * len(MIX),
                note=note,
            )
        )
    return out


@contextlib.contextmanager
def sbsys_configured() -> Iterator[None]:
    """A fake SBSYS on loopback, configured as the installation's archive, for the duration."""
    from aktflow import bootstrap
    from devtools.fake_sbsys import FakeState, running_fake

    state = FakeState()
    state.seed_demo()
    state.add_user("bench", "Bench Caseworker")
    keys = (
        "AKTFLOW_ARCHIVE",
        "AKTFLOW_SBSYS_BASE_URL",
        "AKTFLOW_SBSYS_TOKEN_URL",
        "AKTFLOW_SBSYS_CLIENT_ID",
        "AKTFLOW_SBSYS_CLIENT_SECRET",
        "AKTFLOW_SBSYS_TEMPLATE_ID",
    )
    saved = {k: os.environ.get(k) for k in keys}
    with running_fake(state) as (base, token, st):
        os.environ.update(
            {
                "AKTFLOW_ARCHIVE": "sbsys",
                "AKTFLOW_SBSYS_BASE_URL": base,
                "AKTFLOW_SBSYS_TOKEN_URL": token,
                "AKTFLOW_SBSYS_CLIENT_ID": st.client_id,
                "AKTFLOW_SBSYS_CLIENT_SECRET": st.client_secret,
                "AKTFLOW_SBSYS_TEMPLATE_ID": "1",
            }
        )
        bootstrap.reset()
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            bootstrap.reset()


def run_sbsys_idle(db: Database, goal: float, rounds: int) -> Result:
    """fire-sbsys-idle: effect-free transitions with SBSYS configured and an empty outbox."""
    from aktflow.outbox_delivery import NOT_INLINE

    with sbsys_configured():
        t_full, t_min, cpu = _core_pair(db, rounds)
        with db.engine.connect() as conn:
            waiting = dict(
                conn.execute(
                    text("SELECT kind, count(*) FROM outbox WHERE status = 'pending' GROUP BY kind")
                ).all()
            )
    inline = sum(n for kind, n in waiting.items() if kind not in NOT_INLINE)
    left = ", ".join(f"{n} {kind}" for kind, n in sorted(waiting.items()) if kind in NOT_INLINE)
    return Result(
        "fire-sbsys-idle",
        t_full * 1e6,
        "µs/transition",
        t_min * 1e6,
        ratio(t_full, t_min),
        goal,
        rounds,
        note=f"{db.dialect}; {inline} outbox items for inline delivery left undelivered"
        + (f" (waiting for the worker: {left})" if left else "")
        + f"; {cpu}",
    )
