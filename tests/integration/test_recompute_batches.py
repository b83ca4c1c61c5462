"""A calendar change recomputes the open cases' working-day targets in bounded batches, one event per moved case.

No rule aktflow computes today is an internal working-day target (the law's deadlines are counted on the
law's calendar), so the tests store one the way such a rule would: counted in working days, not statutory.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from aktflow import audit, case_deadlines
from aktflow.administration import change_calendar
from aktflow.calendar import get_calendar
from aktflow.models import Case, CaseDeadline, Event
from aktflow.service import create_case, fire

UTC = dt.UTC
TARGET = "internal-target"  # not in vocabulary.RULES: an internal working-day target, never statutory


def _case_with_target(db, received: dt.date, count: int = 10) -> int:
    case = create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received=received.isoformat(),
        basis="ofl",
        subject="Byggesag",
        emne="02.34.02",
        now=dt.datetime.combine(received, dt.time(10), tzinfo=UTC),
    )
    cal = get_calendar()
    with db.session() as s:
        s.add(
            CaseDeadline(
                case_id=case.id,
                rule=TARGET,
                start=received,
                due=cal.add_working_days(received, count),
                count=count,
                unit="working_days",
                calendar_version=cal.version,
                explanation="intern målsætning",
                active=True,
                created_at=dt.datetime.now(UTC),
            )
        )
        s.commit()
    return case.id


def _target_due(db, case_id: int) -> dt.date:
    with db.session() as s:
        return s.scalar(
            select(CaseDeadline.due).where(CaseDeadline.case_id == case_id, CaseDeadline.rule == TARGET)
        )


def test_a_closure_moves_every_open_target_in_several_batches_with_one_event_each(db, monkeypatch):
    monkeypatch.setattr(case_deadlines, "RECOMPUTE_FIRST_BATCH", 3)
    monkeypatch.setattr(case_deadlines, "RECOMPUTE_MIN_BATCH", 3)
    monkeypatch.setattr(case_deadlines, "RECOMPUTE_MAX_BATCH", 4)
    received = dt.date(2026, 11, 2)
    ids = [_case_with_target(db, received) for _ in range(11)]
    closed_case = _case_with_target(db, received)
    fire(db, closed_case, "withdraw", actor="cw")
    before = _target_due(db, ids[0])
    closure = received + dt.timedelta(days=3)  # a Thursday inside every target's span

    out = change_calendar(db, actor="admin", close=[closure])

    assert out["changed"] and out["cases_moved"] == 11 and out["deadlines_moved"] == 11
    assert out["batches"] >= 3  # 11 cases, at most 4 per batch
    assert all(_target_due(db, cid) == before + dt.timedelta(days=1) for cid in ids)
    assert _target_due(db, closed_case) == before  # a withdrawn case is left alone
    with db.session() as s:
        logged = dict(
            s.execute(
                select(Event.case_id, func.count())
                .where(Event.trigger == "recalculate_deadlines")
                .group_by(Event.case_id)
            ).all()
        )
        assert logged == {cid: 1 for cid in ids}
        assert set(s.scalars(select(Case.version).where(Case.id.in_(ids)))) == {2}
        assert audit.verify(s)[1] == []
        assert closure in case_deadlines.calendar_settings(s).closures


def test_a_change_cut_off_midway_is_completed_by_making_it_again(db, monkeypatch):
    """The settings are stored with the last batch: a rerun of the same change moves the rest, once."""
    monkeypatch.setattr(case_deadlines, "RECOMPUTE_FIRST_BATCH", 2)
    monkeypatch.setattr(case_deadlines, "RECOMPUTE_MIN_BATCH", 2)
    monkeypatch.setattr(case_deadlines, "RECOMPUTE_MAX_BATCH", 2)
    received = dt.date(2026, 11, 2)
    ids = [_case_with_target(db, received) for _ in range(5)]
    before = _target_due(db, ids[0])
    closure = received + dt.timedelta(days=3)
    real_batch = case_deadlines._recompute_batch
    calls = {"n": 0}

    def cut_off(*args, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real_batch(*args, **kw)

    monkeypatch.setattr(case_deadlines, "_recompute_batch", cut_off)
    try:
        change_calendar(db, actor="admin", close=[closure])
    except RuntimeError:
        pass
    with db.session() as s:
        assert closure not in case_deadlines.calendar_settings(s).closures  # not stored yet
    moved_first = [cid for cid in ids if _target_due(db, cid) != before]
    assert len(moved_first) == 2

    monkeypatch.setattr(case_deadlines, "_recompute_batch", real_batch)
    out = change_calendar(db, actor="admin", close=[closure])
    assert out["cases_moved"] == 3
    assert all(_target_due(db, cid) == before + dt.timedelta(days=1) for cid in ids)
    with db.session() as s:
        n = s.scalar(select(func.count()).select_from(Event).where(Event.trigger == "recalculate_deadlines"))
        assert n == 5 and audit.verify(s)[1] == []
