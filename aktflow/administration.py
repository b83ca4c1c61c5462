"""Administration: users and roles, passwords, the municipality's settings, letter templates, the outbox.

Each command takes the acting user (``actor``), checks that it is an active administrator
(:func:`authorize_admin`) and commits once. The server's own shell acts as ``vocabulary.SYSTEM_ACTOR`` where
it is trusted (creating users and API tokens, loading the demo), as it is for ``aktflow db upgrade``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from .admin_log import record_admin_change
from .db import Database
from .errors import NotFound, PermissionDenied, ValidationError
from .models import Case, LetterTemplate, OutboxItem, Setting, User
from .queries.dashboard import open_cases
from .screening import redact_cpr
from .uow import UnitOfWork
from .vocabulary import ADMINS, EMAIL_RE, SYSTEM_ACTOR

log = logging.getLogger(__name__)


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


def users(session: Session) -> list[dict[str, Any]]:
    """Every user with the number of open cases assigned to them (one GROUP BY)."""
    counts = dict(
        session.execute(
            select(Case.assignee_id, func.count())
            .where(open_cases(), Case.assignee_id.is_not(None))
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


MUNICIPALITY_FIELDS = (
    "name",
    "address",
    "phone",
    "email",
    "web",
    "logo_text",
    # The standard texts of a GDPR art. 15 decision (aktflow.case_letters.art15).
    "art15_purposes",
    "art15_categories",
    "art15_recipients",
    "art15_storage",
    "art15_source",
    "art15_automated",
    "art15_transfers",
)


def save_municipality(db: Any, *, actor: str, values: dict[str, Any]) -> dict[str, str]:
    """Store the letterhead (``Setting`` "municipality"); every field checked, none dropped. The appeal bodies
    have their own table (:mod:`aktflow.appeal_bodies`)."""
    from .case_letters import DEFAULT_MUNICIPALITY, MUNICIPALITY_KEY

    clean: dict[str, str] = {}
    for key in MUNICIPALITY_FIELDS:
        if key.startswith("art15_") and key not in values:
            continue  # a form without the GDPR texts keeps them as they are
        v = values.get(key)
        v = " ".join(str(v).split()) if v is not None else ""
        longest = 2000 if key.startswith("art15_") else 300
        if len(v) > longest:
            raise ValidationError(key, f"højst {longest} tegn")
        clean[key] = v
    for key in ("name", "address"):
        if not clean[key]:
            raise ValidationError(key, "skal udfyldes")
    if clean["email"] and not EMAIL_RE.match(clean["email"]):
        raise ValidationError("email", f"ugyldig e-mailadresse {clean['email']!r}")
    with UnitOfWork(db) as uow:
        s = uow.session
        _admin(s, actor)
        row = s.get(Setting, MUNICIPALITY_KEY)
        old = dict(row.value) if row is not None and isinstance(row.value, dict) else None
        if old != clean:
            record_admin_change(uow, actor, "settings.municipality", "kommunen", old, clean)
        if row is None:
            s.add(Setting(key=MUNICIPALITY_KEY, value=clean, updated_at=uow.now))
        else:
            kept = {k: v for k, v in (row.value or {}).items() if k.startswith("art15_") and k not in clean}
            clean = {**kept, **clean}
            row.value, row.updated_at = clean, uow.now
        uow.commit()
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

    from .case_letters import active_template

    if kind not in letters.KINDS:
        raise NotFound(f"ukendt brevtype {kind!r}")
    with db.session() as s:
        return active_template(s, kind) or letters.template_bytes(kind)


def reset_template(db: Any, *, actor: str, kind: str) -> int:
    """Go back to the shipped template of ``kind`` (the uploaded ones stay stored, inactive)."""
    import letters

    if kind not in letters.KINDS:
        raise ValidationError("kind", f"ukendt brevtype {kind!r}")
    with UnitOfWork(db) as uow:
        s = uow.session
        _admin(s, actor)
        stmt = (
            update(LetterTemplate)
            .where(LetterTemplate.kind == kind, LetterTemplate.active.is_(True))
            .values(active=False)
        )
        n = cast(CursorResult, s.execute(stmt)).rowcount
        if n:
            record_admin_change(
                uow, actor, "template.reset", kind, {"own_template": True}, {"own_template": False}
            )
        uow.commit()
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
    with UnitOfWork(db) as uow:
        s = uow.session
        me = _admin(s, actor)
        q = update(OutboxItem).where(OutboxItem.status == "failed")
        if ids:
            q = q.where(OutboxItem.id.in_(ids))
        n = cast(CursorResult, s.execute(q.values(status="pending", next_attempt_at=uow.now))).rowcount or 0
        if n:
            what = "alle fejlede" if all_failed and not ids else ", ".join(map(str, ids))
            record_admin_change(
                uow,
                actor,
                "outbox.retry",
                f"udbakken: {what}",
                {"status": "failed"},
                {"status": "pending", "items": n},
            )
        uow.commit()
    log.info("%d fejlede opgaver i udbakken sat i kø igen af %s", n, log_name(me.username))
    return n


# --- the calendar and letter templates -------------------------------------------------------------


def check_new_closures(days: Iterable[dt.date], today: dt.date) -> None:
    """A new closure day must be a coming weekday: a day already past cannot be closed after the fact (the
    deadlines counted over it stand), and Saturdays and Sundays are never working days anyway. Raises
    ValidationError (field ``date``) with the reason in Danish."""
    for d in sorted(days):
        if d < today:
            raise ValidationError(
                "date", f"{d:%d.%m.%Y} er allerede passeret; en lukkedag skal ligge i dag eller senere"
            )
        if d.weekday() >= 5:
            weekday = "lørdag" if d.weekday() == 5 else "søndag"
            raise ValidationError(
                "date",
                f"{d:%d.%m.%Y} er en {weekday}; weekender er aldrig arbejdsdage, så det er ikke en lukkedag",
            )


def add_closure_day(
    db: Database, *, actor: str, day: dt.date, now: dt.datetime | None = None, progress: Any = None
) -> dict[str, Any]:
    """One new closure day, as an administrator adds it on the administration page: refused unless it is a
    coming weekday (:func:`check_new_closures`), then :func:`change_calendar` (the answer is its).
    Raises PermissionDenied (not an administrator) and ValidationError (field ``date``)."""
    from . import case_deadlines

    with UnitOfWork(db, now=now) as uow:
        _admin(uow.session, actor)
        if day not in case_deadlines.calendar_settings(uow.session).closures:
            check_new_closures([day], uow.today)
    return change_calendar(db, actor=actor, close=[day], now=now, progress=progress)


def change_calendar(
    db: Database,
    *,
    actor: str,
    set_flags: dict[str, bool] | None = None,
    close: list[dt.date] | None = None,
    reopen: list[dt.date] | None = None,
    now: dt.datetime | None = None,
    progress: Any = None,
) -> dict[str, Any]:
    """Change the municipality's calendar (administrators) and recompute open cases' deadlines in bounded
    batches (:func:`aktflow.case_deadlines.recompute`); the new settings hold once the last batch commits."""
    from dataclasses import replace as dc_replace

    from . import case_deadlines

    with UnitOfWork(db, now=now) as uow:
        session = uow.session
        user = _admin(session, actor)
        current = case_deadlines.calendar_settings(session)
        closures = set(current.closures) | set(close or ())
        closures -= set(reopen or ())
        new = dc_replace(current, **(set_flags or {}), closures=frozenset(closures))
        if new == current:
            return {"changed": False, "calendar_version": current.version}
        username, at, old = user.username, uow.now, current.to_dict()
    # In bounded batches, each its own transaction; the settings are stored with the last one. The
    # administrative log records the change once it holds.
    result = case_deadlines.recompute(db, new, actor=username, now=at, progress=progress)
    with UnitOfWork(db) as uow:
        record_admin_change(uow, actor, "settings.calendar", "kalenderen", old, new.to_dict())
        uow.commit()
    return {"changed": True, "previous_version": current.version, **result}


def upload_template(db: Database, *, actor: str, kind: str, content: bytes) -> None:
    """An administrator's own template for a letter kind; checked first, the old one stays if it fails."""
    import hashlib

    import letters

    from .models import LetterTemplate

    if kind not in letters.KINDS:
        raise ValidationError("kind", f"ukendt brevtype {kind!r}: {', '.join(letters.KINDS)}")
    with UnitOfWork(db) as uow:
        session = uow.session
        user = _admin(session, actor)
        problems = letters.check_template(kind, content)
        if problems:
            raise ValidationError("template", "; ".join(problems))
        session.add(
            LetterTemplate(
                kind=kind,
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
                uploaded_by=user.username,
                uploaded_at=uow.now,
                active=True,
            )
        )
        record_admin_change(
            uow,
            actor,
            "template.upload",
            kind,
            None,
            {"sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content)},
        )
        uow.commit()
