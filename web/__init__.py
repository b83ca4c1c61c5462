"""The thin Flask layer: views parse input, call aktflow's service, render. No workflow rule lives here."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

from flask import Flask, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.routing import IntegerConverter

from aktflow import bootstrap
from aktflow.config import Settings, SettingsError, load_settings
from aktflow.db import Database
from aktflow.states.fields import INT_MAX

from .extensions import csrf, login_manager

#: What is compressed (by mimetype), from which size in bytes, at which zlib level (speed over the last byte).
GZIP_TYPES = frozenset(
    (
        "text/html",
        "application/json",
        "text/css",
        "text/javascript",
        "application/javascript",
        "image/svg+xml",
    )
)
GZIP_MIN_BYTES = 2048
GZIP_LEVEL = 5

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class Id64Converter(IntegerConverter):
    """``<int:…>`` in every route: a non-negative integer that fits the database's ids (``INT_MAX``, the
    PostgreSQL ``integer``); a larger one matches no route (404) instead of overflowing SQLite's 64 bits
    or PostgreSQL's 32 (the API's own 404 in JSON answers it there)."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, *args, **kwargs)
        if self.max is None or self.max > INT_MAX:
            self.max = INT_MAX


HSTS_MAX_AGE = 31536000  # one year, in seconds: browsers keep to HTTPS for that long after a visit


# The exit status when the settings are bad: gunicorn's "App failed to load", so its master stops instead of
# starting workers again and again.
BAD_SETTINGS_EXIT = 4


def _secret_key(settings: Settings) -> str:
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = settings.instance_dir() / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def _settings() -> Settings:
    """The checked settings; bad ones stop the start with one Danish line each on stderr (no traceback)."""
    try:
        return load_settings()
    except SettingsError as e:
        for line in e.problems:
            print(f"aktflow: fejl i indstillingerne: {line}", file=sys.stderr)
        raise SystemExit(BAD_SETTINGS_EXIT) from None


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The application factory. ``config`` may set DATABASE_URL, SECRET_KEY, TESTING, TRUSTED_HEADER, …

    The ``AKTFLOW_*`` settings are read and checked here (:func:`aktflow.config.load_settings`); a bad value
    ends the process with status 4 after one Danish line per problem on stderr. The services (database,
    archive, clock, outbox handlers) are built once (:func:`aktflow.bootstrap.build`) and kept on the app as
    ``app.extensions["aktflow"]``; they are also the process's services for code that is handed none.
    """
    settings = _settings()
    app = Flask(__name__, instance_path=str(Path(settings.instance_dir()).resolve()))
    app.url_map.converters["int"] = Id64Converter  # an id past 64 bits is a 404, never SQLite's overflow
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=settings.max_upload,
        WTF_CSRF_TIME_LIMIT=None,
        # Sign-on through a trusted reverse proxy (off unless the header is named).
        TRUSTED_HEADER=settings.trusted_header,
        TRUSTED_PROXIES=settings.trusted_proxies,
        TRUSTED_DOMAIN=settings.trusted_domain,
        PROXY_HOPS=settings.proxy_hops,
    )
    if config:
        app.config.update(config)
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(settings)
    url = app.config.get("DATABASE_URL") or settings.resolved_database_url()
    services = bootstrap.build(settings, db=Database(url))
    bootstrap.install(services)
    app.extensions["aktflow"] = services
    app.extensions["aktflow_db"] = services.db
    from datetime import timedelta

    from .sessions import ServerSessionInterface

    # The session is kept on the server; the cookie holds only its id (web/sessions.py).
    app.session_interface = ServerSessionInterface(
        idle=timedelta(minutes=settings.session_idle), lifetime=timedelta(hours=settings.session_lifetime)
    )
    if settings.screening == "background":
        # Stored files are read by a thread of this process, never in a request (aktflow.document_screening).
        from aktflow.document_screening import background
        from aktflow.extraction import limits_from_settings

        background(services.db, limits_from_settings(settings))

    from . import (
        access,
        admin,
        api,
        auth,
        bulk,
        cases,
        dashboard,
        dispatch,
        exits,
        filters,
        legal,
        mail_intake,
        redactions,
        release,
        search,
        workflow,
    )

    app.config["TRUSTED_PROXY_NETWORKS"] = auth.parse_networks(app.config["TRUSTED_PROXIES"])
    if app.config["TRUSTED_HEADER"] and not app.config["TRUSTED_PROXY_NETWORKS"]:
        raise RuntimeError(
            "AKTFLOW_TRUSTED_HEADER kræver AKTFLOW_TRUSTED_PROXIES (de adresser, proxyen kommer fra)"
        )
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"

    filters.init_app(app)
    exits.init_app(app)  # log lines and flash messages through the exit filter (no CPR number)
    app.before_request(auth.trusted_sign_on)
    app.register_blueprint(auth.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(legal.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(workflow.bp)
    app.register_blueprint(access.bp)
    app.register_blueprint(redactions.bp)
    app.register_blueprint(release.bp)
    app.register_blueprint(mail_intake.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(bulk.bp)
    from . import case_access as need_to_know  # refuses every page under a case the user may not see

    app.register_blueprint(need_to_know.bp)
    app.register_blueprint(dispatch.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    csrf.exempt(api.bp)  # the API authenticates with bearer tokens, not cookies

    @app.after_request
    def security_headers(resp):
        if not request.path.startswith("/api/"):
            resp.headers.setdefault("Content-Security-Policy", CSP)
            resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static":
            # Pages, downloads and API answers hold personal data: no copy in a browser's or proxy's cache.
            if "no-store" not in resp.headers.get("Cache-Control", ""):
                resp.headers["Cache-Control"] = "no-store"
        if (
            request.is_secure
        ):  # served over HTTPS (directly, or behind a proxy that says so: AKTFLOW_PROXY_HOPS)
            resp.headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_MAX_AGE}")
        return resp

    # Response compression: a page (HTML, CSS, JS, SVG; not the API) of at least GZIP_MIN_BYTES is sent gzipped
    # to a browser that accepts it (a case with 300 documents is about 1 MB of HTML, under 100 KB gzipped).
    # Our own few lines on the standard library's gzip instead of a dependency; docs/benchmarks.md.
    @app.after_request
    def compress(resp):
        import gzip

        if (
            resp.status_code < 200
            or resp.status_code in (204, 206, 304)
            or resp.direct_passthrough
            or resp.is_streamed
            or "Content-Encoding" in resp.headers
            or resp.mimetype not in GZIP_TYPES
            or request.path.startswith("/api/")  # the API's strong ETag names one representation
            or not request.accept_encodings["gzip"]
        ):
            return resp
        body = resp.get_data()
        resp.vary.add("Accept-Encoding")
        if len(body) < GZIP_MIN_BYTES:
            return resp
        resp.set_data(gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))
        resp.headers["Content-Encoding"] = "gzip"
        return resp

    def _error(status: int, title: str, text: str):
        if request.path.startswith("/api/"):
            return {"error": title, "message": text}, status
        return render_template("error.html", status=status, title=title, text=text), status

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        from flask_login import current_user

        reason = auth.session_ended_reason()
        if not request.path.startswith("/api/") and not current_user.is_authenticated and reason:
            # A form sent after the session ended: the login page says why, and app.js keeps the draft.
            return auth.login_again(reason)
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
        limit = filters.size_text(app.config["MAX_CONTENT_LENGTH"] or 0)
        text = f"Filen fylder mere end de {limit}, en fil højst må fylde. Intet er gemt."
        if request.path.startswith("/admin"):
            return render_template(
                "error.html",
                status=413,
                title="Filen er for stor",
                text=text,
                back=url_for("admin.index"),
                back_label="Tilbage til administrationen",
            ), 413
        return _error(413, "Filen er for stor", text)

    return app
