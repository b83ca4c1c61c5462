"""The manager's dashboard: figures now and over a period, with the filters the page offers.

The dashboard reads a read model kept as the cases change, so its cost does not grow with the years of
cases behind it: open cases are counted from indexes on ``cases`` (state, assignee, and the earliest due
dates of the running deadlines, which the database keeps on each case); the figures over time from the
daily totals in ``figure_counts`` (:mod:`aktflow.figure_counts`). Nothing here loops over all cases in Python.
Functions take a Session (or a Database for the commands) and plain filters and return plain data. Status
words follow :func:`aktflow.deadlines.status`: "due soon" means at most ``DUE_SOON_WORKING_DAYS`` working
days left; the calendar turns that into one date, compared in SQL.

The dashboard's case lists are :func:`aktflow.queries.cases.case_rows`, their CSV
:mod:`aktflow.queries.export_csv`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from .. import case_deadlines, states
from .. import deadlines as rules
from ..exits import mask
from ..labels import state_label
from ..models import (
    Case,
    CaseDeadline,
    FigureCount,
    User,
)
from ..states.fields import INT_MAX
from ..vocabulary import BASES, NOTICE_RULES

MAX_MONTHS = 24


@dataclass(frozen=True)
class Filters:
    """What the manager narrows the figures to. The period applies to the figures over time (decisions per
    month, grounds, complaints) and to the case list's date of receipt; "now" figures ignore it."""

    start: dt.date | None = None
    end: dt.date | None = None
    assignee_id: int | None = None  # 0: unassigned cases
    basis: str | None = None

    @classmethod
    def default(cls, today: dt.date) -> Filters:
        """The last 12 months: from the first day of the month 11 months back, to today."""
        return cls(start=month_start(today, -11), end=today)

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        end = self.end or today
        start = self.start or month_start(end, -11)
        if start > end:
            start, end = end, start
        return start, end


def month_start(d: dt.date, offset: int = 0) -> dt.date:
    i = d.year * 12 + d.month - 1 + offset
    return dt.date(i // 12, i % 12 + 1, 1)


def scope(stmt, f: Filters):
    """Narrow a statement that involves ``cases`` to the filters' assignee and basis."""
    if f.assignee_id == 0:
        stmt = stmt.where(Case.assignee_id.is_(None))
    elif f.assignee_id:
        stmt = stmt.where(Case.assignee_id == f.assignee_id)
    if f.basis:
        stmt = stmt.where(Case.basis == f.basis)
    return stmt


def open_cases():
    """SQL: the case is open. The open states are listed (not "not final"), so the state index reads
    only the open cases."""
    return Case.state.in_(states.NON_FINAL)


def soon_end(session: Session, today: dt.date) -> dt.date:
    """The first day that is no longer "due soon": a deadline due on ``today`` ≤ due < this is due soon."""
    cal = case_deadlines.load_calendar(session)
    return cal.add_working_days(today, rules.DUE_SOON_WORKING_DAYS + 1)


# --- figures now ------------------------------------------------------------------------------------------
#
# Deadlines are judged from each case's earliest running due dates (``due_first``, ``due_next``,
# ``notice_due``, kept by the database), never by joining every running deadline: the counts come from one
# index-only scan over the open cases, the attention list from the due-date indexes in order.


Summary = dict[tuple[str, int | None], tuple[int, int, int, int]]


def open_summary(session: Session, today: dt.date, f: Filters) -> Summary:
    """Per (state, assignee) of the open cases: how many, how many with an overdue deadline, with a missing
    fristbrev, and whose next deadline is due soon (none passed yet). One index-only scan over the open
    cases (the index on state, assignee, basis and the earliest due dates) gives every "now" count."""
    end = soon_end(session, today)
    stmt = scope(
        select(
            Case.state,
            Case.assignee_id,
            func.count(),
            func.count(case((Case.due_next < today, 1))),
            func.count(case((Case.notice_due < today, 1))),
            func.count(case((and_(Case.due_first >= today, Case.due_first < end), 1))),
        ).where(open_cases()),
        f,
    ).group_by(Case.state, Case.assignee_id)
    return {(st, who): (n, over, miss, soon) for st, who, n, over, miss, soon in session.execute(stmt)}


def open_counts(session: Session, f: Filters) -> dict[tuple[str, int | None], int]:
    """Open cases per (state, assignee)."""
    stmt = scope(select(Case.state, Case.assignee_id, func.count()).where(open_cases()), f)
    return {(st, who): n for st, who, n in session.execute(stmt.group_by(Case.state, Case.assignee_id))}


def open_by_state(session: Session, f: Filters, summary: Summary | None = None) -> list[dict[str, Any]]:
    """Open cases per state, in the workflow's order of states."""
    counts = open_counts(session, f) if summary is None else {k: v[0] for k, v in summary.items()}
    rows: dict[str, int] = {}
    for (st, _who), n in counts.items():
        rows[st] = rows.get(st, 0) + n
    return [
        {"state": s, "label": state_label(s), "count": rows.get(s, 0)}
        for s in states.STATES
        if s not in states.FINAL
    ]


def alert_counts(
    session: Session, today: dt.date, f: Filters, summary: Summary | None = None
) -> dict[str, int]:
    """Open cases with an overdue deadline, with a missing fristbrev (the notice deadline passed), and whose
    next deadline is due soon (none passed yet)."""
    summary = open_summary(session, today, f) if summary is None else summary
    return {
        "overdue": sum(v[1] for v in summary.values()),
        "due_soon": sum(v[3] for v in summary.values()),
        "missing_notice": sum(v[2] for v in summary.values()),
    }


def _kinds(due_first: dt.date | None, due_next: dt.date | None, notice_due: dt.date | None, today, end):
    kinds = []
    if due_next is not None and due_next < today:
        kinds.append("overdue")
    if notice_due is not None and notice_due < today:
        kinds.append("missing_notice")
    if due_first is not None and today <= due_first < end:
        kinds.append("due_soon")
    return kinds


def alerts(session: Session, today: dt.date, f: Filters, limit: int = 200) -> list[dict[str, Any]]:
    """The open cases needing attention, most urgent first: overdue (by how long), then a missing fristbrev,
    then due soon; each with what is wrong and its running deadlines. Reads at most ``limit`` cases per kind,
    in the order of the kind's index."""
    end = soon_end(session, today)
    base = scope(
        select(
            Case.id,
            Case.sagsnummer,
            Case.subject,
            Case.state,
            Case.received,
            Case.version,
            User.username,
            User.name,
            Case.due_first,
            Case.due_next,
            Case.notice_due,
        )
        .outerjoin(User, User.id == Case.assignee_id)
        .where(open_cases()),
        f,
    )
    queries = (
        base.where(Case.due_next < today).order_by(Case.due_next, Case.id),
        base.where(Case.notice_due < today, or_(Case.due_next.is_(None), Case.due_next >= today)).order_by(
            Case.notice_due, Case.id
        ),
        base.where(Case.due_first >= today, Case.due_first < end).order_by(Case.due_first, Case.id),
    )
    by_case: dict[int, dict[str, Any]] = {}
    for stmt in queries:
        if len(by_case) >= limit:
            break
        for cid, nr, subject, state, received, version, username, name, first, nxt, notice in session.execute(
            stmt.limit(limit - len(by_case))
        ):
            by_case.setdefault(
                cid,
                {
                    "id": cid,
                    "sagsnummer": nr,
                    "subject": mask(subject),
                    "state": state,
                    "received": received,
                    "version": version,
                    "assignee": username,
                    "assignee_name": name,
                    "due": first,
                    "kinds": _kinds(first, nxt, notice, today, end),
                    "rules": [],
                },
            )
    if by_case:
        for cid, rule, due in session.execute(
            select(CaseDeadline.case_id, CaseDeadline.rule, CaseDeadline.due)
            .where(
                CaseDeadline.case_id.in_(list(by_case)),
                CaseDeadline.active.is_(True),
                CaseDeadline.done_on.is_(None),
                CaseDeadline.due < end,
            )
            .order_by(CaseDeadline.due, CaseDeadline.id)
        ):
            kind = ("missing_notice" if rule in NOTICE_RULES else "overdue") if due < today else "due_soon"
            by_case[cid]["rules"].append({"rule": rule, "due": due, "kind": kind})
    order = {"overdue": 0, "missing_notice": 1, "due_soon": 2}
    out = list(by_case.values())
    out.sort(key=lambda r: (min(order[k] for k in r["kinds"]), r["due"], r["id"]))
    return out


def workload(
    session: Session, today: dt.date, f: Filters, summary: Summary | None = None
) -> list[dict[str, Any]]:
    """Per assignee (and "unassigned"): open cases, and those of them with an overdue deadline."""
    summary = open_summary(session, today, f) if summary is None else summary
    open_n: dict[int | None, int] = {}
    overdue: dict[int | None, int] = {}
    for (_st, who), (n, over, _miss, _soon) in summary.items():
        open_n[who] = open_n.get(who, 0) + n
        overdue[who] = overdue.get(who, 0) + over
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_([a for a in open_n if a])))}
    out: list[dict[str, Any]] = []
    for assignee_id, n in open_n.items():
        u = users.get(assignee_id) if assignee_id is not None else None
        out.append(
            {
                "user_id": assignee_id,
                "username": u.username if u else None,
                "name": u.name if u else "Ufordelt",
                "active": u.active if u else True,
                "open": n,
                "overdue": overdue.get(assignee_id, 0),
            }
        )
    out.sort(key=lambda r: (r["user_id"] is None, -r["open"], r["name"]))
    return out


# --- figures over a period ----------------------------------------------------------------------------------
#
# Read from the daily totals in ``figure_counts`` (see :mod:`aktflow.figure_counts`): a few rows per day of the
# period, however many cases there are.


def _figure_rows(session: Session, figure: str, lo: dt.date, hi: dt.date, f: Filters, *group: Any):
    stmt = select(*group, func.sum(FigureCount.n)).where(
        FigureCount.figure == figure, FigureCount.day >= lo, FigureCount.day <= hi
    )
    if f.assignee_id is not None:
        stmt = stmt.where(FigureCount.assignee_id == f.assignee_id)
    if f.basis:
        stmt = stmt.where(FigureCount.basis == f.basis)
    return session.execute(stmt.group_by(*group)).all()


#: How the chart groups the period's decisions: by month up to two years, by quarter up to eight, by year
#: beyond (a bar per slot; a longer period never falls outside the chart).
CHART_UNITS = ((MAX_MONTHS, "month", 1), (96, "quarter", 3), (None, "year", 12))


def chart_unit(start: dt.date, end: dt.date) -> tuple[str, int]:
    """The chart's slot for a period: ``("month", 1)``, ``("quarter", 3)`` or ``("year", 12)`` (its name
    and its length in months), the finest that gives at most :data:`MAX_MONTHS` bars."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    for limit, unit, length in CHART_UNITS:
        if limit is None or months <= limit:
            return unit, length
    raise AssertionError("unreachable")  # pragma: no cover


def slot_start(d: dt.date, length: int) -> dt.date:
    """The first day of the month, quarter (length 3) or year (length 12) that ``d`` falls in."""
    return dt.date(d.year, (d.month - 1) // length * length + 1, 1)


def decided_in_time(session: Session, today: dt.date, f: Filters) -> list[dict[str, Any]]:
    """Per slot of the whole period (a month, a quarter or a year: :func:`chart_unit`): ``month`` (the
    slot's first day), ``unit`` ("month", "quarter", "year"), ``decided`` (decisions: the case's
    ofl-/fvl-decision deadline met in the slot, inside the period), ``in_time`` (of them, on or before the
    due date, within 7 working days) and ``share`` (in_time/decided, None without decisions)."""
    start, end = f.period(today)
    unit, length = chart_unit(start, end)
    found: dict[dt.date, list[int]] = {}
    for day, key, n in _figure_rows(session, "decision", start, end, f, FigureCount.day, FigureCount.key):
        slot = found.setdefault(slot_start(day, length), [0, 0])
        slot[0] += int(n)
        if key == "in_time":
            slot[1] += int(n)
    slots = []
    d = slot_start(start, length)
    while d <= end:
        n, ok = found.get(d, (0, 0))
        slots.append(
            {"month": d, "unit": unit, "decided": n, "in_time": ok, "share": (ok / n) if n else None}
        )
        d = month_start(d, length)
    return slots


def grounds_used(session: Session, today: dt.date, f: Filters) -> list[dict[str, Any]]:
    """How many documents cited each ground in assessments made in the period, most used first."""
    from .. import grounds as catalogue

    start, end = f.period(today)
    out = []
    for code, n in _figure_rows(session, "ground", start, end, f, FigureCount.key):
        if not n:
            continue
        try:
            g = catalogue.get(code)
            label, paragraph = g.label, g.paragraph
        except KeyError:
            label, paragraph = code, code
        out.append({"code": code, "paragraph": paragraph, "label": label, "count": int(n)})
    out.sort(key=lambda r: (-r["count"], r["code"]))
    return out


def complaints(
    session: Session, today: dt.date, f: Filters, summary: Summary | None = None
) -> dict[str, int]:
    """Complaint events in the period, by what happened; and the complaints open now."""
    start, end = f.period(today)
    rows = {k: int(n) for k, n in _figure_rows(session, "complaint", start, end, f, FigureCount.key)}
    if summary is None:
        pending = dict(
            session.execute(
                scope(
                    select(Case.state, func.count()).where(
                        Case.state.in_(("complaint_received", "appeal_pending"))
                    ),
                    f,
                ).group_by(Case.state)
            ).all()
        )
    else:
        pending = {}
        for (st, _who), v in summary.items():
            pending[st] = pending.get(st, 0) + v[0]
    return {
        "received": rows.get("receive_complaint", 0),
        "revised": rows.get("revise_decision", 0),
        "forwarded": rows.get("uphold_and_forward", 0),
        "upheld": rows.get("appeal_decided", 0),
        "overturned": rows.get("appeal_overturned", 0),
        "awaiting_reconsideration": pending.get("complaint_received", 0),
        "at_appeal_body": pending.get("appeal_pending", 0),
    }


def overview(session: Session, today: dt.date, f: Filters) -> dict[str, Any]:
    """Everything the manager's dashboard shows."""
    summary = open_summary(session, today, f)
    return {
        "today": today,
        "period": f.period(today),
        "open_by_state": open_by_state(session, f, summary),
        "alert_counts": alert_counts(session, today, f, summary),
        "alerts": alerts(session, today, f),
        "workload": workload(session, today, f, summary),
        "decided_in_time": decided_in_time(session, today, f),
        "grounds": grounds_used(session, today, f),
        "complaints": complaints(session, today, f, summary),
        # Statutory deadlines on one of the municipality's closure days (they are not moved by it).
        "closure_warnings": case_deadlines.statutory_in_closure(session, today),
    }


FILTER_YEARS = (1900, 9000)  # the years a period may start or end in (months are counted past the end)

#: The date filters and their Danish names, for the messages.
DATE_FILTERS = {"start": "Periode fra", "end": "Periode til"}


def _filter_date(raw: str) -> dt.date:
    """A filter date typed as dd.mm.åååå or åååå-mm-dd (what a date field sends). Raises ValueError."""
    raw = raw.strip()
    if "." in raw:
        day, month, year = raw.split(".")
        if len(year) != 4:
            raise ValueError(raw)
        return dt.date(int(year), int(month), int(day))
    return dt.date.fromisoformat(raw)


def filter_errors(args: dict[str, Any]) -> dict[str, str]:
    """What is wrong with the dashboard's date filters: field name (``start``, ``end``) → a Danish message;
    empty when they can be used. A date that cannot be read, a year outside :data:`FILTER_YEARS` and a
    period that ends before it starts are refused (never swapped or replaced by the default)."""
    errors: dict[str, str] = {}
    dates: dict[str, dt.date] = {}
    for key, name in DATE_FILTERS.items():
        raw = str(args.get(key) or "").strip()
        if not raw:
            continue
        try:
            d = _filter_date(raw)
        except ValueError:
            errors[key] = f"{name}: «{raw[:40]}» er ikke en dato. Skriv datoen som dd.mm.åååå, fx 01.03.2026."
            continue
        if not FILTER_YEARS[0] <= d.year <= FILTER_YEARS[1]:
            errors[key] = f"{name}: året skal ligge mellem {FILTER_YEARS[0]} og {FILTER_YEARS[1]}."
            continue
        dates[key] = d
    if "start" in dates and "end" in dates and dates["start"] > dates["end"]:
        errors["end"] = (
            f"Perioden slutter ({dates['end']:%d.%m.%Y}) før den begynder ({dates['start']:%d.%m.%Y}). "
            "Ret datoerne, så »fra« ligger før »til«."
        )
    return errors


def parse_filters(args: dict[str, Any], today: dt.date) -> Filters:
    """Filters from a query string (start/end dates as dd.mm.åååå or ISO, assignee user id or 0, basis).
    Dates :func:`filter_errors` refuses are left out (the default period); the page shows its message."""
    f = Filters.default(today)
    if not filter_errors(args):  # a refused period is not half applied
        start, end = (str(args.get(key) or "").strip() for key in DATE_FILTERS)
        if start:
            f = replace(f, start=_filter_date(start))
        if end:
            f = replace(f, end=_filter_date(end))
    a = (args.get("assignee") or "").strip()
    if a.isascii() and a.isdigit() and int(a) <= INT_MAX:  # beyond it no id exists (and SQLite overflows)
        f = replace(f, assignee_id=int(a))
    b = (args.get("basis") or "").strip()
    if b in BASES:
        f = replace(f, basis=b)
    return f
