"""Login and logout (Flask-Login, werkzeug password hashes)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import UserMixin, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from aktflow.models import User
from aktflow.service import authenticate

from . import login_manager

bp = Blueprint("auth", __name__)


@dataclass
class WebUser(UserMixin):
    id: int
    username: str
    name: str
    role: str

    def get_id(self) -> str:
        return str(self.id)


def db():
    return current_app.extensions["aktflow_db"]


@login_manager.user_loader
def load_user(user_id: str) -> WebUser | None:
    try:
        uid = int(user_id)
    except ValueError:
        return None
    with db().session() as s:
        u = s.get(User, uid)
        if u is None or not u.active:
            return None
        return WebUser(u.id, u.username, u.name, u.role)


class LoginForm(FlaskForm):
    username = StringField("Brugernavn", validators=[DataRequired(message="Skriv dit brugernavn")])
    password = PasswordField("Adgangskode", validators=[DataRequired(message="Skriv din adgangskode")])


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db(), form.username.data.strip(), form.password.data)
        if user is None:
            flash("Forkert brugernavn eller adgangskode.", "error")
        else:
            session.clear()  # no session fixation: a fresh session at login
            login_user(WebUser(user.id, user.username, user.name, user.role))
            return redirect(_safe_next(request.args.get("next")) or url_for("cases.home"))
    return render_template("login.html", form=form), (401 if request.method == "POST" else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.clear()
    flash("Du er logget ud.", "info")
    return redirect(url_for("auth.login"))


def users_by_role(*roles: str) -> list[User]:
    with db().session() as s:
        return list(s.scalars(select(User).where(User.role.in_(roles), User.active.is_(True)).order_by(User.name)))
