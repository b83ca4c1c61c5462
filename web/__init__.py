"""The thin Flask layer: views parse input, call aktflow's service, render. No workflow rule lives here."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, render_template, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect

from aktflow.config import Config, instance_dir
from aktflow.db import Database

csrf = CSRFProtect()
login_manager = LoginManager()

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _secret_key() -> str:
    env = os.environ.get("AKTFLOW_SECRET_KEY")
    if env:
        return env
    path = instance_dir() / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The application factory. ``config`` may set DATABASE_URL, SECRET_KEY, TESTING, TRUSTED_HEADER, …"""
    app = Flask(__name__, instance_path=str(Path(instance_dir()).resolve()))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("AKTFLOW_SECURE_COOKIES", "0") == "1",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=int(os.environ.get("AKTFLOW_MAX_UPLOAD", 25 * 1024 * 1024)),
        WTF_CSRF_TIME_LIMIT=None,
        # Sign-on through a trusted reverse proxy (off unless the header is named).
        TRUSTED_HEADER=os.environ.get("AKTFLOW_TRUSTED_HEADER") or None,
        TRUSTED_PROXIES=os.environ.get("AKTFLOW_TRUSTED_PROXIES", ""),
        PROXY_HOPS=int(os.environ.get("AKTFLOW_PROXY_HOPS", "0") or 0),
    )
    if config:
        app.config.update(config)
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key()
    url = app.config.get("DATABASE_URL") or Config.from_env().database_url
    app.extensions["aktflow_db"] = Database(url)

    from . import admin, api, auth, cases, dashboard, filters, legal, workflow

    app.config["TRUSTED_PROXY_NETWORKS"] = auth.parse_networks(app.config["TRUSTED_PROXIES"])
    if app.config["TRUSTED_HEADER"] and not app.config["TRUSTED_PROXY_NETWORKS"]:
        raise RuntimeError("AKTFLOW_TRUSTED_HEADER needs AKTFLOW_TRUSTED_PROXIES (the proxies' addresses)")
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log ind for at fortsætte."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    filters.init_app(app)
    app.before_request(auth.trusted_sign_on)
    app.register_blueprint(auth.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(legal.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(workflow.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    csrf.exempt(api.bp)  # the API authenticates with bearer tokens, not cookies

    @app.after_request
    def security_headers(resp):
        if not request.path.startswith("/api/"):
            resp.headers.setdefault("Content-Security-Policy", CSP)
            resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        return resp

    def _error(status: int, title: str, text: str):
        if request.path.startswith("/api/"):
            return {"error": title, "message": text}, status
        return render_template("error.html", status=status, title=title, text=text), status

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return _error(
            400,
            "Formularen kunne ikke modtages",
            "Sikkerhedsnøglen (CSRF) mangler eller er forkert. Gå tilbage, genindlæs siden og prøv igen.",
        )

    @app.errorhandler(403)
    def forbidden(e):
        desc = getattr(e, "description", "") or ""
        text = (
            desc
            if desc and not desc.startswith("You don't")
            else "Din rolle giver ikke adgang til denne side eller handling."
        )
        return _error(403, "Ingen adgang", text)

    @app.errorhandler(404)
    def not_found(e):
        return _error(404, "Siden findes ikke", "Sagen, brevet eller siden findes ikke (længere).")

    @app.errorhandler(405)
    def not_allowed(e):
        return _error(
            405,
            "Handlingen kan ikke udføres sådan",
            "Siden kan ikke hentes på den måde. Gå tilbage og brug knapperne på siden.",
        )

    @app.errorhandler(400)
    def bad_request(e):
        return _error(400, "Forespørgslen kunne ikke forstås", "Gå tilbage, genindlæs siden og prøv igen.")

    from sqlalchemy.exc import DataError

    @app.errorhandler(DataError)
    def data_error(e):
        return _error(
            400, "Oplysningerne kunne ikke gemmes", "En eller flere værdier er for lange eller ugyldige."
        )

    @app.errorhandler(413)
    def too_large(e):
        mb = app.config["MAX_CONTENT_LENGTH"] / 1048576
        return _error(413, "Filen er for stor", f"Filer må højst fylde {mb:.0f} MB.")

    return app
