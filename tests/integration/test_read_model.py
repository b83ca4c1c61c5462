"""The dashboard's read model: the cases' earliest running deadlines (kept by database triggers) and the
daily figure totals (kept by the effects), always equal to what they are computed from.

Each test drives cases through the workflow and compares the stored read model with a computation from the
cases themselves (in Python here, and with ``aktflow dashboard check``).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, update

from aktflow import clock, figure_counts
from aktflow.administration import change_calendar
from aktflow.calendar import get_calendar
from aktflow.case_deadlines import NOTICE_RULES
from aktflow.db import downgrade, upgrade
from aktflow.models import Case, CaseDeadline, Document, FigureCount, User
from aktflow.queries import dashboard as read
from aktflow.service import create_case, fire
from tests.assessing import texts_for

UTC = dt.UTC
CAL = get_calendar()


def at(d: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(d, dt.time(hour), UTC)


def back(n: int) -> dt.date:
    return CAL.add_working_days(clock.today(), -n)


def new(db, received: dt.date, basis: str = "ofl", assign: str | None = "cw") -> int:
    return create_case(
        db,
        actor="cw",
        requester="Anmoder",
        received=received.isoformat(),
        basis=basis,
        subject="Aktindsigt i byggesag",
        emne="02.34.02",
        assign=assign,
        now=at(received),
    ).id


def to_screening(db, cid: int, when: dt.date, docs: int = 1, by: str = "cw") -> list[int]:
    """Fired by the case's caseworker ``by``: only they (or a manager) act on it (docs/access.md)."""
    for t in ("register", "start_collecting"):
        fire(db, cid, t, actor=by, now=at(when, 8))
    ids = [
        fire(db, cid, "add_document", actor=by, data={"title": f"Dok {i}"}, now=at(when, 8)).documents[-1].id
        for i in range(docs)
    ]
    fire(db, cid, "start_screening", actor=by, now=at(when, 8))
    return ids


def assess(db, cid: int, doc_id: int, outcome: str, grounds: list[str], when: dt.date) -> None:
    fire(
        db,
        cid,
        "assess_document",
        actor="cw",
        data={"document_id": doc_id, "outcome": outcome, "grounds": grounds, **texts_for(outcome, grounds)},
        now=at(when, 9),
    )


def decide(db, cid: int, when: dt.date, by: str = "cw") -> None:
    fire(db, cid, "draft_decision", actor=by, now=at(when, 10))
    fire(db, cid, "send_decision", actor=by, now=at(when, 11))


def expected_due(session) -> dict[int, tuple]:
    """Each case's earliest running deadlines, computed in Python from its deadline rows."""
    out: dict[int, list] = {cid: [None, None, None] for cid in session.scalars(select(Case.id))}
    for cid, rule, due in session.execute(
        select(CaseDeadline.case_id, CaseDeadline.rule, CaseDeadline.due).where(
            CaseDeadline.active.is_(True), CaseDeadline.done_on.is_(None)
        )
    ):
        slots = out[cid]
        for i, applies in enumerate((True, rule not in NOTICE_RULES, rule in NOTICE_RULES)):
            if applies and (slots[i] is None or due < slots[i]):
                slots[i] = due
    return {cid: tuple(v) for cid, v in out.items()}


def stored_due(session) -> dict[int, tuple]:
    return {
        cid: (a, b, c)
        for cid, a, b, c in session.execute(select(Case.id, Case.due_first, Case.due_next, Case.notice_due))
    }


def assert_due_consistent(db) -> None:
    with db.session() as s:
        assert stored_due(s) == expected_due(s)
        assert figure_counts.check_due(s) == []


def test_earliest_due_dates_follow_every_deadline_change(db):
    plain = new(db, back(3))
    with db.session() as s:
        c = s.get(Case, plain)
        dues = {d.rule: d.due for d in s.scalars(select(CaseDeadline).where(CaseDeadline.case_id == plain))}
        assert c.due_next == dues["ofl-decision"] == c.due_first
        assert c.notice_due == dues["ofl-notice"]
    assert_due_consistent(db)

    noticed = new(db, back(9))
    fire(db, noticed, "register", actor="cw", now=at(back(8)))
    expected = clock.today() + dt.timedelta(days=20)
    fire(
        db,
        noticed,
        "send_deadline_notice",
        actor="cw",
        data={"reason": "Mange dokumenter", "expected": expected.isoformat()},
        now=at(back(8)),
    )
    with db.session() as s:
        assert s.get(Case, noticed).notice_due is None  # the fristbrev was sent
    assert_due_consistent(db)

    mol = new(db, back(2), basis="mol")
    fire(db, mol, "extend_deadline", actor="cw", data={"reason": "Omfattende materiale"}, now=at(back(1)))
    assert_due_consistent(db)

    heard = new(db, back(2))
    to_screening(db, heard, back(2), docs=0)
    reply_by = clock.today() + dt.timedelta(days=3)
    fire(
        db,
        heard,
        "request_hearing",
        actor="cw",
        data={"party": "Firma A/S", "reply_by": reply_by.isoformat()},
        now=at(back(1)),
    )
    with db.session() as s:
        assert s.get(Case, heard).due_first <= reply_by
    assert_due_consistent(db)
    fire(db, heard, "hearing_completed", actor="cw", data={"reply": "none"}, now=at(back(0)))
    assert_due_consistent(db)

    decided = new(db, back(4))
    to_screening(db, decided, back(3), docs=0)
    decide(db, decided, back(2))
    withdrawn = new(db, back(1))
    fire(db, withdrawn, "withdraw", actor="cw", note="Anmodningen trukket tilbage", now=at(back(0)))
    with db.session() as s:
        for cid in (decided, withdrawn):
            c = s.get(Case, cid)
            assert (c.due_first, c.due_next, c.notice_due) == (None, None, None)
    assert_due_consistent(db)

    # A closure never moves a statutory deadline: the earliest due dates stay.
    with db.session() as s:
        before = s.get(Case, plain).due_next
    out = change_calendar(db, actor="admin", close=[CAL.add_working_days(clock.today(), 1)])
    assert out["cases_moved"] == 0
    with db.session() as s:
        assert s.get(Case, plain).due_next == before
    assert_due_consistent(db)


def _workload(db) -> dict[str, int]:
    """A small municipality's fortnight: decisions in time and late, re-assessed documents, complaints."""
    ids = {}
    ids["a"] = new(db, back(12))
    docs = to_screening(db, ids["a"], back(11), docs=2)
    assess(db, ids["a"], docs[0], "partial", ["ofl-23"], back(11))
    assess(db, ids["a"], docs[1], "refuse", ["ofl-23", "ofl-27-1"], back(11))
    assess(db, ids["a"], docs[0], "refuse", ["ofl-24"], back(10))  # a second opinion replaces the first
    decide(db, ids["a"], back(10))  # 2 working days after receipt: in time
    for i, t in enumerate(("receive_complaint", "uphold_and_forward", "appeal_decided")):
        fire(db, ids["a"], t, actor="cw", now=at(back(8 - i)))
    ids["b"] = new(db, back(14), basis="fvl", assign="cw2")
    to_screening(db, ids["b"], back(13), docs=0, by="cw2")
    decide(db, ids["b"], back(2), by="cw2")  # 12 working days: late
    ids["c"] = new(db, back(5), assign=None)
    to_screening(db, ids["c"], back(4), docs=1)
    return ids


def test_figure_totals_equal_the_cases_through_a_working_fortnight(db):
    ids = _workload(db)
    with db.session() as s:
        assert figure_counts.check(s) == []
        stored = figure_counts.stored(s)
    assert sum(n for k, n in stored.items() if k[0] == "decision") == 2
    grounds = {}
    for (figure, _day, key, _who, _basis), n in stored.items():
        if figure == "ground":
            grounds[key] = grounds.get(key, 0) + n
    assert grounds == {"ofl-24": 1, "ofl-23": 1, "ofl-27-1": 1}  # the replaced assessment is not counted

    today = clock.today()
    f = read.Filters.default(today)
    with db.session() as s:
        users = {u.username: u.id for u in s.scalars(select(User))}
        months = read.decided_in_time(s, today, f)
        cw2 = read.decided_in_time(s, today, read.Filters(assignee_id=users["cw2"], start=f.start, end=f.end))
        complaints = read.complaints(s, today, f)
    assert sum(m["decided"] for m in months) == 2 and sum(m["in_time"] for m in months) == 1
    assert sum(m["decided"] for m in cw2) == 1 and sum(m["in_time"] for m in cw2) == 0
    assert (complaints["received"], complaints["forwarded"], complaints["upheld"]) == (1, 1, 1)

    # Cases change hands (after the decision; after an assessment): their figures move with them.
    with db.session() as s:
        doc_c = s.scalar(select(Document.id).where(Document.case_id == ids["c"]))
    assess(db, ids["c"], doc_c, "partial", ["ofl-23"], back(0))
    fire(db, ids["b"], "assign", actor="manager", data={"assignee": "cw"}, now=at(back(0), 12))
    fire(db, ids["c"], "assign", actor="manager", data={"assignee": "cw2"}, now=at(back(0), 12))
    with db.session() as s:
        assert figure_counts.check(s) == []
        cw = read.decided_in_time(s, today, read.Filters(assignee_id=users["cw"], start=f.start, end=f.end))
        cw2 = read.decided_in_time(s, today, read.Filters(assignee_id=users["cw2"], start=f.start, end=f.end))
        g_cw2 = read.grounds_used(s, today, read.Filters(assignee_id=users["cw2"], start=f.start, end=f.end))
        g_none = read.grounds_used(s, today, read.Filters(assignee_id=0, start=f.start, end=f.end))
    assert sum(m["decided"] for m in cw) == 2 and sum(m["decided"] for m in cw2) == 0
    assert [(g["code"], g["count"]) for g in g_cw2] == [("ofl-23", 1)] and g_none == []

    # A complaint waiting for reconsideration: the same on its own and on the whole dashboard.
    fire(db, ids["b"], "receive_complaint", actor="cw", now=at(back(0), 13))
    with db.session() as s:
        alone = read.complaints(s, today, f)
        whole = read.overview(s, today, f)["complaints"]
        assert figure_counts.check(s) == []
    assert alone == whole and alone["awaiting_reconsideration"] == 1 and alone["received"] == 2


def test_a_failed_transition_counts_nothing(db, monkeypatch):
    """The counts wait in the transition's session: a failure after the effects ran leaves no trace, and
    the next transition does not carry them."""
    from aktflow import service

    cid = new(db, back(3))
    doc = to_screening(db, cid, back(2), docs=1)[0]

    def fail(*args, **kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "append_event", fail)
    with pytest.raises(RuntimeError):
        assess(db, cid, doc, "refuse", ["ofl-23"], back(1))
    monkeypatch.undo()
    with db.session() as s:
        assert figure_counts.stored(s) == {} and figure_counts.check(s) == []
    assess(db, cid, doc, "partial", ["ofl-24"], back(1))
    with db.session() as s:
        assert [k[2] for k in figure_counts.stored(s)] == ["ofl-24"] and figure_counts.check(s) == []


def test_check_finds_a_damaged_read_model_and_rebuild_repairs_it(db, runner):
    from aktflow.cli import cli

    _workload(db)
    with db.session() as s:
        before, due_before = figure_counts.stored(s), stored_due(s)
    assert runner.invoke(cli, ["dashboard", "check"]).exit_code == 0
    with db.session() as s:
        s.execute(delete(FigureCount).where(FigureCount.figure == "ground"))
        s.execute(update(Case.__table__).values(due_first=None))
        s.commit()
    bad = runner.invoke(cli, ["dashboard", "check"])
    assert bad.exit_code == 1 and "ground" in bad.output and "aktflow dashboard rebuild" in bad.output
    fixed = runner.invoke(cli, ["dashboard", "rebuild"])
    assert fixed.exit_code == 0, fixed.output
    assert runner.invoke(cli, ["dashboard", "check"]).exit_code == 0
    with db.session() as s:
        assert figure_counts.stored(s) == before and stored_due(s) == due_before


def test_upgrading_an_existing_database_fills_the_read_model(db, db_url):
    _workload(db)
    with db.session() as s:
        before, due_before = figure_counts.stored(s), stored_due(s)
    db.dispose()
    downgrade(db_url, "0005")
    upgrade(db_url)
    with db.session() as s:
        assert figure_counts.stored(s) == before and stored_due(s) == due_before
    # and the triggers are back: a new case gets its earliest due dates
    cid = new(db, back(1))
    with db.session() as s:
        assert s.get(Case, cid).due_first is not None
    assert_due_consistent(db)


def test_autovacuum_keeps_the_dashboards_scan_index_only_on_postgresql(db):
    """Migration 0026: autovacuum of ``cases`` after 1 % changed, so the visibility map the dashboard's
    index-only scan relies on is set again soon after a busy spell."""
    from sqlalchemy import text

    if db.dialect != "postgresql":
        pytest.skip("the visibility map and autovacuum are PostgreSQL's")

    def options() -> list[str]:
        with db.engine.connect() as conn:
            return list(
                conn.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'cases'")).scalar() or []
            )

    assert {"autovacuum_vacuum_scale_factor=0.01", "autovacuum_vacuum_threshold=500"} <= set(options())
