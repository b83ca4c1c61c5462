"""Daily totals behind the dashboard's figures over time (``figure_counts``), kept as the cases change.

Three figures, each counted per day (the date in Denmark, :func:`aktflow.clock.local_date`), caseworker (the case's assignee at the time; 0 unassigned)
and legal basis:

- ``decision``: a case's OFL/FVL decision deadline met that day, ``key`` "in_time" (on or before the due
  date: within 7 working days, or the extended date) or "late";
- ``ground``: a ground cited in a document assessment made that day, ``key`` the ground's code;
- ``complaint``: a complaint event that day, ``key`` its trigger.

The effects that change what a figure counts call :func:`add` (or :func:`move_case` when a case changes
hands); the changes wait in the session and are written by :func:`write_pending` with one upsert just
before the transaction commits, so a figure is always exactly as committed as the change it counts, and
rows are locked in one order (no deadlocks between concurrent transitions). :func:`reference` computes
the same totals from the cases themselves; ``aktflow dashboard check`` compares, ``aktflow dashboard
rebuild`` recomputes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, literal, null, select, true, type_coerce, union_all
from sqlalchemy.orm import Session

from . import states
from .clock import TZ, local_date
from .models import Assessment, Case, CaseDeadline, Document, Event, FigureCount
from .states.effects import CountComplaint
from .vocabulary import FIGURE_DECISION_RULES

# The triggers counted as complaint events: those whose effects include CountComplaint.
COMPLAINT_TRIGGERS = tuple(
    t.name for t in states.TRIGGERS.values() if any(isinstance(e, CountComplaint) for e in t.effects)
)
_PENDING = "aktflow_figures"

Key = tuple[str, dt.date, str, int, str]  # figure, day, key, assignee_id, basis


def local_day(t: dt.datetime) -> dt.date:
    """The day a moment is counted on: the date in Denmark (an assessment at 00:30 Danish time on
    1 January counts on 1 January, not on 31 December as its UTC date would)."""
    return local_date(t)


def _sql_local_day(session: Session, column: Any) -> Any:
    """SQL: the date in Denmark of a timestamp stored as naive UTC (``models.UTCDateTime``).

    PostgreSQL converts with its time-zone database. SQLite has none, so the Danish rule is written out:
    CEST (UTC+2) from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October
    (EU summer time, directive 2000/84/EC), CET (UTC+1) otherwise.
    """
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(TZ.key, func.timezone("UTC", column)))
    year = func.strftime("%Y", column)
    start = func.date(year.concat("-04-01"), "weekday 0", "-7 days").concat(" 01:00:00")
    end = func.date(year.concat("-11-01"), "weekday 0", "-7 days").concat(" 01:00:00")
    summer = and_(func.datetime(column) >= start, func.datetime(column) < end)
    return case((summer, func.date(column, "+2 hours")), else_=func.date(column, "+1 hour"))


def _case_key(case: Case) -> tuple[int, str]:
    return case.assignee_id or 0, case.basis


def _pending(session: Session) -> Counter[Key]:
    return session.info.setdefault(_PENDING, Counter())


def add(session: Session, case: Case, figure: str, day: dt.date, key: str, n: int = 1) -> None:
    """Count ``n`` (negative: take back) of ``figure``/``key`` on ``day`` for the case's caseworker and basis."""
    assignee_id, basis = _case_key(case)
    _pending(session)[(figure, day, key, assignee_id, basis)] += n


def decision_made(session: Session, case: Case, deadlines: Iterable[CaseDeadline]) -> None:
    """The decision deadlines just met (``done_on`` set): each counts as in time or late."""
    for d in deadlines:
        if d.rule in FIGURE_DECISION_RULES and d.active and d.done_on is not None:
            add(session, case, "decision", d.done_on, "in_time" if d.done_on <= d.due else "late")


def assessment(session: Session, case: Case, a: Assessment | None, sign: int) -> None:
    """Count (``sign`` 1) or take back (-1) the grounds an assessment cites."""
    if a is None or a.assessed_at is None:
        return
    for code in a.grounds or ():
        add(session, case, "ground", local_day(a.assessed_at), code, sign)


def complaint(session: Session, case: Case, trigger: str, at: dt.datetime) -> None:
    if trigger in COMPLAINT_TRIGGERS:
        add(session, case, "complaint", local_day(at), trigger)


def move_case(session: Session, case: Case, new_assignee_id: int | None) -> None:
    """The case changes caseworker: what it has counted so far moves with it (the figures answer "the cases
    of caseworker X", as the rest of the dashboard does)."""
    old = case.assignee_id or 0
    new = new_assignee_id or 0
    if old == new or case.id is None:
        return
    for (figure, day, key), n in case_contributions(session, case.id).items():
        pending = _pending(session)
        pending[(figure, day, key, old, case.basis)] -= n
        pending[(figure, day, key, new, case.basis)] += n


def case_contributions(session: Session, case_id: int) -> Counter[tuple[str, dt.date, str]]:
    """What one case counts in the figures, read from the case itself: its decisions (in time or late),
    the grounds of its assessments and its complaint events, in one round trip (UNION ALL)."""
    decisions = select(
        literal("decision").label("kind"),
        CaseDeadline.done_on.label("done_on"),
        CaseDeadline.due.label("due"),
        type_coerce(null(), Assessment.grounds.type).label("grounds"),
        type_coerce(null(), Event.at.type).label("at"),
        type_coerce(null(), Event.trigger.type).label("trigger"),
    ).where(
        CaseDeadline.case_id == case_id,
        CaseDeadline.rule.in_(FIGURE_DECISION_RULES),
        CaseDeadline.active.is_(True),
        CaseDeadline.done_on.is_not(None),
    )
    grounds = (
        select(literal("ground"), null(), null(), Assessment.grounds, Assessment.assessed_at, null())
        .join(Document, Document.id == Assessment.document_id)
        .where(Document.case_id == case_id)
    )
    complaints = select(literal("complaint"), null(), null(), null(), Event.at, Event.trigger).where(
        Event.case_id == case_id, Event.trigger.in_(COMPLAINT_TRIGGERS)
    )
    out: Counter[tuple[str, dt.date, str]] = Counter()
    for kind, done_on, due, codes, at, trigger in session.execute(union_all(decisions, grounds, complaints)):
        if kind == "decision":
            out[("decision", done_on, "in_time" if done_on <= due else "late")] += 1
        elif kind == "ground":
            for code in codes or ():
                out[("ground", local_day(at), code)] += 1
        else:
            out[("complaint", local_day(at), trigger)] += 1
    return out


def write_pending(session: Session) -> None:
    """Write the session's pending counts: one upsert, rows in key order. Called just before commit."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    rows = [
        {"figure": k[0], "day": k[1], "key": k[2], "assignee_id": k[3], "basis": k[4], "n": n}
        for k, n in sorted(pending.items())
        if n
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    upsert: Callable[..., Any]  # the two dialects' insert() build statements with the same on_conflict API
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as upsert
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"no upsert for {dialect}")
    stmt = upsert(FigureCount).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=["figure", "day", "key", "assignee_id", "basis"],
        set_={"n": FigureCount.__table__.c.n + stmt.excluded.n},
    )
    session.execute(stmt)


# --- from the cases themselves ------------------------------------------------------------------------------


def _reference_selects(session: Session) -> list[Any]:
    """SELECTs of (figure, day, key, assignee_id, basis, n) computed from the cases, set-based."""
    who = func.coalesce(Case.assignee_id, 0)
    in_time = case((CaseDeadline.done_on <= CaseDeadline.due, "in_time"), else_="late")
    decisions = (
        select(CaseDeadline.done_on, in_time, who, Case.basis, func.count())
        .join(Case, Case.id == CaseDeadline.case_id)
        .where(
            CaseDeadline.rule.in_(FIGURE_DECISION_RULES),
            CaseDeadline.active.is_(True),
            CaseDeadline.done_on.is_not(None),
        )
        .group_by(CaseDeadline.done_on, in_time, who, Case.basis)
    )
    if session.get_bind().dialect.name == "postgresql":
        elems = func.json_array_elements_text(Assessment.grounds).table_valued("value").alias("g")
    else:
        elems = func.json_each(Assessment.grounds).table_valued("value").alias("g")
    a_day = _sql_local_day(session, Assessment.assessed_at)
    grounds = (
        select(a_day, elems.c.value, who, Case.basis, func.count())
        .select_from(Assessment)
        .join(Document, Document.id == Assessment.document_id)
        .join(Case, Case.id == Document.case_id)
        .join(elems, true())
        .group_by(a_day, elems.c.value, who, Case.basis)
    )
    e_day = _sql_local_day(session, Event.at)
    complaints = (
        select(e_day, Event.trigger, who, Case.basis, func.count())
        .join(Case, Case.id == Event.case_id)
        .where(Event.trigger.in_(COMPLAINT_TRIGGERS))
        .group_by(e_day, Event.trigger, who, Case.basis)
    )
    return [("decision", decisions), ("ground", grounds), ("complaint", complaints)]


def _as_date(v: Any) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


def reference(session: Session) -> dict[Key, int]:
    """The totals as computed from the cases, events and assessments now (reads them all)."""
    out: dict[Key, int] = {}
    for figure, stmt in _reference_selects(session):
        for day, key, who, basis, n in session.execute(stmt):
            k = (figure, _as_date(day), str(key), int(who), basis)
            out[k] = out.get(k, 0) + int(n)
    return out


def stored(session: Session) -> dict[Key, int]:
    return {
        (r.figure, r.day, r.key, r.assignee_id, r.basis): r.n
        for r in session.scalars(select(FigureCount).where(FigureCount.n != 0))
    }


def check(session: Session) -> list[str]:
    """Differences between the stored totals and the reference (empty when they agree)."""
    want, have = reference(session), stored(session)
    out = []
    for k in sorted(set(want) | set(have)):
        if want.get(k, 0) != have.get(k, 0):
            figure, day, key, who, basis = k
            out.append(
                f"{figure} {day.isoformat()} {key} (sagsbehandler {who or 'ufordelt'}, {basis}): "
                f"gemt {have.get(k, 0)}, beregnet {want.get(k, 0)}"
            )
    return out


def rebuild(session: Session) -> int:
    """Replace the stored totals by the reference, set-based in the database; the number of rows."""
    session.execute(delete(FigureCount))
    for figure, stmt in _reference_selects(session):
        sub = stmt.subquery()
        session.execute(
            insert(FigureCount).from_select(
                ["figure", "day", "key", "assignee_id", "basis", "n"], select(literal(figure), *sub.c)
            )
        )
    return session.scalar(select(func.count()).select_from(FigureCount)) or 0


# --- the cases' earliest running deadlines (kept by the database's triggers) ----------------------------


def _due_from_deadlines(session: Session) -> dict[int, tuple[Any, Any, Any]]:
    """Each case's earliest running deadlines, in one pass over the running deadlines (GROUP BY)."""
    from .vocabulary import NOTICE_RULES

    notice = CaseDeadline.rule.in_(NOTICE_RULES)
    stmt = (
        select(
            CaseDeadline.case_id,
            func.min(CaseDeadline.due),
            func.min(case((~notice, CaseDeadline.due))),
            func.min(case((notice, CaseDeadline.due))),
        )
        .where(CaseDeadline.active.is_(True), CaseDeadline.done_on.is_(None))
        .group_by(CaseDeadline.case_id)
    )
    return {cid: (a, b, c) for cid, a, b, c in session.execute(stmt)}


def _due_differences(session: Session) -> list[dict[str, Any]]:
    want = _due_from_deadlines(session)
    out = []
    for cid, *have in session.execute(select(Case.id, Case.due_first, Case.due_next, Case.notice_due)):
        should = want.get(cid, (None, None, None))
        if tuple(have) != should:
            out.append({"id": cid, "due_first": should[0], "due_next": should[1], "notice_due": should[2]})
    return out


def check_due(session: Session, limit: int = 20) -> list[str]:
    """Cases whose stored earliest due dates differ from their running deadlines (empty when all agree)."""
    return [
        f"sag {d['id']}: tidligste frister stemmer ikke med sagens frister"
        for d in _due_differences(session)[:limit]
    ]


def rebuild_due(session: Session) -> int:
    """Recompute the stored earliest due dates where they differ; the number of cases corrected."""
    from sqlalchemy import bindparam, update

    fixes = _due_differences(session)
    if fixes:
        t = Case.__table__
        stmt = (
            update(t)
            .where(t.c.id == bindparam("case_id"))
            .values(due_first=bindparam("first"), due_next=bindparam("next"), notice_due=bindparam("notice"))
        )
        session.connection().execute(
            stmt,
            [
                {
                    "case_id": f["id"],
                    "first": f["due_first"],
                    "next": f["due_next"],
                    "notice": f["notice_due"],
                }
                for f in fixes
            ],
        )
    return len(fixes)


def rebuild_read_model(db: Any, *, on_step: Callable[[str], None] | None = None) -> tuple[int, int]:
    """Recompute the whole read model from the cases (after a restore or manual changes), in one commit.

    Replaces the daily figure totals (:func:`rebuild`), then corrects the cases' stored earliest due dates
    (:func:`rebuild_due`). ``on_step`` is told ``"figures"`` and ``"due"`` as each step starts (progress
    for the command line). Returns (figure rows written, cases corrected). A server-shell operation like
    ``aktflow db upgrade``: it changes no case and no event.
    """
    with db.session() as s:
        if on_step:
            on_step("figures")
        rows = rebuild(s)
        if on_step:
            on_step("due")
        fixed = rebuild_due(s)
        s.commit()
    return rows, fixed
