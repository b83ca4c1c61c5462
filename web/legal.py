"""The legal contact's queue and review page (blueprint `legal`)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, url_for

from aktflow import grounds as catalogue
from aktflow import letter_preview
from aktflow.case_letters import APPROVED_LETTER_TRIGGER, pdf_available
from aktflow.errors import AktflowError, NotFound
from aktflow.queries import legal as legal_q
from aktflow.queries.legal import legal_queue
from aktflow.service import case_view
from aktflow.vocabulary import LEGAL

from .auth import roles_required
from .filters import today as current_today

bp = Blueprint("legal", __name__)
LEGAL_ROLES = LEGAL


def db():
    return current_app.extensions["aktflow_db"]


@bp.route("/legal")
@roles_required(*LEGAL_ROLES)
def queue():
    return render_template("legal_queue.html", rows=legal_queue(db(), today=current_today()))


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
        **_decision_letter(case_id, view, current_user.username),
    )


def _decision_letter(case_id: int, view: dict, username: str) -> dict:
    """The decision letter as it would be sent now, for the legal contact to see and approve: ``letter``
    (the preview, or None with ``letter_error`` saying why), ``letter_pdf``/``letter_docx`` (URLs),
    ``pdf_ok``. Only while the approval can be given (the page's approve form carries its fingerprint)."""
    if "approve_legal" not in view["allowed_triggers"]:
        return {"letter": None}
    try:
        seen = letter_preview.preview(db(), case_id, APPROVED_LETTER_TRIGGER, actor=username)
    except AktflowError as e:
        return {"letter": None, "letter_error": e.message}
    urls = {
        f"letter_{ext}": url_for(
            "cases.letter_preview_file", case_id=case_id, trigger=APPROVED_LETTER_TRIGGER, ext=ext
        )
        for ext in ("pdf", "docx")
    }
    return {"letter": seen, "pdf_ok": pdf_available(), **urls}
