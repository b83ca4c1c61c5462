"""Bearer tokens for the JSON API (``/api/v1``).

A token is ``akt_`` + ``secrets.token_urlsafe(32)`` (256 random bits). It is shown once, when issued; the
database keeps only its SHA-256 (hex), so a copy of the database gives no usable token. A token acts as
its user: the user's role decides what it may do, and a deactivated user's tokens stop working at once.

``last_used_at`` is written at most once a minute per token (a conditional UPDATE), so reading the API
does not cost a write per request.
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


def issue_token(db: Database, username: str, name: str | None = None, *, actor: str) -> str:
    """A new token for the active user ``username``; returns the token itself (the only time it is seen).

    ``actor`` must be an administrator, or the server's shell (``SYSTEM_ACTOR``, ``aktflow users token``).
    Raises ValidationError (field ``username``) for an unknown or inactive user, (field ``name``) for a bad
    name, (field ``actor``) for an unknown acting user; PermissionDenied for an actor who is no administrator.
    """
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
            row := ApiToken(user_id=user.id, token_hash=hash_token(token), name=name, created_at=uow.now)
        )
        session.flush()
        record_admin_change(uow, actor, "token.issue", username, None, {"token_id": row.id, "name": name})
        uow.commit()
    log.info("API-nøgle udstedt til %s af %s", log_name(username), log_name(actor))
    return token


def user_for_token(db: Database, token: Any, *, now: dt.datetime | None = None) -> User | None:
    """The active user a valid, unrevoked token belongs to; None for anything else.

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
            select(ApiToken.id, ApiToken.token_hash, ApiToken.revoked, ApiToken.last_used_at, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == digest)
        ).first()
        if row is None:
            return None
        token_id, stored, revoked, last_used, user = row
        if not hmac.compare_digest(stored, digest) or revoked or not user.active:
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


def list_tokens(db: Database, username: str | None = None) -> list[dict[str, Any]]:
    """The tokens (never their hashes), optionally of one user, oldest first."""
    with db.session() as session:
        stmt = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
        if username is not None:
            stmt = stmt.where(User.username == username)
        return [
            {
                "id": t.id,
                "username": uname,
                "name": t.name,
                "created_at": t.created_at.isoformat(timespec="seconds"),
                "last_used_at": t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else None,
                "revoked": t.revoked,
            }
            for t, uname in session.execute(stmt)
        ]
