"""Need-to-know access in the web UI and the API (blueprint ``case_access``; aktflow/case_access.py).

- :func:`guard_page` (before every page request) and :func:`guard_api` (before every API request, after
  the token check): a request for anything under a case (``case_id`` in the route: the page, documents,
  letters, packages, redactions, the access log, actions) by a user who may not see that case in full is
  refused with 403 and a Danish page or JSON error. One check for every route, no check per route.
- The case page's panel ``_case_access.html`` (members, the mark) and its forms:
  ``POST /cases/<id>/access/members`` (``username``, ``reason``),
  ``POST /cases/<id>/access/members/<username>/remove`` (``reason``, optional),
  ``POST /cases/<id>/access/mark`` and ``…/unmark`` (``reason``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_login import current_user

from aktflow import case_access, case_members
from aktflow.errors import AktflowError, NotFound, PermissionDenied
from aktflow.queries.case_members import case_access_view
from aktflow.states.fields import INT_MAX

from .auth import ALL_ROLES, roles_required

bp = Blueprint("case_access", __name__)


def db():
    return current_app.extensions["aktflow_db"]


def _refused(user: Any, case_id: Any) -> str | None:
    """The Danish reason ``user`` may not see case ``case_id`` (None: may, or no such case: the view says)."""
    if not isinstance(case_id, int) or not 0 < case_id <= INT_MAX:
        return None
    try:
        with db().session() as s:
            case_access.require_view(s, user, case_id)
    except NotFound:
        return None
    except PermissionDenied as e:
        return refusal_text(e)
    return None


#: Pages that check need-to-know themselves, in the one unit of work that reads the case (the case page:
#: ``aktflow.service.case_page_view``), and refuse with the same 403 (:func:`refusal_text`).
SELF_CHECKED = frozenset({"cases.case_page"})


def refusal_text(e: PermissionDenied) -> str:
    """The Danish sentence of a need-to-know refusal, as the 403 page shows it."""
    return e.message[:1].upper() + e.message[1:] + "."


@bp.before_app_request
def guard_page() -> None:
    """Refuse (403) a page under a case the signed-in user may not see in full; the API has its own."""
    if request.path.startswith("/api/") or not request.view_args or not current_user.is_authenticated:
        return None
    if request.endpoint in SELF_CHECKED and request.method == "GET":
        return None
    reason = _refused(current_user, request.view_args.get("case_id"))
    if reason:
        abort(403, description=reason)
    return None


def guard_api() -> None:
    """Before every API request (after the token check): 403 as JSON for a case the token's user may not see."""
    user = getattr(g, "api_user", None)
    if user is None or not request.view_args:
        return None
    reason = _refused(user, request.view_args.get("case_id"))
    if reason:
        raise PermissionDenied(reason)  # the API's error handler answers 403 as JSON
    return None


@bp.app_context_processor
def _panel() -> dict:
    return {"case_access_panel": case_access_panel}


def case_access_panel(case_id: int) -> dict | None:
    """What ``_case_access.html`` shows for the signed-in user (None when they may not see the case)."""
    try:
        with db().session() as s:
            return case_access_view(s, case_id, current_user)
    except AktflowError:
        return None


def _back(case_id: int):
    return redirect(url_for("cases.case_page", case_id=case_id) + "#adgang", 303)


def _do(case_id: int, done: str, fn, *args, **kw):
    try:
        fn(db(), case_id, *args, actor=current_user.username, **kw)
    except NotFound:
        abort(404)
    except PermissionDenied as e:
        abort(403, description=e.detail[:1].upper() + e.detail[1:] + ".")
    except AktflowError as e:
        flash(e.detail[:1].upper() + e.detail[1:] + ".", "error")
    else:
        flash(done, "ok")
    return _back(case_id)


@bp.route("/cases/<int:case_id>/access/members", methods=["POST"])
@roles_required(*ALL_ROLES)
def add_member(case_id: int):
    """Add a person to the case (need to know), with a reason."""
    username = request.form.get("username", "").strip()
    return _do(
        case_id,
        f"{username} er tilføjet sagen.",
        case_members.add_member,
        username,
        reason=request.form.get("reason", ""),
    )


@bp.route("/cases/<int:case_id>/access/members/<username>/remove", methods=["POST"])
@roles_required(*ALL_ROLES)
def remove_member(case_id: int, username: str):
    """Remove a person added to the case."""
    return _do(
        case_id,
        f"{username} er fjernet fra sagen.",
        case_members.remove_member,
        username,
        reason=request.form.get("reason") or None,
    )


@bp.route("/cases/<int:case_id>/access/mark", methods=["POST"])
@roles_required(*ALL_ROLES)
def mark(case_id: int):
    """Mark the case sensitive, with a reason."""
    return _do(
        case_id,
        "Sagen er markeret fortrolig.",
        case_members.mark_sensitive,
        reason=request.form.get("reason", ""),
    )


@bp.route("/cases/<int:case_id>/access/unmark", methods=["POST"])
@roles_required(*ALL_ROLES)
def unmark(case_id: int):
    """Lift the mark (managers and the legal contact), with a reason."""
    return _do(
        case_id,
        "Markeringen fortrolig er fjernet.",
        case_members.unmark_sensitive,
        reason=request.form.get("reason", ""),
    )
