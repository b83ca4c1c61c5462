"""Deadlines on cases: stored when a case or an event starts them, completed by events, status at read time.

A stored deadline (``case_deadlines``) is a fact: rule, start, due, count, calendar version, explanation,
and ``done_on`` once the event that fulfils it happened. Whether it is ``ok``, ``due_soon``, ``overdue`` or
``met`` is computed when read (:func:`aktflow.deadlines.status`), never written.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from . import deadlines as rules
from .calendar import CalendarSettings, WorkingCalendar, get_calendar, statutory_calendar
from .events import NewEvent, prepare_events, write_events
from .models import Case, CaseDeadline, Setting, User, utcnow
from .vocabulary import DECISION_RULES, EXPECTED_DECISION, NOTICE_RULES, STATUTORY_RULES

if TYPE_CHECKING:
    from .db import Database

CALENDAR_KEY = "calendar"
# Rules a sent decision fulfils (the notice too: a decision in time needs no fristbrev).
DECIDED_BY_DECISION = (
    *DECISION_RULES,
    *NOTICE_RULES,
    "ofl-delay-complaint",
    "ofl-outer",
    "delay-complaint-forward",  # OFL § 39: a decision in time answers the complaint about the delay
    EXPECTED_DECISION,
)
EXPECTED = EXPECTED_DECISION


# --- the municipality's calendar ---------------------------------------------------------------------


def calendar_settings(session: Session) -> CalendarSettings:
    row = session.get(Setting, CALENDAR_KEY)
    return CalendarSettings.from_dict(row.value) if row else CalendarSettings()


def load_calendar(session: Session) -> WorkingCalendar:
    """The municipality's calendar (its closures and the optional days it marks closed): for internal
    targets, "due soon" and the closure warnings; never for a statutory deadline (:func:`law_calendar`)."""
    return get_calendar(calendar_settings(session))


def law_calendar() -> WorkingCalendar:
    """The calendar every statutory deadline is counted on: the statutory holidays only (docs/domain.md §2)."""
    return statutory_calendar()


def closure_warning(rule: str, due: dt.date, cal: WorkingCalendar) -> str | None:
    """The Danish warning when a statutory deadline falls on one of the municipality's closures, else None.

    The closure does not move the deadline (OFL § 36 counts only the statutory holidays): the decision, or
    a fristbrev, is owed by that date all the same.
    """
    if rule not in STATUTORY_RULES:
        return None
    name = cal.closure_of(due)
    if name is None:
        return None
    return (
        f"Fristen {due:%d.%m.%Y} falder på en lukkedag ({name}); lukkedage flytter ikke en lovbestemt frist, "
        "så afgørelsen eller et fristbrev skal være sendt senest den dag"
    )


# --- on events ---------------------------------------------------------------------------------------


def _add(session: Session, case: Case, d: rules.Deadline, now: dt.datetime) -> CaseDeadline:
    row = CaseDeadline(
        case_id=case.id,
        rule=d.rule,
        start=d.start,
        due=d.due,
        count=d.count,
        unit=d.unit,
        calendar_version=d.calendar_version,
        explanation=d.explanation,
        active=True,
        created_at=now,
    )
    session.add(row)
    return row


def _active(session: Session, case: Case, rule_ids: Iterable[str]) -> list[CaseDeadline]:
    return list(
        session.scalars(
            select(CaseDeadline).where(
                CaseDeadline.case_id == case.id,
                CaseDeadline.active.is_(True),
                CaseDeadline.rule.in_(tuple(rule_ids)),
            )
        )
    )


def start_case(session: Session, case: Case, now: dt.datetime) -> list[dict[str, Any]]:
    """The statutory deadlines of a new case, counted on the law's calendar from ``case.received``."""
    made = rules.for_case(case.basis, case.received, law_calendar())
    for d in made:
        _add(session, case, d, now)
    return [{"rule": d.rule, "due": d.due.isoformat()} for d in made]


def restart_from_clarification(
    session: Session, case: Case, clarified: dt.date, now: dt.datetime
) -> list[dict[str, Any]]:
    """OFL § 9, stk. 1: the request did not identify what is asked for; its deadlines run anew from the
    receipt of the sufficient clarification (``clarified``).

    Every deadline the case got at creation is replaced by one counted from ``clarified`` (the fristbrev
    rule included), except those already met and an extended month rule (MOL/GDPR), which stand. A date
    already promised in a fristbrev (``expected-decision``) stands too. Returns ``[{"rule", "due"}]``.
    """
    made = []
    for d in rules.for_case(case.basis, clarified, law_calendar(), what=rules.FROM_CLARIFICATION):
        rows = _active(session, case, [d.rule])
        if any(r.done_on is not None or (r.unit == rules.MONTHS and r.count > 1) for r in rows):
            continue
        replace(session, case, d, now)
        made.append({"rule": d.rule, "due": d.due.isoformat()})
    return made


def complete(session: Session, case: Case, rule_ids: Iterable[str], on: dt.date) -> list[CaseDeadline]:
    """Mark the case's open deadlines of these rules as done on ``on``; returns the deadlines completed."""
    done = []
    for row in _active(session, case, rule_ids):
        if row.done_on is None:
            row.done_on = on
            done.append(row)
    return done


def replace(session: Session, case: Case, d: rules.Deadline, now: dt.datetime) -> None:
    """A new deadline of a rule that supersedes the active one (e.g. a later fristbrev's expected date)."""
    for row in _active(session, case, [d.rule]):
        row.active = False
    _add(session, case, d, now)


def start(session: Session, case: Case, d: rules.Deadline, now: dt.datetime) -> dict[str, Any]:
    replace(session, case, d, now)
    return {"rule": d.rule, "due": d.due.isoformat()}


def stop_all(session: Session, case: Case) -> None:
    """A case that ends without a decision (forwarded, withdrawn): its open deadlines no longer run."""
    session.execute(
        update(CaseDeadline)
        .where(CaseDeadline.case_id == case.id, CaseDeadline.active.is_(True), CaseDeadline.done_on.is_(None))
        .values(active=False)
    )


def is_extended(session: Session, case_id: int) -> bool:
    return bool(
        session.scalar(
            select(func.count())
            .select_from(CaseDeadline)
            .where(
                CaseDeadline.case_id == case_id,
                CaseDeadline.active.is_(True),
                CaseDeadline.rule.in_(("mol-decision", "gdpr-decision")),
                CaseDeadline.count > 1,
            )
        )
    )


def notice_limits(session: Session, case: Case) -> dict[str, dt.date]:
    """The dates a fristbrev's expected date is measured against: ``{"ofl-delay-complaint": §39 date,
    "ofl-outer": the 40 working days}``, from the case's running deadlines (so a restart after a
    clarification counts), else counted from ``case.received`` on the law's calendar."""
    found = {r.rule: r.due for r in _active(session, case, ("ofl-delay-complaint", "ofl-outer"))}
    if len(found) < 2:
        for d in rules.for_case("ofl", case.received, law_calendar()):
            if d.rule in ("ofl-delay-complaint", "ofl-outer"):
                found.setdefault(d.rule, d.due)
    return found


def expected_deadline(sent: dt.date, expected: dt.date, reason: str, cal: WorkingCalendar) -> rules.Deadline:
    text = f"Forventet afgørelse oplyst i fristbrev sendt {sent:%d.%m.%Y}: {expected:%d.%m.%Y} (begrundelse: {reason})"
    n = max(cal.working_days_between(sent, expected), 0)
    return rules.Deadline(EXPECTED, sent, expected, n, rules.WORKING_DAYS, cal.version, text)


# --- reading ------------------------------------------------------------------------------------------


def case_deadlines(session: Session, case: Case, today: dt.date) -> list[dict[str, Any]]:
    cal = load_calendar(session)
    rows = session.scalars(
        select(CaseDeadline)
        .where(CaseDeadline.case_id == case.id, CaseDeadline.active.is_(True))
        .order_by(CaseDeadline.due, CaseDeadline.id)
    ).all()
    return [
        {
            "rule": r.rule,
            "start": r.start.isoformat(),
            "due": r.due.isoformat(),
            "status": rules.status(r.due, today, r.done_on, cal),
            "done_on": r.done_on.isoformat() if r.done_on else None,
            "explanation": r.explanation,
            "calendar_version": r.calendar_version,
            "closure_warning": None if r.done_on else closure_warning(r.rule, r.due, cal),
        }
        for r in rows
    ]


def statutory_in_closure(session: Session, today: dt.date, *, days: int = 366) -> list[dict[str, Any]]:
    """The open cases' running statutory deadlines due on one of the municipality's closures, from
    ``today`` up to ``days`` days ahead, soonest first (the dashboard's warning).

    Each: ``{"case", "sagsnummer", "rule", "due", "closure", "warning"}``. One query over the indexed due
    dates of the closures found in the calendar.
    """
    from . import states

    cal = load_calendar(session)
    closed = {d: name for d, name in cal.closures_between(today, today + dt.timedelta(days=days))}
    if not closed:
        return []
    stmt = (
        select(CaseDeadline.rule, CaseDeadline.due, Case.id, Case.sagsnummer)
        .join(Case, Case.id == CaseDeadline.case_id)
        .where(
            CaseDeadline.active.is_(True),
            CaseDeadline.done_on.is_(None),
            CaseDeadline.rule.in_(STATUTORY_RULES),
            CaseDeadline.due.in_(sorted(closed)),
            Case.state.not_in(tuple(states.FINAL)),
        )
        .order_by(CaseDeadline.due, Case.id)
    )
    return [
        {
            "case": case_id,
            "sagsnummer": sagsnummer,
            "rule": rule,
            "due": due.isoformat(),
            "closure": closed[due],
            "warning": closure_warning(rule, due, cal),
        }
        for rule, due, case_id, sagsnummer in session.execute(stmt)
    ]


def sweep(session: Session, today: dt.date) -> dict[str, Any]:
    """The daily list: open deadlines due soon or overdue, and missing fristbreve, per assignee.

    One SQL query over the indexed (active, due) columns; status is computed only for the rows returned.
    """
    from . import states

    cal = load_calendar(session)
    # Due soon: at most DUE_SOON_WORKING_DAYS working days left, i.e. before the next working day after those.
    horizon = cal.add_working_days(today, rules.DUE_SOON_WORKING_DAYS + 1)
    stmt = (
        select(CaseDeadline, Case.id, Case.sagsnummer, Case.state, Case.requester_name, User.username)
        .join(Case, Case.id == CaseDeadline.case_id)
        .outerjoin(User, User.id == Case.assignee_id)
        .where(
            CaseDeadline.active.is_(True),
            CaseDeadline.done_on.is_(None),
            CaseDeadline.due < horizon,
            Case.state.not_in(tuple(states.FINAL)),
        )
        .order_by(CaseDeadline.due, Case.id)
    )
    by_assignee: dict[str, list[dict[str, Any]]] = {}
    counts = {"due_soon": 0, "overdue": 0, "missing_notice": 0}
    for d, case_id, sagsnummer, state, requester, assignee in session.execute(stmt):
        st = rules.status(d.due, today, None, cal)
        kind = "missing_notice" if d.rule in NOTICE_RULES and st == "overdue" else st
        counts[kind] += 1
        by_assignee.setdefault(assignee or "(ufordelt)", []).append(
            {
                "case": case_id,
                "sagsnummer": sagsnummer,
                "state": state,
                "requester": requester,
                "rule": d.rule,
                "due": d.due.isoformat(),
                "status": st,
                "kind": kind,
                "explanation": d.explanation,
                "closure_warning": closure_warning(d.rule, d.due, cal),
            }
        )
    return {"today": today.isoformat(), "counts": counts, "by_assignee": by_assignee}


# --- calendar change: set-based recompute --------------------------------------------------------------


#: A calendar change's recompute writes in batches that each hold the write lock about this long (seconds)
#: and never much more than a second (SQLite has one writer: the web and the workers wait meanwhile).
RECOMPUTE_BATCH_SECONDS = 0.3
RECOMPUTE_FIRST_BATCH = 500
RECOMPUTE_MIN_BATCH = 50
RECOMPUTE_MAX_BATCH = 2_000  # about 0.5 s on a quiet machine: headroom when the machine gets busy


def recompute(
    db: Database,
    settings: CalendarSettings,
    *,
    actor: str,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch_seconds: float | None = None,
) -> dict[str, Any]:
    """Recompute the working-day deadlines of every open case for new calendar settings, then store them.

    Set-based and in bounded batches: the days whose status changed are found by comparing the two
    precomputed calendars; one read finds the open cases with a deadline whose span contains such a day;
    then, per batch of cases, one transaction reads their deadlines again, gives them due dates from the
    precomputed calendar (bisect), writes the changed rows with executemany and appends one event
    ``recalculate_deadlines`` (old → new) to each moved case's hash chain (through
    :func:`aktflow.events.append_events`, the log's one writer), and commits. A batch's size follows the
    time the last one took, so each commit holds the write lock about ``batch_seconds`` (never much over a
    second). The settings are stored with the last batch: until then every reader counts on the old
    calendar, and a recompute that was cut off is completed by making the same change again (a deadline
    already moved is not moved, nor logged, twice). A case changed by someone between the read and its
    batch is read afresh in the batch; a conflict on the case row is retried in the next batch.

    Closed cases and fulfilled deadlines are left alone. A deadline keeps the calendar version it was
    computed with unless it moved. Only internal targets counted in working days move: a statutory
    deadline (``STATUTORY_RULES``) is counted on the law's calendar, which a municipality's settings do not
    change, and the dates a person set (a hearing's reply date, a fristbrev's promise) are never recounted.
    Today aktflow computes no internal working-day target, so a calendar change stores the settings and
    moves nothing; a statutory deadline that falls on a new closure is shown with a warning instead
    (:func:`closure_warning`).

    Returns ``{"calendar_version", "days_changed", "deadlines_checked", "deadlines_moved", "cases_moved",
    "batches", "longest_batch_s", "longest_lock_s"}`` (the longest batch's transaction, and the longest
    time from a batch's first write to its commit, SQLite's write lock; seconds).
    """
    from . import states

    now = now or utcnow()
    batch_seconds = RECOMPUTE_BATCH_SECONDS if batch_seconds is None else batch_seconds
    cal = get_calendar(settings)
    with db.session() as session:
        old_cal = load_calendar(session)
        # Only a deadline whose counted span (start, due] contains a day that changed status can move; find
        # those in SQL, so the pass reads the few deadlines concerned instead of every open one.
        lo, hi = session.execute(
            select(func.min(CaseDeadline.start), func.max(CaseDeadline.due)).where(
                CaseDeadline.active.is_(True), CaseDeadline.done_on.is_(None)
            )
        ).one()
        flipped = [d for d in cal.differing_days(old_cal) if lo is not None and lo < d <= hi]
        open_states = tuple(n for n in states.STATES if n not in states.FINAL)
        found: dict[int, list[int]] = {}
        for dl_id, cid in set(
            _movable(session, flipped, open_states, select(CaseDeadline.id, CaseDeadline.case_id))
        ):
            found.setdefault(cid, []).append(dl_id)
        candidates = sorted(found)

    totals = {"deadlines_checked": 0, "deadlines_moved": 0, "cases_moved": 0, "batches": 0}
    longest = longest_lock = 0.0
    size, pos = RECOMPUTE_FIRST_BATCH, 0
    while True:
        chunk = candidates[pos : pos + size]
        last = pos + size >= len(candidates)
        started = time.perf_counter()
        with db.session() as session:
            ids = sorted(dl for cid in chunk for dl in found[cid])
            checked, moved_rows, moved_cases, writing = _recompute_batch(
                session, ids, flipped, open_states, cal, actor=actor, now=now
            )
            if last:
                row = session.get(Setting, CALENDAR_KEY)
                if row is None:
                    session.add(Setting(key=CALENDAR_KEY, value=settings.to_dict(), updated_at=now))
                else:
                    row.value = settings.to_dict()
                    row.updated_at = now
            session.commit()
        done = time.perf_counter()
        spent = done - started
        longest = max(longest, spent)
        longest_lock = max(longest_lock, done - writing)
        totals["deadlines_checked"] += checked
        totals["deadlines_moved"] += moved_rows
        totals["cases_moved"] += moved_cases
        totals["batches"] += 1
        pos += len(chunk)
        if progress:
            progress(pos, len(candidates))
        if last:
            break
        # The next batch as large as fits the time allowed, judged by this one (growing by half at most).
        per_case = spent / max(len(chunk), 1)
        size = int(
            min(
                max(batch_seconds / max(per_case, 1e-6), RECOMPUTE_MIN_BATCH), 1.5 * size, RECOMPUTE_MAX_BATCH
            )
        )
    return {
        "calendar_version": cal.version,
        "days_changed": len(flipped),
        **totals,
        "longest_batch_s": round(longest, 3),
        "longest_lock_s": round(longest_lock, 3),
    }


def _movable(session: Session, flipped: list[dt.date], open_states: tuple[str, ...], stmt, ids=None):
    """The running working-day deadlines of open cases that a calendar change can move: those whose span
    (start, due] contains one of the ``flipped`` days (rows of ``stmt``'s columns, possibly repeated)."""
    base = stmt.join(Case, Case.id == CaseDeadline.case_id).where(
        CaseDeadline.active.is_(True),
        CaseDeadline.done_on.is_(None),
        CaseDeadline.unit == rules.WORKING_DAYS,
        CaseDeadline.rule != "hearing-reply",  # a date the caseworker set, not a count
        CaseDeadline.rule != EXPECTED,  # a date told to the requester
        # The law's deadlines are counted on the law's calendar: a closure never moves them.
        CaseDeadline.rule.not_in(STATUTORY_RULES),
        Case.state.in_(open_states),
    )
    if ids is not None:  # a batch reads its deadlines again by their ids (the primary key)
        base = base.where(CaseDeadline.id.in_(ids))
    rows: list[Any] = []
    for i in range(0, len(flipped), 200):
        spans = [and_(CaseDeadline.start < d, CaseDeadline.due >= d) for d in flipped[i : i + 200]]
        rows.extend(session.execute(base.where(or_(*spans))).all())
    return rows


def _move_statement():
    t = CaseDeadline.__table__
    return update(t).where(t.c.id == bindparam("b_id"))


def _recompute_batch(
    session: Session,
    deadline_ids: list[int],
    flipped: list[dt.date],
    open_states: tuple[str, ...],
    cal: WorkingCalendar,
    *,
    actor: str,
    now: dt.datetime,
) -> tuple[int, int, int, float]:
    """One batch of :func:`recompute` in the caller's transaction: the deadlines ``deadline_ids`` read again
    (a case closed or a deadline met since is left alone), moved, logged. Returns (checked, moved, cases,
    the ``time.perf_counter()`` of the batch's first write)."""
    if not deadline_ids:
        return 0, 0, 0, time.perf_counter()
    cols = select(
        CaseDeadline.id,
        CaseDeadline.case_id,
        CaseDeadline.rule,
        CaseDeadline.start,
        CaseDeadline.count,
        CaseDeadline.due,
    )
    rows = sorted(
        set(_movable(session, flipped, open_states, cols, deadline_ids)), key=lambda r: (r[1], r[0])
    )
    changed: list[dict[str, Any]] = []
    moved: dict[int, list[dict[str, str]]] = {}
    explained: dict[tuple[str, dt.date, int], str] = {}  # the same count from the same day reads the same
    for dl_id, case_id, rule, start_d, count, due in rows:
        new_due = cal.add_working_days(start_d, count)
        if new_due != due:
            why = explained.get((rule, start_d, count))
            if why is None:
                why = explained[rule, start_d, count] = rules.recount(rule, start_d, count, cal).explanation
            changed.append(
                {
                    "b_id": dl_id,
                    "due": new_due,
                    "explanation": why,
                    "calendar_version": cal.version,
                }
            )
            moved.setdefault(case_id, []).append(
                {"rule": rule, "old": due.isoformat(), "new": new_due.isoformat()}
            )
    # One event per case whose deadlines moved, appended to each case's chain (the log's one writer), hashed
    # before the batch's first write: the write lock covers the writes alone.
    new_events, heads = [], {}
    for cid, state, version, last_hash in session.execute(
        select(Case.id, Case.state, Case.version, Case.last_hash).where(Case.id.in_(sorted(moved)))
    ):
        heads[cid] = (version, last_hash)
        new_events.append(
            NewEvent(
                case_id=cid,
                trigger="recalculate_deadlines",
                from_state=state,
                to_state=state,
                actor=actor,
                at=now,
                data={"moved": moved[cid], "calendar_version": cal.version},
            )
        )
    prepared = prepare_events(session, new_events, heads)
    writing = time.perf_counter()
    write_events(session, prepared)
    if changed:
        session.connection().execute(_move_statement(), changed)
    return len(rows), len(changed), len(moved), writing
