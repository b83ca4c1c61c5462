"""Login and logout (Flask-Login, werkzeug password hashes), throttling, trusted sign-on, role checks."""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
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


#: Why a user is asked to log in again, by the ``why`` the login page is sent (never text from the request).
LOGIN_REASONS = {
    "expired": (
        "Du blev logget ud, fordi du ikke har brugt aktflow i {idle} minutter (eller har været logget ind i "
        "mere end {lifetime} timer). Log ind igen for at fortsætte."
    ),
    "ended": (
        "Du blev logget ud, fordi din adgangskode eller rolle er ændret, eller din bruger er deaktiveret. "
        "Log ind igen for at fortsætte."
    ),
}


def session_ended_reason() -> str | None:
    """Why this request has no logged-in user although the browser had a session: ``"ended"`` (the
    session was there, but the user's password, role or access changed: every session of theirs ended),
    ``"expired"`` (the browser sent a session cookie the server no longer knows: idle too long, too old,
    or logged out), or None (no session at all: a first visit)."""
    if session.get("_user_id") is not None:
        return "ended"
    loaded = getattr(session, "sid", None) is not None  # the server found the cookie's session
    if not loaded and request.cookies.get(current_app.config.get("SESSION_COOKIE_NAME") or "session"):
        return "expired"
    return None


def login_again(reason: str | None):
    """Send the browser to the login page, saying why (``reason``: a key of LOGIN_REASONS) and coming back
    to the page it was on: the page itself for a GET, the page the form was sent from for a POST (its
    ``Referer``, when it is this site's), so the draft app.js kept is put back there."""
    if request.method == "GET":
        target = safe_next(request.full_path.rstrip("?"))
    else:
        ref = request.referrer or ""
        host = request.host_url.rstrip("/")
        target = safe_next(ref[len(host) :]) if ref.startswith(host + "/") else None
    args = {"next": target} if target else {}
    if reason in LOGIN_REASONS:
        args["why"] = reason
    return redirect(url_for("auth.login", **args))


@login_manager.unauthorized_handler
def unauthorized():
    """A page that needs a login, asked for without one: the login page, with the reason when a session
    ended (Flask-Login's default gives none)."""
    reason = session_ended_reason()
    if reason is None:
        flash("Log ind for at fortsætte.", "info")
    return login_again(reason)


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


DEVICE_COOKIE = "aktflow_device"
DEVICE_MAX_AGE = 90 * 24 * 3600  # seconds: a browser that logged in within 90 days keeps its own counter


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="aktflow-device")


def device_for(username: str) -> str | None:
    """The device id of this browser, if it logged in as ``username`` within ``DEVICE_MAX_AGE`` (a signed
    cookie set at login); its attempts have a login counter of their own (aktflow.login_throttle)."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = _devices().loads(raw, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != throttle.key(username):
        return None
    device = data.get("d")
    return device if isinstance(device, str) and len(device) == 32 else None


def _remember_device(resp, username: str) -> None:
    value = _devices().dumps({"u": throttle.key(username), "d": secrets.token_hex(16)})
    resp.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )


def _locked_message(username: str, verdict: throttle.Verdict) -> str:
    until = _clock(verdict.until)
    if verdict.reason == "source":
        return (
            "For mange mislykkede forsøg på at logge ind fra din adresse. Der kan ikke logges ind herfra "
            f"før kl. {until}. Kontakt en administrator, hvis det er en fejl."
        )
    return (
        f"For mange mislykkede forsøg på at logge ind som '{redact_cpr(username)[:64]}'. "
        f"Brugeren er spærret for login til kl. {until} (15 minutter efter sidste forsøg). "
        "En browser, der tidligere har været logget ind som brugeren, kan stadig logge ind. "
        "Kontakt en administrator, hvis du har glemt din adgangskode eller skal have spærringen ophævet."
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_url(current_user.role))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username = form.username.data.strip()
        device = device_for(username)
        verdict = throttle.attempt(db(), username, source=request.remote_addr, device=device)
        if not verdict.allowed:
            flash(_locked_message(username, verdict), "error")
            status = 429
        else:
            user = authenticate(db(), username, form.password.data)
            if user is None:
                flash("Forkert brugernavn eller adgangskode.", "error")
                status = 401
            else:
                throttle.succeeded(db(), username, device=device)
                start_session(user)
                resp = redirect(safe_next(request.args.get("next")) or home_url(user.role), 303)
                _remember_device(resp, user.username)
                return resp
    elif request.method == "POST":
        status = 400
    why = request.args.get("why")
    reason = None
    if why in LOGIN_REASONS and request.method == "GET":
        iface = current_app.session_interface
        idle = getattr(iface, "idle", timedelta(minutes=30))
        lifetime = getattr(iface, "lifetime", timedelta(hours=12))
        reason = LOGIN_REASONS[why].format(
            idle=int(idle.total_seconds() // 60), lifetime=int(lifetime.total_seconds() // 3600)
        )
    return render_template("login.html", form=form, reason=reason), status


def start_session(user) -> None:
    """Log ``user`` in with a fresh session (no session fixation: a new server-side session id)."""
    session.clear()
    regenerate = getattr(session, "regenerate", None)
    if regenerate is not None:
        regenerate()
    session["epoch"] = user.session_epoch
    login_user(WebUser(user.id, user.username, user.name, user.role))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    end = getattr(session, "end", None)
    if end is not None:
        end()  # this session ends on the server; the user's other sessions go on
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


def sign_on_name(header_value: str, trusted_domain: str | None) -> str:
    """The aktflow username a sign-on header names. ``DOMAIN\\user`` keeps its domain (two domains' "jens"
    are two users, ``KOMMUNE\\jens`` and ``SKOLE\\jens``), except for the one ``AKTFLOW_TRUSTED_DOMAIN``,
    whose users are named without it. The domain is compared without regard to case and written in capitals."""
    name = header_value.strip()
    if "\\" not in name:
        return name
    domain, _, name = name.partition("\\")
    if not domain.strip():
        return name
    domain = domain.strip().upper()
    if trusted_domain and domain == trusted_domain.strip().upper():
        return name
    return f"{domain}\\{name}"


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
    name = sign_on_name(request.headers.get(header) or "", current_app.config.get("TRUSTED_DOMAIN"))
    if not name:
        return None
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
    if current_user.is_authenticated:
        logout_user()
    start_session(u)
    return None
