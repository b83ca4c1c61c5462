"""Letters out on the case page (docs/dispatch.md): the channel chosen before sending, another try after a
failure, "Sendt med post" for a printed letter, the print file, and the list of letters that did not go.

Thin: each view calls :mod:`aktflow.dispatch_actions` or :mod:`aktflow.queries.dispatches` and returns to
the case page's "Forsendelser" with a Danish message.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from aktflow import dispatch_actions as service
from aktflow.errors import AktflowError, NotFound
from aktflow.queries import dispatches as read
from aktflow.vocabulary import CASEWORK

from . import access
from .auth import ALL_ROLES, roles_required
from .exits import download_name

bp = Blueprint("dispatch", __name__)


def db():
    return current_app.extensions["aktflow_db"]


def _back(case_id: int):
    return redirect(url_for("cases.case_page", case_id=case_id) + "#forsendelser", 303)


def _act(case_id: int, done: str, fn, *args):
    try:
        fn(db(), case_id, *args, actor=current_user.username)
    except NotFound:
        abort(404)
    except AktflowError as e:
        if e.http_status == 403:
            abort(403)
        flash(getattr(e, "detail", None) or e.message, "error")  # the sentence, not the field's name
    else:
        flash(done, "ok")
    return _back(case_id)


@bp.route("/cases/<int:case_id>/dispatches/<int:dispatch_id>/channel", methods=["POST"])
@roles_required(*CASEWORK)
def choose(case_id: int, dispatch_id: int):
    """The caseworker's channel for a letter not yet sent."""
    channel = (request.form.get("channel") or "").strip()
    return _act(case_id, "Forsendelsen sendes med den valgte kanal.", service.choose, dispatch_id, channel)


@bp.route("/cases/<int:case_id>/dispatches/<int:dispatch_id>/retry", methods=["POST"])
@roles_required(*CASEWORK)
def retry(case_id: int, dispatch_id: int):
    """Another try for a letter that did not go."""
    return _act(case_id, "Forsendelsen er sat i kø igen.", service.retry, dispatch_id)


@bp.route("/cases/<int:case_id>/dispatches/<int:dispatch_id>/posted", methods=["POST"])
@roles_required(*CASEWORK)
def posted(case_id: int, dispatch_id: int):
    """ "Sendt med post": the printed letter was posted now."""
    return _act(case_id, "Brevet er registreret som sendt med post.", service.confirm_posted, dispatch_id)


@bp.route("/cases/<int:case_id>/dispatches/<int:dispatch_id>/print.pdf")
@roles_required(*ALL_ROLES)
def print_pdf(case_id: int, dispatch_id: int):
    """The print file (A4, the address in the window of a C5 envelope, then the letter and the package)."""
    try:
        name, content = read.print_file(db(), case_id, dispatch_id)
    except NotFound:
        abort(404)
    access.record(case_id, "print", dispatch_id, name)  # the letter (and package): in the access log
    resp = send_file(
        io.BytesIO(content), mimetype="application/pdf", as_attachment=True, download_name=download_name(name)
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.route("/dispatches/not-sent")
@roles_required(*CASEWORK)
def not_sent():
    """The letters that did not go, newest first, with a link to each case; a sensitive case the user may
    not see in full is named "Fortrolig sag", its recipient and detail hidden, and not linked."""
    with db().session() as s:
        # need-to-know: "Fortrolig sag" (the row's ``id`` is its case's, for the case link)
        rows = [{**r, "id": r["case_id"]} for r in read.not_sent(s, viewer=current_user)]
    return render_template("dispatches_not_sent.html", rows=rows)


@bp.app_context_processor
def _dispatch_words():
    """The channel names and the roles that may act on a dispatch, for the case page's "Forsendelser"."""
    from aktflow.dispatch.rules import CHANNEL_LABELS

    return {"DISPATCH_CHANNELS": CHANNEL_LABELS, "CASEWORK_ROLES": CASEWORK}
