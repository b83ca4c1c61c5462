"""Users: who may log in, with which role, and their sessions.

Every change takes the acting user and is allowed to administrators only (``aktflow.administration.authorize_admin``);
the server's shell acts as ``SYSTEM_ACTOR`` where that is trusted (creating the first administrator).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .admin_log import record_admin_change
from .administration import _admin, authorize_admin, log_name
from .db import Database
from .errors import NotFound, ValidationError
from .models import Case, User
from .queries.dashboard import open_cases
from .states.fields import parse_text as _text
from .uow import UnitOfWork
from .vocabulary import ADMIN, PASSWORD_MAX, PASSWORD_MIN, ROLES, USERNAME_RE

log = logging.getLogger(__name__)


def check_password(password: object) -> str:
    """The one password policy for passwords set through the product: 8 to 1000 characters.

    Returns the password; raises ValidationError (field ``password``).
    """
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise ValidationError("password", f"mindst {PASSWORD_MIN} tegn")
    if len(password) > PASSWORD_MAX:
        raise ValidationError("password", f"højst {PASSWORD_MAX} tegn")
    return password


def add_user(
    db: Database,
    username: str,
    *,
    actor: str,
    role: str,
    password: str,
    name: str | None = None,
    demo_password: bool = False,
) -> User:
    """Create an active user; only an administrator, or the server's shell (``SYSTEM_ACTOR``), may.

    The password must meet the one policy (:func:`check_password`, at least 8 characters).
    ``demo_password=True`` is for the demo loader alone: its users' well-known password ``demo`` is shorter.
    Raises ValidationError (``username``, ``role``, ``password``, ``name``, ``actor``) or PermissionDenied.
    """
    from werkzeug.security import generate_password_hash

    if not USERNAME_RE.match(username or ""):
        raise ValidationError("username", "2–64 tegn: bogstaver a–z, cifre, punktum, bindestreg, understreg")
    if role not in ROLES:
        raise ValidationError("role", f"ukendt rolle {role!r}: brug {'|'.join(ROLES)}")
    if demo_password:
        if not isinstance(password, str) or not password:
            raise ValidationError("password", "skal udfyldes")
    else:
        check_password(password)
    name = _text(name or username, "name", max_len=200) or username
    with UnitOfWork(db) as uow:
        session = uow.session
        authorize_admin(session, actor, shell=True)
        if session.scalar(select(User).where(User.username == username)):
            raise ValidationError("username", f"brugeren {username!r} findes allerede")
        user = User(
            username=username,
            role=role,
            name=name,
            password_hash=generate_password_hash(password),
        )
        session.add(user)
        record_admin_change(
            uow, actor, "user.add", username, None, {"role": role, "name": name, "active": True}
        )
        uow.commit()
        log.info("bruger %s (%s) oprettet af %s", log_name(username), role, log_name(actor))
        return user


def authenticate(db: Database, username: str, password: str) -> User | None:
    from werkzeug.security import check_password_hash

    if not isinstance(username, str) or not USERNAME_RE.match(username) or not isinstance(password, str):
        return None
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.active or not check_password_hash(user.password_hash, password or ""):
            return None
        return user


def _target(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"brugeren {username!r} findes ikke")
    return user


def _other_active_admins(session: Session, user: User) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == ADMIN, User.active.is_(True), User.id != user.id)
        )
        or 0
    )


def change_role(db: Any, *, actor: str, username: str, role: str) -> dict[str, Any]:
    if role not in ROLES:
        raise ValidationError("role", f"ukendt rolle {role!r}")
    with UnitOfWork(db) as uow:
        s = uow.session
        me = _admin(s, actor)
        user = _target(s, username)
        if user.role == ADMIN and role != ADMIN and (user.id == me.id or not _other_active_admins(s, user)):
            raise ValidationError(
                "role",
                "der skal være mindst én anden aktiv administrator, og du kan ikke "
                "fjerne din egen administratorrolle",
            )
        old, user.role = user.role, role
        if old != role:
            user.session_epoch = (user.session_epoch or 0) + 1  # sessions with the old role end
            record_admin_change(uow, actor, "user.role", username, {"role": old}, {"role": role})
        uow.commit()
        return {"username": username, "old": old, "new": role}


def set_active(db: Any, *, actor: str, username: str, active: bool) -> dict[str, Any]:
    with UnitOfWork(db) as uow:
        s = uow.session
        me = _admin(s, actor)
        user = _target(s, username)
        if not active and user.id == me.id:
            raise ValidationError("active", "du kan ikke deaktivere dig selv")
        if not active and user.role == ADMIN and not _other_active_admins(s, user):
            raise ValidationError("active", "den sidste aktive administrator kan ikke deaktiveres")
        if user.active != active:
            record_admin_change(
                uow, actor, "user.active", username, {"active": user.active}, {"active": active}
            )
        user.active = active
        if not active:
            user.session_epoch = (user.session_epoch or 0) + 1
        uow.commit()
        still_open = s.scalar(
            select(func.count()).select_from(Case).where(open_cases(), Case.assignee_id == user.id)
        )
        return {"username": username, "active": active, "open_cases": still_open or 0}


def set_password(db: Any, *, actor: str, username: str, password: str) -> None:
    from werkzeug.security import generate_password_hash

    check_password(password)
    with UnitOfWork(db) as uow:
        s = uow.session
        _admin(s, actor)
        user = _target(s, username)
        user.password_hash = generate_password_hash(password)
        user.session_epoch = (user.session_epoch or 0) + 1  # sessions made with the old password end
        record_admin_change(uow, actor, "user.password", username)  # that it changed; never the password
        uow.commit()


def end_sessions(db: Database, username: str) -> None:
    """End every web session of ``username`` (logout everywhere; after a password or role change)."""
    with UnitOfWork(db) as uow:
        session = uow.session
        session.execute(
            update(User).where(User.username == username).values(session_epoch=User.session_epoch + 1)
        )
        uow.commit()
