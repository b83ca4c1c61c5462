"""Administration: users and roles, passwords, the municipality's settings, letter templates, the outbox.

Each command takes the acting user (``actor``), checks that it is an active administrator
(:func:`authorize_admin`) and commits once. The server's own shell acts as ``vocabulary.SYSTEM_ACTOR`` where
it is trusted (creating users and API tokens, loading the demo), as it is for ``aktflow db upgrade``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .errors import NotFound, PermissionDenied, ValidationError
from .models import Case, LetterTemplate, OutboxItem, Setting, User, utcnow
from .screening import redact_cpr
from .vocabulary import ADMIN, ADMINS, EMAIL_RE, PASSWORD_MAX, PASSWORD_MIN, ROLES, SYSTEM_ACTOR

log = logging.getLogger(__name__)


def _open():
    from .dashboard import _open as open_cases

    return open_cases()


def authorize_admin(session: Session, actor: str, *, shell: bool = False) -> User | None:
    """The acting administrator, or None for the server's shell (``SYSTEM_ACTOR``) where ``shell`` allows it.

    Raises ValidationError (field ``actor``) for an unknown or inactive user, PermissionDenied for any other
    role, or for the system actor where the shell is not trusted.
    """
    if actor == SYSTEM_ACTOR:
        if shell:
            return None
        raise PermissionDenied("denne handling kræver en administrator (angiv brugeren)")
    user = session.scalar(select(User).where(User.username == actor)) if isinstance(actor, str) else None
    if user is None or not user.active:
        raise ValidationError("actor", f"ukendt eller inaktiv bruger {actor!r}")
    if user.role not in ADMINS:
        raise PermissionDenied("kun en administrator kan ændre brugere og indstillinger")
    return user


def log_name(username: str) -> str:
    """How a user is named in the log: "systemet" for the server's shell, else the username with any CPR
    number in it masked (a username may be ten digits)."""
    return "systemet" if username == SYSTEM_ACTOR else redact_cpr(str(username))


def _admin(session: Session, actor: str) -> User:
    user = authorize_admin(session, actor)
    assert user is not None  # the system actor is refused without shell=True
    return user


def check_password(password: object) -> str:
    """The one password policy for passwords set through the product: 8 to 1000 characters.

    Returns the password; raises ValidationError (field ``password``).
    """
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise ValidationError("password", f"mindst {PASSWORD_MIN} tegn")
    if len(password) > PASSWORD_MAX:
        raise ValidationError("password", f"højst {PASSWORD_MAX} tegn")
    return password


def users(session: Session) -> list[dict[str, Any]]:
    """Every user with the number of open cases assigned to them (one GROUP BY)."""
    counts = dict(
        session.execute(
            select(Case.assignee_id, func.count())
            .where(_open(), Case.assignee_id.is_not(None))
            .group_by(Case.assignee_id)
        ).all()
    )
    return [
        {
            "id": u.id,
            "username": u.username,
            "name": u.name,
            "role": u.role,
            "active": u.active,
            "open_cases": counts.get(u.id, 0),
        }
        for u in session.scalars(select(User).order_by(User.active.desc(), User.name, User.username))
    ]


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
    with db.session() as s:
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
        s.commit()
        return {"username": username, "old": old, "new": role}


def set_active(db: Any, *, actor: str, username: str, active: bool) -> dict[str, Any]:
    with db.session() as s:
        me = _admin(s, actor)
        user = _target(s, username)
        if not active and user.id == me.id:
            raise ValidationError("active", "du kan ikke deaktivere dig selv")
        if not active and user.role == ADMIN and not _other_active_admins(s, user):
            raise ValidationError("active", "den sidste aktive administrator kan ikke deaktiveres")
        user.active = active
        if not active:
            user.session_epoch = (user.session_epoch or 0) + 1
        s.commit()
        open_cases = s.scalar(
            select(func.count()).select_from(Case).where(_open(), Case.assignee_id == user.id)
        )
        return {"username": username, "active": active, "open_cases": open_cases or 0}


def set_password(db: Any, *, actor: str, username: str, password: str) -> None:
    from werkzeug.security import generate_password_hash

    check_password(password)
    with db.session() as s:
        _admin(s, actor)
        user = _target(s, username)
        user.password_hash = generate_password_hash(password)
        user.session_epoch = (user.session_epoch or 0) + 1  # sessions made with the old password end
        s.commit()


MUNICIPALITY_FIELDS = (
    "name",
    "address",
    "phone",
    "email",
    "web",
    "logo_text",
    "appeal_body",
    "appeal_body_address",
)


def save_municipality(db: Any, *, actor: str, values: dict[str, Any]) -> dict[str, str]:
    """Store the letterhead and appeal body (``Setting`` "municipality"); every field checked, none dropped."""
    from .correspondence import DEFAULT_MUNICIPALITY, MUNICIPALITY_KEY

    clean: dict[str, str] = {}
    for key in MUNICIPALITY_FIELDS:
        v = values.get(key)
        v = " ".join(str(v).split()) if v is not None else ""
        if len(v) > 300:
            raise ValidationError(key, "højst 300 tegn")
        clean[key] = v
    for key in ("name", "address", "appeal_body", "appeal_body_address"):
        if not clean[key]:
            raise ValidationError(key, "skal udfyldes")
    if clean["email"] and not EMAIL_RE.match(clean["email"]):
        raise ValidationError("email", f"ugyldig e-mailadresse {clean['email']!r}")
    with db.session() as s:
        _admin(s, actor)
        row = s.get(Setting, MUNICIPALITY_KEY)
        if row is None:
            s.add(Setting(key=MUNICIPALITY_KEY, value=clean, updated_at=utcnow()))
        else:
            row.value, row.updated_at = clean, utcnow()
        s.commit()
    return {**DEFAULT_MUNICIPALITY, **clean}


def templates(session: Session) -> list[dict[str, Any]]:
    """Per letter kind: whether the municipality's own template is in use, by whom and when."""
    import letters

    latest = {}
    for row in session.execute(
        select(LetterTemplate.kind, LetterTemplate.uploaded_by, LetterTemplate.uploaded_at, LetterTemplate.id)
        .where(LetterTemplate.active.is_(True))
        .order_by(LetterTemplate.id)
    ):
        latest[row.kind] = row
    return [
        {
            "kind": k,
            "custom": k in latest,
            "uploaded_by": latest[k].uploaded_by if k in latest else None,
            "uploaded_at": latest[k].uploaded_at if k in latest else None,
        }
        for k in letters.KINDS
    ]


def template_in_use(db: Any, kind: str) -> bytes:
    import letters

    from .correspondence import active_template

    if kind not in letters.KINDS:
        raise NotFound(f"ukendt brevtype {kind!r}")
    with db.session() as s:
        return active_template(s, kind) or letters.template_bytes(kind)


def reset_template(db: Any, *, actor: str, kind: str) -> int:
    """Go back to the shipped template of ``kind`` (the uploaded ones stay stored, inactive)."""
    import letters

    if kind not in letters.KINDS:
        raise ValidationError("kind", f"ukendt brevtype {kind!r}")
    with db.session() as s:
        _admin(s, actor)
        n = s.execute(
            update(LetterTemplate)
            .where(LetterTemplate.kind == kind, LetterTemplate.active.is_(True))
            .values(active=False)
        ).rowcount
        s.commit()
        return n or 0


# --- the outbox --------------------------------------------------------------------------------------------


def retry_outbox(db: Any, *, actor: str, item_ids: Iterable[int] = (), all_failed: bool = False) -> int:
    """Put failed outbox items back in the queue, due now (after their cause is fixed); administrators only.

    ``item_ids`` names the items (only failed ones among them are touched); ``all_failed`` takes every failed
    item. Returns how many were queued again. Raises ValidationError (field ``item_ids``) when neither is
    given, and what :func:`authorize_admin` raises.
    """
    ids = tuple(item_ids)
    if not ids and not all_failed:
        raise ValidationError("item_ids", "angiv opgaver eller vælg alle fejlede")
    with db.session() as s:
        me = _admin(s, actor)
        q = update(OutboxItem).where(OutboxItem.status == "failed")
        if ids:
            q = q.where(OutboxItem.id.in_(ids))
        n = s.execute(q.values(status="pending", next_attempt_at=utcnow())).rowcount or 0
        s.commit()
    log.info("%d fejlede opgaver i udbakken sat i kø igen af %s", n, log_name(me.username))
    return n
