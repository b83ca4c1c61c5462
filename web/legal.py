"""The legal contact's queue and review page (blueprint `legal`)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from aktflow import grounds as catalogue
from aktflow.errors import NotFound
from aktflow.queries import legal as legal_q
from aktflow.queries.legal import legal_queue
from aktflow.service import case_view
from aktflow.vocabulary import LEGAL

from .auth import roles_required

bp = Blueprint("legal", __name__)
LEGAL_ROLES = LEGAL


def db():
    return current_app.extensions["aktflow_db"]


@bp.route("/legal")
@roles_required(*LEGAL_ROLES)
def queue():
    return render_template("legal_queue.html", rows=legal_queue(db()))


@bp.route("/legal/cases/<int:case_id>")
@roles_required(*LEGAL_ROLES)
def review(case_id: int):
    from flask_login import current_user

    try:
        view = case_view(db(), case_id, role=current_user.role)
    except NotFound:
        abort(404)
    with db().session() as s:
        extra = legal_q.review_context(s, case_id)
    labels = {g.code: g for g in catalogue.all_grounds()}
    return render_template(
        "legal_review.html",
        c=view,
        flags=extra["flags"],
        notes=extra["notes"],
        approval=extra["approval"],
        labels=labels,
    )
