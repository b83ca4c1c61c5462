"""Case list, intake, the case page, its actions (with upload), letters and the KLE search."""

from __future__ import annotations

import datetime as dt
import io
import secrets

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from aktflow import case_access, kle, letter_preview, states
from aktflow import grounds as catalogue
from aktflow.case_letters import letter_pdf, pdf_available
from aktflow.documents import Attachment
from aktflow.errors import AktflowError, ConflictError, NotFound, PermissionDenied, ValidationError
from aktflow.exits import mask
from aktflow.queries import cases as cases_q
from aktflow.queries import dashboard as read
from aktflow.queries import documents as documents_q
from aktflow.queries import users as users_q
from aktflow.queries.case_page import next_steps
from aktflow.queries.letters import letter_file
from aktflow.service import (
    IdempotencyMismatch,
    IntakeInvalid,
    action_hints,
    case_page_view,
    case_view,
    fire,
    submit_case,
)
from aktflow.vocabulary import BASES, CASEWORK, CHANNELS, DOCX_MIME, mine_by_default

from . import access
from .auth import ALL_ROLES, home_url, roles_required
from .case_access import acting_triggers, refusal_text
from .colleague import colleague_view
from .exits import download_name
from .filters import parse_form_date, plain, today
from .search import sort_links
from .svg import workflow_svg

bp = Blueprint("cases", __name__)

INTAKE_FIELDS = (
    "requester",
    "email",
    "cpr",
    "cvr",
    "address",
    "received",
    "channel",
    "basis",
    "subject",
    "emne",
    "assign",
)


def db():
    return current_app.extensions["aktflow_db"]


def _today() -> dt.date:
    return today()


@bp.route("/")
@login_required
def home():
    return redirect(home_url(current_user.role))


@bp.route("/cases")
@roles_required(*ALL_ROLES)
def case_list():
    mine = request.args.get("mine", "1" if mine_by_default(current_user.role) else "0") == "1"
    state = request.args.get("state") or None
    if state and state not in states.STATES:
        state = None
    f = read.Filters(assignee_id=current_user.id if mine else None)
    sort = request.args.get("sort") if request.args.get("sort") in cases_q.SORT_COLUMNS else None
    desc = request.args.get("dir") == "desc"
    with db().session() as s:
        rows = cases_q.case_rows(
            s,
            _today(),
            f,
            which="all" if state else "open",
            state=state,
            limit=500,
            sort=sort,
            descending=desc,
        )
        rows = case_access.mask_rows(s, current_user, rows)  # need-to-know: "Fortrolig sag"
    sorts = sort_links("cases.case_list", request.args, sort, desc, mine=1 if mine else 0)
    return render_template("cases.html", cases=rows, mine=mine, state=state, sorts=sorts, sort=sort)


# --- intake --------------------------------------------------------------------------------------------------


def _intake_form(values: dict, errors: dict, status: int = 200):
    with db().session() as s:
        assignees = users_q.assignable_users(s)
    return render_template(
        "new_case.html",
        v=values,
        errors=errors,
        assignees=assignees,
        bases=BASES,
        channels=CHANNELS,
        has_plan=kle.has_plan(db()),
        today=_today(),
    ), status


@bp.route("/cases/new", methods=["GET", "POST"])
@roles_required(*CASEWORK)
def new_case():
    if request.method == "GET":
        return _intake_form(
            {
                "received": _today().strftime("%d.%m.%Y"),
                "basis": "ofl",
                "channel": "e-mail",
                "assign": current_user.username,
                # A one-time token: a second POST of this form gives the case the first one created.
                "intake_token": secrets.token_urlsafe(24),
            },
            {},
        )
    v = {k: (request.form.get(k) or "").strip() for k in INTAKE_FIELDS}
    v["intake_token"] = (request.form.get("intake_token") or "").strip()
    errors: dict[str, str] = {}
    received = v["received"]
    try:
        typed = parse_form_date(received)
        received = typed.isoformat() if typed else ""
    except ValueError as e:
        errors["received"] = str(e)
    # The service's validation is the one rule (received, KLE emne, CPR, …): every bad field is named at once.
    try:
        sub = submit_case(
            db(),
            idempotency_key=f"form-{v['intake_token']}" if v["intake_token"] else None,
            actor=current_user.username,
            requester=v["requester"],
            received=received,
            basis=v["basis"],
            subject=v["subject"],
            emne=v["emne"],
            email=v["email"] or None,
            assign=v["assign"] or None,
            channel=v["channel"] or None,
            cpr=v["cpr"] or None,
            cvr=v["cvr"] or None,
            address=v["address"] or None,
        )
    except IntakeInvalid as e:
        for name, detail in e.problems.items():
            errors.setdefault(name if name in INTAKE_FIELDS else "_form", _sentence(detail))
    except ValidationError as e:
        field = "assign" if e.field == "assignee" else e.field
        errors.setdefault(field if field in INTAKE_FIELDS else "_form", _sentence(e.detail))
    except IdempotencyMismatch as e:
        # The same form sent again with other values (back, edit, send): the first case stands.
        flash(
            f"Formularen var allerede sendt og oprettede sag #{e.case_id}. Ændringerne er ikke gemt; "
            "skal der registreres en ny anmodning, så åbn formularen igen.",
            "error",
        )
        return redirect(url_for("cases.case_page", case_id=e.case_id), 303)
    except AktflowError as e:
        if e.http_status == 403:
            abort(403)
        errors["_form"] = e.message
    else:
        case = sub.case
        if not sub.created:
            flash(f"Formularen var allerede sendt: anmodningen er registreret som sag #{case.id}.", "ok")
        else:
            flash(
                f"Anmodningen er registreret som sag #{case.id}. Næste skridt: opret sagen i arkivet.",
                "ok",
            )
        return redirect(url_for("cases.case_page", case_id=case.id), 303)
    return _intake_form(v, errors, 400)


def _sentence(detail: str) -> str:
    """A service message as a sentence next to a field: capital first letter, a full stop."""
    detail = detail.strip()
    if not detail:
        return detail
    detail = detail[0].upper() + detail[1:]
    return detail if detail.endswith((".", "?", "!", ")")) else detail + "."


@bp.route("/kle")
@login_required
def kle_search():
    q = request.args.get("q", "")
    return jsonify({"plan": kle.has_plan(db()), "results": kle.search(db(), q, limit=20)})


# --- the case page ------------------------------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>")
@roles_required(*ALL_ROLES)
def case_page(case_id: int):
    return _case_page(case_id)


def _case_page(case_id: int, posted: dict | None = None, status: int = 200):
    """The case page; ``posted`` (see :func:`_posted`) is a form that failed: drawn again with what was
    typed, its message next to the field and an error summary in the form (status 400/409/422)."""
    try:
        # One unit of work reads the view, the hints, the users and the access panel (docs/benchmarks.md).
        page = case_page_view(db(), case_id, username=current_user.username, role=current_user.role)
    except NotFound:
        abort(404)
    except PermissionDenied as e:  # need-to-know, checked in the same unit of work (web.case_access)
        abort(403, description=refusal_text(e))
    view, hints = page.view, page.hints
    colleague = colleague_view(case_id, view, hints, current_user, page.names)  # sees, may not act
    return render_template(
        "case.html",
        c=view,
        names=page.names,  # every actor in the timeline
        hints=hints,
        assignees=page.assignees,
        access=page.access,
        all_events=request.args.get("forloeb") == "alle",
        grounds=catalogue.for_basis(view["basis"]),
        ground_names={g.code: g for g in catalogue.all_grounds()},
        kle_title=kle.title_of(db(), view["emne"]),
        pdf_ok=pdf_available(),
        confirmed_triggers=letter_preview.confirmed_triggers(),
        letter_first=letter_preview.seen_triggers(),
        steps=next_steps(view, hints) if colleague is None else {"main": [], "waiting": [], "side": []},
        colleague=colleague,
        diagram=workflow_svg(view["state"], view["state_label"]),
        posted=posted,
    ), status


from .auth import safe_next as _safe_next  # noqa: E402

_ANCHOR = {
    "add_document": "dokumenter",
    "edit_document": "dokumenter",
    "remove_document": "dokumenter",
    "assess_document": "dokumenter",
}


#: The triggers whose forms sit on one document (the form's ``document_id`` says which).
_PER_DOCUMENT = ("edit_document", "remove_document", "assess_document")

#: HTTP status of a form drawn again after an error: bad input, a refusal by the workflow, a stale version.
_FORM_STATUS = {"validation": 400, "workflow": 422, "conflict": 409}


def _posted(
    spec: states.TriggerSpec,
    form,
    *,
    kind: str,
    message: str,
    field: str | None = None,
    field_text: str | None = None,
) -> dict:
    """A failed form as the page draws it again: ``trigger``; ``scope`` (the document of a per-document
    form, else None); ``values`` (what was typed, by field name, in the form the field macro shows: lists
    for multiple choices, ints for documents, bools for checkboxes); ``note``; ``errors`` (field name →
    Danish sentence); ``message`` (for the error summary); ``kind`` (validation | workflow | conflict)."""
    values: dict = {}
    for f in spec.fields:
        if f.widget == "checkbox":
            values[f.name] = f.name in form
        elif f.widget in ("grounds", "documents"):
            raw = form.getlist(f.name)
            values[f.name] = [int(x) for x in raw if x.isdigit()] if f.widget == "documents" else raw
        elif f.widget == "document":
            raw = form.get(f.name, "")
            values[f.name] = int(raw) if raw.isdigit() else None
        elif f.widget != "file" and f.name in form:
            values[f.name] = form.get(f.name)
    if "outcome" in form:
        values["outcome"] = form.get("outcome")
    scope = None
    if spec.name in _PER_DOCUMENT and str(form.get("document_id", "")).isdigit():
        scope = int(form["document_id"])
    # Next to the field, the sentence alone (its label stands above it); in the summary, label and sentence.
    errors = {field: field_text or message} if field else {}
    return {
        "trigger": spec.name,
        "scope": scope,
        "values": values,
        "note": form.get("note") or "",
        "errors": errors,
        "message": message,
        "kind": kind,
    }


def _normalise_dates(spec: states.TriggerSpec, form) -> tuple[dict, dict[str, str]]:
    """The form with each date field (``date``, ``future_date``) typed as dd.mm.åååå or åååå-mm-dd turned
    into åååå-mm-dd (:func:`web.filters.parse_form_date`), and the Danish sentence of each it cannot read."""
    values = form.copy()
    errors: dict[str, str] = {}
    for f in spec.fields:
        if f.widget in ("date", "future_date") and f.name in form:
            try:
                d = parse_form_date(form.get(f.name))
            except ValueError as e:
                errors[f.name] = _sentence(str(e))
                continue
            values[f.name] = d.isoformat() if d else ""
    return values, errors


def _failed_form(case_id: int, spec: states.TriggerSpec, posted: dict):
    """Draw the page the failed form was on again, with it: the case page, or the document page for an
    assessment sent from there. Forms from other pages (the legal review, the dashboard, redaction) get
    the message as a flash on their page."""
    status = _FORM_STATUS[posted["kind"]]
    back = _safe_next(request.form.get("back"))
    origin = back or _safe_next(request.form.get("next"))
    doc_page = (
        url_for("cases.document_page", case_id=case_id, document_id=posted["scope"])
        if posted["scope"] is not None
        else None
    )
    page = url_for("cases.case_page", case_id=case_id)
    here = origin.split("#")[0] if origin else page
    if spec.name == "assess_document" and doc_page and here in (page, doc_page):
        # The assessment form lives on the document's page.
        return _document_page(case_id, posted["scope"], posted, status)
    if here == page:
        return _case_page(case_id, posted, status)
    flash(f"{spec.label}: blev ikke udført — {posted['message']}", "error")
    return redirect(back or page, 303)


@bp.route("/cases/<int:case_id>/actions/<trigger>", methods=["POST"])
@roles_required(*ALL_ROLES)
def case_action(case_id: int, trigger: str):
    """Fire ``trigger`` with the form's fields. Success: a flash and a redirect (303) to the page the form
    came from (no second POST on reload). A failure draws that page again with everything typed kept (the
    file of an upload excepted: a browser never lets a page fill in a file), the message next to the field
    that failed and an error summary in the form: 400 for bad input, 422 when the workflow refuses, 409
    when someone else changed the case since it was opened (the page shows the case as it is now)."""
    spec = states.TRIGGERS.get(trigger)
    if spec is None or spec.system:
        abort(404)
    page = url_for("cases.case_page", case_id=case_id)
    back = page + (f"#{_ANCHOR[trigger]}" if trigger in _ANCHOR else "")
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        flash("Handlingen blev ikke udført: formularen var ufuldstændig; siden er hentet igen.", "error")
        return redirect(page, 303)
    form, date_errors = _normalise_dates(spec, request.form)
    if date_errors:
        name, message = next(iter(date_errors.items()))
        return _failed_form(
            case_id,
            spec,
            _posted(
                spec,
                request.form,
                kind="validation",
                message=_field_message(spec, name, message),
                field=name,
                field_text=_sentence(message),
            ),
        )
    data = {}
    attachment = None
    for f in spec.fields:
        if f.in_data and (value := f.from_form(form)) is not None:
            data[f.name] = value
        elif (upload := f.from_files(request.files)) is not None:
            attachment = Attachment(*upload)
    try:
        letter_preview.require_seen(trigger, data)
    except ValidationError:
        # The form sends a decision only from the preview page, with the letter's fingerprint.
        flash(f"{spec.label}: blev ikke udført — se brevet først ('Se brevet') og send det derfra.", "error")
        return redirect(_safe_next(form.get("back")) or back, 303)
    try:
        fire(
            db(),
            case_id,
            trigger,
            actor=current_user.username,
            note=form.get("note") or None,
            data=data,
            expect_version=version,
            attachment=attachment,
        )
    except ConflictError:
        message = (
            "Sagen er ændret af en anden, siden du åbnede den. Her er sagen, som den ser ud nu, og det du "
            "skrev, står stadig i formularen — se hvad der er sket, og send igen, hvis det stadig er rigtigt."
        )
        return _failed_form(case_id, spec, _posted(spec, request.form, kind="conflict", message=message))
    except NotFound:
        abort(404)
    except AktflowError as e:
        if e.http_status == 403:
            abort(403)
        if isinstance(e, ValidationError):
            field = _form_field(spec, e.field)
            posted = _posted(
                spec,
                request.form,
                kind="validation",
                message=_field_message(spec, e.field, e.detail),
                field=field,
                field_text=_sentence(plain(e.detail)),
            )
        else:
            posted = _posted(spec, request.form, kind="workflow", message=_sentence(plain(e.message)))
        return _failed_form(case_id, spec, posted)
    flash(f"{spec.label}: udført.", "ok")
    return redirect(_safe_next(form.get("next")) or back, 303)


def _form_field(spec: states.TriggerSpec, name: str | None) -> str | None:
    """The form field a service error names (``file``, ``grounds``, …), or None when it is not one of the
    form's own fields (the message then goes in the error summary only)."""
    if name is None:
        return None
    if any(f.name == name for f in spec.fields) or name == "note":
        return name
    return None


def _field_message(spec: states.TriggerSpec, name: str | None, detail: str) -> str:
    """ "<the field's label>: <the sentence>" for the error summary and the field."""
    label = next((f.label for f in spec.fields if f.name == name), None) or _FIELD_WORDS.get(name or "")
    detail = _sentence(plain(detail))
    return f"{label}: {detail[0].lower() + detail[1:]}" if label and detail else detail


@bp.errorhandler(413)
def upload_too_large(e):
    """A file over ``AKTFLOW_MAX_UPLOAD`` sent to a case: a Danish page (status 413) naming the limit that
    leads back to the case (the body is refused before the form is read, so nothing was stored)."""
    from .filters import size_text

    case_id = (request.view_args or {}).get("case_id")
    limit = size_text(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
    text = (
        f"Filen fylder mere end de {limit}, en fil højst må fylde, og dokumentet er ikke tilføjet. "
        "Gå tilbage til sagen og vælg en mindre fil, eller del dokumentet i flere filer."
    )
    back = url_for("cases.case_page", case_id=case_id) + "#dokumenter" if case_id is not None else None
    return render_template("error.html", status=413, title="Filen er for stor", text=text, back=back), 413


_FIELD_WORDS = {
    "file": "Fil",
    "grounds": "Undtagelsesgrunde",
    "document_id": "Dokument",
    "received": "Dato",
    "note": "Note",
}


def _danish(e: AktflowError, spec: states.TriggerSpec) -> str:
    """The service's message with the field's Danish label instead of its code name."""
    if isinstance(e, ValidationError):
        msg = e.detail
        label = next((f.label for f in spec.fields if f.name == e.field), None) or _FIELD_WORDS.get(
            e.field, e.field
        )
        return f"{label}: {msg}"
    return e.message


# --- files -----------------------------------------------------------------------------------------------------


def _download(content: bytes, filename: str, mimetype: str) -> Response:
    resp = send_file(
        io.BytesIO(content),
        mimetype=mimetype,
        as_attachment=True,
        download_name=download_name(filename),
        max_age=0,
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


DOCX = DOCX_MIME


@bp.route("/cases/<int:case_id>/letters/<int:letter_id>.docx")
@roles_required(*ALL_ROLES)
def letter_docx(case_id: int, letter_id: int):
    try:
        letter = letter_file(db(), case_id, letter_id)
    except NotFound:
        abort(404)
    access.record(case_id, "letter", letter_id, letter.filename)
    return _download(letter.content, letter.filename, DOCX)


@bp.route("/cases/<int:case_id>/letters/<int:letter_id>.pdf")
@roles_required(*ALL_ROLES)
def letter_pdf_view(case_id: int, letter_id: int):
    try:
        name = letter_file(db(), case_id, letter_id).filename
    except NotFound:
        abort(404)
    try:
        pdf = letter_pdf(db(), letter_id)
    except RuntimeError:
        pdf = None
    if pdf is None:
        flash("PDF kræver LibreOffice på serveren; hent brevet som Word-fil (.docx).", "error")
        return redirect(url_for("cases.case_page", case_id=case_id) + "#breve", 303)
    access.record(case_id, "letter_pdf", letter_id, name)
    return _download(pdf, name.rsplit(".", 1)[0] + ".pdf", "application/pdf")


# --- a letter before it is sent (aktflow.letter_preview) -----------------------------------------------------


def _letter_inputs(spec: states.TriggerSpec, values) -> tuple[str | None, dict]:
    """The note and data a send form (or the preview's query) holds for ``spec``'s fields."""
    data = {f.name: value for f in spec.fields if f.in_data and (value := f.from_form(values)) is not None}
    return values.get("note") or None, data


def _preview_or_abort(case_id: int, trigger: str, values):
    spec = states.TRIGGERS.get(trigger)
    if spec is None or spec.system or spec.letter is None:
        abort(404)
    note, data = _letter_inputs(spec, values)
    try:
        return (
            spec,
            note,
            data,
            letter_preview.preview(db(), case_id, trigger, actor=current_user.username, note=note, data=data),
        )
    except NotFound:
        abort(404)


@bp.route("/cases/<int:case_id>/letters/preview/<trigger>", methods=["POST"])
@roles_required(*ALL_ROLES)
def letter_preview_page(case_id: int, trigger: str):
    """The letter ``trigger`` would send now, with what the send form holds: shown as PDF (LibreOffice)
    with the .docx to download, and the form that sends exactly this letter (its fingerprint)."""
    spec = states.TRIGGERS.get(trigger)
    if spec is None or spec.system or spec.letter is None:
        abort(404)
    # Dates typed as dd.mm.åååå are read as the send would read them; a form the letter cannot be made
    # from is drawn again on the case page with what was typed and the reason at the field.
    values, date_errors = _normalise_dates(spec, request.form)
    if date_errors:
        name, message = next(iter(date_errors.items()))
        posted = _posted(
            spec,
            request.form,
            kind="validation",
            message=_field_message(spec, name, message),
            field=name,
            field_text=_sentence(message),
        )
        return _case_page(case_id, posted, 400)
    try:
        spec, note, data, seen = _preview_or_abort(case_id, trigger, values)
    except AktflowError as e:
        if e.http_status == 403:
            abort(403)
        if isinstance(e, ValidationError):
            posted = _posted(
                spec,
                request.form,
                kind="validation",
                message=_field_message(spec, e.field, e.detail),
                field=_form_field(spec, e.field),
                field_text=_sentence(plain(e.detail)),
            )
        else:
            posted = _posted(spec, request.form, kind="workflow", message=_sentence(plain(e.message)))
        return _case_page(case_id, posted, _FORM_STATUS[posted["kind"]])
    # The files are fetched again with the inputs in the query: masked, as every URL (the letter masks
    # CPR numbers itself, so the letter is the same).
    query = {k: mask(v) for k, v in ({"note": note} | data).items() if v is not None and k != "letter_sha256"}
    hints = action_hints(db(), case_id, current_user.username, [trigger])
    resp = make_response(
        render_template(
            "letter_preview.html",
            spec=spec,
            case_id=case_id,
            version=request.form.get("version", ""),
            note=note,
            data=data,
            seen=seen,
            pdf_url=url_for(
                "cases.letter_preview_file", case_id=case_id, trigger=trigger, ext="pdf", **query
            ),
            docx_url=url_for(
                "cases.letter_preview_file", case_id=case_id, trigger=trigger, ext="docx", **query
            ),
            pdf_ok=pdf_available(),
            why=hints.get(trigger),
            confirmed=trigger in letter_preview.confirmed_triggers(),
            seen_field=trigger in letter_preview.seen_triggers(),
        )
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.route("/cases/<int:case_id>/letters/preview/<trigger>.<any(pdf, docx):ext>")
@roles_required(*ALL_ROLES)
def letter_preview_file(case_id: int, trigger: str, ext: str):
    """The previewed letter as .docx or PDF (the query holds the send form's fields); header
    ``X-Letter-SHA256`` is the .docx's fingerprint. Without LibreOffice, the PDF is a Danish page (503)."""
    try:
        spec, _, _, seen = _preview_or_abort(case_id, trigger, request.args)
    except AktflowError as e:
        if e.http_status == 403:
            abort(403)
        text = f"Brevet kan ikke vises: {_danish(e, states.TRIGGERS[trigger])}"
        return render_template("error.html", status=400, title="Brevet kan ikke vises", text=text), 400
    if ext == "docx":
        resp = _download(seen.content, seen.filename, DOCX)
    else:
        try:
            pdf = seen.pdf()  # LibreOffice, after the preview's transaction has ended
        except RuntimeError:
            pdf = None
        if pdf is None:
            text = (
                "PDF-visning kræver LibreOffice på serveren, og det er ikke installeret eller kunne ikke "
                "konvertere brevet. Hent brevet som Word-fil (.docx) og læs det, før du sender."
            )
            return render_template("error.html", status=503, title="PDF kan ikke vises", text=text), 503
        resp = send_file(
            io.BytesIO(pdf), mimetype="application/pdf", download_name=download_name(seen.pdf_filename)
        )
        resp.headers["Cache-Control"] = "private, no-store"
        # Shown in the preview page's frame (same origin only).
        resp.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
        resp.headers["X-Frame-Options"] = "SAMEORIGIN"
    resp.headers["X-Letter-SHA256"] = seen.sha256
    return resp


@bp.route("/cases/<int:case_id>/documents/<int:document_id>")
@roles_required(*ALL_ROLES)
def document_page(case_id: int, document_id: int):
    """What screening read of a document: the text by part, findings marked, unread parts named."""
    return _document_page(case_id, document_id)


def _document_page(case_id: int, document_id: int, posted: dict | None = None, status: int = 200):
    try:
        d = documents_q.document_detail(db(), case_id, document_id)
    except NotFound:
        abort(404)
    access.record(case_id, "document_page", document_id)
    view = case_view(db(), case_id, role=current_user.role)  # the assessment and the aktliste row
    view["allowed_triggers"] = acting_triggers(case_id, view["allowed_triggers"])  # no forms for a colleague
    entry = next((x for x in view["documents"] if x["id"] == document_id), None)
    from .redactions import panel  # the redaction panel (docs/redaction.md)

    rd = panel(case_id, document_id)
    resp = make_response(
        render_template(
            "document.html",
            d=d,
            rd=rd,
            c=view,
            entry=entry,
            grounds=catalogue.for_basis(view["basis"]),
            CATEGORY_LABELS=_category_labels(),
            posted=posted,
        ),
        status,
    )
    resp.headers["Cache-Control"] = "private, no-store"  # the text of a document: never kept by a cache
    return resp


def _category_labels() -> dict[str, str]:
    from aktflow.screening import CATEGORIES, CPR_LABEL

    return {"cpr": CPR_LABEL, **{code: label for code, (label, _ref) in CATEGORIES.items()}}


@bp.route("/cases/<int:case_id>/documents/<int:document_id>/file")
@roles_required(*ALL_ROLES)
def document_file(case_id: int, document_id: int):
    try:
        name, ctype, content = documents_q.document_file(db(), case_id, document_id)
    except NotFound:
        abort(404)
    access.record(case_id, "document", document_id, name)
    return _download(content, name, ctype)
