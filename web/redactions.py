"""Redaction on the web (docs/redaction.md): page images to draw a region on, the document as it will be
released, and the panel on the document page (proposals, redactions, the forms).

The forms post to the case's action route (``cases.case_action``) like every action; this blueprint only
reads. The original page image is for the caseworker, the legal contact and managers (and administrators),
who see cases in full (docs/access.md); the released rendering is for every role that may see the case.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, make_response, request, url_for

from aktflow import grounds as catalogue
from aktflow.errors import AktflowError, NotFound
from aktflow.pdf_engines import LOCK
from aktflow.queries import redactions as redactions_q
from aktflow.vocabulary import ADMIN, CASEWORKER, LEGAL_CONTACT, MANAGER

from .auth import ALL_ROLES, roles_required

bp = Blueprint("redactions", __name__)

ORIGINAL_ROLES = (CASEWORKER, LEGAL_CONTACT, MANAGER, ADMIN)


def db():
    return current_app.extensions["aktflow_db"]


def _png(data: bytes) -> Response:
    resp = make_response(data)
    resp.mimetype = "image/png"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def _page_number() -> int:
    raw = request.args.get("side", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


@bp.route("/cases/<int:case_id>/documents/<int:document_id>/pages/<int:page>.png")
@roles_required(*ORIGINAL_ROLES)
def original_page(case_id: int, document_id: int, page: int):
    """The original page as an image (for drawing a region redaction on it)."""
    from aktflow.redaction.pages import render_page

    try:
        with LOCK:  # pdfium and MuPDF are not thread-safe (aktflow.pdf_engines)
            pdf = redactions_q.original_pdf(db(), case_id, document_id)
            if pdf is None:
                abort(404)
            image, _geometry = render_page(pdf, page)
    except (NotFound, AktflowError):
        abort(404)
    return _png(image)


@bp.route("/cases/<int:case_id>/documents/<int:document_id>/released/pages/<int:page>.png")
@roles_required(*ALL_ROLES)
def released_page(case_id: int, document_id: int, page: int):
    """The page as it will be released (redactions burnt in)."""
    from aktflow.redaction.pages import render_page

    try:
        with LOCK:
            found = redactions_q.released_pdf(db(), case_id, document_id)
            if found is None:
                abort(404)
            image, _geometry = render_page(found[0], page)
    except (NotFound, AktflowError):
        abort(404)
    return _png(image)


@bp.route("/cases/<int:case_id>/documents/<int:document_id>/released.pdf")
@roles_required(*ALL_ROLES)
def released_file(case_id: int, document_id: int):
    """The document as it will be released, as a PDF; refused (409) when the leak check fails."""
    try:
        with LOCK:
            found = redactions_q.released_pdf(db(), case_id, document_id)
    except NotFound:
        abort(404)
    except AktflowError as e:
        return Response(e.detail, status=409, mimetype="text/plain")
    if found is None:
        abort(404)
    pdf, report = found
    if not report.ok:
        return Response(report.reason(), status=409, mimetype="text/plain")
    resp = make_response(pdf)
    resp.mimetype = "application/pdf"
    resp.headers["Content-Disposition"] = f'attachment; filename="dokument-{document_id}-udlevering.pdf"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def panel(case_id: int, document_id: int) -> dict[str, Any]:
    """What the document page's redaction panel shows: the document's redactions and proposals, the
    grounds for the case's basis, whether they can be changed now, the page to draw on and its geometry
    (``None`` when the file has no pages here), and the leak check of the released version."""
    from flask_login import current_user

    from aktflow.redaction.pages import page_geometry
    from aktflow.service import case_view

    role = current_user.role
    case = case_view(db(), case_id, role=role)
    view = redactions_q.document_redactions(db(), case["id"], document_id)
    from .case_access import acting_triggers

    editable = "redact" in acting_triggers(case_id, case["allowed_triggers"])  # not on a colleague's case
    page = _page_number()
    geometry = None
    leak = None
    if view["has_file"]:
        try:
            with LOCK:
                pdf = redactions_q.original_pdf(db(), case["id"], document_id)
            if pdf is not None:
                with LOCK:  # pdfium and MuPDF are not thread-safe (aktflow.pdf_engines)
                    geometry = page_geometry(pdf, page)
                    if geometry is not None and not 1 <= page <= geometry["pages"]:
                        page = 1
                        geometry = page_geometry(pdf, page)
                    found = redactions_q.released_pdf(db(), case["id"], document_id)
                leak = found[1] if found is not None else None
        except AktflowError:
            geometry = None
    return {
        **view,
        "case": case,
        "editable": editable,
        "grounds": catalogue.for_basis(case["basis"]),
        "page": page,
        "geometry": geometry,
        "leak": leak,
        "show_original": role in ORIGINAL_ROLES,
        "here": url_for("cases.document_page", case_id=case["id"], document_id=document_id, side=page),
    }
