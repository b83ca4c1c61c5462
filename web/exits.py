"""The web's exits through the exit filter (:mod:`aktflow.exits`): log lines, flash messages, file names.

:func:`init_app` (called by ``web.create_app``) installs the logging filter for the Flask app, werkzeug and
gunicorn, and masks every flash message in one place: whatever a view passes to ``flask.flash``, the
message is masked before the session cookie carrying it is written, and again when a page reads it. The
pages, the JSON API and the CSV export read masked data from :mod:`aktflow.queries`; the downloads name
their files with :func:`download_name`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, get_flashed_messages, session

from aktflow.exits import install_log_filter, mask, mask_filename

_FLASHES = "_flashes"  # where flask.flash keeps the messages for the next page


def download_name(name: str | None) -> str:
    """The file name sent in a download's ``Content-Disposition``: CPR numbers masked
    (:func:`aktflow.exits.mask_filename`)."""
    return mask_filename(name)


def masked_flashes(with_categories: bool = False, category_filter: Any = ()) -> list[Any]:
    """``flask.get_flashed_messages`` with every message masked (the templates' ``get_flashed_messages``)."""
    return mask(get_flashed_messages(with_categories=with_categories, category_filter=category_filter))


def _mask_flashes(resp: Response) -> Response:
    """Mask the flash messages waiting in the session before the cookie is written."""
    flashes = session.get(_FLASHES) if _FLASHES in session else None
    if flashes:
        masked = [(category, mask(message)) for category, message in flashes]
        if masked != list(flashes):
            session[_FLASHES] = masked
    return resp


def init_app(app: Flask) -> None:
    """Install the exit filter's web holds on ``app``: the log filter, and the masking of flash messages."""
    install_log_filter()
    app.logger.addFilter(install_log_filter())
    app.after_request(_mask_flashes)
    app.jinja_env.globals["get_flashed_messages"] = masked_flashes
