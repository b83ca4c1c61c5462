"""Who may see a case, as its page, the API and the CLI show it (aktflow/case_access.py, docs/access.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import case_access, states
from ..exits import mask
from ..models import CaseMember, User
from ..vocabulary import LEGAL_CONTACT


def case_access_view(
    session: Session, case_id: int, user: Any, *, users: Sequence[User] | None = None
) -> dict[str, Any]:
    """The case's access as ``user`` (``id``, ``role``, ``username``) may see it: ``{"case_id", "sensitive",
    "reasons" (Danish), "mark" (None or {"reason", "marked_by", "marked_at"}), "members" ([{"username",
    "name", "added_by", "added_at", "reason"}], oldest first), "may_manage", "may_unmark",
    "legal_contact" (None or {"username", "name"}: the case's named legal contact),
    "may_choose_legal_contact" (``user`` may name it now: ``assign_legal_contact`` allowed in this state and
    to them), "legal_contact_choices" ([{"username", "name"}]: the active legal contacts by name, empty
    unless ``user`` may choose)}``. ``users``: every user, when the caller has read them already (the case
    page), so the names and choices cost no query.

    Raises NotFound for an unknown case and PermissionDenied when ``user`` may not see it in full.
    """
    case = case_access.require_view(session, user, case_id)
    mark, why, named = case_access.access_facts(session, case)
    members = session.execute(
        select(CaseMember, User.username, User.name)
        .join(User, User.id == CaseMember.user_id)
        .where(CaseMember.case_id == case.id)
        .order_by(CaseMember.added_at, CaseMember.id)
    ).all()
    spec = states.TRIGGERS[case_access.ASSIGN_LEGAL_CONTACT]
    may_choose = (
        case.state in spec.sources
        and user.role in spec.roles
        and case_access.act_refusal(
            session,
            user,
            case,
            spec.roles,
            member=any(m.user_id == user.id for m, _, _ in members),
            sensitive=bool(why),
        )
        is None
    )
    if users is None:
        choices = case_access.legal_contact_choices(session) if may_choose else []
        contact = _name_of(session, named)
    else:
        choices = [
            {"username": u.username, "name": u.name or u.username}
            for u in users
            if u.role == LEGAL_CONTACT and u.active
        ]
        choices.sort(key=lambda r: (r["name"].casefold(), r["username"]))
        choices = choices if may_choose else []
        known = {u.username: u.name for u in users}
        contact = None if named is None else {"username": named, "name": known.get(named) or named}
    return {
        "case_id": case.id,
        "sensitive": bool(why),
        "reasons": [mask(r) for r in why],
        "mark": None
        if mark is None
        else {"reason": mask(mark.reason), "marked_by": mark.marked_by, "marked_at": mark.marked_at},
        "members": [
            {
                "username": username,
                "name": name or username,
                "added_by": m.added_by,
                "added_at": m.added_at,
                "reason": mask(m.reason),
            }
            for m, username, name in members
        ],
        "may_manage": case_access.may_manage(user, case),
        "may_unmark": mark is not None and user.role in case_access.UNMARKS,
        "legal_contact": contact,
        "may_choose_legal_contact": may_choose,
        "legal_contact_choices": choices,
    }


def _name_of(session: Session, username: str | None) -> dict[str, str] | None:
    """``{"username", "name"}`` of a user (the username as the name when unset or unknown), or None."""
    if username is None:
        return None
    name = session.scalar(select(User.name).where(User.username == username))
    return {"username": username, "name": name or username}


def viewer(db: Any, username: str, case_id: int) -> None:
    """Check that ``username`` may see case ``case_id`` in full (the CLI's ``--as`` on reads).

    Raises ValidationError (unknown or inactive user), NotFound, PermissionDenied (exit code 4)."""
    with db.session() as s:
        case_access.require_view_as(s, username, case_id)


def access_of(db: Any, case_id: int, username: str) -> dict[str, Any]:
    """:func:`case_access_view` for a username. Raises ValidationError, NotFound, PermissionDenied."""
    with db.session() as s:
        user = case_access.require_view_as(s, username, case_id)
        return case_access_view(s, case_id, user)


def masked_for(db: Any, username: str | None, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` of cases (dicts with ``id``) masked for ``username`` (:func:`aktflow.case_access.mask_rows`);
    unchanged without a user (the server's own shell). Raises ValidationError for an unknown user."""
    if username is None:
        return rows
    with db.session() as s:
        user = case_access.active_user(s, username)
        return case_access.mask_rows(s, user, rows)
