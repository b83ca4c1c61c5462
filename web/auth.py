"""Login and logout (Flask-Login, werkzeug password hashes), throttling, trusted sign-on, role checks."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from aktflow import login_throttle as throttle
from aktflow.config import proxy_parts
from aktflow.queries.users import account_by_id, account_by_username
from aktflow.screening import redact_cpr
from aktflow.users import authenticate
from aktflow.vocabulary import ANYONE

from .extensions import login_manager

bp = Blueprint("auth", __name__)

ALL_ROLES = ANYONE
HOME = {
    "caseworker": "cases.case_list",
    "legal": "legal.queue",
    "manager": "dashboard.index",
    "admin": "admin.index",
}


@dataclass
class WebUser(UserMixin):
    id: int
    username: str
    name: str
    role: str

    def get_id(self) -> str:
        return str(self.id)

    def can(self, *roles: str) -> bool:
        return self.role in roles


def db():
    return current_app.extensions["aktflow_db"]


@login_manager.user_loader
def load_user(user_id: str) -> WebUser | None:
    try:
        uid = int(user_id)
    except ValueError:
        return None
    u = account_by_id(db(), uid)
    if u is None or not u.active:
        return None
    if session.get("epoch") != u.session_epoch:
        return None  # the session ended on the server (logout, password or role change)
    return WebUser(u.id, u.username, u.name, u.role)


def roles_required(*roles: str):
    """The view needs a logged-in user with one of ``roles``; others get 403 (and never see the link)."""

    def deco(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return deco


def home_url(role: str) -> str:
    return url_for(HOME.get(role, "cases.case_list"))


class LoginForm(FlaskForm):
    username = StringField("Brugernavn", validators=[DataRequired(message="Skriv dit brugernavn")])
    password = PasswordField("Adgangskode", validators=[DataRequired(message="Skriv din adgangskode")])


_LOCAL_PATH = re.compile(r"/(?![/\\])[^\x00-\x20\x7f\\]*")


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (no scheme, host, backslash, blank or control character)."""
    if isinstance(target, str) and _LOCAL_PATH.fullmatch(target):
        return target
    return None


def _clock(at) -> str:
    from .filters import local

    return local(at).strftime("%H:%M")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_url(current_user.role))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username = form.username.data.strip()
        until = throttle.locked_until(db(), username)
        if until is not None:
            flash(
                f"For mange mislykkede forsøg på at logge ind som '{redact_cpr(username)[:64]}'. "
                "Brugeren er spærret for login "
                f"til kl. {_clock(until)} (15 minutter efter sidste forsøg). Kontakt en administrator, hvis du "
                "har glemt din adgangskode.",
                "error",
            )
            status = 429
        else:
            user = authenticate(db(), username, form.password.data)
            if user is None:
                throttle.record_failure(db(), username)
                flash("Forkert brugernavn eller adgangskode.", "error")
                status = 401
            else:
                throttle.clear(db(), username)
                session.clear()  # no session fixation: a fresh session at login
                session["epoch"] = user.session_epoch
                login_user(WebUser(user.id, user.username, user.name, user.role))
                return redirect(safe_next(request.args.get("next")) or home_url(user.role), 303)
    elif request.method == "POST":
        status = 400
    return render_template("login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    from aktflow.users import end_sessions

    end_sessions(db(), current_user.username)  # a copy of the old cookie no longer works either
    logout_user()
    session.clear()
    if current_app.config.get("TRUSTED_HEADER"):
        return render_template("logged_out.html")
    flash("Du er logget ud.", "info")
    return redirect(url_for("auth.login"))


# --- trusted reverse-proxy sign-on ---------------------------------------------------------------------------


def _peer_trusted(addr: str | None, networks) -> bool:
    if not addr:
        return False
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def parse_networks(spec: str | None) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The trusted proxies' networks from ``AKTFLOW_TRUSTED_PROXIES`` (split as the settings split it)."""
    return [ipaddress.ip_network(part, strict=False) for part in proxy_parts(spec)]


def trusted_sign_on():
    """Before each request: when sign-on through a reverse-proxy header is configured and the request comes
    straight from a trusted proxy address, log in the active user the header names (or switch to them)."""
    header = current_app.config.get("TRUSTED_HEADER")
    if not header or request.endpoint == "static" or request.blueprint == "api":  # the API uses bearer tokens
        return None
    # The immediate peer, also when ProxyFix rewrote REMOTE_ADDR from X-Forwarded-For.
    orig = request.environ.get("werkzeug.proxy_fix.orig", {})
    peer = orig.get("REMOTE_ADDR", request.environ.get("REMOTE_ADDR"))
    if not _peer_trusted(peer, current_app.config.get("TRUSTED_PROXY_NETWORKS", ())):
        return None
    name = (request.headers.get(header) or "").strip()
    if not name:
        return None
    if "\\" in name:  # DOMAIN\user
        name = name.rsplit("\\", 1)[1]
    if current_user.is_authenticated and current_user.username == name:
        return None
    u = account_by_username(db(), name)
    if u is None or not u.active:
        current_app.logger.warning("sign-on header named an unknown or inactive user")
        if current_user.is_authenticated:
            logout_user()
        abort(
            403,
            description="Din bruger findes ikke i aktflow eller er deaktiveret. Kontakt en administrator.",
        )
    web_user = WebUser(u.id, u.username, u.name, u.role)
    epoch = u.session_epoch
    if current_user.is_authenticated:
        logout_user()
    session.clear()
    session["epoch"] = epoch
    login_user(web_user)
    return None
