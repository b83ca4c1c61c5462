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
from sqlalchemy.orm import Session

from aktflow.models import LoginFailure, utcnow

LIMIT = 5
WINDOW = dt.timedelta(minutes=15)
KEEP = dt.timedelta(days=1)


def key(username: str) -> str:
    """The name failures are counted under (control characters dropped, as the column is 64 characters)."""
    return "".join(ch for ch in (username or "") if ch >= " " and ch != "\x7f").strip().lower()[:64]


def locked_until(session: Session, username: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the lock on ``username`` ends, or None when it may try to log in."""
    now = now or utcnow()
    n, latest = session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(
            LoginFailure.username == key(username), LoginFailure.at > now - WINDOW
        )
    ).one()
    if n >= LIMIT and latest is not None:
        return latest + WINDOW
    return None


def record_failure(session: Session, username: str, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    session.add(LoginFailure(username=key(username), at=now))
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - KEEP))  # keep the table small
    session.commit()


def clear(session: Session, username: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.username == key(username)))
    session.commit()
