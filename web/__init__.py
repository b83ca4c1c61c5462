"""The thin Flask layer: views parse input, call aktflow's service, render. No workflow rule lives here."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from aktflow.config import Config, instance_dir
from aktflow.db import Database

csrf = CSRFProtect()
login_manager = LoginManager()


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
    """The application factory. ``config`` may set DATABASE_URL, SECRET_KEY, TESTING, …"""
    app = Flask(__name__, instance_path=str(Path(instance_dir()).resolve()))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("AKTFLOW_SECURE_COOKIES", "0") == "1",
        MAX_CONTENT_LENGTH=int(os.environ.get("AKTFLOW_MAX_UPLOAD", 25 * 1024 * 1024)),
        WTF_CSRF_TIME_LIMIT=None,
    )
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key()
    url = app.config.get("DATABASE_URL") or Config.from_env().database_url
    app.extensions["aktflow_db"] = Database(url)

    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log ind for at fortsætte."
    login_manager.session_protection = "strong"

    from . import admin, api, auth, cases, dashboard, filters, legal, workflow

    filters.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(legal.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(workflow.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    csrf.exempt(api.bp)  # the API authenticates with bearer tokens, not cookies
    return app
