"""Real concurrency: separate processes (each with its own Database) firing at the same moment.

Same case, same expected version: exactly one wins, every other one gets ConflictError, one new event.
Different cases at once: all succeed, every chain verifies.
"""

from __future__ import annotations

import multiprocessing as mp
import traceback

import pytest
from sqlalchemy import func, select

from aktflow import audit
from aktflow.models import Case, Event, LocalArchiveCase
from aktflow.service import create_case, fire
from tests.assessing import texts_for

CTX = mp.get_context("fork")  # test modules are not importable by name in a spawned child
TIMEOUT = 60


def _child_db(url: str):
    from aktflow.db import Database

    Database.forget_all()  # nothing inherited from the parent may be used in the child
    db = Database(url)
    with db.engine.connect():  # connect before the barrier, so the race is about fire() alone
        pass
    return db


def _race_worker(url, case_id, trigger, actor, note, data, expect_version, barrier, results):
    from aktflow.errors import ConflictError

    try:
        db = _child_db(url)
        barrier.wait(timeout=TIMEOUT)
        try:
            c = fire(db, case_id, trigger, actor=actor, note=note, data=data, expect_version=expect_version)
            results.put(("ok", c.version))
        except ConflictError as e:
            results.put(("conflict", e.message))
        finally:
            db.dispose()
    except BaseException:  # noqa: BLE001 - report anything else to the parent as a failure
        results.put(("error", traceback.format_exc()))


def _many_cases_worker(url, case_ids, barrier, results):
    try:
        db = _child_db(url)
        barrier.wait(timeout=TIMEOUT)
        for cid in case_ids:
            fire(db, cid, "register", actor="cw", expect_version=1)
            fire(db, cid, "start_collecting", actor="cw", expect_version=2)
            fire(
                db, cid, "add_document", actor="cw", data={"title": f"Notat til sag {cid}"}, expect_version=3
            )
            fire(db, cid, "start_screening", actor="manager", expect_version=4)
        db.dispose()
        results.put(("ok", list(case_ids)))
    except BaseException:  # noqa: BLE001
        results.put(("error", traceback.format_exc()))


def _collect(procs, results, n):
    out = [results.get(timeout=TIMEOUT) for _ in range(n)]
    for p in procs:
        p.join(timeout=TIMEOUT)
        assert p.exitcode == 0, p.exitcode
    errors = [detail for kind, detail in out if kind == "error"]
    assert not errors, errors[0]
    return out


def _race(db, case_id, n, trigger, actor, note, data, expect_version):
    db.dispose()  # no pooled connections for the forked children to inherit
    barrier, results = CTX.Barrier(n), CTX.Queue()
    procs = [
        CTX.Process(
            target=_race_worker,
            args=(db.url, case_id, trigger, actor, note, data, expect_version, barrier, results),
        )
        for _ in range(n)
    ]
    for p in procs:
        p.start()
    return _collect(procs, results, n)


def _new_case(db, **kw):
    args = dict(
        actor="cw",
        requester="Mette Hansen",
        received="2026-11-02",
        basis="ofl",
        subject="Aktindsigt i byggesag",
        emne="02.34.02",
        assign="cw",
    )
    args.update(kw)
    return create_case(db, **args)


def _events(db, case_id):
    with db.session() as s:
        return list(s.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.seq)))


def _verify(db):
    with db.session() as s:
        n, problems = audit.verify(s)
    assert problems == [], [str(p) for p in problems]
    return n


ROUNDS = [
    ("register", "cw", None, None, "registered"),
    ("start_collecting", "admin", None, None, "collecting"),  # one who may act on cw's case too
    ("add_document", "manager", None, {"title": "Referat"}, "collecting"),
]


def _same_version_rounds(db, n):
    case = _new_case(db)
    for trigger, actor, note, data, expected_state in ROUNDS:
        v = len(_events(db, case.id))
        with db.session() as s:
            assert s.get(Case, case.id).version == v
        out = _race(db, case.id, n, trigger, actor, note, data, v)
        kinds = sorted(kind for kind, _ in out)
        assert kinds.count("ok") == 1, out
        assert kinds.count("conflict") == n - 1, out
        assert [d for k, d in out if k == "ok"] == [v + 1]
        events = _events(db, case.id)
        assert len(events) == v + 1
        assert events[-1].trigger == trigger and events[-1].seq == v + 1
        with db.session() as s:
            c = s.get(Case, case.id)
            assert (c.version, c.state) == (v + 1, expected_state)
            assert len(c.documents) == (1 if trigger == "add_document" else 0)
            # exactly one archive case, whatever the losers tried
            assert s.scalar(select(func.count()).select_from(LocalArchiveCase)) == 1
        _verify(db)


@pytest.mark.postgres
def test_same_version_race_exactly_one_wins_postgresql(pg_db):
    _same_version_rounds(pg_db, 12)


def test_same_version_race_exactly_one_wins_sqlite(sqlite_db):
    _same_version_rounds(sqlite_db, 4)


@pytest.mark.postgres
def test_different_cases_in_parallel_all_succeed_postgresql(pg_db):
    db = pg_db
    n_procs, per_proc = 4, 10
    ids = [_new_case(db).id for _ in range(n_procs * per_proc)]
    db.dispose()
    barrier, results = CTX.Barrier(n_procs), CTX.Queue()
    chunks = [ids[i::n_procs] for i in range(n_procs)]  # interleaved, so neighbours race
    procs = [
        CTX.Process(target=_many_cases_worker, args=(db.url, chunk, barrier, results)) for chunk in chunks
    ]
    for p in procs:
        p.start()
    out = _collect(procs, results, n_procs)
    assert sorted(cid for _, done in out for cid in done) == sorted(ids)
    with db.session() as s:
        cases = list(s.scalars(select(Case).where(Case.id.in_(ids))))
        assert {(c.state, c.version) for c in cases} == {("screening", 5)}
        assert all(len(c.documents) == 1 for c in cases)
        numbers = [c.sagsnummer for c in cases]
        # the embedded archive numbered them all, each once, without gaps
        assert len(set(numbers)) == len(ids)
        running = sorted(int(n.split("-")[2]) for n in numbers)
        assert running == list(range(1, len(ids) + 1))
    for cid in ids:
        assert [e.seq for e in _events(db, cid)] == [1, 2, 3, 4, 5]
    assert _verify(db) == len(ids)


def _figures_worker(url, work, barrier, results):
    """Assess each case's document (grounds in this worker's order) and send the decision, all at once."""
    try:
        db = _child_db(url)
        barrier.wait(timeout=TIMEOUT)
        for cid, doc_id, grounds in work:
            fire(
                db,
                cid,
                "assess_document",
                actor="cw",
                data={
                    "document_id": doc_id,
                    "outcome": "partial",
                    "grounds": grounds,
                    **texts_for("partial", grounds),
                },
            )
            fire(db, cid, "draft_decision", actor="cw")
            fire(db, cid, "send_decision", actor="cw")
        db.dispose()
        results.put(("ok", [cid for cid, _, _ in work]))
    except BaseException:  # noqa: BLE001
        results.put(("error", traceback.format_exc()))


@pytest.mark.postgres
def test_parallel_decisions_and_assessments_count_each_once_postgresql(pg_db):
    """Every worker counts into the same daily totals (same day, caseworker, basis) with the grounds in
    opposite orders: no deadlock, no lost count."""
    from aktflow import figure_counts
    from aktflow.models import Document

    db = pg_db
    n_procs, per_proc = 4, 6
    work = []
    for i in range(n_procs * per_proc):
        cid = _new_case(db).id
        for t in ("register", "start_collecting"):
            fire(db, cid, t, actor="cw")
        fire(db, cid, "add_document", actor="cw", data={"title": "Notat"})
        fire(db, cid, "start_screening", actor="cw")
        with db.session() as s:
            doc_id = s.scalar(select(Document.id).where(Document.case_id == cid))
        work.append((cid, doc_id, ["ofl-23", "ofl-24"] if i % 2 else ["ofl-24", "ofl-23"]))
    db.dispose()
    barrier, results = CTX.Barrier(n_procs), CTX.Queue()
    procs = [
        CTX.Process(target=_figures_worker, args=(db.url, work[i::n_procs], barrier, results))
        for i in range(n_procs)
    ]
    for p in procs:
        p.start()
    _collect(procs, results, n_procs)
    with db.session() as s:
        assert figure_counts.check(s) == []
        stored = figure_counts.stored(s)
    total = len(work)
    assert sum(n for k, n in stored.items() if k[0] == "decision") == total
    assert sum(n for k, n in stored.items() if k[0] == "ground" and k[2] == "ofl-23") == total
