"""Flask sessions kept on the server (:mod:`aktflow.web_sessions`): the cookie holds only a random id.

The session's data — the logged-in user's id, the CSRF token, flash messages that may name a case, a flag's
reason or a requester — is stored in the database, never in the cookie. ``session.regenerate()`` gives a
fresh id at login (no session fixation), ``session.end()`` ends this one session at logout. A session idle
for ``AKTFLOW_SESSION_IDLE`` minutes or older than ``AKTFLOW_SESSION_LIFETIME`` hours is over: the next
request starts an empty one (and a page that needs a login sends the user to it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, Request, Response
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from aktflow import web_sessions

_SERIALIZER = TaggedJSONSerializer()


class ServerSession(CallbackDict, SessionMixin):  # type: ignore[type-arg]
    """The session's data, with its id (None until stored) and what happened to it in this request."""

    def __init__(self, initial: dict[str, Any] | None = None, sid: str | None = None, seen_at=None) -> None:
        def on_update(_self: Any) -> None:
            self.modified = True

        super().__init__(initial, on_update)
        self.sid = sid
        self.seen_at: dt.datetime | None = seen_at
        self.modified = False
        self.ended = False
        self.renew = False

    def regenerate(self) -> None:
        """A new id at the end of this request; the old one is ended (login: no session fixation)."""
        self.renew = True
        self.modified = True

    def end(self) -> None:
        """End this session on the server (logout); the user's other sessions go on."""
        self.ended = True
        self.modified = True


class ServerSessionInterface(SessionInterface):
    """Loads and stores :class:`ServerSession` in the ``web_sessions`` table."""

    def __init__(self, idle: dt.timedelta, lifetime: dt.timedelta) -> None:
        self.idle = idle
        self.lifetime = lifetime

    def _db(self, app: Flask):
        return app.extensions["aktflow_db"]

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        sid = request.cookies.get(self.get_cookie_name(app))
        stored = (
            web_sessions.load(self._db(app), sid, idle=self.idle, lifetime=self.lifetime) if sid else None
        )
        if stored is None:
            return ServerSession()
        try:
            data = _SERIALIZER.loads(stored.data)
        except ValueError:
            return ServerSession()
        return ServerSession(data if isinstance(data, dict) else {}, sid=sid, seen_at=stored.seen_at)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:  # type: ignore[override]
        assert isinstance(session, ServerSession)
        name = self.get_cookie_name(app)
        domain, path = self.get_cookie_domain(app), self.get_cookie_path(app)
        db = self._db(app)
        if session.ended or session.renew or (not session and session.sid and session.modified):
            web_sessions.end(db, session.sid)
            old, session.sid = session.sid, None
            if (session.ended or not session) and old:
                response.delete_cookie(name, domain=domain, path=path)
            if session.ended:
                return
        if not session:
            return
        user_id = _user_id(session)
        data = _SERIALIZER.dumps(dict(session))
        if session.sid is None:
            session.sid = web_sessions.new_id()
            web_sessions.save(
                db, session.sid, data, user_id=user_id, created=True, idle=self.idle, lifetime=self.lifetime
            )
        elif session.modified:
            web_sessions.save(
                db, session.sid, data, user_id=user_id, created=False, idle=self.idle, lifetime=self.lifetime
            )
            return
        else:
            if session.seen_at is not None:
                web_sessions.touch(db, session.sid, session.seen_at)
            return
        response.set_cookie(
            name,
            session.sid,
            httponly=self.get_cookie_httponly(app),
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
            domain=domain,
            path=path,
        )
        response.vary.add("Cookie")


def _user_id(session: ServerSession) -> int | None:
    raw = session.get("_user_id")
    try:
        return int(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None
