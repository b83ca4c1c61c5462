"""One unit of work: an exception after the machine changed the state leaves the database as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

import aktflow.audit
import aktflow.effects
from aktflow import audit, clock, states
from aktflow.archive.local import LocalArchive
from aktflow.models import Assessment, Case, CaseDeadline, Document, Event, Flag, LocalArchiveCase
from aktflow.service import create_case, fire

FUTURE = (clock.today() + dt.timedelta(days=20)).isoformat()


class Boom(RuntimeError):
    pass


# (state to start from, trigger, actor, note, data); "$doc" is the case's document
STEPS = {
    "register": ("received", "register", "cw", None, {}),
    "withdraw": ("collecting", "withdraw", "cw", None, {}),
    "add_document": ("collecting", "add_document", "cw", None, {"title": "Notat", "date": "2026-10-01"}),
    "flag_for_legal": ("screening", "flag_for_legal", "cw", "Usikker på § 30", {}),
    "assess_document": (
        "screening",
        "assess_document",
        "cw",
        None,
        {"document_id": "$doc", "outcome": "grant"},
    ),
    "approve_legal": ("legal_review", "approve_legal", "legal", "OK", {}),
    "send_decision": ("drafting_decision", "send_decision", "cw", None, {}),
    "send_deadline_notice": (
        "collecting",
        "send_deadline_notice",
        "cw",
        None,
        {"reason": "Mange dokumenter", "expected": FUTURE},
    ),
}


# How to bring a case to each start state. A document is added while collecting and assessed in screening
# (except when the step itself assesses it), and legal_review starts with an open flag.
def _prepare(db, start: str, step: str) -> tuple[int, int | None]:
    case = create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received="2026-11-02",
        basis="ofl",
        subject="Aktindsigt i byggesag",
        emne="02.34.02",
        assign="cw",
    )
    cid, doc = case.id, None
    order = ["received", "registered", "collecting", "screening", "legal_review", "drafting_decision"]

    def go(t, **kw):
        return fire(db, cid, t, actor=kw.pop("actor", "cw"), **kw)

    path = order[: order.index(start) + 1]
    if "registered" in path:
        go("register")
    if "collecting" in path:
        go("start_collecting")
        doc = go("add_document", data={"title": "Byggetilladelse", "date": "2026-09-01"}).documents[-1].id
    if "screening" in path:
        go("start_screening")
        if step != "assess_document":
            go("assess_document", data={"document_id": doc, "outcome": "grant"})
    if "legal_review" in path:
        go("flag_for_legal", note="Helbredsoplysninger")
        go("submit_for_legal_review")
    if "drafting_decision" in path:
        go("approve_legal", actor="legal")
    return cid, doc


def _snapshot(db, cid: int) -> dict:
    with db.session() as s:
        c = s.get(Case, cid)
        return {
            "case": (c.state, c.version, c.sagsnummer, c.last_hash, c.assignee_id, c.updated_at),
            "events": [
                (e.id, e.seq, e.trigger, e.from_state, e.to_state, e.hash)
                for e in s.scalars(select(Event).where(Event.case_id == cid).order_by(Event.seq))
            ],
            "flags": [
                (f.id, f.reason, f.cleared_at, f.cleared_by)
                for f in s.scalars(select(Flag).where(Flag.case_id == cid).order_by(Flag.id))
            ],
            "documents": [
                (d.id, d.title) for d in s.scalars(select(Document).where(Document.case_id == cid))
            ],
            "assessments": s.scalar(select(func.count()).select_from(Assessment)),
            "archive_cases": s.scalar(select(func.count()).select_from(LocalArchiveCase)),
            "deadlines": [
                (d.id, d.rule, d.due, d.active)
                for d in s.scalars(
                    select(CaseDeadline).where(CaseDeadline.case_id == cid).order_by(CaseDeadline.id)
                )
            ],
            "all_events": s.scalar(select(func.count()).select_from(Event)),
        }


def _args(step: str, doc: int | None):
    _, trigger, actor, note, data = STEPS[step]
    data = {k: (doc if v == "$doc" else v) for k, v in data.items()}
    return trigger, dict(actor=actor, note=note, data=data)


def _then_a_normal_fire_works(db, cid, step, doc, before):
    trigger, kw = _args(step, doc)
    c = fire(db, cid, trigger, **kw)
    after = _snapshot(db, cid)
    assert after["case"][1] == before["case"][1] + 1
    assert c.state == (states.TRIGGERS[trigger].dest or before["case"][0])
    assert len(after["events"]) == len(before["events"]) + 1
    assert after["events"][-1][2] == trigger
    with db.session() as s:
        _, problems = audit.verify(s)
    assert problems == [], [str(p) for p in problems]
    return after


@pytest.mark.parametrize("step", list(STEPS))
def test_failing_event_hash_changes_nothing(db, monkeypatch, step):
    start = STEPS[step][0]
    cid, doc = _prepare(db, start, step)
    before = _snapshot(db, cid)
    assert before["case"][0] == start
    trigger, kw = _args(step, doc)
    seen = {}

    def broken_hash(**fields):
        seen["to"] = fields["to_state"]
        raise Boom("hash failed")

    monkeypatch.setattr(aktflow.audit, "event_hash", broken_hash)
    with pytest.raises(Boom):
        fire(db, cid, trigger, **kw)
    # the failure really came after the state change
    assert seen["to"] == (states.TRIGGERS[trigger].dest or start)
    assert _snapshot(db, cid) == before
    monkeypatch.undo()
    after = _then_a_normal_fire_works(db, cid, step, doc, before)
    if step == "register":
        assert after["case"][2] and after["archive_cases"] == 1
    if step == "approve_legal":
        assert all(f[2] is not None for f in after["flags"])


@pytest.mark.parametrize("step", list(STEPS))
def test_failing_effect_after_the_state_change_changes_nothing(db, monkeypatch, step):
    start = STEPS[step][0]
    cid, doc = _prepare(db, start, step)
    before = _snapshot(db, cid)
    trigger, kw = _args(step, doc)
    real_run = aktflow.effects.run
    seen = {}

    def run_then_fail(trig, case, ctx):
        real_run(trig, case, ctx)  # the effects did their writes (archive case, flags, documents …)
        seen["state"] = case.state
        ctx.session.flush()
        raise Boom("effect failed")

    monkeypatch.setattr(aktflow.effects, "run", run_then_fail)
    with pytest.raises(Boom):
        fire(db, cid, trigger, **kw)
    assert seen["state"] == (states.TRIGGERS[trigger].dest or start)
    assert _snapshot(db, cid) == before
    monkeypatch.undo()
    _then_a_normal_fire_works(db, cid, step, doc, before)


def test_archive_failing_after_it_wrote_changes_nothing(db, monkeypatch):
    cid, _ = _prepare(db, "received", "register")
    before = _snapshot(db, cid)
    real_open = LocalArchive.open_case

    def open_then_fail(self, session, case, **kw):
        number = real_open(self, session, case, **kw)
        assert number and case.state == "registered"
        session.flush()
        raise Boom("archive down")

    monkeypatch.setattr(LocalArchive, "open_case", open_then_fail)
    with pytest.raises(Boom):
        fire(db, cid, "register", actor="cw")
    assert _snapshot(db, cid) == before
    assert before["case"][2] is None and before["archive_cases"] == 0
    monkeypatch.undo()
    c = fire(db, cid, "register", actor="cw")
    # the number the failed attempt drew was not kept: the first number is still free
    assert c.sagsnummer == f"02.34.02-A53-1-{clock.today().year % 100:02d}"
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(LocalArchiveCase)) == 1


def test_a_plain_transition_writes_case_and_event_in_one_statement(db):
    """On PostgreSQL a transition that changes only the case writes it and its event in one statement (one
    round trip, with the version check); everything else takes the ORM's flush. Both leave the same rows."""
    from sqlalchemy import event as sa_event

    case = create_case(
        db,
        actor="cw",
        requester="A",
        received=clock.today().isoformat(),
        basis="ofl",
        subject="S",
        emne="02.34.02",
    )
    fire(db, case.id, "register", actor="cw")
    fire(db, case.id, "start_collecting", actor="cw")
    seen: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        seen.append(" ".join(statement.split()))

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        fire(db, case.id, "start_screening", actor="cw", note="Alt er samlet")
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    writes = [s for s in seen if s.split(" ", 1)[0] in ("UPDATE", "INSERT", "WITH")]
    if db.engine.dialect.name == "postgresql":
        assert len(writes) == 1 and writes[0].startswith("WITH") and "UPDATE cases" in writes[0], writes
    else:
        assert [w.split(" ", 2)[:2] for w in writes] == [["UPDATE", "cases"], ["INSERT", "INTO"]], writes
    with db.session() as s:
        c = s.get(Case, case.id)
        events = list(s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq)))
        assert (c.state, c.version, c.last_hash) == ("screening", 4, events[-1].hash)
        assert events[-1].note == "Alt er samlet" and events[-1].seq == 4
        assert audit.verify(s)[1] == []
