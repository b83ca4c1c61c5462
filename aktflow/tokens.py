"""Bearer tokens for the JSON API (``/api/v1``).

A token is ``akt_`` + ``secrets.token_urlsafe(32)`` (256 random bits). It is shown once, when issued; the
database keeps only its SHA-256 (hex), so a copy of the database gives no usable token. A token acts as
its user: the user's role decides what it may do, and a deactivated user's tokens stop working at once.

``last_used_at`` is written at most once a minute per token (a conditional UPDATE), so reading the API
does not cost a write per request.

Every token expires: after ``DEFAULT_DAYS`` (90) days unless issued for fewer or more (at most ``MAX_DAYS``,
a year); an expired token is refused like a revoked one. Tokens issued before expiry existed have none
until they are revoked (``aktflow tokens list`` shows them as "udløber ikke").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from typing import Any, TypeGuard, cast

from sqlalchemy import String, or_, select, update

from .admin_log import record_admin_change
from .administration import authorize_admin, log_name
from .db import Database
from .errors import NotFound, ValidationError
from .models import ApiToken, User, utcnow
from .uow import UnitOfWork

PREFIX = "akt_"
# secrets.token_urlsafe(32) gives 43 characters; anything far longer is not one of ours (and is not hashed).
MAX_TOKEN_LEN = 200
TOUCH_INTERVAL = dt.timedelta(minutes=1)
DEFAULT_DAYS = 90
MAX_DAYS = 366
NAME_MAX = cast(int, cast(String, ApiToken.__table__.c.name.type).length)  # the column is a String(n)
log = logging.getLogger(__name__)


def hash_token(token: str) -> str:
    """The stored form of a token: SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _well_formed(token: Any) -> TypeGuard[str]:
    return (
        isinstance(token, str)
        and token.startswith(PREFIX)
        and len(PREFIX) < len(token) <= MAX_TOKEN_LEN
        and token.isascii()
        and token.isprintable()
    )


def check_days(days: object) -> int:
    """The token's lifetime in whole days, 1 to ``MAX_DAYS``; ValidationError (field ``days``) otherwise."""
    if isinstance(days, str) and days.strip().isascii() and days.strip().isdigit():
        days = int(days.strip())
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationError("days", f"skal være et helt antal dage fra 1 til {MAX_DAYS}")
    return days


def issue_token(
    db: Database, username: str, name: str | None = None, *, actor: str, days: int = DEFAULT_DAYS
) -> str:
    """A new token for the active user ``username``; returns the token itself (the only time it is seen).

    The token expires after ``days`` days (1 to ``MAX_DAYS``; default ``DEFAULT_DAYS``, 90).
    ``actor`` must be an administrator, or the server's shell (``SYSTEM_ACTOR``, ``aktflow users token``).
    Raises ValidationError (field ``username``) for an unknown or inactive user, (field ``name``) for a bad
    name, (field ``days``) for a bad lifetime, (field ``actor``) for an unknown acting user; PermissionDenied
    for an actor who is no administrator.
    """
    days = check_days(days)
    if name is not None:
        if not isinstance(name, str):
            raise ValidationError("name", "skal være tekst")
        name = name.strip() or None
        if name and len(name) > NAME_MAX:
            raise ValidationError("name", f"højst {NAME_MAX} tegn")
    with UnitOfWork(db) as uow:
        session = uow.session
        authorize_admin(session, actor, shell=True)
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            raise ValidationError("username", f"ukendt eller inaktiv bruger {username!r}")
        token = PREFIX + secrets.token_urlsafe(32)
        session.add(
            row := ApiToken(
                user_id=user.id,
                token_hash=hash_token(token),
                name=name,
                created_at=uow.now,
                expires_at=uow.now + dt.timedelta(days=days),
            )
        )
        session.flush()
        record_admin_change(
            uow, actor, "token.issue", username, None, {"token_id": row.id, "name": name, "days": days}
        )
        uow.commit()
    log.info("API-nøgle udstedt til %s af %s", log_name(username), log_name(actor))
    return token


def user_for_token(db: Database, token: Any, *, now: dt.datetime | None = None) -> User | None:
    """The active user a valid, unrevoked, unexpired token belongs to; None for anything else.

    The lookup is by the token's SHA-256 (an attacker controls the token, not its hash, so the index lookup
    leaks nothing useful), and the stored hash is compared once more in constant time.
    """
    if not _well_formed(token):
        return None
    digest = hash_token(token)
    now = now or utcnow()
    with UnitOfWork(db) as uow:
        session = uow.session
        row = session.execute(
            select(
                ApiToken.id,
                ApiToken.token_hash,
                ApiToken.revoked,
                ApiToken.last_used_at,
                ApiToken.expires_at,
                User,
            )
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == digest)
        ).first()
        if row is None:
            return None
        token_id, stored, revoked, last_used, expires, user = row
        if not hmac.compare_digest(stored, digest) or revoked or not user.active:
            return None
        if expires is not None and now >= expires:
            return None
        if last_used is None or now - last_used >= TOUCH_INTERVAL:
            # Conditional, so that concurrent requests on several workers write at most once a minute.
            session.execute(
                update(ApiToken)
                .where(
                    ApiToken.id == token_id,
                    or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - TOUCH_INTERVAL),
                )
                .values(last_used_at=now)
            )
            uow.commit()
        session.expunge(user)
        return user


def revoke(db: Database, token_or_id: str | int, *, actor: str) -> int:
    """Revoke a token, given the token itself or its id (as listed by :func:`list_tokens`); returns the id.

    ``actor`` must be an administrator (or the server's shell, ``SYSTEM_ACTOR``). Revoking a revoked token
    is not an error. Raises NotFound when there is no such token, PermissionDenied for another role.
    """
    with UnitOfWork(db) as uow:
        session = uow.session
        authorize_admin(session, actor, shell=True)
        if isinstance(token_or_id, int) and not isinstance(token_or_id, bool):
            row = session.get(ApiToken, token_or_id)
        elif isinstance(token_or_id, str) and token_or_id.strip().isdigit():
            row = session.get(ApiToken, int(token_or_id.strip()))
        elif _well_formed(token_or_id):
            row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token_or_id)))
        else:
            row = None
        if row is None:
            raise NotFound("API-nøglen findes ikke")
        if not row.revoked:
            record_admin_change(
                uow, actor, "token.revoke", f"API-nøgle {row.id}", {"revoked": False}, {"revoked": True}
            )
        row.revoked = True
        uow.commit()
        log.info("API-nøgle %d tilbagekaldt af %s", row.id, log_name(actor))
        return row.id


def status(revoked: bool, expires_at: dt.datetime | None, now: dt.datetime) -> str:
    """``revoked``, ``expired`` or ``active``."""
    if revoked:
        return "revoked"
    if expires_at is not None and now >= expires_at:
        return "expired"
    return "active"


def list_tokens(
    db: Database, username: str | None = None, *, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """The tokens (never their hashes), optionally of one user, oldest first: id, username, name,
    created_at, expires_at (None: issued before tokens expired), last_used_at (ISO 8601, UTC, seconds) and
    status (``active``, ``expired`` or ``revoked``)."""
    now = now or utcnow()

    def iso(at: dt.datetime | None) -> str | None:
        return at.isoformat(timespec="seconds") if at else None

    with db.session() as session:
        stmt = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
        if username is not None:
            stmt = stmt.where(User.username == username)
        return [
            {
                "id": t.id,
                "username": uname,
                "name": t.name,
                "created_at": iso(t.created_at),
                "expires_at": iso(t.expires_at),
                "last_used_at": iso(t.last_used_at),
                "revoked": t.revoked,
                "status": status(t.revoked, t.expires_at, now),
            }
            for t, uname in session.execute(stmt)
        ]
