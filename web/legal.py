"""The legal contact's queue and review page (blueprint `legal`).

The queue shows the cases that name the signed-in legal contact first ("Din sag") and, masked, the
sensitive cases that name another (docs/access.md); the review page of such a case is refused (403, by
``web.case_access.guard_page``). The review page shows the case's legal contact and the form that names it
(``_legal_contact.html``, posted to ``case_access.legal_contact``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from aktflow import grounds as catalogue
from aktflow import letter_preview, review_comments
from aktflow.case_letters import APPROVED_LETTER_TRIGGERS, pdf_available
from aktflow.errors import AktflowError, NotFound
from aktflow.labels import trigger_label
from aktflow.queries import legal as legal_q
from aktflow.queries.case_members import case_access_view
from aktflow.queries.legal import legal_queue
from aktflow.service import case_view
from aktflow.vocabulary import LEGAL

from .auth import roles_required
from .filters import today as current_today
from .search import sort_args, sort_links, sort_rows

bp = Blueprint("legal", __name__)
LEGAL_ROLES = LEGAL

#: The letters the review page shows, in its order, with their Danish names.
LETTER_NAMES = {"send_decision": "Afgørelsesbrevet", "send_partial_decision": "Delafgørelsesbrevet"}
#: The queue's sortable columns: the case, its next deadline, when the request came and its caseworker
#: (by name; rows without a value last).
QUEUE_SORTS: dict[str, Any] = {
    "id": lambda r: r["id"],
    "due": lambda r: r["next_due"],
    "received": lambda r: r["received"],
    "assignee": lambda r: (r.get("assignee_name") or "").casefold() or None,
}


def db():
    return current_app.extensions["aktflow_db"]


@bp.route("/legal")
@roles_required(*LEGAL_ROLES)
def queue():
    """The cases waiting for the legal contact, the oldest deadline first, or sorted by a column
    (``?sort=id|due|received|assignee&dir=desc``)."""
    sort, desc = sort_args(request.args, QUEUE_SORTS)
    rows = sort_rows(
        legal_queue(db(), today=current_today(), me=current_user.username), sort, desc, QUEUE_SORTS
    )
    sorts = sort_links("legal.queue", request.args, sort, desc, columns=QUEUE_SORTS)
    return render_template("legal_queue.html", rows=rows, sorts=sorts, sort=sort)


@bp.route("/legal/cases/<int:case_id>")
@roles_required(*LEGAL_ROLES)
def review(case_id: int):
    return _review_page(case_id)


@bp.route("/legal/cases/<int:case_id>/documents/<int:document_id>/comments", methods=["POST"])
@roles_required(*LEGAL_ROLES)
def comment(case_id: int, document_id: int):
    """Store a comment on one document (:func:`aktflow.review_comments.add_comment`) and go back to the
    document's row on the review page; on a refusal the page again, the text kept, the message beside it."""
    text = request.form.get("text", "")
    try:
        review_comments.add_comment(
            db(), actor=current_user.username, case_id=case_id, document_id=document_id, text=text
        )
    except NotFound:
        abort(404)
    except AktflowError as e:
        if e.http_status == 403:
            abort(403)
        return _review_page(case_id, errors={document_id: e.detail or e.message}, typed={document_id: text})
    flash("Kommentaren er gemt. Sagsbehandleren ser den på sagen og på dokumentet.", "ok")
    return redirect(url_for("legal.review", case_id=case_id) + f"#dok-{document_id}", code=303)


def _review_page(case_id: int, errors: dict[int, str] | None = None, typed: dict[int, str] | None = None):
    try:
        view = case_view(db(), case_id, role=current_user.role)
    except NotFound:
        abort(404)
    with db().session() as s:
        extra = legal_q.review_context(s, case_id)
        comments = legal_q.review_comments(s, case_id)
        access = case_access_view(s, case_id, current_user)  # the legal contact and its form
    labels = {g.code: g for g in catalogue.all_grounds()}
    by_doc: dict[int, list[dict[str, Any]]] = {}
    for c in comments:
        by_doc.setdefault(c["document_id"], []).append(c)
    partial_note = (request.args.get("delafgoerelse") or "").strip()[:2000]
    letters = _letters(case_id, view, current_user.username, partial_note)
    html = render_template(
        "legal_review.html",
        c=view,
        flags=extra["flags"],
        notes=extra["notes"],
        approval=extra["approval"],
        labels=labels,
        letters=letters,
        pdf_ok=pdf_available(),
        comments=by_doc,
        comment_errors=errors or {},
        comment_typed=typed or {},
        may_comment=view["state"] in review_comments.STATES,
        acc=access,
    )
    return html, (400 if errors else 200)


def _letters(case_id: int, view: dict, username: str, partial_note: str = "") -> list[dict[str, Any]]:
    """The decision letters as they would be sent now, for the legal contact to see and approve — the final
    decision and the partial decision (approve_legal's ``letter_trigger``; its letter with ``partial_note``,
    the send form's "Hvad udleveres nu"). Each: ``trigger``, ``name``, ``action`` (the trigger's label),
    ``note`` (the partial decision's note, else None), ``letter`` (the preview, or None with ``error``
    saying why, or ``needs_note`` while the partial decision's text is not written) and ``pdf``/``docx``
    (URLs). Only while the approval can be given (its form carries the
    fingerprint)."""
    if "approve_legal" not in view["allowed_triggers"]:
        return []
    out = []
    for trigger in APPROVED_LETTER_TRIGGERS:
        row: dict[str, Any] = {
            "trigger": trigger,
            "name": LETTER_NAMES.get(trigger, trigger_label(trigger)),
            "action": trigger_label(trigger),
            "letter": None,
        }
        # The partial decision's letter says what is released now: the send form's note, typed here.
        query = {"note": partial_note} if trigger == "send_partial_decision" and partial_note else {}
        row["note"] = partial_note if trigger == "send_partial_decision" else None
        if trigger == "send_partial_decision" and not partial_note:
            row["needs_note"] = True  # nothing to show before the text is written
        else:
            try:
                row["letter"] = letter_preview.preview(db(), case_id, trigger, actor=username, **query)
            except AktflowError as e:
                row["error"] = e.detail or e.message
        for ext in ("pdf", "docx"):
            row[ext] = url_for(
                "cases.letter_preview_file", case_id=case_id, trigger=trigger, ext=ext, **query
            )
        out.append(row)
    return out


@bp.app_template_global()
def review_comments_for(case_id: int, document_id: int | None = None) -> list[dict[str, Any]]:
    """For ``_review_comments.html`` on the case page and the document page: the legal contact's comments
    on the case's documents (only ``document_id``'s when given), as
    :func:`aktflow.queries.legal.review_comments` gives them."""
    return legal_q.case_review_comments(db(), case_id, document_id)
