"""Users as the entrypoints read them: ``aktflow users list``, who can be assigned a case, the logged-in
user of a web session, and the names shown in a case's timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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


def assignable_from(users: Sequence[User]) -> list[User]:
    """:func:`assignable_users` from the users already read (all of them)."""
    return sorted((u for u in users if u.role in CASEWORK and u.active), key=lambda u: u.name or "")


@dataclass(frozen=True)
class Account:
    """What a web session needs of a user (never the password hash)."""

    id: int
    username: str
    name: str
    role: str
    active: bool
    session_epoch: int


def _account(u: User | None) -> Account | None:
    if u is None:
        return None
    return Account(u.id, u.username, u.name, u.role, u.active, u.session_epoch or 0)


def account_by_id(db: Database, user_id: int) -> Account | None:
    """The user with id ``user_id`` (active or not), or None."""
    with db.session() as s:
        return _account(s.get(User, user_id))


def account_by_username(db: Database, username: str) -> Account | None:
    """The user called ``username`` (active or not), or None."""
    with db.session() as s:
        return _account(s.scalar(select(User).where(User.username == username)))


def display_names(session: Session) -> dict[str, str]:
    """Every user's name by username (a case's timeline names every actor, former users too)."""
    return {username: name for username, name in session.execute(select(User.username, User.name))}
