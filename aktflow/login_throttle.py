"""Login throttling, shared by every web worker through the ``login_failures`` table.

The rules (docs/reliability.md, "Login"):

- **Per username.** At most ``LIMIT`` (5) password checks for a username within ``WINDOW`` (15 minutes).
  An attempt is counted *before* its password is checked (:func:`attempt` inserts the row only while the
  count is under the limit, in one conditional statement: SQLite runs it under its write lock, PostgreSQL
  under a transaction-scoped advisory lock per username and per source), so 40 parallel attempts get at
  most 5 password checks. A successful login forgets the attempts of its counter (:func:`succeeded`).
  Attempts refused while locked are not counted, so the lock ends ``WINDOW`` after the last counted attempt.
- **Per source address.** At most ``SOURCE_LIMIT`` (30) failed attempts from one client address within
  ``WINDOW``, whatever the usernames: spraying one password over many usernames is stopped there.
- **No lock kept forever.** A browser that logged in as a user before carries a device id (a signed cookie,
  web/auth.py); its attempts for that user are counted under the device, with its own ``LIMIT``, and are not
  held by the username's or the address's lock. So an attacker who fails five times every quarter of an
  hour keeps only *other* browsers out; the user's own browser still logs in. An administrator can
  lift a lock at once (:func:`unlock`: the admin page and ``aktflow users unlock``).

The username key is the name as typed, folded to lower case and stripped, so "CW " and "cw" share one
counter; unknown usernames are counted too, so the answer never tells whether a user exists.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, delete, func, insert, select, text

from .admin_log import record_admin_change
from .administration import authorize_admin, log_name
from .db import Database
from .models import LoginFailure, utcnow
from .uow import UnitOfWork

LIMIT = 5
SOURCE_LIMIT = 30
WINDOW = dt.timedelta(minutes=15)
KEEP = dt.timedelta(days=1)
_AT = LoginFailure.__table__.c.at.type


@dataclass(frozen=True)
class Verdict:
    """What :func:`attempt` decided: ``allowed`` (the password may be checked), else ``until`` (UTC, when
    the lock ends) and ``reason``: ``"user"`` (the username's lock) or ``"source"`` (the address's)."""

    allowed: bool
    until: dt.datetime | None = None
    reason: str | None = None


def key(username: str) -> str:
    """The name failures are counted under (control characters dropped, as the column is 64 characters)."""
    return "".join(ch for ch in (username or "") if ch >= " " and ch != "\x7f").strip().lower()[:64]


def source_key(address: str | None) -> str | None:
    """The client address as counted: an IPv4 address as it is, an IPv6 address by its /64 network (one
    machine usually holds a whole /64); None for no or no valid address."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))[:45]
    return str(ip)


def _bucket(k: str, device: str | None) -> ColumnElement[bool]:
    dev = LoginFailure.device == device if device else LoginFailure.device.is_(None)
    return and_(LoginFailure.username == k, dev)


def _lock(session: Any, name: str) -> None:
    """PostgreSQL: serialise the attempts on one counter for the rest of the transaction."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": "aktflow-login:" + name}
    )


def attempt(
    db: Database,
    username: str,
    *,
    source: str | None = None,
    device: str | None = None,
    now: dt.datetime | None = None,
) -> Verdict:
    """Count one login attempt for ``username`` from ``source`` (the client address) before its password is
    checked; the verdict says whether it may be checked. ``device`` is the id of a browser that logged in as
    this user before (its own counter, free of the username's and the address's lock).

    Atomic: the attempt is inserted only while the counters are under their limits, in one statement under
    a lock (see the module's text), so parallel attempts never get more than ``LIMIT`` checks.
    """
    k, src = key(username), source_key(source)
    with UnitOfWork(db, now=now) as uow:
        s = uow.session
        now = uow.now
        since = now - WINDOW
        if s.get_bind().dialect.name == "postgresql":
            for name in sorted({f"u:{k}:{device or ''}", *([f"s:{src}"] if src and not device else [])}):
                _lock(s, name)
        conditions = [
            select(func.count()).where(_bucket(k, device), LoginFailure.at > since).scalar_subquery() < LIMIT
        ]
        if src and not device:
            conditions.append(
                select(func.count())
                .where(LoginFailure.source == src, LoginFailure.at > since)
                .scalar_subquery()
                < SOURCE_LIMIT
            )
        row = select(
            bindparam("k", k),
            bindparam("at", now, type_=_AT),
            bindparam("src", src),
            bindparam("dev", device),
        ).where(*conditions)
        inserted = s.execute(
            insert(LoginFailure)
            .from_select(
                [LoginFailure.username, LoginFailure.at, LoginFailure.source, LoginFailure.device], row
            )
            .returning(LoginFailure.id)  # psycopg reports no rowcount for INSERT … SELECT
        ).scalar_one_or_none()
        if inserted is not None:
            s.execute(delete(LoginFailure).where(LoginFailure.at < now - KEEP))  # keep the table small
            uow.commit()
            return Verdict(True)
        n, latest = s.execute(
            select(func.count(), func.max(LoginFailure.at)).where(_bucket(k, device), LoginFailure.at > since)
        ).one()
        if n >= LIMIT and latest is not None:
            return Verdict(False, latest + WINDOW, "user")
        last_from_source = s.scalar(select(func.max(LoginFailure.at)).where(LoginFailure.source == src))
        return Verdict(False, (last_from_source or now) + WINDOW, "source")


def succeeded(db: Database, username: str, *, device: str | None = None) -> None:
    """Forget the attempts on the counter a successful login used (the username's, or its device's)."""
    with UnitOfWork(db) as uow:
        uow.session.execute(delete(LoginFailure).where(_bucket(key(username), device)))
        uow.commit()


def clear(db: Database, username: str) -> None:
    """Forget every attempt on ``username``, its devices' too."""
    with UnitOfWork(db) as uow:
        uow.session.execute(delete(LoginFailure).where(LoginFailure.username == key(username)))
        uow.commit()


def locked_until(db: Database, username: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the lock on ``username`` (without a device) ends (UTC), or None when it may try to log in."""
    now = now or utcnow()
    with db.session() as session:
        n, latest = session.execute(
            select(func.count(), func.max(LoginFailure.at)).where(
                _bucket(key(username), None), LoginFailure.at > now - WINDOW
            )
        ).one()
    if n >= LIMIT and latest is not None:
        return latest + WINDOW
    return None


def locked(db: Database, now: dt.datetime | None = None) -> dict[str, dt.datetime]:
    """Every username (key) locked now, with when its lock ends (UTC): for the administrator's page."""
    now = now or utcnow()
    with db.session() as session:
        rows = session.execute(
            select(LoginFailure.username, func.count(), func.max(LoginFailure.at))
            .where(LoginFailure.device.is_(None), LoginFailure.at > now - WINDOW)
            .group_by(LoginFailure.username)
        ).all()
    return {name: latest + WINDOW for name, n, latest in rows if n >= LIMIT}


def unlock(db: Database, username: str, *, actor: str) -> int:
    """Lift the lock on ``username`` at once (every counted attempt on it, its devices' too); returns how
    many attempts were forgotten. ``actor`` must be an administrator (or the server's shell,
    ``SYSTEM_ACTOR``); raises PermissionDenied or ValidationError (field ``actor``) otherwise."""
    import logging

    with UnitOfWork(db) as uow:
        authorize_admin(uow.session, actor, shell=True)
        result: Any = uow.session.execute(delete(LoginFailure).where(LoginFailure.username == key(username)))
        record_admin_change(
            uow, actor, "user.unlock", key(username), None, {"forgotten": int(result.rowcount or 0)}
        )
        uow.commit()
    logging.getLogger(__name__).info(
        "login-spærring for %s ophævet af %s", log_name(key(username)), log_name(actor)
    )
    return int(result.rowcount or 0)
