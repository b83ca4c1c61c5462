"""The administrator's page (blueprint `admin`): users and roles, calendar, letter templates, municipality
settings and the KLE plan."""

from __future__ import annotations

import datetime as dt
import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from aktflow import administration as admin_cmd
from aktflow import appeal_bodies, case_deadlines, kle
from aktflow import login_throttle as throttle
from aktflow import tokens as tokens_cmd
from aktflow import users as users_cmd
from aktflow.administration import add_closure_day, change_calendar, upload_template
from aktflow.case_letters import municipality
from aktflow.errors import AktflowError, NotFound, ValidationError
from aktflow.labels import LETTER_LABELS
from aktflow.users import add_user
from aktflow.vocabulary import ADMINS, DOCX_MIME, ROLES

from .auth import roles_required
from .filters import local, parse_form_date

bp = Blueprint("admin", __name__)
FLAG_LABELS = {
    "grundlovsdag_closed": "Grundlovsdag (5. juni) er lukkedag",
    "juleaften_closed": "Juleaftensdag (24. december) er lukkedag",
    "nytaarsaften_closed": "Nytårsaftensdag (31. december) er lukkedag",
    "first_may_closed": "1. maj er lukkedag",
}
MUNICIPALITY_LABELS = {
    "name": "Kommunens navn",
    "address": "Adresse",
    "phone": "Telefon",
    "email": "E-mail",
    "web": "Hjemmeside",
    "logo_text": "Logotekst (brevhoved)",
    "art15_purposes": "GDPR art. 15: formålene med behandlingen",
    "art15_categories": "GDPR art. 15: kategorier af personoplysninger",
    "art15_recipients": "GDPR art. 15: modtagere",
    "art15_storage": "GDPR art. 15: opbevaringsperiode",
    "art15_source": "GDPR art. 15: hvor oplysningerne stammer fra",
    "art15_automated": "GDPR art. 15: automatiske afgørelser og profilering",
    "art15_transfers": "GDPR art. 15, stk. 2: overførsel til tredjelande",
}


def db():
    return current_app.extensions["aktflow_db"]


def _back(anchor: str):
    return redirect(url_for("admin.index") + f"#{anchor}", 303)


def _msg(e: AktflowError) -> str:
    return e.detail


@bp.route("/admin")
@roles_required(*ADMINS)
def index():
    return _admin_page()


def _admin_page(template_problems: dict | None = None, status: int = 200, closure: dict | None = None):
    """The administration page; ``template_problems`` (``kind``, ``filename``, ``problems``: Danish
    sentences) is a template upload that failed, drawn as an error summary at that template's row;
    ``closure`` (``typed``: the text typed, ``error``: a Danish sentence) is a closure day that was refused,
    drawn again with the message beside the field."""
    with db().session() as s:
        users = admin_cmd.users(s)
        cal = case_deadlines.calendar_settings(s)
        templates = admin_cmd.templates(s)
        muni = municipality(s)
        appeal_rows = appeal_bodies.rows(s)
    return render_template(
        "admin.html",
        users=users,
        locked={name: local(until).strftime("%H:%M") for name, until in throttle.locked(db()).items()},
        tokens=tokens_cmd.list_tokens(db()),
        roles=ROLES,
        cal=cal,
        flag_labels=FLAG_LABELS,
        templates=templates,
        muni=muni,
        muni_labels=MUNICIPALITY_LABELS,
        appeal_rows=appeal_rows,
        appeal_kinds=appeal_bodies.KIND_LABELS,
        has_plan=kle.has_plan(db()),
        template_problems=template_problems,
        closure=closure,
    ), status


@bp.route("/admin/audit")
@roles_required(*ADMINS)
def audit_log():
    """The administrative log, newest first (``?kind=`` keeps one kind), and whether its chain holds."""
    from aktflow.admin_log import KINDS
    from aktflow.queries.admin_log import admin_log
    from aktflow.queries.integrity import verify_admin_log

    kind = request.args.get("kind") or None
    if kind is not None and kind not in KINDS:
        kind = None
    with db().session() as s:
        entries = admin_log(s, limit=500, kind=kind)
    checked, problems = verify_admin_log(db())
    return render_template(
        "admin_audit.html", entries=entries, kinds=KINDS, kind=kind, checked=checked, problems=problems
    )


# --- users ---------------------------------------------------------------------------------------------------


@bp.route("/admin/users", methods=["POST"])
@roles_required(*ADMINS)
def user_add():
    f = request.form
    try:
        add_user(
            db(),
            (f.get("username") or "").strip(),
            actor=current_user.username,
            role=f.get("role", ""),
            password=f.get("password", ""),
            name=(f.get("name") or "").strip() or None,
        )
    except AktflowError as e:
        flash(f"Brugeren blev ikke oprettet: {_msg(e)}", "error")
    else:
        flash(f"Brugeren {f.get('username')} er oprettet.", "ok")
    return _back("brugere")


@bp.route("/admin/users/<username>/role", methods=["POST"])
@roles_required(*ADMINS)
def user_role(username: str):
    try:
        r = users_cmd.change_role(
            db(), actor=current_user.username, username=username, role=request.form.get("role", "")
        )
    except NotFound:
        abort(404)
    except AktflowError as e:
        flash(f"Rollen blev ikke ændret: {_msg(e)}", "error")
    else:
        flash(f"{username} har nu rollen {_role(r['new'])}.", "ok")
    return _back("brugere")


def _role(r: str) -> str:
    from .filters import ROLE_LABELS

    return ROLE_LABELS.get(r, r).lower()


@bp.route("/admin/users/<username>/active", methods=["POST"])
@roles_required(*ADMINS)
def user_active(username: str):
    active = request.form.get("active") == "1"
    try:
        r = users_cmd.set_active(db(), actor=current_user.username, username=username, active=active)
    except NotFound:
        abort(404)
    except AktflowError as e:
        flash(f"Ændringen blev ikke gemt: {_msg(e)}", "error")
    else:
        if active:
            flash(f"{username} er aktiveret igen.", "ok")
        else:
            extra = (
                f" Brugeren har stadig {r['open_cases']} åbne sager — fordel dem fra overblikket."
                if r["open_cases"]
                else ""
            )
            flash(f"{username} er deaktiveret og kan ikke længere logge ind.{extra}", "ok")
    return _back("brugere")


@bp.route("/admin/users/<username>/password", methods=["POST"])
@roles_required(*ADMINS)
def user_password(username: str):
    try:
        users_cmd.set_password(
            db(), actor=current_user.username, username=username, password=request.form.get("password", "")
        )
    except NotFound:
        abort(404)
    except AktflowError as e:
        flash(f"Adgangskoden blev ikke ændret: {_msg(e)}", "error")
    else:
        flash(f"{username} har fået en ny adgangskode.", "ok")
    return _back("brugere")


@bp.route("/admin/users/<username>/unlock", methods=["POST"])
@roles_required(*ADMINS)
def user_unlock(username: str):
    try:
        throttle.unlock(db(), username, actor=current_user.username)
    except AktflowError as e:
        flash(f"Spærringen blev ikke ophævet: {_msg(e)}", "error")
    else:
        flash(f"Login-spærringen for {username} er ophævet.", "ok")
    return _back("brugere")


# --- API tokens ------------------------------------------------------------------------------------------------


@bp.route("/admin/tokens", methods=["POST"])
@roles_required(*ADMINS)
def token_issue():
    """Issue a token and show it once, on this answer only (never in a flash message or a redirect)."""
    f = request.form
    try:
        g.new_token = tokens_cmd.issue_token(
            db(),
            (f.get("username") or "").strip(),
            name=(f.get("name") or "").strip() or None,
            actor=current_user.username,
            days=f.get("days") or tokens_cmd.DEFAULT_DAYS,
        )
    except AktflowError as e:
        flash(f"API-nøglen blev ikke udstedt: {_msg(e)}", "error")
        return _back("api-noegler")
    g.new_token_user = (f.get("username") or "").strip()
    return index()


@bp.route("/admin/tokens/<int:token_id>/revoke", methods=["POST"])
@roles_required(*ADMINS)
def token_revoke(token_id: int):
    try:
        tokens_cmd.revoke(db(), token_id, actor=current_user.username)
    except NotFound:
        abort(404)
    except AktflowError as e:
        flash(f"API-nøglen blev ikke tilbagekaldt: {_msg(e)}", "error")
    else:
        flash(f"API-nøgle {token_id} er tilbagekaldt.", "ok")
    return _back("api-noegler")


# --- calendar --------------------------------------------------------------------------------------------------


def _calendar_result(r: dict) -> str:
    if not r.get("changed"):
        return "Kalenderen var allerede sådan; intet er ændret."
    return (
        f"Kalenderen er ændret. {r.get('deadlines_checked', 0)} åbne frister er kontrolleret; "
        f"{r.get('deadlines_moved', 0)} frister på {r.get('cases_moved', 0)} sager er flyttet."
    )


@bp.route("/admin/calendar", methods=["POST"])
@roles_required(*ADMINS)
def calendar_flags():
    flags = {k: request.form.get(k) == "on" for k in FLAG_LABELS}
    try:
        r = change_calendar(db(), actor=current_user.username, set_flags=flags)
    except AktflowError as e:
        flash(f"Kalenderen blev ikke ændret: {_msg(e)}", "error")
    else:
        flash(_calendar_result(r), "ok")
    return _back("kalender")


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


@bp.route("/admin/calendar/closures", methods=["POST"])
@roles_required(*ADMINS)
def closure_add():
    """Add a closure day typed as dd.mm.åååå (or åååå-mm-dd). A date that cannot be read, or one the
    calendar refuses (in the past, on a weekend, already closed), draws the page again (400) with the
    Danish reason beside the field and the text typed kept."""
    typed = (request.form.get("date") or "").strip()[:40]
    try:
        d = parse_form_date(typed)
    except ValueError as e:
        return _closure_refused(typed, f"Datoen kan ikke læses: {e}.")
    if d is None:
        return _closure_refused(typed, "Skriv lukkedagens dato som dd.mm.åååå, fx 18.12.2026.")
    try:
        r = add_closure_day(db(), actor=current_user.username, day=d)
    except AktflowError as e:
        return _closure_refused(typed, _sentence(_msg(e)))
    flash(f"Lukkedag {d:%d.%m.%Y} tilføjet. " + _calendar_result(r), "ok")
    return _back("kalender")


def _closure_refused(typed: str, error: str):
    flash(f"Lukkedagen blev ikke tilføjet: {error}", "error")
    return _admin_page(status=400, closure={"typed": typed, "error": error})


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


@bp.route("/admin/calendar/closures/<day>/remove", methods=["POST"])
@roles_required(*ADMINS)
def closure_remove(day: str):
    d = _date(day)
    if d is None:
        abort(404)
    try:
        r = change_calendar(db(), actor=current_user.username, reopen=[d])
    except AktflowError as e:
        flash(f"Lukkedagen blev ikke fjernet: {_msg(e)}", "error")
    else:
        flash(f"Lukkedag {d:%d.%m.%Y} fjernet. " + _calendar_result(r), "ok")
    return _back("kalender")


# --- letter templates ----------------------------------------------------------------------------------------------

DOCX = DOCX_MIME


@bp.route("/admin/templates/<kind>.docx")
@roles_required(*ADMINS)
def template_download(kind: str):
    try:
        content = admin_cmd.template_in_use(db(), kind)
    except NotFound:
        abort(404)
    return send_file(
        io.BytesIO(content), mimetype=DOCX, as_attachment=True, download_name=f"{kind}.docx", max_age=0
    )


@bp.route("/admin/templates/<kind>", methods=["POST"])
@roles_required(*ADMINS)
def template_upload(kind: str):
    """A municipality's own letter template. A failure draws the page again (400) with the reasons in an
    error summary at the template's row; success flashes and redirects (303: a reload sends nothing)."""
    upload = request.files.get("file")
    filename = upload.filename if upload is not None and upload.filename else ""
    if not filename:
        return _admin_page(
            {"kind": kind, "filename": "", "problems": ["Vælg en Word-fil (.docx) at uploade."]}, 400
        )
    assert upload is not None
    try:
        upload_template(db(), actor=current_user.username, kind=kind, content=upload.read())
    except ValidationError as e:
        problems = (
            [p.strip() for p in _msg(e).split("; ") if p.strip()] if e.field == "template" else [_msg(e)]
        )
        return _admin_page({"kind": kind, "problems": problems, "filename": filename}, 400)
    except AktflowError as e:
        if e.http_status == 403:
            abort(403)
        return _admin_page({"kind": kind, "problems": [_msg(e)], "filename": filename}, e.http_status)
    flash(f"Den nye skabelon for {LETTER_LABELS.get(kind, kind)} er gemt og bruges fra nu af.", "ok")
    return _back("skabeloner")


@bp.route("/admin/templates/<kind>/reset", methods=["POST"])
@roles_required(*ADMINS)
def template_reset(kind: str):
    try:
        admin_cmd.reset_template(db(), actor=current_user.username, kind=kind)
    except AktflowError as e:
        flash(f"Skabelonen blev ikke nulstillet: {_msg(e)}", "error")
    else:
        flash(f"Standardskabelonen for {kind} bruges igen.", "ok")
    return _back("skabeloner")


# --- municipality, KLE ------------------------------------------------------------------------------------------------


@bp.route("/admin/municipality", methods=["POST"])
@roles_required(*ADMINS)
def municipality_save():
    try:
        admin_cmd.save_municipality(db(), actor=current_user.username, values=request.form.to_dict())
    except ValidationError as e:
        flash(
            f"Indstillingerne blev ikke gemt: {MUNICIPALITY_LABELS.get(e.field, e.field)} {_msg(e)}.", "error"
        )
    except AktflowError as e:
        flash(f"Indstillingerne blev ikke gemt: {_msg(e)}", "error")
    else:
        flash("Kommunens oplysninger er gemt; nye breve bruger dem.", "ok")
    return _back("kommune")


APPEAL_LABELS = {
    "kle_prefix": "KLE-nummer",
    "basis": "Lovgrundlag",
    "kind": "Slags",
    "name": "Navn",
    "address": "Adresse",
    "email": "E-mail",
    "cvr": "CVR-nummer",
}


@bp.route("/admin/appeal-bodies", methods=["POST"])
@roles_required(*ADMINS)
def appeal_body_save():
    f = request.form
    try:
        if f.get("remove") == "1":
            appeal_bodies.remove_row(
                db(), actor=current_user.username, kle_prefix=f.get("kle_prefix"), basis=f.get("basis")
            )
        else:
            appeal_bodies.set_row(
                db(),
                actor=current_user.username,
                kle_prefix=f.get("kle_prefix"),
                basis=f.get("basis"),
                kind=f.get("kind"),
                name=f.get("name"),
                address=f.get("address"),
                # blank keeps what is saved (the form is not filled in with a row's values): a new address
                # never wipes the row's CVR number or e-mail; "-" clears one
                email=_kept(f.get("email")),
                cvr=_kept(f.get("cvr")),
            )
    except ValidationError as e:
        flash(f"Klageinstansen blev ikke gemt: {APPEAL_LABELS.get(e.field, e.field)} {_msg(e)}.", "error")
    except AktflowError as e:
        flash(f"Klageinstansen blev ikke gemt: {_msg(e)}", "error")
    else:
        flash("Klageinstanserne er gemt; nye breve og klager bruger dem.", "ok")
    return _back("klageinstanser")


@bp.route("/admin/kle", methods=["POST"])
@roles_required(*ADMINS)
def kle_import():
    upload = request.files.get("file")
    try:
        if request.form.get("sample") == "1":
            counts = kle.load_sample(db(), actor=current_user.username)
        elif upload is None or not upload.filename:
            raise ValidationError("file", "vælg KL's XML-fil med emneplanen")
        else:
            counts = kle.import_xml(db(), upload.read(), actor=current_user.username)
    except ValidationError as e:
        flash(f"KLE-planen blev ikke indlæst: {_msg(e)}", "error")
    else:
        flash(
            f"KLE-planen er indlæst: {counts['hovedgrupper']} hovedgrupper, {counts['grupper']} grupper, "
            f"{counts['emner']} emner.",
            "ok",
        )
    return _back("kle")


def _kept(value: str | None) -> str | None:
    """A field of the appeal-body form as :func:`aktflow.appeal_bodies.set_row` takes it: None (keep the
    saved value) when left blank, "" (clear it) for "-", else the text."""
    text = (value or "").strip()
    if not text:
        return None
    return "" if text == "-" else text
