"""Work on many documents at once: upload several files, assess a selection, view a file in the browser.

Every change goes through the same use case as the single forms: each file is one ``add_document`` and
each assessed document one ``assess_document`` (one ``fire()`` each, so one event each and the same
checks, the texts the law needs included). A failure is reported per file or document; what was done
before it stands.

- ``POST /cases/<id>/documents/upload``: one or more files (``files``), each stored as a document titled
  by its file name (without the extension) unless ``title`` is given for a single file. Asked with
  ``Accept: application/json`` (``static/upload.js`` sends one file per request, for its progress bar)
  it answers per file ``{"ok", "title", "document_id"}`` or ``{"ok": false, "error"}`` (status 400/422).
- ``POST /cases/<id>/documents/assess``: ``document_ids`` (the checked documents), ``outcome``,
  ``grounds`` and the texts; the case's ``version`` is checked on the first document. Every document that
  can be is assessed; the ones that fail are named with their reason and stay checked (``?valgt=``).
- ``GET /cases/<id>/documents/<doc>/inline``: a PDF or an image shown in the page (``Content-Disposition:
  inline``, the content type read from the file's own first bytes, ``nosniff``, a sandboxing CSP); any
  other file (HTML, SVG, Office files, …) is never shown inline: the document's page shows its text.

The template globals ``documents_page`` (the case page's documents in pages, with filters) and
``grounds_by_use`` (the assessment form's grounds, the most used first) are registered here.
"""

from __future__ import annotations

import io
import os
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user

from aktflow import states
from aktflow.documents import Attachment
from aktflow.errors import AktflowError, ConflictError, NotFound, ValidationError
from aktflow.exits import mask, mask_filename
from aktflow.queries import case_documents
from aktflow.queries import documents as documents_q
from aktflow.service import fire
from aktflow.vocabulary import CASEWORK

from . import access
from .auth import ALL_ROLES, roles_required
from .exits import download_name
from .filters import plain

bp = Blueprint("bulk", __name__)

# Fields of assess_document that belong to one document only: never applied to a selection.
PER_DOCUMENT = ("document_id", "released_title", "released_sender")
# What a browser may show inline, by the file's first bytes: never HTML, SVG or script.
INLINE_TYPES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def db():
    return current_app.extensions["aktflow_db"]


def _message(e: AktflowError, spec: states.TriggerSpec) -> str:
    if isinstance(e, ValidationError):
        label = next((f.label for f in spec.fields if f.name == e.field), None) or e.field
        return f"{label}: {e.detail}"
    return plain(e.message)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def default_title(filename: str) -> str:
    """A document's title from its file name: the name without folders and extension, CPR numbers masked,
    at most 300 characters (``"Referat 3. maj.pdf"`` → ``"Referat 3. maj"``)."""
    base = os.path.basename(filename.replace("\\", "/"))
    stem = base.rsplit(".", 1)[0] if "." in base.strip(".") else base
    return (mask(stem).strip() or "Dokument")[:300]


@bp.route("/cases/<int:case_id>/documents/upload", methods=["POST"])
@roles_required(*CASEWORK)
def upload(case_id: int):
    """Store each uploaded file as a document of the case (``add_document``, one event per file)."""
    spec = states.TRIGGERS["add_document"]
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not files:
        if _wants_json():
            return jsonify({"ok": False, "error": "Vælg mindst én fil."}), 400
        flash("Tilføj filer: vælg mindst én fil.", "error")
        return redirect(_page(case_id), 303)
    given_title = (request.form.get("title") or "").strip()
    done: list[str] = []
    failed: list[str] = []
    last_error: tuple[int, str] | None = None
    document_id = None
    for f in files:
        title = given_title if given_title and len(files) == 1 else default_title(f.filename or "")
        try:
            case = fire(
                db(),
                case_id,
                "add_document",
                actor=current_user.username,
                data={"title": title},
                attachment=Attachment(f.filename or title, f.read()),
            )
        except NotFound:
            abort(404)
        except AktflowError as e:
            if e.http_status == 403:
                abort(403)
            # One file refused: the others are still stored.
            last_error = (e.http_status, _message(e, spec))
            failed.append(f"{mask_filename(f.filename or '')}: {_message(e, spec)}")
            continue
        document_id = max(d.id for d in case.documents)
        done.append(title)
    if _wants_json():
        if last_error and not done:
            return jsonify({"ok": False, "error": last_error[1]}), last_error[0]
        return jsonify({"ok": True, "title": done[0] if done else None, "document_id": document_id})
    if done:
        flash(f"{len(done)} fil{'er' if len(done) != 1 else ''} tilføjet: {'; '.join(done)}.", "ok")
    for line in failed:
        flash(f"Ikke tilføjet — {line}", "error")
    return redirect(_page(case_id), 303)


def bulk_data(form: Any) -> dict[str, Any]:
    """The assessment a selection gets (every assess_document field but the per-document ones), read by the
    fields' own form parsing."""
    spec = states.TRIGGERS["assess_document"]
    return {
        f.name: value
        for f in spec.fields
        if f.in_data and f.name not in PER_DOCUMENT and (value := f.from_form(form)) is not None
    }


@bp.route("/cases/<int:case_id>/documents/assess", methods=["POST"])
@roles_required(*CASEWORK)
def assess(case_id: int):
    """Assess every checked document the same way, one ``assess_document`` each, in the order listed.

    A document that cannot be assessed (a missing text the law needs, a ground that does not fit, a guard)
    does not stop the others: every document that can be is assessed, and each one that failed is named
    with its Danish reason. The case page comes back with the failed documents still checked and the form
    open (``?valgt=<ids>#vurder-valgte``), on the same page of the list. A change by someone else (the
    version) stops at once: nothing more is assessed on a case the user has not seen."""
    spec = states.TRIGGERS["assess_document"]
    form = request.form
    where = {k: form[k] for k in ("dok", "side") if form.get(k)}
    page = _page(case_id)
    try:
        version = int(form.get("version", ""))
    except ValueError:
        flash("Formularen mangler sagens version; siden er genindlæst.", "error")
        return redirect(page, 303)
    ids: list[int] = []
    for raw in form.getlist("document_ids"):
        if raw.isdigit() and int(raw) not in ids:
            ids.append(int(raw))
    if not ids:
        flash("Vurdér valgte: vælg mindst ét dokument.", "error")
        return redirect(page, 303)
    if not form.get("outcome"):
        flash("Vurdér valgte: vælg en vurdering (udlevering, delvis udlevering eller afslag).", "error")
        _keep_draft(case_id, form)
        return redirect(_selected_page(case_id, ids, where), 303)
    data = bulk_data(form)
    done: list[int] = []
    failed: list[tuple[int, str]] = []
    for doc_id in ids:
        try:
            case = fire(
                db(),
                case_id,
                "assess_document",
                actor=current_user.username,
                data={**data, "document_id": doc_id},
                expect_version=version,
            )
        except ConflictError:
            flash(
                "Sagen er ændret af en anden, mens du havde den åben. Her er den nyeste udgave — "
                + (f"{_count(len(done))} nåede at blive vurderet; " if done else "intet er vurderet; ")
                + "se hvad der er sket, og prøv igen.",
                "conflict",
            )
            rest = [i for i in ids if i not in done]
            _keep_draft(case_id, form)
            return redirect(_selected_page(case_id, rest, where), 303)
        except NotFound:
            abort(404)
        except AktflowError as e:
            if e.http_status == 403:
                abort(403)
            failed.append((doc_id, _message(e, spec)))
            continue
        version = case.version
        done.append(doc_id)
    if done:
        flash(f"Vurdering gemt for {_count(len(done))}.", "ok")
    if not failed:
        return redirect(_page(case_id, where=where), 303)
    numbers = _numbers(case_id)
    flash(
        f"{_count(len(failed)).capitalize()} blev ikke vurderet"
        + (" (de andre er gemt)" if done else "")
        + (". Det er stadig valgt" if len(failed) == 1 else ". De er stadig valgt")
        + ", så du kan rette og prøve igen:",
        "error",
    )
    for doc_id, why in failed:
        flash(f"Dokument {numbers.get(doc_id, f'id {doc_id}')}: {why}", "error")
    _keep_draft(case_id, form)
    return redirect(_selected_page(case_id, [d for d, _ in failed], where), 303)


def _count(n: int) -> str:
    return f"{n} dokument{'er' if n != 1 else ''}"


def _page(case_id: int, anchor: str = "dokumenter", where: dict[str, str] | None = None) -> str:
    return url_for("cases.case_page", case_id=case_id, **(where or {})) + f"#{anchor}"


def _selected_page(case_id: int, ids: list[int], where: dict[str, str]) -> str:
    """The case page with ``ids`` checked in the documents' list and the bulk form open."""
    url = url_for("cases.case_page", case_id=case_id, **where, valgt=",".join(map(str, ids)))
    return url + "#vurder-valgte"


def _numbers(case_id: int) -> dict[int, str]:
    """The documents' numbers in the register (``"nr. 3"``) by id, for the messages."""
    from aktflow.service import case_view

    try:
        view = case_view(db(), case_id)
    except NotFound:
        return {}
    return {d["id"]: f"nr. {d['no']}" for d in view["documents"]}


#: The session key of what was typed in a bulk assessment that did not go through for every document.
_DRAFT = "bulk_draft"


def _keep_draft(case_id: int, form: Any) -> None:
    """Keep what was typed in the bulk form (outcome, grounds, texts) for the page drawn next, so nothing
    typed is lost when some documents could not be assessed. Kept in the server-side session (never the
    cookie, never the URL: a reason or note may hold personal data), for this case and one page view."""
    spec = states.TRIGGERS["assess_document"]
    values = {
        f.name: form.get(f.name, "")[:20_000]
        for f in spec.fields
        if f.name not in PER_DOCUMENT and f.name not in ("outcome", "grounds") and form.get(f.name)
    }
    session[_DRAFT] = {
        "case": case_id,
        "outcome": form.get("outcome") or "",
        "grounds": form.getlist("grounds")[:200],
        "values": values,
    }


@bp.app_template_global()
def bulk_draft() -> dict[str, Any]:
    """What was typed in the bulk form of this case's page before some documents failed (see
    :func:`_keep_draft`), once: ``{"outcome": str, "grounds": [code], "values": {field: text}}``, empty
    when there is none."""
    draft = session.get(_DRAFT)
    if not draft or draft.get("case") != (request.view_args or {}).get("case_id"):
        return {"outcome": "", "grounds": [], "values": {}}
    session.pop(_DRAFT, None)
    return draft


@bp.app_template_global()
def bulk_selected() -> set[int]:
    """The documents checked again on the case page after a bulk assessment (``?valgt=3,5``): the ones
    that failed, so the user can correct and try again."""
    raw = request.args.get("valgt") or ""
    return {int(p) for p in raw.split(",")[:1000] if p.isdigit() and len(p) < 12}


def inline_type(content: bytes) -> str | None:
    """The content type a browser may show inline for a file starting with ``content``'s bytes: PDF, PNG,
    JPEG or GIF; None for anything else (HTML, SVG, text, Office files are never shown inline)."""
    return next((ctype for magic, ctype in INLINE_TYPES if content.startswith(magic)), None)


@bp.route("/cases/<int:case_id>/documents/<int:document_id>/inline")
@roles_required(*ALL_ROLES)
def inline(case_id: int, document_id: int) -> Response:
    """The document's file for the browser's own viewer (PDF in a frame, an image): 404 for a file that is
    not a PDF or an image (the document page shows its extracted text instead)."""
    try:
        name, _stored_type, content = documents_q.document_file(db(), case_id, document_id)
    except NotFound:
        abort(404)
    ctype = inline_type(content)
    if ctype is None:
        abort(404)
    access.record(case_id, "document", document_id, name)
    resp = send_file(io.BytesIO(content), mimetype=ctype, download_name=download_name(name), max_age=0)
    resp.headers["Content-Disposition"] = resp.headers["Content-Disposition"].replace(
        "attachment", "inline", 1
    )
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["X-Frame-Options"] = "SAMEORIGIN"
    # An image is shown sandboxed (no script, no origin); Chromium's PDF viewer does not run in a sandboxed
    # document, so a PDF gets the letter preview's policy: nothing loads, framed by aktflow's pages only.
    sandbox = "" if ctype == "application/pdf" else "sandbox; "
    resp.headers["Content-Security-Policy"] = f"{sandbox}default-src 'none'; frame-ancestors 'self'"
    return resp


@bp.app_template_global()
def documents_page(documents: list[dict[str, Any]]) -> case_documents.DocumentsPage:
    """The page of ``documents`` the address asks for (``?dok=<filter>&side=<n>``)."""
    return case_documents.documents_page(
        documents, show=request.args.get("dok"), page=request.args.get("side", 1)
    )


@bp.app_template_global()
def grounds_by_use(grounds: list[Any]) -> list[tuple[Any, int]]:
    """``grounds`` with how often this municipality used each, the most used first (one query)."""
    with db().session() as s:
        usage = case_documents.grounds_usage(s)
    return case_documents.by_use(grounds, usage)


@bp.app_template_global()
def inline_viewable(filename: str | None) -> str | None:
    """ "pdf" or "image" when a file by that name may be shown by the browser (the route checks its
    bytes again), else None."""
    ext = (filename or "").rsplit(".", 1)[-1].lower()
    if ext == "pdf":
        return "pdf"
    if ext in ("png", "jpg", "jpeg", "gif"):
        return "image"
    return None


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {"DOCUMENT_FILTERS": case_documents.SHOW}
