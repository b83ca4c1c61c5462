"""``aktflow users``: users, roles, passwords and API tokens."""

from __future__ import annotations

import click

from .base import Group, echo, emit, open_db
from .options import as_option, json_option


@click.group("users", cls=Group)
def users() -> None:
    """Users and roles."""


@users.command("add")
@click.argument("username")
@click.option("--role", required=True, help="caseworker | legal | manager | admin")
@click.option("--password", required=True)
@click.option("--name", default=None, help="Full name shown in letters and the UI")
@json_option
def users_add(username: str, role: str, password: str, name: str | None, as_json: bool) -> None:
    """Add a user (the server's shell is trusted: no --as; the password needs at least 8 characters)."""
    from aktflow.users import add_user
    from aktflow.vocabulary import SYSTEM_ACTOR

    u = add_user(open_db(), username, actor=SYSTEM_ACTOR, role=role, password=password, name=name)
    emit(
        {"id": u.id, "username": u.username, "role": u.role, "name": u.name},
        as_json,
        f"bruger {u.username} ({u.role}) oprettet",
    )


@users.command("token")
@click.argument("username")
@click.option("--name", default=None, help="What the token is for, e.g. selvbetjening")
def users_token(username: str, name: str | None) -> None:
    """Print a new API bearer token for USERNAME (shown once; only its hash is stored)."""
    from aktflow.tokens import issue_token
    from aktflow.vocabulary import SYSTEM_ACTOR

    echo(issue_token(open_db(), username, name=name, actor=SYSTEM_ACTOR))


@users.command("set-role")
@click.argument("username")
@click.argument("role")
@as_option("An administrator")
def users_set_role(username: str, role: str, actor: str) -> None:
    """Change a user's role (their open sessions end)."""
    from aktflow.users import change_role

    r = change_role(open_db(), actor=actor, username=username, role=role)
    echo(f"{username}: {r['old']} → {r['new']}")


@users.command("deactivate")
@click.argument("username")
@as_option("An administrator")
def users_deactivate(username: str, actor: str) -> None:
    """Deactivate a user (sessions end; their cases stay and can be reassigned)."""
    from aktflow.users import set_active

    r = set_active(open_db(), actor=actor, username=username, active=False)
    echo(f"{username} er deaktiveret; {r['open_cases']} åbne sager skal fordeles")


@users.command("password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@as_option("An administrator")
def users_password(username: str, password: str, actor: str) -> None:
    """Set a user's password (at least 8 characters; their open sessions end)."""
    from aktflow.users import set_password

    set_password(open_db(), actor=actor, username=username, password=password)
    echo(f"adgangskoden for {username} er ændret")


@users.command("list")
@json_option
def users_list(as_json: bool) -> None:
    """List users."""
    from aktflow.queries.users import user_list

    rows = user_list(open_db())
    emit(rows, as_json, "\n".join(f"{r['username']:<16} {r['role']:<11} {r['name']}" for r in rows))
