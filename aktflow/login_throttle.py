"""Login throttling, shared by every web worker through the ``login_failures`` table.

After ``LIMIT`` failed logins for a username within ``WINDOW``, further attempts for that username are
refused — even with the right password — until ``WINDOW`` has passed since the latest failure. Attempts
refused while locked are not recorded (the lock does not grow). The key is the username as typed, folded
to lower case and stripped, so "CW " and "cw" share one counter; unknown usernames are counted too, so
the answer never tells whether a user exists.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select

from .db import Database
from .models import LoginFailure, utcnow
from .uow import UnitOfWork

LIMIT = 5
WINDOW = dt.timedelta(minutes=15)
KEEP = dt.timedelta(days=1)


def key(username: str) -> str:
    """The name failures are counted under (control characters dropped, as the column is 64 characters)."""
    return "".join(ch for ch in (username or "") if ch >= " " and ch != "\x7f").strip().lower()[:64]


def locked_until(db: Database, username: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the lock on ``username`` ends (UTC), or None when it may try to log in."""
    now = now or utcnow()
    with db.session() as session:
        n, latest = session.execute(
            select(func.count(), func.max(LoginFailure.at)).where(
                LoginFailure.username == key(username), LoginFailure.at > now - WINDOW
            )
        ).one()
    if n >= LIMIT and latest is not None:
        return latest + WINDOW
    return None


def record_failure(db: Database, username: str, now: dt.datetime | None = None) -> None:
    """Count one failed login for ``username`` (and forget failures older than ``KEEP``)."""
    with UnitOfWork(db, now=now) as uow:
        uow.session.add(LoginFailure(username=key(username), at=uow.now))
        uow.session.execute(delete(LoginFailure).where(LoginFailure.at < uow.now - KEEP))  # keep it small
        uow.commit()


def clear(db: Database, username: str) -> None:
    """Forget the failures of ``username`` (after a successful login)."""
    with UnitOfWork(db) as uow:
        uow.session.execute(delete(LoginFailure).where(LoginFailure.username == key(username)))
        uow.commit()
