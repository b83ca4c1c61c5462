"""Importing an e-mail on *Ny anmodning*: the .eml or .msg file becomes a case, or is added to the case it
answers (docs/mail-intake.md). The view parses the upload and calls the use case
(:func:`aktflow.mail_in.take_in`); the form is ``templates/_mail_import.html``.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from aktflow.errors import AktflowError, ValidationError
from aktflow.mail_in import take_in
from aktflow.vocabulary import CASEWORK

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
    return redirect(url_for("cases.case_page", case_id=result.case_id), 303)
