"""Users as the entrypoints list them: ``aktflow users list`` and who can be assigned a case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import Database
from ..models import User
from ..vocabulary import CASEWORK


def user_list(db: Database) -> list[dict[str, Any]]:
    """Every user by username, active or not.

    Returns ``[{"username", "role", "name", "active"}]`` ordered by username; read in one session. The
    administration page's list with open-case counts is :func:`aktflow.administration.users`.
    """
    with db.session() as s:
        return [
            {"username": u.username, "role": u.role, "name": u.name, "active": u.active}
            for u in s.scalars(select(User).order_by(User.username))
        ]


def assignable_users(session: Session) -> list[User]:
    """The active users who can hold cases (caseworkers, managers, administrators), by name."""
    return list(
        session.scalars(
            select(User).where(User.role.in_(CASEWORK), User.active.is_(True)).order_by(User.name)
        )
    )
