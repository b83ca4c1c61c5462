"""The manager's dashboard (blueprint `dashboard`): figures, attention list, reassign, CSV export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request

from aktflow import states
from aktflow.queries import cases as cases_q
from aktflow.queries import dashboard as read
from aktflow.queries import export_csv as export_csv_q
from aktflow.queries import users as users_q
from aktflow.queries.dispatches import failed_count
from aktflow.vocabulary import BASES, MANAGERS

from .auth import roles_required
from .filters import da_month, parse_form_date
from .filters import today as current_today
from .search import sort_args, sort_links, sort_rows
from .svg import share_chart

bp = Blueprint("dashboard", __name__)

#: The states in the workflow's order (a list sorted by state follows the case's way through it).
STATE_ORDER = {name: i for i, name in enumerate(states.STATES)}
#: The attention list's sortable columns: the case, its deadline, its state (in the workflow's order) and
#: its caseworker (by name; unassigned last).
ALERT_SORTS: dict[str, Any] = {
    "id": lambda r: r["id"],
    "due": lambda r: r["due"],
    "state": lambda r: STATE_ORDER.get(r["state"], len(STATE_ORDER)),
    "assignee": lambda r: (r.get("assignee_name") or "").casefold() or None,
}


def db():
    return current_app.extensions["aktflow_db"]


@bp.route("/dashboard")
@roles_required(*MANAGERS)
def index():
    today = current_today()
    args = date_args(request.args)
    errors = read.filter_errors(args)
    f = read.parse_filters(args, today)
    with db().session() as s:
        data = read.overview(s, today, f)
        assignees = users_q.assignable_users(s)
        not_sent = failed_count(s)
    sort, desc = sort_args(request.args, ALERT_SORTS)
    data["alerts"] = sort_rows(data["alerts"], sort, desc, ALERT_SORTS)
    unit = data["decided_in_time"][0]["unit"] if data["decided_in_time"] else "month"
    chart = share_chart(data["decided_in_time"], lambda d: slot_label(d, unit))
    decided = sum(m["decided"] for m in data["decided_in_time"])
    in_time = sum(m["in_time"] for m in data["decided_in_time"])
    return render_template(
        "dashboard.html",
        d=data,
        f=f,
        assignees=assignees,
        bases=BASES,
        chart=chart,
        decided=decided,
        in_time=in_time,
        not_sent=not_sent,
        here=request.full_path.rstrip("?"),
        query=request.query_string.decode() if not errors else "",
        errors=errors,
        slot_label=slot_label,
        unit_name={"month": "måned", "quarter": "kvartal", "year": "år"}[unit],
        typed={k: request.args.get(k, "") for k in read.DATE_FILTERS},
        sorts=sort_links(
            "dashboard.index", request.args, sort, desc, columns=ALERT_SORTS, anchor="opmaerksomhed"
        ),
        sort=sort,
    )


def date_args(args: Any) -> dict[str, str]:
    """The query string (``request.args``) with the period's dates read as every web form reads a date
    (:func:`web.filters.parse_form_date`: ``18.12.2026``, ``1.2.2026``, ``18/12/2026`` or ``2026-12-18``)
    and handed on as ``åååå-mm-dd``. A date it cannot read is handed on as typed, so that
    :func:`aktflow.queries.dashboard.filter_errors` refuses it with its Danish message beside the field
    (never swapped, never replaced by another date)."""
    out = {k: v for k, v in args.items()}
    for key in read.DATE_FILTERS:
        raw = out.get(key) or ""
        try:
            day = parse_form_date(raw)
        except ValueError:
            continue
        if day is not None:
            out[key] = day.isoformat()
    return out


def slot_label(value: dt.date, unit: str = "month") -> str:
    """A chart slot's Danish name by its first day: "jan 2026" for a month, "1. kvt. 2026" for a quarter
    (it starts in Jan/Apr/Jul/Oct on the first), "2026" for a year (the chart's unit is the same for every
    slot; the query names it, :func:`aktflow.queries.dashboard.chart_unit`)."""
    if unit == "year":
        return str(value.year)
    if unit == "quarter":
        return f"{(value.month - 1) // 3 + 1}. kvt. {value.year}"
    return da_month(value)


@bp.route("/dashboard/cases.csv")
@roles_required(*MANAGERS)
def cases_csv():
    today = current_today()
    args = date_args(request.args)
    errors = read.filter_errors(args)
    if errors:
        text = "Listen blev ikke hentet: " + " ".join(errors.values())
        return render_template("error.html", status=400, title="Filteret blev ikke brugt", text=text), 400
    f = read.parse_filters(args, today)
    which = "all" if request.args.get("which") == "all" else "open"
    with db().session() as s:
        rows = cases_q.case_rows(s, today, f, which=which, limit=None, use_period=(which == "all"))
    body = export_csv_q.to_csv(rows)
    name = f"aktflow-sager-{'alle' if which == 'all' else 'aabne'}-{today.isoformat()}.csv"
    return Response(
        body,
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )
