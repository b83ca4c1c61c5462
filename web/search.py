"""Find any case: the search page ``/search``, reached from the search field in every page's header.

The page parses its query string, asks :func:`aktflow.queries.search.search_cases` and draws the result
as a sortable table (designsystem.dk's table: the sort links carry ``aria-sort``). A query holding a CPR
number is refused by the read side: the page answers with a redirect to itself without the query (so the
number stays neither in the address bar nor in the browser's history) and shows the Danish message next
to the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from aktflow.errors import ValidationError
from aktflow.queries import search as search_q
from aktflow.queries import users as users_q

from .auth import ALL_ROLES, roles_required
from .filters import today

bp = Blueprint("search", __name__)

ARGS = ("q", "state", "assignee", "flagged", "overdue", "basis", "which", "sort", "dir")


def query_from(args: Any) -> search_q.SearchQuery:
    """The :class:`~aktflow.queries.search.SearchQuery` a query string (``request.args``) asks for.
    ``flagged``/``overdue`` are on when given as "1"; ``dir=desc`` sorts descending."""
    return search_q.SearchQuery(
        q=(args.get("q") or "").strip(),
        state=args.get("state") or None,
        assignee=args.get("assignee") or None,
        flagged=args.get("flagged") == "1",
        overdue=args.get("overdue") == "1",
        basis=args.get("basis") or None,
        which=args.get("which") or "all",
        sort=args.get("sort") or None,
        descending=args.get("dir") == "desc",
    )


def sort_links(
    endpoint: str,
    args: Any,
    current: str | None,
    descending: bool,
    *,
    columns: Iterable[str] = search_q.SORT_COLUMNS,
    anchor: str | None = None,
    **fixed: Any,
):
    """For a table's sortable ``columns`` (the case lists' by default): ``{key: (url, aria_sort)}``. The url
    sorts by that column (ascending, or descending when it is the current ascending one), keeping the other
    arguments (and ``#anchor``); ``aria_sort`` is "ascending"/"descending" for the current column, else
    None."""
    keep = {k: v for k, v in args.items() if k not in ("sort", "dir") and v}
    keep.update(fixed)
    out = {}
    for key in columns:
        is_current = key == current
        flip = is_current and not descending
        url = url_for(endpoint, **keep, sort=key, **({"dir": "desc"} if flip else {}))
        out[key] = (
            url + (f"#{anchor}" if anchor else ""),
            ("descending" if descending else "ascending") if is_current else None,
        )
    return out


def sort_rows(
    rows: list[dict[str, Any]], sort: str | None, descending: bool, keys: dict[str, Callable[[dict], Any]]
) -> list[dict[str, Any]]:
    """``rows`` (dicts with ``id``) sorted by ``keys[sort]`` (a function of a row), descending when asked,
    the case id breaking ties; rows without a value (no deadline, unassigned) last whichever the direction,
    as the case lists sort. An unknown ``sort`` keeps the rows' own order. For the short lists drawn whole
    (the dashboard's attention list, the legal queue)."""
    if sort not in keys:
        return rows
    get = keys[sort]
    present = [r for r in rows if get(r) not in (None, "")]
    empty = [r for r in rows if get(r) in (None, "")]
    present.sort(key=lambda r: (get(r), r["id"]), reverse=descending)
    return present + empty


def sort_args(args: Any, keys: Iterable[str]) -> tuple[str | None, bool]:
    """The sort a query string asks for: ``(key, descending)``, the key None unless it is one of ``keys``."""
    sort = args.get("sort")
    return (sort if sort in keys else None), args.get("dir") == "desc"


@bp.route("/search")
@roles_required(*ALL_ROLES)
def search():
    """The search page: the form (text and filters) and, once it is sent, the cases found (all cases, when
    it is sent empty)."""
    query = query_from(request.args)
    error = None
    result = None
    status = 200
    with current_app.extensions["aktflow_db"].session() as s:
        assignees = users_q.assignable_users(s)
        if any(request.args.get(k) for k in ARGS):  # the form was sent (a filter or a sort alone lists)
            try:
                result = search_q.search_cases(s, today(), query, viewer=current_user)
            except ValidationError as e:
                if e.detail == search_q.CPR_REFUSED:
                    # Not kept in the address bar or the history: the page is shown again without it.
                    keep = {k: v for k, v in request.args.items() if k != "q" and k in ARGS}
                    return redirect(url_for("search.search", **keep, afvist="cpr"), 303)
                error = {"field": e.field, "text": e.detail}
                status = 400
    if request.args.get("afvist") == "cpr":
        error = {"field": "q", "text": search_q.CPR_REFUSED}
    return render_template(
        "search.html",
        query=query,
        args=request.args,
        result=result,
        error=error,
        assignees=assignees,
        sorts=sort_links("search.search", request.args, query.sort, query.descending),
    ), status
