"""The users as the command line lists them (``aktflow users list``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..db import Database
from ..models import User


def user_list(db: Database) -> list[dict[str, Any]]:
    """Every user by username, active or not.

    Returns ``[{"username", "role", "name", "active"}]`` ordered by username; read in one session. The
    administration page's list with open-case counts is :func:`aktflow.admin.users`.
    """
    with db.session() as s:
        return [
            {"username": u.username, "role": u.role, "name": u.name, "active": u.active}
            for u in s.scalars(select(User).order_by(User.username))
        ]
