"""Crash consistency: processes killed with SIGKILL at random points lose and double nothing.

Part 1 kills a process while it fires transitions (with letters) on PostgreSQL; part 2 kills outbox workers
delivering to the fake SBSYS. After every kill the event log verifies, each case's state equals its replay,
and every letter belongs to exactly the event that made it; at the end SBSYS holds each case and each
letter exactly once.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import signal
import time

import pytest
from sqlalchemy import func, select, update

from aktflow import audit
from aktflow.models import Case, Event, Letter, OutboxItem

FIRE_KILLS = 60
OUTBOX_KILLS = 40
ctx = mp.get_context("fork")

NEXT = {  # a valid next step from each state, with letters on the way (register, clarification, notice)
    "received": ("register", "cw", None, None),
    "registered": ("request_clarification", "cw", "Angiv perioden", None),
    "awaiting_clarification": ("clarification_received", "cw", "Perioden 2025", None),
    "collecting": ("start_screening", "cw", None, None),
    "screening": ("submit_for_legal_review", "cw", None, None),
    "legal_review": ("return_to_screening", "legal", "Se igen", None),
}


def _fire_forever(url: str, case_ids: list[int], seed: int) -> None:
    from aktflow.db import Database
    from aktflow.errors import AktflowError
    from aktflow.service import fire

    db = Database(url)
    rnd = random.Random(seed)
    while True:
        cid = rnd.choice(case_ids)
        with db.session() as s:
            state = s.scalar(select(Case.state).where(Case.id == cid))
        trigger, actor, note, data = NEXT[state]
        if state in ("collecting", "screening") and rnd.random() < 0.3:
            trigger, actor, note, data = (
                "send_deadline_notice",
                "cw",
                None,
                {"reason": "Travlhed", "expected": "2199-01-01"},
            )
        try:
            fire(db, cid, trigger, actor=actor, note=note, data=data)
        except AktflowError:
            pass


def _check(db) -> tuple[int, int]:
    with db.session() as s:
        n, problems = audit.verify(s)
        assert problems == [], problems[:3]
        letters = s.execute(select(Letter.id, Letter.event_id, Letter.kind)).all()
        events = {e.id: e for e in s.scalars(select(Event))}
    named = {lt["id"] for e in events.values() for lt in (e.data or {}).get("letters", [])}
    # every letter an event names exists (none lost) ...
    assert named <= {lt.id for lt in letters}
    # ... and every letter belongs to the event that made it, once (none doubled): rendered with the event,
    # or, with an archive that numbers cases later, rendered by the outbox for the event that deferred it
    for lt in letters:
        data = events[lt.event_id].data or {}
        assert lt.id in {x["id"] for x in data.get("letters", [])} or lt.kind in data.get(
            "letters_deferred", []
        )
    pairs = [(lt.event_id, lt.kind) for lt in letters]
    assert len(pairs) == len(set(pairs))
    return n, len(letters)


def _kill_after(proc, seconds: float) -> None:
    time.sleep(seconds)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)


@pytest.mark.slow
def test_sigkill_during_fire(pg_db, figures):
    from aktflow.service import create_case

    ids = [
        create_case(
            pg_db,
            actor="cw",
            requester=f"Borger {i}",
            received="2026-11-02",
            basis="ofl",
            subject="Nedbrudstest",
            emne="15.17.12",
            assign="cw",
        ).id
        for i in range(8)
    ]
    rnd = random.Random(7)
    for i in range(FIRE_KILLS):
        p = ctx.Process(target=_fire_forever, args=(pg_db.url, ids, i), daemon=True)
        p.start()
        _kill_after(p, rnd.uniform(0.05, 0.5))
        _check(pg_db)
    n, letters = _check(pg_db)
    with pg_db.session() as s:
        events = s.scalar(select(func.count()).select_from(Event))
    figures(
        "SIGKILL during fire() (PostgreSQL)",
        f"{FIRE_KILLS} kills; {events} events and {letters} letters on {n} cases afterwards; audit verify, "
        "replay and letter↔event links consistent after every kill",
    )


def _deliver_forever(url: str, env: dict[str, str]) -> None:
    os.environ.update(env)
    from aktflow import bootstrap
    from aktflow.db import Database
    from aktflow.outbox_delivery import run

    bootstrap.reset()
    db = Database(url)
    run(db, loop=True, interval=0.01, ignore_backoff=True)


@pytest.mark.slow
def test_sigkill_during_outbox_delivery(pg_db, monkeypatch, figures):
    from aktflow import bootstrap
    from aktflow.outbox_delivery import run
    from aktflow.service import create_case, fire
    from devtools.fake_sbsys import FakeState, running_fake

    state = FakeState()
    state.seed_demo()
    state.add_user("cw", "Carla")
    with running_fake(state) as (base, token, st):
        env = {
            "AKTFLOW_ARCHIVE": "sbsys",
            "AKTFLOW_SBSYS_BASE_URL": base,
            "AKTFLOW_SBSYS_TOKEN_URL": token,
            "AKTFLOW_SBSYS_CLIENT_ID": st.client_id,
            "AKTFLOW_SBSYS_CLIENT_SECRET": st.client_secret,
            "AKTFLOW_SBSYS_TEMPLATE_ID": "1",
            "AKTFLOW_SBSYS_TIMEOUT": "5",
        }
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        bootstrap.reset()
        st.fail_next(10_000, status=503)  # SBSYS down while the work is made: everything waits in the outbox
        ids = []
        for i in range(12):
            c = create_case(
                pg_db,
                actor="cw",
                requester=f"Borger {i}",
                received="2026-11-02",
                basis="ofl",
                subject=f"Sag {i}",
                emne="15.17.12",
                assign="cw",
                address="Vestergade 3;8000 Aarhus C",  # the letters go by post, which needs an address
            )
            fire(pg_db, c.id, "register", actor="cw")
            fire(pg_db, c.id, "request_clarification", actor="cw", note="Hvilken periode?")
            fire(pg_db, c.id, "clarification_received", actor="cw", note="2025")
            ids.append(c.id)
        with st.lock:
            st._faults.clear()
        st.delay(0.02)  # slow answers widen the window in which a kill lands mid-call
        rnd = random.Random(11)
        for _ in range(OUTBOX_KILLS):
            p = ctx.Process(target=_deliver_forever, args=(pg_db.url, env), daemon=True)
            p.start()
            _kill_after(p, rnd.uniform(0.05, 0.6))
            with pg_db.session() as s:  # the killed worker's claims lapse (as they would after CLAIM_SECONDS)
                s.execute(
                    update(OutboxItem)
                    .where(OutboxItem.status == "delivering")
                    .values(claimed_until=OutboxItem.created_at)
                )
                s.commit()
        st.delay(0)
        for _ in range(10):
            run(pg_db, ignore_backoff=True)
        with pg_db.session() as s:
            statuses = dict(
                s.execute(select(OutboxItem.status, func.count()).group_by(OutboxItem.status)).all()
            )
            letters = s.scalars(select(Letter)).all()
            sagsnumre = {c.id: c.sagsnummer for c in s.scalars(select(Case))}
        _check(pg_db)
        assert statuses == {"done": statuses.get("done")}, statuses
        titles = [c["SagsTitel"] for c in st.cases.values()]
        assert len(titles) == len(set(titles)) == len(ids)  # each case made once
        assert all(sagsnumre[i] for i in ids)
        refs = [d.meta["Beskrivelse"] for d in st.documents]
        assert len(refs) == len(set(refs)) == len(letters)  # each letter journalised exactly once
        assert {lt.archive_status for lt in letters} == {"journalised"}
        assert len(st.reminders) == len(ids)
    figures(
        "SIGKILL during outbox delivery (PostgreSQL, fake SBSYS)",
        f"{OUTBOX_KILLS} kills; afterwards {len(ids)} SBSYS cases, {len(refs)} documents for {len(letters)} "
        f"letters, {len(st.reminders)} reminders: none lost, none doubled",
    )
