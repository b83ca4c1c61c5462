"""Browser sessions kept on the server (``web_sessions``): the cookie holds only a random id.

Why on the server: Flask's own session cookie is signed, not encrypted, so whatever a session holds — a
flash message naming a flag's reason or a requester, the acting user — could be read by anyone who gets
the cookie (a shared computer, a proxy's log). Here the cookie carries 256 random bits, the database keeps
their SHA-256 and the session's data, and:

- logging out deletes that one row (that session ends; the user's other sessions go on), while a password
  change, a role change or a deactivation still ends every session (the user's ``session_epoch``);
- a session unused for ``idle`` (``AKTFLOW_SESSION_IDLE``, default 30 minutes) or older than ``lifetime``
  (``AKTFLOW_SESSION_LIFETIME``, default 12 hours) is over: :func:`load` no longer finds it;
- ``seen_at`` is written at most once every ``TOUCH`` (a minute), so reading pages costs no write each.

Rows past either limit are deleted whenever a new session is stored (one indexed DELETE).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update

from .db import Database
from .models import WebSession, utcnow

TOUCH = dt.timedelta(minutes=1)
ID_BYTES = 32  # the cookie's id: 256 random bits


@dataclass(frozen=True)
class Stored:
    """A live session as loaded: its data (the serialised session), when it began and was last seen (UTC)."""

    data: str
    created_at: dt.datetime
    seen_at: dt.datetime


def new_id() -> str:
    """A fresh session id for the cookie."""
    return secrets.token_urlsafe(ID_BYTES)


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


def _well_formed(sid: object) -> bool:
    return isinstance(sid, str) and 20 <= len(sid) <= 100 and sid.isascii() and sid.isprintable()


def load(
    db: Database,
    sid: str | None,
    *,
    idle: dt.timedelta,
    lifetime: dt.timedelta,
    now: dt.datetime | None = None,
) -> Stored | None:
    """The live session with this cookie id, or None (unknown, malformed, idle too long, or too old)."""
    if not _well_formed(sid):
        return None
    assert sid is not None
    now = now or utcnow()
    with db.session() as s:
        row = s.get(WebSession, _digest(sid))
        if row is None:
            return None
        if now - row.seen_at > idle or now - row.created_at > lifetime:
            return None
        return Stored(row.data, row.created_at, row.seen_at)


def save(
    db: Database,
    sid: str,
    data: str,
    *,
    user_id: int | None,
    created: bool,
    idle: dt.timedelta,
    lifetime: dt.timedelta,
    now: dt.datetime | None = None,
) -> None:
    """Store the session's data (``created``: a new id, else an update of the live one)."""
    now = now or utcnow()
    with db.session() as s:
        if created:
            s.execute(
                delete(WebSession).where(
                    or_(WebSession.seen_at < now - idle, WebSession.created_at < now - lifetime)
                )
            )
            s.add(WebSession(id=_digest(sid), user_id=user_id, data=data, created_at=now, seen_at=now))
        else:
            s.execute(
                update(WebSession)
                .where(WebSession.id == _digest(sid))
                .values(data=data, user_id=user_id, seen_at=now)
            )
        s.commit()


def touch(db: Database, sid: str, seen_at: dt.datetime, now: dt.datetime | None = None) -> None:
    """Mark the session as used now, when it was last marked more than ``TOUCH`` ago."""
    now = now or utcnow()
    if now - seen_at < TOUCH:
        return
    with db.session() as s:
        s.execute(
            update(WebSession)
            .where(WebSession.id == _digest(sid), WebSession.seen_at < now - TOUCH)
            .values(seen_at=now)
        )
        s.commit()


def end(db: Database, sid: str | None) -> None:
    """End one session (logout): its row is deleted, so neither this cookie nor a copy of it works again."""
    if not _well_formed(sid):
        return
    assert sid is not None
    with db.session() as s:
        s.execute(delete(WebSession).where(WebSession.id == _digest(sid)))
        s.commit()


def count(db: Database, user_id: int) -> int:
    """How many sessions of this user are stored (live or not yet cleaned up)."""
    with db.session() as s:
        return len(s.scalars(select(WebSession.id).where(WebSession.user_id == user_id)).all())
