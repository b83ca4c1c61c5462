"""Users: who may log in, with which role, and their sessions.

Every change takes the acting user and is allowed to administrators only (``aktflow.administration.authorize_admin``);
the server's shell acts as ``SYSTEM_ACTOR`` where that is trusted (creating the first administrator).
"""

from __future__ import annotations

import gzip
import logging
import secrets
import string
from functools import cache
from importlib import resources
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


_EDGE = string.digits + string.punctuation + " "
# Runs of keys or digits people type as a password ("123456789012", "qwertyuiopå"), forwards and backwards.
_RUNS = tuple(
    run + run[::-1]
    for run in (
        "0123456789" * 4,
        "abcdefghijklmnopqrstuvwxyzæøå" * 2,
        "qwertyuiopåasdfghjklæøzxcvbnm" * 2,
        "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p" * 2,
    )
)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped lists of common passwords, lower case (``aktflow/data/PASSWORDS.md`` names the sources)."""
    data = resources.files("aktflow") / "data"
    words = set(gzip.decompress((data / "common_passwords.txt.gz").read_bytes()).decode("utf-8").split())
    for line in (data / "common_passwords_da.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            words.add(line.strip().lower())
    return frozenset(words)


def check_password(password: object, username: str | None = None) -> str:
    """The one password policy, for every password set through the product (the web, the CLI, administrators
    too): at least ``PASSWORD_MIN`` (12) and at most ``PASSWORD_MAX`` characters, not one or two characters
    repeated, not a run of keys or digits ("123456789012"), not the username, and not a common password — in lower case, also with leading and trailing digits and
    punctuation removed ("Velkommen2026!"), it is in none of the shipped lists (:func:`common_passwords`).

    Returns the password; raises ValidationError (field ``password``) with a Danish reason.
    """
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise ValidationError(
            "password", f"mindst {PASSWORD_MIN} tegn (en sætning af flere ord er let at huske)"
        )
    if len(password) > PASSWORD_MAX:
        raise ValidationError("password", f"højst {PASSWORD_MAX} tegn")
    folded = password.lower()
    core = folded.strip(_EDGE)
    if len(set(folded)) <= 2:
        raise ValidationError("password", "består af et enkelt eller to tegn gentaget: vælg en anden")
    if username and (folded == username.lower() or core == username.lower()):
        raise ValidationError("password", "må ikke være brugernavnet")
    if any(folded in run for run in _RUNS):
        raise ValidationError("password", "er en række af taster eller tal: vælg en anden")
    listed = common_passwords()
    if folded in listed or core in listed or core.replace(" ", "") in listed:
        raise ValidationError("password", "er en af de mest almindelige adgangskoder: vælg en anden")
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

    The password must meet the one policy (:func:`check_password`, at least 12 characters, no common one).
    ``demo_password=True`` is for demo data alone (the demo loader, whose users' well-known password ``demo``
    the README documents, and the test suite's fixture users): it skips the policy.
    Raises ValidationError (``username``, ``role``, ``password``, ``name``, ``actor``) or PermissionDenied.
    """
    from werkzeug.security import generate_password_hash

    if not USERNAME_RE.match(username or ""):
        raise ValidationError(
            "username",
            "2–64 tegn: bogstaver a–z, cifre, punktum, bindestreg, understreg (evt. DOMÆNE\\ foran)",
        )
    if role not in ROLES:
        raise ValidationError("role", f"ukendt rolle {role!r}: brug {'|'.join(ROLES)}")
    if demo_password:
        if not isinstance(password, str) or not password:
            raise ValidationError("password", "skal udfyldes")
    else:
        check_password(password, username)
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


@cache
def _dummy_hash() -> str:
    """A hash made as every stored one is (werkzeug's default method), of a password nobody has."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(secrets.token_urlsafe(32))


def authenticate(db: Database, username: str, password: str) -> User | None:
    """The active user ``username`` if ``password`` is theirs, else None.

    Takes the same time whether or not the user exists: an unknown, malformed or inactive username has a
    password hash checked all the same (a dummy one made with the same method and cost), so the answer's
    timing does not tell which usernames exist.
    """
    from werkzeug.security import check_password_hash

    if not isinstance(password, str):
        password = ""
    user = None
    if isinstance(username, str) and USERNAME_RE.match(username):
        with db.session() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is not None:
                session.expunge(user)
    stored = user.password_hash if user is not None else _dummy_hash()
    ok = check_password_hash(stored, password)
    if user is None or not ok or not user.active:
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
    """Set ``username``'s password (the one policy, :func:`check_password`); their sessions end.

    ``actor`` must be an administrator. Raises ValidationError (``password``), NotFound, PermissionDenied.
    """
    from werkzeug.security import generate_password_hash

    check_password(password, username)
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
