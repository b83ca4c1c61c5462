"""The manager's dashboard (blueprint `dashboard`): figures, attention list, reassign, CSV export."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from aktflow.queries import cases as cases_q
from aktflow.queries import dashboard as read
from aktflow.queries import export_csv as export_csv_q
from aktflow.queries import users as users_q
from aktflow.queries.dispatches import failed_count
from aktflow.vocabulary import BASES, MANAGERS

from .auth import roles_required
from .filters import da_month
from .filters import today as current_today
from .svg import share_chart

bp = Blueprint("dashboard", __name__)


def db():
    return current_app.extensions["aktflow_db"]


@bp.route("/dashboard")
@roles_required(*MANAGERS)
def index():
    today = current_today()
    f = read.parse_filters(request.args, today)
    with db().session() as s:
        data = read.overview(s, today, f)
        assignees = users_q.assignable_users(s)
        not_sent = failed_count(s)
    chart = share_chart(data["decided_in_time"], da_month)
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
        query=request.query_string.decode(),
    )


@bp.route("/dashboard/cases.csv")
@roles_required(*MANAGERS)
def cases_csv():
    today = current_today()
    f = read.parse_filters(request.args, today)
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
