"""Changing who may see a sensitive case: members added and removed, a case marked sensitive and unmarked.

Use cases that take the acting user (as :mod:`aktflow.administration` does) and write each change to the
administrative log in the same transaction (:func:`aktflow.admin_log.record_admin_change`, kinds
``case.member_add``, ``case.member_remove``, ``case.mark_sensitive``, ``case.unmark_sensitive``).

Who may: the case's caseworker, the legal contact and managers add and remove members and mark a case
sensitive; lifting a mark is a manager's or the legal contact's decision (:data:`case_access.UNMARKS`). A
member may act on the case as its caseworker does, but not widen the circle further. The policy that reads
the tables is :mod:`aktflow.case_access`; docs/access.md has the table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import case_access
from .admin_log import record_admin_change
from .db import Database
from .errors import PermissionDenied, ValidationError
from .exits import mask
from .models import Case, CaseMember, CaseSensitivity, User
from .uow import UnitOfWork

#: The longest reason kept for an addition or a mark (characters).
REASON_MAX = 1000


def _user(session: Session, username: str, field: str = "actor") -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise ValidationError(field, f"ukendt eller inaktiv bruger {username!r}")
    return user


def _reason(reason: str | None, *, required: bool = True) -> str:
    text = mask((reason or "").strip())
    if required and not text:
        raise ValidationError("reason", "skriv en begrundelse")
    if len(text) > REASON_MAX:
        raise ValidationError("reason", f"begrundelsen må højst være {REASON_MAX} tegn")
    return text


def _check_manage(session: Session, user: User, case: Case) -> None:
    if not case_access.may_manage(user, case):
        raise PermissionDenied(
            "kun sagens sagsbehandler, den juridiske kontakt og ledere må ændre, hvem der har adgang til sagen"
        )


def _load(uow: UnitOfWork, case_id: int, actor: str) -> tuple[User, Case]:
    session = uow.session
    user = _user(session, actor)
    case = case_access.require_view(session, user, case_id)
    _check_manage(session, user, case)
    return user, case


def add_member(
    db: Database, case_id: int, username: str, *, actor: str, reason: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Add ``username`` to case ``case_id`` (need to know, with ``reason``), as ``actor``; returns the member.

    Raises ValidationError (unknown or inactive user, one who sees the case already, no reason), NotFound,
    PermissionDenied (``actor`` may not change the case's access).
    """
    why = _reason(reason)
    with UnitOfWork(db, now=now) as uow:
        _, case = _load(uow, case_id, actor)
        session = uow.session
        member = _user(session, username, "user")
        if member.role in case_access.SEES_ALL or case.assignee_id == member.id:
            raise ValidationError(
                "user", f"{username} ser allerede sagen (sagsbehandler, leder eller jurist)"
            )
        if case_access.is_member(session, member, case.id):
            raise ValidationError("user", f"{username} er allerede tilføjet sagen")
        row = CaseMember(case_id=case.id, user_id=member.id, added_by=actor, added_at=uow.now, reason=why)
        session.add(row)
        session.flush()
        record_admin_change(
            uow, actor, "case.member_add", f"sag {case.id}", None, {"user": username, "reason": why}
        )
        uow.commit()
        return {"username": username, "added_by": actor, "added_at": uow.now.isoformat(), "reason": why}


def remove_member(
    db: Database,
    case_id: int,
    username: str,
    *,
    actor: str,
    reason: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Remove ``username`` from case ``case_id``'s members, as ``actor`` (``reason`` optional).

    Raises ValidationError (not a member), NotFound, PermissionDenied.
    """
    why = _reason(reason, required=False)
    with UnitOfWork(db, now=now) as uow:
        _, case = _load(uow, case_id, actor)
        session = uow.session
        member = _user(session, username, "user")
        row = session.scalar(
            select(CaseMember).where(CaseMember.case_id == case.id, CaseMember.user_id == member.id)
        )
        if row is None:
            raise ValidationError("user", f"{username} er ikke tilføjet sagen")
        old = {"user": username, "reason": row.reason, "added_by": row.added_by}
        session.delete(row)
        record_admin_change(uow, actor, "case.member_remove", f"sag {case.id}", old, {"reason": why or None})
        uow.commit()


def mark_sensitive(
    db: Database, case_id: int, *, actor: str, reason: str, now: dt.datetime | None = None
) -> None:
    """Mark case ``case_id`` sensitive by hand, with ``reason``, as ``actor`` (its caseworker, the legal
    contact or a manager). Raises ValidationError (no reason, marked already), NotFound, PermissionDenied."""
    why = _reason(reason)
    with UnitOfWork(db, now=now) as uow:
        _, case = _load(uow, case_id, actor)
        session = uow.session
        if session.get(CaseSensitivity, case.id) is not None:
            raise ValidationError("reason", "sagen er allerede markeret fortrolig")
        session.add(CaseSensitivity(case_id=case.id, reason=why, marked_by=actor, marked_at=uow.now))
        session.flush()
        record_admin_change(uow, actor, "case.mark_sensitive", f"sag {case.id}", None, {"reason": why})
        uow.commit()


def unmark_sensitive(
    db: Database, case_id: int, *, actor: str, reason: str, now: dt.datetime | None = None
) -> None:
    """Lift the hand-set mark of case ``case_id``, with ``reason``: a manager's or the legal contact's
    decision. The case stays sensitive when it is so for another reason (personnel, art. 9/10, CPR).

    Raises ValidationError (no reason, not marked), NotFound, PermissionDenied.
    """
    why = _reason(reason)
    with UnitOfWork(db, now=now) as uow:
        session = uow.session
        user = _user(session, actor)
        case = case_access.require_view(session, user, case_id)
        if user.role not in case_access.UNMARKS:
            raise PermissionDenied(
                "kun en leder eller den juridiske kontakt kan fjerne markeringen fortrolig"
            )
        mark = session.get(CaseSensitivity, case.id)
        if mark is None:
            raise ValidationError("reason", "sagen er ikke markeret fortrolig")
        old = {"reason": mark.reason, "marked_by": mark.marked_by}
        session.delete(mark)
        record_admin_change(uow, actor, "case.unmark_sensitive", f"sag {case.id}", old, {"reason": why})
        uow.commit()
