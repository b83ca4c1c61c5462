"""Importing an e-mail on *Ny anmodning*: the .eml or .msg file becomes a case, or is added to the case it
answers (docs/mail-intake.md). The view parses the upload and calls the use case
(:func:`aktflow.mail_in.take_in`); the form is ``templates/_mail_import.html``.

"E-mails, der ikke er modtaget" (``/mail/failures``): the mails the mailbox poller could not take in,
for caseworkers and managers, each with "Prøv igen", "Opret sag" and "Afvis"
(:mod:`aktflow.mail_in.failures`).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from aktflow.errors import AktflowError, ValidationError
from aktflow.labels import BASIS_LABELS
from aktflow.mail_in import take_in
from aktflow.mail_in.failures import dismiss, retry
from aktflow.queries.mail_intake import mail_failures
from aktflow.vocabulary import BASES, CASEWORK

from .auth import roles_required

bp = Blueprint("mail_intake", __name__)


def db():
    return current_app.extensions["aktflow_db"]


@bp.route("/cases/new/mail", methods=["POST"])
@roles_required(*CASEWORK)
def import_mail():
    """Take in the uploaded mail (form field ``mail``; optional ``emne`` NN.NN.NN). A new case or a reply
    goes to the case page with what was done; a refused mail back to the form with the Danish reason."""
    upload = request.files.get("mail")
    if upload is None or not upload.filename:
        flash("Importér e-mail: vælg en .eml- eller .msg-fil.", "error")
        return redirect(url_for("cases.new_case"), 303)
    content = upload.read()
    emne = (request.form.get("emne") or "").strip() or None
    try:
        result = take_in(
            db(), upload.filename, content, actor=current_user.username, source="upload", emne=emne
        )
    except ValidationError as e:
        flash(f"E-mailen er ikke importeret: {e.detail}", "error")
        return redirect(url_for("cases.new_case"), 303)
    except AktflowError as e:
        if e.http_status == 403:
            abort(403)
        flash(f"E-mailen er ikke importeret: {e.message}", "error")
        return redirect(url_for("cases.new_case"), 303)
    _flash_result(result)
    return redirect(url_for("cases.case_page", case_id=result.case_id), 303)


def _flash_result(result) -> None:
    if result.outcome == "case":
        flash(f"E-mailen er registreret som ny anmodning, sag #{result.case_id}.", "ok")
    elif result.outcome == "reply":
        extra = " Præciseringen er registreret som modtaget." if result.clarification else ""
        flash(f"E-mailen er et svar og er lagt på sag #{result.case_id} som dokument.{extra}", "ok")
    elif result.outcome == "bounce":
        flash(f"E-mailen er en returmeddelelse for en forsendelse i sag #{result.case_id}.", "info")
    else:
        flash(f"E-mailen var allerede importeret: sag #{result.case_id}.", "info")
    for note in result.notes:
        flash(note[:1].upper() + note[1:] + ".", "info")


@bp.route("/mail/failures")
@roles_required(*CASEWORK)
def failures():
    """The mails the mailbox poller could not take in, newest first, without CPR numbers."""
    rows = mail_failures(db())
    resp = current_app.make_response(
        render_template("mail_failures.html", rows=rows, bases=[(b, BASIS_LABELS.get(b, b)) for b in BASES])
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.route("/mail/failures/<int:failure_id>/retry", methods=["POST"])
@roles_required(*CASEWORK)
def retry_failure(failure_id: int):
    """Take the kept mail in again (form: optional ``emne``, ``basis``; ``new_case=1`` for "Opret sag")."""
    emne = (request.form.get("emne") or "").strip() or None
    basis = (request.form.get("basis") or "").strip() or None
    if basis is not None and basis not in BASES:
        flash("Vælg et gyldigt retsgrundlag.", "error")
        return redirect(url_for("mail_intake.failures"), 303)
    try:
        result = retry(
            db(),
            failure_id,
            actor=current_user.username,
            emne=emne,
            basis=basis,
            new_case=request.form.get("new_case") == "1",
        )
    except AktflowError as e:
        if e.http_status == 403:
            abort(403)
        if e.http_status == 404:
            abort(404)
        flash(f"E-mailen er ikke modtaget: {e.detail}", "error")
        return redirect(url_for("mail_intake.failures"), 303)
    _flash_result(result)
    return redirect(url_for("cases.case_page", case_id=result.case_id), 303)


@bp.route("/mail/failures/<int:failure_id>/dismiss", methods=["POST"])
@roles_required(*CASEWORK)
def dismiss_failure(failure_id: int):
    """Set the mail aside: it is no longer listed and the poller moves it without taking it in."""
    try:
        dismiss(db(), failure_id, actor=current_user.username)
    except AktflowError as e:
        if e.http_status == 404:
            abort(404)
        flash(f"E-mailen kunne ikke afvises: {e.detail}", "error")
        return redirect(url_for("mail_intake.failures"), 303)
    flash("E-mailen er afvist og flyttes ud af postkassen ved næste runde.", "ok")
    return redirect(url_for("mail_intake.failures"), 303)
