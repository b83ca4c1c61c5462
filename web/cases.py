"""Case list, case page and the action buttons."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from aktflow import states
from aktflow.errors import AktflowError, ConflictError, NotFound
from aktflow.models import Case, User
from aktflow.service import case_view, fire

bp = Blueprint("cases", __name__)


def db():
    return current_app.extensions["aktflow_db"]


@bp.route("/")
@login_required
def home():
    return redirect(url_for("cases.case_list"))


@bp.route("/cases")
@login_required
def case_list():
    mine = request.args.get("mine", "1" if current_user.role == "caseworker" else "0") == "1"
    state = request.args.get("state") or None
    if state and state not in states.STATES:
        state = None
    with db().session() as s:
        stmt = select(Case).order_by(Case.received, Case.id).limit(500)
        if mine:
            stmt = stmt.where(Case.assignee_id == current_user.id)
        if state:
            stmt = stmt.where(Case.state == state)
        else:
            stmt = stmt.where(Case.state.not_in(states.FINAL))
        rows = list(s.scalars(stmt))
    return render_template("cases.html", cases=rows, mine=mine, state=state)


@bp.route("/cases/<int:case_id>")
@login_required
def case_page(case_id: int):
    try:
        view = case_view(db(), case_id, role=current_user.role)
    except NotFound:
        abort(404)
    with db().session() as s:
        assignees = list(
            s.scalars(
                select(User)
                .where(User.role.in_(("caseworker", "manager", "admin")), User.active.is_(True))
                .order_by(User.name)
            )
        )
    return render_template("case.html", c=view, assignees=assignees)


@bp.route("/cases/<int:case_id>/actions/<trigger>", methods=["POST"])
@login_required
def case_action(case_id: int, trigger: str):
    spec = states.TRIGGERS.get(trigger)
    if spec is None:
        abort(404)
    form = request.form
    try:
        version = int(form.get("version", ""))
    except ValueError:
        flash("Formularen mangler sagens version; siden er genindlæst.", "error")
        return redirect(url_for("cases.case_page", case_id=case_id))
    data = {}
    for f in spec.fields:
        if f.name == "note":
            continue
        if f.kind == "bool":
            data[f.name] = form.get(f.name) == "on"
        elif f.kind == "list":
            data[f.name] = form.getlist(f.name)
        elif form.get(f.name, "").strip():
            data[f.name] = form.get(f.name)
    try:
        fire(db(), case_id, trigger, actor=current_user.username, note=form.get("note") or None,
             data=data, expect_version=version)
    except ConflictError:
        flash("Sagen er ændret af en anden, mens du havde den åben. Her er den nyeste udgave — "
              "se hvad der er sket, og prøv igen.", "conflict")
        return redirect(url_for("cases.case_page", case_id=case_id)), 303
    except NotFound:
        abort(404)
    except AktflowError as e:
        if e.http_status == 403:
            abort(403)
        flash(f"Handlingen blev ikke udført: {e.message}", "error")
        return redirect(url_for("cases.case_page", case_id=case_id)), 303
    flash(f"{spec.label}: udført.", "ok")
    return redirect(url_for("cases.case_page", case_id=case_id)), 303
