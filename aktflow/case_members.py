"""Changing who may see a sensitive case: members added and removed, a case marked sensitive and unmarked.

Each change is an action of the workflow (2026.6: ``grant_case_access``, ``revoke_case_access``,
``mark_case_sensitive``, ``unmark_case_sensitive``) fired through :func:`aktflow.service.fire`, so it is an
event in the case's own log with what it changed, before and after, and is also written to the
administrative log in the same transaction (kinds ``case.member_add``, ``case.member_remove``,
``case.mark_sensitive``, ``case.unmark_sensitive``). The effects are :func:`aktflow.case_actions.change_access`.
Naming the case's legal contact (``assign_legal_contact``, :func:`assign_legal_contact`) decides which of
the legal contacts sees a sensitive case; it is an event in the case's log with before and after.

Who may: the case's caseworker, the legal contact and managers add and remove members and mark a case
sensitive; lifting a mark is a manager's or the legal contact's decision (:data:`case_access.UNMARKS`). A
member may act on the case as its caseworker does, but not widen the circle further. Someone who may not
see the case in full is refused before anything else (:data:`case_access.NO_VIEW`). The policy that reads
the tables is :mod:`aktflow.case_access`; docs/access.md has the table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import case_access
from .db import Database
from .errors import NotFound, PermissionDenied, ValidationError
from .exits import mask
from .service import fire
from .states.case_actions import REASON_MAX


def _reason(reason: str | None, *, required: bool = True) -> str:
    text = mask((reason or "").strip())
    if required and not text:
        raise ValidationError("reason", "skriv en begrundelse")
    if len(text) > REASON_MAX:
        raise ValidationError("reason", f"begrundelsen må højst være {REASON_MAX} tegn")
    return text


def _fire(
    db: Database, case_id: int, trigger: str, actor: str, data: dict[str, Any], now: dt.datetime | None
) -> Any:
    with db.session() as session:  # need-to-know first: who may not see the case is told so
        user = case_access.require_view_as(session, actor, case_id)
    if trigger == "unmark_case_sensitive" and user.role not in case_access.UNMARKS:
        raise PermissionDenied("kun en leder eller den juridiske kontakt kan fjerne markeringen fortrolig")
    return fire(db, case_id, trigger, actor=actor, data=data, now=now)


def add_member(
    db: Database, case_id: int, username: str, *, actor: str, reason: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Add ``username`` to case ``case_id`` (need to know, with ``reason``), as ``actor``; returns the member
    (``username``, ``added_by``, ``added_at`` ISO time, ``reason``).

    Raises ValidationError (unknown or inactive user, one who sees the case already, no reason), NotFound,
    PermissionDenied (``actor`` may not change the case's access).
    """
    why = _reason(reason)
    username = (username or "").strip()
    _fire(db, case_id, "grant_case_access", actor, {"user": username, "reason": why}, now)
    with db.session() as session:
        member = next((m for m in case_access_members(session, case_id) if m["username"] == username), None)
    if member is None:  # fire() stored it: read it back as stored
        raise NotFound(f"brugeren {username!r} er ikke på sagen")
    return member


def case_access_members(session: Any, case_id: int) -> list[dict[str, Any]]:
    """The members of case ``case_id``: ``username``, ``added_by``, ``added_at`` (ISO time), ``reason``."""
    from sqlalchemy import select

    from .models import CaseMember, User

    rows = session.execute(
        select(User.username, CaseMember.added_by, CaseMember.added_at, CaseMember.reason)
        .join(User, User.id == CaseMember.user_id)
        .where(CaseMember.case_id == case_id)
        .order_by(CaseMember.id)
    )
    return [
        {"username": u, "added_by": by, "added_at": at.isoformat(), "reason": why} for u, by, at, why in rows
    ]


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
    data = {"user": username, **({"reason": why} if why else {})}
    _fire(db, case_id, "revoke_case_access", actor, data, now)


def mark_sensitive(
    db: Database, case_id: int, *, actor: str, reason: str, now: dt.datetime | None = None
) -> None:
    """Mark case ``case_id`` sensitive by hand, with ``reason``, as ``actor`` (its caseworker, the legal
    contact or a manager). Raises ValidationError (no reason, marked already), NotFound, PermissionDenied."""
    _fire(db, case_id, "mark_case_sensitive", actor, {"reason": _reason(reason)}, now)


def unmark_sensitive(
    db: Database, case_id: int, *, actor: str, reason: str, now: dt.datetime | None = None
) -> None:
    """Lift the hand-set mark of case ``case_id``, with ``reason``: a manager's or the legal contact's
    decision. The case stays sensitive when it is so for another reason (personnel, art. 9/10, CPR).

    Raises ValidationError (no reason, not marked), NotFound, PermissionDenied.
    """
    _fire(db, case_id, "unmark_case_sensitive", actor, {"reason": _reason(reason)}, now)


def assign_legal_contact(
    db: Database, case_id: int, username: str, *, actor: str, now: dt.datetime | None = None
) -> dict[str, str]:
    """Name ``username`` the legal contact of case ``case_id`` (the action ``assign_legal_contact``), as
    ``actor`` (its caseworker, a member, a manager or a legal contact who sees the case). On a sensitive case
    the named legal contact is the only one of the legal contacts who sees it in full (docs/access.md).
    Returns ``{"username", "name"}`` of the new legal contact.

    Raises ValidationError (field ``legal_contact``: none chosen, not an active legal contact, the same one
    again), NotFound, PermissionDenied, WorkflowError (a case that is withdrawn, forwarded or closed).
    """
    name = (username or "").strip()
    if not name:
        raise ValidationError("legal_contact", "vælg en juridisk kontakt")
    _fire(db, case_id, "assign_legal_contact", actor, {"legal_contact": name}, now)
    with db.session() as session:
        chosen = next((u for u in case_access.legal_contact_choices(session) if u["username"] == name), None)
    return chosen or {"username": name, "name": name}
