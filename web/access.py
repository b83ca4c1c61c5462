"""The access log of a case (blueprint `access`): who viewed or downloaded its documents, letters and
package, for managers and the legal contact; also as CSV."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, make_response, render_template
from flask_login import current_user

from aktflow.errors import NotFound
from aktflow.queries import access_log as access_q
from aktflow.states.fields import INT_MAX
from aktflow.vocabulary import LEGAL, MANAGERS

from .auth import roles_required

bp = Blueprint("access", __name__)
READERS = tuple(sorted(MANAGERS | LEGAL))


def db():
    return current_app.extensions["aktflow_db"]


def record(
    case_id: int, what: str, object_id: int | None = None, name: str | None = None, via: str = "web"
) -> None:
    """Record the signed-in user's view or download when the case is sensitive, before the content is sent
    (:func:`aktflow.access_log.record_access`)."""
    from aktflow.access_log import record_access

    record_access(
        db(), actor=current_user.username, case_id=case_id, what=what, object_id=object_id, name=name, via=via
    )


def _access(case_id: int) -> dict:
    if case_id > INT_MAX:  # beyond a database integer: no such case (never an overflow)
        abort(404)
    try:
        with db().session() as s:
            return access_q.case_access(s, case_id)
    except NotFound:
        abort(404)


@bp.route("/cases/<int:case_id>/access-log")
@roles_required(*READERS)
def case_log(case_id: int):
    """Who viewed or downloaded the case's documents, letters and package, newest first."""
    resp = make_response(render_template("access_log.html", a=_access(case_id)))
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.route("/cases/<int:case_id>/access-log.csv")
@roles_required(*READERS)
def case_log_csv(case_id: int):
    """The case's access log as CSV (semicolons, UTF-8 with BOM)."""
    a = _access(case_id)
    return Response(
        access_q.access_csv(a["rows"]),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="adgangslog-sag-{case_id}.csv"',
            "Cache-Control": "private, no-store",
        },
    )
