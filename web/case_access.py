"""Need-to-know access in the web UI and the API (blueprint ``case_access``; aktflow/case_access.py).

- :func:`guard_page` (before every page request) and :func:`guard_api` (before every API request, after
  the token check): a request for anything under a case (``case_id`` in the route: the page, documents,
  letters, packages, redactions, the access log, actions) by a user who may not see that case in full is
  refused with 403 and a Danish page or JSON error. One check for every route, no check per route.
- The case page's panel ``_case_access.html`` (members, the mark) and its forms:
  ``POST /cases/<id>/access/members`` (``username``, ``reason``),
  ``POST /cases/<id>/access/members/<username>/remove`` (``reason``, optional),
  ``POST /cases/<id>/access/mark`` and ``…/unmark`` (``reason``),
  ``POST /cases/<id>/access/legal-contact`` (``legal_contact``: a username among the legal contacts;
  ``origin``: ``review`` when sent from the legal review page). The case's legal contact is named by the
  workflow's action ``assign_legal_contact`` (the API: ``POST /api/v1/cases/<id>/events/assign_legal_contact``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_login import current_user

from aktflow import case_access, case_members
from aktflow.errors import AktflowError, NotFound, PermissionDenied
from aktflow.queries.case_members import case_access_view
from aktflow.states.fields import INT_MAX
from aktflow.vocabulary import LEGAL

from .auth import ALL_ROLES, roles_required
from .filters import plain

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
    # A refused choice of the legal contact, drawn again with the page (:func:`legal_contact`), else None.
    return {"case_access_panel": case_access_panel, "legal_contact_posted": g.get("legal_contact_posted")}


def case_access_panel(case_id: int) -> dict | None:
    """What ``_case_access.html`` shows for the signed-in user (None when they may not see the case)."""
    try:
        with db().session() as s:
            return case_access_view(s, case_id, current_user)
    except AktflowError:
        return None


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:] + "."


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


#: The pages that carry the legal contact's form, by the form's ``origin``: the case page (its access panel)
#: and the legal review page. A refused choice is drawn again on the page it came from.
LEGAL_CONTACT_PAGES = {
    "case": ("cases.case_page", "#adgang"),
    "review": ("legal.review", "#juridisk-kontakt"),
}


@bp.route("/cases/<int:case_id>/access/legal-contact", methods=["POST"])
@roles_required(*ALL_ROLES)
def legal_contact(case_id: int):
    """Name the case's legal contact (the action ``assign_legal_contact``, through fire()): a user with the
    legal contact's role, chosen by name. Success: a flash and back to the page (303). A refused choice
    (no such legal contact, the same one again, a closed case) draws the page again with the choice kept and
    the message beside the field (400, or 422 when the workflow refuses); 403 for who may not act."""
    origin = request.form.get("origin", "case")
    if origin not in LEGAL_CONTACT_PAGES or (origin == "review" and current_user.role not in LEGAL):
        origin = "case"  # the review page is the legal contact's
    endpoint, anchor = LEGAL_CONTACT_PAGES[origin]
    choice = request.form.get("legal_contact", "").strip()
    try:
        contact = case_members.assign_legal_contact(db(), case_id, choice, actor=current_user.username)
    except NotFound:
        abort(404)
    except PermissionDenied as e:
        abort(403, description=refusal_text(e))
    except AktflowError as e:
        g.legal_contact_posted = {
            "value": choice,
            "message": _sentence(plain(e.detail or e.message)),
            "kind": "validation" if e.http_status == 400 else "workflow",
        }
        page = current_app.view_functions[endpoint](case_id=case_id)
        html = page[0] if isinstance(page, tuple) else page
        return html, 400 if e.http_status == 400 else 422
    flash(f"Juridisk kontakt: {contact['name']}.", "ok")
    return redirect(url_for(endpoint, case_id=case_id) + anchor, 303)


def acting_triggers(case_id: int, allowed: list[str]) -> list[str]:
    """Of the case's ``allowed`` triggers, those the current user may fire on it (need-to-know: a
    colleague's case offers no forms, :func:`aktflow.case_access.can_act`)."""
    if not allowed:
        return []
    with current_app.extensions["aktflow_db"].session() as s:
        return [t for t in allowed if case_access.can_act(s, current_user, case_id, t)]
